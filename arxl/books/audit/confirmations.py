"""Confirmations (ISA 505): which customers the auditor asks to confirm their balance, and the letters.

**The selection.** The population is every customer with a balance at the period end in any currency, debit or
credit (auditors confirm credit balances too: an overpayment or an unused credit note is a liability to confirm).
A customer's size is the absolute value of its balance in the base currency (the open items at their base value,
summed over its currencies), so a large credit balance ranks with the large debts. The selection is

- the ``Audit Confirm Largest`` largest customers by that size (default 10), ties broken by customer id; and
- a random sample of ``Audit Confirm Sample`` of the others (default 5), drawn with ``random.Random(seed)`` from
  the rest sorted by customer id, so that the draw depends on the seed alone, never on the order of a dict.

The seed is Settings ``Audit Confirm Seed`` or, when it is blank, a number derived from the period text
(:func:`derived_seed`); either way it is written on the register, so the auditor can draw the same sample again:
the same seed over the same population gives the same customers.

**The type.** ``Audit Confirm Type`` ``positive`` or ``negative`` applies to every letter; ``mixed`` (the default)
asks the largest balances for a positive confirmation (a reply in every case: they carry the risk) and the
sample for a negative one (a reply only when the customer disagrees), the usual split when the risk of the small
balances is assessed as low.

**The register** ("F Confirmations", on the working paper frame) has a row per selected customer and currency:
the balance per ledger as a live ``SUMIFS`` over the pack's open-items sheet, why it was selected, the type, the
letter's file, and the columns the auditor fills in (sent, reply received, balance confirmed); the difference
and "agreed?" are formulas, reading "no reply" and "pending" until a confirmed balance is entered. The
difference is rounded to the currency's unit, so that a reply agreeing to the cent reads "yes" whatever the
float arithmetic. Its header records the seed, the population and the coverage (the selected balances over the
whole ledger, in the base currency), a formula too.

**The letters** (:func:`letter_sheet`) are sheets to print as PDF (``letters/confirm-C001-2025-07.pdf`` beside the
pack, written by :mod:`arxl.formats.audit.letters`), one per selected customer: from the company
to the customer, the balance per currency and the open items behind it, the positive or negative wording and a
reply slip addressed to the auditor (Settings ``Auditor``, else "our auditors"), on a negative letter only to
disagree. Every reply goes to the auditor, never to the company: ISA 505 has the auditor control the replies.
"""

from __future__ import annotations

import hashlib
import random
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from arxl.books.audit.context import OPEN, Z_OPEN, PackContext, sumifs
from arxl.books.audit.papers import FIRST_ROW, header, paper
from arxl.core.money import exponent, figure
from arxl.ledger.changes import Cell, SheetSpec, Style
from arxl.ledger.openitems import OpenItem

REF, SHORT = "F", "Confirmations"
LETTER_FOLDER = "letters"  # beside the pack's workbook: the letters' PDFs
Reason = Literal["largest", "sample"]
Kind = Literal["positive", "negative"]
ZERO = Decimal(0)
NO_REPLY, PENDING = "no reply", "pending"  # the difference and "agreed?" until a confirmed balance is entered


@dataclass(frozen=True, slots=True)
class Balance:
    """What a customer owes (or is owed, negative) in one currency at the period end, and its base value."""

    currency: str
    amount: Decimal
    base: Decimal


@dataclass(frozen=True, slots=True)
class Candidate:
    """A customer of the population: its balances per currency, the base currency first."""

    customer_id: str
    balances: tuple[Balance, ...]

    @property
    def base(self) -> Decimal:
        return sum((b.base for b in self.balances), ZERO)

    @property
    def size(self) -> Decimal:
        """How large the balance is, either side: what the largest are ranked by."""
        return abs(self.base)


@dataclass(frozen=True, slots=True)
class Selected:
    candidate: Candidate
    reason: Reason
    kind: Kind

    @property
    def customer_id(self) -> str:
        return self.candidate.customer_id


