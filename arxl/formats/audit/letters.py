"""Confirmation letters as PDF: each letter's sheet written as a workbook, all of them converted in one batch.

The letters come made (:func:`arxl.books.audit.confirmations.build_confirmations`: the wording, the balance and
the open items of each selected customer); this module only writes them, as the statements are written
(:mod:`arxl.formats.statement_files`): an A4 workbook per letter, then LibreOffice turns them into
``<folder>/confirm-C001-2025-07.pdf`` in batches, one LibreOffice start for many letters, every PDF checked.

The workbooks are made in a temporary folder and not kept: the PDF is the letter the auditor sends, and its
name is the one the control register links to. A letter is anything with a ``stem`` (the file name without
its extension) and a ``sheet``, so that this module needs nothing from the workflow that made it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from arxl.formats.libreoffice import LibreOffice
from arxl.formats.statement_files import to_pdfs, write_sheets
from arxl.ledger.changes import SheetSpec


class LetterLike(Protocol):
    @property
    def stem(self) -> str: ...

    @property
    def sheet(self) -> SheetSpec: ...


def write_letters(letters: Sequence[LetterLike], folder: Path, office: LibreOffice,
                  progress: Callable[[int], None] | None = None) -> list[Path]:
    """The PDF of each letter in ``folder``, in the letters' order; raises naming any letter that did not
    convert (an earlier PDF of the same name is replaced)."""
    if not letters:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="arxl-letters-") as work:
        books = [write_sheets(Path(work) / f"{letter.stem}.xlsx", [letter.sheet]) for letter in letters]
        return to_pdfs(books, folder, office, progress=progress)
