"""One validation path and bounds at the edge (issue 9, item 5), through the command line on the sample workbook.

Every command refuses exactly what ``arxl validate`` calls an error, with the same message naming the cell, and
writes nothing (the workbook byte for byte, no backup); what holds back one customer's billing is a warning in
validate and a blocking exception of the billing review. Amounts a cell cannot hold exactly (Excel's 15
significant digits) are refused before anything is written. Sage codes are never altered; text for people in
the Sage CSV is neutralised with a leading quote.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.billing.run import plan_billing
from arxl.cli import main
from arxl.core.errors import BadValue
from arxl.core.money import round_money, storable
from arxl.formats.sage import sage_rows
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.records import Contract, Customer, ExchangeRate, Service
from arxl.sample import write_sample
from tests.builders import billing_book, billing_tables, header_cell, set_cells


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book, _ = write_sample(tmp_path_factory.mktemp("sample") / "sample.xlsx")
    return book


@pytest.fixture()
def book(sample: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sample workbook, alone in its folder."""
    return Path(shutil.copy(sample, tmp_path / "s.xlsx"))


def folder(path: Path) -> dict[str, bytes]:
    """Every file beside (and below) the workbook, with its bytes: a refused command changes none, adds none."""
    return {str(p.relative_to(path.parent)): p.read_bytes() for p in sorted(path.parent.rglob("*")) if p.is_file()}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sample_cells_this_file_relies_on(book: Path) -> None:
    assert [header_cell(book, "Contracts", h) for h in ("Quantity", "Rate", "Currency")] == ["E", "F", "G"]
    assert [header_cell(book, "Invoices", h) for h in ("Net Amount", "VAT Amount", "Total Amount")] == ["G", "H", "I"]
    ledger, _ = open_ledger(book)
    k = ledger.contracts.rows[1]  # row 3
    assert (k.contract_ref, k.customer_id, k.quantity, k.rate, k.currency) == ("CT-2023-002", "C010", D(6), D(210000),
                                                                               "RWF")
    invoice = ledger.invoices.rows[1]  # row 3
    assert (invoice.invoice_no, invoice.net_amount, invoice.vat_amount, invoice.total_amount) == (
        "INV-2024-00002", D(2100000), D(378000), D(2478000))


@pytest.mark.parametrize(("cells", "cell", "expected"), [
    ({"E3": 1e25}, "E3", "Quantity 10,000,000,000,000,000,000,000,000 x Rate 210,000 x (1 + 18% VAT) = "
                         "2,478,000,000,000,000,000,000,000,000,000 RWF"),
    ({"F3": 1e22}, "F3", "Quantity 6 x Rate 10,000,000,000,000,000,000,000 x (1 + 18% VAT) = "
                         "70,800,000,000,000,000,000,000 RWF"),
    # each fits on its own; quantity x rate with VAT does not: the rate is named
    ({"E3": 1000, "F3": 1e12}, "F3", "Quantity 1,000 x Rate 1,000,000,000,000 x (1 + 18% VAT) = "
                                     "1,180,000,000,000,000 RWF"),
], ids=["quantity 1e25", "rate 1e22", "product"])
def test_an_amount_no_cell_holds_is_refused_by_every_command_before_anything_is_written(
        book: Path, capsys: pytest.CaptureFixture[str], cells: dict[str, float], cell: str, expected: str) -> None:
    set_cells(book, "Contracts", cells)
    expected += (", more than an invoice's cell holds exactly (Excel keeps 15 significant digits: at most "
                 "999,999,999,999,999 RWF)")
    before = folder(book)
    message = f"[s.xlsx]Contracts!{cell}: {expected}"
    code, _, err = run(capsys, "validate", str(book))
    assert code == 2 and message in err.splitlines()
    for argv in (["invoices", "review", str(book), "--period", "2025-08"],
                 ["invoices", "generate", str(book), "--period", "2025-08", "--out", str(book.parent / "inv")],
                 ["close", str(book), "--period", "2025-08", "--out", str(book.parent / "out")],
                 ["aging", str(book), "--as-of", "2025-07-31"]):
        code, out, err = run(capsys, *argv)
        assert code == 2, (argv, out, err)
        assert message in err.splitlines(), (argv, err)
        assert "s.xlsx: 1 error(s) to correct first (arxl validate lists the same); nothing was changed" in err
        assert folder(book) == before, argv  # the workbook byte for byte, no backup, no invoice document


