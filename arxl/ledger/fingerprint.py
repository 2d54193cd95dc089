"""The ledger's fingerprint: the audited tables as text, row by row, so that a later look can say which cell
changed outside arxl.

An auditor relies on the register only if what arxl wrote is still what the workbook holds. After every
journaled command arxl keeps a **snapshot** of the tables that make the books — Invoices, InvoiceLines,
Receipts, Allocations, Revaluations, Periods, and the Sage Account (and Related Party, when the column is
there) of each customer: for every row its **identity**, its Excel row and the text of each column, and for
every table the letter of each column. ``arxl audit verify`` compares that snapshot with the workbook as it is
now and names each difference by sheet and cell.

A row is known by its identity, not by its place: deleting a row moves every row below it up one, which is not
a change of those rows. The identity is the table's key (an invoice's number, a receipt's ID, an invoice line's
invoice and line number); a table without a unique key is known by the fields that make an entry what it is
(an allocation: receipt, invoice and date), and a second row of the same identity by its occurrence
("#2"). So an amount typed over is reported as a changed cell, with the value before and after; a deleted row as
gone, with what it was; a row typed in by hand as added.

The snapshot is built from the raw cells (:class:`~arxl.ledger.port.RawTable`), not typed rows: a cell
overwritten with text that is not a number must show as changed, not make its row disappear.

>>> import datetime as dt
>>> from arxl.ledger.port import RawTable
>>> raw = RawTable("billing.xlsx", "Receipts", 1, 1, ["Receipt ID", "Date", "Amount", "Currency"],
...                [["RCP-1", dt.date(2025, 7, 3), 1000000.0, "RWF"], ["RCP-2", dt.date(2025, 7, 4), 50.0, "RWF"]],
...                [2, 3])
>>> before = snapshot({"Receipts": raw}, "billing.xlsx")
>>> after = snapshot({"Receipts": RawTable("billing.xlsx", "Receipts", 1, 1, raw.headers,
...                                        [["RCP-2", dt.date(2025, 7, 4), 75.0, "RWF"]], [2])}, "billing.xlsx")
>>> for difference in differences(before, after):
...     print(difference)
[billing.xlsx]Receipts row 2: receipt RCP-1 (1,000,000 RWF, 2025-07-03) is gone
[billing.xlsx]Receipts!C2: Amount of receipt RCP-2 was 50, is now 75
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from arxl.core.errors import BadValue
from arxl.core.money import figure, is_rounded
from arxl.ledger.port import RawTable, column_letter
from arxl.ledger.records import TABLES, columns, header_key
from arxl.ledger.tables import cell_text

VERSION = 1
Snapshot = dict[str, Any]  # plain JSON: what the state file holds


@dataclass(frozen=True, slots=True)
class Audited:
    """A table whose rows the journal follows: how a row is known and named, which columns are kept."""

    table: str
    noun: str  # "receipt RCP-2025-0045"
    identity: tuple[str, ...]  # fields; their texts joined name the row
    summary: tuple[str, ...] = ()  # fields shown when a row is gone or added: an amount first, then a date
    only: tuple[str, ...] | None = None  # the fields kept (None: every column of the table)
    extra: tuple[str, ...] = ()  # headers kept when the sheet has them, though no arxl record reads them

    def headers(self) -> list[tuple[str, str]]:
        """(field, header) of every column kept, in the table's order."""
        kept = [(c.field, c.header) for c in columns(TABLES[self.table].model)
                if self.only is None or c.field in self.only]
        return kept + [(header_key(h), h) for h in self.extra]


AUDITED: tuple[Audited, ...] = (
    Audited("Invoices", "invoice", ("invoice_no",), ("total_amount", "invoice_date")),
    Audited("InvoiceLines", "invoice line", ("invoice_no", "line_no"), ("net_amount",)),
    Audited("Receipts", "receipt", ("receipt_id",), ("amount", "date")),
    Audited("Allocations", "allocation", ("receipt_id", "invoice_no", "date"), ("applied_amount", "date")),
    Audited("Revaluations", "revaluation", ("period", "reference"), ("difference", "date")),
    Audited("Periods", "period event", ("period", "action", "on", "time"), ("by",)),
    Audited("Customers", "customer", ("customer_id",), ("name",),
            only=("customer_id", "name", "sage_account"), extra=("Related Party",)),
)
AMOUNTS = frozenset(c.field for spec in TABLES.values() for c in columns(spec.model) if c.kind in ("amount", "rate"))


def _texts(rows: list[list[object]], position: int) -> list[str]:
    """One column of a table as text (:func:`cell_text`), text cells straight through and the others
    converted once per distinct value: a column of dates or amounts repeats its values."""
    known: dict[object, str] = {}
    texts: list[str] = []
    add = texts.append
    for row in rows:
        value = row[position] if position < len(row) else None
        if type(value) is str:
            add(value.strip())
        else:
            key = (type(value), value)
            text = known.get(key)
            if text is None:
                text = known[key] = cell_text(value)
            add(text)
    return texts


