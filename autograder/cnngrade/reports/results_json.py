"""Gradescope's results.json, plus ``max_score``, ``questions``, ``integrity`` and ``submission_output``
for our tools.

Outputs are Markdown (``output_format``/``test_output_format`` "md"), so each line of a message
becomes its own paragraph there.
"""

import json


def markdown(text):
    return "\n\n".join(line.strip() for line in text.strip().splitlines() if line.strip())


def test_entry(test):
    return {
        "name": test.name,
        "number": test.nodeid.split("::", 1)[-1],
        "score": test.earned,
        "max_score": test.points,
        "status": "passed" if test.status == "passed" else "failed",
        "output": markdown(test.message),
        "visibility": test.visibility,
        "tags": [test.question],
        "fault": test.fault,
        "diagnosis": test.diagnosis,
    }


def student_output(report):
    """The top-level message to the student: why grading went wrong, notes (Markdown)."""
    output = [report.import_error] + [f"참고 / Note: {note}" for note in report.notes]
    if report.grader_errors:
        output = ["채점기 오류가 있었습니다. 조교에게 알려 주세요. / The grader hit an internal error; tell your TA."]
    return markdown("\n".join(line for line in output if line))


def to_results(report):
    return {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.execution_time, 3),
        "output": student_output(report),
        "output_format": "md",
        "test_output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [test_entry(test) for test in report.tests],
        "questions": {question.id: {"score": question.score, "max_score": question.max_score}
                      for question in report.questions},
        "assignment": report.assignment_id,
        "grading_status": report.status,
        "integrity": report.integrity,
        "sandbox": report.sandbox,
        # What the submission printed (capped): for the instructor, never shown to the student,
        # since a submission can print the hidden inputs it is given.
        "submission_output": report.output,
    }


def write(report, path):
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(to_results(report), stream, ensure_ascii=False, indent=2)
