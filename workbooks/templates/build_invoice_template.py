"""Build ``invoice.xlsx``, the tax invoice template that ``arxl invoices generate`` fills.

    python workbooks/templates/build_invoice_template.py [OUT.xlsx]

The template is the accountant's to restyle in Excel (logo, fonts, colours, moving blocks): arxl finds every
place it fills through workbook-level defined names (Formulas > Name Manager), never through coordinates. The
names and what goes in them are listed in :mod:`arxl.formats.invoice_doc`. This script only makes the first,
neutral version; once the accountant has restyled the .xlsx, that file is the template and this script is
not run again.

Layout (A4 portrait, one page wide): supplier and "TAX INVOICE" at the top, customer ("Bill to") and invoice
details side by side, the lines block (30 rows; rows no line uses are hidden on each invoice), the totals
with VAT per tax code, the amount in words, bank details, the EBM receipt box and notes. A prorated line shows
its share of the period as a fraction (Qty 6 x Unit price 210,000 x Share 18/31 = Amount 731,613), so every
line multiplies out on paper. Columns I:K are hidden helpers: each line's VAT rate, its exact factor (what the
Amount formula multiplies by, derived from the billed amount) and its own VAT; each VAT row's tax code and
rate; and two switches arxl sets per invoice (``inv_decimals``, ``inv_vat_rounding``). Every amount, subtotal, VAT
and total is a live formula that rounds to ``inv_decimals`` like Excel's ROUND.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
SHEET = "Invoice"
FONT = "Arial"
BRAND = "1F4E78"  # dark blue of headings and bars
LIGHT = "DDEBF7"  # pale blue of the total and the table header
GREY = "595959"
LINE_FIRST, LINE_CAPACITY = 19, 30
VAT_FIRST, VAT_CAPACITY = 51, 4
AMOUNT = "#,##0.00;-#,##0.00"  # the USD form; arxl switches amount cells to the invoice currency's decimals
BASE = '"on "#,##0.00;"on "-#,##0.00'
DATE = "d mmm yyyy"
SHARE = "# ???/???"  # 0.580645... shows as 18/31; three digits for the denominators of a year (365, 366)

THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNDER = Border(bottom=THIN)
# Description and the amounts gave up room for the Share column: the print stays one A4 page wide.
WIDTHS = {"A": 5.5, "B": 35, "C": 6.5, "D": 13, "E": 10, "F": 11, "G": 7.5, "H": 16, "I": 10, "J": 10, "K": 10}


def font(size: float = 9, bold: bool = False, color: str = "000000", italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, color=color, italic=italic)


def put(ws: Worksheet, ref: str, value: object = None, *, size: float = 9, bold: bool = False,
        color: str = "000000", italic: bool = False, align: str = "left", valign: str = "center",
        wrap: bool = False, shrink: bool = False, fmt: str | None = None, fill: str | None = None,
        border: Border | None = None, merge: str | None = None) -> None:
    """One cell (or a merged range starting there) with its value and look."""
    cell = ws[ref]
    if value is not None:
        cell.value = value
    cell.font = font(size, bold, color, italic)
    cell.alignment = Alignment(horizontal=align, vertical=valign, wrap_text=wrap, shrink_to_fit=shrink)
    if fmt:
        cell.number_format = fmt
    if fill:
        cell.fill = PatternFill("solid", fgColor=fill)
    if border:
        cell.border = border
    if merge:
        ws.merge_cells(f"{ref}:{merge}")
        if border or fill:
            for row in ws[f"{ref}:{merge}"]:
                for other in row:
                    if border:
                        other.border = border
                    if fill:
                        other.fill = PatternFill("solid", fgColor=fill)


def bar(ws: Worksheet, first: str, last: str, title: str) -> None:
    """A section heading: white capitals on the brand colour."""
    put(ws, first, title, size=8.5, bold=True, color="FFFFFF", fill=BRAND, merge=last)


def name(book: Workbook, key: str, ref: str) -> None:
    """A workbook-level defined name on the invoice sheet (absolute reference, as Excel writes it)."""
    parts = [f"${''.join(c for c in p if c.isalpha())}${''.join(c for c in p if c.isdigit())}"
             for p in ref.split(":")]
    book.defined_names[key] = DefinedName(key, attr_text=f"{SHEET}!{':'.join(parts)}")


def build(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for letter in "IJK":
        ws.column_dimensions[letter].hidden = True

    # Supplier and title.
    ws.row_dimensions[1].height = 30
    put(ws, "A1", "Your Company Ltd", size=16, bold=True, color=BRAND, merge="D1", shrink=True)
    name(book, "co_name", "A1")
    put(ws, "E1", "TAX INVOICE", size=20, bold=True, color=BRAND, align="right", merge="H1")
    name(book, "inv_title", "E1")
    put(ws, "A2", "KG 000 St, PO Box 0000, Kigali, Rwanda", color=GREY, merge="D2", shrink=True)
    name(book, "co_address", "A2")
    put(ws, "E2", None, size=8.5, italic=True, color=GREY, align="right", merge="H2", shrink=True)
    name(book, "inv_original", "E2")
    for row, key, label in ((3, "co_tin", "TIN: "), (4, "co_phone", "Tel: "), (5, "co_email", "Email: ")):
        put(ws, f"A{row}", None, color=GREY, fmt=f'"{label}"@', merge=f"D{row}", shrink=True)
        name(book, key, f"A{row}")
    ws["A3"].font = font(9, bold=True)
    for col in "ABCDEFGH":
        ws[f"{col}6"].border = Border(bottom=Side(style="medium", color=BRAND))
    ws.row_dimensions[6].height = 6
    ws.row_dimensions[7].height = 8

    # Customer and invoice details.
    bar(ws, "A8", "B8", "BILL TO")
    bar(ws, "D8", "H8", "INVOICE DETAILS")
    put(ws, "A9", "Customer name", size=10.5, bold=True, valign="top", wrap=True, merge="B10")
    name(book, "cust_name", "A9")
    put(ws, "A11", "Customer address", valign="top", wrap=True, merge="B12")
    name(book, "cust_address", "A11")
    for row, key, label in ((13, "cust_tin", "TIN: "), (14, "cust_contact", "Attn: "),
                            (15, "cust_email", "Email: "), (16, "cust_id", "Customer account: ")):
        put(ws, f"A{row}", None, fmt=f'"{label}"@', merge=f"B{row}", shrink=True)
        name(book, key, f"A{row}")
    ws["A13"].font = font(9, bold=True)
    details = (("Invoice No.", "inv_number", None), ("Invoice date", "inv_date", DATE),
               ("Due date", "inv_due_date", DATE), ("Terms", "inv_terms", None),
               ("Contract ref.", "inv_contract_ref", None), ("PO number", "inv_po_number", None),
               ("Period", "inv_period", None), ("Currency", "inv_currency", None))
    for row, (label, key, fmt) in enumerate(details, start=9):
        put(ws, f"D{row}", label, size=8.5, bold=True, color=GREY, border=UNDER)
        bold = key in ("inv_number", "inv_due_date")
        put(ws, f"E{row}", None, bold=bold, fmt=fmt, align="left", shrink=True, border=UNDER, merge=f"H{row}")
        name(book, key, f"E{row}")
    ws["E16"].value = "USD"

    # The lines block.
    ws.row_dimensions[17].height = 10
    header = LINE_FIRST - 1
    ws.row_dimensions[header].height = 18
    # The hidden helpers' headings stay empty: a hidden cell's text still reaches the PDF's text layer.
    for col, title, align in (("A", "No.", "center"), ("B", "Description", "left"), ("C", "Qty", "right"),
                              ("D", "Unit price", "right"), ("E", "Share", "right"), ("F", "Discount", "right"),
                              ("G", "Tax", "center"), ("H", "Amount", "right"),
                              ("I", None, "right"), ("J", None, "right"), ("K", None, "right")):
        put(ws, f"{col}{header}", title, size=8.5, bold=True, color="FFFFFF", fill=BRAND, align=align)
    helpers = (("I", "VAT rate of the line (arxl fills it)"),
               ("J", "Factor: what the Amount formula multiplies quantity x unit price by, 1 or the proration to "
                     "17 digits (arxl fills it)"),
               ("K", "The line's own VAT, for VAT rounded line by line"))
    for col, what in helpers:
        ws[f"{col}{header}"].comment = Comment(what, "arxl")
    last_line = LINE_FIRST + LINE_CAPACITY - 1
    for r in range(LINE_FIRST, last_line + 1):
        cells = (("A", None, "center", "General"), ("B", None, "left", None), ("C", None, "right", "General"),
                 ("D", None, "right", AMOUNT), ("E", None, "right", SHARE), ("F", None, "right", AMOUNT),
                 ("G", None, "center", None),
                 ("H", f'=IF(C{r}="","",ROUND(C{r}*D{r}*J{r}-F{r},inv_decimals))', "right", AMOUNT),
                 ("I", None, "right", "0%"), ("J", None, "right", "General"),
                 ("K", f'=IF(H{r}="","",ROUND(H{r}*I{r},inv_decimals))', "right", AMOUNT))
        for col, value, align, fmt in cells:
            put(ws, f"{col}{r}", value, align=align, valign="top", wrap=col == "B", fmt=fmt,
                border=Border(bottom=Side(style="hair", color="BFBFBF")))
    for key, col in (("line_no", "A"), ("line_description", "B"), ("line_quantity", "C"),
                     ("line_unit_price", "D"), ("line_share", "E"), ("line_discount", "F"),
                     ("line_tax_code", "G"), ("line_amount", "H"), ("line_vat_rate", "I"), ("line_factor", "J"),
                     ("line_vat", "K")):
        name(book, key, f"{col}{LINE_FIRST}")
    name(book, "inv_lines", f"A{LINE_FIRST}:K{last_line}")
    samples = ((1, "Managed hosting, rack space per U, July 2025", 4, 150, None, 1, 0, "VAT18"),
               (2, "Software licence subscription (export of services, prorated 18/31 days)", 1, 1250.5, 18 / 31,
                726.1 / 1250.5, 125.05, "ZERO"))
    for r, (no, text, qty, price, share, factor, discount, code) in enumerate(samples, start=LINE_FIRST):
        for col, sample in zip("ABCDEFG", (no, text, qty, price, share, discount or None, code), strict=True):
            ws[f"{col}{r}"].value = sample
        ws[f"I{r}"].value = 0.18 if code == "VAT18" else 0
        ws[f"J{r}"].value = factor
    ws.row_dimensions[last_line + 1].height = 6

    # Totals: subtotal, VAT per tax code (rounded per invoice or per line, as Settings say), total.
    lines = f"{LINE_FIRST}:{{0}}{last_line}"
    sub = VAT_FIRST - 1
    put(ws, f"D{sub}", "Subtotal (excl. VAT)", bold=True, align="right", merge=f"G{sub}")
    put(ws, f"H{sub}", f"=ROUND(SUM(H{lines.format('H')}),inv_decimals)", bold=True, align="right", fmt=AMOUNT)
    name(book, "inv_subtotal", f"H{sub}")
    last_vat = VAT_FIRST + VAT_CAPACITY - 1
    codes, amounts, line_vat = (f"G{lines.format('G')}", f"H{lines.format('H')}", f"K{lines.format('K')}")
    for r in range(VAT_FIRST, last_vat + 1):
        put(ws, f"D{r}", None, align="right")
        put(ws, f"E{r}", f'=IF(I{r}="","",ROUND(SUMIF({codes},I{r},{amounts}),inv_decimals))', size=8,
            color=GREY, align="right", fmt=BASE, merge=f"G{r}")
        put(ws, f"H{r}", f'=IF(I{r}="","",IF(inv_vat_rounding="line",ROUND(SUMIF({codes},I{r},{line_vat}),'
                         f'inv_decimals),ROUND(E{r}*J{r},inv_decimals)))', align="right", fmt=AMOUNT)
        put(ws, f"I{r}", None)
        put(ws, f"J{r}", None, fmt="0%")
    ws[f"D{VAT_FIRST}"].value, ws[f"I{VAT_FIRST}"].value, ws[f"J{VAT_FIRST}"].value = "VAT 18%", "VAT18", 0.18
    ws[f"D{VAT_FIRST + 1}"].value, ws[f"I{VAT_FIRST + 1}"].value = "Zero-rated 0%", "ZERO"
    ws[f"J{VAT_FIRST + 1}"].value = 0
    for key, col in (("vat_label", "D"), ("vat_base", "E"), ("vat_amount", "H"), ("vat_code", "I"),
                     ("vat_rate", "J")):
        name(book, key, f"{col}{VAT_FIRST}")
    name(book, "inv_vat", f"D{VAT_FIRST}:J{last_vat}")
    vat_total, grand = last_vat + 1, last_vat + 2
    put(ws, f"D{vat_total}", "Total VAT", bold=True, align="right", merge=f"G{vat_total}",
        border=Border(top=THIN))
    put(ws, f"H{vat_total}", f"=ROUND(SUM(H{VAT_FIRST}:H{last_vat}),inv_decimals)", bold=True, align="right",
        fmt=AMOUNT, border=Border(top=THIN))
    name(book, "inv_vat_total", f"H{vat_total}")
    ws.row_dimensions[grand].height = 22
    double = Border(top=Side(style="thin", color=BRAND), bottom=Side(style="double", color=BRAND))
    put(ws, f"D{grand}", "TOTAL USD", size=11, bold=True, color=BRAND, align="right", fill=LIGHT,
        border=double, merge=f"G{grand}")
    name(book, "inv_total_label", f"D{grand}")  # arxl writes "TOTAL <currency>": a value, not a formula
    put(ws, f"H{grand}", f"=ROUND(H{sub}+H{vat_total},inv_decimals)", size=11, bold=True, color=BRAND,
        align="right", fmt=AMOUNT, fill=LIGHT, border=double)
    name(book, "inv_total", f"H{grand}")

    # The total in words, full width under the totals (not beside them: unused VAT rows are hidden).
    words = grand + 2
    ws.row_dimensions[grand + 1].height = 6
    ws.row_dimensions[words].height = 26
    put(ws, f"A{words}", "(the total in words)", italic=True, wrap=True, fmt='"Amount in words: "@',
        border=Border(top=THIN, bottom=THIN), merge=f"H{words}")
    name(book, "inv_amount_words", f"A{words}")

    # An invoice in USD in RWF at the rate of its date (the EBM receipt and the VAT return are in RWF).
    put(ws, f"A{words + 1}", None, size=8, italic=True, color=GREY, merge=f"H{words + 1}", shrink=True)
    name(book, "inv_base_equivalent", f"A{words + 1}")

    # Bank details and the EBM receipt box.
    top = words + 2
    ws.row_dimensions[top - 1].height = 12
    bar(ws, f"A{top}", f"B{top}", "PAYMENT DETAILS")
    bar(ws, f"D{top}", f"H{top}", "EBM RECEIPT")
    bank = (("bank_name", "Bank: "), ("bank_branch", "Branch: "), ("bank_swift", "SWIFT/BIC: "),
            ("bank_account_rwf", "Account (RWF): "), ("bank_account_usd", "Account (USD): "))
    for row, (key, label) in enumerate(bank, start=top + 1):
        put(ws, f"A{row}", None, fmt=f'"{label}"@', merge=f"B{row}", shrink=True)
        name(book, key, f"A{row}")
    put(ws, f"A{top + 6}", "Please quote the invoice number as your payment reference.", size=8, italic=True,
        color=GREY, merge=f"B{top + 6}")
    ebm = (("Receipt No.", "ebm_receipt_no", None), ("Receipt type", "ebm_receipt_type", None),
           ("SDC ID", "ebm_sdc_id", None), ("MRC", "ebm_mrc", None), ("Receipt date", "ebm_date", DATE),
           ("Internal data", None, None), ("Signature", None, None))
    for row, (label, ebm_key, ebm_fmt) in enumerate(ebm, start=top + 1):
        put(ws, f"D{row}", label, size=8.5, bold=True, color=GREY, border=UNDER)
        put(ws, f"E{row}", None, fmt=ebm_fmt, align="left", shrink=True, border=UNDER, merge=f"H{row}")
        if ebm_key:
            name(book, ebm_key, f"E{row}")

    # Notes and the closing line.
    notes = top + 9
    bar(ws, f"A{notes}", f"H{notes}", "NOTES")
    put(ws, f"A{notes + 1}", None, valign="top", wrap=True, merge=f"H{notes + 2}")
    name(book, "inv_notes", f"A{notes + 1}")
    last = notes + 4
    put(ws, f"A{last}", "Thank you for your business.", size=8.5, italic=True, color=GREY, align="center",
        merge=f"H{last}")

    # The switches arxl sets per invoice, in the hidden columns. What each is says a comment, not a label: a
    # hidden cell's text still reaches the PDF's text layer (a customer's search found "VAT rounding" there).
    switches: tuple[tuple[int, str, str, object], ...] = (
        (2, "Decimals of the invoice currency (arxl sets it)", "inv_decimals", 2),
        (3, "VAT rounding, invoice or line (arxl sets it from Settings)", "inv_vat_rounding", "invoice"))
    for row, label, key, switch in switches:
        put(ws, f"I{row}", switch, size=8)
        ws[f"I{row}"].comment = Comment(label, "arxl")
        name(book, key, f"I{row}")

    # Sample values, so the template shows what an invoice looks like while it is restyled.
    for key, value in (("inv_number", "INV-2025-00001"), ("inv_terms", "Net 30 days"),
                       ("inv_period", "July 2025"),
                       ("co_tin", "100000000"), ("cust_tin", "100000000")):
        ref = str(book.defined_names[key].attr_text).split("!")[1].replace("$", "")
        ws[ref].value = value

    # Print: A4 portrait, one page wide, centred, the invoice area only.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.center.size = 8
    ws.print_area = f"A1:H{last}"
    ws.sheet_view.showGridLines = False
    ws.sheet_view.zoomScale = 110
    book.calculation.fullCalcOnLoad = True
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE / "invoice.xlsx"
    build(out)
    from arxl.formats.invoice_doc import InvoiceTemplate  # the filler accepts it: every name is there

    template = InvoiceTemplate(out)
    print(f"wrote {out} ({template.line_capacity} lines, {template.vat_capacity} VAT rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
