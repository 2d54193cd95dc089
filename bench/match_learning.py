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
history, and the second month is matched without it and with it. Then **rejections**: a share of the customers
(``--namesakes``, 2 %) have a namesake that is no customer (their name with a letter dropped, no legal form),
paying an amount none of their invoices expects in each month. The first month is matched with those lines
added, and every line that is no customer receipt but was proposed to a customer is rejected as ``wrong
customer``, as the accountant would; :func:`arxl.cashapp.rules.learn` turns the rejections whose proposal the
payer's name made into ``not`` rows, and the second month is matched with the rules learnt without them and with
them: besides precision and the automatic rate, the lines proposed for review to a customer they are not from,
and any other line whose rows changed. For each run:

* **precision** - of the lines applied automatically, the share applied to exactly the right invoices;
* **automatic rate** - of the customer receipts, the share applied automatically and right.

    python bench/match_learning.py [--size small|medium] [--seed 1] [--hide 0.3] [--heavy 0.25] [--namesakes 0.02]
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
from arxl.cashapp.rules import Decided, Rejected, learn, usual_charges, with_rules
from arxl.core.statement import StatementLine
from arxl.core.text import fold
from arxl.ledger.records import Allocation, Receipt
from arxl.sample.cash import Bench, generate
from arxl.sample.cash.generator import Truth

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
    parser.add_argument("--namesakes", type=float, default=0.02,
                        help="share of the customers with a namesake that is no customer and pays every month")
    args = parser.parse_args(argv)
    n_customers, n_items, n_lines = SIZES[args.size]
    bench = generate(args.seed, n_customers, n_items, 2 * n_lines)
    print(f"{args.size}, seed {args.seed}: {n_customers} customers, two months of {n_lines} lines")
    for hide in sorted({0.0, args.hide}):
        print(f"\n-- the Customers sheet without the aliases and accounts of {100 * hide:.0f} % of the customers")
        months(bench, n_lines, hide, args.seed)
    print(f"\n-- {100 * args.heavy:.0f} % of the payers that qualify always lose {HEAVY:,} RWF to bank charges")
    charges(bench, n_lines, args.heavy, args.seed)
    print(f"\n-- rejections: {100 * args.namesakes:.0f} % of the customers have a namesake that is no customer and "
          "pays every month")
    rejections(bench, n_lines, args.namesakes, args.seed)
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



_LEGAL = {"LTD", "LIMITED", "PLC", "SARL", "LTEE", "INC", "CO", "COMPANY", "RWANDA", "GROUP", "HOLDINGS"}


def with_namesakes(bench: Bench, n_lines: int, share: float, seed: int) -> tuple[Bench, int, int]:
    """The bench with a namesake line in each month for a share of the customers (of two words or more, with an
    RWF invoice): the customer's name without its legal form, a letter of its longest word dropped, paying an
    amount that is none of the customer's open amounts. Month 1 is the first ``n_lines`` + the namesakes' lines;
    returns the bench, and the number of lines of month 1."""
    rng = random.Random(seed + 1)
    rwf = {item.customer_id for item in bench.items if item.currency == "RWF"}
    amounts: dict[str, set[Decimal]] = defaultdict(set)
    for item in bench.items:
        amounts[item.customer_id].add(item.open_amount)
    eligible = [c for c in bench.customers if c.customer_id in rwf and
                len([w for w in fold(c.name).split() if w not in _LEGAL]) >= 2]
    chosen = rng.sample(eligible, max(1, round(share * len(bench.customers)))) if eligible else []
    extra: list[list[StatementLine]] = [[], []]
    truth = dict(bench.truth)
    first = bench.lines[0].booking_date
    for k, customer in enumerate(chosen):
        words = [w for w in fold(customer.name).split() if w not in _LEGAL]
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        cut = 2 + rng.randrange(max(1, len(words[longest]) - 3))
        words[longest] = words[longest][:cut] + words[longest][cut + 1:]
        for month in (0, 1):
            amount = Decimal(rng.randint(50, 5_000) * 1_000)
            while amount in amounts[customer.customer_id]:
                amount += 1_000
            day = first + dt.timedelta(days=rng.randrange(28))
            line_id = f"NS{month + 1}-{k:04d}"
            extra[month].append(StatementLine(line_id, day, day, amount, "RWF", " ".join(words)[:35], "", "PAYMENT",
                                              f"FTNS{month + 1}{k:04d}"))
            truth[line_id] = Truth(line_id, "namesake", False, {}, "unmatched")
    lines = [*bench.lines[:n_lines], *extra[0], *bench.lines[n_lines:], *extra[1]]
    return Bench(bench.customers, bench.items, lines, truth), n_lines + len(extra[0]), len(chosen)


