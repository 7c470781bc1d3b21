"""Grading the way the container does, without a container: ``python -m cnngrade.build.otter ZIP SUBMISSION``."""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def run_like_container(zip_path, submission, parent=None, timeout=1200, env=None):
    """Grade ``submission`` as Gradescope and ``otter grade`` do, with no Docker: the zip unpacked in
    ``<dir>/autograder/source``, the submission copied to ``<dir>/autograder/submission``, an empty
    ``submission_metadata.json`` (as in otter grade's image), and the zip's own run_otter.py as the
    entry point (so the engine plugin is active). Returns (results.json as a dict or None, the
    CompletedProcess, the directory). ``env``: the environment of run_otter.py (default: this one's)."""
    base = Path(tempfile.mkdtemp(prefix="cnngrade-container-", dir=parent))
    autograder_dir = base / "autograder"
    for name in ("source", "submission", "results"):
        (autograder_dir / name).mkdir(parents=True)
    (autograder_dir / "submission_metadata.json").write_text("", encoding="utf-8")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(autograder_dir / "source")
    (autograder_dir / "submission" / Path(submission).name).write_bytes(Path(submission).read_bytes())
    completed = subprocess.run([sys.executable, str(autograder_dir / "source" / "run_otter.py")],
                               cwd=autograder_dir, capture_output=True, text=True, timeout=timeout, env=env)
    results_path = autograder_dir / "results" / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else None
    return results, completed, base


def question_scores(results):
    """{question: (score, max_score)} from an otter results.json (one entry per test file)."""
    return {test["name"]: (test["score"], test["max_score"]) for test in results.get("tests", [])
            if "score" in test and "max_score" in test}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cnngrade.build.otter",
        description="Grade one submission with autograder.zip exactly as the Gradescope/otter grade "
                    "container does (engine plugin active), without Docker.")
    parser.add_argument("zip", help="autograder.zip from `cnn-grade build-otter`")
    parser.add_argument("submission", help="the .py or .ipynb to grade")
    parser.add_argument("-o", "--output", help="copy results.json here")
    args = parser.parse_args(argv)
    results, completed, base = run_like_container(args.zip, args.submission)
    if results is None:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        return 1
    for name, (score, possible) in question_scores(results).items():
        print(f"{name:16s} {score:g} / {possible:g}")
    scores = question_scores(results).values()
    print(f"total            {sum(s for s, _ in scores):g} / {sum(p for _, p in scores):g}")
    if args.output:
        Path(args.output).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    shutil.rmtree(base, ignore_errors=True)
    return 0 if completed.returncode == 0 else completed.returncode
