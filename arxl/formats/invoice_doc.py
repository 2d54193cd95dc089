"""The invoice document: one tax invoice (or credit note) as an .xlsx filled from the accountant's template.

Four modules, one concept each: :mod:`.invoice_model` gathers and checks what the invoice says,
:mod:`.invoice_cells` lists the names a template carries and writes values as cell XML, :mod:`.invoice_layout`
loads and checks a template once, and this module fills it per invoice and writes the files.

A Rwandan tax invoice shows the words "Tax invoice", the supplier's name, address and TIN, a serial number, the
date, the customer's name and TIN, what was supplied, and the VAT rate and amount per category (DOMAIN.md).
:class:`InvoiceDocument` gathers all of it from the register's rows (the invoice, its lines, the customer and
Settings) and checks that the figures hold together: the lines add up to the invoice's net amount, VAT per tax
code adds up to its VAT, net plus VAT is the total.

:class:`InvoiceTemplate` is ``workbooks/templates/invoice.xlsx`` (or the accountant's restyled copy), loaded
once. It finds every place it fills through **workbook-level defined names**, never coordinates, so blocks can
be moved, fonts and colours changed and a logo added in Excel without touching code:

* single cells: ``inv_title`` ("TAX INVOICE" / "CREDIT NOTE"), ``inv_number``, ``inv_date``, ``inv_due_date``,
  ``inv_terms`` (in words), ``inv_contract_ref``, ``inv_po_number``, ``inv_period``, ``inv_currency``,
  ``inv_original`` (credit note's invoice), ``inv_notes``, ``inv_amount_words``, ``inv_base_equivalent`` (an
  invoice in USD in RWF at the rate of its date, VAT apart; optional); ``co_name``, ``co_address``,
  ``co_tin``, ``co_phone``, ``co_email``; ``cust_name``, ``cust_tin``, ``cust_address``, ``cust_contact``,
  ``cust_email``, ``cust_id``; ``bank_name``, ``bank_branch``, ``bank_swift``, ``bank_account_rwf``,
  ``bank_account_usd``; ``ebm_receipt_no``, ``ebm_receipt_type``, ``ebm_sdc_id``, ``ebm_mrc``, ``ebm_date``;
  two switches the formulas read, ``inv_decimals`` (0 for RWF, 2 for USD) and ``inv_vat_rounding``
  ("invoice" or "line", from Settings); and the formula cells ``inv_subtotal``, ``inv_vat_total``,
  ``inv_total``.
* the lines block ``inv_lines``: a range whose rows are the block's capacity; one name per column on its
  first row: ``line_no``, ``line_description``, ``line_quantity``, ``line_unit_price``, ``line_share``
  (optional: a prorated line's share of its period, shown as a fraction, ``# ???/???`` shows 18/31; empty for
  a whole period), ``line_discount`` (an amount), ``line_tax_code``, the formula ``line_amount``, and hidden
  helpers ``line_vat_rate``, ``line_factor`` (1, or the proration that turns quantity x unit price into the
  billed amount, exact to the unit) and the formula ``line_vat`` (the line's own VAT, for line-level
  rounding). So a prorated line multiplies out on paper: Qty 6 x Unit price 210,000 x Share 18/31 = 731,613.
* the VAT block ``inv_vat``: one row per tax code, names on its first row: ``vat_label`` ("VAT 18%",
  "Zero-rated 0%", "Exempt"), ``vat_code`` and ``vat_rate`` (hidden; the SUMIF key and rate), and the
  formulas ``vat_base`` and ``vat_amount``.

Rows of a block that no line uses are hidden, so keep other content off the blocks' rows; a name on merged
cells points at their top-left cell. The amounts, subtotal, VAT and total are live formulas (ROUND to
``inv_decimals``; VAT by SUMIF over the tax code column, rounded once per code or line by line as Settings say)
and arxl writes its own figures as their cached values, so a viewer that does not calculate shows the same
numbers; the workbook asks Excel to recalculate on open. Amount cells show the invoice currency's decimals
(RWF none, USD two): arxl switches their number format per invoice. :data:`REQUIRED` names must exist; the
others are filled when present. Text from outside (a customer name such as ``=HYPERLINK(...)``) is written as
text, never as a formula.

>>> template = InvoiceTemplate()  # workbooks/templates/invoice.xlsx
>>> template.line_capacity, template.vat_capacity, template.cell("inv_total"), template.cell("line_amount", 2)
(30, 4, 'H56', 'H21')

Speed: the template is parsed once; each invoice splices its values into the sheet XML and re-zips it with the
unchanged parts compressed once: about 0.3 ms of work an invoice, 700 to 1,900 invoices/s written to disk on 2
cores, against 40-60 ms an invoice for openpyxl's load, fill and save (``bench/invoices.py``). PDFs go through
LibreOffice headless in batches (:func:`to_pdf`).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from arxl.core.errors import BadValue
from arxl.formats.invoice_cells import (
    LINE,
    REQUIRED,
    VAT,
    _letters,
    _parse,
    _Row,
    _serialize,
    head_values,
    line_values,
    vat_values,
)
from arxl.formats.invoice_layout import TemplateLayout
from arxl.formats.invoice_model import InvoiceDocument
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.safety import inspect_xlsx
from arxl.formats.xlsx.save import atomic_write, ensure_not_open, remove_stale
from arxl.formats.xlsx.zipcopy import ZipCopier, pack
from arxl.formats.xlsx.zipcopy import start as zip_start

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "workbooks" / "templates" / "invoice.xlsx"
# --- ZIP: the unchanged parts are deflated once per template (formats.xlsx.zipcopy) ------------------------

_STAMP = (2025, 1, 1, 0, 0, 0)  # the entries' date: the same invoice, the same bytes


class InvoiceTemplate(TemplateLayout):
    """An invoice template loaded once; :meth:`render` fills it for one invoice, :meth:`write_all` for many."""

    def __init__(self, path: Path | str = DEFAULT_TEMPLATE) -> None:
        self.path = Path(path)
        self._date1904 = inspect_xlsx(self.path).date1904
        with zipfile.ZipFile(self.path) as package:
            parts = {entry.filename: package.read(entry) for entry in package.infolist() if not entry.is_dir()}
        for needed in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"):
            if needed not in parts:
                raise self._error(f"lacks the part {needed}: save it again from Excel")
        workbook = _parse(parts["xl/workbook.xml"])
        self.places = self._defined_names(workbook)
        missing = [name for name in REQUIRED if name not in self.places]
        if missing:
            raise self._error(f"has no defined name {', '.join(missing)}: every required place needs its "
                              "name (Formulas > Name Manager); see arxl/formats/invoice_doc.py for the list")
        sheets = {place.sheet for place in self.places.values()}
        if len(sheets) != 1:
            raise self._error(f"its names point at several sheets ({', '.join(sorted(sheets))}): keep the "
                              "whole invoice on one sheet")
        self.sheet_name = sheets.pop()
        self._sheet_path = self._sheet_part(workbook, parts)
        self.line_first, self.line_capacity = self._block("inv_lines", LINE)
        self.vat_first, self.vat_capacity = self._block("inv_vat", VAT)
        self._cells = self._layout()

        styles = _parse(parts["xl/styles.xml"])
        sheet = _parse(parts[self._sheet_path])
        self._check_merges(sheet)
        new_styles = self._splice(sheet, styles)
        self._styles = {places: pack("xl/styles.xml", _serialize(root), 9)
                        for places, root in self._style_variants(styles, new_styles).items()}
        self._recalculate_on_open(workbook, parts)
        self._pack(parts)


    def _pack(self, parts: dict[str, bytes]) -> None:
        """Compress the parts no invoice changes, once, and lay them out with the styles of each number of
        decimals: an invoice's package is that start and its own sheet."""
        changing = (self._sheet_path, "xl/styles.xml")
        names = sorted((n for n in parts if n not in changing), key=lambda n: n != "[Content_Types].xml")
        fixed = [pack(name, parts[name], 9) for name in names]
        self._starts = {places: zip_start([*fixed, styles], self.path.name, _STAMP)
                        for places, styles in self._styles.items()}


    def cell(self, name: str, index: int = 0) -> str:
        """Where a name is (``G19``); for a block column, its ``index``-th row (0 is the first)."""
        row, column = self.places[name].first
        return f"{_letters(column)}{row + index}"

    def expected_values(self, doc: InvoiceDocument) -> dict[str, Decimal]:
        """arxl's figure for each formula cell it knows (cell -> value): what a recalculation must give."""
        result: dict[str, Decimal] = {}
        head = head_values(doc)
        for name in ("inv_subtotal", "inv_vat_total", "inv_total"):
            result[self.cell(name)] = Decimal(head[name])  # type: ignore[arg-type]
        for i, values in enumerate(line_values(doc)):
            for name in ("line_amount", "line_vat"):
                result[self.cell(name, i)] = Decimal(values[name])  # type: ignore[arg-type]
        for i, values in enumerate(vat_values(doc)):
            for name in ("vat_base", "vat_amount"):
                result[self.cell(name, i)] = Decimal(values[name])  # type: ignore[arg-type]
        return result

    def render(self, doc: InvoiceDocument) -> bytes:
        """The filled .xlsx of one invoice, as bytes."""
        lines, vats = line_values(doc), vat_values(doc)
        if len(lines) > self.line_capacity:
            raise BadValue(f"invoice {doc.number} has {len(lines)} lines; the template's lines block inv_lines "
                           f"({self.sheet_name}!{self.places['inv_lines'].ref()}) holds {self.line_capacity}: "
                           "make the block longer in the template or split the invoice")
        if len(vats) > self.vat_capacity:
            raise BadValue(f"invoice {doc.number} has {len(vats)} tax codes; the template's VAT block inv_vat "
                           f"({self.sheet_name}!{self.places['inv_vat'].ref()}) holds {self.vat_capacity}")
        head = head_values(doc)
        cell = self._cell_xml
        out: list[str] = []
        append = out.append
        for step in self._program:
            if isinstance(step, str):
                append(step)
            elif isinstance(step, _Row):
                rows = lines if step.block == "line" else vats
                if step.index < len(rows):
                    values = rows[step.index]
                    if step.block == "line":
                        append(self._height(step.index, values["line_description"]))
                    for part in step.parts:
                        append(part if isinstance(part, str) else cell(part, values[part.key]))
                else:
                    append(step.hidden)
            else:
                append(cell(step, head[step.key]))
        buffer = io.BytesIO()
        writer = ZipCopier(buffer, self.path.name, _STAMP)
        writer.begin(self._starts[doc.decimals])
        writer.add(self._sheet_path, "".join(out).encode("utf-8"), level=1)
        writer.close()
        return buffer.getvalue()

    def write_all(self, docs: Iterable[InvoiceDocument], out_dir: Path | str,
                  progress: Callable[[Path], None] | None = None) -> list[Path]:
        """One ``<invoice number>.xlsx`` per document in ``out_dir``, each written to a temporary file and
        then put in place, so a file is either the previous version or the new one, never torn.

        Refuses (before writing anything) invoice numbers that cannot be file names, repeated numbers, and a
        file that is open in Excel or LibreOffice.
        """
        folder = Path(out_dir)
        batch = list(docs)
        targets: list[Path] = []
        seen: set[str] = set()
        for doc in batch:
            number = doc.number
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}", number) or ".." in number:
                raise BadValue(f'invoice number "{number[:40]}" cannot be a file name')
            if number.casefold() in seen:
                raise BadValue(f"invoice {number} is given twice")
            seen.add(number.casefold())
            target = folder / f"{number}.xlsx"
            ensure_not_open(target)
            targets.append(target)
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale(folder)  # once for the folder: a look per file would read the folder 2,000 times
        for doc, target in zip(batch, targets, strict=True):
            data = self.render(doc)

            def write(temp: Path, data: bytes = data) -> None:
                temp.write_bytes(data)

            atomic_write(target, write, backup=False, durable=False, tidy=False)
            if progress is not None:
                progress(target)
        if targets and hasattr(os, "sync"):
            os.sync()  # the batch on the disk at once: one flush, not one a file (3 ms each on a small VM)
        return targets


def to_pdf(paths: Sequence[Path], out_dir: Path | str, office: LibreOffice | None = None,
           batch_size: int = 50, progress: Callable[[int], None] | None = None) -> list[Path]:
    """PDFs of invoice workbooks through LibreOffice headless, ``batch_size`` files per run, every one checked.

    Pass an open :class:`~arxl.formats.libreoffice.LibreOffice` to reuse its profile; otherwise one is made for
    this call and removed after it. ``progress`` is told how many more PDFs are done, as they appear.
    """
    if office is None:
        with LibreOffice() as own:
            return to_pdf(paths, out_dir, own, batch_size, progress)
    result: list[Path] = []
    for start in range(0, len(paths), max(1, batch_size)):
        result += office.to_pdf(list(paths[start:start + batch_size]), Path(out_dir), progress)
    return result
