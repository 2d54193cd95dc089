"""Surer rules and MatchRules: a number one edit off, an overpayment quoted exactly, a payer's usual bank charges,
and the rules learnt from the accountant's posted decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.cashapp.matcher import match
from arxl.cashapp.reconcile import ReconciliationRow, match_inputs, match_settings, reconciliation_sheet
from arxl.cashapp.rules import (
    Decided,
    Rejected,
    learn,
    learnt_inputs,
    posted_decisions,
    usual_charges,
    with_rules,
)
from arxl.cashapp.stages.invoices import one_edit
from arxl.cli import main
from arxl.core.statement import StatementLine
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.changes import ChangeSet
from arxl.ledger.checks import examine
from arxl.ledger.matching import AllocationRow, CustomerProfile, MatchSettings, OpenInvoice
from arxl.ledger.records import Allocation, MatchRule, Receipt
from tests.test_fx_revalue import fx_tables

DAY = dt.date(2025, 7, 31)
ACCOUNT = "00040001234567"
CUSTOMERS = [CustomerProfile("C7", "Umucyo Trading Ltd", (), (ACCOUNT,)),
             CustomerProfile("C8", "Ikaze Motors Ltd"),
             CustomerProfile("C9", "Ministry of Infrastructure", ("MININFRA",), (), "government",
                             frozenset({"vat", "wht3"}))]


def invoice(number: str, customer: str, total: str, vat: str = "0") -> OpenInvoice:
    return OpenInvoice(number, customer, "", DAY, DAY, "RWF", D(total) - D(vat), D(vat), D(total), D(total))


ITEMS = [invoice("AOS/25/07273", "C7", "1180000"), invoice("AOS/25/07280", "C7", "500000"),
         invoice("AOS/25/07100", "C8", "300000"), invoice("AOS/25/07400", "C8", "90000"),
         invoice("INV-2025-00142", "C9", "1180000", "180000")]


def line(amount: str, payer: str, narrative: str, account: str = "", line_id: str = "L1") -> StatementLine:
    return StatementLine(line_id, DAY, DAY, D(amount), "RWF", payer, account, narrative, "FT" + line_id)


def rows_of(statement_line: StatementLine, items: list[OpenInvoice] = ITEMS,
            settings: MatchSettings | None = None,
            customers: list[CustomerProfile] = CUSTOMERS) -> list[AllocationRow]:
    return match([statement_line], items, customers, settings)


def test_one_edit_tells_a_swap_from_a_wrong_digit_and_needs_the_year_to_agree() -> None:
    assert one_edit("INV 07237", "AOS/25/07273") == "two digits swapped"
    assert one_edit("INV-2025-00143", "INV-2025-00142") == "one digit wrong"
    assert one_edit("INV-2024-00143", "INV-2025-00142") == ""  # another year
    assert one_edit("INV-2025-07732", "INV-2025-07273") == ""  # two edits
    assert one_edit("INV-2025-00142", "INV-2025-00142") == ""  # the number itself


def test_digits_swapped_by_a_payer_known_by_account_is_applied_and_says_why() -> None:
    [row] = rows_of(line("1180000", "UMUCYO", "PAYMENT INV 07237", ACCOUNT))
    assert (row.invoice_no, row.applied_amount, row.status) == ("AOS/25/07273", D(1180000), "auto")
    assert row.reason.startswith('"INV 07237" read as AOS/25/07273: two digits swapped')
    assert "payer's bank account" in row.reason and "open amount" in row.reason


def test_one_digit_wrong_with_the_withholding_of_a_payer_known_by_name() -> None:
    rows = rows_of(line("970000", "MINISTRY OF INFRASTRUCTURE", "PMT INV-2025-00143"))
    assert [(r.invoice_no, r.applied_amount, r.deduction_amount, r.deduction_type, r.status) for r in rows] == [
        ("INV-2025-00142", D(970000), D(180000), "vat_withheld", "auto"),
        ("INV-2025-00142", D(0), D(30000), "wht", "auto")]
    assert "one digit wrong" in rows[0].reason


def test_never_when_two_invoices_are_one_edit_away_or_the_amount_is_not_theirs() -> None:
    items = [*ITEMS, invoice("AOS/25/07237", "C7", "1180000")]  # 07233 is one digit from both
    assert all(r.status != "auto" for r in rows_of(line("1180000", "UMUCYO", "PAYMENT INV 07233", ACCOUNT), items))
    # the amount is neither its open amount nor its expected cash
    assert all(r.status != "auto" or r.invoice_no != "AOS/25/07273"
               for r in rows_of(line("1100000", "UMUCYO", "PAYMENT INV 07237", ACCOUNT)))


def test_a_number_one_edit_off_does_not_identify_the_payer() -> None:
    rows = rows_of(line("1180000", "", "PAYMENT INV 07237"))
    assert all(r.status != "auto" for r in rows)


def test_an_exact_reference_overpaid_clears_the_invoice_and_leaves_the_rest_on_account() -> None:
    rows = rows_of(line("350000", "IKAZE MOTORS LTD", "PAYMENT AOS/25/07100"))
    assert [(r.invoice_no, r.applied_amount, r.status) for r in rows] == [
        ("AOS/25/07100", D(300000), "auto"), ("", D(50000), "auto")]
    assert "OVERPAYMENT: 50,000 RWF left unapplied on account" in rows[0].reason


def test_an_overpayment_that_could_pay_another_invoice_stays_for_review() -> None:
    rows = rows_of(line("500000", "IKAZE MOTORS LTD", "PAYMENT AOS/25/07100"))  # 200,000 more: 07400 is 90,000
    assert {r.status for r in rows} == {"review"}


def _history(charges: list[str]) -> tuple[list[Receipt], list[Allocation]]:
    receipts, allocations = [], []
    for n, charge in enumerate(charges, start=1):
        receipt = f"RCPT-{n:03d}"
        receipts.append(Receipt(receipt_id=receipt, date=dt.date(2025, 1 + n, 5), amount=D(500000) - D(charge),
                                currency="RWF", customer_id="C7"))
        allocations.append(Allocation(receipt_id=receipt, invoice_no=f"OLD-{n}", date=dt.date(2025, 1 + n, 5),
                                      currency="RWF", applied_amount=D(500000) - D(charge),
                                      deduction_amount=D(charge), deduction_type="bank_charges" if charge != "0"
                                      else ""))
    return receipts, allocations


def test_a_payer_that_always_loses_ten_thousand_gets_that_as_its_tolerance() -> None:
    usual = usual_charges(*_history(["10000"] * 6), {"RWF": D(5000)})
    charge = usual[("C7", "RWF")]
    assert (charge.usual, charge.tolerance, charge.source) == (D(10000), D(11000), "6 of its last 6 receipts")
    statement_line = line("490000", "UMUCYO TRADING LTD", "PAYMENT")
    settings = MatchSettings(bank_charges={"RWF": D(5000)})
    assert {r.status for r in rows_of(statement_line, settings=settings)} != {"auto"}
    [row] = rows_of(statement_line, settings=MatchSettings(bank_charges={"RWF": D(5000)}, usual_charges=usual))
    assert (row.invoice_no, row.applied_amount, row.deduction_amount, row.deduction_type, row.status) == (
        "AOS/25/07280", D(490000), D(10000), "bank_charges", "auto")
    assert "payer's usual bank charge 10,000 RWF (6 of its last 6 receipts)" in row.reason


def test_no_usual_charge_from_an_irregular_or_short_history() -> None:
    defaults = {"RWF": D(5000)}
    assert usual_charges(*_history(["10000", "10000"]), defaults) == {}
    assert usual_charges(*_history(["10000", "25000", "10000", "10000"]), defaults) == {}
    assert usual_charges(*_history(["10000", "0", "0", "10000", "10000"]), defaults) == {}
    assert usual_charges(*_history(["3000"] * 6), defaults) == {}  # within the default already
    capped = usual_charges(*_history(["40000"] * 4), defaults)[("C7", "RWF")]
    assert capped.tolerance == D(25000)


def _rule(kind: str, key: str, customer: str, active: str = "Yes") -> MatchRule:
    return MatchRule(kind=kind, key=key, customer=customer, source="by hand", created=DAY, active=active)


def test_a_learnt_alias_names_the_payer_and_the_reason_names_its_row() -> None:
    statement_line = line("90000", "IKZ MTRS HQ", "PAYMENT")
    assert {r.status for r in rows_of(statement_line)} == {"unmatched"}
    rules = [_rule("account", "1111", "C7"), _rule("alias", "IKZ MTRS HQ", "C8")]
    customers, settings = with_rules(CUSTOMERS, MatchSettings(), rules)
    [row] = rows_of(statement_line, settings=settings, customers=customers)
    assert (row.invoice_no, row.status) == ("AOS/25/07400", "auto")
    assert row.reason.startswith("payer by MatchRules row 3: alias 'IKZ MTRS HQ' -> C8")
    customers, settings = with_rules(CUSTOMERS, MatchSettings(), [_rule("alias", "IKZ MTRS HQ", "C8", "No")])
    assert {r.status for r in rows_of(statement_line, settings=settings, customers=customers)} == {"unmatched"}


def test_rules_are_learnt_once_and_a_payer_for_others_names_its_beneficiaries() -> None:
    decided = [Decided(14, "july.csv", DAY, "IKZ MTRS HQ", "1234-5678", "C8", "", "unmatched"),
               Decided(15, "july.csv", DAY, "GOVT TREASURY", "", "C7", "", "review", pays_for_others=True)]
    first = learn(decided, [], CUSTOMERS, DAY, "aline")
    assert [(r.kind, r.key, r.customer) for r in first.rows] == [
        ("account", "1234-5678", "C8"), ("alias", "IKZ MTRS HQ", "C8"), ("third party", "GOVT TREASURY", "C7")]
    assert first.rows[0].source == "decided on Reconciliation row 14 of statement july.csv, 2025-07-31, by aline"
    again = learn(decided, first.rows, CUSTOMERS, DAY, "aline")
    assert again.rows == [] and again.known == 3
    more = learn([Decided(3, "aug.csv", DAY, "GOVT TREASURY", "", "C9", "", "review", pays_for_others=True)],
                 first.rows, CUSTOMERS, DAY)
    assert more.rows == [] and more.beneficiaries == {2: "C7; C9"}


def test_a_payer_whose_lines_went_to_several_customers_teaches_no_alias_and_no_account() -> None:
    # a donor: the same posting applied one of its lines to C7 by the invoice it quoted, and the accountant gave
    # another to C8; its name and account are no one customer's, so neither becomes C8's
    decided = [Decided(4, "july.csv", DAY, "GLOBAL FUND TO FIGHT AIDS", "CH93 0076 2011", "C7", "C7", "auto"),
               Decided(9, "july.csv", DAY, "GLOBAL FUND TO FIGHT AIDS", "CH93 0076 2011", "C8", "", "unmatched"),
               Decided(11, "july.csv", DAY, "IKZ MTRS HQ", "1234-5678", "C8", "", "unmatched"),
               Decided(12, "july.csv", DAY, "", "5555-0001", "C9", "", "unmatched"),
               Decided(13, "july.csv", DAY, "", "5555-0002", "C7", "", "unmatched")]
    learnt = learn(decided, [], CUSTOMERS, DAY)
    assert [(r.kind, r.key, r.customer) for r in learnt.rows] == [
        ("third party", "GLOBAL FUND TO FIGHT AIDS", "C8"), ("account", "1234-5678", "C8"),
        ("alias", "IKZ MTRS HQ", "C8"), ("account", "5555-0001", "C9"), ("account", "5555-0002", "C7")]
    # a treasury's account is no customer's either
    treasury = learn([Decided(15, "july.csv", DAY, "GOVT TREASURY", "7777-1", "C7", "", "review",
                              pays_for_others=True)], [], CUSTOMERS, DAY)
    assert [(r.kind, r.key) for r in treasury.rows] == [("third party", "GOVT TREASURY")]


def test_decisions_posted_become_match_rules_that_the_next_statement_follows(tmp_path: Path) -> None:
    book = write_book(tmp_path / "rules.xlsx", fx_tables())
    row = ReconciliationRow(statement="S1", line_id="1", date=DAY, amount=D(300000), currency="RWF",
                            payer="ACME HQ KIGALI", account="4001 2345 6789", narrative="TRANSFER",
                            bank_reference="FT2521200001", status="unmatched", decision="C002")
    changes = ChangeSet()
    changes.replace_sheet(reconciliation_sheet([row], "decided"))
    apply_changes(book, changes)
    ledger, _ = open_ledger(book)
    assert ledger.table("MatchRules").rows == []
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    ledger, _ = open_ledger(book)
    rules = ledger.table("MatchRules")
    assert [(r.kind, r.key, r.customer, r.created, r.active) for r in rules.rows] == [
        ("account", "4001 2345 6789", "C002", dt.date(2025, 8, 1), "Yes"),
        ("alias", "ACME HQ KIGALI", "C002", dt.date(2025, 8, 1), "Yes")]
    assert rules.rows[1].source.startswith("decided on Reconciliation row 5 of statement S1, 2025-07-31, by ")
    # the next statement: the same payer, a USD line of exactly INV-8's open amount, nothing quoted
    items, customers = match_inputs(ledger, DAY)
    customers, settings = learnt_inputs(ledger, customers, match_settings(ledger))
    usd = StatementLine("2", DAY, DAY, D("200.00"), "USD", "ACME HQ KIGALI", "", "TRANSFER", "FT2")
    [allocation] = match([usd], items, customers, settings)
    assert (allocation.invoice_no, allocation.applied_amount, allocation.status) == ("INV-8", D("200.00"), "auto")
    assert allocation.reason.startswith("payer by MatchRules row 3: alias 'ACME HQ KIGALI' -> C002")
    # a rule naming a customer that is gone: validate says so at its cell, and the matcher leaves it aside
    edit = ChangeSet()
    edit.update("MatchRules", rules.row_numbers[1], "customer", "C999")
    apply_changes(book, edit)
    ledger, _ = open_ledger(book)
    [problem] = [p for p in examine(ledger).problems if "MatchRules" in str(p.where)]
    assert (str(problem.where), problem.severity) == ("[rules.xlsx]MatchRules!C3", "warning")
    assert 'customer "C999" is not in Customers' in problem.message
    customers, settings = learnt_inputs(ledger, match_inputs(ledger, DAY)[1], match_settings(ledger))
    assert {r.status for r in match([usd], items, customers, settings)} != {"auto"}


def test_what_the_matcher_knew_or_a_mobile_money_channel_teaches_nothing() -> None:
    rows = [ReconciliationRow(statement="S1", line_id=str(n), date=DAY, amount=D(1000), currency="RWF", payer=payer,
                              account=account, narrative=narrative, customer_id="C8", status=status, decision="approve")
            for n, (payer, account, narrative, status) in enumerate([
                ("IKZ MTRS HQ", "99887766", "PAYMENT", "auto"),  # applied automatically: known already
                ("MTN MOBILE MONEY", "", "MOMO 0788123456 AOS 7100", "review"),  # the channel, not an alias
                ("RWANDA TREASURY TSA", "", "PAYMENT FOR IKAZE", "review")])]  # pays for others
    receipts = [Receipt(receipt_id=f"R{n}", date=DAY, amount=D(1000), currency="RWF", customer_id="C8",
                        statement_line=f"BL{n}") for n in range(3)]
    decided = posted_decisions(rows, [5, 6, 7], ["BL0", "BL1", "BL2"], receipts, {"S1": "july.csv"},
                               lambda payer: "TREASURY" in payer)
    assert [(d.row, d.statement, d.status, d.mobile, d.pays_for_others) for d in decided] == [
        (5, "july.csv", "auto", False, False), (6, "july.csv", "review", True, False),
        (7, "july.csv", "review", False, True)]
    learnt = learn(decided, [], CUSTOMERS, DAY)
    assert [(r.kind, r.key, r.customer) for r in learnt.rows] == [("third party", "RWANDA TREASURY TSA", "C8")]


def test_a_not_rule_leaves_the_customer_out_of_what_that_payer_name_finds() -> None:
    unknown = line("90000", "UMUCYO TRADNG", "PAYMENT")  # a business of that name, not our Umucyo Trading Ltd
    [row] = rows_of(unknown)
    assert (row.invoice_no, row.status) == ("AOS/25/07273", "review")  # proposed to C7 by the name
    customers, settings = with_rules(CUSTOMERS, MatchSettings(), [_rule("not", "Umucyo  tradng", "C7")])
    [row] = rows_of(unknown, settings=settings, customers=customers)
    assert (row.invoice_no, row.status) == ("", "unmatched")
    assert row.reason.endswith("; MatchRules row 2: 'Umucyo  tradng' is not C7")
    # another payer's name, C7's account, or the rule switched off: C7 as before
    [row] = rows_of(line("500000", "UMUCYO TRADING LTD", "PAYMENT"), settings=settings, customers=customers)
    assert (row.invoice_no, row.status) == ("AOS/25/07280", "auto")
    [row] = rows_of(line("500000", "UMUCYO TRADNG", "PAYMENT", ACCOUNT), settings=settings, customers=customers)
    assert (row.invoice_no, row.status) == ("AOS/25/07280", "auto")
    customers, settings = with_rules(CUSTOMERS, MatchSettings(), [_rule("not", "UMUCYO TRADNG", "C7", "No")])
    assert [r.invoice_no for r in rows_of(unknown, settings=settings, customers=customers)] == ["AOS/25/07273"]
    # a line the name finds two customers in: the rule leaves the other one, for review, never applied by itself
    both = line("1180000", "MININFRA UMUCYO TRADING", "PAYMENT")
    assert [(r.invoice_no, r.status) for r in rows_of(both)] == [("AOS/25/07273", "review")]
    customers, settings = with_rules(CUSTOMERS, MatchSettings(), [_rule("not", "MININFRA UMUCYO TRADING", "C7")])
    [row] = rows_of(both, settings=settings, customers=customers)
    assert (row.invoice_no, row.applied_amount, row.status) == ("INV-2025-00142", D(1180000), "review")
    assert row.reason.endswith("MatchRules row 2: 'MININFRA UMUCYO TRADING' is not C7")


def test_a_rejected_proposal_that_the_name_made_becomes_a_not_rule_once() -> None:
    by_name = 'customer name 96% alike ("UMUCYO TRADNG"); partial payment? 90,000 of 1,180,000 on the oldest invoice'
    rejected = [
        Rejected(21, "july.csv", DAY, "UMUCYO TRADNG", "C7", by_name),
        Rejected(22, "july.csv", DAY, "UMUCYO TRADNG", "C7", by_name),  # the same payer again: one rule
        Rejected(23, "july.csv", DAY, "IKAZE M", "C8", "payer's bank account is the customer's; amount = open amount"),
        Rejected(24, "july.csv", DAY, "NYARUGENGE SHOP", "C8", 'invoice AOS/25/07100 quoted; paid by "NYARUGENGE '
                                                              'SHOP" for C8'),  # the invoice quoted, not the name
        Rejected(25, "july.csv", DAY, "Ikaze Motors Ltd", "C8", "customer name in narrative"),  # its very name
        Rejected(26, "july.csv", DAY, "MTN MOBILE MONEY", "C8", 'alias "IKAZE" in narrative', mobile=True),
        Rejected(27, "july.csv", DAY, "MININFRA PROJECTS", "C9", 'alias "MININFRA" in narrative'),
        Rejected(28, "july.csv", DAY, "IKAZE MOTORS HQ", "C8", "customer name 90% alike"),  # but given to C8 below
    ]
    decided = [Decided(30, "july.csv", DAY, "IKAZE MOTORS HQ", "", "C8", "", "unmatched")]
    learnt = learn(decided, [], CUSTOMERS, DAY, "aline", rejected)
    nots = [(r.key, r.customer, r.source) for r in learnt.rows if r.kind == "not"]
    source = "rejected on Reconciliation row {} of statement july.csv, 2025-07-31, by aline"
    assert nots == [("UMUCYO TRADNG", "C7", source.format(21)), ("MININFRA PROJECTS", "C9", source.format(27))]
    again = learn([], learnt.rows, CUSTOMERS, DAY, "aline", rejected[:1])
    assert again.rows == [] and again.known == 1
    # the next month the accountant gives that payer's line to C7 after all: the rule is switched off
    later = learn([Decided(40, "aug.csv", DAY, "umucyo  tradng", "", "C7", "", "unmatched")], learnt.rows, CUSTOMERS,
                  DAY)
    assert later.switched_off == [learnt.rows.index(next(r for r in learnt.rows if r.key == "UMUCYO TRADNG"))]


def test_a_rejection_posted_teaches_a_not_rule_that_the_next_statement_follows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = write_book(tmp_path / "rules.xlsx", fx_tables())
    reason = 'customer name 80% alike ("ACME HOLDNGS"); amount = open amount'
    row = ReconciliationRow(statement="S1", line_id="1", date=DAY, amount=D("200.00"), currency="USD",
                            payer="ACME HOLDNGS", narrative="TRANSFER", bank_reference="FT2521200001",
                            customer_id="C002", invoice_no="INV-8", applied=D("200.00"), status="review",
                            score=80, reason=reason, decision="reject")
    # a plain rejection (a duplicate, a line dealt with by hand) teaches nothing
    changes = ChangeSet()
    changes.replace_sheet(reconciliation_sheet([row], "decided"))
    apply_changes(book, changes)
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    assert open_ledger(book)[0].table("MatchRules").rows == []
    # "wrong customer": rejected as well, and the payer's name is not C002's
    row = row.model_copy(update={"line_id": "1b", "bank_reference": "FT2521200009", "decision": "Wrong  Customer"})
    changes = ChangeSet()
    changes.replace_sheet(reconciliation_sheet([row], "decided"))
    apply_changes(book, changes)
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    ledger, _ = open_ledger(book)
    rules = ledger.table("MatchRules")
    assert [(r.kind, r.key, r.customer, r.active) for r in rules.rows] == [("not", "ACME HOLDNGS", "C002", "Yes")]
    assert rules.rows[0].source.startswith("rejected on Reconciliation row 5 of statement S1, 2025-07-31, by ")
    assert len(ledger.receipts) == len(fx_tables()["Receipts"])  # a rejection posts nothing
    assert not [a for a in ledger.allocations if a.invoice_no == "INV-8"]
    items, customers = match_inputs(ledger, DAY)
    usd = StatementLine("2", DAY, DAY, D("200.00"), "USD", "ACME HOLDNGS", "", "TRANSFER", "FT2")
    before = match([usd], items, customers, match_settings(ledger))
    assert [(r.invoice_no, r.status) for r in before] == [("INV-8", "auto")]  # without the rule: C002's INV-8
    customers, settings = learnt_inputs(ledger, customers, match_settings(ledger))
    [allocation] = match([usd], items, customers, settings)
    assert (allocation.invoice_no, allocation.status) == ("", "unmatched")
    assert "MatchRules row 2: 'ACME HOLDNGS' is not C002" in allocation.reason
    # the next month the accountant gives that payer's line to C002 after all: the rule is switched off
    row = row.model_copy(update={"line_id": "3", "bank_reference": "FT2521300003", "status": "unmatched",
                                 "customer_id": "", "invoice_no": "", "applied": D(0), "decision": "C002"})
    changes = ChangeSet()
    changes.replace_sheet(reconciliation_sheet([row], "decided"))
    apply_changes(book, changes)
    assert main(["reconcile", "post", str(book), "--on", "2025-09-01"]) == 0
    assert "1 rule(s) switched off (Active: No) by a decision that contradicts them" in capsys.readouterr().out
    rules = open_ledger(book)[0].table("MatchRules")
    assert [(r.kind, r.key, r.customer, r.active) for r in rules.rows] == [
        ("not", "ACME HOLDNGS", "C002", "No"), ("alias", "ACME HOLDNGS", "C002", "Yes")]


def test_a_bank_charge_rule_is_read_as_written_capped_and_skipped_when_it_is_no_charge() -> None:
    settings = MatchSettings(bank_charges={"RWF": D(5000), "USD": D(5)})
    rules = [_rule("bank charge", "USD 12,5", "C7"), _rule("bank charge", "RWF 100,000", "C8"),
             _rule("bank charge", "FRW 10000", "C9"), _rule("bank charge", "USD 12.50", "C9")]
    _, learnt = with_rules(CUSTOMERS, settings, rules)
    charges = {key: (c.usual, c.tolerance, c.source) for key, c in learnt.usual_charges.items()}
    # "USD 12,5" is no charge (a comma only between thousands); 100,000 RWF is capped at 5 x 5,000; FRW is no currency
    assert charges == {("C8", "RWF"): (D(100000), D(25000), "MatchRules row 3"),
                       ("C9", "USD"): (D("12.50"), D("13.75"), "MatchRules row 5")}


def test_validate_warns_at_a_bank_charge_rule_it_cannot_follow(tmp_path: Path) -> None:
    book = write_book(tmp_path / "rules.xlsx", {**fx_tables(), "MatchRules": [
        _rule("bank charge", "FRW 10000", "C002"), _rule("bank charge", "RWF10000", "C002"),
        _rule("bank charge", "RWF 10000", "C002"), _rule("alias", "ACME AND MINICT", "C001; C002")]})
    ledger, _ = open_ledger(book)
    problems = [(str(p.where), p.severity, p.message) for p in examine(ledger).problems if "MatchRules" in str(p.where)]
    assert [(where, severity) for where, severity, _ in problems] == [
        ("[rules.xlsx]MatchRules!B2", "warning"), ("[rules.xlsx]MatchRules!B3", "warning"),
        ("[rules.xlsx]MatchRules!C5", "warning")]
    assert "a rule of kind alias names one customer, not 2: the rule is not followed" in problems[2][2]
    assert 'currency "FRW" is not an ISO 4217 currency code' in problems[0][2]
    assert 'bank charge "RWF10000" is not written as a currency and an amount' in problems[1][2]
    # and the matcher leaves those rows aside instead of refusing to run
    _, settings = learnt_inputs(ledger, match_inputs(ledger, DAY)[1], match_settings(ledger))
    assert [(cid, code) for cid, code in settings.usual_charges] == [("C002", "RWF")]


def test_a_reason_names_the_rule_row_the_sheet_shows_blank_rows_included(tmp_path: Path) -> None:
    book = write_book(tmp_path / "rules.xlsx", {**fx_tables(), "MatchRules": [
        _rule("alias", "ACME TEMP", "C002"), _rule("alias", "ACME BRANCH", "C002"), _rule("alias", "ACME HQ KIGALI",
                                                                                        "C002")]})
    workbook = load_workbook(book)
    for row in (2, 3):  # the first two rules cleared, their rows left blank: the third is still on row 4
        for cell in workbook["MatchRules"][row]:
            cell.value = None
    workbook.save(book)
    ledger, _ = open_ledger(book)
    items, customers = match_inputs(ledger, DAY)
    customers, settings = learnt_inputs(ledger, customers, match_settings(ledger))
    usd = StatementLine("2", DAY, DAY, D("200.00"), "USD", "ACME HQ KIGALI", "", "TRANSFER", "FT2")
    [row] = match([usd], items, customers, settings)
    assert row.reason.startswith("payer by MatchRules row 4: alias 'ACME HQ KIGALI' -> C002")


def test_a_decision_that_contradicts_an_account_or_alias_rule_switches_it_off() -> None:
    rules = [_rule("account", "1234-5678", "C8"), _rule("alias", "IKZ MTRS HQ", "C8"), _rule("alias", "OTHER", "C7")]
    # the next month the payer of that account and name pays for C7: neither is C8's alone any more
    later = learn([Decided(9, "aug.csv", DAY, "ikz mtrs hq", "12345678", "C7", "C8", "review")], rules, CUSTOMERS, DAY)
    assert later.switched_off == [0, 1]


def test_a_reference_rule_names_its_customer_only_where_the_line_quotes_it_whole() -> None:
    customers, settings = with_rules(CUSTOMERS, MatchSettings(), [_rule("reference", "LPO 5531", "C8")])
    [row] = rows_of(line("90000", "", "PAYMENT LPO-5531"), settings=settings, customers=customers)
    assert (row.invoice_no, row.status) == ("AOS/25/07400", "auto")
    assert row.reason.startswith("payer by MatchRules row 2: reference 'LPO 5531' -> C8; 'LPO 5531' quoted")
    # another LPO, or the number run on: not C8's (before, the rule was read as the alias "LPO")
    for other in ("PAYMENT LPO/MINEDUC/2025/123", "PAYMENT LPO 55310"):
        assert {r.status for r in rows_of(line("90000", "", other), settings=settings, customers=customers)} == {
            "unmatched"}
