"""Credit notes: how a wrong or disputed invoice is corrected, never by deleting or renumbering it.

A credit note is a document of its own series (``CN-2025-00001``, Settings "Credit Note Series"), numbered
from the register like invoices (see :mod:`arxl.core.numbering`), that points at the invoice it corrects
(``Original Invoice``). In the register its amounts are negative: an invoice of 708,000 fully credited and
its credit note of -708,000 add up to nothing owed. It copies the original's customer, currency, terms,
contract and PO, and carries the reason in its notes.

Three ways to credit, as the accountant says them:

- **the whole invoice** (nothing given): every line reversed exactly, so net and VAT come back to zero;
- **some lines** (``lines=[1, 3]``): those lines reversed as they stand in InvoiceLines, VAT included;
- **an amount** (``amount=Decimal("118000")``): a VAT-inclusive sum split over the original's tax codes in
  proportion to what each code charged (after earlier credit notes: to what each still stands at), largest
  remainder so net + VAT add up to the amount exactly, and within a tax code over its services, so the
  ledger credits the same sales accounts the invoice hit.

What remains creditable is the invoice's total less its earlier credit notes, and under each tax code what
that code still stands at (VAT is never credited twice). Crediting more is refused,
and so is crediting a credit note, a cancelled invoice, an amount with more decimals than the currency has
(RWF has none) or a line that does not exist. When a credit brings the remainder to zero the original's
status becomes "credited"; crediting "the rest" after partial credits reverses exactly the net and VAT still
standing, per tax code where the earlier credit notes' lines allow it.

The workflow writes nothing: it returns a ChangeSet (the credit note, its lines, the original's status) that
the host applies in one save. The number comes from the register, so a run that fails before its save has
issued nothing and the next run takes the same number; a saved credit note moves the series on.

>>> from arxl.core.money import allocate
>>> allocate(Decimal("118000"), [Decimal("708000"), Decimal("100000")], "RWF")  # gross per tax code
[Decimal('103396'), Decimal('14604')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.errors import BadValue, CellRef
from arxl.core.money import allocate, currency, figure, is_rounded, total
from arxl.core.numbering import next_numbers
from arxl.core.tax import vat_in_gross
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.rates import rate_on
from arxl.ledger.records import Invoice, InvoiceLine

ZERO = Decimal(0)
CodeKey = tuple[str, Decimal]  # (tax code, VAT rate as charged on the invoice)


@dataclass(frozen=True, slots=True)
class _Part:
    """One line of the credit note before it has a number (amounts already negative)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    net: Decimal
    vat: Decimal
    source: InvoiceLine  # the original line it reverses (or the first line of its tax code and service)


