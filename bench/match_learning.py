"""Does the matcher learn from the accountant? The automatic rate on a second month, before and after MatchRules.

Two months of one book come from the benchmark's generator (:mod:`arxl.sample.cash`): its lines, split in two,
against the same customers; the second month's open items are the first month's less what its lines cleared.
It runs twice: with the Customers sheet as generated, and with the aliases and bank accounts of a share of the
customers (``--hide``, 30 %) missing from it, as in a book that does not yet know how every payer pays.
The first month is matched, and every line not applied automatically is decided as the accountant would, from
the truth (the customer whose invoices it pays; a line that is no receipt is rejected). The decisions are
posted: :func:`arxl.cashapp.rules.learn` turns them into MatchRules rows (aliases, accounts, third parties).
The second month is then matched twice - with the customers as they were, and with the rules learnt - and
both rates are printed. Then **the payers' own bank charges**: a share of the customers (``--heavy``, 25 % of
those that qualify) always lose 10,000 RWF to their bank, above the default tolerance of 5,000, in both months.
The first month's receipts are posted as the accountant decided them (each of those with its 10,000 as a
bank-charges deduction), :func:`arxl.cashapp.rules.usual_charges` reads each payer's usual charge from that
history, and the second month is matched without it and with it. For each run:

* **precision** - of the lines applied automatically, the share applied to exactly the right invoices;
* **automatic rate** - of the customer receipts, the share applied automatically and right.

    python bench/match_learning.py [--size small|medium] [--seed 1] [--hide 0.3] [--heavy 0.1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from arxl.cashapp import AllocationRow, MatchSettings, OpenInvoice, match
from arxl.cashapp.rules import Decided, learn, usual_charges, with_rules
from arxl.core.statement import StatementLine
from arxl.core.text import fold
from arxl.ledger.records import Allocation, Receipt
from arxl.sample.cash import Bench, generate

SIZES = {"small": (300, 3_000, 1_500), "medium": (2_000, 20_000, 5_000)}
_TREASURY = re.compile(r"\b(?:TREASURY|TSA|SINGLE ACCOUNT)\b")
_MOBILE = re.compile(r"\b(?:MOMO|MOBILE MONEY|AIRTEL|MTN|TIGO)\b")
HEAVY = Decimal(10_000)  # RWF a heavy payer's bank always takes: twice the default tolerance
_PLAIN = {"reference_exact", "name_only", "account_only"}  # one invoice paid in full, nothing withheld


def by_line(rows: list[AllocationRow]) -> dict[str, tuple[str, dict[str, Decimal]]]:
    answers: dict[str, tuple[str, dict[str, Decimal]]] = {}
    for row in rows:
        _, cleared = answers.setdefault(row.line_id, (row.status, {}))
        if row.invoice_no:
            cleared[row.invoice_no] = cleared.get(row.invoice_no, Decimal(0)) + row.cleared
    return answers


def rates(bench: Bench, lines: list[StatementLine], rows: list[AllocationRow]) -> tuple[float, float, int, int]:
    """Precision, automatic rate, lines applied automatically, receipts."""
    answers = by_line(rows)
    auto = right = receipts = right_receipts = 0
    for line in lines:
        truth = bench.truth[line.line_id]
        status, cleared = answers[line.line_id]
        receipts += truth.receipt
        if status == "auto":
            auto += 1
            ok = truth.receipt and cleared == truth.cleared
            right += ok
            right_receipts += ok
    return (right / auto if auto else 1.0), (right_receipts / receipts if receipts else 0.0), auto, receipts


def owners(bench: Bench) -> dict[str, str]:
    """The customer of each invoice of the bench."""
    return {item.invoice_no: item.customer_id for item in bench.items}


def second_month_items(bench: Bench, first: list[StatementLine]) -> list[OpenInvoice]:
    """The open items after the first month's receipts cleared what the truth says they pay."""
    cleared: dict[str, Decimal] = defaultdict(Decimal)
    for line in first:
        for number, amount in bench.truth[line.line_id].cleared.items():
            cleared[number] += amount
    items = []
    for item in bench.items:
        left = item.open_amount - cleared.get(item.invoice_no, Decimal(0))
        if left > 0:
            items.append(OpenInvoice(item.invoice_no, item.customer_id, item.customer_name, item.invoice_date,
                                     item.due_date, item.currency, item.net_amount, item.vat_amount, item.amount, left))
    return items


