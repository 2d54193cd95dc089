"""The invoice document: the template filled by defined names, its live formulas against arxl's figures in
LibreOffice, RWF without decimals, a restyled template, hostile text, PDFs that are real pages."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from python_calamine import CalamineWorkbook

from arxl.core.errors import BadValue, WorkbookLocked
from arxl.formats.invoice_cells import REQUIRED
from arxl.formats.invoice_doc import DEFAULT_TEMPLATE, InvoiceTemplate, to_pdf
from arxl.formats.invoice_layout import TemplateError
from arxl.formats.invoice_model import InvoiceDocument, documents
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.safety import inspect_xlsx
from arxl.ledger.records import Customer, Invoice, InvoiceLine
from arxl.ledger.settings import Settings
from tests.calc import assert_formulas_match, recalculated_values
from tests.conftest import need_tool

SETTINGS = Settings(
    company_name="Kigali Cloud & Systems Ltd", company_tin="102458731",
    company_address="KG 7 Ave No. 12, Kacyiru, PO Box 4821 Kigali, Rwanda", company_phone="+250 788 310 450",
    company_email="billing@kigalicloud.example.rw", bank_name="Bank of Kigali Plc", bank_swift="BKIGRWRW",
    bank_branch="Head Office, KN 4 Ave, Kigali", bank_account_rwf="00040-06951872-29",
    bank_account_usd="00040-06951873-30",
)
RISA = Customer(customer_id="C001", name="Rwanda Information Society Authority (RISA)", tin="102345678",
                customer_type="government", address="KG 9 Ave, Nyarutarama, Kigali", terms="NET30")
ACME = Customer(customer_id="C002", name="Acme Holdings Inc", customer_type="foreign", currency="USD",
                address="200 Park Ave, New York, USA", terms="EOM+15")
JULY_1, JULY_31 = dt.date(2025, 7, 1), dt.date(2025, 7, 31)


def line(number: str, no: int, text: str, quantity: str, price: str, code: str, rate: str, net: str,
         discount: str = "0") -> InvoiceLine:
    return InvoiceLine(invoice_no=number, line_no=no, description=text, quantity=D(quantity), unit_price=D(price),
                       discount=D(discount), net_amount=D(net), tax_code=code, vat_rate=D(rate),
                       vat_amount=D(0))


RWF_LINES = [
    line("INV-2025-00042", 1, "Managed hosting, rack space per U, July 2025", "4", "150000", "VAT18", "0.18",
         "600000"),
    line("INV-2025-00042", 2, "Dedicated internet 50 Mbps (prorated 15/31 days)", "1", "1200000", "VAT18", "0.18",
         "580645"),  # 1,200,000 x 15/31 = 580,645.16
    line("INV-2025-00042", 3, "Microsoft 365 E3 licences, NGO discount 10%", "25", "30017", "VAT18", "0.18",
         "675382", discount="75043"),  # 750,425 - 75,043
    line("INV-2025-00042", 4, "ICT training for district staff, 3 days", "1", "1067", "EXEMPT", "0", "1067"),
]
# VAT 18% on 1,856,027 = 334,084.86 -> 334,085, whether rounded per line or once.
RWF_INVOICE = Invoice(invoice_no="INV-2025-00042", invoice_date=JULY_1, due_date=JULY_31, customer_id="C001",
                      currency="RWF", net_amount=D(1857094), vat_amount=D(334085), total_amount=D(2191179),
                      terms="NET30", contract_ref="K-2024-0117", po_number="PO/RISA/2025/118", period="2025-07",
                      ebm_receipt_no="20418/20418NS", ebm_sdc_id="SDC010012345", ebm_mrc="WIS01012345",
                      ebm_date=JULY_1, ebm_receipt_type="NS")

USD_LINES = [
    line("INV-2025-00043", 1, "Software licence subscription (export)", "1", "1250.50", "ZERO", "0", "1125.45",
         discount="125.05"),
    line("INV-2025-00043", 2, "Cloud backup storage, 1 TB", "1", "14.75", "VAT18", "0.18", "14.75"),  # VAT 2.655
    line("INV-2025-00043", 3, "Support hours", "3", "0.335", "VAT18", "0.18", "1.01"),  # 1.005 rounds up
    line("INV-2025-00043", 4, "Remote hands", "2.5", "800.555", "VAT18", "0.18", "2001.39"),  # 2,001.3875
    line("INV-2025-00043", 5, "SMS bundle A", "1", "1.25", "VAT18", "0.18", "1.25"),  # VAT 0.225 each...
    line("INV-2025-00043", 6, "SMS bundle B", "1", "1.25", "VAT18", "0.18", "1.25"),  # ...0.46 by line, 0.45 once
    line("INV-2025-00043", 7, "Training course", "1", "99.99", "EXEMPT", "0", "99.99"),
]
# VAT 18%: once on 2,019.65 = 363.537 -> 363.54; line by line 2.66 + 0.18 + 360.25 + 0.23 + 0.23 = 363.55.
USD_VAT = {"invoice": (D("363.54"), D("3608.63")), "line": (D("363.55"), D("3608.64"))}


def usd_invoice(policy: str) -> Invoice:
    vat, total = USD_VAT[policy]
    return Invoice(invoice_no="INV-2025-00043", invoice_date=JULY_1, due_date=dt.date(2025, 8, 15),
                   customer_id="C002", currency="USD", net_amount=D("3245.09"), vat_amount=vat,
                   total_amount=total, terms="EOM+15", period="2025-07")


def rwf_doc() -> InvoiceDocument:
    return InvoiceDocument.from_rows(RWF_INVOICE, RWF_LINES, RISA, SETTINGS, prorations={2: Fraction(15, 31)})


def usd_doc(policy: str = "invoice") -> InvoiceDocument:
    settings = SETTINGS.model_copy(update={"vat_rounding": policy})
    return InvoiceDocument.from_rows(usd_invoice(policy), USD_LINES, ACME, settings)


@pytest.fixture(scope="module")
def template() -> InvoiceTemplate:
    return InvoiceTemplate(DEFAULT_TEMPLATE)


def named(template: InvoiceTemplate, path: Path, *names: str) -> dict[str, object]:
    """The values at the template's names in a filled workbook, read back with openpyxl."""
    sheet = openpyxl.load_workbook(path)[template.sheet_name]
    return {name: sheet[template.cell(name)].value for name in names}


