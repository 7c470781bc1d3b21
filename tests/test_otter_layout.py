"""`cnn-grade otter-layout`: one file per student id, so `otter grade` names every row of
final_grades.csv after its student (the real otter grade run is in test_real_container.py)."""

import subprocess
import sys
import zipfile

import pytest

from cnngrade.build import otter_layout


def make_class(root):
    """Every layout the batch reads, mixed: per-student folders, a zip, a flat file, a notebook."""
    (root / "alice").mkdir(parents=True)
    (root / "alice" / "cnn_layers.py").write_text("A = 1\n")
    (root / "submission_bob").mkdir()
    (root / "submission_bob" / "cnn_layers.py").write_text("B = 1\n")
    with zipfile.ZipFile(root / "carol.zip", "w") as archive:
        archive.writestr("hw05/cnn_layers.py", "C = 1\n")
    (root / "dave.py").write_text("D = 1\n")
    (root / "erin").mkdir()
    (root / "erin" / "lab.ipynb").write_text("{}")
    (root / "frank").mkdir()  # nothing to grade: reported, not copied


def test_every_student_becomes_one_file_named_by_id(tmp_path):
    make_class(tmp_path / "class")
    written, problems = otter_layout.layout(tmp_path / "class", tmp_path / "out", "cnn_layers.py")
    assert [path.relative_to(tmp_path / "out").as_posix() for path in written] == [
        "ipynb/erin.ipynb", "py/alice.py", "py/bob.py", "py/carol.py", "py/dave.py"]
    assert (tmp_path / "out" / "py" / "carol.py").read_text() == "C = 1\n"
    assert len(problems) == 1 and problems[0].startswith("frank")
    commands = otter_layout.otter_commands(tmp_path / "out", written)
    assert [command.split("--ext ")[1].split()[0] for command in commands] == ["ipynb", "py"]


def test_two_students_with_one_id_are_refused(tmp_path):
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "cnn_layers.py").write_text("A = 1\n")
    (tmp_path / "class" / "alice.py").write_text("A = 2\n")
    with pytest.raises(ValueError, match="two submissions would both be"):
        otter_layout.layout(tmp_path / "class", tmp_path / "out", "cnn_layers.py")


def test_a_folder_with_old_submissions_is_refused(tmp_path):
    make_class(tmp_path / "class")
    (tmp_path / "out" / "py").mkdir(parents=True)
    (tmp_path / "out" / "py" / "old.py").write_text("")
    with pytest.raises(ValueError, match="already holds submissions"):
        otter_layout.layout(tmp_path / "class", tmp_path / "out", "cnn_layers.py")


def test_cli(tmp_path):
    make_class(tmp_path / "class")
    completed = subprocess.run([sys.executable, "-m", "cnngrade.cli", "otter-layout", str(tmp_path / "class"),
                                str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "wrote 5 submission(s)" in completed.stdout and "otter grade -n hw05" in completed.stdout
    assert "skipped frank" in completed.stderr
    again = subprocess.run([sys.executable, "-m", "cnngrade.cli", "otter-layout", str(tmp_path / "class"),
                            str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already holds submissions" in again.stderr
