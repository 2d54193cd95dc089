"""Working paper G: the allowance for doubtful debts (IFRS 9, simplified approach).

IFRS 9 measures the loss allowance on trade receivables at lifetime expected credit losses, and allows a
*provision matrix*: a loss rate per aging bucket, from the company's historical losses, adjusted for
forward-looking information. Known problem debts are provided for on their own (*specific provisions*). The
paper, every figure a live formula over the pack's ``Z`` sheets with arxl's figure cached:

1. **The provision matrix**, one row per aging bucket of Settings: the open invoices of the bucket at the period
   end in the base currency (Z4's base values at the closing rate), less those of the customers provided for
   specifically, the loss rate, the adjusted rate ``MIN(100 %, rate × (1 + forward-looking))`` and the provision
   ``ROUND(balance × adjusted rate)`` to the base currency's unit. Open credits and unapplied cash are not
   provided for (they are owed to the customer). The forward-looking adjustment is ONE input cell (Settings
   "Audit Forward Looking", e.g. 10 %): the auditor changes it and the paper recomputes.
2. **Specific provisions**: each customer with a Customers "Specific Provision" rate, its open invoices (base)
   times that rate. Their invoices are left out of the matrix (column C), and the paper checks that column C's
   total equals the balances provided for specifically.
3. **The total allowance**, matrix plus specific, and its cover of the open invoices; a note says where the
   rates come from (the allowance is a judgment the auditor must see the basis of).

**The loss rates** come from Settings "Audit Loss Rates" (one per bucket, "1%,3%,10%,25%,50%,60%"; a wrong count
or a value that is no rate is refused at that cell), or, when it is empty, from the ledger's write-off history
up to the period end (:func:`loss_history`), a migration of each invoice through the buckets:

- an invoice *reaches* a bucket on the day its age (Settings' aging basis) enters it, with what was still open on
  it at the start of that day (its total less the allocations and credit notes dated before); it reaches the
  bucket it is born in with its total; a bucket it enters after the period end is not reached;
- a write-off (an Allocations deduction of type ``write_off``) is *from* the bucket of the invoice's age on the
  day it was written off;
- the loss rate of a bucket is what was written off from it **or any later bucket** over what reached it
  (every amount written off later passed through it): the lifetime loss of an amount in that bucket, rounded to
  0.01 %. Foreign invoices count at their own rate (the ratio is the same in any currency).

The rates are as good as the history: invoices that reached a bucket lately have had less time to be written
off, and a young ledger may have none. The paper names the method and its figures so that the auditor can judge.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from arxl.books.audit.context import CUST, OPEN, Z_CUSTOMERS, Z_OPEN, PackContext, column, quoted, sumifs
from arxl.books.audit.papers import header, paper
from arxl.core.aging import BucketScheme, age
from arxl.core.errors import BadValue, CellRef
from arxl.core.fx import in_base
from arxl.core.money import exponent, round_money, to_rate
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import OpenItem
from arxl.ledger.rates import document_rate
from arxl.ledger.records import header_key

ZERO, ONE = Decimal(0), Decimal(1)
RATE_PLACES = Decimal("0.0001")  # a historical loss rate to 0.01 %
LOSS_RATES = "Audit Loss Rates"


@dataclass(frozen=True, slots=True)
class LossHistory:
    """The write-off history per aging bucket, in the base currency: what reached each bucket, what was written
    off from it, and the lifetime loss rate (written off from it or a later bucket / reached it)."""

    reached: tuple[Decimal, ...]
    written_off: tuple[Decimal, ...]

    @property
    def rates(self) -> tuple[Decimal, ...]:
        result = []
        for k, reached in enumerate(self.reached):
            later = sum(self.written_off[k:], ZERO)
            result.append((later / reached).quantize(RATE_PLACES, ROUND_HALF_UP) if reached else ZERO)
        return tuple(result)


def settings_cell(ledger: Ledger, key: str) -> CellRef:
    """The Settings cell holding ``key``'s value (the sheet when the key is not there)."""
    table = ledger.tables["Settings"]
    for i, row in enumerate(table.rows):
        if header_key(getattr(row, "key", "")) == header_key(key):
            return table.where(i, "value")
    return table.where_sheet()