def credit_note(ledger: Ledger, invoice_no: str, *, amount: Decimal | None = None,
                lines: Sequence[int] | None = None, reason: str, on: dt.date) -> ChangeSet:
    """The credit note of an invoice, as a ChangeSet to apply: the note, its lines and the original's status.

    ``amount`` is VAT-inclusive and positive; ``lines`` are line numbers of the original; with neither, what
    remains creditable is credited. Raises :class:`~arxl.core.errors.BadValue` naming the cell when refused.
    """
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise BadValue("a credit note needs a reason (what was wrong with the invoice)")
    if amount is not None and lines is not None:
        raise BadValue("give either an amount or line numbers to credit, not both")
    table = ledger.invoices
    index = _find(ledger, invoice_no)
    original = table.rows[index]
    where = table.where(index, "invoice_no")
    number = original.invoice_no
    if original.doc_type == "credit_note":
        raise BadValue(f"{number} is a credit note and cannot be credited; credit the invoice it corrects"
                       + (f" ({original.original_invoice})" if original.original_invoice else ""), where)
    if original.status == "cancelled":
        raise BadValue(f"{number} is cancelled; there is nothing to credit", where)
    if on < original.invoice_date:
        raise BadValue(f"the credit note date {on:%d/%m/%Y} is before the invoice date "
                       f"{original.invoice_date:%d/%m/%Y} of {number}", where)
    code = currency(original.currency).code
    earlier = [n for n in table.rows if n.doc_type == "credit_note" and _key(n.original_invoice) == _key(number)]
    remaining = original.total_amount + total(n.total_amount for n in earlier)
    if remaining <= 0:
        shown = ", ".join(n.invoice_no for n in earlier) or "nothing"
        raise BadValue(f"{number} is already fully credited (by {shown})", where)
    own = sorted((line for line in ledger.invoice_lines if _key(line.invoice_no) == _key(number)),
                 key=lambda line: line.line_no)
    if not own:
        raise BadValue(f"{number} has no lines in InvoiceLines; add them before crediting it", where)
    label = f"Credit of {number}: {reason}"

    left_nets, left_vats = _standing(original, own, earlier, ledger, code)
    if lines is not None:
        parts = _credit_lines(own, lines, number, where)
        if {line.line_no for line in own} == {p.source.line_no for p in parts} and not earlier:
            parts = _whole(original, own, label, code)
        _check_codes(parts, left_nets, left_vats, number, code, where)
    elif amount is not None:
        _check_amount(amount, code, remaining, number, where)
        parts = _rest(original, own, earlier, left_nets, left_vats, label, code) if amount == remaining else \
            _proportional(own, left_nets, left_vats, amount, label, code, number)
    else:
        parts = _rest(original, own, earlier, left_nets, left_vats, label, code)

    credited = -total(p.net + p.vat for p in parts)
    if credited > remaining:
        raise BadValue(f"crediting {figure(credited, code)} {code} is more than the {figure(remaining, code)} "
                       f"{code} still creditable on {number} (total {figure(original.total_amount, code)} less "
                       f"earlier credit notes)", where)
    if credited <= 0:
        raise BadValue(f"the lines chosen on {number} add up to {figure(credited, code)} {code}: nothing to credit",
                       where)

    settings = ledger.settings
    existing = [row.invoice_no for row in table.rows]
    new_number = next_numbers(existing, settings.credit_note_series, on.year, 1, settings.invoice_digits)[0]
    net = total(p.net for p in parts)
    vat = total(p.vat for p in parts)
    note = Invoice(invoice_no=new_number, doc_type="credit_note", invoice_date=on, due_date=on,
                   customer_id=original.customer_id, currency=original.currency, net_amount=net, vat_amount=vat,
                   total_amount=net + vat, terms=original.terms, contract_ref=original.contract_ref,
                   po_number=original.po_number, period=original.period, original_invoice=number, status="open",
                   notes=label, rate=_rate(ledger, original.currency, on))
    note_lines = [InvoiceLine(invoice_no=new_number, line_no=n, description=p.description, quantity=p.quantity,
                              unit_price=p.unit_price, discount=p.discount, net_amount=p.net,
                              tax_code=p.source.tax_code, vat_rate=p.source.vat_rate, vat_amount=p.vat,
                              contract_ref=p.source.contract_ref, service_code=p.source.service_code,
                              period=p.source.period)
                  for n, p in enumerate(parts, start=1)]
    changes = ChangeSet()
    changes.append("Invoices", [note])
    changes.append("InvoiceLines", note_lines)
    if credited == remaining and original.status != "credited":
        changes.update("Invoices", table.row_numbers[index], "status", "credited")
    return changes


def _rate(ledger: Ledger, code: str, on: dt.date) -> Decimal | None:
    """The Rates sheet's rate of the note's date for a foreign-currency note (IAS 21), None in the base
    currency; no rate that day or the days before refuses the note."""
    base = ledger.settings.base_currency or "RWF"
    if code.strip().upper() == base.strip().upper():
        return None
    return rate_on(ledger.day_rates(), code, on, base, ledger.book, "the credit note's rate")


def _key(number: str) -> str:
    return number.strip().upper()


