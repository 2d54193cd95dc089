"""A labelled benchmark for cash application: customers, open items and bank lines, with the truth.

A seeded generator of the receivables of a Kigali ICT company - ministries, agencies, districts, hospitals,
banks, telecoms, insurers, NGOs, SMEs and foreign clients - and of a month of bank statement lines, each made
by one named *case* of DOMAIN.md "Cash application" so that results can be shown per case:

===========================  ==================================================================================
case                         the line
===========================  ==================================================================================
reference_exact              quotes the invoice number as issued, pays what the customer owes
reference_spelling           quotes it in another spelling: spaced, glued, slashes, lower case, zeros dropped,
                             no prefix, the serial alone, FACTURE 00042, or cut short by the bank's 35-character
                             field
name_only                    no reference: the payer's name upper-case, abbreviated, misspelt or truncated
account_only                 no reference, no name: only the payer's bank account
multi_invoice                one payment for 2-6 invoices, quoting all, some or none of them
partial                      part of an invoice, quoting it
withholding_vat / _wht3 /    short by the VAT withheld, 3 % or 15 % of the VAT-exclusive amount, or VAT and 3 %,
_wht15 / _vat_wht3           as the customer's profile says
bank_charges                 a USD transfer arriving 10-45 USD short
rounding                     one unit more or less than owed
overpayment                  more than the invoice, quoting it
third_party                  a treasury, a parent company or a donor pays, quoting the invoice
mobile_money                 MTN MoMo / Airtel Money: phone number, transaction reference, a name or reference
wrong_reference              quotes an invoice that is not open (or another one), for the amount of an open one
ambiguous_name               no reference; the name fits two customers with near-identical names
non_customer                 interest, own-account transfers, loans, reversals, refunds, FX deals (some equal to
                             an open amount) and debits (salaries, fees, suppliers): no receipt at all
===========================  ==================================================================================

Every customer receipt knows the invoices it pays and what it clears on each (the open amount when settled,
the cash when partial). ``wrong_reference`` and ``ambiguous_name`` lines should go to review, not be
applied; they still count as receipts in the auto-match rate. The narratives imitate what banks print:
upper case, fields cut at 35 characters, ``B/O``, ``/RFB/``, ``IFO`` and such, in varying templates.

``bench/match.py`` and ``bench/match_quality.py`` measure the matcher on it; ``python bench/cashgen.py --seed 1
--lines 2000 --out out/cashbench`` writes it as the CSV files of ``arxl match``. The held-out benchmark
(``bench/match_heldout.py``) is written apart from this generator on purpose, so that the matcher cannot be
tuned to its habits.
"""

from __future__ import annotations

import csv
from pathlib import Path

from arxl.core.statement import STATEMENT_COLUMNS
from arxl.ledger.matching import CUSTOMER_COLUMNS, OPEN_ITEM_COLUMNS
from arxl.sample.cash.cases import CASES, MIX, reference_exact
from arxl.sample.cash.generator import RECURRING, Bench, D, Generator, Truth

__all__ = ["CASES", "MIX", "RECURRING", "Bench", "Truth", "generate", "write_bench"]


def generate(seed: int, customers: int = 2000, items: int = 20000, lines: int = 5000,
             mix: dict[str, float] | None = None, recurring: float = RECURRING) -> Bench:
    """Customers, open items and ``lines`` statement lines with their truth, the same for the same arguments."""
    g = Generator(seed, customers, items, recurring)
    weights = mix or MIX
    total = sum(weights.values())
    plan = [case for case, weight in weights.items() for _ in range(round(lines * weight / total))]
    g.rng.shuffle(plan)
    for case in plan:
        for _ in range(20):  # a case may find no customer that fits on a first try
            if CASES[case](g):
                break
        else:  # none left for this case (the few VAT-only withholders have paid everything): a plain one
            for _ in range(50):
                if reference_exact(g):
                    break
    return Bench([p.profile for p in g.people], g.items, g.lines, g.truth)


def write_bench(bench: Bench, folder: Path) -> dict[str, Path]:
    """The benchmark as the CSV files of ``arxl match`` plus ``truth.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.csv" for name in ("customers", "open", "statement", "truth")}
    with paths["customers"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CUSTOMER_COLUMNS)
        for c in bench.customers:
            writer.writerow([c.customer_id, c.name, ";".join(c.aliases), ";".join(c.bank_accounts), c.customer_type,
                             ",".join(sorted(c.withholding))])
    with paths["open"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(OPEN_ITEM_COLUMNS)
        for i in bench.items:
            writer.writerow([i.invoice_no, i.customer_id, i.customer_name, i.invoice_date.isoformat(),
                             i.due_date.isoformat(), i.currency, i.net_amount, i.vat_amount, i.amount, i.open_amount])
    with paths["statement"].open("w", encoding="utf-8", newline="") as out:
        rows = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS, lineterminator="\n")
        rows.writeheader()
        for line in bench.lines:
            rows.writerow(line.as_row())
    with paths["truth"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line_id", "case", "receipt", "expect", "invoice_no", "cleared"])
        for t in bench.truth.values():
            for number, amount in (t.cleared.items() or [("", D(0))]):
                writer.writerow([t.line_id, t.case, int(t.receipt), t.expect, number, amount])
    return paths
