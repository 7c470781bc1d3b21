"""Generate the student template from the reference solution.

The solution marks what students must write with ``# BEGIN SOLUTION`` / ``# END SOLUTION``:
- inside a function, the region becomes ``raise NotImplementedError`` naming the question;
- at module level, constants become ``NAME = None`` and helper functions disappear.
Everything else (signatures, bilingual docstrings, given helpers) is kept verbatim.
"""

import ast
import re

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
_DEF = re.compile(r"^(\s*)def (\w+)\(")


def _stub(indent, function, question):
    return (f'{indent}raise NotImplementedError("[{question}] {function}: '
            f'아직 구현하지 않았습니다 / not implemented yet")')


def _module_level_stub(region, question_of):
    lines = []
    for node in ast.parse("\n".join(region)).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                question = question_of.get(target.id, "?")
                lines.append(f"{target.id} = None  # TODO [{question}]: 3x3 float 배열 / a 3x3 float array")
    return lines


def generate(solution_text, assignment):
    question_of = assignment.question_of
    output, region, region_indent, function = [], None, "", None
    for line in solution_text.splitlines():
        stripped = line.strip()
        if region is not None:
            if stripped == END:
                if region_indent:
                    output.append(_stub(region_indent, function, question_of.get(function, "?")))
                else:
                    output.extend(_module_level_stub(region, question_of))
                region = None
            else:
                region.append(line)
            continue
        if stripped == BEGIN:
            region, region_indent = [], line[: len(line) - len(line.lstrip())]
            continue
        match = _DEF.match(line)
        if match and not match.group(1):
            function = match.group(2)
        output.append(line)
    if region is not None:
        raise ValueError(f"unterminated {BEGIN}")
    text = "\n".join(output) + "\n"
    return re.sub(r"\n{4,}", "\n\n\n", text)


def render(assignment):
    return generate(assignment.solution.read_text(encoding="utf-8"), assignment)


def is_stale(assignment):
    return not assignment.template.exists() or assignment.template.read_text(encoding="utf-8") != render(assignment)


def write(assignment):
    assignment.template.write_text(render(assignment), encoding="utf-8")
