"""The single sources: the reference solution scores full marks, the template is fresh and scores 0."""

import ast

from cnngrade.build import template
from conftest import full_marks, scores


def test_reference_scores_full_marks_against_pytorch(definition, grade):
    report = grade(definition.solution)
    failed = [(test.name, test.message) for test in report.tests if test.status != "passed"]
    assert failed == []
    assert scores(report) == full_marks(definition)
    assert report.score == report.max_score == definition.total_points == 100


def test_loop_implementation_example_scores_full_marks(definition, grade):
    """An independent, plain-loop implementation: the suite accepts another correct solution."""
    report = grade(definition.examples / "loops_student.py")
    assert [test.name for test in report.tests if test.status != "passed"] == []


def test_committed_template_is_generated_from_the_solution(definition):
    assert not template.is_stale(definition), "run `cnn-grade template` and commit student_template/cnn_layers.py"


def _signatures(text):
    tree = ast.parse(text)
    return {node.name: (ast.unparse(node.args), ast.get_docstring(node))
            for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}


def test_template_keeps_every_public_signature_and_docstring(definition):
    solution = _signatures(definition.solution.read_text(encoding="utf-8"))
    generated = _signatures(template.render(definition))
    assert generated == solution
    for name, (_, docstring) in generated.items():
        assert docstring and any("\uac00" <= ch <= "\ud7a3" for ch in docstring), f"{name} needs a Korean docstring"


def test_template_contains_no_solution_code(definition):
    rendered = template.render(definition)
    assert "BEGIN SOLUTION" not in rendered and "END SOLUTION" not in rendered
    for helper in ("_im2col", "_col2im", "_windows", "np.matmul", "argmax"):
        assert helper not in rendered


def test_template_scores_zero_with_not_implemented_on_every_question(definition, grade):
    report = grade(definition.template)
    assert report.score == 0 and report.grader_errors == []
    assert all(test.status == "failed" for test in report.tests)
    for question in definition.questions:
        messages = [test.message for test in report.tests if test.question == question.id]
        assert messages, question.id
        if question.id != "filters":
            assert all("not implemented" in message for message in messages), question.id
    filters = [test.message for test in report.tests if test.question == "filters"]
    assert any("NoneType" in message for message in filters)  # OUTLINE = None in the template
    assert any("not implemented" in message for message in filters)  # correlate2d


def test_generator_stubs_name_their_question(definition):
    rendered = template.render(definition)
    for question in definition.questions:
        for name in question.functions:
            if name.isupper():
                assert f"{name} = None  # TODO [{question.id}]" in rendered
            else:
                assert f'"[{question.id}] {name}:' in rendered
