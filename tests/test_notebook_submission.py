"""A Colab notebook whose code cells define the functions grades exactly like the same .py file."""

import json

from conftest import scores


def _notebook(source):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# 제 과제 / my homework"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
              "source": ["!pip install numpy\n", "%matplotlib inline\n"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [], "source": source}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_notebook_scores_like_the_equivalent_py(definition, write_submission, grade, tmp_path):
    source = (definition.examples / "partial_student.py").read_text(encoding="utf-8")
    as_py = grade(write_submission(source, name="py"))
    notebook = tmp_path / "colab" / "hw05.ipynb"
    notebook.parent.mkdir()
    notebook.write_text(_notebook(source))
    as_ipynb = grade(notebook)
    assert scores(as_ipynb) == scores(as_py)
    assert [t.status for t in as_ipynb.tests] == [t.status for t in as_py.tests]
    assert as_ipynb.integrity == as_py.integrity


def test_notebook_with_a_syntax_error_reports_it(tmp_path, grade):
    notebook = tmp_path / "broken.ipynb"
    notebook.write_text(_notebook("def conv2d_forward(x:\n    pass\n"))
    report = grade(notebook)
    assert report.score == 0 and "SyntaxError" in report.import_error
