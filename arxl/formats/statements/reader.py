"""The front door: any supported bank statement file in, one checked :class:`Statement` out.

The format is recognised from the file's content, not its name (a camt file saved as ``.txt`` or a workbook
renamed ``.csv`` is still read for what it is):

* a ZIP package (``PK``) or an OLE file: an Excel workbook, read through a bank profile after the workbook
  safety check (legacy .xls and password-protected files are refused with what to do);
* text starting with ``<``: ISO 20022 camt.052/053/054;
* text with MT940 tags (``:20:``, ``:25:``, ``:60F:``, ``:61:``): SWIFT MT940, in the bank's code page when
  it is not UTF-8 (Latin-1 or cp852, whichever reads as letters: :func:`.text.best_code_page`), said in a note;
* any other text: a CSV export, read through the first bank profile whose header row it has.

The formats are the entries of :data:`FORMATS`, tried in that order.

Every file first passes the size limit, and text files the binary, encoding and line-length checks of
:mod:`.text`. Each format reader refuses damage at its line (strict CSV, MT940 balances, camt entries, a
statement repeated in the file) and stops as soon as the file passes the line limit (``Limits.max_lines``,
``--max-lines``). Then come the exact line count, the balance check, the "has no lines" check and the
duplicate check of :func:`arxl.formats.statements.model.finish`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arxl.formats.statements.model import DEFAULT_LIMITS, Draft, Limits, Statement, check_line_count, finish
from arxl.formats.statements.profiles import BUILTIN_PROFILES, BankProfile
from arxl.formats.statements.text import (
    CODE_PAGE_NAMES,
    CODE_PAGES,
    best_reading,
    decode,
    is_unicode,
    looks_like_xml,
    read_bytes,
)
from arxl.formats.xlsx.safety import OLE_MAGIC

_ZIP = b"PK\x03\x04"


def read_statement(path: Path, profiles: Sequence[BankProfile] = (), *,
                   known_fingerprints: Collection[str] = (), check_balances: bool = True,
                   limits: Limits = DEFAULT_LIMITS) -> Statement:
    """Read, check and normalise one bank statement file (CSV, XLSX, MT940 or camt.052/053/054).

    ``profiles`` are the bank profiles to try before the built-in ones (CSV and XLSX only).
    ``known_fingerprints`` are the fingerprints of statements already imported: the same statement is
    refused. ``check_balances=False`` reads a statement whose balances do not add up, or an MT940 statement
    without its opening or closing balance (the summary, the notes and :attr:`Statement.balances` say so);
    only for a file the accountant has checked by hand. ``limits`` caps the file's size, its line length and
    its number of statement lines (``max_lines``, counted while reading).
    """
    path = Path(path)
    name = path.name
    data = read_bytes(path, limits)
    format_name, drafts, notes = _read(path, data, profiles, check_balances, limits)
    check_line_count(drafts, name, limits)  # each reader stops early; this is the exact count
    return finish(drafts, name, format_name, notes, check_balances=check_balances,
                  known_fingerprints=known_fingerprints)


@dataclass(frozen=True, slots=True)
class StatementFormat:
    """One kind of statement file: how to recognise it and how to read it into drafts.

    ``binary`` formats are recognised from the file's bytes, before any decoding; the others from its decoded
    text. ``read`` gets the path, the bytes (binary) or the text, the bank profiles to try, whether to check the
    balances and the limits, and returns the format's name, the drafts and notes for the accountant. Adding a
    format is one module with its reader and one entry in :data:`FORMATS`.
    """

    name: str
    binary: bool
    recognises: Callable[[Any], bool]
    read: Callable[[Path, Any, Sequence[BankProfile], bool, Limits], tuple[str, list[Draft], list[str]]]
    code_pages: tuple[str, ...] = ()  # a text format without an encoding of its own: the 8-bit code pages it
    # comes in when it is not UTF-8, the one that reads as letters taken (text.best_code_page) and said in a note


# The readers are imported when a file of their kind comes, so that `arxl --help` does not load lxml or mt-940.
def _xlsx(path: Path, data: Any, profiles: Sequence[BankProfile], check_balances: bool,
          limits: Limits) -> tuple[str, list[Draft], list[str]]:
    from arxl.formats.statements.tabular import read_xlsx

    return read_xlsx(path, profiles, check_balances=check_balances, limits=limits)


def _camt(path: Path, data: Any, profiles: Sequence[BankProfile], check_balances: bool,
          limits: Limits) -> tuple[str, list[Draft], list[str]]:
    from arxl.formats.statements.camt import read_camt

    return read_camt(data, path.name, check_balances=check_balances, limits=limits)


def _is_mt940(text: Any) -> bool:
    from arxl.formats.statements.swift import looks_like_mt940

    return looks_like_mt940(text)


def _mt940(path: Path, text: Any, profiles: Sequence[BankProfile], check_balances: bool,
           limits: Limits) -> tuple[str, list[Draft], list[str]]:
    from arxl.formats.statements.swift import read_mt940_file

    drafts, notes = read_mt940_file(text, path.name, check_balances=check_balances, limits=limits)
    return "MT940", drafts, notes


def _csv(path: Path, text: Any, profiles: Sequence[BankProfile], check_balances: bool,
         limits: Limits) -> tuple[str, list[Draft], list[str]]:
    from arxl.formats.statements.tabular import read_csv

    return read_csv(text, path.name, profiles, check_balances=check_balances, limits=limits)


#: The registry, tried in order: the first format that recognises the file reads it; CSV takes any other text.
FORMATS: tuple[StatementFormat, ...] = (
    StatementFormat("XLSX", True, lambda data: data.startswith((_ZIP, OLE_MAGIC)), _xlsx),
    StatementFormat("camt", True, looks_like_xml, _camt),
    StatementFormat("MT940", False, _is_mt940, _mt940, CODE_PAGES),
    StatementFormat("CSV", False, lambda text: True, _csv),
)


def _read(path: Path, data: bytes, profiles: Sequence[BankProfile], check_balances: bool,
          limits: Limits) -> tuple[str, list[Draft], list[str]]:
    text: str | None = None
    for kind in FORMATS:
        if kind.binary:
            if kind.recognises(data):
                return kind.read(path, data, profiles, check_balances, limits)
            continue
        if kind.code_pages and not is_unicode(data) and kind.recognises(data[:200_000].decode("latin-1")):
            found = best_reading(data, kind.code_pages)
            if found is not None:
                score, code_page = found
                format_name, drafts, notes = kind.read(path, decode(data, path.name, [code_page], limits), profiles,
                                                       check_balances, limits)
                shown = CODE_PAGE_NAMES.get(code_page, code_page)
                said = (f"read as {shown} (not UTF-8): the file's accented characters read as letters in this code"
                        " page" if score > 0 else
                        f"read as {shown} (not UTF-8), but the file's accented characters read as signs in every"
                        f" code page arxl tries ({', '.join(CODE_PAGE_NAMES.get(c, c) for c in kind.code_pages)}):"
                        " it is in another one (Windows-1250?), so names and narratives may be garbled and not"
                        " matched; ask the bank for the file in UTF-8")
                return format_name, drafts, [said, *notes]
        if text is None:
            fallbacks = [p.encoding for p in (*profiles, *BUILTIN_PROFILES)]
            text = decode(data, path.name, fallbacks, limits)
        if kind.recognises(text):
            return kind.read(path, text, profiles, check_balances, limits)
    raise AssertionError("the CSV format takes any text")  # pragma: no cover
