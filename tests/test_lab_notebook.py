"""실습 노트북 테스트 / Tests of the bilingual lab notebook (assignments/hw05_cnn/lab).

- lab.ipynb가 원본 lab.py(jupytext percent)와 같은지 / lab.ipynb is up to date with its source lab.py;
- 참조 답안으로 노트북 전체를 헤드리스로 실행: 오류 없음, 그림 출력, 자기 점검 모두 ✓
  the whole notebook runs headless on the reference solution: no error, figures rendered, every self-check ✓;
- 빈 학생 템플릿에서는 자기 점검이 모두 ✗ (점검이 그냥 통과하지 않음)
  on the empty student template every self-check says ✗ (the checks do not pass vacuously).

README의 그림 다시 만들기 / Regenerate the README figure:
    python tests/test_lab_notebook.py --write-preview
"""

import base64
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import environment

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "assignments" / "hw05_cnn" / "lab"
SOURCE = LAB / "lab.py"
NOTEBOOK = LAB / "lab.ipynb"
PREVIEW = LAB / "filters_preview.png"
SOLUTIONS = ROOT / "solutions"
TEMPLATE = ROOT / "student_template"
CELL_TIMEOUT = 180  # 초, 셀 하나 / seconds per cell (the whole notebook takes ~15 s)
FIGURE_TAGS = ("fig-filters", "fig-feature-maps", "fig-pooling")
REGENERATE = "cd assignments/hw05_cnn/lab && jupytext --update --to ipynb lab.py"


def _cells(notebook):
    return [(cell.cell_type, cell.source, list(cell.metadata.get("tags", []))) for cell in notebook.cells]


def _tagged(notebook, tag):
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


def _stdout(cell):
    return "".join(output.get("text", "") for output in cell.get("outputs", []) if output.output_type == "stream")


def execute(layers_dir, allow_errors=False):
    """lab.ipynb를 layers_dir의 cnn_layers.py로 실행한 노트북 / lab.ipynb executed against layers_dir."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # MPLBACKEND unset: 커널이 inline 백엔드를 쓰도록 / let the kernel use the inline backend
    with environment(CNN_LAYERS_DIR=str(layers_dir), MPLBACKEND=None):
        NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            allow_errors=allow_errors,
            resources={"metadata": {"path": str(LAB)}},  # 노트북 폴더에서 실행 / run in the notebook's folder
        ).execute()
    return notebook


@pytest.fixture(scope="module")
def reference_run():
    started = time.perf_counter()
    notebook = execute(SOLUTIONS)  # CellExecutionError (with the traceback) on any error
    return notebook, time.perf_counter() - started


def test_notebook_is_generated_from_source():
    generated = jupytext.read(SOURCE)
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert _cells(stored) == _cells(generated), f"lab.ipynb is out of date with lab.py: run `{REGENERATE}`"


def test_notebook_is_stored_without_outputs():
    stored = nbformat.read(NOTEBOOK, as_version=4)
    with_outputs = [index for index, cell in enumerate(stored.cells)
                    if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not with_outputs, f"cells {with_outputs} of lab.ipynb hold outputs: clear them or run `{REGENERATE}`"


def test_reference_run_has_no_errors(reference_run):
    notebook, seconds = reference_run
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors
    assert seconds < 600, f"the notebook took {seconds:.0f} s"


@pytest.mark.parametrize("tag", FIGURE_TAGS)
def test_reference_run_draws_figures(reference_run, tag):
    notebook, _ = reference_run
    cells = _tagged(notebook, tag)
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    images = [output for output in cells[0].outputs if "image/png" in output.get("data", {})]
    assert images, f"the {tag!r} cell produced no image/png output"
    assert len(base64.b64decode(images[0]["data"]["image/png"])) > 10_000, f"the {tag!r} image looks empty"


def test_reference_run_passes_every_self_check(reference_run):
    notebook, _ = reference_run
    checks = _tagged(notebook, "check")
    assert len(checks) >= 9, f"expected a check cell per section, found {len(checks)}"
    for cell in checks:
        text = _stdout(cell)
        assert text.startswith("✓") and "✗" not in text, f"self-check failed on the reference solution:\n{text}"
    summary = _stdout(_tagged(notebook, "summary")[0])
    assert f"{len(checks)}/{len(checks)} ✓" in summary, summary


def test_template_self_checks_report_failures():
    """빈 템플릿: 설정 셀은 실행되고, 자기 점검은 모두 ✗ / empty template: set-up runs, every self-check is ✗."""
    notebook = execute(TEMPLATE, allow_errors=True)
    for cell in _tagged(notebook, "setup"):
        assert not [output for output in cell.outputs if output.output_type == "error"], "a set-up cell failed"
    for cell in _tagged(notebook, "check"):
        text = _stdout(cell)
        assert text.startswith("✗") and "✓" not in text, f"a self-check passed on the empty template:\n{text}"


def write_preview():
    """참조 답안으로 실행한 노트북의 필터 그림을 저장 / save the filters figure of the reference run."""
    notebook = execute(SOLUTIONS)
    (cell,) = _tagged(notebook, "fig-filters")
    image = next(output for output in cell.outputs if "image/png" in output.get("data", {}))
    PREVIEW.write_bytes(base64.b64decode(image["data"]["image/png"]))
    print(f"wrote {PREVIEW}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-preview"]:
        write_preview()
    else:
        sys.exit(pytest.main([__file__, *sys.argv[1:]]))
