"""The spilled worksheet functions on the sample workbook: the command line's figures, to the unit, from the
workbook's own tables passed as ranges; bad input named in one cell; and xlwings' own conversion of the
arguments and the returned table."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import re
import shutil
import sys
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlwings as xw
from openpyxl import load_workbook
from xlwings import conversion
from xlwings.main import Engine

import arxl.udfs
from arxl.aging.sheet import aging_report
from arxl.cli import main
from arxl.formats.xlsx.host import FileHost, ledger_of
from arxl.ledger.records import TABLES, columns
from arxl.udfs import arxl_aging, arxl_cei, arxl_dso, arxl_open_items, arxl_statement

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.datetime(2025, 7, 31)
Ranges = dict[str, list[list[Any]]]


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from arxl.sample import write_sample

    book, _ = write_sample(tmp_path_factory.mktemp("sample") / "billing.xlsx")
    return book


def as_excel(value: Any) -> Any:
    """A cell as Excel hands it to Python through COM: numbers as floats, dates as datetimes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.fixture(scope="module")
def ranges(sample_book: Path) -> Ranges:
    """``Invoices[#All]`` and the others: each table's header row and its rows, as a range passes them."""
    port = FileHost(sample_book).port()
    found: Ranges = {}
    for name in ("Invoices", "Allocations", "Receipts", "Customers", "Queries"):
        raw = port.read_table(name, [c.header for c in columns(TABLES[name].model)])
        assert raw is not None
        found[name] = [list(raw.headers), *([as_excel(v) for v in row] for row in raw.rows)]
    return found