def test_round_money_names_the_amount_it_cannot_hold() -> None:
    # the tester's quantity 1e25 x rate 210,000 x 1.18: more digits than Decimal rounds (a bare InvalidOperation)
    with pytest.raises(BadValue, match=r"^amount 2,478,000,000,000,000,000,000,000,000,000 is beyond what an amount "
                                       r"in RWF can hold$"):
        round_money(D("2.478E+30"), "RWF")
    with pytest.raises(BadValue, match=r"^amount 10,000,000,000,000,000,000,000,000,000 is beyond what an amount "
                                       r"in USD can hold$"):
        round_money(D("1E+28"), "USD")
    with pytest.raises(BadValue, match=r"^amount NaN is not a finite number$"):
        round_money(D("NaN"), "USD")
    with pytest.raises(BadValue, match=r"^amount -Infinity is not a finite number$"):
        round_money(D("-Infinity"), "RWF")
    assert round_money(D("999999999999999.4"), "RWF") == D("999999999999999")
    # what a cell holds exactly: 15 significant digits in the currency's units
    assert (storable(D("999999999999999"), "RWF"), storable(D("1000000000000000"), "RWF")) == (True, False)
    assert (storable(D("9999999999999.99"), "USD"), storable(D("-10000000000000"), "USD")) == (True, False)


def test_a_register_amount_beyond_15_digits_is_an_error_at_its_cell(book: Path, capsys: pytest.CaptureFixture[str]
                                                                     ) -> None:
    set_cells(book, "Invoices", {"G3": "1234567890123456", "H3": 0, "I3": "1234567890123456"})
    code, _, err = run(capsys, "validate", str(book))
    assert code == 2
    assert ("[s.xlsx]Invoices!I3: 1,234,567,890,123,456 RWF is more than a cell holds exactly (Excel keeps 15 "
            "significant digits: at most 999,999,999,999,999 RWF)") in err.splitlines()
    before = folder(book)
    code, _, err = run(capsys, "aging", str(book), "--as-of", "2025-07-31")  # the fast column reader checks it too
    assert code == 2 and "[s.xlsx]Invoices!I3: 1,234,567,890,123,456 RWF is more than a cell holds" in err
    assert folder(book) == before