@dataclass(slots=True)
class Selection:
    """The customers to confirm, and what it takes to draw the same ones again."""

    seed: str
    seed_given: bool  # True: Settings "Audit Confirm Seed"; False: derived from the period
    population: list[Candidate]
    selected: list[Selected]  # the largest (largest first), then the sample (by customer id)

    @property
    def customers(self) -> list[str]:
        return [s.customer_id for s in self.selected]


def derived_seed(period_text: str) -> str:
    """The seed of a period when Settings gives none: a number drawn from the period's text, so that the same
    period gives the same seed on every run and on every machine (``hash()`` would not).

    >>> derived_seed("2025-07") == derived_seed("2025-07") != derived_seed("2025-08")
    True
    """
    digest = hashlib.sha256(f"arxl confirmations {period_text}".encode()).hexdigest()
    return str(int(digest[:8], 16))


def population(items: Iterable[OpenItem], base_value: Callable[[OpenItem], Decimal] | None = None,
               base: str = "") -> list[Candidate]:
    """Every customer with a balance in some currency at the period end, by customer id. ``base_value`` gives
    an item's value in the base currency (without it, an item counts at its own amount)."""
    amounts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    bases: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in items:
        key = (item.customer_id, item.currency)
        amounts[key] += item.open_amount
        bases[key] += base_value(item) if base_value else item.open_amount
    per_customer: dict[str, list[Balance]] = defaultdict(list)
    for (customer_id, code), amount in amounts.items():
        if amount:
            per_customer[customer_id].append(Balance(code, amount, bases[(customer_id, code)]))
    return [Candidate(cid, tuple(sorted(per_customer[cid], key=lambda b: (b.currency != base, b.currency))))
            for cid in sorted(per_customer)]


def select(candidates: Sequence[Candidate], largest: int, sample: int, seed: str, seed_given: bool = True,
           confirm_type: str = "mixed") -> Selection:
    """The ``largest`` largest candidates by size, and ``sample`` of the others drawn at random with ``seed``."""
    ordered = sorted(candidates, key=lambda c: c.customer_id)  # the draw must not depend on the caller's order
    top = sorted(ordered, key=lambda c: (-c.size, c.customer_id))[:max(largest, 0)]
    chosen = {c.customer_id for c in top}
    rest = [c for c in ordered if c.customer_id not in chosen]
    drawn = random.Random(seed).sample(rest, min(max(sample, 0), len(rest)))

    def kind(reason: Reason) -> Kind:
        if confirm_type in ("positive", "negative"):
            return "positive" if confirm_type == "positive" else "negative"
        return "positive" if reason == "largest" else "negative"

    selected = [Selected(c, "largest", kind("largest")) for c in top]
    selected += [Selected(c, "sample", kind("sample")) for c in sorted(drawn, key=lambda c: c.customer_id)]
    return Selection(seed, seed_given, list(ordered), selected)


def selection(ctx: PackContext) -> Selection:
    """The selection of the pack's period from Settings."""
    s = ctx.ledger.settings
    seed = s.audit_confirm_seed.strip()
    given = bool(seed)
    if not given:
        seed = derived_seed(str(ctx.period))
    return select(population(ctx.items, ctx.base_value, ctx.base), s.audit_confirm_largest,
                  s.audit_confirm_sample, seed, given, s.audit_confirm_type)


@dataclass(slots=True)
class Letter:
    """One confirmation letter: its customer, its wording and its sheet (printed to ``<stem>.pdf``)."""

    customer_id: str
    kind: Kind
    stem: str  # confirm-C001-2025-07
    sheet: SheetSpec

    @property
    def pdf_name(self) -> str:
        return f"{self.stem}.pdf"


