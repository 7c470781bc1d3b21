"""Decode a submission's bytes the way Korean students' editors save them.

Python itself reads UTF-8 (with or without BOM) and whatever a PEP 263 coding line declares.
Windows editors also produce CP949 (a superset of EUC-KR) without a coding line, and UTF-16
with a BOM (Notepad's "Unicode"). Those are decoded here when the bytes allow exactly one
reading, and the grader adds a note asking for UTF-8. Anything else is undecodable.
"""

import codecs
import io
import re
import tokenize
from dataclasses import dataclass

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DISPLAY_NAMES = {"cp949": "CP949 (EUC-KR)", "euc_kr": "EUC-KR", "utf-16": "UTF-16", "utf-32": "UTF-32"}
# Text a source file may hold: no C0 control characters but tab, newlines and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

UTF8_NOTE = ("파일이 {encoding} 인코딩으로 저장되어 있어 그렇게 읽어서 채점했습니다. 다음부터는 UTF-8로 저장하세요 "
             "(VS Code: 오른쪽 아래 인코딩 → 'Save with Encoding' → UTF-8, 메모장: 다른 이름으로 저장 → 인코딩 UTF-8). / "
             "The file was saved as {encoding}; it was decoded that way and graded. Please save it as UTF-8 "
             "next time (VS Code: the encoding in the status bar → 'Save with Encoding' → UTF-8; Notepad: "
             "Save As → Encoding UTF-8).")
UNDECODABLE = ("제출 파일의 글자 인코딩을 알 수 없어 코드를 읽을 수 없습니다 (UTF-8, CP949/EUC-KR, UTF-16 모두 아님). "
               "파일을 UTF-8로 저장해 다시 제출하세요. / The submission's text encoding could not be "
               "determined, so its code could not be read (it is not UTF-8, CP949/EUC-KR or UTF-16). "
               "Save the file as UTF-8 and submit it again.")


class UndecodableSource(ValueError):
    def __init__(self):
        super().__init__(UNDECODABLE)


@dataclass(frozen=True)
class DecodedSource:
    text: str
    encoding: str  # the codec that read it: utf-8, utf-8-sig, cp949, utf-16, ...
    as_is: bool  # Python reads the original bytes itself (UTF-8, or a valid coding line)

    @property
    def note(self):
        """The feedback note (Korean first) when the file was not UTF-8, else ''."""
        if self.encoding in ("utf-8", "utf-8-sig"):
            return ""
        return UTF8_NOTE.format(encoding=_DISPLAY_NAMES.get(self.encoding, self.encoding.upper()))


def _looks_like_text(text):
    return not _CONTROL.search(text)


def _declared(data):
    """The encoding Python would use for these bytes, or None for an unknown coding line."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return None
    return encoding


def decode(data):
    """A DecodedSource for the bytes of a submission; raises UndecodableSource."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise UndecodableSource() from None
            if not _looks_like_text(text):
                raise UndecodableSource()
            return DecodedSource(text.lstrip("\ufeff"), codec, as_is=False)
    declared = _declared(data)
    if declared is not None:
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:  # exactly what Python would read: graded as is, control characters and all
            return DecodedSource(text.lstrip("\ufeff"), declared, as_is=True)
    # No BOM and not what Python expects: a Korean Windows editor's CP949 (EUC-KR is a subset).
    # Strict decoding refuses random bytes, and a control character means it was not text.
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        raise UndecodableSource() from None
    if not _looks_like_text(text):
        raise UndecodableSource()
    return DecodedSource(text, "cp949", as_is=False)