def decisions(bench: Bench, lines: list[StatementLine], rows: list[AllocationRow],
              settings: MatchSettings) -> list[Decided]:
    """The first month as posted: each receipt's customer (the matcher's when it applied the line, the
    accountant's from the truth otherwise), with the matcher's status and proposal - what a posting hands to
    :func:`~arxl.cashapp.rules.learn`."""
    owner = owners(bench)
    answers = by_line(rows)
    others = [fold(n) for n in settings.third_party_payers]
    found = []
    for n, line in enumerate(lines, start=5):
        truth = bench.truth[line.line_id]
        status, cleared = answers[line.line_id]
        if not truth.receipt or not truth.cleared:
            continue  # rejected
        customers = {owner[number] for number in truth.cleared}
        if len(customers) != 1:
            continue
        proposed = {owner.get(number, "") for number in cleared}
        payer = fold(line.counterparty_name)
        found.append(Decided(n, "month 1", line.booking_date, line.counterparty_name, line.counterparty_account,
                             customers.pop(), proposed.pop() if len(proposed) == 1 else "", status,
                             bool(_TREASURY.search(payer)) or any(o and o in payer for o in others),
                             bool(_MOBILE.search(fold(f"{line.counterparty_name} {line.narrative}")))))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="small", choices=sorted(SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hide", type=float, default=0.3,
                        help="share of customers whose aliases and accounts the Customers sheet lacks (also run: 0)")
    parser.add_argument("--heavy", type=float, default=0.25,
                        help="share of the payers that qualify whose bank always takes 10,000 RWF")
    args = parser.parse_args(argv)
    n_customers, n_items, n_lines = SIZES[args.size]
    bench = generate(args.seed, n_customers, n_items, 2 * n_lines)
    print(f"{args.size}, seed {args.seed}: {n_customers} customers, two months of {n_lines} lines")
    for hide in sorted({0.0, args.hide}):
        print(f"\n-- the Customers sheet without the aliases and accounts of {100 * hide:.0f} % of the customers")
        months(bench, n_lines, hide, args.seed)
    print(f"\n-- {100 * args.heavy:.0f} % of the payers that qualify always lose {HEAVY:,} RWF to bank charges")
    charges(bench, n_lines, args.heavy, args.seed)
    return 0


def heavy_payers(bench: Bench, n_lines: int, share: float, seed: int) -> tuple[Bench, set[str], int]:
    """The bench with a share of its payers losing :data:`HEAVY` on every receipt that pays one RWF invoice in
    full with nothing withheld, in both months: payers with at least 3 such receipts in the first month (and at
    most one other) and 1 in the second. What each line clears is unchanged (the charge is a deduction)."""
    owner = owners(bench)
    lines_of: dict[str, list[tuple[int, StatementLine]]] = defaultdict(list)
    for n, line in enumerate(bench.lines):
        truth = bench.truth[line.line_id]
        if truth.receipt and truth.cleared:
            for number in truth.cleared:
                lines_of[owner[number]].append((n, line))

    def plain(line: StatementLine) -> bool:
        truth = bench.truth[line.line_id]
        return (truth.case in _PLAIN and line.currency == "RWF" and len(truth.cleared) == 1
                and line.amount == sum(truth.cleared.values()) and line.amount > 5 * HEAVY)

    eligible = sorted(cid for cid, found in lines_of.items()
                      if sum(1 for n, line in found if n < n_lines and not plain(line)) <= 1
                      and sum(1 for n, line in found if n < n_lines and plain(line)) >= 3
                      and any(n >= n_lines and plain(line) for n, line in found))
    rng = random.Random(seed)
    chosen = set(rng.sample(eligible, max(1, round(share * len(eligible))))) if eligible else set()
    lines = [replace(line, amount=line.amount - HEAVY)
             if bench.truth[line.line_id].cleared and owner[next(iter(bench.truth[line.line_id].cleared))] in chosen
             and plain(line) else line for line in bench.lines]
    return Bench(bench.customers, bench.items, lines, bench.truth), chosen, len(eligible)