def settings_loss_rates(ledger: Ledger, scheme: BucketScheme) -> tuple[Decimal, ...] | None:
    """The loss rates of Settings "Audit Loss Rates", one per bucket; None when the cell is empty. A wrong count
    or a piece that is no rate between 0 % and 100 % is a BadValue naming the cell."""
    text = ledger.settings.audit_loss_rates.strip()
    if not text:
        return None
    where = settings_cell(ledger, LOSS_RATES)
    pieces = [p.strip() for p in re.split(r"[,;]", text)]
    labels = scheme.labels
    if len(pieces) != len(labels):
        raise BadValue(f"{LOSS_RATES} gives {len(pieces)} rate(s) for {len(labels)} aging buckets "
                       f"({', '.join(labels)}): write one rate per bucket, such as "
                       f"\"{','.join(f'{n}%' for n in (1, 3, 10, 25, 50, 60, 80, 100)[:len(labels)])}\"", where)
    rates = []
    for label, piece in zip(labels, pieces, strict=True):
        try:
            rates.append(to_rate(piece, f"the loss rate of {label}"))
        except BadValue as exc:
            raise BadValue(f"{LOSS_RATES}: {exc.message}", where) from exc
    return tuple(rates)


def loss_history(ledger: Ledger, scheme: BucketScheme, as_of: dt.date, base: str) -> LossHistory:
    """The write-off history up to ``as_of`` by bucket (the method of the module's text)."""
    basis = ledger.settings.aging_basis
    invoices = {i.invoice_no: i for i in ledger.invoices
                if i.doc_type == "invoice" and i.status != "cancelled" and i.invoice_date <= as_of}
    moves: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for a in ledger.allocations:
        if a.invoice_no in invoices and a.date <= as_of:
            moves[a.invoice_no].append((a.date, a.applied_amount + a.deduction_amount))
    for note in ledger.invoices:
        if note.doc_type == "credit_note" and note.original_invoice in invoices and note.status != "cancelled" \
                and note.invoice_date <= as_of:
            moves[note.original_invoice].append((note.invoice_date, -note.total_amount))
    count = len(scheme.labels)
    lows = (0, 1, *(b + 1 for b in scheme.bounds))  # the age at which each bucket is entered
    reached, off = [ZERO] * count, [ZERO] * count
    rates = ledger.day_rates()
    for number, inv in invoices.items():
        rate = document_rate(inv, rates, base, ledger.book)
        start = inv.due_date if basis == "due_date" else inv.invoice_date
        born = scheme.index(age(inv.invoice_date, inv.due_date, inv.invoice_date, basis))
        history = moves.get(number, [])
        for k in range(born, count):
            if k == born:
                reached[k] += _in_base(inv.total_amount, inv.currency, rate, base)
                continue
            entry = start + dt.timedelta(days=lows[k])
            if entry > as_of:
                break
            still = inv.total_amount - sum((amount for day, amount in history if day < entry), ZERO)
            if still <= 0:
                break
            reached[k] += _in_base(still, inv.currency, rate, base)
    for a in ledger.allocations:
        owed = invoices.get(a.invoice_no)
        if owed is None or a.deduction_type != "write_off" or not a.deduction_amount or a.date > as_of:
            continue
        k = scheme.index(age(owed.invoice_date, owed.due_date, a.date, basis))
        off[k] += _in_base(a.deduction_amount, owed.currency, document_rate(owed, rates, base, ledger.book), base)
    return LossHistory(tuple(reached), tuple(off))


def _in_base(amount: Decimal, currency: str, rate: Decimal, base: str) -> Decimal:
    return amount if currency == base else in_base(amount, rate, base)


def specific_provisions(ledger: Ledger) -> dict[str, Decimal]:
    """Customer -> its Customers "Specific Provision" rate, for the customers that have one."""
    result: dict[str, Decimal] = {}
    for c in ledger.customers:
        if c.specific_provision is not None:
            result[c.customer_id] = c.specific_provision
    return result


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


