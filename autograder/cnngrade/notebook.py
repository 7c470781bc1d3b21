"""Notebook submissions (Colab users): the code cells of a ``.ipynb`` become one Python module.

Code cells are joined in order, each under a ``# %% [cell N]`` marker. Lines that only IPython
understands are commented out: line magics (``%matplotlib inline``), shell escapes (``!pip install``,
``x = !ls``) and help (``np.zeros?``); an indented one becomes ``pass  # ...`` so its block stays valid.
A cell magic keeps its body when the body is Python (``%%time``, ``%%timeit``, ``%%capture``) and
is commented out whole otherwise (``%%bash``, ``%%writefile``). Cells that already parse as Python are
never touched. Markdown and raw cells are dropped. The module starts by importing ``display`` and
``get_ipython``, which a kernel provides without an import. Top-level code of the notebook runs when the
module is imported, exactly as the top level of a ``.py`` submission does.

    python -m cnngrade.notebook SUBMISSION.ipynb [OUT.py]     (stdout without OUT)
"""

import ast
import json
import re
import sys
from pathlib import Path

if __package__:
    from . import source_encoding
else:  # loaded by file path (the otter bundle's run_otter.py): load the sibling by path too
    import importlib.util

    _spec = importlib.util.spec_from_file_location(
        "_cnngrade_source_encoding", Path(__file__).with_name("source_encoding.py"))
    source_encoding = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(source_encoding)

PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
# Names a notebook kernel provides without an import; in the worker they are silent stand-ins.
IPYTHON_NAMES = "# %% [IPython's own names]\nfrom IPython import get_ipython\nfrom IPython.display import display\n"
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
    parts = [IPYTHON_NAMES]
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(source)
        parts.append(f"# %% [cell {number}]\n{cell_to_python(source).rstrip()}\n")
    return "\n\n".join(parts)


def _raising(message):
    """A module that fails to import with ``message``: graded zero everywhere, with the reason."""
    return f"raise ImportError({message!r})\n"


def read_submission(path):
    """(Python source, encoding note) of a submission: the file itself or its notebook converted.

    A file that cannot be read becomes a module that raises ImportError with the reason, so it is
    graded like any submission that fails to import."""
    path = Path(path)
    try:
        decoded = source_encoding.decode(path.read_bytes())
    except source_encoding.UndecodableSource as error:
        return _raising(str(error)), ""
    if not is_notebook(path):
        return decoded.text, decoded.note
    try:
        return notebook_to_source(decoded.text), decoded.note
    except (ValueError, AttributeError, TypeError) as error:
        return _raising(f"노트북 파일을 읽을 수 없습니다 / the notebook could not be read "
                        f"({type(error).__name__}: {error})"), ""


def source_of(path):
    """The Python source of a submission (see read_submission)."""
    return read_submission(path)[0]


def encoding_note(path):
    """The feedback note when the submission was not saved as UTF-8, else ''."""
    return read_submission(path)[1]


def copy_as_source(source_path, destination):
    """Copy a submission to ``destination`` (a .py path) as source Python reads: a notebook is
    converted, a CP949 or UTF-16 file re-encoded as UTF-8, other files copied byte for byte."""
    source_path = Path(source_path)
    if not is_notebook(source_path):
        try:
            if source_encoding.decode(source_path.read_bytes()).as_is:
                Path(destination).write_bytes(source_path.read_bytes())
                return
        except source_encoding.UndecodableSource:
            pass
    Path(destination).write_text(source_of(source_path), encoding="utf-8")


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
