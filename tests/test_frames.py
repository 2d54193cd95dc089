"""arxl.frames on the sample workbook: typed tables traced to their cells, exact Decimal sums, and the open
items, aging, KPIs and statements equal to the command line's."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from arxl import frames
from arxl.cli import main
from arxl.core.errors import BadValue, BadWorkbook
from tests.builders import header_cell, set_cells


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from arxl.sample import write_sample

    book, _ = write_sample(tmp_path_factory.mktemp("sample") / "billing.xlsx")
    return book


@pytest.fixture(scope="module")
def book(sample_book: Path) -> frames.Frames:
    return frames.read(sample_book)


def cli_lines(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(list(args)) == 0
    return capsys.readouterr().out.splitlines()


def test_tables_are_typed_and_traced_to_their_cells(book: frames.Frames, sample_book: Path) -> None:
    invoices = book.invoices
    assert invoices.index.name == "row" and invoices.index[0] == 2  # the Excel row under the header
    assert str(invoices["invoice_date"].dtype) == "datetime64[ns]"
    assert str(invoices["sage_exported"].dtype) == "datetime64[ns]"  # blank cells are NaT
    assert invoices["total_amount"].dtype == object
    assert all(type(v) is Decimal for v in invoices["total_amount"])
    assert isinstance(invoices["invoice_no"].dtype, pd.StringDtype)
    assert str(book.invoice_lines["line_no"].dtype) == "Int64"
    # a figure of the frame is the cell of its row
    row = int(invoices.index[invoices["currency"] == "USD"][0])
    sheet = load_workbook(sample_book, read_only=True)["Invoices"]
    letter = header_cell(sample_book, "Invoices", "Total Amount")
    assert Decimal(str(sheet[f"{letter}{row}"].value)) == invoices.loc[row, "total_amount"]
    assert set(book.names) >= {"Invoices", "Receipts", "Allocations", "Customers", "Rates", "CollectionsLog"}
    assert len(book.customers) == 60 and book.settings["base_currency"] == "RWF"


def test_sums_are_exact_decimals(book: frames.Frames) -> None:
    invoices = book.invoices
    by_currency = invoices.groupby("currency")["total_amount"].sum()
    assert by_currency["USD"] == sum((i.total_amount for i in book.ledger.invoices if i.currency == "USD"),
                                     Decimal(0))
    assert type(by_currency["USD"]) is Decimal and by_currency["USD"].as_tuple().exponent == -2  # cents kept
    assert (invoices["net_amount"] + invoices["vat_amount"] == invoices["total_amount"]).all()
    # the next step of a notebook: a month's sales by customer, merged with the customers' names
    june = invoices[(invoices["invoice_date"].dt.strftime("%Y-%m") == "2025-06") & (invoices["currency"] == "RWF")]
    sales = june.groupby("customer_id", as_index=False)["total_amount"].sum()
    named = sales.merge(book.customers[["customer_id", "name"]], on="customer_id", how="left")
    assert named["name"].notna().all() and named["total_amount"].sum() == june["total_amount"].sum()


def test_aging_equals_arxl_aging(sample_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 book: frames.Frames) -> None:
    copy = shutil.copy(sample_book, tmp_path / "billing.xlsx")
    out = cli_lines(capsys, "aging", str(copy), "--as-of", "2025-07-31")
    aging = frames.aging(book, "2025-07-31")
    assert list(aging.columns[3:9]) == ["Current", "1-30 days", "31-60 days", "61-90 days", "91-120 days",
                                        "Over 120 days"]
    totals = aging.groupby("currency")["balance"].sum()
    for currency in ("RWF", "USD"):
        line = next(x for x in out if x.startswith(f"{currency}: "))
        balance, accounts = re.findall(r"([\d,.]+) outstanding for (\d+) account", line)[0]
        assert totals[currency] == Decimal(balance.replace(",", ""))
        assert (aging["currency"] == currency).sum() == int(accounts)
    assert totals["RWF"] == Decimal(306110463) and totals["USD"] == Decimal("3040.00")
    # the same from a path, in other buckets: the balances do not move
    other = frames.aging(sample_book, dt.date(2025, 7, 31), buckets="60,180")
    assert list(other.columns[3:6]) == ["Current", "1-60 days", "61-180 days"]
    assert other.groupby("currency")["balance"].sum().to_dict() == totals.to_dict()


def test_open_items_add_up_to_the_aging(book: frames.Frames) -> None:
    items = frames.open_items(book, "2025-07-31")
    aging = frames.aging(book, "2025-07-31")
    per_customer = items.groupby(["currency", "customer_id"])["open_amount"].sum()
    for line in aging.itertuples():
        assert per_customer[(line.currency, line.customer_id)] == line.balance
    one = frames.open_items(book, "2025-07-31", customer="C001")
    assert one["reference"].tolist() == ["INV-2025-00306", "INV-2025-00374"]
    assert one["name"].tolist() == ["Ministry of ICT and Innovation"] * 2
    detail = frames.aging_detail(book, "2025-07-31")
    assert detail.set_index("reference").loc["INV-2025-00306", ["days", "bucket"]].tolist() == [31, "31-60 days"]


def test_kpis_equal_arxl_report_collections(sample_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            book: frames.Frames) -> None:
    copy = shutil.copy(sample_book, tmp_path / "billing.xlsx")
    out = cli_lines(capsys, "report", "collections", str(copy), "--period", "2025-06")
    kpis = frames.kpis(book, "2025-06").set_index("currency")
    for currency in ("RWF", "USD"):
        line = next(x for x in out if x.startswith(f"2025-06 {currency}: "))
        collected, dso, countback, best, cei = re.findall(
            r"collected ([\d,.]+) .*DSO ([\d.]+) \(countback ([\d.]+)\), best ([\d.]+), CEI ([\d.]+) %", line)[0]
        figures = kpis.loc[currency]
        assert figures["collected"] == Decimal(collected.replace(",", ""))
        assert [figures["dso"], figures["dso_countback"], figures["best_possible_dso"], figures["cei"]] == \
            [Decimal(dso), Decimal(countback), Decimal(best), Decimal(cei)]
    assert kpis.loc["RWF", "start"] == pd.Timestamp(2025, 6, 1) and kpis.loc["RWF", "end"] == pd.Timestamp(2025, 6, 30)


def test_statement_of_account(book: frames.Frames) -> None:
    statement = frames.statement(book, "C001", "2025-06-01", "2025-07-31")
    assert statement["type"].tolist() == ["Opening", "Payment", "Deduction", "Deduction", "Payment", "Deduction",
                                          "Deduction", "Invoice", "Closing"]
    opening, closing = statement.iloc[0], statement.iloc[-1]
    assert (opening["balance"], closing["debit"], closing["credit"], closing["balance"]) == \
        (Decimal(1504500), Decimal(501500), Decimal(1003000), Decimal(1003000))
    with pytest.raises(BadValue, match='customer "C999" is not in Customers'):
        frames.statement(book, "C999", "2025-06-01", "2025-07-31")


def test_to_excel_writes_numbers_and_dates(book: frames.Frames, tmp_path: Path) -> None:
    aging = frames.aging(book, "2025-07-31")
    frames.as_numbers(aging).to_excel(tmp_path / "aging.xlsx", index=False)
    back = pd.read_excel(tmp_path / "aging.xlsx", engine="openpyxl")
    assert back["balance"].sum() == float(aging["balance"].sum()) == 306113503.0  # RWF and USD, as the sheet would
    assert aging["balance"].dtype == object and frames.as_numbers(aging)["balance"].dtype == "float64"
    invoices = book.invoices
    invoices.to_excel(tmp_path / "invoices.xlsx")
    sheet = load_workbook(tmp_path / "invoices.xlsx", read_only=True).active
    first = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[0] == 2 and isinstance(first[3], dt.datetime)  # the Excel row, a date
    # pandas 3 writes a Decimal as a number; pandas 2 as its text (hence as_numbers)
    assert first[9] == (2242000 if int(pd.__version__.split(".")[0]) >= 3 else "2242000")


def test_a_workbook_with_an_error_is_refused_naming_the_cell(sample_book: Path, tmp_path: Path) -> None:
    copy = shutil.copy(sample_book, tmp_path / "billing.xlsx")
    letter = header_cell(copy, "Invoices", "Total Amount")
    set_cells(copy, "Invoices", {f"{letter}5": "abc"})
    with pytest.raises(BadWorkbook, match=rf"Invoices!{letter}5: Total Amount \"abc\" is not a number"):
        frames.read(copy)