@dataclass(slots=True)
class ConfirmationPart:
    """The confirmations of the pack: the selection, the control register and the letters."""

    selection: Selection
    register: SheetSpec
    letters: list[Letter]
    expected: dict[str, Decimal | str] = field(default_factory=dict)  # register cell -> its formula's result


def letter_stem(customer_id: str, period_text: str) -> str:
    return f"confirm-{customer_id}-{period_text}"


def build_confirmations(ctx: PackContext) -> ConfirmationPart:
    """The selection of the period, its control register and one letter per selected customer."""
    chosen = selection(ctx)
    letters = [Letter(s.customer_id, s.kind, letter_stem(s.customer_id, str(ctx.period)), letter_sheet(ctx, s))
               for s in chosen.selected]
    register, expected = register_sheet(ctx, chosen)
    return ConfirmationPart(chosen, register, letters, expected)


def register_paper(ctx: PackContext) -> list[SheetSpec]:
    """The control register as a paper of the pack (one of :data:`arxl.app.audit.PAPERS`)."""
    return [register_sheet(ctx, selection(ctx))[0]]


ALTERNATIVE = {
    "positive": "no reply: subsequent receipts (see E), else the invoices and proof of service",
    "negative": "none unless the customer disagrees (negative confirmation)",
    "credit": "credit balance: refunds and credit notes after the period end",
}


def register_sheet(ctx: PackContext, chosen: Selection) -> tuple[SheetSpec, dict[str, Decimal | str]]:
    """The control register: a row per selected customer and currency; its figures as formulas over Z4."""
    base = ctx.base
    source = (f"the open items at {ctx.last:%d/%m/%Y} ('{Z_OPEN}'); selection per ISA 505: the largest balances "
              "and a random sample of the others, drawn with the seed shown")
    spec = paper(REF, SHORT, "Confirmations of balances (ISA 505): selection and control register", ctx.head,
                 source, marks="✓ΣCX",
                 widths={"A": 12, "B": 30, "C": 9, "D": 16, "E": 16, "F": 10, "G": 10, "H": 34, "I": 12, "J": 12,
                         "K": 16, "L": 14, "M": 9, "N": 48})
    header(spec, "Customer ID", "Name", "Currency", "Balance per ledger", f"Base value {base}", "Selected as",
           "Type", "Letter", "Date sent", "Reply received", "Balance confirmed", "Difference", "Agreed?",
           "Alternative procedure")
    expected: dict[str, Decimal | str] = {}
    row = FIRST_ROW
    for s in chosen.selected:
        for b in s.candidate.balances:
            criteria = ((OPEN["customer"], f"$A{row}"), (OPEN["currency"], f"$C{row}"))
            letter = f"{LETTER_FOLDER}/{letter_stem(s.customer_id, str(ctx.period))}.pdf"
            alternative = ALTERNATIVE["credit"] if b.amount < 0 else ALTERNATIVE[s.kind]
            spec.add(Cell(s.customer_id), Cell(ctx.name(s.customer_id)), Cell(b.currency),
                     Cell(b.amount, f"={sumifs(Z_OPEN, OPEN['open'], *criteria)}", style="amount",
                          currency=b.currency),
                     Cell(b.base, f"={sumifs(Z_OPEN, OPEN['base'], *criteria)}", style="amount", currency=base),
                     Cell(s.reason), Cell(s.kind), Cell(letter, link=letter), Cell("", style="date"),
                     Cell("", style="date"), Cell(None, style="amount", currency=b.currency),
                     Cell(NO_REPLY, f'=IF(ISNUMBER(K{row}),ROUND(K{row}-D{row},{exponent(b.currency)}),'
                                    f'"{NO_REPLY}")', style="amount", currency=b.currency, align="right"),
                     Cell(PENDING, f'=IF(ISNUMBER(K{row}),IF(L{row}=0,"yes","no"),"{PENDING}")', align="center"),
                     Cell(alternative, style="note"))
            expected.update({f"D{row}": b.amount, f"E{row}": b.base, f"L{row}": NO_REPLY, f"M{row}": PENDING})
            row += 1
    last = row - 1
    selected_base = sum((s.candidate.base for s in chosen.selected), ZERO)
    total_row = spec.add(Cell(f"Total selected ({len(chosen.selected)} customers)", style="total"),
                         *(Cell("", style="total") for _ in range(3)),
                         Cell(selected_base, f"=SUM(E{FIRST_ROW}:E{last})" if last >= FIRST_ROW else "=0",
                              style="total", currency=base))
    expected[f"E{total_row}"] = selected_base
    ledger_base = sum((ctx.base_value(i) for i in ctx.items), ZERO)
    coverage = (selected_base / ledger_base).quantize(Decimal("0.0001"), ROUND_HALF_UP) if ledger_base else ZERO
    given = "from Settings (Audit Confirm Seed)" if chosen.seed_given else \
        "derived from the period; put it in Settings (Audit Confirm Seed) to keep it"
    _beside(spec, 3, Cell("Seed", style="bold"), Cell(chosen.seed, align="left"), Cell(given, style="note"))
    _beside(spec, 4, Cell("Population", style="bold"), Cell(len(chosen.population), style="integer"),
            Cell("customers with a balance at the period end, credit balances included", style="note"))
    _beside(spec, 5, Cell(f"Ledger {base}", style="bold"),
            Cell(ledger_base, f"=SUM({_whole(OPEN['base'])})", style="amount", currency=base),
            Cell("every open item at its base value (Z4)", style="note"))
    _beside(spec, 6, Cell("Coverage", style="bold"),
            Cell(coverage, f"=IF(J5=0,0,ROUND(E{total_row}/J5,4))", style="percent"),
            Cell("selected base value over the ledger's", style="note"))
    expected.update({"J5": ledger_base, "J6": coverage})
    return spec, expected


