"""Reading an untrusted statement file's bytes and text, with limits and clear refusals.

A statement arrives by e-mail or download and may be anything: an empty file, a PDF or a workbook renamed
``.csv``, a file saved in Windows-1252 instead of UTF-8, a single line of a hundred megabytes. Before any
parser sees it, the file is read whole only when it is under the size limit, binary content is refused
("not a text file"), and the text is decoded as UTF-8 (with or without a byte-order mark, or UTF-16 with
one), else in the fallback encodings a bank profile names (Windows-1252 by default). A file that decodes in
none of them is refused with the line where it went wrong.

**Code pages.** Some formats carry no encoding of their own: an MT940 file is in whatever 8-bit code page the
bank's system uses - Latin-1 (Windows-1252) in Western Europe, cp852 (DOS Latin-2) from Polish, Czech and
Hungarian banks. When such a file is not UTF-8, :func:`best_code_page` decodes it in each candidate and keeps
the one whose non-ASCII characters read as letters: every Latin letter (ą ę ł ń ś ź ż ő ű č ř š ž, ä ö ü é)
counts one point, every other sign (box drawing, control characters, ©, ¥, ¨, a capital inside a lower-case
word as in "MŘller") loses one; the highest score wins, a tie goes to the earlier code page (Latin-1). The
bytes of "Zapłata za fakturę" in cp852 read "Zapˆata za faktur©" in Windows-1252 (two signs): cp852. The
bytes of "Überweisung Müller" in Latin-1 read "▄berweisung MŘller" in cp852 (a block and a capital inside a
word): Latin-1. The reader says which code page it took.

>>> best_code_page("Zapłata za fakturę".encode("cp852"), CODE_PAGES)
'cp852'
>>> best_code_page("Überweisung Müller".encode("latin-1"), CODE_PAGES)
'cp1252'

>>> decode(b"Date,Amount\\n05/07/2025,1,000\\n", "bk.csv")
'Date,Amount\\n05/07/2025,1,000\\n'
>>> decode(b"Date,Narrative\\n05/07/2025,Caf\\xe9\\n", "bk.csv")
'Date,Narrative\\n05/07/2025,Café\\n'
>>> decode(b"Date\\x00\\x01\\x02", "bk.csv")
Traceback (most recent call last):
...
arxl.formats.statements.model.BadStatement: [bk.csv]: not a text file: it holds binary data (a workbook, PDF or \
other file renamed?); export the statement as CSV, XLSX, MT940 or camt.053
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from arxl.formats.statements.model import DEFAULT_LIMITS, BadStatement, Limits

MB = 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
)
CODE_PAGES: tuple[str, ...] = ("cp1252", "latin-1", "cp852")
"""The code pages an MT940 file that is not UTF-8 may be in, the tie-break order of :func:`best_code_page`."""
CODE_PAGE_NAMES = {"cp1252": "Latin-1 (Windows-1252)", "latin-1": "Latin-1 (ISO 8859-1)", "cp852": "cp852"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_EXPORT_HINT = "export the statement as CSV, XLSX, MT940 or camt.053"
_SNIFF_BYTES = 8192


def read_bytes(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The file's bytes, refusing a missing, empty or oversized file with a one-line reason."""
    where = f"[{path.name}]"
    try:
        if path.is_dir():
            raise BadStatement("this is a folder, not a statement file", where)
        size = path.stat().st_size
        if size == 0:
            raise BadStatement("the file is empty (0 bytes)", where)
        if size > limits.max_file_bytes:
            raise BadStatement(f"the file is {size / MB:,.1f} MB; statement files over"
                               f" {limits.max_file_bytes / MB:,.0f} MB are refused (split the export by period)",
                               where)
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise BadStatement("file not found", where) from None
    except OSError as error:
        raise BadStatement(f"cannot be read ({error.strerror or 'input/output error'})", where) from None
    if len(data) > limits.max_file_bytes:  # it grew while we looked
        raise BadStatement(f"the file is over {limits.max_file_bytes / MB:,.0f} MB; refused", where)
    if not data.strip():
        raise BadStatement("the file is empty (only blank space)", where)
    return data


