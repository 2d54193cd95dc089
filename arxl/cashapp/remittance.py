"""A remittance advice splits the bank line it announces: each invoice its cash, each deduction its type.

A large customer pays one transfer for many invoices, less what it withholds, and says how in an advice
(:class:`arxl.ledger.remittance.Advice`). :func:`split_by_advices` works on the Reconciliation sheet after a
statement is proposed:

1. **The customer**: the advice's customer id, else its payer's name (a customer's name or alias, case and
   accents ignored), else the owner of the invoices it names.
2. **The invoices**: each number as quoted is resolved with the matcher's reading of invoice numbers
   (:func:`arxl.core.invoice_refs.reference_evidence`: ``INV-2025-00042``, ``inv 2025/42``, ``2025-00042``), but
   only where its letters are the invoice's own (or a word such as INVOICE): ``CN-2025-00042`` is a credit note,
   never INV-2025-00042, and ``PO-2025-00042`` is no invoice of ours. A number of another customer, of no
   invoice, of several equally, of a credit note, of an invoice in another currency, or a negative amount paid,
   is refused, with its cell.
3. **The bank line**: a line of the sheet not yet decided or posted, in the advice's currency, whose bank
   reference (or narrative) carries the advice's payment reference; else whose amount is the advice's total
   and whose date is within ``window_days`` of the payment date. Several lines that fit and nothing to choose
   between them: the advice is left aside, and the report says so.
4. **The split** replaces the matcher's proposal for that line: per invoice a row with the cash paid and the
   first deduction, then a row per further deduction (the rows :mod:`arxl.cashapp.posting` posts as Allocations
   with their deduction types, as the matcher's own). A deduction the advice gives without a ledger type (a
   disputed amount short-paid) is not cleared: the invoice stays open for it, and the reason says so.

The line is applied **automatically** (status ``auto``, which ``arxl reconcile approve`` approves) only when the
amounts agree: the lines add up to the bank amount, every number resolves to an open invoice of the customer that
is open for at least its cash and deductions, no amount is negative, each withholding is one the customer's
profile in Customers has and is what the Settings' rate gives on the invoice (the VAT withheld on its VAT, the
WHT on its VAT-exclusive amount), the bank charges together are within the currency's tolerance (Settings' Bank
Charges Tolerance, or the payer's usual charge when the matcher knows one), no discount or other write-off is
taken, and no other proposal of the sheet takes the same invoice.
Otherwise it is proposed for ``review``, the reason naming what disagrees and the advice's cell. Posting stays
the one path, each bank line once: a line already decided or posted is never changed, and the same advice again
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.cashapp.reconcile import ReconciliationRow, match_inputs, match_settings, reconciliation_sheet
from arxl.cashapp.rules import learnt_inputs
from arxl.core.errors import ArxlError
from arxl.core.invoice_refs import reference_evidence, reference_keys
from arxl.core.money import figure, round_money
from arxl.core.names import INVOICE_WORDS
from arxl.core.tax import parse_withholding
from arxl.core.text import fold
from arxl.core.withholding import deduction, kinds, withheld_types
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.matching import UsualCharge
from arxl.ledger.openitems import open_items
from arxl.ledger.records import Customer, Invoice
from arxl.ledger.remittance import Advice, AdviceDeduction, AdviceLine
from arxl.ledger.tables import Table

__all__ = ["AdviceOutcome", "Split", "split_by_advices"]

ZERO = Decimal(0)
BY_REFERENCE = "by reference"
LEAST_EVIDENCE = 70  # the zero-padded serial alone ("00042"); a bare "42" needs more than an advice's cell
_WORD = re.compile(r"[A-Z]+")
NUMBER_WORDS = frozenset({"NO", "NR", "NUM", "NUMBER", "REF"})  # "Inv No 2025-00042" is still the invoice
CREDIT_WORDS = frozenset({"CN", "CR", "CRN", "CREDIT", "CREDITNOTE", "AVOIR"})
"""Letters that make a quoted number a credit note's (besides the Settings' credit-note series)."""


@dataclass(frozen=True, slots=True)
class AdviceOutcome:
    """What became of one advice: the bank line it split (empty: none), ``auto`` or ``review`` (or ``""`` when
    nothing was written), and why; the lines refused, each with its cell."""

    advice: Advice
    line_id: str
    status: str
    reason: str
    refused: tuple[tuple[str, str], ...] = ()  # (where, why)


@dataclass(slots=True)
class Split:
    """What the advices did to the Reconciliation sheet."""

    outcomes: list[AdviceOutcome] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)


def split_by_advices(ledger: Ledger, table: Table[ReconciliationRow], advices: Sequence[Advice], *,
                     window_days: int = 5) -> Split:
    """Split the bank lines of the sheet that the advices announce (see the module's docstring)."""
    result = Split()
    rows = list(table.rows)
    invoices = _Invoices(ledger)
    charges = _Charges(ledger)
    for advice in advices:
        outcome, rows = _one(ledger, invoices, charges, rows, advice, window_days)
        result.outcomes.append(outcome)
    if rows != table.rows:
        names = ", ".join(o.advice.source for o in result.outcomes if o.status)
        result.changes.replace_sheet(reconciliation_sheet(rows, f"bank lines split by remittance advice ({names})"))
    return result


class _Invoices:
    """The ledger's invoices, findable by the number as a customer quotes it, with what each still owes."""

    def __init__(self, ledger: Ledger) -> None:
        self.by_no = {i.invoice_no: i for i in ledger.invoices}
        self.by_serial: dict[str, list[Invoice]] = defaultdict(list)
        self.credit_notes: dict[str, Invoice] = {}  # by the number without separators
        for invoice in ledger.invoices:
            try:
                keys = reference_keys(invoice.invoice_no)
            except ValueError:
                continue
            if invoice.doc_type == "invoice":
                self.by_serial[keys.number].append(invoice)
            else:
                self.credit_notes[keys.compact] = invoice
        series = _WORD.findall(fold(ledger.settings.credit_note_series))
        self.credit_words = CREDIT_WORDS | set(series)
        self.rates = ledger.withholding_rates()
        self.open = {i.reference: i.open_amount for i in open_items(ledger.invoices, ledger.allocations, dt.date.max)
                     if i.kind == "invoice"}

    def find(self, quoted: str, customer: str) -> tuple[Invoice | None, str]:
        """The invoice a quoted number names (the clearest reading, the customer's before another's), or None and
        why: no invoice reads so, or several read so equally well."""
        if quoted in self.by_no and self.by_no[quoted].doc_type == "invoice":
            return self.by_no[quoted], ""
        try:
            keys = reference_keys(quoted)
        except ValueError:
            return None, f'"{quoted}" is no invoice number'
        words = set(_WORD.findall(fold(quoted))) - INVOICE_WORDS - NUMBER_WORDS
        note = self.credit_notes.get(keys.compact)
        if note is not None:
            return None, f'"{quoted}" is credit note {note.invoice_no} of {note.customer_id}, not an invoice'
        if words & self.credit_words:
            return None, f'"{quoted}" is a credit note, not an invoice'
        # The serial alone never matches across another prefix: CN-2025-00001 is not INV-2025-00001.
        same_letters = [i for i in self.by_serial.get(keys.number, ())
                        if not words - set(_WORD.findall(fold(i.invoice_no)))]
        scored = [((reference_evidence(quoted, i.invoice_no).points, i.customer_id == customer), i)
                  for i in same_letters]
        scored = [s for s in scored if s[0][0] >= LEAST_EVIDENCE]
        if not scored:
            if words and len(same_letters) < len(self.by_serial.get(keys.number, ())):
                return None, f'"{quoted}" is no invoice of ours ({"-".join(sorted(words))} is no invoice prefix): ' \
                             "an unknown document"
            return None, f'"{quoted}" is no invoice of ours'
        best = max(key for key, _ in scored)
        found = [i for key, i in scored if key == best]
        if len(found) > 1:
            return None, f'"{quoted}" reads as {" or ".join(i.invoice_no for i in found)}: write the whole number'
        return found[0], ""

    def withholding(self, invoice: Invoice, kind: str, code: str, profile: frozenset[str]) -> list[Decimal]:
        """What a withholding of this deduction type may be on the invoice: one figure per kind cleared so, the
        customer's own kinds when its profile has one (``vat,wht3``: 3 %, not 15 %)."""
        possible = [k for k in kinds() if k.deduction == kind]
        possible = [k for k in possible if k.code in profile] or possible
        return [round_money(getattr(invoice, k.base) * self.rates[k.code], code) for k in possible]


class _Charges:
    """How much bank charges a payment may lose and still be applied automatically: the currency's tolerance
    in Settings, or the payer's usual charge when the matcher knows one (its history or a MatchRules row)."""

    def __init__(self, ledger: Ledger) -> None:
        settings = match_settings(ledger)
        self.tolerances = dict(settings.bank_charges)
        self.usual: dict[tuple[str, str], UsualCharge] = {}
        try:
            _, learnt = learnt_inputs(ledger, match_inputs(ledger, dt.date.max)[1], settings)
            self.usual = dict(learnt.usual_charges)
        except ArxlError:  # unreadable rules: Settings' tolerance alone, the stricter one
            pass

    def limit(self, customer_id: str, code: str) -> tuple[Decimal, str]:
        """The largest bank charges of one payment, and where that figure comes from."""
        tolerance = self.tolerances.get(code, ZERO)
        usual = self.usual.get((customer_id, code))
        if usual is not None and usual.tolerance > tolerance:
            return usual.tolerance, f"{customer_id}'s usual charge, {usual.source}"
        return tolerance, "Settings' bank charges tolerance"


def _customer(ledger: Ledger, advice: Advice, invoices: _Invoices) -> Customer | None:
    people = {c.customer_id: c for c in ledger.customers}
    if advice.customer_id.strip() in people:
        return people[advice.customer_id.strip()]
    payer = fold(advice.payer).strip()
    if payer:
        for person in ledger.customers:
            names = [person.name, *person.aliases.replace(",", ";").split(";")]
            if any(payer == fold(name).strip() for name in names if name.strip()):
                return person
    owners = [i.customer_id for line in advice.lines if (i := invoices.find(line.invoice, "")[0]) is not None]
    if owners:
        return people.get(max(set(owners), key=owners.count))
    return None


def _one(ledger: Ledger, invoices: _Invoices, charges: _Charges, rows: list[ReconciliationRow], advice: Advice,
         window_days: int) -> tuple[AdviceOutcome, list[ReconciliationRow]]:
    customer = _customer(ledger, advice, invoices)
    if customer is None:
        who = advice.customer_id or advice.payer or "no payer named"
        return AdviceOutcome(advice, "", "", f"the payer ({who}) is no customer and none of its invoice numbers is "
                                             "ours: nothing split"), rows
    currency = advice.currency or customer.currency or ledger.settings.base_currency or "RWF"
    lines: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        lines[(row.statement, row.line_id)].append(index)
    chosen, how = _bank_line(rows, lines, advice, customer, currency, window_days)
    if chosen is None:
        return AdviceOutcome(advice, "", "", how), rows
    members = lines[chosen]
    first = rows[members[0]]
    taken_elsewhere = {r.invoice_no: r.line_id for r in rows if (r.statement, r.line_id) != chosen and r.invoice_no
                       and not r.posted}
    caution = []
    others = {r.customer_id for r in (rows[i] for i in members) if r.customer_id} - {customer.customer_id}
    if others and how != BY_REFERENCE:  # found by amount and date only, and the matcher saw another payer in it
        caution.append(f"the matcher read bank line {first.line_id} as {', '.join(sorted(others))}'s")
    new_rows, status, reason, refused = _split(advice, first, customer, invoices, charges, taken_elsewhere, caution)
    gone = set(members)
    updated = rows[:members[0]] + new_rows + [r for i, r in enumerate(rows) if i > members[0] and i not in gone]
    return AdviceOutcome(advice, first.line_id, status, reason, tuple(refused)), updated


def _bank_line(rows: list[ReconciliationRow], lines: dict[tuple[str, str], list[int]], advice: Advice,
               customer: Customer, currency: str, window_days: int) -> tuple[tuple[str, str] | None, str]:
    """The bank line the advice announces (its statement and line id) and how it was found; or None and why."""
    free: list[ReconciliationRow] = []
    for members in lines.values():
        first = rows[members[0]]
        if first.currency == currency and first.amount > 0:
            free.append(first)
    reference = fold(advice.reference).strip()
    if reference:
        by_reference = [r for r in free if reference == fold(r.bank_reference).strip()
                        or (len(reference) >= 6 and reference in fold(r.narrative))]
        if len(by_reference) == 1:
            line, why = _if_free(rows, lines, by_reference[0])
            return line, why or BY_REFERENCE
    fits = [r for r in free if r.amount == advice.amount and (
        advice.payment_date is None or abs((r.date - advice.payment_date).days) <= window_days)]
    if len(fits) > 1:
        fits = [r for r in fits if r.customer_id == customer.customer_id] or fits
    shown = f"{figure(advice.amount, currency)} {currency}"
    when = f" within {window_days} days of {advice.payment_date:%d/%m/%Y}" if advice.payment_date else ""
    if not fits:
        return None, f"no bank line of {shown}{when} on the Reconciliation sheet: nothing split"
    if len(fits) > 1:
        return None, (f"{len(fits)} bank lines of {shown}{when} ({', '.join(r.line_id for r in fits)}) and nothing "
                      "to choose between them: give the payment reference in the advice")
    return _if_free(rows, lines, fits[0])


def _if_free(rows: list[ReconciliationRow], lines: dict[tuple[str, str], list[int]], line: ReconciliationRow
             ) -> tuple[tuple[str, str] | None, str]:
    """The line, unless the accountant decided it or it is posted (None and why: then nothing is changed)."""
    own = [rows[i] for i in lines[(line.statement, line.line_id)]]
    posted = next((r.posted for r in own if r.posted), "")
    if posted:
        return None, f"bank line {line.line_id} is already {'' if posted.startswith('rejected') else 'posted as '}" \
                     f"{posted}: nothing changed"
    decision = next((r.decision for r in own if r.decision.strip()), "")
    if decision:
        return None, f'bank line {line.line_id} is already decided ("{decision}"): nothing changed'
    return (line.statement, line.line_id), ""


def _split(advice: Advice, first: ReconciliationRow, customer: Customer, invoices: _Invoices, charges: _Charges,
           taken_elsewhere: dict[str, str], caution: list[str]
           ) -> tuple[list[ReconciliationRow], str, str, list[tuple[str, str]]]:
    """The rows of the split line, its status and reason, and the advice lines refused with their cells."""
    code = first.currency
    refused: list[tuple[str, str]] = []
    disagree: list[str] = list(caution)
    notes: list[str] = []
    kept: list[tuple[AdviceLine, Invoice]] = []
    try:
        profile = parse_withholding(customer.withholding) if customer.customer_type != "foreign" else frozenset()
    except ArxlError:
        profile = frozenset()
    for line in advice.lines:
        invoice, why = invoices.find(line.invoice, customer.customer_id)
        if invoice is None:
            refused.append((line.where, f"{why}: not applied"))
        elif invoice.customer_id != customer.customer_id:
            refused.append((line.where, f"{invoice.invoice_no} is an invoice of {invoice.customer_id}, not of "
                                        f"{customer.customer_id} {customer.name}: not applied"))
        elif invoice.currency != code:
            refused.append((line.where, f"{invoice.invoice_no} is in {invoice.currency}, the payment in {code}: "
                                        "not applied"))
        elif line.paid < 0:
            refused.append((line.where, f"{invoice.invoice_no} is paid {figure(line.paid, code)}, a negative "
                                        "payment: not applied"))
        else:
            kept.append((line, invoice))
    cleared: dict[str, Decimal] = defaultdict(Decimal)
    new_rows: list[ReconciliationRow] = []
    bank_charges: list[tuple[Decimal, str]] = []
    for line, invoice in kept:
        typed = [d for d in line.deductions if d.kind]
        for d in line.deductions:
            disagree.extend(_deduction_doubts(d, line, invoice, customer, profile, invoices, code))
            if not d.kind and d.amount > 0:
                notes.append(f"{invoice.invoice_no}: {figure(d.amount, code)} not paid ({d.reason}), left open")
            if d.kind == "bank_charges" and d.amount > 0:
                bank_charges.append((d.amount, d.where or line.where))
        cleared[invoice.invoice_no] += line.paid + sum((d.amount for d in typed), ZERO)
        parts = [(line.paid, typed[0] if typed else None), *((ZERO, d) for d in typed[1:])]
        for applied, taken in parts:
            new_rows.append(first.model_copy(update={
                "customer_id": customer.customer_id, "invoice_no": invoice.invoice_no, "applied": applied,
                "deduction": taken.amount if taken else ZERO, "deduction_type": taken.kind if taken else ""}))
        if invoice.invoice_no in taken_elsewhere:
            other = taken_elsewhere[invoice.invoice_no]
            disagree.append(f"{invoice.invoice_no} is also proposed for bank line {other}")
    for number, amount in cleared.items():
        owed = invoices.open.get(number, ZERO)
        if amount > owed:
            disagree.append(f"{number} is open for {figure(owed, code)}, the advice clears {figure(amount, code)}")
    charged = sum((amount for amount, _ in bank_charges), ZERO)
    limit, source = charges.limit(customer.customer_id, code)
    if charged > limit:
        disagree.append(f"bank charges of {figure(charged, code)} are above the tolerance of {figure(limit, code)} "
                        f"{code} ({source}) ({'; '.join(where for _, where in bank_charges)})")
    paid = sum((r.applied for r in new_rows), ZERO)
    listed = advice.paid
    if listed != first.amount:
        disagree.append(f"the advice's lines add up to {figure(listed, code)}, the bank line is "
                        f"{figure(first.amount, code)}")
    if advice.total is not None and advice.total != listed:
        disagree.append(f"its total ({advice.total_where}) is {figure(advice.total, code)}")
    if refused:
        disagree.append(f"{len(refused)} line(s) refused ({'; '.join(w for w, _ in refused)}): "
                        + "; ".join(why.removesuffix(": not applied") for _, why in refused))
    if paid < first.amount:
        new_rows.append(first.model_copy(update={"customer_id": customer.customer_id, "invoice_no": "",
                                                 "applied": first.amount - paid, "deduction": ZERO,
                                                 "deduction_type": ""}))
    if not kept:
        new_rows = new_rows or [first]
    withheld = sorted({deduction(r.deduction_type).short for r in new_rows if r.deduction_type})
    what = (f"remittance advice {advice.source}: {len(kept)} invoice(s) of {customer.customer_id}"
            + (f", less {', '.join(withheld)}" if withheld else ""))
    status = "review" if disagree else "auto"
    reason = "; ".join([what, *(["to review: " + "; ".join(disagree)] if disagree else []), *notes])
    final = [r.model_copy(update={"status": status, "score": 100 if status == "auto" else 80, "reason": reason})
             for r in new_rows]
    return final, status, reason, refused


def _deduction_doubts(taken: AdviceDeduction, line: AdviceLine, invoice: Invoice, customer: Customer,
                      profile: frozenset[str], invoices: _Invoices, code: str) -> list[str]:
    """What keeps one deduction of the advice from being applied automatically (bank charges are held to the
    tolerance for the whole payment, by the caller)."""
    amount, number, where = figure(taken.amount, code), invoice.invoice_no, taken.where or line.where
    name = deduction(taken.kind).short if taken.kind else (taken.reason or "deduction")
    if taken.amount < 0:
        return [f"{name} on {number} is {amount}: a negative deduction is never applied automatically ({where})"]
    if taken.kind in withheld_types():
        own = [k for k in kinds() if k.deduction == taken.kind and k.code in profile]
        if not own:
            who = (f"{customer.customer_id} is a foreign customer and withholds no Rwandan tax"
                   if customer.customer_type == "foreign" else
                   f"{customer.customer_id} withholds {'nothing' if not profile else 'no ' + name} per Customers")
            return [f"{who}, the advice takes {name} {amount} on {number} ({where})"]
        expected = invoices.withholding(invoice, taken.kind, code, profile)
        if taken.amount not in expected:
            rates = " or ".join(figure(e, code) for e in expected)
            return [f"{name} on {number} is {amount}, the rate gives {rates} ({where})"]
        return []
    if taken.kind and taken.kind != "bank_charges":
        return [f"{name} of {amount} on {number} ({where}) is written off by the customer: never applied "
                "automatically"]
    return []