def expected(template: InvoiceTemplate, doc: InvoiceDocument) -> dict[tuple[str, str], D]:
    return {(template.sheet_name, cell): value for cell, value in template.expected_values(doc).items()}


# --- The document ---------------------------------------------------------------------------------------------

def test_a_usd_invoice_shows_its_rwf_equivalent_at_the_rate_of_its_date(template: InvoiceTemplate,
                                                                           tmp_path: Path) -> None:
    """The EBM receipt and the VAT return are in RWF: a USD invoice says what it is in RWF at BNR's rate of its
    date, the rate and its date named; an RWF invoice says nothing."""
    import datetime as dt

    from arxl.core.errors import CellRef
    from arxl.ledger.ledger import DayRate

    invoice = usd_invoice("invoice")
    rate = DayRate(D("1445.50"), invoice.invoice_date - dt.timedelta(days=1), "BNR", CellRef("b.xlsx", "Rates", "C9"))
    doc = InvoiceDocument.from_rows(invoice, USD_LINES, ACME, SETTINGS, rate=rate)
    total = (invoice.total_amount * D("1445.50")).quantize(D(1), rounding=ROUND_HALF_UP)
    vat = (invoice.vat_amount * D("1445.50")).quantize(D(1), rounding=ROUND_HALF_UP)
    expected_text = (f"In RWF at BNR's rate of {rate.published:%d/%m/%Y} (1,445.50 RWF per USD): total {total:,} RWF, "
                     f"of which VAT {vat:,} RWF.")
    assert doc.base_equivalent == expected_text
    [path] = template.write_all([doc], tmp_path)
    assert named(template, path, "inv_base_equivalent") == {"inv_base_equivalent": expected_text}
    assert rwf_doc().base_equivalent == ""
    assert InvoiceDocument.from_rows(invoice, USD_LINES, ACME, SETTINGS).base_equivalent == ""  # no rate: nothing


def test_document_derives_vat_rows_words_terms_and_factors() -> None:
    doc = rwf_doc()
    assert [(r.label, r.base, r.vat) for r in doc.vat_rows] == [("VAT 18%", D(1856027), D(334085)),
                                                                ("Exempt", D(1067), D(0))]
    assert doc.amount_words == "Two million one hundred ninety-one thousand one hundred seventy-nine Rwandan francs"
    assert doc.terms_words == "Net 30 days"
    assert doc.title == "TAX INVOICE"
    assert doc.factors[0] == 1 and doc.factors[2] == 1
    assert round(D(1200000) * doc.factors[1]) == 580645  # the prorated line


def test_usd_vat_rounding_per_invoice_or_per_line() -> None:
    assert [r.vat for r in usd_doc("invoice").vat_rows] == [D("0.00"), D("363.54"), D("0.00")]
    assert [r.vat for r in usd_doc("line").vat_rows] == [D(0), D("363.55"), D(0)]
    assert [r.label for r in usd_doc().vat_rows] == ["Zero-rated 0%", "VAT 18%", "Exempt"]


def test_figures_that_do_not_hold_together_are_refused() -> None:
    with pytest.raises(BadValue, match="INV-2025-00042: its lines add up to 1,857,094 RWF, not to its net"):
        InvoiceDocument.from_rows(RWF_INVOICE.model_copy(update={"net_amount": D(1857000)}), RWF_LINES, RISA,
                                  SETTINGS)
    with pytest.raises(BadValue, match=r"adds up to 363\.54 USD, not to its VAT 363\.55"):
        InvoiceDocument.from_rows(usd_invoice("line"), USD_LINES, ACME, SETTINGS)
    with pytest.raises(BadValue, match=r"line 1: amount 600000\.5 has more decimals than RWF allows"):
        InvoiceDocument.from_rows(RWF_INVOICE, [RWF_LINES[0].model_copy(update={"net_amount": D("600000.5")})],
                                  RISA, SETTINGS)
    with pytest.raises(BadValue, match="has no lines"):
        InvoiceDocument.from_rows(RWF_INVOICE, [], RISA, SETTINGS)