def looks_like_xml(data: bytes) -> bool:
    """True when the file starts (after a byte-order mark and blank space) with ``<``."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if data.startswith(bom):
            data = data[len(bom):]
            break
    head = data[:64].lstrip(b" \t\r\n\x00")
    return head.startswith((b"<", b"<\x00"))


def binary_kind(data: bytes) -> str | None:
    """What a binary file is, when its first bytes say so (``"a PDF document"``), else None."""
    for magic, kind in SIGNATURES:
        if data.startswith(magic):
            return kind
    return None


def decode(data: bytes, name: str, fallbacks: Sequence[str] = ("cp1252",),
           limits: Limits = DEFAULT_LIMITS) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 with a BOM, else the first fallback encoding that fits."""
    where = f"[{name}]"
    kind = binary_kind(data)
    if kind:
        raise BadStatement(f"not a text file: it is {kind}; {_EXPORT_HINT}", where)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise BadStatement(f"damaged UTF-16 text at line {_line_of(data, error.start)}", where) from None
    else:
        text = _decode_8bit(data, where, fallbacks)
    _check_text(text, where, limits)
    return text


def _decode_8bit(data: bytes, where: str, fallbacks: Sequence[str]) -> str:
    head = data[:_SNIFF_BYTES]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in data or controls > len(head) // 10:
        raise BadStatement("not a text file: it holds binary data (a workbook, PDF or other file renamed?);"
                           f" {_EXPORT_HINT}", where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first = error
    tried = ["UTF-8"]
    for encoding in dict.fromkeys(fallbacks):
        if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
            continue
        tried.append(encoding)
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    bad = data[first.start : first.start + 1].hex()
    raise BadStatement(f"line {_line_of(data, first.start)}: byte 0x{bad} is not {' or '.join(tried)} text;"
                       " save the export as 'CSV UTF-8' or name its encoding in the bank profile", where)


def is_unicode(data: bytes) -> bool:
    """True when the bytes are UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def best_code_page(data: bytes, code_pages: Sequence[str]) -> str | None:
    """The code page among ``code_pages`` whose text reads most as letters (see the module's docstring), or
    None when the bytes decode in none of them."""
    found = best_reading(data, code_pages)
    return found[1] if found else None


def best_reading(data: bytes, code_pages: Sequence[str]) -> tuple[int, str] | None:
    """:func:`best_code_page` with its score: more than 0 when the text's accented characters read mostly as
    letters in it, 0 or less when they read mostly as signs (a code page none of ``code_pages`` is, such as
    Windows-1250 read as Latin-1: "£UKASZ WIŒNIEWSKI")."""
    best: tuple[int, str] | None = None
    for code_page in code_pages:
        try:
            text = data.decode(code_page)
        except UnicodeDecodeError:
            continue
        score = _letter_score(text)
        if best is None or score > best[0]:
            best = (score, code_page)
    return best


def _letter_score(text: str) -> int:
    """One point per non-ASCII Latin letter in its right case, minus one per any other non-ASCII sign."""
    score = 0
    for found in _NON_ASCII.finditer(text):
        char, at = found.group(), found.start()
        latin = char.isalpha() and unicodedata.name(char, "").startswith("LATIN")
        score += 1 if latin and not _odd_case(text, at) else -1
    return score


def _odd_case(text: str, at: int) -> bool:
    """A capital inside a lower-case word ("MŘller"), or a small letter inside a capitalised one ("MùLLER")."""
    char = text[at]
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    if char.isupper():
        return before.islower() or (before.isalpha() and after.islower())
    return before.isupper() and after.isupper()


def _check_text(text: str, where: str, limits: Limits) -> None:
    start = 0
    number = 1
    cap = limits.max_line_chars
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > cap:
            raise BadStatement(f"line {number} is {end - start:,} characters long; lines over {cap:,} characters"
                               " are refused (is this really a statement export?)", where)
        start = end + 1
        number += 1


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
