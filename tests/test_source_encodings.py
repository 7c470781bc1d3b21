"""Files saved by Korean students' editors: UTF-8 (BOM or not), CP949/EUC-KR without a coding
line, UTF-16 with a BOM. They are graded when the bytes decode unambiguously, with a note (Korean
first) to save as UTF-8; anything else is 0 with a message that says the file could not be decoded.
The byte-level files are made here from text, so no binary fixture is committed."""

import codecs

import pytest

from cnngrade import grading, notebook, source_encoding
from cnngrade.reports import feedback, results_json
from conftest import full_marks, scores

KOREAN_COMMENT = "# 합성곱층, 풀링층, 수용장, 패딩, 스트라이드: 최대/평균 풀링과 파라미터 수\n"
ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "cp949": lambda text: text.encode("cp949"),
    "euc-kr": lambda text: text.encode("euc-kr"),
    "utf-16-le-bom": lambda text: text.encode("utf-16"),  # Notepad's "Unicode"
    "utf-16-be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}
NEEDS_NOTE = {"cp949", "euc-kr", "utf-16-le-bom", "utf-16-be-bom"}
# Invalid as UTF-8 (0xff never appears there) and as CP949 (0xff is no lead byte).
UNDECODABLE = b"import numpy as np\n# \xff\xfe\xff garbage\n"


def _in_euc_kr(character):
    try:
        character.encode("euc-kr")
    except UnicodeEncodeError:
        return False
    return True


def korean_source(solution_text):
    """The reference with Korean comments, as a Korean Windows editor could save it: characters
    that EUC-KR lacks (the reference's dashes and arrows) become '-'."""
    text = KOREAN_COMMENT + solution_text + '\nLECTURE_TERMS = "합성곱층 / 풀링층"\n'
    return "".join(character if _in_euc_kr(character) else "-" for character in text)


@pytest.mark.parametrize("name", ENCODINGS)
def test_korean_text_decodes_back(solution_text, name):
    text = korean_source(solution_text)
    decoded = source_encoding.decode(ENCODINGS[name](text))
    assert decoded.text == text
    assert bool(decoded.note) == (name in NEEDS_NOTE)
    if decoded.note:
        assert decoded.note.index("UTF-8로 저장하세요") < decoded.note.index("save it as UTF-8")


@pytest.mark.parametrize("data", [UNDECODABLE, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", codecs.BOM_UTF16_LE + b"\x00\xd8"],
                         ids=["invalid-bytes", "png-renamed", "broken-utf16"])
def test_undecodable_bytes_are_refused(data):
    with pytest.raises(source_encoding.UndecodableSource):
        source_encoding.decode(data)


def test_a_valid_coding_line_is_left_to_python():
    data = "# -*- coding: cp949 -*-\nX = '패딩'\n".encode("cp949")
    decoded = source_encoding.decode(data)
    assert decoded.as_is and decoded.text.endswith("X = '패딩'\n") and "CP949" in decoded.note


def test_control_characters_in_utf8_are_python_s_business():
    decoded = source_encoding.decode(b"print('\x1b[31mred\x1b[0m')\n")
    assert decoded.as_is and decoded.note == ""


@pytest.fixture(scope="module")
def encoded_reports(definition, solution_text, tmp_path_factory):
    folder = tmp_path_factory.mktemp("encodings")
    files = {name: encode(korean_source(solution_text)) for name, encode in ENCODINGS.items()}
    files["undecodable"] = UNDECODABLE + solution_text.encode("utf-8")
    paths = []
    for name, data in files.items():
        path = folder / name / definition.submission_file
        path.parent.mkdir()
        path.write_bytes(data)
        paths.append(path)
    reports = []
    grading.grade_stream(paths, definition, reports.append)
    return dict(zip(files, reports))


@pytest.mark.parametrize("name", ENCODINGS)
def test_decodable_files_are_graded_with_a_note(encoded_reports, definition, name):
    report = encoded_reports[name]
    assert report.import_error == ""
    assert scores(report) == full_marks(definition)
    if name in NEEDS_NOTE:
        assert len(report.notes) == 1 and "UTF-8" in report.notes[0]
        assert report.notes[0] in feedback.render(report, name)
        assert "UTF-8로 저장하세요" in results_json.to_results(report)["output"]
    else:
        assert report.notes == []


def test_undecodable_file_gets_zero_saying_so(encoded_reports):
    report = encoded_reports["undecodable"]
    assert report.score == 0 and report.status == "import_error"
    assert source_encoding.UNDECODABLE in report.import_error
    assert "인코딩을 알 수 없어" in report.import_error and "could not be determined" in report.import_error


def test_worker_gets_utf8_for_a_cp949_file(tmp_path, solution_text):
    original = tmp_path / "original.py"
    original.write_bytes(korean_source(solution_text).encode("cp949"))
    copy = tmp_path / "copy.py"
    notebook.copy_as_source(original, copy)
    assert copy.read_text(encoding="utf-8") == korean_source(solution_text)