def history(bench: Bench, lines: list[StatementLine]) -> tuple[list[Receipt], list[Allocation]]:
    """The first month posted as the accountant decided it: a receipt per customer receipt, each invoice it
    clears, and what the cash fell short of that by, as bank charges where the case is one."""
    owner = owners(bench)
    receipts, allocations = [], []
    for line in lines:
        truth = bench.truth[line.line_id]
        if not truth.receipt or not truth.cleared:
            continue
        customers = {owner[number] for number in truth.cleared}
        receipts.append(Receipt(receipt_id=line.line_id, date=line.booking_date, amount=line.amount,
                                currency=line.currency, customer_id=customers.pop() if len(customers) == 1 else ""))
        short = sum(truth.cleared.values()) - line.amount
        charged = short if short > 0 and (truth.case == "bank_charges" or short == HEAVY) else Decimal(0)
        for n, (number, cleared) in enumerate(truth.cleared.items()):
            deduction = charged if n == 0 else Decimal(0)
            allocations.append(Allocation(receipt_id=line.line_id, invoice_no=number, date=line.booking_date,
                                          currency=line.currency, applied_amount=cleared - deduction,
                                          deduction_amount=deduction,
                                          deduction_type="bank_charges" if deduction else ""))
    return receipts, allocations


def charges(bench: Bench, n_lines: int, share: float, seed: int) -> None:
    """Month 2 matched without and with each payer's usual bank charge read from month 1."""
    heavy, chosen, eligible = heavy_payers(bench, n_lines, share, seed)
    first, second = heavy.lines[:n_lines], heavy.lines[n_lines:]
    theirs = [line for line, was in zip(second, bench.lines[n_lines:], strict=True) if line.amount != was.amount]
    settings = MatchSettings()
    usual = usual_charges(*history(heavy, first), settings.bank_charges)
    print(f"{len(chosen)} payers (of {eligible} that qualify) lose {HEAVY:,} RWF on each receipt; their history "
          f"gives {len(usual)} usual charge(s) ({sum(1 for cid, _ in usual if cid in chosen)} of them theirs); "
          f"{len(theirs)} of their receipts in month 2")
    items = second_month_items(bench, bench.lines[:n_lines])
    for title, used in (("without their history", settings),
                        ("with their history", replace(settings, usual_charges=usual))):
        rows = match(second, items, bench.customers, used)
        p, r, a, total = rates(heavy, second, rows)
        answers = by_line(rows)
        right = sum(1 for line in theirs if answers[line.line_id][0] == "auto"
                    and answers[line.line_id][1] == bench.truth[line.line_id].cleared)
        print(f"month 2, {title + ':':22} precision {100 * p:6.2f} %  automatic rate {100 * r:6.2f} % "
              f"({a} auto of {total} receipts); theirs applied automatically and right: {right} of {len(theirs)}")


def months(bench: Bench, n_lines: int, hide: float, seed: int) -> None:
    """Month 1 matched and decided, the rules learnt, month 2 matched before and after."""
    rng = random.Random(seed)
    known = [replace(c, aliases=(), bank_accounts=()) if rng.random() < hide else c for c in bench.customers]
    first, second = bench.lines[:n_lines], bench.lines[n_lines:]
    settings = MatchSettings()
    rows = match(first, bench.items, known, settings)
    precision, rate, auto, receipts = rates(bench, first, rows)
    print(f"month 1:                 precision {100 * precision:6.2f} %  automatic rate {100 * rate:6.2f} % "
          f"({auto} auto of {receipts} receipts)")
    decided = decisions(bench, first, rows, settings)
    learnt = learn(decided, [], known, dt.date(2025, 7, 31), "bench")
    kinds: dict[str, int] = defaultdict(int)
    for rule in learnt.rows:
        kinds[rule.kind] += 1
    by_hand = sum(1 for d in decided if d.status != "auto")
    print(f"decisions on month 1:    {by_hand} lines decided by hand -> {len(learnt.rows)} MatchRules rows "
          f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))})")
    items = second_month_items(bench, first)
    before = rates(bench, second, match(second, items, known, settings))
    customers, learnt_settings = with_rules(known, settings, learnt.rows)
    after_rows = match(second, items, customers, learnt_settings)
    after = rates(bench, second, after_rows)
    told = sum(1 for r in after_rows if "MatchRules row" in r.reason and r.invoice_no)
    for title, (p, r, a, total) in (("month 2, before learning", before), ("month 2, after learning", after)):
        print(f"{title + ':':24} precision {100 * p:6.2f} %  automatic rate {100 * r:6.2f} % "
              f"({a} auto of {total} receipts)")
    print(f"month 2: {told} allocation row(s) say which MatchRules row named the payer")


if __name__ == "__main__":
    sys.exit(main())