def test_documents_in_a_batch_collect_problems() -> None:
    orphan = RWF_INVOICE.model_copy(update={"invoice_no": "INV-2025-00044", "customer_id": "C999"})
    docs, problems = documents([RWF_INVOICE, usd_invoice("invoice"), orphan], [*RWF_LINES, *USD_LINES],
                               [RISA, ACME], SETTINGS)
    assert [d.number for d in docs] == ["INV-2025-00042", "INV-2025-00043"]
    assert [str(p) for p in problems] == ["[billing.xlsx]Invoices: invoice INV-2025-00044: customer C999 is not "
                                          "in Customers"]


# --- Filling --------------------------------------------------------------------------------------------------

def test_filled_values_read_back_the_same_in_openpyxl_and_calamine(template: InvoiceTemplate,
                                                                   tmp_path: Path) -> None:
    path = template.write_all([rwf_doc()], tmp_path)[0]
    assert path.name == "INV-2025-00042.xlsx"
    inspect_xlsx(path)  # a sound package by arxl's own safety checks
    heads = ("inv_title", "inv_number", "inv_date", "inv_due_date", "inv_terms", "inv_period", "cust_name",
             "cust_tin", "co_tin", "inv_amount_words", "ebm_receipt_no", "ebm_date", "bank_swift")
    values = named(template, path, *heads, "line_description", "line_quantity", "line_unit_price")
    assert values == {
        "inv_title": "TAX INVOICE", "inv_number": "INV-2025-00042", "inv_date": dt.datetime(2025, 7, 1),
        "inv_due_date": dt.datetime(2025, 7, 31), "inv_terms": "Net 30 days", "inv_period": "July 2025",
        "cust_name": "Rwanda Information Society Authority (RISA)", "cust_tin": "102345678", "co_tin": "102458731",
        "inv_amount_words": "Two million one hundred ninety-one thousand one hundred seventy-nine Rwandan francs",
        "ebm_receipt_no": "20418/20418NS", "ebm_date": dt.datetime(2025, 7, 1), "bank_swift": "BKIGRWRW",
        "line_description": "Managed hosting, rack space per U, July 2025", "line_quantity": 4,
        "line_unit_price": 150000,
    }
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(template.sheet_name).to_python()

    def at(name: str) -> object:
        match = re.fullmatch(r"([A-Z]+)([0-9]+)", template.cell(name))
        assert match
        return grid[int(match.group(2)) - 1][openpyxl.utils.column_index_from_string(match.group(1)) - 1]

    for name in heads:
        value = values[name]
        assert at(name) == (value.date() if isinstance(value, dt.datetime) else value), name
    # The formula cells carry arxl's figures as cached values, so a viewer that does not calculate agrees.
    assert (at("inv_subtotal"), at("inv_vat_total"), at("inv_total")) == (1857094, 334085, 2191179)
    book = openpyxl.load_workbook(path)
    assert book.calculation.fullCalcOnLoad
    assert str(book[template.sheet_name][template.cell("inv_total")].value).startswith("=ROUND(")


def test_unused_rows_of_the_blocks_are_hidden(template: InvoiceTemplate, tmp_path: Path) -> None:
    path = template.write_all([rwf_doc()], tmp_path)[0]
    sheet = openpyxl.load_workbook(path)[template.sheet_name]
    first = template.line_first
    hidden = [r for r in range(first, first + template.line_capacity) if sheet.row_dimensions[r].hidden]
    assert hidden == list(range(first + 4, first + template.line_capacity))
    vat = [r for r in range(template.vat_first, template.vat_first + template.vat_capacity)
           if not sheet.row_dimensions[r].hidden]
    assert len(vat) == 2


@pytest.mark.libreoffice
def test_rwf_invoice_recalculates_to_arxls_totals_without_decimals(template: InvoiceTemplate,
                                                                  libreoffice: LibreOffice,
                                                                  tmp_path: Path) -> None:
    doc = rwf_doc()
    path = template.write_all([doc], tmp_path)[0]
    want = expected(template, doc)
    assert want[(template.sheet_name, template.cell("inv_total"))] == D(2191179)
    assert want[(template.sheet_name, template.cell("line_amount", 1))] == D(580645)
    assert_formulas_match(libreoffice, path, want)

    # No decimals anywhere an amount shows: values whole, number formats without decimal places.
    values = recalculated_values(libreoffice, path)[template.sheet_name]
    sheet = openpyxl.load_workbook(path)[template.sheet_name]
    visible = [c for row in sheet.iter_rows(max_col=8) for c in row if c.coordinate]  # A:H, the printed columns
    share = re.sub(r"[0-9]", "", template.cell("line_share"))  # a fraction of the period, not an amount
    shown = [c for c in visible if isinstance(values.get(c.coordinate), int | float) and c.column_letter != share]
    assert len(shown) > 20
    assert [c.coordinate for c in shown if values[c.coordinate] != int(values[c.coordinate])] == []
    assert [(c.coordinate, c.number_format) for c in visible if re.search(r"0\.0", c.number_format)] == []
    assert sheet[template.cell("inv_total")].number_format == "#,##0;-#,##0"