def test_an_unknown_currency_in_a_contract_holds_back_its_customer_naming_the_cell(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_cells(book, "Contracts", {"G3": "XYZ"})
    message = '[s.xlsx]Contracts!G3: currency "XYZ" is not an ISO 4217 currency code (such as RWF, USD, EUR)'
    code, out, err = run(capsys, "validate", str(book))
    assert code == 0 and f"{message}  (warning)" in err.splitlines() and "s.xlsx is valid (1 warning(s))" in out
    code, out, _ = run(capsys, "invoices", "review", str(book), "--period", "2025-08")
    assert code == 0 and f"  held back C010: {message}" in out.splitlines()
    review = load_workbook(book)["Review"]
    rows = [[c.value for c in r] for r in review.iter_rows(min_row=5) if r[0].value == "blocking"]
    assert [(r[0], r[1], r[3], r[4], r[7]) for r in rows] == [
        ("blocking", "C010", "CT-2023-002", message.split(": ", 1)[1], "Contracts!G3")]
    code, out, _ = run(capsys, "invoices", "generate", str(book), "--period", "2025-08")
    assert code == 0 and f"  held back C010: {message}" in out.splitlines()
    ledger, _ = open_ledger(book)
    august = [i for i in ledger.invoices if i.period == "2025-08"]
    assert len(august) == 65 and "C010" not in {i.customer_id for i in august}


NEGATED = "[s.xlsx]Invoices!I3: an invoice's amounts cannot be negative; record a credit note"
NEGATED_NET = "[s.xlsx]Invoices!G3: Net Amount -2100000 differs from the sum of its lines in InvoiceLines (2100000)"


@pytest.fixture(scope="module")
def negated(sample: Path) -> Path:
    """The sample with the amounts of invoice INV-2024-00002 (row 3) negated, as a slip of the sign would."""
    book = Path(shutil.copy(sample, sample.with_name("negated.xlsx")))
    set_cells(book, "Invoices", {"G3": -2100000, "H3": -378000, "I3": -2478000})
    return book


def test_validate_names_the_negated_invoice(negated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                             ) -> None:
    book = Path(shutil.copy(negated, tmp_path / "s.xlsx"))
    code, _, err = run(capsys, "validate", str(book))
    assert code == 2 and err.splitlines() == [NEGATED, NEGATED_NET, "s.xlsx: 2 error(s), 0 warning(s)"]


@pytest.mark.parametrize("argv", [
    ["invoices", "generate", "{book}", "--period", "2025-08"],
    ["invoices", "review", "{book}", "--period", "2025-08"],
    ["reconcile", "propose", "{book}", "--statement", "{statement}"],
    ["reconcile", "post", "{book}"],
    ["aging", "{book}", "--as-of", "2025-07-31"],
    ["statements", "{book}", "--as-of", "2025-07-31", "--out", "{folder}/out"],
    ["export", "sage", "{book}", "--period", "2024-01", "-o", "{folder}/sage.csv"],
    ["report", "collections", "{book}", "--period", "2025-07"],
    ["arrangements", "check", "{book}", "--as-of", "2025-07-31"],
    ["invoices", "credit", "{book}", "INV-2024-00001", "--amount", "1000", "--reason", "test"],
    ["close", "{book}", "--period", "2025-07", "--out", "{folder}/out"],
], ids=lambda a: " ".join(a[:2]))
def test_an_invoice_row_validate_rejects_is_refused_by_every_command_with_the_same_message(
        sample: Path, negated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    book = Path(shutil.copy(negated, tmp_path / "s.xlsx"))
    statement = shutil.copy(sample.with_name("sample-statement-2025-07.csv"), tmp_path / "statement.csv")
    before = folder(book)
    code, out, err = run(capsys, *(a.format(book=book, statement=statement, folder=tmp_path) for a in argv))
    assert code == 2, (out, err)
    lines = err.splitlines()
    if argv[0] == "aging":  # the fast reader reads the columns the aging needs (not Net): it checks what it reads
        assert lines == [NEGATED, "s.xlsx: 1 error(s) to correct first (arxl validate lists the same); nothing was "
                                  "changed"]
    else:  # validate's lines, word for word
        assert lines == [NEGATED, NEGATED_NET, "s.xlsx: 2 error(s) to correct first (arxl validate lists the same); "
                                               "nothing was changed"]
    assert folder(book) == before


def test_sage_codes_beginning_like_a_formula_are_refused_at_their_cells(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    account, nominal = header_cell(book, "Customers", "Sage Account"), header_cell(book, "Services", "Sage Nominal")
    set_cells(book, "Customers", {f"{account}2": "-A1"})
    set_cells(book, "Services", {f"{nominal}2": "@4000"})
    ledger, _ = open_ledger(book)
    keys = {s.key: ledger.table("Settings").where(i, "value").cell for i, s in enumerate(ledger.table("Settings"))}
    set_cells(book, "Settings", {keys["Sage Sales Nominal"]: "+4000", keys["Invoice Series"]: "-INV"})
    before = folder(book)
    code, _, err = run(capsys, "validate", str(book))
    assert code == 2
    lines = err.splitlines()
    assert (f'[s.xlsx]Customers!{account}2: Sage Account "-A1" begins with "-", which a spreadsheet reads as a '
            "formula; Sage codes begin with a letter or a digit") in lines
    assert (f'[s.xlsx]Services!{nominal}2: Sage Nominal "@4000" begins with "@", which a spreadsheet reads as a '
            "formula; Sage codes begin with a letter or a digit") in lines
    assert (f'[s.xlsx]Settings!{keys["Sage Sales Nominal"]}: Sage Sales Nominal "+4000" begins with "+", which a '
            "spreadsheet reads as a formula; Sage codes begin with a letter or a digit") in lines
    assert (f'[s.xlsx]Settings!{keys["Invoice Series"]}: Invoice Series "-INV" must be letters and digits, starting '
            "with a letter (it begins every document number)") in lines
    code, _, err = run(capsys, "export", "sage", str(book), "--period", "2025-07", "-o", str(book.parent / "x.csv"))
    assert code == 2 and lines[0] in err.splitlines()
    assert folder(book) == before


def test_sage_export_holds_back_a_code_it_would_have_to_change_and_quotes_text_for_people(tmp_path: Path) -> None:
    """The export on its own (a ledger validate was not asked about): a code is held back, never altered."""
    tables = billing_tables()
    customers = tables["Customers"]
    tables["Customers"] = [c.model_copy(update={"sage_account": "-A1"}) if isinstance(c, Customer) and
                           c.customer_id == "C001" else c for c in customers]
    tables["InvoiceLines"] = [line.model_copy(update={"description": "=HYPERLINK(\"http://x\")"})
                              if getattr(line, "invoice_no", "") == "INV-2025-00002" else line
                              for line in tables["InvoiceLines"]]
    tables["Invoices"] = [i.model_copy(update={"po_number": "-PO 7"}) if getattr(i, "invoice_no", "") ==
                          "INV-2025-00002" else i for i in tables["Invoices"]]
    tables["Rates"] = [ExchangeRate(date=dt.date(2025, 7, 15), currency="USD", rate=D(1440))]  # the rate Sage takes
    ledger, _ = open_ledger(billing_book(tmp_path / "billing.xlsx", tables))
    rows, _, problems = sage_rows(ledger, "2025-07", on=dt.date(2025, 8, 1))
    account = ledger.customers.where(0, "sage_account")
    assert [str(p) for p in problems if p.severity == "error"] == [
        f'{account}: INV-2025-00001 not exported: the Sage account reference "-A1" of C001 is not a Sage account '
        "reference (letters, digits and - _ & only, no spaces): put the customer's Sage A/C in the Sage Account "
        "column of Customers"]
    second = [r for r in rows if r.reference == "INV-2025-00002"]
    assert [(r.details, r.extra_reference) for r in second] == [("'=HYPERLINK(\"http://x\")", "'-PO 7")]
    assert all(not r.account_reference.startswith(("=", "+", "-", "@")) for r in rows)


def test_sage_csv_text_fields_never_begin_like_a_formula(tmp_path: Path) -> None:
    from arxl.formats.sage import SageRow, write_sage_csv

    row = SageRow("SI", "MINICT01", "4010", dt.date(2025, 7, 1), "INV-2025-00001", "'@SUM(A1)", D(600000), "T1",
                  D(108000), "RWF", extra_reference="'+PO-1")
    path = write_sage_csv([row], tmp_path / "sage.csv")
    with path.open(newline="", encoding="ascii") as stream:
        body = list(csv.reader(stream))[1]
    assert body == ["SI", "MINICT01", "4010", "", "01/07/2025", "INV-2025-00001", "'@SUM(A1)", "600000", "T1",
                    "108000", "1", "'+PO-1", "", "", ""]
    assert not any(field.startswith(("=", "+", "-", "@", "\t", "\r")) for field in body)


def sage_contract(rate: D) -> dict[str, list[object]]:
    tables: dict[str, list[object]] = dict(billing_tables())  # type: ignore[arg-type]
    tables["Contracts"] = [Contract(contract_ref="K-BIG", customer_id="C001", service_code="HOST-01",
                                    quantity=D(1), rate=rate, currency="RWF", cycle="monthly",
                                    start_date=dt.date(2025, 1, 1), po_number="PO-9")]
    return tables


def test_billing_review_flags_a_line_over_sages_limit_up_front(tmp_path: Path) -> None:
    tables = sage_contract(D(150_000_000))
    ledger, _ = open_ledger(billing_book(tmp_path / "billing.xlsx", tables))  # type: ignore[arg-type]
    plan = plan_billing(ledger, "2025-08")
    assert [(f.severity, f.message, f.found) for f in plan.findings if "Sage" in f.message] == [
        ("warning", "net amount is above Sage's 99,999,999.99 per line: the export splits it", "150,000,000 RWF")]
    assert plan.held == set()


def test_billing_review_blocks_a_line_sage_would_need_over_100_rows_for(tmp_path: Path) -> None:
    tables = sage_contract(D(10_000_000_000))  # 10 billion RWF a month: 101 Sage rows; a typing mistake
    ledger, _ = open_ledger(billing_book(tmp_path / "billing.xlsx", tables))  # type: ignore[arg-type]
    plan = plan_billing(ledger, "2025-08")
    assert [(f.severity, f.message, f.found, str(f.where)) for f in plan.findings if "Sage" in f.message] == [
        ("blocking", "net amount would take more than 100 rows of Sage's 99,999,999.99 in the export: check the "
                     "quantity and rate", "10,000,000,000 RWF", f"{ledger.contracts.where(0, 'rate')}")]
    assert plan.held == {"C001"}


def test_a_service_without_a_known_tax_code_warns_in_validate_and_blocks_its_customers_in_the_review(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tables = dict(billing_tables())
    tables["Services"] = [*tables["Services"], Service(service_code="BAD-01", description="Backup", rate=D(1000),
                                                       currency="RWF", tax_code="VAT20")]
    tables["Contracts"] = [*tables["Contracts"], Contract(
        contract_ref="K-BAD", customer_id="C002", service_code="BAD-01", quantity=D(1), rate=D(1000),
        currency="RWF", cycle="monthly", start_date=dt.date(2025, 1, 1))]
    book = billing_book(tmp_path / "billing.xlsx", tables)  # type: ignore[arg-type]
    ledger, _ = open_ledger(book)
    index = next(i for i, s in enumerate(ledger.services) if s.service_code == "BAD-01")
    cell = ledger.services.where(index, "tax_code")
    code, _, err = run(capsys, "validate", str(book))
    assert code == 0 and f'{cell}: tax code "VAT20" is not in TaxCodes  (warning)' in err.splitlines()
    plan = plan_billing(ledger, "2025-08")
    assert [(f.severity, f.customer_id, f.contract_ref, f.message, str(f.where)) for f in plan.findings
            if f.severity == "blocking"] == [("blocking", "C002", "K-BAD", 'tax code "VAT20" is not in TaxCodes',
                                              str(cell))]
    assert plan.held == {"C002"}