def _whole(letter: str) -> str:
    return f"'{Z_OPEN}'!${letter}:${letter}"


def _beside(spec: SheetSpec, row: int, *cells: Cell) -> None:
    """Cells in columns I.. of a header row of the frame (rows 1-7), after what the frame put there."""
    cells_of = spec.rows[row - 1]
    cells_of.extend(Cell("") for _ in range(8 - len(cells_of)))
    cells_of[8:8 + len(cells)] = list(cells)


def _paragraph(spec: SheetSpec, text: str, style: Style = "", width: int = 96) -> None:
    """A paragraph as lines of its own rows, so that nothing runs off the printed page."""
    for line in textwrap.wrap(text, width) or [""]:
        spec.add(Cell(line, style=style))


def letter_sheet(ctx: PackContext, chosen: Selected) -> SheetSpec:
    """The letter to one customer: positive (reply in every case) or negative (reply only to disagree)."""
    s = ctx.ledger.settings
    customer = ctx.customers.get(chosen.customer_id)
    name = customer.name if customer else chosen.customer_id
    auditor = s.auditor.strip()
    auditors = f"our auditors, {auditor}," if auditor else "our auditors"
    at = f"{ctx.last:%d/%m/%Y}"
    spec = SheetSpec("Confirmation", widths={"A": 13, "B": 13, "C": 20, "D": 13, "E": 10, "F": 20},
                     fit_width=True)
    spec.add(Cell(s.company_name, style="title"))
    for line in (s.company_address, "  ·  ".join(p for p in (f"TIN {s.company_tin}" if s.company_tin else "",
                                                              s.company_phone, s.company_email) if p)):
        if line:
            spec.add(Cell(line, style="note"))
    spec.blank()
    spec.add(Cell("Date", style="bold"), Cell(ctx.head.signoff.prepared, style="date", align="left"))
    spec.add(Cell("Our reference", style="bold"), Cell(letter_stem(chosen.customer_id, str(ctx.period))))
    spec.add(Cell("To", style="bold"), Cell(name))
    if customer:
        for label, value in (("Attention", customer.contact), ("Address", customer.address),
                             ("E-mail", customer.email), ("Account", customer.customer_id)):
            if value:
                spec.add(Cell(label, style="bold"), Cell(value))
    spec.blank()
    spec.add(Cell(f"CONFIRMATION OF YOUR ACCOUNT BALANCE AT {at}", style="title"))
    spec.add(Cell("Dear Sir or Madam,"))
    balances = "; ".join(f"{figure(b.amount, b.currency, with_code=True)}"
                         f"{' in your favour' if b.amount < 0 else ''}" for b in chosen.candidate.balances)
    _paragraph(spec, f"{auditors[0].upper()}{auditors[1:]} are auditing "
               f"our financial statements for the period ended {at}. According to our records, the balance of your "
               f"account with us at that date is {balances}, made up of the items listed below.")
    if chosen.kind == "positive":
        _paragraph(spec, f"Please confirm directly to {auditors} whether this balance agrees with your records, "
                   "by completing and signing the reply below and sending it to them, not to us. If it does not "
                   "agree, please give details of the difference. Please reply even if the balance agrees.", "bold")
    else:
        _paragraph(spec, f"Please examine this balance. Reply only if you do not agree with it: in that case "
                   f"write directly to {auditors} with the details of the difference. If it agrees with your "
                   "records, you need not reply.", "bold")
    _paragraph(spec, "This is not a request for payment: please do not send any payment to our auditors.",
               "note")
    spec.blank()
    spec.add(*(Cell(h, style="header") for h in ("Currency", "Balance", "", "", "", "")))
    for b in chosen.candidate.balances:
        spec.add(Cell(b.currency), Cell(b.amount, style="amount", currency=b.currency),
                 Cell("owed by you" if b.amount >= 0 else "in your favour"))
    spec.blank()
    spec.add(*(Cell(h, style="header") for h in ("Date", "Type", "Reference", "Due date", "Currency",
                                                 "Open amount")))
    kinds = {"invoice": "Invoice", "credit": "Credit note", "unapplied": "Payment"}
    for item in ctx.items:
        if item.customer_id == chosen.customer_id:
            spec.add(Cell(item.document_date, style="date"), Cell(kinds[item.kind]), Cell(item.reference),
                     Cell(item.due_date, style="date") if item.kind == "invoice" else Cell(""),
                     Cell(item.currency), Cell(item.open_amount, style="amount", currency=item.currency))
    spec.blank()
    spec.add(Cell("Yours faithfully,"))
    spec.blank()
    spec.add(Cell("______________________________"))
    spec.add(Cell(f"for {s.company_name}"))
    spec.blank()
    spec.add(Cell("- " * 60, style="note"))
    _reply(spec, chosen, name, auditor, at, s.company_name, balances)
    return spec


def _reply(spec: SheetSpec, chosen: Selected, name: str, auditor: str, at: str, company: str,
           balances: str) -> None:
    title = "REPLY" if chosen.kind == "positive" else "REPLY ONLY IF THE BALANCE DOES NOT AGREE"
    spec.add(Cell(f"{title}: to be sent directly to {auditor or 'our auditors'}", style="subtitle"))
    spec.add(Cell(f"To: {auditor or 'Our auditors'}"))
    _paragraph(spec, f"Our account with {company} at {at}, shown above as {balances}:")
    if chosen.kind == "positive":
        spec.add(Cell("[   ]  agrees with our records."))
    spec.add(Cell("[   ]  does not agree with our records. Our balance is ____________________ ; the difference "
                  "is explained below."))
    for _ in range(3):
        spec.add(Cell("_" * 96))
    spec.blank()
    spec.add(Cell(f"For {name} ({chosen.customer_id})", style="bold"))
    spec.add(Cell("Signature  ____________________   Name  ____________________"))
    spec.add(Cell("Position  ____________________   Date  ____________________"))