_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f[^>]*>.*?</f>(?:<v>(.*?)</v>)?</c>', re.S)


@pytest.mark.libreoffice
def test_every_formula_of_an_invoice_carries_the_value_libreoffice_computes(
        template: InvoiceTemplate, libreoffice: LibreOffice, tmp_path: Path) -> None:
    """A reader that does not recalculate (a mail preview, pandas, an auditor's script) sees the figures."""
    docs = [rwf_doc(), usd_doc("line")]
    for doc, path in zip(docs, template.write_all(docs, tmp_path), strict=True):
        with zipfile.ZipFile(path) as package:
            sheet_xml = next(package.read(n).decode() for n in package.namelist()
                             if n.startswith("xl/worksheets/sheet"))
        formulas = _FORMULA_CELL.findall(sheet_xml)
        assert len(formulas) >= 70, doc.number  # lines and VAT rows, used and unused, and the three totals
        assert [ref for ref, _, value in formulas if value is None] == [], doc.number
        values = recalculated_values(libreoffice, path)[template.sheet_name]
        for ref, attributes, cached in formulas:
            computed = values.get(ref)
            if 't="str"' in attributes:
                assert cached == "" and computed in (None, ""), (doc.number, ref, cached, computed)
            else:
                assert D(cached) == D(str(computed)), (doc.number, ref, cached, computed)
        assert named(template, path, "inv_total_label") == {"inv_total_label": f"TOTAL {doc.currency}"}


@pytest.mark.libreoffice
@pytest.mark.parametrize("policy", ["invoice", "line"])
def test_usd_invoice_with_several_tax_codes_recalculates_to_arxls_totals(
        template: InvoiceTemplate, libreoffice: LibreOffice, tmp_path: Path, policy: str) -> None:
    doc = usd_doc(policy)
    path = template.write_all([doc], tmp_path)[0]
    want = expected(template, doc)
    vat, total = USD_VAT[policy]
    assert want[(template.sheet_name, template.cell("inv_vat_total"))] == vat
    assert want[(template.sheet_name, template.cell("inv_total"))] == total
    assert want[(template.sheet_name, template.cell("vat_amount", 1))] == vat  # the VAT 18% row
    assert_formulas_match(libreoffice, path, want)
    sheet = openpyxl.load_workbook(path)[template.sheet_name]
    assert sheet[template.cell("inv_total")].number_format == "#,##0.00;-#,##0.00"
    assert sheet[template.cell("vat_base")].number_format == '"on "#,##0.00;"on "-#,##0.00'


def test_outside_text_stays_text(template: InvoiceTemplate, tmp_path: Path) -> None:
    hostile = RISA.model_copy(update={"name": '=HYPERLINK("http://x","click")', "address": "@SUM(A1)",
                                      "tin": "+1-2", "contact": "a_x0041_b\x01 <b>&amp;"})
    lines = [RWF_LINES[0].model_copy(update={"description": "=1+1"}), *RWF_LINES[1:]]
    doc = InvoiceDocument.from_rows(RWF_INVOICE, lines, hostile, SETTINGS)
    path = template.write_all([doc], tmp_path)[0]
    book = openpyxl.load_workbook(path)
    sheet = book[template.sheet_name]
    for name, text in (("cust_name", '=HYPERLINK("http://x","click")'), ("cust_address", "@SUM(A1)"),
                       ("cust_tin", "+1-2"), ("line_description", "=1+1")):
        cell = sheet[template.cell(name)]
        assert (cell.value, cell.data_type) == (text, "s"), name
        assert cell.quotePrefix == (text[0] in "=+-@"), name  # and stays text when edited in Excel
    assert not sheet[template.cell("inv_number")].quotePrefix
    # A control character and text that looks like Excel's own _xHHHH_ escape are escaped: Excel, LibreOffice
    # and calamine read the original back (openpyxl does not undo escapes in inline strings).
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(template.sheet_name).to_python()
    row, column = openpyxl.utils.cell.coordinate_to_tuple(template.cell("cust_contact"))
    assert grid[row - 1][column - 1] == "a_x0041_b\x01 <b>&amp;"
    with zipfile.ZipFile(path) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    cell_xml = re.search(rf'<c r="{template.cell("cust_name")}"[^>]*>.*?</c>', xml)
    assert cell_xml and "<f>" not in cell_xml.group() and 't="inlineStr"' in cell_xml.group()


@pytest.mark.libreoffice
def test_formula_like_text_is_still_text_after_libreoffice(template: InvoiceTemplate, libreoffice: LibreOffice,
                                                           tmp_path: Path) -> None:
    hostile = RISA.model_copy(update={"name": '=HYPERLINK("http://x")'})
    path = template.write_all([InvoiceDocument.from_rows(RWF_INVOICE, RWF_LINES, hostile, SETTINGS)], tmp_path)[0]
    values = recalculated_values(libreoffice, path)[template.sheet_name]
    assert values[template.cell("cust_name")] == '=HYPERLINK("http://x")'


