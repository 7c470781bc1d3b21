"""What the sandbox costs: this checkout against an older one, as whole commands, alternated.

    git archive 1b383bb | tar -x -C /tmp/baseline
    python benchmarks/bench_isolation.py --baseline /tmp/baseline [--runs 5] [--count 40] [--jobs 2]

Both run with this interpreter; the baseline's package comes first on PYTHONPATH. Each round
runs `cnn-grade solutions/cnn_layers.py` with one version, then the other (the order flips every
round), and then grades the same class of COUNT honest submissions (bench_grading.build_class)
in batch mode with each. Prints medians and the ratio new/old: the machine is shared and noisy,
so quote ratios of medians of alternated runs, not single timings.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_grading import ROOT, build_class  # noqa: E402


def timed(command, environment):
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, env=environment)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, type=Path, help="an extracted older checkout")
    parser.add_argument("--runs", type=int, default=5, help="alternated rounds (default 5)")
    parser.add_argument("--count", type=int, default=40, help="submissions in the batch (default 40)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="batch grading processes")
    args = parser.parse_args()

    versions = {"new": (ROOT, dict(os.environ)),
                "old": (args.baseline.resolve(), dict(os.environ, PYTHONPATH=str(args.baseline.resolve() / "autograder")))}
    work = Path(tempfile.mkdtemp(prefix="bench-isolation-"))
    single, batch = {name: [] for name in versions}, {name: [] for name in versions}
    try:
        class_dir = work / "class"
        class_dir.mkdir()
        build_class(class_dir, args.count)
        for round_index in range(args.runs):
            order = list(versions) if round_index % 2 == 0 else list(reversed(versions))
            for name in order:
                root, environment = versions[name]
                single[name].append(timed([sys.executable, "-m", "cnngrade.cli", str(root / "solutions" / "cnn_layers.py")],
                                          environment))
            for name in order:
                root, environment = versions[name]
                out = work / f"results-{name}-{round_index}"
                batch[name].append(timed([sys.executable, "-m", "cnngrade.cli", str(class_dir), "--out", str(out),
                                          "-j", str(args.jobs)], environment))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| | old (median s) | new (median s) | new/old |")
    print("|---|---:|---:|---:|")
    for label, times in ((f"`cnn-grade solutions/cnn_layers.py`, median of {args.runs}", single),
                         (f"batch of {args.count}, `-j {args.jobs}`, median of {args.runs}", batch)):
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"| {label} | {old:.2f} | {new:.2f} | {new / old:.3f} |")
    print("raw:", {kind: {name: [round(t, 2) for t in values] for name, values in times.items()}
                   for kind, times in (("single", single), ("batch", batch))})


if __name__ == "__main__":
    main()
