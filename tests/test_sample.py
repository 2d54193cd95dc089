"""The sample workbook tells one consistent story: the checks an accountant would make on a ledger handed over."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal as D
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from arxl import sample
from arxl.core.money import round_money
from arxl.core.tax import expected_cash, parse_withholding, vat_by_rate
from arxl.core.terms import parse_terms
from arxl.ledger.records import TABLES, Allocation, Contract, Customer, Invoice, Receipt, Row, columns
from arxl.ledger.settings import Settings
from arxl.sample import STATEMENT_COLUMNS, StatementLine, sample_statement, sample_statement_truth, sample_tables

CUTOFF = dt.date(2025, 6, 30)
INVOICE_NUMBER = re.compile(r"INV-\d{4}-\d{5}")


@pytest.fixture(scope="module")
def tables() -> dict[str, list[Row]]:
    return sample_tables(7)


@pytest.fixture(scope="module")
def statement() -> list[StatementLine]:
    return sample_statement(7)


@pytest.fixture(scope="module")
def truth() -> dict[str, list[str]]:
    return sample_statement_truth(7)


def rows(tables: dict[str, list[Row]], name: str) -> list[Any]:
    return tables.get(name, [])  # MatchRules: not in the sample until a rule is learnt


def invoices(tables: dict[str, list[Row]]) -> dict[str, Invoice]:
    return {i.invoice_no: i for i in rows(tables, "Invoices")}


def customers(tables: dict[str, list[Row]]) -> dict[str, Customer]:
    return {c.customer_id: c for c in rows(tables, "Customers")}


def open_amounts(tables: dict[str, list[Row]]) -> dict[str, D]:
    """Open amount of every invoice at the cut-off: total, less credit notes, less allocations."""
    register = invoices(tables)
    result = {n: (i.total_amount if i.doc_type == "invoice" else D(0)) for n, i in register.items()}
    for note in register.values():
        if note.doc_type == "credit_note":
            result[note.original_invoice] += note.total_amount
    for a in rows(tables, "Allocations"):
        result[a.invoice_no] -= a.applied_amount + a.deduction_amount
    return result


# --- determinism and shape -------------------------------------------------------------------------------------

def test_same_seed_gives_the_same_sample_and_another_seed_another(tmp_path: Path) -> None:
    first, first_statement = sample_tables(7), sample_statement(7)
    sample._story.cache_clear()  # build it again from scratch, not from the cache
    assert sample_tables(7) == first
    assert sample_statement(7) == first_statement
    sample.write_statement_csv(first_statement, tmp_path / "a.csv")
    sample.write_statement_csv(sample_statement(7), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    other = sample_tables(8)
    assert other["Invoices"] != first["Invoices"]
    assert sample_statement(8) != first_statement


@pytest.mark.parametrize("seed", [1, 2, 3, 42])
def test_other_seeds_build_a_complete_story(seed: int) -> None:
    tables = sample_tables(seed)
    assert {name for name, spec in TABLES.items() if spec.required} <= tables.keys()
    assert all(rows for name, rows in tables.items() if name not in ("Statements", "Revaluations", "Periods"))
    truth = sample_statement_truth(seed)
    assert 40 <= len(truth) <= 60
    assert sum(1 for pays in truth.values() if len(pays) > 1) >= 2


def test_every_table_of_the_workbook_has_rows_of_its_model(tables: dict[str, list[Row]]) -> None:
    assert list(tables) == [name for name in TABLES if name != "MatchRules"]  # created when a rule is first learnt
    for name, spec in TABLES.items():
        if name == "MatchRules":
            continue
        assert tables[name] or name in ("Statements", "Revaluations", "Periods"), name  # commands fill them
        assert all(type(row) is spec.model for row in tables[name]), name


def test_table_keys_are_unique(tables: dict[str, list[Row]]) -> None:
    for name, spec in TABLES.items():
        if spec.key:
            keys = [tuple(getattr(row, k) for k in spec.key) for row in tables[name]]
            assert len(keys) == len(set(keys)), name


def test_settings_use_the_keys_arxl_knows(tables: dict[str, list[Row]]) -> None:
    titles = {info.title for info in Settings.model_fields.values()}
    settings = {s.key: s.value for s in rows(tables, "Settings")}
    assert set(settings) <= titles
    assert settings["Company Name"] == "Kigali Cloud & Systems Ltd"
    assert re.fullmatch(r"\d{9}", settings["Company TIN"])
    assert (settings["Base Currency"], settings["Invoice Series"], settings["Credit Note Series"]) == \
        ("RWF", "INV", "CN")
    assert (settings["WHT3 Rate"], settings["WHT15 Rate"], settings["VAT Withheld Share"]) == ("3%", "15%", "100%")
    assert (settings["Period"], settings["As Of"], settings["Aging Buckets"]) == ("2025-07", "2025-07-31",
                                                                                  "30,60,90,120")


def test_tax_codes_and_dunning_levels(tables: dict[str, list[Row]]) -> None:
    codes = {t.code: (t.rate, t.sage_tax_code) for t in rows(tables, "TaxCodes")}
    assert codes == {"VAT18": (D("0.18"), "T1"), "ZERO": (D(0), "T0"), "EXEMPT": (D(0), "T2")}
    assert [(d.level, d.days_overdue) for d in rows(tables, "DunningLevels")] == [(1, 7), (2, 30), (3, 60), (4, 90)]


def test_sixty_customers_of_every_type_in_both_currencies(tables: dict[str, list[Row]]) -> None:
    people = list(customers(tables).values())
    assert len(people) == 60
    assert [c.customer_id for c in people[:2]] == ["C001", "C002"]
    by_type = defaultdict(list)
    for c in people:
        by_type[c.customer_type].append(c)
    assert {t: len(v) for t, v in by_type.items()} == {"government": 24, "private": 21, "ngo": 10, "foreign": 5}
    assert {c.currency for c in by_type["foreign"]} == {"USD"}
    assert sum(1 for c in by_type["government"] if c.withholding == "vat,wht3") >= 18
    assert sum(1 for c in people if c.withholding == "wht15") == 3
    assert all(re.fullmatch(r"\d{9}", c.tin) for c in by_type["government"] + by_type["ngo"])
    assert 1 <= sum(1 for c in by_type["private"] if not c.tin) <= 2
    assert all(re.fullmatch(r"[a-z0-9]+@[a-z0-9]+\.example\.(rw|org|com)", c.email) for c in people)
    assert customers(tables)["C001"].aliases == "MINICT"
    for c in people:
        parse_terms(c.terms)
        parse_withholding(c.withholding)
    assert {parse_terms(c.terms).text for c in people} == {"NET30", "NET45", "EOM+15", "2/10 NET30"}


def test_contracts_mix_cycles_statuses_and_terms(tables: dict[str, list[Row]]) -> None:
    contracts: list[Contract] = rows(tables, "Contracts")
    services = {s.service_code: s for s in rows(tables, "Services")}
    assert 80 <= len(contracts) <= 100
    assert 10 <= len(services) <= 15
    assert {k.cycle for k in contracts} == {"monthly", "quarterly", "annual", "once"}
    assert {k.billing for k in contracts} == {"advance", "arrears"}
    assert {k.status for k in contracts} == {"active", "ended", "suspended"}
    assert [k.customer_id for k in contracts if k.status == "suspended"] == ["C042"]
    assert sum(1 for k in contracts if k.escalation == D("0.05")) == 5
    assert sum(1 for k in contracts if k.discount == D("0.10")) == 4
    assert {k.currency for k in contracts} == {"RWF", "USD"}
    negotiated = [k for k in contracts if k.rate != services[k.service_code].rate]
    assert {k.customer_id for k in negotiated} == {"C025", "C026"}
    assert all(k.po_number.startswith("LPO/") for k in contracts
               if customers(tables)[k.customer_id].customer_type == "government")
    assert {k.start_date.year for k in contracts} == {2023, 2024, 2025}
    # July's run has work to bill: a service order finishing in July and a contract starting mid-month.
    assert any(k.cycle == "once" and k.end_date and k.end_date.month == 7 and k.end_date.year == 2025
               for k in contracts)
    assert any(k.start_date == dt.date(2025, 7, 14) for k in contracts)


# --- the invoice register --------------------------------------------------------------------------------------

def test_invoice_numbers_are_unique_and_gap_free_per_series_and_year(tables: dict[str, list[Row]]) -> None:
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number in invoices(tables):
        series, year, serial = number.split("-")
        assert len(serial) == 5
        numbers[(series, year)].append(int(serial))
    assert set(numbers) == {("INV", "2024"), ("INV", "2025"), ("CN", "2025")}
    for key, serials in numbers.items():
        assert sorted(serials) == list(range(1, len(serials) + 1)), key
    assert numbers[("CN", "2025")] == [1]
    dated = [(i.invoice_date, int(i.invoice_no[-5:])) for i in invoices(tables).values() if i.doc_type == "invoice"
             and i.invoice_date.year == 2025]
    assert [n for _, n in sorted(dated)] == sorted(n for _, n in dated)  # numbered in date order


def test_invoices_agree_with_their_lines(tables: dict[str, list[Row]]) -> None:
    lines = defaultdict(list)
    for line in rows(tables, "InvoiceLines"):
        lines[line.invoice_no].append(line)
    register = invoices(tables)
    assert set(lines) == set(register)
    for number, inv in register.items():
        own = lines[number]
        assert [line.line_no for line in own] == list(range(1, len(own) + 1))
        assert inv.net_amount == sum(line.net_amount for line in own), number
        assert inv.vat_amount == sum(line.vat_amount for line in own), number
        assert inv.total_amount == inv.net_amount + inv.vat_amount, number
        per_rate = vat_by_rate([(line.net_amount, line.vat_rate) for line in own], inv.currency, "invoice")
        assert inv.vat_amount == sum(per_rate.values()), number  # VAT rounded once per rate on the invoice


def test_due_dates_follow_the_terms_and_ebm_data_is_filled(tables: dict[str, list[Row]]) -> None:
    register = [i for i in invoices(tables).values() if i.doc_type == "invoice"]
    for inv in register:
        assert inv.due_date == parse_terms(inv.terms).due_date(inv.invoice_date), inv.invoice_no
    pending = [i for i in register if not i.ebm_receipt_no]
    assert 1 <= len(pending) <= 5 and all(i.invoice_date.month == 6 for i in pending)
    filled = [i for i in register if i.ebm_receipt_no]
    assert all(i.ebm_sdc_id == "SDC010012345" and i.ebm_date == i.invoice_date and i.ebm_receipt_type == "NS"
               for i in filled)


def test_foreign_clients_are_zero_rated_in_dollars(tables: dict[str, list[Row]]) -> None:
    people = customers(tables)
    foreign = [i for i in invoices(tables).values() if people[i.customer_id].customer_type == "foreign"]
    assert foreign and all(i.currency == "USD" and i.vat_amount == 0 for i in foreign)
    zero = [line for line in rows(tables, "InvoiceLines") if line.tax_code == "ZERO"]
    assert zero and all(line.vat_amount == 0 for line in zero)


def test_amounts_are_rounded_to_their_currency(tables: dict[str, list[Row]]) -> None:
    register = invoices(tables)
    people = customers(tables)
    checked: dict[str, int] = defaultdict(int)
    for name, spec in TABLES.items():
        amounts = [c.field for c in columns(spec.model) if c.kind == "amount"]
        for row in rows(tables, name):
            currency = (getattr(row, "currency", "") or getattr(row, "fee_currency", "")
                        or (register[row.invoice_no].currency if name == "InvoiceLines" else "")
                        or (people[row.customer_id].currency if name == "CollectionsLog" else ""))
            for field in amounts:
                value = getattr(row, field)
                if value is None or not currency:
                    continue
                places = -value.as_tuple().exponent if value != value.to_integral_value() else 0
                assert places <= (0 if currency == "RWF" else 2), (name, field, value)
                checked[currency] += 1
    assert checked["RWF"] > 10_000 and checked["USD"] > 100


def test_the_schedule_is_what_was_billed(tables: dict[str, list[Row]]) -> None:
    register = invoices(tables)
    billed: dict[str, D] = defaultdict(D)
    for s in rows(tables, "BillingSchedule"):
        assert s.period <= "2025-06" and s.period_end >= s.period_start
        if s.status == "billed":
            billed[s.invoice_no] += s.amount
            assert s.period == f"{register[s.invoice_no].invoice_date:%Y-%m}"
        else:
            assert (s.status, s.invoice_no, s.customer_id) == ("skipped", "", "C042")
            assert s.period_start >= dt.date(2025, 4, 1)
    assert billed == {n: i.net_amount for n, i in register.items() if i.doc_type == "invoice"}


def test_a_partial_first_period_is_prorated_by_days(tables: dict[str, list[Row]]) -> None:
    contracts = {k.contract_ref: k for k in rows(tables, "Contracts")}
    prorated = [s for s in rows(tables, "BillingSchedule") if contracts[s.contract_ref].cycle == "monthly"
                and s.period_start.day != 1 and s.period_start == contracts[s.contract_ref].start_date]
    assert prorated
    for s in prorated:
        k = contracts[s.contract_ref]
        days_in_month = (s.period_end - s.period_start.replace(day=1)).days + 1
        days = (s.period_end - s.period_start).days + 1
        gross = round_money(k.quantity * s.rate * days / days_in_month, k.currency)
        assert s.amount == gross - round_money(gross * k.discount, k.currency)


def test_escalation_raises_the_rate_on_each_anniversary(tables: dict[str, list[Row]]) -> None:
    contracts = {k.contract_ref: k for k in rows(tables, "Contracts")}
    escalated = [k for k in contracts.values() if k.escalation and k.start_date < dt.date(2024, 1, 1)]
    assert escalated
    k = escalated[0]
    rates = {s.period_start: s.rate for s in rows(tables, "BillingSchedule") if s.contract_ref == k.contract_ref}
    second_year = k.start_date.replace(year=k.start_date.year + 1)
    third_year = k.start_date.replace(year=k.start_date.year + 2)
    assert {r for day, r in rates.items() if day < second_year} <= {k.rate}
    assert {r for day, r in rates.items() if second_year <= day < third_year} == {k.rate * D("1.05")}


def test_nothing_is_dated_after_june_2025(tables: dict[str, list[Row]]) -> None:
    assert max(i.invoice_date for i in rows(tables, "Invoices")) == CUTOFF
    assert min(i.invoice_date for i in rows(tables, "Invoices")) == dt.date(2024, 1, 1)
    assert max(s.period for s in rows(tables, "BillingSchedule")) == "2025-06"
    assert max(r.date for r in rows(tables, "Receipts")) <= CUTOFF
    assert max(a.date for a in rows(tables, "Allocations")) <= CUTOFF
    assert max(e.date for e in rows(tables, "CollectionsLog")) <= CUTOFF


# --- receipts and allocations ----------------------------------------------------------------------------------

def test_allocations_never_over_clear_an_invoice_or_a_receipt(tables: dict[str, list[Row]]) -> None:
    register = invoices(tables)
    receipts: dict[str, Receipt] = {r.receipt_id: r for r in rows(tables, "Receipts")}
    owed = {n: i.total_amount for n, i in register.items() if i.doc_type == "invoice"}
    for note in register.values():
        if note.doc_type == "credit_note":
            owed[note.original_invoice] += note.total_amount
    applied: dict[str, D] = defaultdict(D)
    allocations: list[Allocation] = rows(tables, "Allocations")
    for a in sorted(allocations, key=lambda a: a.date):
        receipt = receipts[a.receipt_id]
        assert a.invoice_no in owed and a.currency == register[a.invoice_no].currency == receipt.currency
        assert a.date == receipt.date and register[a.invoice_no].customer_id == receipt.customer_id
        assert a.applied_amount >= 0 and a.deduction_amount >= 0
        owed[a.invoice_no] -= a.applied_amount + a.deduction_amount
        assert owed[a.invoice_no] >= 0, a
        applied[a.receipt_id] += a.applied_amount
        assert (a.deduction_type == "") == (a.deduction_amount == 0)
    assert all(applied[rid] <= r.amount for rid, r in receipts.items())
    assert set(applied) == set(receipts)


def test_receipts_are_numbered_per_year_in_date_order(tables: dict[str, list[Row]]) -> None:
    receipts: list[Receipt] = rows(tables, "Receipts")
    assert receipts[0].receipt_id == "RCPT-2024-0001"
    for year in (2024, 2025):
        own = [r for r in receipts if r.date.year == year]
        assert [r.receipt_id for r in own] == [f"RCPT-{year}-{n:04d}" for n in range(1, len(own) + 1)]
        assert [r.date for r in own] == sorted(r.date for r in own)
    assert {r.bank_account for r in receipts if r.currency == "USD"} == {sample.BANK_USD}


def test_invoice_status_agrees_with_what_is_left_open(tables: dict[str, list[Row]]) -> None:
    left = open_amounts(tables)
    touched = {a.invoice_no for a in rows(tables, "Allocations")}
    for number, inv in invoices(tables).items():
        if inv.doc_type == "credit_note":
            assert inv.status == "credited"
        elif left[number] == 0:
            assert inv.status == "paid", number
        elif number in touched:
            assert inv.status == "part-paid", number
        else:
            assert inv.status == "open", number
    statuses: dict[str, int] = defaultdict(int)
    for inv in invoices(tables).values():
        statuses[inv.status] += 1
    assert statuses["paid"] > 700 and statuses["open"] > 100 and statuses["part-paid"] >= 3


def test_government_pays_short_by_its_withholding(tables: dict[str, list[Row]]) -> None:
    register = invoices(tables)
    kinds = defaultdict(list)
    for a in rows(tables, "Allocations"):
        kinds[a.deduction_type].append(a)
    vat = kinds["vat_withheld"]
    assert vat and all(a.deduction_amount == register[a.invoice_no].vat_amount for a in vat)
    rates = {(a.deduction_amount / register[a.invoice_no].net_amount).quantize(D("0.01")) for a in kinds["wht"]}
    assert rates == {D("0.03"), D("0.15")}
    assert any(a.certificate_no.startswith("VWC/") for a in vat)
    assert any(a.certificate_no.startswith("WHT/") for a in kinds["wht"])
    # A public body paying 1,000,000 + 180,000 VAT sends 970,000: cash applied = total - VAT - 3 %.
    example = next(a for a in vat if a.applied_amount > 0)
    inv = register[example.invoice_no]
    assert example.applied_amount == expected_cash(inv.total_amount, inv.net_amount, inv.vat_amount,
                                                   {"vat", "wht3"}, "RWF")


def test_dollar_transfers_lose_bank_charges_and_a_discount_is_taken(tables: dict[str, list[Row]]) -> None:
    charges = [a for a in rows(tables, "Allocations") if a.deduction_type == "bank_charges"]
    assert charges and all(a.currency == "USD" and D(15) <= a.deduction_amount <= D(45) for a in charges)
    discounts = [a for a in rows(tables, "Allocations") if a.deduction_type == "discount"]
    register = invoices(tables)
    assert discounts and all(a.deduction_amount == round_money(register[a.invoice_no].total_amount * D("0.02"),
                                                               a.currency) for a in discounts)


def test_the_history_has_each_collection_case(tables: dict[str, list[Row]]) -> None:
    register = invoices(tables)
    left = open_amounts(tables)
    allocations: list[Allocation] = rows(tables, "Allocations")
    # chronic late payers: invoices more than 90 days past due still open at the end of June
    chronic = {register[n].customer_id for n, amount in left.items()
               if amount > 0 and (CUTOFF - register[n].due_date).days > 90}
    assert {"C010", "C017", "C042", "C052"} <= chronic
    # partial payments, one receipt for several invoices, an overpayment left unapplied
    assert any(i.status == "part-paid" for i in register.values())
    per_receipt = defaultdict(set)
    applied: dict[str, D] = defaultdict(D)
    for a in allocations:
        per_receipt[a.receipt_id].add(a.invoice_no)
        applied[a.receipt_id] += a.applied_amount
    assert max(len(v) for v in per_receipt.values()) >= 3
    unapplied = [r for r in rows(tables, "Receipts") if r.amount > applied[r.receipt_id]]
    assert len(unapplied) == 1 and unapplied[0].amount % 100_000 == 0
    # the credit note partly offsets its invoice, and the customer pays the rest
    note = register["CN-2025-00001"]
    original = register[note.original_invoice]
    assert note.doc_type == "credit_note" and note.total_amount < 0 < original.total_amount + note.total_amount
    assert left[original.invoice_no] == 0
    assert sum(a.applied_amount for a in allocations if a.invoice_no == original.invoice_no) == \
        original.total_amount + note.total_amount


def test_an_instalment_plan_with_its_first_instalment_kept(tables: dict[str, list[Row]]) -> None:
    plan = rows(tables, "Arrangements")
    assert [(p.arrangement_id, p.instalment, p.status) for p in plan] == [
        ("ARR-2025-001", 1, "kept"), ("ARR-2025-001", 2, "pending"), ("ARR-2025-001", 3, "pending")]
    assert {p.customer_id for p in plan} == {"C042"}
    assert max(p.amount for p in plan) - min(p.amount for p in plan) <= 1
    first = plan[0]
    paid = [r for r in rows(tables, "Receipts") if r.customer_id == "C042" and r.amount == first.amount]
    assert paid and paid[0].date <= first.due_date


def test_collections_log_climbs_the_dunning_levels_and_records_promises(tables: dict[str, list[Row]]) -> None:
    log = rows(tables, "CollectionsLog")
    names = {d.name for d in rows(tables, "DunningLevels")}
    levels = defaultdict(list)
    for entry in log:
        if entry.outcome.split(":")[0] in names:  # the monthly reminder, not the calls in between
            levels[entry.customer_id].append(entry.dunning_level)
    for customer_id in ("C010", "C017", "C052"):
        steps = levels[customer_id]
        assert steps[0] == 1 and max(steps) == 4
        assert all(b <= a + 1 for a, b in pairwise(steps)), customer_id
    promises = [e for e in log if e.promise_date is not None]
    assert len(promises) >= 4 and all(e.promise_amount and e.promise_amount > 0 for e in promises)
    assert any("not kept" in e.outcome for e in log)


# --- the July statement ----------------------------------------------------------------------------------------

def test_statement_lines_are_july_2025_in_two_currencies(statement: list[StatementLine]) -> None:
    assert 40 <= len(statement) <= 60
    assert [s.line_id for s in statement] == [f"BK-2025-07-{n:03d}" for n in range(1, len(statement) + 1)]
    assert all(dt.date(2025, 7, 1) <= s.booking_date <= dt.date(2025, 7, 31) for s in statement)
    assert all(s.value_date <= s.booking_date for s in statement)
    assert [s.booking_date for s in statement] == sorted(s.booking_date for s in statement)
    assert {s.currency for s in statement} == {"RWF", "USD"}
    assert any(s.amount < 0 for s in statement) and any(s.amount > 0 for s in statement)


def test_statement_csv_is_the_canonical_format(tmp_path: Path, statement: list[StatementLine]) -> None:
    path = tmp_path / "statement.csv"
    sample.write_statement_csv(statement, path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ("line_id,booking_date,value_date,amount,currency,counterparty_name,"
                                    "counterparty_account,narrative,bank_reference")
    assert tuple(text.splitlines()[0].split(",")) == STATEMENT_COLUMNS
    read = list(csv.DictReader(text.splitlines()))
    assert len(read) == len(statement)
    for row, line in zip(read, statement, strict=True):
        assert re.fullmatch(r"-?\d+" if line.currency == "RWF" else r"-?\d+\.\d\d", row["amount"]), row
        assert D(row["amount"]) == line.amount
        assert row["booking_date"] == line.booking_date.isoformat()
        assert row["narrative"] == line.narrative


def test_write_sample_writes_a_valid_workbook_and_its_statement(tmp_path: Path) -> None:
    from arxl.formats.xlsx.book import validate

    book, statement = sample.write_sample(tmp_path / "billing.xlsx", seed=7)
    assert statement == tmp_path / "billing-statement-2025-07.csv"
    assert statement.read_text(encoding="utf-8").count("\n") == len(sample_statement(7)) + 1
    assert [p for p in validate(book) if p.severity == "error"] == []


def test_truth_names_only_invoices_open_at_the_end_of_june(tables: dict[str, list[Row]],
                                                            statement: list[StatementLine],
                                                            truth: dict[str, list[str]]) -> None:
    left = open_amounts(tables)
    assert list(truth) == [s.line_id for s in statement]
    paid = [n for pays in truth.values() for n in pays]
    assert len(paid) == len(set(paid))  # no invoice is paid twice in July
    assert all(left[n] > 0 for n in paid)
    assert all(s.amount > 0 for s in statement if truth[s.line_id])


def _single(tables: dict[str, list[Row]], statement: list[StatementLine],
            truth: dict[str, list[str]]) -> list[tuple[StatementLine, Invoice, Customer]]:
    register, people = invoices(tables), customers(tables)
    return [(s, register[truth[s.line_id][0]], people[register[truth[s.line_id][0]].customer_id])
            for s in statement if len(truth[s.line_id]) == 1]


def test_statement_covers_the_cash_application_cases(tables: dict[str, list[Row]], statement: list[StatementLine],
                                                     truth: dict[str, list[str]]) -> None:
    single = _single(tables, statement, truth)
    register = invoices(tables)
    left = open_amounts(tables)

    def case(test: Any) -> list[StatementLine]:
        return [s for s, inv, c in single if test(s, inv, c)]

    def number(inv: Invoice) -> tuple[str, int]:
        return inv.invoice_no[4:8], int(inv.invoice_no[-5:])

    # the invoice number in every spelling
    assert case(lambda s, inv, c: inv.invoice_no in s.narrative)
    assert case(lambda s, inv, c: f"inv {number(inv)[0]} {number(inv)[1]}" in s.narrative)
    assert case(lambda s, inv, c: f"{number(inv)[0]}/{inv.invoice_no[-5:]}" in s.narrative)
    assert case(lambda s, inv, c: f"INV{number(inv)[0]}{inv.invoice_no[-5:]}" in s.narrative)
    assert case(lambda s, inv, c: re.search(rf"INV-{number(inv)[1]}\b", s.narrative))
    assert case(lambda s, inv, c: f"FACTURE {inv.invoice_no[-5:]}" in s.narrative)
    # no reference: the payer's name abbreviated, misspelt, truncated, or only the account
    payers = [(s.counterparty_name, c) for s, inv, c in single if not re.search(r"\d{3}", s.narrative)]
    assert any(name and name in c.aliases.upper().split(";") for name, c in payers)  # abbreviated
    assert any(name and c.name.upper().startswith(name) and name != c.name.upper() for name, c in payers)  # cut
    assert any(len(name) == len(c.name) + 1 and name not in c.name.upper() for name, c in payers)  # misspelt
    assert any(not name for name, c in payers)  # only the bank account
    # several invoices in one payment, for their total (or their total less withholding)
    several = [s for s in statement if len(truth[s.line_id]) > 1 and "ARREARS" not in s.narrative
               and "INSTALMENT" not in s.narrative]
    assert several
    # a partial payment and an overpayment
    assert case(lambda s, inv, c: not c.withholding and s.amount < inv.total_amount - 45)
    assert case(lambda s, inv, c: s.amount > inv.total_amount)
    # short by withholding, per profile
    for profile in ("vat,wht3", "wht3", "wht15", "vat"):
        assert case(lambda s, inv, c, p=profile: c.withholding == p and s.amount == expected_cash(
            inv.total_amount, inv.net_amount, inv.vat_amount, parse_withholding(p), inv.currency)), profile
    # a dollar transfer short by bank charges
    assert case(lambda s, inv, c: s.currency == "USD" and 0 < inv.total_amount - s.amount <= 45)
    # a third party (the Treasury) pays for a district
    assert case(lambda s, inv, c: c.customer_type == "government" and "TREASURY" in s.counterparty_name)
    # mobile money with the phone number
    assert case(lambda s, inv, c: re.fullmatch(r"2507\d{8}", s.counterparty_account) and "MOMO" in s.narrative)
    # the wrong reference with the right amount
    assert case(lambda s, inv, c: (m := INVOICE_NUMBER.search(s.narrative)) and m[0] != inv.invoice_no
                and m[0] in register and s.amount == inv.total_amount)
    # lines that are no customer receipt, one of them equal to an open invoice
    other = [s for s in statement if not truth[s.line_id]]
    assert len(other) >= 10 and sum(1 for s in other if s.amount > 0) >= 4
    open_totals = {register[n].total_amount for n, amount in left.items() if amount > 0}
    assert any(s.amount in open_totals for s in other if s.currency == "RWF")
    assert any("LOAN" in s.narrative for s in other) and any("REVERSAL" in s.narrative for s in other)
    assert any("INTEREST" in s.narrative for s in other) and any("OWN" in s.narrative for s in other)


def test_the_instalment_and_the_arrears_are_paid_oldest_first(tables: dict[str, list[Row]],
                                                             statement: list[StatementLine],
                                                             truth: dict[str, list[str]]) -> None:
    register = invoices(tables)
    plan = rows(tables, "Arrangements")
    instalment = next(s for s in statement if "INSTALMENT" in s.narrative)
    assert instalment.amount == plan[1].amount and instalment.booking_date == plan[1].due_date
    pays = truth[instalment.line_id]
    assert {register[n].customer_id for n in pays} == {"C042"} and pays == sorted(pays)