def test_too_many_lines_for_the_block_names_the_block(template: InvoiceTemplate) -> None:
    many = [line("INV-2025-00042", n, f"Line {n}", "1", "100", "VAT18", "0.18", "100") for n in range(1, 32)]
    invoice = RWF_INVOICE.model_copy(update={"net_amount": D(3100), "vat_amount": D(558), "total_amount": D(3658)})
    doc = InvoiceDocument.from_rows(invoice, many, RISA, SETTINGS)
    with pytest.raises(BadValue, match=r"has 31 lines; the template's lines block inv_lines \(Invoice!A19:K48\) "
                                       r"holds 30"):
        template.render(doc)


def test_write_all_is_atomic_and_refuses_what_it_cannot_write(template: InvoiceTemplate, tmp_path: Path) -> None:
    paths = template.write_all([rwf_doc(), usd_doc()], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["INV-2025-00042.xlsx", "INV-2025-00043.xlsx"]
    before = paths[0].read_bytes()
    (tmp_path / ".~lock.INV-2025-00043.xlsx#").write_text("open")
    with pytest.raises(WorkbookLocked, match="is open in LibreOffice"):
        template.write_all([rwf_doc(), usd_doc()], tmp_path)
    assert paths[0].read_bytes() == before
    bad = RWF_INVOICE.model_copy(update={"invoice_no": "../evil"})
    doc = InvoiceDocument.from_rows(bad, [x.model_copy(update={"invoice_no": "../evil"}) for x in RWF_LINES], RISA,
                                    SETTINGS)
    with pytest.raises(BadValue, match="cannot be a file name"):
        template.write_all([doc], tmp_path)
    with pytest.raises(BadValue, match="is given twice"):
        template.write_all([rwf_doc(), rwf_doc()], tmp_path / "twice")


def test_credit_note_reads_as_one(template: InvoiceTemplate, tmp_path: Path) -> None:
    credit = Invoice(invoice_no="CN-2025-00001", doc_type="credit_note", invoice_date=JULY_31, due_date=JULY_31,
                     customer_id="C001", currency="RWF", net_amount=D(-1067), vat_amount=D(0),
                     total_amount=D(-1067), original_invoice="INV-2025-00042")
    lines = [line("CN-2025-00001", 1, "Training not delivered", "1", "-1067", "EXEMPT", "0", "-1067")]
    path = template.write_all([InvoiceDocument.from_rows(credit, lines, RISA, SETTINGS)], tmp_path)[0]
    assert named(template, path, "inv_title", "inv_original", "inv_amount_words") == {
        "inv_title": "CREDIT NOTE", "inv_original": "Credit note for invoice INV-2025-00042",
        "inv_amount_words": "Minus one thousand sixty-seven Rwandan francs"}


# --- Restyled templates ---------------------------------------------------------------------------------------

def _shift_ref(text: str, rows: int, area: str) -> str:
    """A defined name's reference moved ``rows`` down when its first cell is inside ``area``."""
    sheet, ref = text.split("!")
    left, top, right, bottom = range_boundaries(ref.replace("$", ""))
    a_left, a_top, a_right, a_bottom = range_boundaries(area)
    assert left is not None and top is not None and right is not None and bottom is not None
    assert a_left is not None and a_top is not None and a_right is not None and a_bottom is not None
    if not (a_left <= left <= a_right and a_top <= top <= a_bottom):
        return text
    start = f"${openpyxl.utils.get_column_letter(left)}${top + rows}"
    end = f"${openpyxl.utils.get_column_letter(right)}${bottom + rows}"
    return f"{sheet}!{start}" + (f":{end}" if (left, top) != (right, bottom) else "")


def _move(book: openpyxl.Workbook, area: str, rows: int) -> None:
    """What Excel does on a cut and paste: cells, formulas, merged cells and the names on them move."""
    sheet = book["Invoice"]
    left, top, right, bottom = range_boundaries(area)
    assert left is not None and top is not None and right is not None and bottom is not None
    merges = [m for m in sheet.merged_cells.ranges
              if top <= m.min_row <= bottom and left <= m.min_col <= right]
    sheet.move_range(area, rows=rows, translate=True)
    for merge in merges:
        merge.shift(0, rows)
    for defined in book.defined_names.values():
        defined.attr_text = _shift_ref(defined.attr_text, rows, area)


def restyle(source: Path, target: Path) -> Path:
    """Three rows inserted at the top for a letterhead, and the customer block moved below the notes."""
    book = openpyxl.load_workbook(source)
    sheet = book["Invoice"]
    last = sheet.max_row
    _move(book, f"A1:K{last}", 3)
    sheet["A1"] = "LETTERHEAD"
    customer = (11, 19)  # A8:B16 before the three rows came in
    _move(book, f"A{customer[0]}:B{customer[1]}", 70)
    sheet.print_area = f"A1:H{last + 3 + 70}"
    book.save(target)
    return target


def test_a_restyled_template_fills_at_the_new_places(template: InvoiceTemplate, tmp_path: Path) -> None:
    restyled = InvoiceTemplate(restyle(DEFAULT_TEMPLATE, tmp_path / "restyled.xlsx"))
    assert (restyled.cell("inv_number"), restyled.cell("cust_name"), restyled.cell("line_amount")) == \
        ("E12", "A82", "H22")
    path = restyled.write_all([rwf_doc()], tmp_path / "out")[0]
    sheet = openpyxl.load_workbook(path)["Invoice"]
    assert sheet["A1"].value == "LETTERHEAD"
    assert sheet["E12"].value == "INV-2025-00042"
    assert sheet["A82"].value == "Rwanda Information Society Authority (RISA)"
    assert sheet["A86"].value == "102345678"  # the customer's TIN, moved with its block
    assert sheet["A12"].value is None and sheet["A16"].value is None  # nothing left at the old places
    assert sheet["B22"].value == "Managed hosting, rack space per U, July 2025"
    assert sheet["H22"].value == '=IF(C22="","",ROUND(C22*D22*J22-F22,inv_decimals))'


@pytest.mark.libreoffice
def test_a_restyled_template_still_totals_like_arxl(libreoffice: LibreOffice, tmp_path: Path) -> None:
    restyled = InvoiceTemplate(restyle(DEFAULT_TEMPLATE, tmp_path / "restyled.xlsx"))
    doc = usd_doc("line")
    path = restyled.write_all([doc], tmp_path / "out")[0]
    want = expected(restyled, doc)
    assert want[("Invoice", "H59")] == D("3608.64")  # the total, three rows further down
    assert_formulas_match(libreoffice, path, want)


def _without(source: Path, target: Path, change: str) -> Path:
    book = openpyxl.load_workbook(source)
    if change == "drop cust_tin":
        del book.defined_names["cust_tin"]
    elif change == "name inside merge":
        book.defined_names["cust_name"].attr_text = "Invoice!$B$9"
    elif change == "line name off the first row":
        book.defined_names["line_amount"].attr_text = "Invoice!$H$20"
    elif change == "total without formula":
        book["Invoice"]["H56"].value = 0
    elif change == "deleted cells":
        book.defined_names["inv_date"].attr_text = "Invoice!#REF!"
    elif change == "words on a VAT row":
        book.defined_names["inv_amount_words"].attr_text = "Invoice!$A$52"
    book.save(target)
    return target


@pytest.mark.parametrize(("change", "message"), [
    ("drop cust_tin", "has no defined name cust_tin"),
    ("name inside merge", "name cust_name points at B9, inside the merged cells A9:B10: point it at A9"),
    ("line name off the first row", r"name line_amount \(H20\) is not on the first row of the block inv_lines"),
    ("total without formula", r"cell H56 \(inv_total\) holds no formula"),
    ("deleted cells", "name inv_date points at Invoice!#REF!"),
    ("words on a VAT row", "name inv_amount_words .* is on a row of the block inv_vat"),
])
def test_a_broken_template_is_refused_with_the_name(tmp_path: Path, change: str, message: str) -> None:
    path = _without(DEFAULT_TEMPLATE, tmp_path / "broken.xlsx", change)
    with pytest.raises(TemplateError, match=message) as error:
        InvoiceTemplate(path)
    assert str(error.value).startswith("[broken.xlsx]: invoice template ")


def test_the_committed_template_has_every_name() -> None:
    book = openpyxl.load_workbook(DEFAULT_TEMPLATE)
    assert set(REQUIRED) <= set(book.defined_names)
    sheet = book["Invoice"]
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "portrait")  # A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_area


