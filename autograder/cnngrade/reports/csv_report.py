"""grades.csv: the columns of otter's final_grades.csv, with the student id first."""

import csv


def columns(definition):
    return (["student_id", "file"] + [question.id for question in definition.questions]
            + ["total_points_earned", "percent_correct", "grading_status"])


def row(result, definition):
    questions = result["questions"]
    values = {
        "student_id": result["student_id"], "file": result["file"],
        "total_points_earned": result["score"],
        "percent_correct": round(100 * result["score"] / result["max_score"], 2) if result["max_score"] else 0,
        "grading_status": result["grading_status"],
    }
    values.update({question.id: questions[question.id]["score"] for question in definition.questions})
    return values


def write(results, definition, path):
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns(definition))
        writer.writeheader()
        for result in results:
            writer.writerow(row(result, definition))
