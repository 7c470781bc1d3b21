"""Grade a whole class: find the submissions, grade them in parallel, resume, write every output.

Each grading process is started once, collects the hidden suite once and then grades a stream
of submissions (grading.grade_stream), so PyTorch, pytest and the suite load once per process,
not once per student.

Layouts understood (student ids come from file or folder names):
- a folder of ``.py`` / ``.ipynb`` files (``kim_minji.py``);
- a folder of per-student folders, each holding ``cnn_layers.py`` (GitHub Classroom "clone all")
  or a single ``.py`` / ``.ipynb``;
- ``.zip`` files, one per student, holding either of the above;
- a Gradescope export (``submission_metadata.yml`` beside ``submission_<id>/`` folders).
"""

import functools
import hashlib
import json
import multiprocessing
import os
import queue
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import grading
from .report import GradeReport, QuestionScore
from .reports import class_summary, feedback, grades_csv, results_json
from .suite.truth import AUTO

SUBMISSION_SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Submission:
    student_id: str
    path: Path

    @functools.cached_property  # read once: resume checks and results.json both need it
    def sha256(self):
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def _pick_file(folder, submission_file):
    """The submission inside a student's folder: cnn_layers.py, else the only .py/.ipynb."""
    preferred = next(folder.rglob(submission_file), None)
    if preferred is not None:
        return preferred
    candidates = [path for path in sorted(folder.rglob("*"))
                  if path.suffix in SUBMISSION_SUFFIXES and not path.name.startswith(("test_", "."))
                  and "__MACOSX" not in path.parts]
    return candidates[0] if len(candidates) == 1 else None


def discover(root, submission_file, unpack_dir):
    """(submissions, problems): every gradable submission under ``root``, and what was skipped."""
    root = Path(root)
    submissions, problems = [], []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name == "submission_metadata.yml":
            continue
        student_id = entry.stem.removeprefix("submission_") if entry.is_dir() else entry.stem
        if entry.is_file() and entry.suffix in SUBMISSION_SUFFIXES:
            submissions.append(Submission(student_id, entry))
            continue
        folder = entry
        if entry.is_file() and entry.suffix == ".zip":
            folder = Path(unpack_dir) / student_id
            try:
                with zipfile.ZipFile(entry) as archive:
                    archive.extractall(folder)
            except (zipfile.BadZipFile, OSError) as error:
                problems.append(f"{entry.name}: unreadable zip ({error})")
                continue
        if folder.is_dir():
            found = _pick_file(folder, submission_file)
            if found is None:
                problems.append(f"{entry.name}: no {submission_file} (or single .py/.ipynb) inside")
            else:
                submissions.append(Submission(student_id, found))
    return submissions, problems


def _grading_process(assignment, truth, inbox, outbox):
    """A long-lived grader: takes submission paths from ``inbox`` until None, reports to ``outbox``."""

    def paths():
        while (path := inbox.get()) is not None:
            outbox.put(("start", path, os.getpid()))
            yield path

    grading.grade_stream(paths(), assignment, lambda report: outbox.put(("report", report.submission, report)),
                         truth=truth)


def _run_parallel(pending, assignment, jobs, on_report, truth):
    """Grade ``pending`` submissions with ``jobs`` grading processes; a dead process fails only
    the submission it was grading."""
    context = multiprocessing.get_context("fork")
    inbox, outbox = context.Queue(), context.Queue()
    by_path = {str(submission.path): submission for submission in pending}
    for submission in pending:
        inbox.put(str(submission.path))
    processes = [context.Process(target=_grading_process, args=(assignment, truth, inbox, outbox), daemon=True)
                 for _ in range(jobs)]
    for process in processes:
        inbox.put(None)
        process.start()
    in_flight, remaining = {}, len(pending)
    while remaining:
        try:
            kind, path, payload = outbox.get(timeout=5)
        except queue.Empty:
            for pid, path in list(in_flight.items()):
                if not any(p.pid == pid and p.is_alive() for p in processes):
                    del in_flight[pid]
                    remaining -= 1
                    on_report(by_path[path], _lost_report(path, assignment))
            if not any(process.is_alive() for process in processes) and not in_flight:
                break
            continue
        if kind == "start":
            in_flight[payload] = path
        else:
            in_flight = {pid: p for pid, p in in_flight.items() if p != path}
            remaining -= 1
            on_report(by_path[path], payload)
    for process in processes:
        process.join(timeout=10)


def _lost_report(path, assignment):
    """A report for a submission whose grading process died: 0 points, marked as a grader error."""
    questions = [QuestionScore(q.id, q.title, 0, q.points) for q in assignment.questions]
    return GradeReport(submission=path, assignment_id=assignment.id, tests=[], questions=questions,
                       execution_time=0.0, grader_errors=["the grading process died on this submission"])


def _student_paths(out_dir, student_id):
    folder = Path(out_dir) / "students" / student_id
    return folder, folder / "results.json", folder / "feedback.md", folder / "report.json"


def _already_graded(out_dir, submission):
    """The stored GradeReport of this very file (same content hash), or None."""
    *_, report_path = _student_paths(out_dir, submission.student_id)
    try:
        stored = json.loads(report_path.read_text(encoding="utf-8"))
        if stored.get("submission_sha256") != submission.sha256:
            return None
        return GradeReport.from_dict(stored["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not there, or unreadable: grade it again


def grade_batch(root, out_dir, assignment, jobs=None, progress=None, truth=AUTO):
    """Grade every submission under ``root`` into ``out_dir``; returns student id -> GradeReport.
    ``truth``: where expected values come from (suite/truth.py)."""
    grading.check_suite(assignment)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    unpack_dir = tempfile.mkdtemp(prefix="cnngrade-unpack-")
    try:
        submissions, problems = discover(root, assignment.submission_file, unpack_dir)
        reports, pending = {}, []
        for submission in submissions:
            stored = _already_graded(out_dir, submission)
            if stored is not None:
                reports[submission.student_id] = stored
            else:
                pending.append(submission)
        if progress is not None:
            progress.start(total=len(submissions), done=len(reports))

        def record(submission, report):
            _write_student(out_dir, submission, report)
            reports[submission.student_id] = report
            if progress is not None:
                progress.advance(submission.student_id, report)

        if pending:
            jobs = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
            _run_parallel(pending, assignment, jobs, record, truth)
        for submission in pending:
            if submission.student_id not in reports:
                record(submission, _lost_report(str(submission.path), assignment))
        if progress is not None:
            progress.finish()
    finally:
        shutil.rmtree(unpack_dir, ignore_errors=True)
    ordered = {submission.student_id: reports[submission.student_id] for submission in submissions}
    grades_csv.write(ordered, assignment, out_dir / "grades.csv")
    class_summary.write(ordered, problems, assignment, out_dir)
    return ordered


def _write_atomically(path, text):
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _write_student(out_dir, submission, report):
    folder, results_path, feedback_path, report_path = _student_paths(out_dir, submission.student_id)
    folder.mkdir(parents=True, exist_ok=True)
    results = results_json.to_results(report)
    results.update(student_id=submission.student_id, file=str(submission.path),
                   submission_sha256=submission.sha256)
    feedback_path.write_text(feedback.render(report, submission.student_id), encoding="utf-8")
    _write_atomically(results_path, json.dumps(results, ensure_ascii=False, indent=2))
    # Written last: a report.json on disk means this student is done, and a resumed batch makes
    # grades.csv and the summary from it (GradeReport.from_dict).
    _write_atomically(report_path, json.dumps({"submission_sha256": submission.sha256, "report": report.to_dict()},
                                              ensure_ascii=False, indent=2))