def rejected_lines(bench: Bench, lines: list[StatementLine], rows: list[AllocationRow]) -> list[Rejected]:
    """Month 1's lines that are no customer receipt but were proposed to a customer, rejected as the accountant
    would, with the matcher's reason: what a posting hands to :func:`~arxl.cashapp.rules.learn`."""
    owner = owners(bench)
    first: dict[str, AllocationRow] = {}
    for row in rows:
        first.setdefault(row.line_id, row)
    found = []
    for n, line in enumerate(lines, start=5):
        truth, row = bench.truth[line.line_id], first[line.line_id]
        if (truth.receipt and truth.cleared) or row.status == "unmatched" or row.invoice_no not in owner:
            continue
        found.append(Rejected(n, "month 1", line.booking_date, line.counterparty_name, owner[row.invoice_no],
                              row.reason, bool(_TREASURY.search(fold(line.counterparty_name))),
                              bool(_MOBILE.search(fold(f"{line.counterparty_name} {line.narrative}")))))
    return found


def wrong_proposals(bench: Bench, lines: list[StatementLine], rows: list[AllocationRow]) -> int:
    """Lines sent to review with a proposal to a customer the line is not from."""
    owner = owners(bench)
    first: dict[str, AllocationRow] = {}
    for row in rows:
        first.setdefault(row.line_id, row)
    wrong = 0
    for line in lines:
        truth, row = bench.truth[line.line_id], first[line.line_id]
        if row.status != "review" or row.invoice_no not in owner:
            continue
        theirs = {owner[number] for number in truth.cleared} if truth.receipt else set()
        wrong += owner[row.invoice_no] not in theirs
    return wrong


def rejections(bench: Bench, n_lines: int, share: float, seed: int) -> None:
    """Month 1 matched with the namesakes, its non-receipts proposed to a customer rejected and its receipts
    decided; month 2 matched with the rules learnt, without the ``not`` rows and with them."""
    named, split, count = with_namesakes(bench, n_lines, share, seed)
    first, second = named.lines[:split], named.lines[split:]
    settings = MatchSettings()
    rows = match(first, named.items, named.customers, settings)
    refused = rejected_lines(named, first, rows)
    decided = decisions(named, first, rows, settings)
    learnt = learn(decided, [], named.customers, dt.date(2025, 7, 31), "bench", refused)
    nots = [rule for rule in learnt.rows if rule.kind == "not"]
    theirs = {line.line_id for line in second if line.line_id.startswith("NS")}
    print(f"{count} namesakes; month 1: {len(refused)} non-receipts proposed to a customer and rejected "
          f"({sum(1 for r in refused if r.row - 5 >= n_lines)} of them the namesakes') -> {len(nots)} not rule(s)")
    items = second_month_items(named, first)
    results = []
    for title, rules in (("rules without not", [r for r in learnt.rows if r.kind != "not"]),
                         ("rules with not", learnt.rows)):
        customers, learnt_settings = with_rules(named.customers, settings, rules)
        month = match(second, items, customers, learnt_settings)
        p, r, a, total = rates(named, second, month)
        results.append(by_line(month))
        wrong = wrong_proposals(named, second, month)
        mine = wrong_proposals(named, [line for line in second if line.line_id in theirs], month)
        print(f"month 2, {title + ':':18} precision {100 * p:6.2f} %  automatic rate {100 * r:6.2f} % "
              f"({a} auto of {total} receipts); proposed to a customer they are not from: {wrong} line(s), "
              f"{mine} of them the namesakes'")
    changed = [line.line_id for line in second if results[0][line.line_id] != results[1][line.line_id]]
    print(f"month 2: {len(changed)} line(s) matched otherwise with the not rows, "
          f"{sum(1 for c in changed if c in theirs)} of them the namesakes'")


if __name__ == "__main__":
    sys.exit(main())
