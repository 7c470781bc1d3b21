"""Notebook submissions (Colab users): the code cells of a ``.ipynb`` become one Python module.

Code cells are joined in order, each under a ``# %% [cell N]`` marker. Lines that only IPython
understands are commented out: line magics (``%matplotlib inline``), shell escapes (``!pip install``,
``x = !ls``) and help (``np.zeros?``); an indented one becomes ``pass  # ...`` so its block stays valid.
A cell magic keeps its body when the body is Python (``%%time``, ``%%timeit``, ``%%capture``) and
is commented out whole otherwise (``%%bash``, ``%%writefile``). Cells that already parse as Python are
never touched. Markdown and raw cells are dropped. Top-level code of the notebook runs when the
module is imported, exactly as the top level of a ``.py`` submission does.

    python -m cnngrade.notebook SUBMISSION.ipynb [OUT.py]     (stdout without OUT)
"""

import ast
import json
import re
import sys
from pathlib import Path

PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
_MAGIC = re.compile(r"^(\s*)(%|!|\?)")
_ASSIGNED_SHELL = re.compile(r"^(\s*)[\w.,\s\[\]]+=\s*[!%]")
_HELP = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")


def is_notebook(path):
    return Path(path).suffix.lower() == ".ipynb"


def _parses(text):
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _comment(line):
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass  # {line.strip()}" if indent else f"# {line.strip()}"


def cell_to_python(text):
    """One code cell as plain Python (unchanged when it already is)."""
    if _parses(text):
        return text
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()[2:].split()[0] if lines[first].strip()[2:] else ""
        if magic not in PYTHON_CELL_MAGICS:
            return "\n".join(f"# {line}" if line.strip() else line for line in lines)
        lines[first] = _comment(lines[first])
    converted = []
    for line in lines:
        if _MAGIC.match(line) or _ASSIGNED_SHELL.match(line) or _HELP.match(line):
            converted.append(_comment(line))
        else:
            converted.append(line)
    return "\n".join(converted)


def notebook_to_source(text):
    """The Python module made of a notebook's code cells (``text`` is the .ipynb JSON)."""
    data = json.loads(text)
    cells = data.get("cells")
    if cells is None:  # nbformat 3 keeps cells in worksheets
        cells = [cell for sheet in data.get("worksheets", []) for cell in sheet.get("cells", [])]
    parts = []
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(source)
        parts.append(f"# %% [cell {number}]\n{cell_to_python(source).rstrip()}\n")
    return "\n\n".join(parts)


def source_of(path):
    """The Python source of a submission: the file itself, or its notebook converted."""
    path = Path(path)
    if not is_notebook(path):
        return path.read_text(encoding="utf-8", errors="replace")
    try:
        return notebook_to_source(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError) as error:
        # Graded like a module that fails to import: zero everywhere, with the reason.
        reason = f"{type(error).__name__}: {error}"
        return ("raise ImportError(" + repr(f"노트북 파일을 읽을 수 없습니다 / the notebook could not be read "
                                          f"({reason})") + ")\n")


def copy_as_source(source_path, destination):
    """Copy a submission to ``destination`` (a .py path), converting a notebook on the way."""
    if is_notebook(source_path):
        Path(destination).write_text(source_of(source_path), encoding="utf-8")
    else:
        Path(destination).write_bytes(Path(source_path).read_bytes())


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    if len(argv) == 2:
        copy_as_source(argv[0], argv[1])
    else:
        sys.stdout.write(source_of(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
