"""Issue #15's numbers in one run: one submission's feedback time, a class in batch mode against
`otter run`, the grading image with and without PyTorch, and peak memory.

    python benchmarks/bench_grading.py [--count 40] [--otter-sample 5] [--jobs 2]
    python benchmarks/bench_grading.py --image-sizes                   # also the grading images (root, Docker)
    python benchmarks/bench_grading.py --otter-grade 4 --repeat 3      # also `otter grade`, real containers (root)

What is timed, in this order (the machine is shared and noisy: medians, ratios side by side):

1. One submission, as a user types it: `cnn-grade solutions/cnn_layers.py`, the whole command
   (subprocess wall time), with a fresh CNNGRADE_CACHE_DIR. Its first run finds the cache empty
   and PyTorch computes the expected values ("cache cold"); that run also warms the cache, and the
   next SINGLE_REPEAT runs ("truth cache warm", median) never import PyTorch. Then LIVE_REPEAT runs
   of `--truth live` (PyTorch computes every time, median). Every run must score full marks.
2. A class of COUNT honest submissions (the bundled examples, the buggy fixtures, correct ones; no
   adversarial ones, which spend their time limits by design) graded by
   `cnn-grade DIR --out OUT -j JOBS` with the truth cache of step 1, timed as a whole, per submission.
3. `otter run` one submission at a time, on OTTER_SAMPLE files of the same class (each with an empty
   CNNGRADE_CACHE_DIR, as in a fresh grading container), alternated with a bare `otter run`: a minimal autograder zip made here with one trivial OK-format test, on a
   one-line submission. The bare run is otter's own floor (its start-up); the batch's ratio to it is
   issue #15's 10x target. Medians.
4. With ``--image-sizes``: the grading image of tests/container_harness.py built from the zip as
   `cnn-grade build-otter` makes it, and from the same zip with the CPU pin of
   requirements/cpu-torch.txt added to its requirements.txt and to environment.yml's pip list (the
   harness installs the local CPU torch wheel first, so pip finds the pin satisfied instead of
   pulling a CUDA build). `docker image inspect` gives the sizes; each image is also asked whether
   its environment can import torch, so a harness that installs torch regardless shows.
5. With ``--otter-grade N``: the real `otter grade` (otter's own code, only its image build replaced)
   on N files of the class, with 1 and 2 containers, REPEAT times each, median seconds per submission.

Peak RSS: the grading process's own VmHWM (the `cnn-grade` process, read from /proc while it runs,
every 10 ms; the high-water mark only grows, so this misses at most its last 10 ms) and, from
os.wait4, the largest of it and every process it waited for (the worker, batch grading processes).

The last thing printed is a Markdown table for README's Performance section.
"""

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from machine import cpu_model, load_average

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # container_harness, conftest (the fixtures)
CNN_GRADE = Path(sys.executable).with_name("cnn-grade")  # the console script of this interpreter's install
OTTER = Path(sys.executable).with_name("otter")
SAMPLE_SECONDS = 0.01
OTTER_ENV_PYTHON = "/root/miniforge3/envs/otter-env/bin/python"  # the environment otter's run_autograder activates
TORCH_PIN = next(line.strip() for line in (ROOT / "requirements" / "cpu-torch.txt").read_text("utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))

# A bare otter autograder: what otter 7's `otter run` reads (otter/run/run_autograder, otter/test_files/ok_test.py)
BARE_CONFIG = {"lang": "python"}
BARE_TEST = '''OK_FORMAT = True

test = {"name": "q1", "points": 1, "suites": [{"cases": [{"code": ">>> answer\\n42", "hidden": False}],
                                              "scored": True, "setup": "", "teardown": "", "type": "doctest"}]}
'''
BARE_SUBMISSION = "answer = 42\n"


@dataclass
class Run:
    seconds: float
    grading_peak_mb: float  # the started process's own high-water mark (sampled)
    tree_peak_mb: float  # os.wait4: the largest of it and the processes it waited for


def measured(command, *, cwd=None, env=None):
    """Run ``command`` to its end; a Run, or RuntimeError with its output when it fails. The wall
    time ends when wait4 returns (the sampling runs in a thread beside it, so it adds no delay).
    PYTHONDONTWRITEBYTECODE is dropped: users' machines and otter's image write bytecode, and a
    process that finds none compiles every module it imports (about twice the single-file time)."""
    env = {name: value for name, value in (os.environ if env is None else env).items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryFile() as output:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT)
        sampler = HighWaterSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        grading_peak_mb = sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        if process.returncode != 0:
            output.seek(0)
            raise RuntimeError(f"{' '.join(map(str, command))} exited {process.returncode}:\n"
                               + output.read().decode("utf-8", "replace")[-3000:])
    return Run(seconds, grading_peak_mb, usage.ru_maxrss / 1024)  # Linux: ru_maxrss in KiB


class HighWaterSampler(threading.Thread):
    """The VmHWM of one process, read every SAMPLE_SECONDS until stop()."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.high_water_kb, self._ended = pid, 0, threading.Event()

    def run(self):
        while not self._ended.is_set():
            self.high_water_kb = max(self.high_water_kb, _vm_hwm_kb(self.pid))
            self._ended.wait(SAMPLE_SECONDS)

    def stop(self):
        """The highest VmHWM read, in MB."""
        self._ended.set()
        self.join()
        return self.high_water_kb / 1024


def _vm_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:  # not started yet, or already gone
        pass
    return 0


def median_run(runs):
    return Run(*(statistics.median(getattr(run, name) for run in runs)
                 for name in ("seconds", "grading_peak_mb", "tree_peak_mb")))


def build_class(folder, count):
    """COUNT honest submissions: the bundled examples, the buggy fixtures made as the project's tests
    make them (base plus change, tests/conftest.py), and correct ones."""
    from cnngrade import assignment
    from conftest import load_fixtures

    definition = assignment.load()
    solution = definition.solution.read_text(encoding="utf-8")
    sources = [path.read_text(encoding="utf-8") for path in sorted(definition.examples.glob("*.py"))]
    sources += [fixture.source(solution) for fixture in load_fixtures("buggy", definition)]
    sources.append(solution)
    files = []
    for index in range(count):
        path = folder / f"student{index:03d}.py"
        path.write_text(sources[index % len(sources)], encoding="utf-8")
        files.append(path)
    return files


# --------------------------------------------------------------------------------------------------
# 1. One submission
# --------------------------------------------------------------------------------------------------

def grade_solution(work, name, cache_dir, truth):
    """One whole `cnn-grade solutions/cnn_layers.py` command; it must give full marks."""
    results = work / f"{name}.json"
    run = measured([str(CNN_GRADE), str(ROOT / "solutions" / "cnn_layers.py"), "--truth", truth,
                    "--json", str(results)], env=dict(os.environ, CNNGRADE_CACHE_DIR=str(cache_dir)))
    report = json.loads(results.read_text(encoding="utf-8"))
    if report["score"] != report["max_score"]:
        raise RuntimeError(f"the reference solution scored {report['score']} / {report['max_score']} ({name})")
    return run


def time_single(work, cache_dir, warm_repeat, live_repeat):
    cache_dir.mkdir()
    print("single submission: cache cold ...", flush=True)
    cold = grade_solution(work, "cold", cache_dir, "auto")  # PyTorch computes, and the cache is filled
    if not any(cache_dir.iterdir()):
        raise RuntimeError(f"the first run left no truth cache in {cache_dir}")
    warm = []
    for index in range(warm_repeat):
        print(f"single submission: truth cache warm, run {index + 1} ...", flush=True)
        warm.append(grade_solution(work, f"warm{index}", cache_dir, "auto"))
    live = []
    for index in range(live_repeat):
        print(f"single submission: --truth live, run {index + 1} ...", flush=True)
        live.append(grade_solution(work, f"live{index}", cache_dir, "live"))
    return cold, warm, live


# --------------------------------------------------------------------------------------------------
# 2 and 3. A class in batch mode, otter run of our zip, bare otter run
# --------------------------------------------------------------------------------------------------

def build_bare_otter(folder):
    """A minimal otter autograder zip (one trivial test) and the submission that passes it."""
    folder.mkdir()
    zip_path = folder / "autograder.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("otter_config.json", json.dumps(BARE_CONFIG))
        archive.writestr("tests/q1.py", BARE_TEST)
    submission = folder / "answer.py"
    submission.write_text(BARE_SUBMISSION, encoding="utf-8")
    return zip_path, submission


def otter_run(zip_path, submission, run_dir, expected_score=None):
    """`otter run` of one submission in a directory of its own (it writes results.json there), with an
    empty CNNGRADE_CACHE_DIR: a grading container starts without the user's truth cache."""
    run_dir.mkdir(parents=True)
    target = run_dir / submission.name
    shutil.copyfile(submission, target)
    run = measured([str(OTTER), "run", "-a", str(zip_path), "-o", str(run_dir), str(target)], cwd=run_dir,
                   env=dict(os.environ, CNNGRADE_CACHE_DIR=str(run_dir / "empty-truth-cache")))
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    # otter's own results.json has no total, only tests[] (the "Public Tests" summary entry has no score)
    score = sum(test.get("score") or 0 for test in results["tests"])
    if expected_score is not None and score != expected_score:
        raise RuntimeError(f"otter run scored {score}, not {expected_score}: {run_dir}")
    return run


def time_otter_runs(our_zip, files, work):
    """Our zip on each file, alternated with the bare zip, so that load on the machine hits both alike."""
    bare_zip, bare_submission = build_bare_otter(work / "bare-otter")
    ours, bare = [], []
    for index, path in enumerate(files):
        print(f"otter run {index + 1} of {len(files)}: our zip, then the bare zip ...", flush=True)
        renamed = work / "otter-inputs" / path.stem / "cnn_layers.py"  # the name our zip grades
        renamed.parent.mkdir(parents=True)
        shutil.copyfile(path, renamed)
        ours.append(otter_run(our_zip, renamed, work / "otter-runs" / path.stem))
        bare.append(otter_run(bare_zip, bare_submission, work / "bare-runs" / str(index), expected_score=1))
    return ours, bare


# --------------------------------------------------------------------------------------------------
# 4 and 5. Real containers
# --------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def docker_or_reason():
    """(docker, None) with our own dockerd running, or (None, why not) where it cannot be had."""
    import container_harness as harness

    try:
        harness.ensure_tools()
        docker = harness.Docker().start()
    except (harness.Unavailable, RuntimeError) as error:  # no root, no tools, or another dockerd on its socket
        yield None, str(error).splitlines()[0]
        return
    try:
        yield docker, None
    finally:
        docker.stop()


def with_torch_pin(zip_path, out_path):
    """A copy of ``zip_path`` that asks for the CPU torch pin in requirements.txt and in environment.yml's
    pip section (otter's setup.sh makes the environment from environment.yml, the harness of this branch
    from requirements.txt); True if its requirements.txt named no torch before."""
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as target:
        requirements = source.read("requirements.txt").decode("utf-8")
        edited = {"requirements.txt": requirements.rstrip("\n") + f"\n{TORCH_PIN}\n",
                  "environment.yml": _pip_section_with(source.read("environment.yml").decode("utf-8"), TORCH_PIN)}
        for item in source.infolist():
            target.writestr(item, edited.get(item.filename) or source.read(item))
    return not any(line.split("#", 1)[0].strip().lower().startswith("torch")
                   for line in requirements.splitlines())


def _pip_section_with(environment, requirement):
    """otter's environment.yml (a yaml.dump) with ``requirement`` appended to its `- pip:` list."""
    lines = environment.splitlines()
    pip = next((index for index, line in enumerate(lines) if line.strip() == "- pip:"), None)
    if pip is None:
        raise RuntimeError("the zip's environment.yml has no `- pip:` section:\n" + environment)
    indent = _indent(lines[pip])
    end = pip + 1
    while end < len(lines) and _indent(lines[end]) > indent:
        end += 1
    item_indent = _indent(lines[end - 1]) if end > pip + 1 else indent + 4
    lines.insert(end, " " * item_indent + f"- {requirement}")
    return "\n".join(lines) + "\n"


def _indent(line):
    return len(line) - len(line.lstrip())


def image_sizes(docker, zip_path, work):
    """{label: (bytes, imports torch)} for the grading image of our zip and of it with torch pinned."""
    import container_harness as harness

    torch_zip = work / "with-torch" / "autograder.zip"
    torch_zip.parent.mkdir()
    if not with_torch_pin(zip_path, torch_zip):
        print("note: the zip's requirements.txt already names torch; the two images should be alike")
    sizes = {}
    for label, path in (("as built", zip_path), ("torch added", torch_zip)):
        print(f"grading image, {label}: building (minutes when not cached, log in {harness.CACHE / 'build.log'}) ...",
              flush=True)
        tag = harness.build_grading_image(docker, path)
        size = int(docker.docker("image", "inspect", "-f", "{{.Size}}", tag).stdout.strip())
        probe = docker.docker("run", "--rm", "--network", "none", tag, OTTER_ENV_PYTHON, "-c",
                              "import importlib.util; print(importlib.util.find_spec('torch') is not None)")
        sizes[label] = (size, probe.stdout.strip() == "True")
    return sizes


def time_otter_grade(docker, zip_path, files, work, repeat):
    """{containers: [seconds per submission of each run]} for the real `otter grade`."""
    import container_harness as harness

    sample = work / "otter-grade-class"
    sample.mkdir()
    for path in files:
        shutil.copyfile(path, sample / path.name)
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


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------

def spread(runs):
    seconds = [run.seconds for run in runs]
    return f"{min(seconds):.2f}–{max(seconds):.2f}" if len(seconds) > 1 else "-"


def megabytes(run):
    return f"{run.grading_peak_mb:.0f} / {run.tree_peak_mb:.0f}"


def markdown_table(results):
    """The table for README's Performance section, from what main() measured."""
    r = results
    rows = [
        ("`cnn-grade solutions/cnn_layers.py`, truth cache warm", f"{r['warm'].seconds:.2f} s", spread(r["warm_runs"]),
         len(r["warm_runs"]), megabytes(r["warm"]), "≤ 1.5 s"),
        ("same, cache cold: PyTorch computes (first run)", f"{r['cold'].seconds:.2f} s", "-", 1,
         megabytes(r["cold"]), ""),
        ("same, `--truth live`", f"{r['live'].seconds:.2f} s", spread(r["live_runs"]), len(r["live_runs"]),
         megabytes(r["live"]), ""),
        (f"`cnn-grade class/ --out results -j {r['jobs']}`, {r['count']} submissions, per submission",
         f"{r['batch'].seconds / r['count']:.2f} s", "-", 1, megabytes(r["batch"]), ""),
        ("bare `otter run` (one trivial test)", f"{r['bare'].seconds:.2f} s", spread(r["bare_runs"]),
         len(r["bare_runs"]), megabytes(r["bare"]), ""),
        ("`otter run` of our zip", f"{r['ours'].seconds:.2f} s", spread(r["ours_runs"]), len(r["ours_runs"]),
         megabytes(r["ours"]), ""),
        ("batch vs bare `otter run`", f"{r['bare'].seconds / r['per_submission']:.1f}x", "", "", "", "≥ 10x"),
        ("batch vs `otter run` of our zip", f"{r['ours'].seconds / r['per_submission']:.1f}x", "", "", "", ""),
    ]
    images = r.get("images", {})
    for label, (size, has_torch) in images.items():
        more = size - images["as built"][0]
        rows.append((f"grading image, zip {label} (PyTorch inside: {'yes' if has_torch else 'no'})",
                     f"{size / 1e9:.2f} GB" + (f" ({more / 1e9:+.2f} GB)" if label != "as built" else ""),
                     "", 1, "", ""))
    for containers, times in r.get("otter_grade", {}).items():
        rows.append((f"`otter grade --containers {containers}`, per submission", f"{statistics.median(times):.2f} s",
                     f"{min(times):.2f}–{max(times):.2f}", len(times), "", ""))
    lines = [f"{r['date']}, {r['cores']} cores ({r['cpu']}), load average {r['load_before']} before, "
             f"{r['load_after']} after (1, 5, 15 min).",
             "",
             "| | median | min–max | runs | peak RSS MB (grading process / largest of its tree) | target |",
             "|---|---:|---:|---:|---:|---|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    if "images_skipped" in r:
        lines += ["", f"Grading images not measured: {r['images_skipped']}"]
    elif "images" not in r:
        lines += ["", "Grading images not measured (run with --image-sizes)."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--otter-sample", type=int, default=5, help="files timed with otter run, ours and bare (default 5)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="cnn-grade grading processes")
    parser.add_argument("--single-repeat", type=int, default=5, help="warm-cache single runs (default 5)")
    parser.add_argument("--live-repeat", type=int, default=3, help="--truth live single runs (default 3)")
    parser.add_argument("--image-sizes", action="store_true", help="also build the grading images and report sizes")
    parser.add_argument("--otter-grade", type=int, default=0, metavar="N",
                        help="also time the real `otter grade` on N submissions, with 1 and 2 containers")
    parser.add_argument("--repeat", type=int, default=3, help="otter grade runs per container count (default 3)")
    args = parser.parse_args()
    for tool in (CNN_GRADE, OTTER):
        if not tool.is_file():
            parser.error(f"{tool} not found: run this with the python of the venv where the project is installed")

    results = {"date": time.strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(), "cpu": cpu_model(),
               "load_before": load_average(), "jobs": args.jobs, "count": args.count}
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        class_dir = work / "class"
        class_dir.mkdir()
        files = build_class(class_dir, args.count)
        subprocess.run([str(CNN_GRADE), "build-otter", str(work / "otter")], check=True, capture_output=True)
        zip_path = work / "otter" / "autograder.zip"

        cache_dir = work / "truth-cache"  # filled by the first single run, then used by all but --truth live
        cold, warm, live = time_single(work, cache_dir, args.single_repeat, args.live_repeat)
        results.update(cold=cold, warm_runs=warm, warm=median_run(warm), live_runs=live, live=median_run(live))
        print(f"single, cache cold (PyTorch computes): {cold.seconds:5.2f} s, peak RSS {megabytes(cold)} MB")
        print(f"single, truth cache warm            : median {results['warm'].seconds:5.2f} s of {len(warm)} "
              f"({spread(warm)}), peak RSS {megabytes(results['warm'])} MB")
        print(f"single, --truth live                : median {results['live'].seconds:5.2f} s of {len(live)} "
              f"({spread(live)}), peak RSS {megabytes(results['live'])} MB")

        print(f"batch of {len(files)} ...", flush=True)
        batch = measured([str(CNN_GRADE), str(class_dir), "--out", str(work / "results"), "-j", str(args.jobs)],
                         env=dict(os.environ, CNNGRADE_CACHE_DIR=str(cache_dir)))
        statuses = {path.parent.name: json.loads(path.read_text(encoding="utf-8"))["grading_status"]
                    for path in (work / "results" / "students").glob("*/results.json")}
        not_graded = sorted(path.stem for path in files if statuses.get(path.stem) != "graded")
        if not_graded:  # a submission that fails to import is graded in no time: it would flatter the batch
            raise RuntimeError(f"the batch did not grade {len(not_graded)} of the class: {not_graded}")
        results.update(batch=batch, per_submission=batch.seconds / len(files))
        print(f"cnn-grade batch : {batch.seconds:7.1f} s total, {results['per_submission']:5.2f} s/submission, "
              f"{60 / results['per_submission']:6.1f} submissions/min, peak RSS {megabytes(batch)} MB")

        ours, bare = time_otter_runs(zip_path, files[: args.otter_sample], work)
        results.update(ours_runs=ours, ours=median_run(ours), bare_runs=bare, bare=median_run(bare))
        for name, runs in (("otter run, our zip", ours), ("otter run, bare  ", bare)):
            median = median_run(runs)
            print(f"{name}: median {median.seconds:5.2f} s/submission over {len(runs)} ({spread(runs)}), "
                  f"{60 / median.seconds:6.1f} submissions/min, {median.seconds / results['per_submission']:5.1f}x "
                  f"the batch, peak RSS {megabytes(median)} MB")

        if args.image_sizes or args.otter_grade:
            with docker_or_reason() as (docker, reason):
                if docker is None:
                    print(f"skipped (no Docker engine): {reason}")
                    results["images_skipped"] = reason
                else:
                    if args.image_sizes:
                        results["images"] = image_sizes(docker, zip_path, work)
                        for label, (size, has_torch) in results["images"].items():
                            print(f"grading image, zip {label}: {size / 1e9:.2f} GB "
                                  f"(PyTorch inside: {'yes' if has_torch else 'no'})")
                    if args.otter_grade:
                        results["otter_grade"] = time_otter_grade(docker, zip_path, files[: args.otter_grade], work,
                                                                  args.repeat)
        results["load_after"] = load_average()
        print()
        print(markdown_table(results))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