def _find(ledger: Ledger, invoice_no: str) -> int:
    wanted = _key(str(invoice_no or ""))
    for i, row in enumerate(ledger.invoices.rows):
        if _key(row.invoice_no) == wanted:
            return i
    shown = str(invoice_no or "").strip()[:40]
    raise BadValue(f'invoice "{shown}" is not in the register', ledger.invoices.where_sheet())


def _check_amount(amount: Decimal, code: str, remaining: Decimal, number: str, where: CellRef) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise BadValue(f"amount to credit {amount} is not a number")
    if amount <= 0:
        raise BadValue(f"amount to credit {amount} must be more than zero (write it positive; the credit note "
                       "carries it as a negative amount)")
    if not is_rounded(amount, code):
        raise BadValue(f"amount to credit {amount} has more decimals than {code} allows "
                       f"({currency(code).exponent})")
    if amount > remaining:
        raise BadValue(f"crediting {figure(amount, code)} {code} is more than the {figure(remaining, code)} {code} "
                       f"still creditable on {number}", where)


def _reverse(line: InvoiceLine, description: str) -> _Part:
    return _Part(description, line.quantity, -line.unit_price, -line.discount, -line.net_amount, -line.vat_amount,
                 line)


def _credit_lines(own: list[InvoiceLine], wanted: Sequence[int], number: str, where: CellRef) -> list[_Part]:
    by_number = {line.line_no: line for line in own}
    chosen = sorted(set(wanted))
    if not chosen:
        raise BadValue("no line numbers given to credit")
    missing = [n for n in chosen if n not in by_number]
    if missing:
        raise BadValue(f"{number} has no line {', '.join(map(str, missing))}; its lines are "
                       f"{', '.join(str(n) for n in sorted(by_number))}", where)
    return [_reverse(by_number[n], f"{by_number[n].description} (credit of {number} line {n})") for n in chosen]


def _whole(original: Invoice, own: list[InvoiceLine], label: str, code: str) -> list[_Part]:
    """Every line reversed; when the lines disagree with the invoice's figures, the invoice's figures win."""
    parts = [_reverse(line, line.description) for line in own]
    if total(p.net for p in parts) == -original.net_amount and total(p.vat for p in parts) == -original.vat_amount:
        return parts
    nets, vats = _by_code(own)
    return _spread(_fit(nets, -original.net_amount, code), _fit(vats, -original.vat_amount, code), own, label,
                   code)


def _standing(original: Invoice, own: list[InvoiceLine], earlier: list[Invoice], ledger: Ledger,
              code: str) -> tuple[dict[CodeKey, Decimal], dict[CodeKey, Decimal]]:
    """Net and VAT still standing per tax code: the invoice's lines less the earlier credit notes' lines.

    When the earlier credit notes' lines do not say per tax code what they took (lines missing or not adding
    up to their totals), the net and VAT left on the invoice are spread over its tax codes instead.
    """
    nets, vats = _by_code(own)
    if not earlier:
        return nets, vats
    numbers = {_key(n.invoice_no) for n in earlier}
    done_nets, done_vats = _by_code([line for line in ledger.invoice_lines if _key(line.invoice_no) in numbers])
    net_left = original.net_amount + total(n.net_amount for n in earlier)
    vat_left = original.vat_amount + total(n.vat_amount for n in earlier)
    left_nets = {k: v + done_nets.pop(k, ZERO) for k, v in nets.items()}
    left_vats = {k: v + done_vats.pop(k, ZERO) for k, v in vats.items()}
    if (not done_nets and not done_vats and total(left_nets.values()) == net_left
            and total(left_vats.values()) == vat_left and all(v >= 0 for v in left_nets.values())
            and all(v >= 0 for v in left_vats.values())):
        return left_nets, left_vats
    return _fit(nets, net_left, code), _fit(vats, vat_left, code)