# --- PDF ------------------------------------------------------------------------------------------------------

@pytest.mark.libreoffice
def test_a_pdf_is_a_real_page(template: InvoiceTemplate, libreoffice: LibreOffice, tmp_path: Path) -> None:
    need_tool(shutil.which("pdftoppm") is not None, "pdftoppm is not installed: apt-get install poppler-utils")
    paths = template.write_all([rwf_doc(), usd_doc()], tmp_path / "xlsx")
    pdfs = to_pdf(paths, tmp_path / "pdf", libreoffice, batch_size=1)
    assert [p.name for p in pdfs] == ["INV-2025-00042.pdf", "INV-2025-00043.pdf"]
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdfs[0]), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.pgm"))
    assert len(pages) == 1  # the invoice fits on one A4 page
    header, pixels = _pgm(pages[0])
    width, height = header
    assert (abs(width - 331) <= 2, abs(height - 468) <= 2) == (True, True)  # A4 at 40 dpi
    dark = sum(1 for value in pixels if value < 200)
    assert dark > 0.02 * width * height  # text, bars and lines, not a blank page
    # what a customer's search or screen reader finds: the invoice, and nothing from the hidden helper columns
    words = subprocess.run(["pdftotext", str(pdfs[0]), "-"], check=True, capture_output=True, text=True).stdout
    assert "TAX INVOICE" in words and "INV-2025-00042" in words
    for hidden in ("VAT rounding", "Decimals", "Factor", "Line VAT", "invoice\n"):
        assert hidden not in words, f"{hidden!r} is in the PDF's text layer"


