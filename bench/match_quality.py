"""How good is the matcher? Precision and auto-match rate per case, against the lookup-formula baseline.

For each size and seed, :mod:`arxl.sample.cash` makes customers, open items and statement lines with the truth; arxl's
matcher and the baseline run on the same lines:

* **precision** - of the lines matched automatically, the share matched to exactly the right invoices with
  exactly the right cleared amounts (applied + deductions per invoice). A non-receipt matched counts wrong.
* **auto-match rate** - of the lines that are customer receipts, the share matched automatically and right.
* **review: first proposal right** - of the lines sent to review, the share whose proposal (the rows the
  Reconciliation sheet shows for the line, the only proposal it shows) is the truth: exactly the right invoices
  with exactly the right cleared amounts, and no invoice for a line that is no customer receipt. What the
  accountant approves as proposed, rather than decides again (:func:`review_right`, shared with ``match.py``).

The baseline is what an accountant's lookup formula does: the invoice number written exactly as issued in
the narrative (``SEARCH``) and the line amount equal to its open amount; then it clears that invoice.

    python bench/match_quality.py [--sizes small,medium,large] [--seeds 1,2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.cashapp import AllocationRow, MatchSettings, OpenInvoice, match
from arxl.core.statement import StatementLine
from arxl.sample.cash import CASES, RECURRING, Bench, Truth, generate

SIZES = {"small": (300, 3_000, 1_500), "medium": (2_000, 20_000, 5_000), "large": (20_000, 200_000, 20_000)}


@dataclass
class Tally:
    lines: int = 0
    receipts: int = 0
    auto: int = 0
    auto_right: int = 0
    auto_right_receipts: int = 0
    review: int = 0
    review_right: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.lines += other.lines
        self.receipts += other.receipts
        self.auto += other.auto
        self.auto_right += other.auto_right
        self.auto_right_receipts += other.auto_right_receipts
        self.review += other.review
        self.review_right += other.review_right
        self.wrong.extend(other.wrong)

    @property
    def precision(self) -> float | None:
        return self.auto_right / self.auto if self.auto else None

    @property
    def rate(self) -> float | None:
        return self.auto_right_receipts / self.receipts if self.receipts else None

    @property
    def review_share(self) -> float | None:
        """Of the lines sent to review, the share whose first (and only) proposal is the truth."""
        return self.review_right / self.review if self.review else None


def arxl_answers(bench: Bench, settings: MatchSettings) -> tuple[dict[str, tuple[str, dict[str, Decimal]]], float]:
    started = time.perf_counter()
    rows = match(bench.lines, bench.items, bench.customers, settings)
    seconds = time.perf_counter() - started
    return by_line(rows), seconds


def by_line(rows: list[AllocationRow]) -> dict[str, tuple[str, dict[str, Decimal]]]:
    answers: dict[str, tuple[str, dict[str, Decimal]]] = {}
    for row in rows:
        _, cleared = answers.setdefault(row.line_id, (row.status, {}))
        if row.invoice_no:
            cleared[row.invoice_no] = cleared.get(row.invoice_no, Decimal(0)) + row.applied_amount + \
                row.deduction_amount
    return answers


def baseline_answers(lines: list[StatementLine], items: list[OpenInvoice]) -> dict[str, tuple[str, dict[str, Decimal]]]:
    """The lookup formula: an invoice number exactly as issued in the narrative, and the exact open amount."""
    by_number = {item.invoice_no.upper(): item for item in items}
    lengths = sorted({len(n) for n in by_number})
    answers: dict[str, tuple[str, dict[str, Decimal]]] = {}
    for line in lines:
        text = line.narrative.upper()
        found = {text[i : i + n] for n in lengths for i in range(len(text) - n + 1) if text[i : i + n] in by_number}
        answer: tuple[str, dict[str, Decimal]] = ("unmatched", {})
        if len(found) == 1:
            item = by_number[found.pop()]
            if line.amount == item.open_amount and line.currency == item.currency:
                answer = ("auto", {item.invoice_no: item.open_amount})
        answers[line.line_id] = answer
    return answers


def review_right(cleared: dict[str, Decimal], truth: Truth) -> bool:
    """The proposal of a line sent to review is the truth: the invoices the Reconciliation sheet shows first, and
    what each clears, are exactly the truth's (none for a line that is no customer receipt)."""
    return cleared == (truth.cleared if truth.receipt else {})