def allowance_paper(ctx: PackContext) -> list[SheetSpec]:
    """Working paper G (see the module's text)."""
    ledger, base, labels = ctx.ledger, ctx.base, ctx.scheme.labels
    places = exponent(base)
    given = settings_loss_rates(ledger, ctx.scheme)
    history = loss_history(ledger, ctx.scheme, ctx.last, base) if given is None else None
    rates = history.rates if history is not None else given or ()
    forward = ledger.settings.audit_forward_looking
    specific = specific_provisions(ledger)
    where = settings_cell(ledger, LOSS_RATES)
    basis = (f"loss rates from Settings {LOSS_RATES} ({where.sheet}!{where.cell}), the company's estimate"
             if given is not None else "loss rates from the ledger's write-off history up to the period end "
             "(below: what reached each bucket, what was written off from it or later)")
    source = (f"Z4 open invoices at the closing rate by bucket ({ctx.scheme.labels[0]}...); {basis}; "
              "forward-looking adjustment: Settings Audit Forward Looking; specific provisions: Customers "
              "Specific Provision (Z5)")
    spec = paper("G", "Allowance", "Allowance for doubtful debts (IFRS 9 simplified approach)", ctx.head, source,
                 "AΣ✓", widths={"A": 26, "B": 18, "C": 18, "D": 18, "E": 14, "F": 14, "G": 18})
    header(spec, "Bucket", f"Invoices open ({base})", "Of specific-provision customers", "Subject to the matrix",
           "Loss rate", "Adjusted rate", f"Provision ({base})")
    fl_row = spec.add(Cell("Forward-looking adjustment", style="bold"),
                      Cell("input (Settings Audit Forward Looking): every adjusted rate is the loss rate × (1 + "
                           "this); the auditor may change it", style="note"), Cell(), Cell(), Cell(),
                      Cell(forward, style="percent"))
    fl = f"$F${fl_row}"
    first_matrix = spec.next_row
    sums = [ZERO] * 4
    matrix_rows: list[int] = []
    by_bucket: dict[str, list[OpenItem]] = {}
    for item in ctx.items:
        if item.is_invoice:
            by_bucket.setdefault(ctx.bucket(item), []).append(item)
    for k, label in enumerate(labels):
        row = first_matrix + k
        matrix_rows.append(row)
        items = by_bucket.get(label, [])
        whole = sum((ctx.base_value(i) for i in items), ZERO)
        theirs = sum((ctx.base_value(i) for i in items if i.customer_id in specific), ZERO)
        subject = whole - theirs
        adjusted = min(ONE, rates[k] * (1 + forward))
        provision = round_money(subject * adjusted, base)
        for n, v in enumerate((whole, theirs, subject, provision)):
            sums[n] += v
        criteria = ((OPEN["bucket"], f"$A{row}"), (OPEN["kind"], quoted("invoice")))
        of_specific = "+".join(sumifs(Z_OPEN, OPEN["base"], *criteria, (OPEN["customer"], quoted(c)))
                               for c in sorted(specific)) or "0"
        spec.add(Cell(label), Cell(whole, formula="=" + sumifs(Z_OPEN, OPEN["base"], *criteria), style="amount",
                                   currency=base),
                 Cell(theirs, formula="=" + of_specific, style="amount", currency=base),
                 Cell(subject, formula=f"=B{row}-C{row}", style="amount", currency=base),
                 Cell(rates[k], style="percent"),  # replaced by a reference to the history block below
                 Cell(adjusted, formula=f"=MIN(1,E{row}*(1+{fl}))", style="percent"),
                 Cell(provision, formula=f"=ROUND(D{row}*F{row},{places})", style="amount", currency=base))
    first, last = matrix_rows[0], matrix_rows[-1]
    total_row = spec.add(Cell("Provision matrix: total", style="total"),
                         *(Cell(sums[n], formula=f"=SUM({c}{first}:{c}{last})", style="total", currency=base)
                           for n, c in enumerate("BCD")), Cell("", style="total"), Cell("", style="total"),
                         Cell(sums[3], formula=f"=SUM(G{first}:G{last})", style="total", currency=base))
    spec.blank()
    matrix_total, specific_total = sums[3], _specific(ctx, spec, specific, total_row)
    spec.blank()
    invoices = sum((ctx.base_value(i) for i in ctx.items if i.is_invoice), ZERO)
    allowance = matrix_total + specific_total[0]
    spec.add(Cell("The allowance", style="bold"))
    m = spec.add(Cell("Provision matrix"), Cell(matrix_total, formula=f"=G{total_row}", style="amount",
                                                 currency=base))
    s = spec.add(Cell("Specific provisions"), Cell(specific_total[0], formula=f"=E{specific_total[1]}",
                                                    style="amount", currency=base))
    t = spec.add(Cell("Allowance for doubtful debts", style="total"),
                 Cell(allowance, formula=f"=B{m}+B{s}", style="total", currency=base))
    o = spec.add(Cell("Invoices open at the period end"),
                 Cell(invoices, formula="=" + sumifs(Z_OPEN, OPEN["base"], (OPEN["kind"], quoted("invoice"))),
                      style="amount", currency=base), Cell("A", align="center"))
    cover = (allowance / invoices).quantize(RATE_PLACES, ROUND_HALF_UP) if invoices else ZERO
    spec.add(Cell("Cover: allowance / invoices open"),
             Cell(cover, formula=f"=IF(B{o}=0,0,ROUND(B{t}/B{o},4))", style="percent"))
    if history is not None:
        spec.blank()
        _history(spec, history, labels, base, matrix_rows)
    spec.blank()
    spec.add(Cell("Basis", style="bold"), Cell(f"The allowance is a judgment. Rates: {basis}. Forward-looking "
                                               f"adjustment {_pct(forward)} (the input cell F{fl_row}).",
                                               style="note"))
    spec.add(Cell("Movement", style="bold"),
             Cell("arxl keeps no allowance account: the charge (or release) of the period is this allowance less "
                  "the allowance booked in Sage at the previous period end.", style="note"))
    return [spec]


