"""``cnn-grade otter-layout CLASS OUT``: a class folder laid out the way ``otter grade`` wants it.

``otter grade`` globs ``*.<ext>`` in a folder (not recursively), copies each file into its container as
``/autograder/submission/<basename>`` and labels the row of ``final_grades.csv`` with that basename.
One folder per student (``submissions/<student>/cnn_layers.py``) therefore gives every row the same
label, ``cnn_layers.py``. This command reads a class in any layout the batch understands (a folder of
files, per-student folders, zips, a Gradescope export; ``cnngrade.batch.discover``) and writes one file
per student named by the student id, extension kept: ``OUT/py/<id>.py`` and ``OUT/ipynb/<id>.ipynb``
(``otter grade`` takes one ``--ext`` per run, so the two kinds go to separate folders).
"""

import shutil
import tempfile
from pathlib import Path

from .. import batch


def layout(class_dir, out_dir, submission_file):
    """Copy every submission of ``class_dir`` to ``out_dir/<ext>/<student id>.<ext>``.

    Returns (written paths, problems). Raises ValueError when two students would get the same file
    name, or when ``out_dir`` already holds files, because otter would then grade stale ones too."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (any(out_dir.rglob("*.py")) or any(out_dir.rglob("*.ipynb"))):
        raise ValueError(f"{out_dir} already holds submissions; choose an empty folder")
    with tempfile.TemporaryDirectory(prefix="cnngrade-otter-layout-") as unpack_dir:
        submissions, problems = batch.discover(class_dir, submission_file, unpack_dir)
        targets = {}
        for submission in submissions:
            ext = submission.path.suffix.lstrip(".")
            target = out_dir / ext / f"{submission.student_id}.{ext}"
            if target in targets:
                raise ValueError(f"two submissions would both be {target}: {targets[target]} and {submission.path}")
            targets[target] = submission.path
        for target, source in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return sorted(targets), problems


def otter_commands(out_dir, written, zip_path="dist/autograder.zip"):
    """The ``otter grade`` command for each folder that was written."""
    return [f"otter grade -n hw05 -a {zip_path} --ext {ext} -o grades-{ext}/ --containers 2 --timeout 600 "
            f"--no-network {Path(out_dir) / ext}/"
            for ext in sorted({path.suffix.lstrip('.') for path in written})]
