"""Memory-flat sheets (issue 15): a generated sheet is streamed into the compressor, and the XML is the one arxl
wrote before, to the byte; the ZIP entry reads back with its checksum; a sheet of rows made as they are read is
written without ever being whole in memory."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from collections.abc import Sequence
from decimal import Decimal as D
from pathlib import Path

from arxl.aging.sheet import aging_report, aging_sheet
from arxl.books.audit.register import COLUMNS
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.fastsheet import replace_sheets
from arxl.formats.xlsx.sheetxml import render_sheet_xml, stream_sheet_xml
from arxl.formats.xlsx.styles import StyleBook
from arxl.formats.xlsx.zipcopy import ZipCopier
from arxl.ledger.changes import Cell, ConditionalFill, DataColumn, DataRows, MadeRows, SheetSpec
from tests import flat_reference
from tests.builders import AGING_AS_OF, aging_book, small_book
from tests.calc import assert_formulas_match, cached_results


def _register_row(n: int) -> tuple[object, ...]:
    """A row of the audit pack's C Register: amounts in RWF and USD, credit notes, blanks, a formula's cache."""
    usd = n % 5 == 0
    net = D(n * 37 % 100_000) / (100 if usd else 1)
    vat = (net * D("0.18")).quantize(D("0.01") if usd else D(1))
    kind = "credit_note" if n % 7 == 0 else "invoice"
    return (f"INV-2025-{n:06d}", kind, dt.date(2025, 1, 1) + dt.timedelta(n % 300),
            f"C{n % 40:03d}", f"Customer & <{n % 40}>", "USD" if usd else "RWF", net, vat, net + vat,
            "paid" if n % 3 else "open", "" if n % 7 else f"INV-2025-{n - 1:06d}", "" if n % 11 == 0 else f"EBM{n}",
            "X" if n % 11 == 0 else "E", None if n % 4 else dt.date(2025, 8, 1), "INV-2025", n % 2, "", 10 + n)


def _register(rows: Sequence[tuple[object, ...]]) -> SheetSpec:
    spec = SheetSpec("C Register", freeze="A4", widths={"A": 18, "E": 30}, filter_range="A3:R3",
                     conditional=[ConditionalFill("M4:M9999", '=$M4="X"', "FFC7CE")])
    spec.add(Cell("Invoice register of the period", style="title"))
    spec.add(Cell("Back to the index", link="#'Index'!A1"), Cell("RRA", link="https://www.rra.gov.rw/"))
    spec.add(*(Cell(f"Column {n}", style="header") for n in range(1, 19)))
    spec.data = DataRows(COLUMNS, rows)
    return spec


def _same_as_before(spec: SheetSpec) -> None:
    old_styles, new_styles = StyleBook(None), StyleBook(None)
    old = flat_reference.render_sheet_xml(spec, old_styles)
    new = render_sheet_xml(spec, new_styles)
    assert new.xml == old.xml
    assert (new.links, new.uncached_formulas) == (old.links, old.uncached_formulas)
    assert new_styles.to_xml() == old_styles.to_xml()  # the same styles, in the same order: the same s="n"
    _, pieces = stream_sheet_xml(spec, StyleBook(None))
    chunks = list(pieces)
    assert b"".join(chunks) == old.xml
    assert max(len(c) for c in chunks) < 200_000  # pieces, not the sheet


def test_the_aging_sheet_is_the_xml_it_was(tmp_path: Path) -> None:
    ledger, _ = open_ledger(aging_book(tmp_path / "b.xlsx"))
    _same_as_before(aging_sheet(aging_report(ledger, AGING_AS_OF)))


def test_the_register_is_the_xml_it_was() -> None:
    _same_as_before(_register([_register_row(n) for n in range(1, 4001)]))


def test_a_streamed_entry_is_the_entry_written_whole() -> None:
    big = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n * 7919) for n in range(60_000))
    for data in (big, big[:5000]):
        whole, streamed = io.BytesIO(), io.BytesIO()
        for out, stream in ((whole, False), (streamed, True)):
            writer = ZipCopier(out, "book.xlsx", (2025, 7, 31, 12, 0, 0))
            writer.add("first.xml", b"<a/>")
            if stream:
                writer.add_stream("xl/worksheets/sheet1.xml", (data[i:i + 7000] for i in range(0, len(data), 7000)))
            else:
                writer.add("xl/worksheets/sheet1.xml", data)
            writer.add("last.xml", b"<b/>")
            writer.close()
        assert streamed.getvalue() == whole.getvalue()
        with zipfile.ZipFile(streamed) as package:
            assert package.testzip() is None
            assert package.read("xl/worksheets/sheet1.xml") == data


def test_a_big_sheet_is_written_without_being_whole_in_memory(tmp_path: Path) -> None:
    book = small_book(tmp_path / "book.xlsx")
    spec = _register(MadeRows(40_000, lambda n: _register_row(n + 1)))
    tracemalloc.start()
    try:
        replace_sheets(book, [spec])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with zipfile.ZipFile(book) as package:
        sizes = {i.filename: i.file_size for i in package.infolist()}
        sheet = max(sizes, key=lambda name: sizes[name])
        assert sizes[sheet] > 30_000_000  # the register's XML: over 30 MB
        with package.open(sheet) as stream:
            tail = stream.read()[-3000:]
    assert b'<row r="40003">' in tail and b"INV-2025-040000" in tail  # the last invoice, on its row
    assert peak < 6_000_000, f"{peak:,} bytes traced at the peak"  # about 4 MB: a bounded cache of texts


def test_a_streamed_sheet_opens_in_libreoffice_with_arxl_figures(tmp_path: Path, libreoffice: LibreOffice) -> None:
    """A sheet over 1 MB goes through the streamed ZIP entry; LibreOffice recalculates its formulas to the
    cached values arxl wrote (the totals to the unit, in RWF and USD)."""
    text, day = DataColumn(), DataColumn(style="date")
    amount = DataColumn(style="amount", currency_of=2)
    total = DataColumn(style="amount", currency_of=2, formula="=D{row}+E{row}")
    rows = [(r[0], r[2], r[5], r[6], r[7], r[8]) for r in (_register_row(n) for n in range(1, 12_001))]
    spec = SheetSpec("Register", freeze="A2")
    spec.add(*(Cell(h, style="header") for h in ("Number", "Date", "Currency", "Net", "VAT", "Total")))
    spec.data = DataRows((text, day, text, amount, amount, total), rows)
    book = replace_sheets(small_book(tmp_path / "book.xlsx"), [spec])
    with zipfile.ZipFile(book) as package:
        assert max(i.file_size for i in package.infolist()) > 1 << 20  # streamed, not written whole
    expected = cached_results(book)
    assert expected[("Register", "F12001")] == rows[-1][5]  # the last invoice's total, as arxl computed it
    assert len(expected) == 12_000
    assert_formulas_match(libreoffice, book, expected)
