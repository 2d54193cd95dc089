"""The names an invoice template carries, the value of each for one document, and values as sheet XML.

:data:`HEAD`, :data:`LINE` and :data:`VAT` list the workbook-level defined names a template may carry (see
:mod:`arxl.formats.invoice_doc` for what each means) and whether it must; :func:`head_values`,
:func:`line_values` and :func:`vat_values` give a document's value for each. The rest writes cells as the XML
of a worksheet: text escaped (and kept from reading as a formula), numbers as Excel stores them, number formats
with the currency's decimals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from lxml import etree

from arxl.core.errors import BadValue
from arxl.core.tax import vat_on_net
from arxl.formats.invoice_model import InvoiceDocument, _period_words

# --- The names a template carries -----------------------------------------------------------------------------

Kind = Literal["text", "date", "number", "formula"]

# name -> (kind, required). Per-row names live on the first row of their block.
HEAD: dict[str, tuple[Kind, bool]] = {
    "inv_title": ("text", True), "inv_number": ("text", True), "inv_date": ("date", True),
    "inv_due_date": ("date", True), "inv_terms": ("text", False), "inv_contract_ref": ("text", False),
    "inv_po_number": ("text", False), "inv_period": ("text", False), "inv_currency": ("text", False),
    "inv_original": ("text", False), "inv_notes": ("text", False), "inv_amount_words": ("text", True),
    "inv_base_equivalent": ("text", False), "inv_total_label": ("text", False),
    "inv_decimals": ("number", True), "inv_vat_rounding": ("text", True),
    "inv_subtotal": ("formula", True), "inv_vat_total": ("formula", True), "inv_total": ("formula", True),
    "co_name": ("text", True), "co_address": ("text", True), "co_tin": ("text", True),
    "co_phone": ("text", False), "co_email": ("text", False),
    "cust_name": ("text", True), "cust_tin": ("text", True), "cust_address": ("text", False),
    "cust_contact": ("text", False), "cust_email": ("text", False), "cust_id": ("text", False),
    "bank_name": ("text", False), "bank_branch": ("text", False), "bank_swift": ("text", False),
    "bank_account_rwf": ("text", False), "bank_account_usd": ("text", False),
    "ebm_receipt_no": ("text", False), "ebm_receipt_type": ("text", False), "ebm_sdc_id": ("text", False),
    "ebm_mrc": ("text", False), "ebm_date": ("date", False),
}
LINE: dict[str, tuple[Kind, bool]] = {
    "line_no": ("number", False), "line_description": ("text", True), "line_quantity": ("number", True),
    "line_unit_price": ("number", True), "line_share": ("number", False), "line_discount": ("number", True),
    "line_tax_code": ("text", True),
    "line_amount": ("formula", True), "line_vat_rate": ("number", True), "line_factor": ("number", True),
    "line_vat": ("formula", True),
}
VAT: dict[str, tuple[Kind, bool]] = {
    "vat_label": ("text", True), "vat_code": ("text", True), "vat_rate": ("number", True),
    "vat_base": ("formula", True), "vat_amount": ("formula", True),
}
BLOCKS = {"inv_lines": LINE, "inv_vat": VAT}
REQUIRED = tuple(name for table in (HEAD, LINE, VAT) for name, (_, needed) in table.items() if needed) + \
    tuple(BLOCKS)
AMOUNTS = frozenset({"line_unit_price", "line_discount", "line_amount", "line_vat", "vat_base", "vat_amount",
                     "inv_subtotal", "inv_vat_total", "inv_total"})

Value = str | Decimal | int | dt.date | None


def head_values(doc: InvoiceDocument) -> dict[str, Value]:
    """What goes in each single-cell name (formula names: arxl's figure, written as the cached value)."""
    invoice, customer, settings = doc.invoice, doc.customer, doc.settings
    original = invoice.original_invoice
    return {
        "inv_title": doc.title, "inv_number": invoice.invoice_no, "inv_date": invoice.invoice_date,
        "inv_due_date": invoice.due_date, "inv_terms": doc.terms_words, "inv_contract_ref": invoice.contract_ref,
        "inv_po_number": invoice.po_number, "inv_period": _period_words(invoice.period),
        "inv_currency": doc.currency,
        "inv_original": f"Credit note for invoice {original}" if original and doc.title == "CREDIT NOTE" else
        (f"Original invoice {original}" if original else ""),
        "inv_notes": invoice.notes, "inv_amount_words": doc.amount_words, "inv_decimals": doc.decimals,
        "inv_base_equivalent": doc.base_equivalent, "inv_total_label": f"TOTAL {doc.currency}",
        "inv_vat_rounding": settings.vat_rounding, "inv_subtotal": invoice.net_amount,
        "inv_vat_total": invoice.vat_amount, "inv_total": invoice.total_amount,
        "co_name": settings.company_name, "co_address": settings.company_address, "co_tin": settings.company_tin,
        "co_phone": settings.company_phone, "co_email": settings.company_email,
        "cust_name": customer.name, "cust_tin": customer.tin, "cust_address": customer.address,
        "cust_contact": customer.contact, "cust_email": customer.email, "cust_id": customer.customer_id,
        "bank_name": settings.bank_name, "bank_branch": settings.bank_branch, "bank_swift": settings.bank_swift,
        "bank_account_rwf": settings.bank_account_rwf, "bank_account_usd": settings.bank_account_usd,
        "ebm_receipt_no": invoice.ebm_receipt_no, "ebm_receipt_type": invoice.ebm_receipt_type,
        "ebm_sdc_id": invoice.ebm_sdc_id, "ebm_mrc": invoice.ebm_mrc, "ebm_date": invoice.ebm_date,
    }


def line_values(doc: InvoiceDocument) -> list[dict[str, Value]]:
    currency = doc.currency
    return [{
        "line_no": line.line_no, "line_description": line.description, "line_quantity": line.quantity,
        "line_unit_price": line.unit_price, "line_share": share, "line_discount": line.discount or None,
        "line_tax_code": line.tax_code.strip(), "line_amount": line.net_amount, "line_vat_rate": line.vat_rate,
        "line_factor": factor, "line_vat": vat_on_net(line.net_amount, line.vat_rate, currency),
    } for line, factor, share in zip(doc.lines, doc.factors, doc.shares, strict=True)]


def vat_values(doc: InvoiceDocument) -> list[dict[str, Value]]:
    return [{"vat_label": row.label, "vat_code": row.code, "vat_rate": row.rate, "vat_base": row.base,
             "vat_amount": row.vat} for row in doc.vat_rows]


MAX_TEXT = 32_767  # Excel's limit for one cell's text

# --- Cells as XML ---------------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # Excel would read "_x0041_" in text as an escape
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?$")
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_FORMULA_START = frozenset("=+-@")  # text Excel reads as a formula when the cell is edited
_MARK = re.compile(r'<!--ARXL:([0-9]+)-->| arxlrow="([0-9]+)"')


def _q(tag: str) -> str:
    return f"{{{_MAIN}}}{tag}"


def _letters(column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def xml_text(text: str) -> str:
    """Text for an inline string: XML-escaped, control characters as Excel's ``_xHHHH_`` escapes.

    >>> xml_text('=HYPERLINK("x") & <b>'), xml_text("a_x0041_b\\x01")
    ('=HYPERLINK("x") &amp; &lt;b&gt;', 'a_x005F_x0041_b_x0001_')
    """
    text = _LOOKALIKE.sub(r"_x005F_\1", text)
    return _escape(_NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text))


def xml_number(value: Decimal | int) -> str:
    """A number as Excel stores it: plain decimal notation, no exponent, no trailing zeros.

    >>> xml_number(Decimal("1180000")), xml_number(Decimal("1E+3")), xml_number(Decimal("-0.50"))
    ('1180000', '1000', '-0.5')
    """
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise BadValue(f"{value} is not a number a cell can hold")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_decimals(code: str, places: int) -> str:
    """A number format with ``places`` decimals in each of its number sections; quoted text is kept.

    >>> with_decimals('#,##0.00;-#,##0.00', 0), with_decimals('"on "#,##0', 2)
    ('#,##0;-#,##0', '"on "#,##0.00')
    """
    decimals = "." + "0" * places if places else ""
    found = False

    def number(match: re.Match[str]) -> str:
        nonlocal found
        found = True
        return match.group(1) + decimals

    parts = []
    for token in re.findall(r'"[^"]*"|\\.|\[[^\]]*\]|[^"\\\[]+', code):
        plain = token[0] not in '"\\['
        parts.append(re.sub(r"([#0,]*0)(\.[0#]*)?", number, token) if plain else token)
    if not found:  # "General" or text: the plain amount format of those decimals
        return f"#,##0{decimals};-#,##0{decimals}"
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class _Slot:
    """A place in the sheet XML that each invoice fills: a cell (``group`` head, line or vat) or a block row."""

    group: Literal["head", "line", "vat", "row_line", "row_vat"]
    key: str
    index: int
    prefix: str  # '<c r="B9" s="4"'
    formula: str  # '<f>...</f>' for formula cells, else ""
    quoted: str  # text cells: the prefix with the quote-prefix twin of the style


@dataclass(frozen=True, slots=True)
class _Row:
    """A row of a block: the text after its ``<row`` marker, cells included, and the same row hidden."""

    block: Literal["line", "vat"]
    index: int
    parts: tuple[str | _Slot, ...]
    hidden: str


@dataclass(frozen=True, slots=True)
class _Place:
    sheet: str
    first: tuple[int, int]  # (row, column)
    last: tuple[int, int]

    def ref(self) -> str:
        (r1, c1), (r2, c2) = self.first, self.last
        one = f"{_letters(c1)}{r1}"
        return one if (r1, c1) == (r2, c2) else f"{one}:{_letters(c2)}{r2}"


# --- The template ---------------------------------------------------------------------------------------------

def _parse(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)
    return etree.fromstring(data, parser)


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