def review_figure(t: Tally) -> str:
    """The sentence every matching bench prints beside precision and the automatic rate."""
    return f"review: first proposal right {_pct(t.review_share).strip()} ({t.review_right:,} of {t.review:,} lines)"


def tally(bench: Bench, answers: dict[str, tuple[str, dict[str, Decimal]]]) -> dict[str, Tally]:
    per_case: dict[str, Tally] = defaultdict(Tally)
    for line in bench.lines:
        truth = bench.truth[line.line_id]
        t = per_case[truth.case]
        status, cleared = answers[line.line_id]
        t.lines += 1
        t.receipts += truth.receipt
        if status == "review":
            t.review += 1
            t.review_right += review_right(cleared, truth)
        if status == "auto":
            t.auto += 1
            right = truth.receipt and cleared == truth.cleared
            t.auto_right += right
            t.auto_right_receipts += right and truth.receipt
            if not right:
                t.wrong.append(line.line_id)
    return per_case


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:6.2f}%"


def report(title: str, arxl: dict[str, Tally], base: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(f"{'case':24} {'lines':>6} {'rcpts':>6} | {'arxl prec':>9} {'arxl auto':>9} {'review':>6} "
          f"{'rev 1st ok':>10} | {'base prec':>9} {'base auto':>9}")
    total_a, total_b = Tally(), Tally()
    for case in [*CASES, *sorted(set(arxl) - set(CASES))]:
        if case not in arxl:
            continue
        a, b = arxl[case], base[case]
        total_a.add(a)
        total_b.add(b)
        print(f"{case:24} {a.lines:6d} {a.receipts:6d} | {_pct(a.precision):>9} {_pct(a.rate):>9} {a.review:6d} "
              f"{_pct(a.review_share):>10} | {_pct(b.precision):>9} {_pct(b.rate):>9}")
    print(f"{'OVERALL':24} {total_a.lines:6d} {total_a.receipts:6d} | {_pct(total_a.precision):>9} "
          f"{_pct(total_a.rate):>9} {total_a.review:6d} {_pct(total_a.review_share):>10} | "
          f"{_pct(total_b.precision):>9} {_pct(total_b.rate):>9}")
    print(f"arxl: precision {_pct(total_a.precision).strip()}, automatic {_pct(total_a.rate).strip()}; "
          f"{review_figure(total_a)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--show-wrong", type=int, default=0, help="print this many wrong automatic matches")
    parser.add_argument("--recurring", type=float, default=RECURRING,
                        help="share of invoices repeating a customer's amount (more: more look-alike invoices)")
    parser.add_argument("--oldest-of-identical", action="store_true",
                        help="apply a payment that fits look-alike invoices to the oldest (MatchSettings)")
    args = parser.parse_args(argv)
    settings = MatchSettings(oldest_of_identical=args.oldest_of_identical)
    print(f"recurring amounts: {args.recurring:.0%}; oldest of identical invoices: {args.oldest_of_identical}")
    grand_a: dict[str, Tally] = defaultdict(Tally)
    grand_b: dict[str, Tally] = defaultdict(Tally)
    for size in args.sizes.split(","):
        customers, items, lines = SIZES[size]
        for seed in (int(s) for s in args.seeds.split(",")):
            bench = generate(seed, customers, items, lines, recurring=args.recurring)
            answers, seconds = arxl_answers(bench, settings)
            a = tally(bench, answers)
            b = tally(bench, baseline_answers(bench.lines, bench.items))
            report(f"== {size} (customers {customers:,}, open items {len(bench.items):,}, lines "
                   f"{len(bench.lines):,}), seed {seed}: matched in {seconds:.1f} s", a, b)
            for case, t in a.items():
                grand_a[case].add(t)
            for case, t in b.items():
                grand_b[case].add(t)
            if args.show_wrong:
                rows = {r.line_id: r for r in match(bench.lines, bench.items, bench.customers, settings)}
                by_id = {line.line_id: line for line in bench.lines}
                shown = 0
                for case, t in a.items():
                    for line_id in t.wrong:
                        if shown >= args.show_wrong:
                            break
                        shown += 1
                        line = by_id[line_id]
                        print(f"  WRONG {case}: {line.amount} {line.currency} | {line.counterparty_name} | "
                              f"{line.counterparty_account} | {line.narrative}\n"
                              f"        got {answers[line_id][1]} truth {bench.truth[line_id].cleared}\n"
                              f"        {rows[line_id].reason}")
    report("== ALL SIZES AND SEEDS", grand_a, grand_b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