def cli_lines(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(list(args)) == 0
    return capsys.readouterr().out.splitlines()


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


# -- the command line's figures ------------------------------------------------------------------------------


def test_aging_equals_arxl_aging(sample_book: Path, ranges: Ranges, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    book = shutil.copy(sample_book, tmp_path / "billing.xlsx")
    out = cli_lines(capsys, "aging", str(book), "--as-of", "2025-07-31")
    table = arxl_aging(ranges["Invoices"], ranges["Allocations"], AS_OF, None, ranges["Receipts"],
                       ranges["Customers"])
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["Currency", "Customer ID", "Name", "Current", "1-30 days", "31-60 days",
                                   "61-90 days", "91-120 days", "Over 120 days", "Credits", "Unapplied", "Balance"]
    for currency in ("RWF", "USD"):
        line = next(x for x in out if x.startswith(f"{currency}: "))  # RWF: 306,110,463 outstanding for 55 ...
        found = re.findall(r"([\d,.]+) outstanding for (\d+) account.*, ([\d,.]+) overdue", line)
        balance, accounts, overdue = found[0]
        own = table[table["Currency"] == currency]
        assert Decimal(str(own["Balance"].sum())) == number(balance)
        assert len(own) == int(accounts)
        late = own[["1-30 days", "31-60 days", "61-90 days", "91-120 days", "Over 120 days"]].to_numpy().sum()
        assert Decimal(str(late)) == number(overdue)
    assert Decimal(str(table[table["Currency"] == "RWF"]["Balance"].sum())) == 306110463
    # customer by customer and bucket by bucket, the figures the Aging sheet is written from
    report = aging_report(ledger_of(FileHost(book))[0], AS_OF.date())
    expected = [(b.currency, c.customer_id, *(float(v) for v in c.buckets), float(c.credits), float(c.unapplied),
                 float(c.balance)) for b in report.blocks for c in b.customers]
    got = [tuple(row) for row in table.drop(columns=["Name"]).itertuples(index=False)]
    assert got == expected


def test_kpis_equal_arxl_report_collections(sample_book: Path, ranges: Ranges, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    book = shutil.copy(sample_book, tmp_path / "billing.xlsx")
    out = cli_lines(capsys, "report", "collections", str(book), "--period", "2025-06")
    tables = ranges["Invoices"], ranges["Allocations"], ranges["Receipts"]
    for currency in ("RWF", "USD"):
        line = next(x for x in out if x.startswith(f"2025-06 {currency}: "))
        dso, countback, best, cei = re.findall(
            r"DSO ([\d.]+) \(countback ([\d.]+)\), best ([\d.]+), CEI ([\d.]+) %", line)[0]
        assert arxl_dso(*tables, "2025-06", None, currency) == float(dso)
        assert arxl_dso(*tables, "2025-06", "countback", currency) == float(countback)
        assert arxl_dso(*tables, dt.datetime(2025, 6, 12), "best", currency) == float(best)  # a date in the month
        assert arxl_cei(*tables, "2025-06", currency.lower()) == float(cei)
    assert arxl_dso(*tables, "2025-06", None, "RWF") == 45.39
    every = arxl_dso(*tables, "2025-06")
    assert isinstance(every, pd.DataFrame)
    assert every.to_dict("records") == [{"Currency": "RWF", "DSO": 45.39}, {"Currency": "USD", "DSO": 30.0}]


def test_statement_equals_arxl_statements(sample_book: Path, ranges: Ranges, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    book = shutil.copy(sample_book, tmp_path / "billing.xlsx")
    cli_lines(capsys, "statements", str(book), "--as-of", "2025-07-31", "--from", "2025-06-01", "--no-reminders",
              "--out", str(tmp_path / "out"))
    tables = ranges["Invoices"], ranges["Allocations"], ranges["Receipts"]
    compared = set()
    for customer in ("C001", "C002", "C029", "C032", "C056"):  # C029 has an invoice in query; C056 bills in USD
        sent = load_workbook(tmp_path / "out" / "statements" / f"{customer}-2025-07.xlsx", data_only=True)
        table = arxl_statement(*tables, customer, "2025-06-01", AS_OF, ranges["Customers"], ranges["Queries"])
        assert isinstance(table, pd.DataFrame), table
        for sheet in sent.worksheets:
            currency = sheet.title.removeprefix("Statement ")
            rows = list(sheet.iter_rows(values_only=True))
            first = next(i for i, r in enumerate(rows) if r[0] == "Date") + 1
            last = next(i for i, r in enumerate(rows) if r[1] == "Closing")
            theirs = [(r[1], r[2] or "", r[3], r[5] or 0, r[6] or 0, r[7]) for r in rows[first:last + 1]]
            mine = table[table["Currency"] == currency][["Type", "Reference", "Details", "Debit", "Credit", "Balance"]]
            assert mine.fillna(0).values.tolist() == \
                [list(row) for row in theirs]
            compared.add((customer, currency))
    assert ("C056", "USD") in compared and len(compared) >= 5
    held = arxl_statement(*tables, "C029", "2025-06-01", AS_OF)  # without Queries: the same figures, no note
    assert isinstance(held, pd.DataFrame)
    assert [d for d in held["Details"] if "in query" in d] == []
    assert held["Balance"].tolist() == table_of(*tables, "C029", ranges)["Balance"].tolist()


def table_of(invoices: Any, allocations: Any, receipts: Any, customer: str, ranges: Ranges) -> pd.DataFrame:
    found = arxl_statement(invoices, allocations, receipts, customer, "2025-06-01", AS_OF, ranges["Customers"],
                           ranges["Queries"])
    assert isinstance(found, pd.DataFrame)
    assert any("in query" in d for d in found["Details"])
    return found


def test_open_items_of_a_customer(ranges: Ranges) -> None:
    table = arxl_open_items(ranges["Invoices"], ranges["Allocations"], "31/07/2025", "c001", ranges["Receipts"])
    assert isinstance(table, pd.DataFrame)
    assert table[["Reference", "Open amount"]].values.tolist() == [["INV-2025-00306", 501500.0],
                                                                  ["INV-2025-00374", 501500.0]]
    assert "Name" not in table.columns  # no Customers range given: no names to show
    assert table["Due date"].tolist() == [pd.Timestamp(2025, 6, 30), pd.Timestamp(2025, 7, 30)]


def test_tables_with_reordered_and_extra_columns_read_the_same(ranges: Ranges) -> None:
    def shuffled(cells: list[list[Any]]) -> list[list[Any]]:
        order = list(range(len(cells[0])))
        random.Random(13).shuffle(order)
        return [[row[j] for j in order] + ["accountant's note"] for row in cells]

    plain = arxl_aging(ranges["Invoices"], ranges["Allocations"], AS_OF, "30,60,90", ranges["Receipts"])
    moved = arxl_aging(shuffled(ranges["Invoices"]), shuffled(ranges["Allocations"]), AS_OF, "30;60;90",
                       shuffled(ranges["Receipts"]))
    assert isinstance(plain, pd.DataFrame) and list(plain.columns)[-4:] == ["Over 90 days", "Credits", "Unapplied",
                                                                           "Balance"]
    pd.testing.assert_frame_equal(plain, moved)


# -- bad input: one cell that says what and where ------------------------------------------------------------


def test_bad_input_names_the_argument_and_the_cell(ranges: Ranges) -> None:
    invoices, allocations, receipts = ranges["Invoices"], ranges["Allocations"], ranges["Receipts"]
    typed = [list(row) for row in invoices]
    typed[4][invoices[0].index("Total Amount")] = "abc"
    assert arxl_aging(typed, allocations, AS_OF) == '#ARXL: Invoices cell I5: Total Amount "abc" is not a number'
    cut = [row[:8] for row in invoices]
    assert str(arxl_open_items(cut, allocations, AS_OF)).startswith(
        '#ARXL: Invoices cell A1: required column "Total Amount" is missing')
    assert arxl_aging(invoices, allocations, "someday") == '#ARXL: as_of "someday" is not a date'
    assert arxl_aging(invoices, allocations, None) == "#ARXL: as_of is empty"
    assert str(arxl_aging(invoices, allocations, AS_OF, "30,20")).startswith("#ARXL: buckets: aging buckets must")
    assert arxl_dso(invoices, allocations, receipts, "June") == '#ARXL: period "June" is not a month written YYYY-MM'
    assert str(arxl_dso(invoices, allocations, receipts, "2025-06", "median")).startswith(
        '#ARXL: method "median" is not one of simple, countback, best')
    assert arxl_dso(invoices, allocations, receipts, "2025-07", None, "RWF") == \
        "#ARXL: no DSO for RWF in 2025-07: nothing invoiced or owed to measure"
    assert arxl_cei(invoices, allocations, receipts, "2025-06", "EUR") == \
        '#ARXL: currency "EUR" has no invoice or receipt in the tables'
    assert arxl_statement(invoices, allocations, receipts, "C999", "2025-07-01", AS_OF, ranges["Customers"]) == \
        '#ARXL: customer "C999" is not in Customers'
    assert arxl_statement(invoices, allocations, receipts, None, "2025-07-01", AS_OF) == "#ARXL: customer is empty"
    assert arxl_aging(5, allocations, AS_OF) == \
        "#ARXL: Invoices: give the whole table with its header row, e.g. Invoices[#All]"
    assert arxl_aging(invoices, allocations, "#VALUE!") == "#ARXL: as_of is the Excel error #VALUE!"
    assert arxl_open_items(invoices, allocations, AS_OF, "C777") == "#ARXL: nothing to show"


# -- through xlwings' own conversion, as Excel calls a function ---------------------------------------------


class _CellValues:
    """What an xlwings engine does to the values of a range on their way in and out (the Windows engine does
    it to pywin32's values): blanks to ``empty_as`` and back to "", NaN and NaT to "", numpy numbers to float.
    Only this part of an engine is used by a worksheet function's conversion."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def clean_value_data(data: Any, datetime_builder: Any, empty_as: Any, number_builder: Any,
                         err_to_str: Any) -> list[list[Any]]:
        def clean(value: Any) -> Any:
            if value is None:
                return empty_as
            if isinstance(value, float) and number_builder is not None:
                return number_builder(value)
            return value
        return [[clean(v) for v in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(value: Any, options: Any) -> Any:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if hasattr(value, "item") and not isinstance(value, dt.datetime):  # a numpy scalar
            return value.item()
        return value


@pytest.fixture(scope="module")
def in_excel() -> Iterator[types.ModuleType]:
    """udfs/tables.py loaded as Excel's Python loads it: xlwings' real decorators (xlwings.udfs, imported here
    without pywin32's COM modules, which only its COM server uses) give each function its ``__xlfunc__``; and an
    engine called "excel" cleans the values, as conversion.read and conversion.write ask of it."""
    saved_modules = {name: sys.modules.get(name) for name in ("pythoncom", "pywintypes", "win32com",
                                                                "win32com.client", "xlwings.udfs")}
    com = {name: types.ModuleType(name) for name in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    com["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
    com["win32com.client"].Dispatch = None  # type: ignore[attr-defined]
    com["win32com"].client = com["win32com.client"]  # type: ignore[attr-defined]
    sys.modules.update(com)
    decorators = xw.func, xw.arg, xw.ret
    engine = Engine(_CellValues())
    try:
        import xlwings.udfs as real

        xw.func, xw.arg, xw.ret = real.xlfunc, real.xlarg, real.xlret
        spec = importlib.util.spec_from_file_location("arxl_udfs_tables_in_excel", ROOT / "udfs" / "tables.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        xw.engines.add(engine)
        yield module
    finally:
        xw.func, xw.arg, xw.ret = decorators
        if xw.engines.engines_by_name.get("excel") is engine:
            xw.engines.engines.remove(engine)
            del xw.engines.engines_by_name["excel"]
        for name, saved in saved_modules.items():
            if saved is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = saved


def call_like_excel(function: Callable[..., Any], *args: Any) -> Any:
    """What xlwings' call_udf does with a call from a cell: a missing argument takes its default, each argument
    goes through conversion.read with its options, the answer through conversion.write with the return's."""
    info = function.__xlfunc__  # type: ignore[attr-defined]
    values = []
    for i, arg in enumerate(args):
        arg_info = info["args"][min(i, len(info["args"]) - 1)]
        values.append(arg_info.get("optional") if arg is MISSING else
                      conversion.read(None, arg, arg_info["options"]))
    return conversion.write(function(*values), None, info["ret"]["options"])


MISSING = object()


def com_range(cells: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    """A range as pywin32 delivers it: a tuple of row tuples."""
    return tuple(tuple(row) for row in cells)


def test_the_aging_through_xlwings_conversion(in_excel: types.ModuleType, ranges: Ranges) -> None:
    function = in_excel.arxl_aging
    options = function.__xlfunc__["ret"]["options"]
    assert {k: v for k, v in options.items() if k != "convert"} == {"index": False, "header": True}
    assert options.get("convert", Any) is Any  # xlwings 0.33+ takes the annotation: Any, no converter
    assert "expand" not in options  # Excel 365 spills it by itself
    cells = call_like_excel(function, com_range(ranges["Invoices"]), com_range(ranges["Allocations"]), AS_OF,
                            MISSING, com_range(ranges["Receipts"]), com_range(ranges["Customers"]))
    direct = arxl_aging(ranges["Invoices"], ranges["Allocations"], AS_OF, None, ranges["Receipts"],
                        ranges["Customers"])
    assert cells[0] == list(direct.columns)
    assert cells[1:] == direct.values.tolist()
    assert sum(row[-1] for row in cells[1:] if row[0] == "RWF") == 306110463
    assert all(type(v) in (str, float) for row in cells for v in row)


def test_a_statement_and_a_kpi_through_xlwings_conversion(in_excel: types.ModuleType, ranges: Ranges) -> None:
    tables = [com_range(ranges[name]) for name in ("Invoices", "Allocations", "Receipts")]
    cells = call_like_excel(in_excel.arxl_statement, *tables, "C001", dt.datetime(2025, 6, 1), AS_OF, MISSING,
                            MISSING)
    assert cells[0] == ["Currency", "Date", "Type", "Reference", "Details", "Due date", "Debit", "Credit", "Balance"]
    assert cells[1][:3] == ["RWF", dt.datetime(2025, 6, 1), "Opening"] and cells[1][6:] == ["", "", 1504500.0]
    assert cells[-1][2:] == ["Closing", "", "Balance due", "", 501500.0, 1003000.0, 1003000.0]
    # one number goes to its cell as a 1 x 1 array, as every value leaving call_udf
    assert call_like_excel(in_excel.arxl_dso, *tables, "2025-06", "countback", "RWF") == [[51.13]]
    assert call_like_excel(in_excel.arxl_cei, *tables, 45823.0, MISSING) == [["Currency", "CEI"], ["RWF", 57.82],
                                                                             ["USD", 100.0]]
    refused = call_like_excel(in_excel.arxl_open_items, tables[0], tables[1], "tomorrow", MISSING, MISSING, MISSING)
    assert refused == [['#ARXL: as_of "tomorrow" is not a date']]


def test_every_function_has_its_array_twin(in_excel: types.ModuleType) -> None:
    for name in ("arxl_open_items", "arxl_aging", "arxl_statement", "arxl_dso", "arxl_cei"):
        spilled, twin = getattr(in_excel, name), getattr(in_excel, f"{name}_array")
        assert twin.__xlfunc__["ret"]["options"]["expand"] == "table"
        assert "expand" not in spilled.__xlfunc__["ret"]["options"]
        assert [(a["name"], a["options"], a["doc"]) for a in twin.__xlfunc__["args"]] == \
            [(a["name"], a["options"], a["doc"]) for a in spilled.__xlfunc__["args"]]
        assert callable(getattr(arxl.udfs, f"{name}_array"))
        doc = spilled.__xlfunc__["ret"]["doc"]
        assert 40 < len(doc) <= 255 and "\n" not in doc  # the wizard's one line


def test_the_aging_spilled_in_the_memory_excel(in_excel: types.ModuleType, sample_book: Path, tmp_path: Path) -> None:
    """The whole round as Excel does it, with the in-memory Excel behind xlwings' front end (tests/xlmemory):
    ``Invoices[#All]`` and the others are the tables' ranges as the engine hands them over, the answer is
    written where the formula spills, and the saved workbook holds the command line's figures."""
    from tests.xlmemory import activated

    book_path = shutil.copy(sample_book, tmp_path / "billing.xlsx")
    with activated() as app:
        book = app.books.open(str(book_path))
        tables = {name: book.sheets[name].tables[name].range.raw_value
                  for name in ("Invoices", "Allocations", "Receipts", "Customers")}
        assert tables["Invoices"][0][:2] == ("Invoice No", "Type")  # rows of tuples, as COM gives them
        cells = call_like_excel(in_excel.arxl_aging, tables["Invoices"], tables["Allocations"], AS_OF, MISSING,
                                tables["Receipts"], tables["Customers"])
        spill = book.sheets.add("Aging spill")
        spill.range("A1").value = cells
        book.save(str(book_path))
    sheet = load_workbook(book_path, read_only=True)["Aging spill"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Currency", "Customer ID", "Name"] and rows[0][-1] == "Balance"
    assert rows[1][:3] == ["RWF", "C027", "Airtel Rwanda Ltd"] and rows[1][-1] == 59472000
    assert sum(Decimal(str(r[-1])) for r in rows[1:] if r[0] == "RWF") == 306110463
    assert sum(Decimal(str(r[-1])) for r in rows[1:] if r[0] == "USD") == Decimal("3040.00")
