"""Plots, IPython display, magics and Colab cells cost no marks (they run against silent
stand-ins in the worker), while the NumPy-only rule still refuses every way of reaching a
forbidden module."""

import json

import pytest

from cnngrade import grading
from conftest import full_marks, scores

PLOTTING = """
import sys
import matplotlib
import matplotlib.pyplot as plt
from matplotlib import cm
from IPython.display import display, Image, clear_output
from google.colab import drive, files
drive.mount('/content/drive')
matplotlib.use('Agg')
plt.rcParams['figure.figsize'] = (8, 4)
fig, (left, right) = plt.subplots(1, 2)
left.imshow([[0.0, 1.0]], cmap=cm.gray); right.set_title('필터 / filter')
fig, axes = plt.subplots(2, 3, figsize=(9, 6))
for ax in axes.flat:
    ax.axis('off')
axes[1, 2].plot([1, 2, 3])
display(fig); clear_output(wait=True)
plt.tight_layout(); plt.show(); plt.close('all')
while plt.fignum_exists(1):
    pass
# The real matplotlib never loaded, so neither did PIL, which it imports.
assert getattr(sys.modules['matplotlib'], '__file__', None) is None and 'PIL' not in sys.modules
"""


def _cell(source):
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}


def colab_notebook(solution):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# HW05 (Colab)"},
             _cell("!pip install -q numpy\n%matplotlib inline\n%load_ext autoreload"),
             _cell("from google.colab import drive\ndrive.mount('/content/drive')\n!ls /content/drive"),
             _cell(solution),
             _cell("%%time\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.imshow(np.eye(5))\nplt.show()"),
             _cell("display(fig)  # a kernel's own name, no import\nget_ipython().run_line_magic('matplotlib', 'inline')"),
             _cell(PLOTTING)]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def grade_all(paths, definition):
    reports = []
    grading.grade_stream(paths, definition, reports.append)
    return reports


@pytest.fixture(scope="module")
def display_reports(definition, tmp_path_factory):
    """The partial example as .py, as .py with plotting and Colab code, and as a Colab notebook."""
    source = (definition.examples / "partial_student.py").read_text(encoding="utf-8")
    folder = tmp_path_factory.mktemp("display")
    paths = []
    for name, text in {"plain.py": source, "plotting.py": source + "\n" + PLOTTING,
                       "colab.ipynb": colab_notebook(source)}.items():
        (folder / name.split(".")[0]).mkdir()
        path = folder / name.split(".")[0] / (name if name.endswith(".ipynb") else definition.submission_file)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return dict(zip(("plain", "plotting", "colab"), grade_all(paths, definition)))


@pytest.mark.parametrize("variant", ["plotting", "colab"])
def test_plots_magics_and_colab_cells_cost_nothing(display_reports, variant):
    plain, other = display_reports["plain"], display_reports[variant]
    assert other.import_error == ""
    assert 0 < plain.score < plain.max_score  # a submission with right and wrong answers
    assert scores(other) == scores(plain)
    assert [(t.nodeid, t.status) for t in other.tests] == [(t.nodeid, t.status) for t in plain.tests]


def test_plots_never_reach_the_screen(display_reports):
    output = display_reports["colab"].output + display_reports["plotting"].output
    assert "Figure" not in output and "display stand-in" not in output


# -- the NumPy-only rule keeps its teeth -----------------------------------------------------
# Each bypass runs inside conv2d_backward (which no other function calls) and, if it got the
# forbidden module, answers with the reference's correct gradients: any leak would score.
BYPASSES = {
    "import-statement": "import torch",
    "importlib": "import importlib\n    importlib.import_module('torch.nn.functional')",
    "dunder-import": "__import__('scipy.signal')",
    "exec-string": "exec('import PIL.Image')",
    "eval-string": "eval(\"__import__('sk' + 'learn')\")",
    "find-spec": "import importlib.util\n    importlib.util.find_spec('torch')",
    "colab-then-torch": "from google.colab import drive\n    import torch.nn",
    "pil-via-matplotlib": "import matplotlib.image\n    import sys\n    sys.modules['PIL'].Image",
    "pil-attribute-of-matplotlib": "import matplotlib.image\n    return matplotlib.image.PIL.Image.fromarray(x)",
}

BYPASS_TEMPLATE = """

_reference_conv2d_backward = conv2d_backward


def conv2d_backward(dout, x, weight, stride=1, padding=0, dilation=1, groups=1):
    {bypass}
    return _reference_conv2d_backward(dout, x, weight, stride, padding, dilation, groups)
"""


@pytest.fixture(scope="module")
def bypass_reports(definition, solution_text, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bypass")
    paths, lines = [], {}
    for name, bypass in BYPASSES.items():
        source = solution_text + BYPASS_TEMPLATE.format(bypass=bypass)
        path = folder / name / definition.submission_file
        path.parent.mkdir()
        path.write_text(source, encoding="utf-8")
        paths.append(path)
        # The student's line that reaches the forbidden module: the last line of the bypass.
        lines[name] = source.splitlines().index("    " + bypass.splitlines()[-1].strip()) + 1
    return {name: (report, lines[name]) for name, report in zip(BYPASSES, grade_all(paths, definition))}


@pytest.mark.parametrize("name", BYPASSES)
def test_forbidden_modules_stay_forbidden(bypass_reports, definition, name):
    report, line = bypass_reports[name]
    expected = dict(full_marks(definition), conv_backward=0)
    assert scores(report) == expected
    messages = [t.message for t in report.tests if t.question == "conv_backward" and t.fault]
    if name == "pil-attribute-of-matplotlib":  # the stand-in's sink is no array: refused as a return value
        assert all("plain data" in m for m in messages), messages[0]
        return
    # Every conv_backward test fails on the call (the ValueError test on its unmet value test).
    assert len(messages) == len([t for t in report.tests if t.question == "conv_backward"]) - 1
    assert all(f"cnn_layers.py, line {line}" in m for m in messages), (line, messages[0])
    if not name.startswith("pil-"):  # refused at import: the bilingual NumPy-only message
        assert all("이 과제는 NumPy만으로" in m and "NumPy only" in m for m in messages), messages[0]


def test_forbidden_import_at_top_level_names_the_students_line(definition, solution_text, tmp_path):
    source = "import numpy as np\nimport importlib\nF = importlib.import_module('torch.nn.functional')\n" + solution_text
    path = tmp_path / definition.submission_file
    path.write_text(source, encoding="utf-8")
    report = grading.grade(path, definition)
    assert report.score == 0
    assert "이 과제는 NumPy만으로" in report.import_error and "cnn_layers.py, line 3" in report.import_error
