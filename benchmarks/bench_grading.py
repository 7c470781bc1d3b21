"""Grading throughput: `cnn-grade` batch mode against sequential `otter run`, side by side.

    python benchmarks/bench_grading.py [--count 200] [--otter-sample 6] [--jobs 2]
    python benchmarks/bench_grading.py --otter-grade 4 --repeat 3    # also `otter grade`, real containers (root)

Builds a class of COUNT submissions from the bundled examples and the buggy fixtures (honest
code: correct, buggy, unfinished; no adversarial ones, which spend their time limits by design),
grades it with `cnn-grade DIR --out OUT -j JOBS`, then runs `otter run -a autograder.zip` on a
sample of the same files one after the other (what `otter grade` does inside each container)
and prints seconds per submission, submissions per minute and the ratio. The machine is shared
and noisy, so otter's time is the median over its sample and the batch is timed as a whole;
quote ratios, not absolute seconds.

With ``--otter-grade N`` it also runs the real `otter grade` (real Docker, the grading image of
tests/container_harness.py, otter's own code with only its image build replaced) on N files of the
same class, with 1 and with 2 containers, REPEAT times each, and prints the median seconds per
submission (wall time of one `otter grade` run over N). The image is built, or found in the cache,
before any timing starts.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # container_harness


def build_class(folder, count):
    solution = (ROOT / "solutions" / "cnn_layers.py").read_text(encoding="utf-8")
    sources = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "assignments/hw05_cnn/examples").glob("*.py"))]
    sources += [solution + "\n" + path.read_text(encoding="utf-8")
                for path in sorted((ROOT / "tests/fixtures/buggy").glob("*.py"))]
    sources.append(solution)
    files = []
    for index in range(count):
        path = folder / f"student{index:03d}.py"
        path.write_text(sources[index % len(sources)], encoding="utf-8")
        files.append(path)
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--otter-sample", type=int, default=5, help="submissions timed with otter run (default 5)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="cnn-grade grading processes")
    parser.add_argument("--otter-grade", type=int, default=0, metavar="N",
                        help="also time the real `otter grade` on N submissions, with 1 and 2 containers")
    parser.add_argument("--repeat", type=int, default=3, help="otter grade runs per container count (default 3)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        class_dir = work / "class"
        class_dir.mkdir()
        files = build_class(class_dir, args.count)
        subprocess.run([sys.executable, "-m", "cnngrade.cli", "build-otter", str(work / "otter")],
                       check=True, capture_output=True)
        zip_path = work / "otter" / "autograder.zip"

        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "cnngrade.cli", str(class_dir), "--out", str(work / "results"),
                        "-j", str(args.jobs)], check=True, capture_output=True)
        batch_seconds = time.monotonic() - started
        per_submission = batch_seconds / len(files)

        otter_times = []
        for path in files[: args.otter_sample]:
            run_dir = work / "otter-runs" / path.stem
            run_dir.mkdir(parents=True)
            shutil.copyfile(path, run_dir / "cnn_layers.py")
            started = time.monotonic()
            subprocess.run(["otter", "run", "-a", str(zip_path), "-o", str(run_dir), str(run_dir / "cnn_layers.py")],
                           check=True, capture_output=True, cwd=run_dir)
            otter_times.append(time.monotonic() - started)
        otter_median = statistics.median(otter_times)

        print(f"machine: {os.cpu_count()} cores; class of {len(files)} honest submissions; {args.jobs} cnn-grade jobs")
        print(f"cnn-grade batch : {batch_seconds:7.1f} s total, {per_submission:5.2f} s/submission, "
              f"{60 / per_submission:6.1f} submissions/min")
        print(f"otter run       : median {otter_median:5.2f} s/submission over {len(otter_times)} "
              f"(min {min(otter_times):.2f}, max {max(otter_times):.2f}), {60 / otter_median:6.1f} submissions/min")
        print(f"speed-up        : {otter_median / per_submission:5.1f}x (sequential otter run / cnn-grade batch)")
        if args.otter_grade:
            for containers, times in time_otter_grade(zip_path, files[: args.otter_grade], work, args.repeat).items():
                median = statistics.median(times)
                print(f"otter grade -c {containers}: median {median:5.2f} s/submission over {len(times)} runs of "
                      f"{args.otter_grade} (min {min(times):.2f}, max {max(times):.2f}); "
                      f"{median / per_submission:5.1f}x the cnn-grade batch")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def time_otter_grade(zip_path, files, work, repeat):
    """{containers: [seconds per submission of each run]} for the real `otter grade`."""
    import container_harness as harness

    sample = work / "otter-grade-class"
    sample.mkdir()
    for path in files:
        shutil.copyfile(path, sample / path.name)
    harness.ensure_tools()
    docker = harness.Docker().start()
    try:
        image = harness.build_grading_image(docker, zip_path)
        times = {1: [], 2: []}
        for run in range(repeat):
            for containers in times:  # alternated, so that load on the machine hits both alike
                out = work / f"otter-grade-{containers}-{run}"
                out.mkdir()
                started = time.monotonic()
                rows = harness.otter_grade(docker, image, zip_path, [sample], out, containers=containers)
                times[containers].append((time.monotonic() - started) / len(files))
                graded = [row for row in rows if row["file"] != "points-per-question"]  # otter's row of maxima
                if len(graded) != len(files):
                    raise RuntimeError(f"otter grade graded {len(graded)} of {len(files)} submissions")
                print(f"  otter grade -c {containers}, run {run + 1}: {times[containers][-1]:.2f} s/submission",
                      flush=True)
        return times
    finally:
        docker.stop()


if __name__ == "__main__":
    main()
