"""The Sage 50 model the demo and the simulation send arxl's files to (arxl.sample.sage50), checked on files
written by hand from Sage's rules: what a customer owes, the nominal ledger, the exchange difference Sage posts
itself when a foreign receipt is allocated, and what Sage refuses."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.core.fx import sage_rate
from arxl.sample.sage50 import Customer, Sage50, SageRefused

HEADER = ("Type,Account Reference,Nominal A/C Ref,Department Code,Date,Reference,Details,Net Amount,Tax Code,"
          "Tax Amount,Exchange Rate,Extra Reference,User Name,Project Refn,Cost Code Refn")
ALLOCATION_HEADER = "Account Reference,Type,Reference,Date,Allocate To,Amount,Currency,Details"


def sage() -> Sage50:
    return Sage50("RWF", {"MINEDUC": Customer("MINEDUC", "Ministry of Education", "RWF"),
                          "HELIOS01": Customer("HELIOS01", "Helios Ltd", "USD")})


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_withholding_customer_settled_by_receipt_and_deductions(tmp_path: Path) -> None:
    model = sage()
    model.import_audit_trail(write(tmp_path / "sage.csv", HEADER, [
        "SI,MINEDUC,4000,,02/07/2025,INV-2025-00101,Hosting,1000000,T1,180000,1,PO-9,,,",
        "SA,MINEDUC,1200,,24/07/2025,RCPT-2025-0040,Payment,970000,T9,0,1,FT123,,,",
        "SA,MINEDUC,1250,,24/07/2025,INV-2025-00101/VATW,VAT withheld,180000,T9,0,1,RCPT-2025-0040,,,",
        "SA,MINEDUC,1251,,24/07/2025,INV-2025-00101/WHT,WHT 3%,30000,T9,0,1,RCPT-2025-0040,,,",
    ]))
    assert model.balance("MINEDUC") == D(0)
    assert model.unallocated("MINEDUC") == D(1180000)  # paid, not yet allocated in Sage
    assert {k: v for k, v in model.nominal.items() if v} == {
        "4000": D(-1000000), "2200": D(-180000), "1200": D(970000), "1250": D(180000), "1251": D(30000)}
    model.allocate_sheet(write(tmp_path / "sage-allocations.csv", ALLOCATION_HEADER, [
        "MINEDUC,SA,RCPT-2025-0040,24/07/2025,INV-2025-00101,970000,RWF,",
        "MINEDUC,SA,INV-2025-00101/VATW,24/07/2025,INV-2025-00101,180000,RWF,",
        "MINEDUC,SA,INV-2025-00101/WHT,24/07/2025,INV-2025-00101,30000,RWF,",
    ]))
    assert model.unallocated("MINEDUC") == D(0)
    assert model.aged("MINEDUC", dt.date(2025, 7, 31)) == [D(0)] * 5
    assert model.nominal["1100"] == D(0)


def test_a_usd_invoice_paid_at_another_rate_posts_sages_own_exchange_difference(tmp_path: Path) -> None:
    model = sage()
    model.import_audit_trail(write(tmp_path / "sage.csv", HEADER, [
        f"SI,HELIOS01,4000,,01/07/2025,INV-2025-00102,Support,1000.00,T0,0.00,{sage_rate(D('1400'))},,,,",
        f"SA,HELIOS01,1210,,20/07/2025,RCPT-2025-0041,Payment,960.00,T9,0.00,{sage_rate(D('1450'))},,,,",
        f"SC,HELIOS01,7901,,20/07/2025,INV-2025-00102/BCH,Bank charges,40.00,T9,0.00,{sage_rate(D('1450'))},,,,",
    ]))
    assert model.balance("HELIOS01") == D(0)
    assert model.base_balance("HELIOS01") == D(1400000) - D(1392000) - D(58000)
    assert model.nominal["1210"] == D(1392000) and model.nominal["7901"] == D(58000)
    model.allocate("HELIOS01", "SA", "RCPT-2025-0041", "INV-2025-00102", D("960.00"))
    model.allocate("HELIOS01", "SC", "INV-2025-00102/BCH", "INV-2025-00102", D("40.00"))
    assert model.nominal["7906"] == D(-50000)  # a gain of 1,000 USD x 50 RWF, credited to exchange variance
    assert model.nominal["1100"] == D(0) and model.base_balance("HELIOS01") == D(0)


def test_a_part_payment_takes_its_share_at_the_invoice_rate_and_the_last_takes_the_rest(tmp_path: Path) -> None:
    model = sage()
    model.import_audit_trail(write(tmp_path / "sage.csv", HEADER, [
        f"SI,HELIOS01,4000,,01/07/2025,INV-1,Support,100.01,T1,18.00,{sage_rate(D('1441'))},,,,",
        f"SA,HELIOS01,1210,,10/07/2025,R-1,Payment,50.00,T9,0.00,{sage_rate(D('1441'))},,,,",
        f"SA,HELIOS01,1210,,20/07/2025,R-2,Payment,68.01,T9,0.00,{sage_rate(D('1441'))},,,,",
    ]))
    first = model.transactions[0]
    assert (first.base_net, first.base_tax) == (D(144114), D(25938))  # each field converted: 144,114.41 and 25,938
    model.allocate("HELIOS01", "SA", "R-1", "INV-1", D("50.00"))
    model.allocate("HELIOS01", "SA", "R-2", "INV-1", D("68.01"))
    # same rate throughout: the only difference is the franc the per-field rounding of the invoice left
    assert model.nominal["1100"] == D(0)
    assert model.nominal["7906"] == -(D(72050) + D(98002) - D(144114) - D(25938))


def test_sage_refuses_what_it_cannot_import_or_allocate(tmp_path: Path) -> None:
    model = sage()
    with pytest.raises(SageRefused, match="line 2: type 'SR' cannot be imported"):
        model.import_audit_trail(write(tmp_path / "a.csv", HEADER, ["SR,MINEDUC,1200,,01/07/2025,R,x,1,T9,0,1,,,,"]))
    with pytest.raises(SageRefused, match="account 'NOBODY' is not set up"):
        model.import_audit_trail(write(tmp_path / "b.csv", HEADER, ["SI,NOBODY,4000,,01/07/2025,I,x,1,T1,0,1,,,,"]))
    model.import_audit_trail(write(tmp_path / "c.csv", HEADER, [
        "SI,MINEDUC,4000,,01/07/2025,INV-9,x,100,T1,18,1,,,,", "SA,MINEDUC,1200,,02/07/2025,R-9,x,50,T9,0,1,,,,"]))
    with pytest.raises(SageRefused, match="more than is outstanding"):
        model.allocate("MINEDUC", "SA", "R-9", "INV-9", D(60))


def test_the_aged_debtors_report_and_trial_balance_as_sage_exports_them(tmp_path: Path) -> None:
    model = sage()
    model.import_audit_trail(write(tmp_path / "sage.csv", HEADER, [
        "SI,MINEDUC,4000,,15/04/2025,INV-1,x,100000,T1,18000,1,,,,",
        "SI,MINEDUC,4000,,20/07/2025,INV-2,x,50000,T1,9000,1,,,,",
        "SA,MINEDUC,1200,,25/07/2025,R-1,x,20000,T9,0,1,,,,",
    ]))
    report = model.write_aged_debtors(tmp_path / "aged.csv", dt.date(2025, 7, 31))
    rows = list(csv.reader(report.open()))
    assert rows[0][:4] == ["A/C", "Name", "Currency", "Balance"]
    assert rows[1] == ["MINEDUC", "Ministry of Education", "RWF", "157000", "39000", "0", "0", "118000", "0",
                       "20000", "157000"]
    assert rows[-1][1] == "Totals" and rows[-1][-1] == "157000"
    balances = {r[0]: (r[2], r[3]) for r in csv.reader(model.write_trial_balance(tmp_path / "tb.csv").open())}
    assert balances["1100"] == ("157000", "") and balances["4000"] == ("", "150000")
