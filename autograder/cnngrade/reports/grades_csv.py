"""grades.csv: the columns of otter's final_grades.csv, with the student id first."""

import csv


def columns(assignment):
    return (["student_id", "file"] + [question.id for question in assignment.questions]
            + ["total_points_earned", "percent_correct", "grading_status"])


def row(student_id, report, assignment):
    values = {
        "student_id": student_id, "file": report.submission,
        "total_points_earned": report.score,
        "percent_correct": round(100 * report.score / report.max_score, 2) if report.max_score else 0,
        "grading_status": report.status,
    }
    values.update({question.id: report.question_score(question.id) for question in assignment.questions})
    return values


def write(reports, assignment, path):
    """``reports``: student id -> GradeReport, in the order of the rows."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns(assignment))
        writer.writeheader()
        for student_id, report in reports.items():
            writer.writerow(row(student_id, report, assignment))