def _specific(ctx: PackContext, spec: SheetSpec, specific: dict[str, Decimal], total_row: int
              ) -> tuple[Decimal, int]:
    """The specific provisions block; returns its total and the row of the total (the provision in column E)."""
    base, places = ctx.base, exponent(ctx.base)
    spec.add(Cell("Specific provisions (known problem debts)", style="bold"),
             Cell("customers with a Customers Specific Provision: their open invoices at that rate", style="note"))
    spec.add(*(Cell(t, style="header") for t in ("Customer ID", "Name", f"Invoices open ({base})", "Rate",
                                                 f"Provision ({base})", "Source")))
    first = spec.next_row
    balances, provisions = ZERO, ZERO
    for cid in sorted(specific):
        rate = specific[cid]
        row = spec.next_row
        balance = sum((ctx.base_value(i) for i in ctx.items if i.is_invoice and i.customer_id == cid), ZERO)
        provision = round_money(balance * rate, base)
        balances += balance
        provisions += provision
        spec.add(Cell(cid), Cell(ctx.name(cid)),
                 Cell(balance, formula="=" + sumifs(Z_OPEN, OPEN["base"], (OPEN["customer"], f"$A{row}"),
                                                   (OPEN["kind"], quoted("invoice"))), style="amount",
                      currency=base),
                 Cell(rate, formula="=" + sumifs(Z_CUSTOMERS, CUST["provision"], (CUST["id"], f"$A{row}")),
                      style="percent"),
                 Cell(provision, formula=f"=ROUND(C{row}*D{row},{places})", style="amount", currency=base),
                 Cell(f"Customers Specific Provision ({column(Z_CUSTOMERS, CUST['provision'])})", style="note"))
    last = spec.next_row - 1
    if not specific:
        spec.add(Cell("no customer has a specific provision", style="note"))

    def sum_of(letter: str) -> str:
        return f"=SUM({letter}{first}:{letter}{last})" if specific else "=0"

    total = spec.add(Cell("Specific provisions: total", style="total"), Cell("", style="total"),
                     Cell(balances, formula=sum_of("C"), style="total", currency=base), Cell("", style="total"),
                     Cell(provisions, formula=sum_of("E"), style="total", currency=base))
    spec.add(Cell("Difference: matrix column C less these balances (nil: each provided for once)"),
             "", Cell(ZERO, formula=f"=C{total_row}-C{total}", style="amount", currency=base))
    return provisions, total


def _history(spec: SheetSpec, history: LossHistory, labels: tuple[str, ...], base: str,
             matrix_rows: list[int]) -> None:
    """The write-off history block, and the matrix's loss rates pointed at its rates."""
    spec.add(Cell("Loss history (the rates' basis)", style="bold"),
             Cell("each invoice up to the period end as it passed through the buckets; a write-off counts in "
                  "the bucket of its age that day", style="note"))
    spec.add(*(Cell(t, style="header") for t in ("Bucket", f"Reached the bucket ({base})",
                                                 f"Written off from it ({base})", "…from it or later",
                                                 "Loss rate")))
    first = spec.next_row
    last = first + len(labels) - 1
    rates = history.rates
    for k, label in enumerate(labels):
        row = first + k
        spec.add(Cell(label), Cell(history.reached[k], style="amount", currency=base),
                 Cell(history.written_off[k], style="amount", currency=base),
                 Cell(sum(history.written_off[k:], ZERO), formula=f"=SUM(C{row}:C${last})", style="amount",
                      currency=base),
                 Cell(rates[k], formula=f"=IF(B{row}=0,0,ROUND(D{row}/B{row},4))", style="percent"))
        matrix = spec.rows[matrix_rows[k] - 1]
        matrix[4] = Cell(rates[k], formula=f"=E{row}", style="percent")
    spec.add(Cell("Written off", style="total"), Cell("", style="total"),
             Cell(sum(history.written_off, ZERO), formula=f"=SUM(C{first}:C{last})", style="total",
                  currency=base))

