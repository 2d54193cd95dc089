"""The documents of a period, found in the output folder, each with its size and SHA-256 for the index.

arxl writes its documents under one output folder (Settings' Output Folder beside the workbook): invoices and
credit notes under ``invoices/YYYY-MM/`` named by their number, statements under ``statements/`` as
``<customer>-YYYY-MM``, reminder e-mails under ``reminders/`` dated in their name, the Sage files as
``sage-YYYY-MM.csv`` (and their allocation sheets) at the top or under ``sage/``. The index lists those of the
period (a year: its twelve months) with what identifies them; the pack adds its own files.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from arxl.formats.audit.index import IndexEntry
from arxl.formats.audit.journal import file_sha256

_DATED = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def describe(path: Path, root: Path, kind: str, number: str, day: dt.date | None, what: str) -> IndexEntry:
    """A document of the index (its path relative to ``root``, with ``..`` when it lies outside it)."""
    relative = Path(_relative(path, root)).as_posix()
    return IndexEntry(what, kind, number, day, relative, path.stat().st_size, file_sha256(path))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return os.path.relpath(path.resolve(), root.resolve())


def _months(first: dt.date, last: dt.date) -> set[str]:
    found, day = set(), first.replace(day=1)
    while day <= last:
        found.add(f"{day:%Y-%m}")
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return found


def find_documents(folder: Path, first: dt.date, last: dt.date, root: Path,
                   numbers: Mapping[str, tuple[str, dt.date]], skip: Path | None = None) -> list[IndexEntry]:
    """The period's documents under ``folder`` (not under ``skip``, the pack's own folder): ``numbers`` maps a
    document number to (kind, date) from the register, so an invoice file is known by its number and dated as
    the register dates it."""
    months = _months(first, last)
    found: list[IndexEntry] = []
    skipped = skip.resolve() if skip is not None else None
    for path in sorted(_files(folder)):
        if skipped is not None and path.resolve().is_relative_to(skipped):
            continue
        name, parent = path.name, path.parent.name
        stem, suffix = path.stem, path.suffix.lower().lstrip(".")
        if stem in numbers and suffix in ("pdf", "xlsx"):
            kind, issued = numbers[stem]
            if first <= issued <= last:
                found.append(describe(path, root, kind, stem, issued,
                                      f"{kind.capitalize()} {stem} ({suffix.upper()})"))
            continue
        match = _DATED.search(name)
        if match is None:
            continue
        month = f"{match.group(1)}-{match.group(2)}"
        day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match.group(3) else None
        if month not in months or (day is not None and not first <= day <= last):
            continue
        if parent == "statements" and suffix in ("pdf", "xlsx"):
            customer = name[:match.start()].rstrip("-")
            found.append(describe(path, root, "statement", customer, last if day is None else day,
                                  f"Statement {customer} {month} ({suffix.upper()})"))
        elif parent == "reminders" and suffix == "eml":
            customer = name.split("-level-")[0]
            found.append(describe(path, root, "reminder", customer, day, f"Reminder {stem}"))
        elif name.startswith("sage-") and suffix == "csv":
            found.append(describe(path, root, "sage", stem, day, f"Sage import {name}"))
    return found


def _files(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return (p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