def _pgm(path: Path) -> tuple[tuple[int, int], bytes]:
    data = path.read_bytes()
    magic, width, height, maximum, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and maximum == b"255"
    return (int(width), int(height)), pixels[: int(width) * int(height)]


# --- A prorated line multiplies out on paper ------------------------------------------------------------------

# INV-2025-00443 as a customer read it: Qty 6 x Unit price 210,000 = 731,613. Each line is a period cut by a
# start or end date; the small ones are where the factor derived from the rounded amount shows a wrong
# fraction (1,000 x 18/31 = 581 gives 0.581, which a fraction format shows as 477/821).
PRORATED = [  # quantity, unit price, days billed / days of the period, amount
    ("6", "210000", Fraction(18, 31), "731613"),  # 1,260,000 x 18/31 = 731,612.90
    ("1", "1000", Fraction(18, 31), "581"),  # 580.65
    ("1", "1000", Fraction(7, 30), "233"),  # 233.33
    ("1", "1000", Fraction(61, 92), "663"),  # a quarter: 663.04
    ("1", "1000", Fraction(199, 365), "545"),  # a year: 545.21
    ("1", "1000", Fraction(101, 366), "276"),  # a leap year: 275.96
    ("4", "150000", Fraction(1), "600000"),  # a whole month: no share shown
]


LONG = "Managed Wi-Fi, per access point, Kigali Heights, every floor and the car park, July 2025 " \
    "(prorated 18/31 days)"


def prorated_doc() -> InvoiceDocument:
    lines = [line("INV-2025-00443", n, f"Service {n}, July 2025", quantity, price, "EXEMPT", "0", amount)
             for n, (quantity, price, _, amount) in enumerate(PRORATED, start=1)]
    lines[0] = lines[0].model_copy(update={"description": LONG})
    net = sum(D(amount) for *_, amount in PRORATED)
    invoice = RWF_INVOICE.model_copy(update={"invoice_no": "INV-2025-00443", "net_amount": net,
                                             "vat_amount": D(0), "total_amount": net})
    shares = {n: share for n, (_, _, share, _) in enumerate(PRORATED, start=1)}
    return InvoiceDocument.from_rows(invoice, lines, RISA, SETTINGS, prorations=shares)


def test_a_prorated_line_shows_the_billed_share_not_the_rounded_factor() -> None:
    doc = prorated_doc()
    assert [s and Fraction(s).limit_denominator(366) for s in doc.shares] == [
        Fraction(18, 31), Fraction(18, 31), Fraction(7, 30), Fraction(61, 92), Fraction(199, 365),
        Fraction(101, 366), None]
    assert doc.shares[0] == D("0.58064516129032258")  # 17 digits, as the hidden factor
    assert doc.factors[1] == D("0.581") != doc.shares[1]  # what the amount alone would have shown
    # without the billing's proration, or with one that does not give the amount, the factor is shown
    plain = InvoiceDocument.from_rows(doc.invoice, doc.lines, RISA, SETTINGS)
    assert plain.shares == (*plain.factors[:6], None)
    wrong = InvoiceDocument.from_rows(doc.invoice, doc.lines, RISA, SETTINGS, prorations={2: Fraction(17, 31)})
    assert wrong.shares[1] == D("0.581")


def test_the_share_comes_from_the_billing_schedule_and_the_contract() -> None:
    from arxl.billing.schedule import charges, prorations
    from arxl.ledger.records import Contract

    def contract(ref: str, cycle: str, start: dt.date, end: dt.date | None = None) -> Contract:
        return Contract(contract_ref=ref, customer_id="C001", service_code="HOST", quantity=D(6),
                        rate=D(210000), currency="RWF", cycle=cycle, start_date=start, end_date=end)

    ks = [contract("K-M", "monthly", dt.date(2025, 7, 14)), contract("K-Q", "quarterly", dt.date(2025, 8, 1)),
          contract("K-Y", "annual", dt.date(2024, 1, 1), dt.date(2024, 4, 10)),
          contract("K-W", "monthly", dt.date(2025, 7, 1))]
    bills = [("K-M", "2025-07"), ("K-Q", "2025-08"), ("K-Y", "2024-01"), ("K-W", "2025-07")]
    by_ref = {k.contract_ref: k for k in ks}
    schedule, lines = [], []
    for n, (ref, period) in enumerate(bills, start=1):
        [c] = charges(by_ref[ref], period)
        schedule.append(c.schedule_line("billed", f"INV-{n}"))
        lines.append(line(f"INV-{n}", 1, c.description, "6", "210000", "VAT18", "0.18", str(c.net))
                     .model_copy(update={"contract_ref": ref}))
    assert [x.description.split(" (")[-1] for x in lines[:3]] == ["prorated 18/31 days)", "prorated 61/92 days)",
                                                                 "prorated 101/366 days)"]
    assert prorations(ks, schedule, lines) == {("INV-1", 1): Fraction(18, 31), ("INV-2", 1): Fraction(61, 92),
                                               ("INV-3", 1): Fraction(101, 366)}  # a whole month: none
    # a row not billed on that invoice, or for another amount, proves nothing
    assert prorations(ks, [s.model_copy(update={"invoice_no": "INV-9"}) for s in schedule], lines) == {}
    assert prorations(ks, schedule, [x.model_copy(update={"net_amount": D(1)}) for x in lines]) == {}