def _check_codes(parts: list[_Part], left_nets: dict[CodeKey, Decimal], left_vats: dict[CodeKey, Decimal],
                 number: str, code: str, where: CellRef) -> None:
    """Lines credited after earlier credit notes may not take a tax code below zero (VAT never credited twice)."""
    nets, vats = _by_code([p.source.model_copy(update={"net_amount": p.net, "vat_amount": p.vat}) for p in parts])
    for key, net in nets.items():
        gross, left = -(net + vats[key]), left_nets.get(key, ZERO) + left_vats.get(key, ZERO)
        if gross > left:
            raise BadValue(f"crediting {figure(gross, code)} {code} under tax code {key[0]} is more than the "
                           f"{figure(left, code)} {code} still standing under it on {number} after earlier credit "
                           "notes", where)


def _rest(original: Invoice, own: list[InvoiceLine], earlier: list[Invoice], left_nets: dict[CodeKey, Decimal],
          left_vats: dict[CodeKey, Decimal], label: str, code: str) -> list[_Part]:
    """What is still standing on the invoice, reversed: net and VAT per tax code come back to zero."""
    if not earlier:
        return _whole(original, own, label, code)
    return _spread({k: -v for k, v in left_nets.items()}, {k: -v for k, v in left_vats.items()}, own, label, code)


def _proportional(own: list[InvoiceLine], left_nets: dict[CodeKey, Decimal], left_vats: dict[CodeKey, Decimal],
                  amount: Decimal, label: str, code: str, number: str) -> list[_Part]:
    """A VAT-inclusive amount split over the tax codes by what each still stands at (at first: what each
    charged); the VAT taken out of each share at the rate the invoice charged."""
    keys = list(left_nets)
    weights = [max(left_nets[k] + left_vats.get(k, ZERO), ZERO) for k in keys]
    if total(weights) <= 0:
        raise BadValue(f"nothing is left standing on {number} to split the amount over")
    shares = allocate(amount, weights, code)
    credit_vats = {k: -min(vat_in_gross(share, k[1], code), max(left_vats.get(k, ZERO), ZERO))
                   for k, share in zip(keys, shares, strict=True)}
    credit_nets = {k: -share - credit_vats[k] for k, share in zip(keys, shares, strict=True)}
    return _spread(credit_nets, credit_vats, own, label, code)


def _by_code(lines: Sequence[InvoiceLine]) -> tuple[dict[CodeKey, Decimal], dict[CodeKey, Decimal]]:
    nets: dict[CodeKey, Decimal] = {}
    vats: dict[CodeKey, Decimal] = {}
    for line in lines:
        key = (line.tax_code.strip().upper(), line.vat_rate)
        nets[key] = nets.get(key, ZERO) + line.net_amount
        vats[key] = vats.get(key, ZERO) + line.vat_amount
    return nets, vats


def _fit(weights: dict[CodeKey, Decimal], amount: Decimal, code: str) -> dict[CodeKey, Decimal]:
    """``amount`` spread over the keys in proportion to ``weights`` (zero weights: over all keys equally)."""
    keys = list(weights)
    shares = [abs(weights[k]) for k in keys]
    if total(shares) == 0:
        shares = [Decimal(1)] * len(keys)
    return dict(zip(keys, allocate(amount, shares, code), strict=True))


def _spread(nets: dict[CodeKey, Decimal], vats: dict[CodeKey, Decimal], own: list[InvoiceLine], label: str,
            code: str) -> list[_Part]:
    """Credit-note lines: per tax code, spread over the services the original billed under it (by net)."""
    parts: list[_Part] = []
    for key, net in nets.items():
        vat = vats.get(key, ZERO)
        if net == 0 and vat == 0:
            continue
        services: dict[str, list[InvoiceLine]] = {}
        for line in own:
            if (line.tax_code.strip().upper(), line.vat_rate) == key:
                services.setdefault(line.service_code, []).append(line)
        groups = list(services.values())
        weights = [abs(total(line.net_amount for line in g)) for g in groups]
        if total(weights) == 0:
            weights = [Decimal(1)] * len(groups)
        for group, part_net, part_vat in zip(groups, allocate(net, weights, code), allocate(vat, weights, code),
                                             strict=True):
            if part_net or part_vat:
                parts.append(_Part(label, Decimal(1), part_net, ZERO, part_net, part_vat, group[0]))
    return parts