def snapshot(raws: Mapping[str, RawTable | None], book: str) -> Snapshot:
    """The audited tables of a workbook as plain data (JSON): per table its sheet, its columns (field,
    header, letter) and its rows (Excel row, identity, the text of each column). A table the workbook lacks is
    left out."""
    tables: dict[str, Any] = {}
    for audited in AUDITED:
        raw = raws.get(audited.table)
        if raw is None:
            continue
        positions = {header_key(h): j for j, h in enumerate(raw.headers) if h}
        kept = [(field, header, positions[header_key(header)]) for field, header in audited.headers()
                if header_key(header) in positions]
        fields = [field for field, _, _ in kept]
        naming = [fields.index(f) for f in audited.identity if f in fields]
        by_column = [_texts(raw.rows, j) for _, _, j in kept]
        texts_of = list(zip(*by_column, strict=True)) if by_column else [() for _ in raw.rows]
        names = (zip(*(by_column[i] for i in naming), strict=True) if naming else [()] * len(raw.rows))
        seen: Counter[str] = Counter()
        rows = []
        for number, texts, parts in zip(raw.row_numbers, texts_of, names, strict=True):
            identity = " / ".join(parts) or "(blank)"
            seen[identity] += 1
            if seen[identity] > 1:
                identity = f"{identity} #{seen[identity]}"
            rows.append([number, identity, texts])
        tables[audited.table] = {
            "sheet": raw.sheet,
            "columns": [[field, header, column_letter(raw.first_col + j)] for field, header, j in kept],
            "rows": rows,
        }
    return {"version": VERSION, "book": book, "tables": tables}


Kind = Literal["changed", "gone", "added", "column gone", "table gone"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One thing the workbook holds that is not what arxl left: at a cell, or at a row (a row gone or added)."""

    book: str
    sheet: str
    kind: Kind
    message: str
    cell: str = ""  # "I14"
    row: int = 0

    @property
    def where(self) -> str:
        if self.cell:
            return f"[{self.book}]{self.sheet}!{self.cell}"
        return f"[{self.book}]{self.sheet}" + (f" row {self.row}" if self.row else "")

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def differences(before: Snapshot, now: Snapshot) -> list[Difference]:
    """What changed from one snapshot to the other, table by table in the audited order: cells changed (by
    the cell they are in now), rows gone (by the row they were in), rows added, columns and tables gone."""
    found: list[Difference] = []
    book = str(now.get("book") or before.get("book") or "")
    for audited in AUDITED:
        old = before.get("tables", {}).get(audited.table)
        new = now.get("tables", {}).get(audited.table)
        if old is None:
            continue  # not followed before (an older workbook, or the sheet made since): nothing to compare
        if new is None:
            found.append(Difference(book, old["sheet"], "table gone",
                                    f"the sheet {old['sheet']} with {len(old['rows']):,} row(s) is gone"))
            continue
        found.extend(_table_differences(audited, book, old, new))
    return found


def _table_differences(audited: Audited, book: str, old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    found: list[Difference] = []
    sheet = str(new["sheet"])
    old_fields = [c[0] for c in old["columns"]]
    new_at = {c[0]: (i, c[1], c[2]) for i, c in enumerate(new["columns"])}
    for field, header, _letter in old["columns"]:
        if field not in new_at:
            found.append(Difference(book, sheet, "column gone", f'the column "{header}" is gone'))
    compared = [(i, field, *new_at[field]) for i, field in enumerate(old_fields) if field in new_at]
    new_rows = {identity: (number, texts) for number, identity, texts in new["rows"]}
    old_ids = set()
    for number, identity, texts in old["rows"]:
        old_ids.add(identity)
        there = new_rows.get(identity)
        if there is None:
            found.append(Difference(book, sheet, "gone", f"{audited.noun} {identity}"
                                    f"{_summary(audited, old_fields, texts)} is gone", row=number))
            continue
        now_number, now_texts = there
        for i, field, j, header, letter in compared:
            was, now = texts[i], now_texts[j] if j < len(now_texts) else ""
            if was != now:
                currency = _currency(old_fields, texts)
                found.append(Difference(
                    book, sheet, "changed", f"{header} of {audited.noun} {identity} was {_shown(field, was, currency)}"
                    f", is now {_shown(field, now, currency)}", cell=f"{letter}{now_number}", row=now_number))
    new_fields = [c[0] for c in new["columns"]]
    for number, identity, texts in new["rows"]:
        if identity not in old_ids:
            found.append(Difference(book, sheet, "added", f"{audited.noun} {identity}"
                                    f"{_summary(audited, new_fields, texts)} was added outside arxl", row=number))
    return found


def _currency(fields: list[str], texts: list[str]) -> str:
    return texts[fields.index("currency")] if "currency" in fields else ""


def _summary(audited: Audited, fields: list[str], texts: list[str]) -> str:
    """ " (1,000,000 RWF, 2025-07-03)": what a row gone or added was, in a few words."""
    currency = _currency(fields, texts)
    parts = []
    for field in audited.summary:
        if field in fields and texts[fields.index(field)]:
            shown = _shown(field, texts[fields.index(field)], currency)
            parts.append(f"{shown} {currency}" if field in AMOUNTS and currency else shown)
    return f" ({', '.join(parts)})" if parts else ""


def _shown(field: str, text: str, currency: str) -> str:
    """A value in a message: an amount with its thousands separators (the currency's decimals when it has
    no more), a date or a number as it is, other text in quotes, nothing as "empty"."""
    if not text:
        return "empty"
    if field in AMOUNTS:
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return f'"{text}"'
        if amount.is_finite():
            try:
                if currency and is_rounded(amount, currency):
                    return figure(amount, currency)
            except BadValue:  # an unknown currency code: the amount as it is
                pass
            return f"{amount:,}"
    if text[:1].isdigit() and text.replace("-", "").replace(":", "").replace(" ", "").replace(".", "").isdigit():
        return text
    return f'"{text}"'