def test_generated_invoices_show_the_share_of_a_prorated_line(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Through `arxl invoices generate`: the register's BillingSchedule and Contracts give the share."""
    from arxl.cli import main
    from tests.test_billing import book_with, contract

    book = book_with(tmp_path, [contract(contract_ref="K-001", rate=D(210000), quantity=D(6), po_number="PO-1",
                                         start_date=dt.date(2025, 7, 14))])
    out_dir = tmp_path / "invoices"
    assert main(["invoices", "generate", str(book), "--period", "2025-07", "--out", str(out_dir)]) == 0
    capsys.readouterr()
    [path] = sorted(out_dir.glob("*.xlsx"))
    template = InvoiceTemplate(DEFAULT_TEMPLATE)
    sheet = openpyxl.load_workbook(path)[template.sheet_name]
    share = sheet[template.cell("line_share")]
    assert (sheet[template.cell("line_quantity")].value, sheet[template.cell("line_unit_price")].value) == (6, 210000)
    assert (share.value, share.number_format) == (float(D("0.58064516129032258")), "# ???/???")
    assert "(prorated 18/31 days)" in str(sheet[template.cell("line_description")].value)
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(template.sheet_name).to_python()
    row, column = openpyxl.utils.cell.coordinate_to_tuple(template.cell("line_amount"))
    assert grid[row - 1][column - 1] == 731613  # the cached amount: 6 x 210,000 x 18/31


@pytest.mark.libreoffice
def test_a_prorated_line_multiplies_out_in_the_pdf(template: InvoiceTemplate, libreoffice: LibreOffice,
                                                   tmp_path: Path) -> None:
    """What the customer reads: Qty x Unit price x Share = Amount on each line, the share as the fraction of
    days billed (reduced: 18/31, 7/30, 61/92, 199/365, 101/366), and the amounts still LibreOffice's."""
    need_tool(shutil.which("pdftotext") is not None, "pdftotext is not installed: apt-get install poppler-utils")
    doc = prorated_doc()
    [path] = template.write_all([doc], tmp_path / "xlsx")
    assert_formulas_match(libreoffice, path, expected(template, doc))
    sheet = openpyxl.load_workbook(path)[template.sheet_name]
    first = sheet[template.cell("line_share")]
    assert (first.value, first.number_format) == (float(D("0.58064516129032258")), "# ???/???")
    assert sheet[template.cell("line_share", 6)].value is None  # a whole period
    [pdf] = to_pdf([path], tmp_path / "pdf", libreoffice)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    rows = {words[0]: words[1:] for words in (t.split() for t in text.splitlines()) if words}
    assert rows["1"][-5:] == ["6", "210,000", "18/31", "EXEMPT", "731,613"]
    read = {no: (rows[no][-5], rows[no][-4], rows[no][-3], rows[no][-1]) for no in "23456"}
    assert read == {"2": ("1", "1,000", "18/31", "581"), "3": ("1", "1,000", "7/30", "233"),
                    "4": ("1", "1,000", "61/92", "663"), "5": ("1", "1,000", "199/365", "545"),
                    "6": ("1", "1,000", "101/366", "276")}
    assert rows["7"][-4:] == ["4", "150,000", "EXEMPT", "600,000"]  # no share on a whole month
    # the long description wraps inside its own row (arxl sets the row's height), not over the next line
    assert rows["2"] == ["Service", "2,", "July", "2025", "1", "1,000", "18/31", "EXEMPT", "581"]
    words = [t.split() for t in text.splitlines() if t.strip()]
    one, two = [w[:1] for w in words].index(["1"]), [w[:1] for w in words].index(["2"])
    assert " ".join(words[one][1:-5] + [w for ws in words[one + 1:two] for w in ws]) == LONG
    for hidden in ("VAT rounding", "Decimals", "Factor", "Line VAT"):
        assert hidden not in text, f"{hidden!r} is in the PDF's text layer"


def test_a_template_without_the_share_column_still_fills(tmp_path: Path) -> None:
    """line_share is optional: a template restyled before it existed prints as before."""
    book = openpyxl.load_workbook(DEFAULT_TEMPLATE)
    del book.defined_names["line_share"]
    book.save(tmp_path / "old.xlsx")
    old = InvoiceTemplate(tmp_path / "old.xlsx")
    path = old.write_all([rwf_doc()], tmp_path / "out")[0]
    sheet = openpyxl.load_workbook(path)["Invoice"]
    assert sheet[old.cell("line_amount", 1)].value == '=IF(C20="","",ROUND(C20*D20*J20-F20,inv_decimals))'
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Invoice").to_python()
    assert grid[19][7] == 580645  # H20, the prorated line's amount, as before
