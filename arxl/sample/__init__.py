"""The sample billing workbook: eighteen months of a Kigali ICT company's receivables, and July's bank lines.

Kigali Cloud & Systems Ltd hosts, connects and integrates for sixty clients: ministries, agencies and districts
that withhold VAT and 3 % at source, banks and telecoms (three withhold 15 %), NGOs, and a few foreign clients
billed in US dollars for zero-rated exported services. The sample holds the Settings, tax codes, rate card and
contracts, and the history the contracts produced from January 2024 to June 2025: the billing schedule, the
invoice register (INV-YYYY-NNNNN, no gaps), receipts and how each was applied (withholding, bank charges,
discounts, part payments, an overpayment), a credit note, collections calls, a payment arrangement and three
client queries (one still open on an invoice overdue in July, one closed by the credit note). July
2025 is left for the demo to bill; :func:`sample_statement` is the July bank statement it reconciles, and
:func:`sample_statement_truth` says which invoices each of its lines really pays (for tests only).

Everything comes from one seed through ``random.Random(seed)``: the same seed gives the same workbook. The
conventions the rest of arxl can rely on:

- a contract's Rate is its rate at the start date; an escalation adds its percentage on every anniversary
  (compounded, rounded to the currency) for the periods that start on or after it;
- monthly and quarterly periods are calendar months and quarters, annual ones run from the start date; a
  partial period is prorated by days; advance periods are invoiced on their first day, arrears on their last;
- a BillingSchedule row's Period is the month of the billing run that invoiced it (the invoice's month), so
  the July run bills period 2025-07; a suspended contract's periods are "skipped";
- an invoice's open amount is its total, less its credit notes (their Original Invoice), less what its
  allocations applied and deducted; a withholding settlement is one allocation row per deduction kind (the
  first carries the cash), and an overpayment is simply a receipt whose allocations add up to less than it.

>>> tables = sample_tables()
>>> len(tables["Customers"]), tables["Invoices"][0].invoice_no, tables["Invoices"][0].invoice_date
(60, 'INV-2024-00001', datetime.date(2024, 1, 1))
>>> sample_statement()[0].line_id
'BK-2025-07-001'
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Protocol

from arxl.billing.run import Due, draft_invoices
from arxl.billing.schedule import Charge, history
from arxl.core.calendar import BusinessCalendar
from arxl.core.dates import add_months, month_end
from arxl.core.money import allocate, round_money
from arxl.core.statement import STATEMENT_COLUMNS, StatementLine
from arxl.core.tax import (
    TaxCode,
    WithholdingRates,
    parse_withholding,
    vat_on_net,
    withholding_amounts,
)
from arxl.core.terms import parse_terms
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.records import (
    Allocation,
    ArrangementLine,
    BillingTiming,
    Channel,
    ClientQuery,
    Closure,
    CollectionsEntry,
    Contract,
    Customer,
    CustomerType,
    Cycle,
    DeductionType,
    DunningLevel,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    Receipt,
    Row,
    ScheduleLine,
    Service,
    Setting,
    TaxCodeRow,
)
from arxl.ledger.settings import Settings

__all__ = ["STATEMENT_COLUMNS", "StatementLine", "sample_statement", "sample_statement_truth", "sample_tables",
           "write_sample", "write_statement_csv"]

D = Decimal
ZERO, ONE = D(0), D(1)
ONE_DAY = dt.timedelta(days=1)
COMPANY = "Kigali Cloud & Systems Ltd"
FIRST_DAY = dt.date(2024, 1, 1)  # the register starts with January 2024's invoices...
CUTOFF = dt.date(2025, 6, 30)  # ...and ends with June 2025's: July is the demo's to bill
BANK_RWF = "00040-06951872-29"
BANK_USD = "00040-06951873-30"
TREASURY_ACCOUNT = "1000000015"  # the Treasury Single Account at the National Bank, which pays for districts
RATES = WithholdingRates()
CLOSURES = ((dt.date(2024, 12, 24), "Year-end office closure"), (dt.date(2024, 12, 31), "Year-end office closure"),
            (dt.date(2025, 8, 8), "Staff retreat"))
CALENDAR = BusinessCalendar(closures=[day for day, _ in CLOSURES])
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def sample_tables(seed: int = 7) -> dict[str, list[Row]]:
    """Rows for every table of the billing workbook (``schema.TABLES``), the same for the same seed."""
    return {name: list(rows) for name, rows in _story(seed).tables}


def sample_statement(seed: int = 7) -> list[StatementLine]:
    """The July 2025 bank statement (RWF and USD accounts) against the sample's open invoices."""
    return list(_story(seed).statement)


def sample_statement_truth(seed: int = 7) -> dict[str, list[str]]:
    """Line id -> the invoice numbers that line really pays; ``[]`` for a line that is no customer receipt."""
    return {line_id: list(numbers) for line_id, numbers in _story(seed).truth}


def write_statement_csv(lines: Iterable[StatementLine], path: Path) -> None:
    """Write statement lines as the canonical CSV: UTF-8, header row, ISO dates, plain decimals."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, STATEMENT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for line in lines:
            writer.writerow(line.as_row())


def write_sample(path: Path | str, seed: int = 7) -> tuple[Path, Path]:
    """Write the sample workbook and, beside it, its July statement CSV; return both paths."""
    book = write_book(path, sample_tables(seed))
    statement = book.with_name(f"{book.stem}-statement-2025-07.csv")
    write_statement_csv(sample_statement(seed), statement)
    return book, statement


@dataclass(frozen=True)
class _Story:
    tables: tuple[tuple[str, tuple[Row, ...]], ...]
    statement: tuple[StatementLine, ...]
    truth: tuple[tuple[str, tuple[str, ...]], ...]


@cache
def _story(seed: int) -> _Story:
    rng = random.Random(seed)
    services = _services()
    tax_codes = _tax_codes()
    people = _customers(rng)
    contracts = _contracts(rng, people, services)
    charges = [c for k in contracts for c in _charges(k)]
    invoices, lines, schedule = _bill(charges, people, services, tax_codes)
    credit_note, credit_line = _credit_note(rng, invoices, lines, people)
    books = _Books(rng, people, [*invoices, credit_note])
    books.replay(_plans(rng, books, credit_note))
    receipts, allocations = books.numbered()
    statuses = books.statuses()
    invoices = [i.model_copy(update={"status": statuses[i.invoice_no]}) for i in [*invoices, credit_note]]
    statement, truth = _statement(rng, books)
    tables: dict[str, list[Row]] = {
        "Settings": [*_settings()],
        "TaxCodes": [*tax_codes],
        "Closures": [Closure(date=day, description=text) for day, text in CLOSURES],
        "DunningLevels": [*_DUNNING],
        "Customers": [*people.customers],
        "Services": [*services.values()],
        "Contracts": [*contracts],
        "BillingSchedule": [*schedule],
        "Invoices": [*invoices],
        "InvoiceLines": [*lines, credit_line],
        "Receipts": [*receipts],
        "Allocations": [*allocations],
        "Statements": [],  # nothing imported yet: July's statement is the demo's to import
        "CollectionsLog": [*_collections(rng, books, receipts)],
        "Arrangements": [*books.arrangement_lines()],
        "Rates": [*_usd_rates()],
        "Queries": [*_queries(invoices, people, credit_note)],
    }
    return _Story(tuple((name, tuple(rows)) for name, rows in tables.items()), tuple(statement),
                  tuple((line_id, tuple(numbers)) for line_id, numbers in truth.items()))


def _usd_rates() -> list[ExchangeRate]:
    """BNR's USD rate on each of its working days, January 2024 to July 2025: a steady slide of the franc from
    1,261.75 to 1,440.00 (Settings' USD Rate at the end of July), close to what it was; no draw of the story's
    random numbers, so every other figure of the sample stays as it was."""
    last = dt.date(2025, 7, 31)
    bnr = BusinessCalendar()  # the central bank publishes on every working day, the company's closures aside
    days = (FIRST_DAY + dt.timedelta(days=n) for n in range((last - FIRST_DAY).days + 1))
    return [ExchangeRate(date=day, currency="USD", rate=D(1440) - D("0.31") * (last - day).days, source="BNR")
            for day in days if bnr.is_working_day(day)]


# --- Settings, tax codes, dunning levels, rate card -----------------------------------------------------------

def _settings() -> list[Setting]:
    values = (
        ("company_name", COMPANY, ""),
        ("company_tin", "102458731", "RRA taxpayer identification number"),
        ("company_address", "KG 7 Ave No. 12, Kacyiru, PO Box 4821 Kigali, Rwanda", ""),
        ("company_phone", "+250 788 310 450", ""),
        ("company_email", "billing@kigalicloud.example.rw", ""),
        ("base_currency", "RWF", ""),
        ("invoice_series", "INV", "INV-YYYY-NNNNN, sequential per year"),
        ("credit_note_series", "CN", "CN-YYYY-NNNNN"),
        ("invoice_digits", "5", ""),
        ("default_terms", "NET30", ""),
        ("vat_rounding", "invoice", "VAT rounded once per rate on the invoice"),
        ("roll_due_dates", "none", ""),
        ("aging_basis", "due_date", ""),
        ("aging_buckets", "30,60,90,120", ""),
        ("vat_withheld_share", "100%", "verify with RRA: share of the VAT a public body withholds"),
        ("wht3_rate", "3%", "verify: withholding on public tenders, of the VAT-exclusive amount"),
        ("wht15_rate", "15%", "verify: withholding on service fees, of the VAT-exclusive amount"),
        ("bank_name", "Bank of Kigali Plc", ""),
        ("bank_branch", "Head Office, KN 4 Ave, Kigali", ""),
        ("bank_swift", "BKIGRWRW", ""),
        ("bank_account_rwf", BANK_RWF, ""),
        ("bank_account_usd", BANK_USD, ""),
        ("bank_charges_tolerance", "45", "USD kept by correspondent banks on a transfer"),
        ("match_auto_threshold", "90", "score from which a match is applied without review"),
        ("match_review_threshold", "50", "score below which a line is left unmatched"),
        ("sage_sales_nominal", "4000", ""),
        ("sage_bank_nominal", "1200", "Bank of Kigali RWF current account"),
        ("usd_rate", "1440", "RWF per USD for reporting"),
        ("period", "2025-07", "the month being closed"),
        ("as_of", "2025-07-31", ""),
        ("output_folder", "out", ""),
        ("collections_target_rwf", "150000000", "collections expected each month (cash applied to invoices)"),
        ("collections_target_usd", "10000", ""),
    )
    titles = {name: info.title or name for name, info in Settings.model_fields.items()}
    return [Setting(key=titles[name], value=value, notes=notes) for name, value, notes in values]


def _tax_codes() -> list[TaxCodeRow]:
    since = dt.date(2023, 1, 1)
    return [
        TaxCodeRow(code="VAT18", description="Standard rate, VAT law of 2023", rate=D("0.18"),
                   effective_from=since, sage_tax_code="T1"),
        TaxCodeRow(code="ZERO", description="Zero-rated: exports, including exported services", rate=ZERO,
                   effective_from=since, sage_tax_code="T0"),
        TaxCodeRow(code="EXEMPT", description="Exempt supplies (education and training)", rate=ZERO,
                   effective_from=since, sage_tax_code="T2"),
    ]


_DUNNING = (
    DunningLevel(level=1, name="Friendly reminder", days_overdue=7, fee=ZERO, fee_currency="RWF",
                 template="reminder-friendly"),
    DunningLevel(level=2, name="Firm reminder", days_overdue=30, fee=ZERO, fee_currency="RWF",
                 template="reminder-firm"),
    DunningLevel(level=3, name="Final notice", days_overdue=60, fee=ZERO, fee_currency="RWF",
                 template="final-notice"),
    DunningLevel(level=4, name="Escalation to management", days_overdue=90, fee=ZERO, fee_currency="RWF",
                 template="escalation"),
)

# code, description, unit, approved rate, currency, tax code, Sage nominal
_RATE_CARD = (
    ("HOST-U", "Rack hosting in the Kigali data centre, per U", "U-month", "120000", "RWF", "VAT18", "4000"),
    ("COLO-RACK", "Colocation, full 42U rack with 2 x 16A power", "rack-month", "3800000", "RWF", "VAT18",
     "4000"),
    ("DIA-MBPS", "Dedicated internet access, per Mbps", "Mbps-month", "95000", "RWF", "VAT18", "4010"),
    ("MPLS-SITE", "MPLS VPN link, per site", "site-month", "350000", "RWF", "VAT18", "4010"),
    ("VM-STD", "Cloud virtual machine, 4 vCPU / 16 GB", "VM-month", "210000", "RWF", "VAT18", "4020"),
    ("BACKUP-TB", "Managed backup storage, per TB", "TB-month", "85000", "RWF", "VAT18", "4020"),
    ("FW-MGD", "Managed next-generation firewall, per device", "device-month", "450000", "RWF", "VAT18",
     "4020"),
    ("SLA-GOLD", "Gold support SLA, 24x7 with 4-hour response", "month", "1500000", "RWF", "VAT18", "4040"),
    ("LIC-M365", "Microsoft 365 E3 subscription, per user", "user-year", "432.00", "USD", "VAT18", "4030"),
    ("LIC-BACKUP", "Backup software licence, per workload", "workload-year", "96.00", "USD", "VAT18", "4030"),
    ("SI-DAY", "System integration consultant", "day", "650000", "RWF", "VAT18", "4040"),
    ("EGOV-MAINT", "E-government platform maintenance and support", "quarter", "18500000", "RWF", "VAT18",
     "4050"),
    ("TRAIN-PAX", "ICT skills training course, per participant", "participant", "250000", "RWF", "EXEMPT",
     "4060"),
    ("EXP-HOST", "Hosting and cloud for non-resident clients (exported service)", "U-month", "95.00", "USD",
     "ZERO", "4070"),
    ("EXP-SI", "Remote integration services for non-resident clients (exported service)", "day", "480.00",
     "USD", "ZERO", "4070"),
)


def _services() -> dict[str, Service]:
    return {code: Service(service_code=code, description=text, unit=unit, rate=D(rate), currency=cur,
                          tax_code=tax, sage_nominal=nominal)
            for code, text, unit, rate, cur, tax, nominal in _RATE_CARD}


# --- Customers -------------------------------------------------------------------------------------------------

# name, aliases, kind, withholding, terms, paying habit, address. Ids follow the order: C001, C002, ...
_CUSTOMERS = (
    ("Ministry of ICT and Innovation", "MINICT", "agency", "vat,wht3", "NET30", "slow", "KG 7 Ave, Kacyiru, Kigali"),
    ("Rwanda Revenue Authority", "RRA", "agency", "vat,wht3", "NET30", "normal", "KG 17 Ave, Kimihurura, Kigali"),
    ("City of Kigali", "CoK;Umujyi wa Kigali", "agency", "vat,wht3", "NET45", "slow", "KN 3 Rd, Nyarugenge, Kigali"),
    ("Ministry of Finance and Economic Planning", "MINECOFIN", "agency", "vat,wht3", "NET30", "normal",
     "KN 63 St, Nyarugenge, Kigali"),
    ("Rwanda Information Society Authority", "RISA", "agency", "vat,wht3", "NET30", "normal",
     "KG 7 Ave, Kacyiru, Kigali"),
    ("Rwanda Development Board", "RDB", "agency", "vat,wht3", "NET30", "normal", "KG 9 Ave, Gishushu, Kigali"),
    ("National Institute of Statistics of Rwanda", "NISR", "agency", "vat,wht3", "NET30", "slow",
     "KN 2 Ave, Nyarugenge, Kigali"),
    ("Rwanda Social Security Board", "RSSB", "agency", "wht3", "NET30", "normal", "KN 3 Ave, Nyarugenge, Kigali"),
    ("Ministry of Health", "MINISANTE;MOH", "agency", "vat,wht3", "NET45", "slow", "KG 7 Ave, Kacyiru, Kigali"),
    ("Ministry of Education", "MINEDUC", "agency", "vat,wht3", "NET45", "chronic", "KG 7 Ave, Kacyiru, Kigali"),
    ("Rwanda Utilities Regulatory Authority", "RURA", "agency", "vat,wht3", "NET30", "prompt",
     "KG 9 Ave, Kacyiru, Kigali"),
    ("National Bank of Rwanda", "BNR", "agency", "vat", "NET30", "prompt", "KN 6 Ave, Nyarugenge, Kigali"),
    ("Rwanda Biomedical Centre", "RBC", "agency", "vat,wht3", "NET30", "normal", "KG 644 St, Kimihurura, Kigali"),
    ("Gasabo District", "GASABO", "district", "vat,wht3", "NET30", "slow", "KG 11 Ave, Kacyiru, Kigali"),
    ("Kicukiro District", "KICUKIRO", "district", "vat,wht3", "NET30", "normal", "KK 15 Rd, Kicukiro, Kigali"),
    ("Nyarugenge District", "NYARUGENGE", "district", "vat,wht3", "NET30", "normal", "KN 2 St, Nyarugenge, Kigali"),
    ("Musanze District", "MUSANZE", "district", "vat,wht3", "NET30", "chronic", "District Office, Muhoza, Musanze"),
    ("Huye District", "HUYE", "district", "vat,wht3", "NET30", "slow", "District Office, Ngoma, Huye"),
    ("Rubavu District", "RUBAVU", "district", "vat,wht3", "NET30", "normal", "District Office, Gisenyi, Rubavu"),
    ("Rwanda Public Procurement Authority", "RPPA", "agency", "vat,wht3", "NET30", "normal",
     "KG 9 Ave, Kacyiru, Kigali"),
    ("National Identification Agency", "NIDA", "agency", "vat,wht3", "NET30", "normal",
     "KG 12 Ave, Kimihurura, Kigali"),
    ("University of Rwanda", "UR", "agency", "wht3", "NET45", "slow", "KK 737 St, Gikondo, Kigali"),
    ("Rwanda Energy Group Ltd", "REG", "agency", "wht3", "NET30", "normal", "KN 5 Rd, Kiyovu, Kigali"),
    ("Office of the Auditor General", "OAG", "agency", "vat,wht3", "NET30", "prompt", "KG 7 Ave, Kacyiru, Kigali"),
    ("Bank of Kigali Plc", "BK;Bank of Kigali", "bank", "wht15", "NET30", "prompt", "KN 4 Ave, Nyarugenge, Kigali"),
    ("MTN Rwandacell Plc", "MTN;MTN Rwanda", "telecom", "wht15", "EOM+15", "normal",
     "KG 9 Ave, Nyarutarama, Kigali"),
    ("Airtel Rwanda Ltd", "AIRTEL", "telecom", "", "NET45", "normal", "KG 9 Ave, Gishushu, Kigali"),
    ("Equity Bank Rwanda Plc", "EQUITY;EBR", "bank", "wht15", "NET30", "normal", "KN 3 Rd, Nyarugenge, Kigali"),
    ("I&M Bank (Rwanda) Plc", "I&M;IMBR", "bank", "", "NET30", "prompt", "KN 3 Ave, Nyarugenge, Kigali"),
    ("Access Bank Rwanda Plc", "ACCESS", "bank", "", "NET30", "normal", "KN 4 Ave, Nyarugenge, Kigali"),
    ("Ecobank Rwanda Plc", "ECOBANK", "bank", "", "NET30", "normal", "KN 3 Ave, Nyarugenge, Kigali"),
    ("BPR Bank Rwanda Plc", "BPR", "bank", "", "2/10 NET30", "prompt", "KN 67 St, Nyarugenge, Kigali"),
    ("NCBA Bank Rwanda Plc", "NCBA", "bank", "", "NET30", "normal", "KG 7 Ave, Kacyiru, Kigali"),
    ("Cogebanque Plc", "COGEBANQUE;COGE", "bank", "", "NET30", "normal", "KN 63 St, Nyarugenge, Kigali"),
    ("Liquid Intelligent Technologies Rwanda Ltd", "LIQUID;LITR", "telecom", "", "EOM+15", "normal",
     "KG 5 Ave, Kimihurura, Kigali"),
    ("Irembo Ltd", "IREMBO", "company", "", "NET30", "prompt", "KG 5 Ave, Kacyiru, Kigali"),
    ("Bralirwa Plc", "BRALIRWA", "company", "", "EOM+15", "normal", "KK 31 Ave, Kicukiro, Kigali"),
    ("RwandAir Ltd", "RWANDAIR", "company", "", "NET45", "slow", "KK 3 Rd, Kanombe, Kigali"),
    ("Prime Insurance Ltd", "PRIME", "company", "", "NET30", "normal", "KG 11 Ave, Remera, Kigali"),
    ("Sanlam General Insurance Rwanda Ltd", "SANLAM", "company", "", "2/10 NET30", "prompt",
     "KN 67 St, Nyarugenge, Kigali"),
    ("Kigali Convention Centre Ltd", "KCC", "company", "", "NET30", "normal", "KG 2 Roundabout, Kimihurura, Kigali"),
    ("Kivu Lakeside Hotel Ltd", "KIVU LAKESIDE", "company", "", "NET30", "chronic",
     "Avenue de l'Independance, Gisenyi, Rubavu"),
    ("Inyange Industries Ltd", "INYANGE", "company", "", "NET30", "normal", "KK 15 Rd, Masaka, Kigali"),
    ("Nyamirambo Digital Solutions Ltd", "NDS", "small", "", "NET30", "normal", "KN 135 St, Nyamirambo, Kigali"),
    ("Umucyo Print & Media Ltd", "UMUCYO", "small", "", "NET30", "normal", "KN 2 Ave, Nyarugenge, Kigali"),
    ("World Vision Rwanda", "WVR;World Vision", "ngo", "", "NET30", "normal", "KG 5 Ave, Kacyiru, Kigali"),
    ("Save the Children Rwanda", "SCI", "ngo", "", "NET30", "normal", "KG 9 Ave, Kacyiru, Kigali"),
    ("CARE International Rwanda", "CARE", "ngo", "", "NET30", "normal", "KG 7 Ave, Kacyiru, Kigali"),
    ("Plan International Rwanda", "PLAN", "ngo", "", "NET30", "prompt", "KG 2 Ave, Kimihurura, Kigali"),
    ("Inshuti Mu Buzima (Partners In Health)", "IMB;PIH", "ngo", "", "NET45", "normal",
     "KG 569 St, Kimihurura, Kigali"),
    ("Catholic Relief Services Rwanda", "CRS", "ngo", "", "NET30", "normal", "KG 11 Ave, Kacyiru, Kigali"),
    ("Rwanda Red Cross Society", "RRCS;Red Cross", "ngo", "", "NET30", "chronic", "KG 17 Ave, Kacyiru, Kigali"),
    ("One Acre Fund Rwanda (Tubura)", "TUBURA;1AF", "ngo", "", "NET30", "normal", "Rubona, Huye"),
    ("Aegis Trust Rwanda", "AEGIS", "ngo", "", "NET30", "slow", "KG 14 Ave, Gisozi, Kigali"),
    ("Imbuto Foundation", "IMBUTO", "ngo", "", "NET30", "normal", "KG 9 Ave, Kacyiru, Kigali"),
    ("Helios Cloud Services B.V.", "HELIOS", "foreign", "", "NET30", "normal",
     "Herengracht 182, Amsterdam, Netherlands"),
    ("Nairobi Data Exchange Ltd", "NDX", "foreign", "", "EOM+15", "normal", "Mombasa Road, Nairobi, Kenya"),
    ("Kampala Fibre Networks Ltd", "KFN", "foreign", "", "NET30", "slow", "Plot 12 Kampala Road, Kampala, Uganda"),
    ("Great Lakes Telecom SARL", "GLT", "foreign", "", "NET30", "normal", "Boulevard de l'Uprona, Bujumbura, Burundi"),
    ("Savanna Analytics LLC", "SAVANNA", "foreign", "", "NET45", "prompt", "48 Elm Street, Boston, USA"),
)
_TYPES: dict[str, CustomerType] = {"agency": "government", "district": "government", "bank": "private",
                                   "telecom": "private", "company": "private", "small": "private", "ngo": "ngo",
                                   "foreign": "foreign"}
_CREDIT_LIMITS = {"agency": (80, 150), "district": (20, 40), "bank": (60, 120), "telecom": (100, 200),
                  "company": (15, 30), "small": (2, 3), "ngo": (10, 25), "foreign": (40, 60)}  # millions, USD k
_FIRST_NAMES = ("Jean Claude", "Aline", "Eric", "Diane", "Patrick", "Grace", "Olivier", "Claudine", "Emmanuel",
                "Josiane", "Innocent", "Chantal", "Fabrice", "Solange", "Theogene", "Vestine")
_LAST_NAMES = ("Habimana", "Uwimana", "Niyonzima", "Mukamana", "Nshimiyimana", "Umutoni", "Hakizimana",
               "Ingabire", "Ndayisaba", "Uwase", "Mugabo", "Iradukunda", "Kayitesi", "Twagirayezu")
_COUNTRY = {"Netherlands": "NL", "Kenya": "KE", "Uganda": "UG", "Burundi": "BI", "USA": "US"}
CHRONIC_STOP = {"C042": dt.date(2025, 1, 31), "C052": dt.date(2025, 5, 31)}  # last lump payment before...
ARRANGEMENT_CUSTOMER = "C042"  # ...an instalment plan (C042) or a broken promise (C052)
ARRANGEMENT_DAY = dt.date(2025, 5, 28)
SUSPENDED_FROM = dt.date(2025, 4, 1)


@dataclass(frozen=True)
class _People:
    """The customers, and what the story knows of them beyond the Customers table: kind and paying habit."""

    customers: list[Customer]
    kind: dict[str, str]
    habit: dict[str, str]
    by_id: dict[str, Customer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id.update((c.customer_id, c) for c in self.customers)

    def __getitem__(self, customer_id: str) -> Customer:
        return self.by_id[customer_id]


def _customers(rng: random.Random) -> _People:
    customers: list[Customer] = []
    kinds: dict[str, str] = {}
    habits: dict[str, str] = {}
    tins: list[str] = []
    sage: list[str] = []
    for i, (name, aliases, kind, withholding, terms, habit, address) in enumerate(_CUSTOMERS, start=1):
        cid = f"C{i:03d}"
        slug = re.sub(r"[^a-z0-9]", "", aliases.split(";")[0].lower())
        domain = {"ngo": "org", "foreign": "com"}.get(kind, "rw")
        tin = ""
        if kind not in ("foreign", "small"):
            while not tin or tin in tins:
                tin = str(rng.randint(100_000_000, 149_999_999))
            tins.append(tin)
        account = re.sub(r"[^A-Z0-9]", "", aliases.split(";")[0].upper())[:6]
        number = 1
        while f"{account}{number:02d}" in sage:
            number += 1
        sage.append(f"{account}{number:02d}")
        low, high = _CREDIT_LIMITS[kind]
        limit = D(rng.randint(low, high)) * (1000 if kind == "foreign" else 1_000_000)
        customers.append(Customer(
            customer_id=cid, name=name, aliases=aliases, tin=tin, customer_type=_TYPES[kind],
            withholding=withholding, bank_accounts=_bank_accounts(rng, kind, address),
            email=f"accounts@{slug}.example.{domain}", phone=_phone(rng, kind),
            contact=f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}", address=address, terms=terms,
            currency="USD" if kind == "foreign" else "RWF", credit_limit=limit, sage_account=sage[-1]))
        kinds[cid], habits[cid] = kind, habit
    return _People(customers, kinds, habits)


def _phone(rng: random.Random, kind: str) -> str:
    if kind == "foreign":
        return f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    return f"+250 78{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _bank_accounts(rng: random.Random, kind: str, address: str) -> str:
    if kind in ("agency", "district"):
        return f"1000{rng.randint(100000, 999999)}"  # a sub-account of the Treasury at the National Bank
    if kind == "small":
        return f"2507{rng.choice('2389')}{rng.randint(1000000, 9999999)}"  # pays by mobile money
    if kind == "foreign":
        country = _COUNTRY[address.rsplit(", ", 1)[1]]
        return f"{country}{rng.randint(10, 99)}{rng.randint(10**11, 10**12 - 1)}"
    accounts = [f"00040-{rng.randint(10**7, 10**8 - 1)}-{rng.randint(10, 99)}",
                f"4002{rng.randint(10**8, 10**9 - 1)}"]
    return ";".join(accounts[: 2 if kind == "bank" else 1])


# --- Contracts -------------------------------------------------------------------------------------------------

# What each kind of client buys: service, usual quantities, cycle, billing.
_Item = tuple[str, tuple[int, ...], Cycle, BillingTiming]
_MENUS: dict[str, tuple[_Item, ...]] = {
    "agency": (("HOST-U", (4, 6, 8, 12), "monthly", "advance"), ("VM-STD", (4, 6, 10), "monthly", "advance"),
               ("DIA-MBPS", (20, 50, 100), "monthly", "advance"), ("EGOV-MAINT", (1,), "quarterly", "arrears"),
               ("BACKUP-TB", (5, 10, 20), "monthly", "arrears"), ("SI-DAY", (15, 20, 30, 45), "once", "arrears")),
    "district": (("DIA-MBPS", (10, 20), "monthly", "advance"), ("MPLS-SITE", (3, 5, 8), "monthly", "advance"),
                 ("VM-STD", (2, 3), "monthly", "advance"), ("SI-DAY", (8, 12), "once", "arrears")),
    "bank": (("COLO-RACK", (1, 2), "monthly", "advance"), ("DIA-MBPS", (100, 200, 300), "monthly", "advance"),
             ("FW-MGD", (2, 4), "monthly", "advance"), ("SLA-GOLD", (1,), "monthly", "advance"),
             ("MPLS-SITE", (10, 20, 30), "monthly", "advance"), ("LIC-M365", (150, 300), "annual", "advance"),
             ("BACKUP-TB", (20, 40), "monthly", "arrears")),
    "telecom": (("COLO-RACK", (4, 6, 8), "monthly", "advance"), ("HOST-U", (10, 20), "monthly", "advance"),
                ("SLA-GOLD", (1,), "monthly", "advance"), ("SI-DAY", (20, 40), "once", "arrears")),
    "company": (("HOST-U", (2, 4, 6), "monthly", "advance"), ("VM-STD", (1, 2, 3), "monthly", "advance"),
                ("DIA-MBPS", (10, 20, 30), "monthly", "advance"), ("FW-MGD", (1,), "monthly", "advance"),
                ("BACKUP-TB", (2, 5), "monthly", "arrears"), ("LIC-M365", (25, 50, 80), "annual", "advance")),
    "small": (("VM-STD", (1,), "monthly", "advance"), ("BACKUP-TB", (1, 2), "monthly", "arrears")),
    "ngo": (("VM-STD", (2, 4), "monthly", "advance"), ("DIA-MBPS", (10, 20), "monthly", "advance"),
            ("BACKUP-TB", (2, 5, 10), "monthly", "arrears"), ("LIC-M365", (40, 80, 120), "annual", "advance"),
            ("LIC-BACKUP", (10, 20), "annual", "advance"), ("TRAIN-PAX", (12, 20, 25), "once", "arrears")),
    "foreign": (("EXP-HOST", (4, 8, 12), "monthly", "advance"), ("EXP-SI", (5, 10, 20), "once", "arrears")),
}
_PROJECTS = {
    "SI-DAY": ("Integration of the e-procurement system with IFMIS", "Migration of the records system to the "
               "government cloud", "Network upgrade of the head office", "Deployment of a document management "
               "system", "Data centre migration, phase 1"),
    "EXP-SI": ("Remote deployment of a payment gateway", "Cloud migration assessment", "API integration support"),
    "TRAIN-PAX": ("ICT skills training for field staff", "Cyber-security awareness training"),
}


def _contracts(rng: random.Random, people: _People, services: dict[str, Service]) -> list[Contract]:
    drafts: list[Contract] = []
    for customer in people.customers:
        cid = customer.customer_id
        kind, habit = people.kind[cid], people.habit[cid]
        menu = _MENUS[kind]
        if habit == "chronic":  # the slow payers' story is told in francs
            menu = tuple(m for m in menu if services[m[0]].currency == "RWF" and m[2] == "monthly")
        monthly = [i for i, m in enumerate(menu) if m[2] == "monthly"]
        core = rng.choice(monthly)
        others = [i for i in range(len(menu)) if i != core]
        extra = 0 if cid == ARRANGEMENT_CUSTOMER else min(len(others), int(rng.random() < 0.45))
        high = dt.date(2023, 9, 30) if habit == "chronic" else dt.date(2025, 4, 30)
        core_start = _random_day(rng, dt.date(2023, 1, 1), high)
        drafts.append(_contract(rng, customer, kind, menu[core], core_start, services))
        for i in sorted(rng.sample(others, extra)):
            cycle = menu[i][2]
            if cycle == "once":
                start = _random_day(rng, dt.date(2024, 1, 8), dt.date(2025, 5, 15), first=0.2)
            else:
                start = _random_day(rng, max(core_start, dt.date(2023, 3, 1)), dt.date(2025, 5, 31))
            draft = _contract(rng, customer, kind, menu[i], start, services)
            if cycle != "once" and start < dt.date(2024, 7, 1) and rng.random() < 0.35:
                end = month_end(add_months(start, rng.randint(6, 18)))
                draft = draft.model_copy(update={"end_date": end,
                                                 "status": "ended" if end <= CUTOFF else "active"})
            drafts.append(draft)
    drafts.extend(_july_contracts(people, services))
    drafts = _adjust(rng, people, drafts, services)
    return _numbered(drafts)


def _random_day(rng: random.Random, low: dt.date, high: dt.date, first: float = 0.7) -> dt.date:
    """A day between two dates, most often the first of its month (contracts mostly start on the 1st)."""
    day = low + dt.timedelta(days=rng.randint(0, max(0, (high - low).days)))
    return max(low, day.replace(day=1)) if rng.random() < first else day


def _contract(rng: random.Random, customer: Customer, kind: str, item: _Item, start: dt.date,
              services: dict[str, Service]) -> Contract:
    code, quantities, cycle, billing = item
    service = services[code]
    end: dt.date | None = None
    description = service.description
    if cycle == "once":
        end = start + dt.timedelta(days=rng.randint(20, 75))
        description = rng.choice(_PROJECTS[code])
    po = ""
    if kind in ("agency", "district"):
        alias = re.sub(r"[^A-Z]", "", customer.aliases.split(";")[0].upper())
        po = f"LPO/{alias}/{start.year}/{rng.randint(100, 999)}"
    elif kind == "bank":
        po = f"45{rng.randint(10**7, 10**8 - 1)}"
    return Contract(contract_ref="", customer_id=customer.customer_id, service_code=code, description=description,
                    quantity=D(rng.choice(quantities)), rate=service.rate, currency=service.currency, cycle=cycle,
                    billing=billing, start_date=start, end_date=end,
                    terms="NET45" if code == "EGOV-MAINT" else "", po_number=po,
                    status="ended" if end is not None and end <= CUTOFF else "active")


def _july_contracts(people: _People, services: dict[str, Service]) -> list[Contract]:
    """Work that the July run will bill: a project finishing in July and a new client starting mid-month."""
    risa, irembo = people["C005"], people["C036"]
    return [
        Contract(contract_ref="", customer_id=risa.customer_id, service_code="SI-DAY",
                 description="National data centre migration, phase 2", quantity=D(30),
                 rate=services["SI-DAY"].rate, currency="RWF", cycle="once", billing="arrears",
                 start_date=dt.date(2025, 6, 2), end_date=dt.date(2025, 7, 18), po_number="LPO/RISA/2025/214"),
        Contract(contract_ref="", customer_id=irembo.customer_id, service_code="VM-STD",
                 description="Cloud VMs for the citizen services portal", quantity=D(6),
                 rate=services["VM-STD"].rate, currency="RWF", cycle="monthly", billing="advance",
                 start_date=dt.date(2025, 7, 14)),
    ]


def _adjust(rng: random.Random, people: _People, drafts: list[Contract],
            services: dict[str, Service]) -> list[Contract]:
    """Negotiated rates, escalations, NGO discounts, a suspension and at least one ended contract."""
    result = list(drafts)
    firsts: dict[str, int] = {}
    for i, k in enumerate(result):
        firsts.setdefault(k.customer_id, i)
    for cid in ("C025", "C026"):  # the big bank and the big telecom negotiated their main rate down
        i = firsts[cid]
        rate = round_money(result[i].rate * D("0.92") / 1000, "RWF") * 1000
        result[i] = result[i].model_copy(update={"rate": rate, "description": result[i].description +
                                                 " (negotiated rate)"})
    recurring = [i for i, k in enumerate(result) if k.cycle != "once" and k.status != "ended"]
    older = [i for i in recurring if result[i].start_date < dt.date(2024, 1, 1)
             and people.kind[result[i].customer_id] in ("agency", "bank", "telecom")]
    if not older:
        older = [i for i in recurring if result[i].start_date < dt.date(2024, 6, 1)]
    for i in rng.sample(older, min(5, len(older))):
        result[i] = result[i].model_copy(update={"escalation": D("0.05")})
    ngo = [i for i in recurring if people.kind[result[i].customer_id] == "ngo"
           and services[result[i].service_code].currency == "RWF"]
    for i in rng.sample(ngo, min(4, len(ngo))):
        result[i] = result[i].model_copy(update={"discount": D("0.10")})
    i = firsts[ARRANGEMENT_CUSTOMER]
    result[i] = result[i].model_copy(update={"status": "suspended",
                                             "description": result[i].description +
                                             " - suspended from 1 April 2025 for non-payment"})
    spare = [i for i in recurring if i not in firsts.values() and result[i].start_date < dt.date(2024, 6, 1)]
    if spare and not any(k.status == "ended" and k.cycle != "once" for k in result):
        result[spare[0]] = result[spare[0]].model_copy(update={"end_date": dt.date(2024, 12, 31),
                                                               "status": "ended"})
    return result


def _numbered(drafts: list[Contract]) -> list[Contract]:
    """Contract refs CT-YYYY-NNN (recurring) and SO-YYYY-NNN (service orders), in order of start."""
    counters: dict[tuple[str, int], int] = {}
    result = []
    for k in sorted(drafts, key=lambda k: (k.start_date, k.customer_id, k.service_code)):
        series = "SO" if k.cycle == "once" else "CT"
        key = (series, k.start_date.year)
        counters[key] = counters.get(key, 0) + 1
        result.append(k.model_copy(update={"contract_ref": f"{series}-{key[1]}-{counters[key]:03d}"}))
    return result


# --- Billing: schedule, invoices, lines ------------------------------------------------------------------------

def _charges(k: Contract) -> list[tuple[Charge, bool]]:
    """Each period of a contract billed in the history, and whether it was skipped (suspended)."""
    return [(c, k.status == "suspended" and c.first >= SUSPENDED_FROM) for c in history(k, FIRST_DAY, CUTOFF)]


def _day_text(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def _bill(charges: list[tuple[Charge, bool]], people: _People, services: dict[str, Service],
          tax_codes: list[TaxCodeRow]) -> tuple[list[Invoice], list[InvoiceLine], list[ScheduleLine]]:
    """The history billed by arxl's own billing: each customer's periods of a day grouped into numbered invoices."""
    codes = [TaxCode(t.code, t.rate, t.effective_from, t.description, t.sage_tax_code) for t in tax_codes]
    dues = [Due(c.schedule_line("due"), None, c.bill_date, c.description, c.gross, c.discount, c.contract,
                services[c.contract.service_code], people[c.contract.customer_id])
            for c, skipped in charges if not skipped]
    drafts = draft_invoices(dues, [], series="INV", digits=5, default_terms="NET30", policy="invoice", codes=codes)
    numbers = {(due.line.contract_ref, due.line.period_start): d.invoice.invoice_no for d in drafts for due in d.dues}
    invoices = _with_ebm([d.invoice for d in drafts])
    lines = [line for d in drafts for line in d.lines]
    schedule = [c.schedule_line("skipped") if skipped
                else c.schedule_line("billed", numbers[(c.contract.contract_ref, c.first)])
                for c, skipped in sorted(charges, key=lambda cs: (cs[0].bill_date, cs[0].contract.contract_ref))]
    return invoices, lines, schedule


def _with_ebm(invoices: list[Invoice]) -> list[Invoice]:
    """EBM receipt data on every invoice but the last few, which wait for the EBM operator; and the date
    each month's invoices went to Sage (two working days after the month end; June's have not gone yet)."""
    result = []
    for n, invoice in enumerate(invoices):
        exported = (CALENDAR.add_working_days(month_end(invoice.invoice_date), 2)
                    if invoice.invoice_date < dt.date(2025, 6, 1) else None)
        if n >= len(invoices) - 4:
            result.append(invoice.model_copy(update={"notes": "EBM receipt pending"}))
            continue
        serial = 20418 + n
        result.append(invoice.model_copy(update={
            "ebm_receipt_no": f"{serial}/{serial}NS", "ebm_sdc_id": "SDC010012345", "ebm_mrc": "WIS01012345",
            "ebm_date": invoice.invoice_date, "ebm_receipt_type": "NS", "sage_exported": exported}))
    return result


def _credit_note(rng: random.Random, invoices: list[Invoice], lines: list[InvoiceLine],
                 people: _People) -> tuple[Invoice, InvoiceLine]:
    """CN-2025-00001: six days of outage credited on a May 2025 invoice of a private client."""
    connectivity = ("DIA-MBPS", "MPLS-SITE", "HOST-U", "VM-STD", "COLO-RACK")
    first_lines = {line.invoice_no: line for line in reversed(lines) if line.service_code in connectivity}
    candidates = [i for i in invoices if dt.date(2025, 5, 1) <= i.invoice_date < dt.date(2025, 5, 20)
                  and i.invoice_no in first_lines and i.currency == "RWF"
                  and people[i.customer_id].customer_type in ("private", "ngo")
                  and not people[i.customer_id].withholding and people.habit[i.customer_id] != "chronic"
                  and people.kind[i.customer_id] != "small"]
    if not candidates:
        raise RuntimeError("the sample has no invoice to credit in May 2025")
    original = rng.choice(candidates)
    line = first_lines[original.invoice_no]
    day = dt.date(2025, 5, 20)
    net = -round_money(line.net_amount * 6 / 31, "RWF")
    vat = vat_on_net(net, line.vat_rate, "RWF")
    number = "CN-2025-00001"
    note = Invoice(invoice_no=number, doc_type="credit_note", invoice_date=day, due_date=day,
                   customer_id=original.customer_id, currency="RWF", net_amount=net, vat_amount=vat,
                   total_amount=net + vat, contract_ref=line.contract_ref, po_number=original.po_number,
                   period="2025-05", original_invoice=original.invoice_no, status="credited",
                   ebm_receipt_no="1207/21390NR", ebm_sdc_id="SDC010012345", ebm_mrc="WIS01012345",
                   ebm_date=day, ebm_receipt_type="NR", sage_exported=CALENDAR.add_working_days(month_end(day), 2),
                   notes="SLA credit: service down 12-17 May 2025")
    credit = InvoiceLine(invoice_no=number, line_no=1, description=f"SLA service credit, 6 days' outage: "
                         f"{line.description}", quantity=D(1), unit_price=net, net_amount=net,
                         tax_code=line.tax_code, vat_rate=line.vat_rate, vat_amount=vat,
                         contract_ref=line.contract_ref, service_code=line.service_code, period="2025-05")
    return note, credit


# --- Payments: the plan of each invoice, replayed into receipts and allocations --------------------------------

@dataclass(frozen=True)
class _Event:
    """A payment the story plans: settle some invoices in full, pay a fixed sum oldest first, or a lump."""

    seq: int
    day: dt.date
    customer_id: str
    currency: str
    invoices: tuple[str, ...] = ()
    cash: Decimal | None = None  # a fixed sum instead of what settles the invoices
    charges: Decimal = ZERO  # kept by the banks on the way
    discount: bool = False  # early-payment discount taken
    extra: Decimal = ZERO  # paid more than owed
    lag: int | None = None  # a lump: part of what has been overdue for this many days
    share: Decimal = ONE
    instalment: bool = False  # the first instalment of the arrangement
    narrative: str = ""


def _plans(rng: random.Random, books: _Books, credit_note: Invoice) -> list[_Event]:
    """When and how each invoice gets paid, by its customer's habit."""
    people = books.people
    events: list[_Event] = []
    batches: dict[tuple[str, int, int], dt.date] = {}
    overpaid = _overpaid(rng, books, credit_note)
    partial_done = False
    for inv in books.register:
        if inv.doc_type != "invoice" or inv.invoice_date >= dt.date(2025, 6, 1):
            continue  # June's invoices are not paid yet at the cut-off
        cid = inv.customer_id
        habit = people.habit[cid]
        customer = people[cid]
        if habit == "chronic":
            continue
        seq = len(events)
        if inv.invoice_no == credit_note.original_invoice:
            events.append(_Event(seq, dt.date(2025, 6, 13), cid, inv.currency, (inv.invoice_no,),
                                 narrative="less credit note CN-2025-00001"))
            continue
        if customer.terms.startswith("2/10") and rng.random() < 0.6:
            day = inv.invoice_date + dt.timedelta(days=rng.randint(4, 10))
            events.append(_Event(seq, _working(day), cid, inv.currency, (inv.invoice_no,), discount=True))
            continue
        if habit == "slow":
            key = (cid, inv.due_date.year, inv.due_date.month)
            if key not in batches:
                batches[key] = month_end(inv.due_date) + dt.timedelta(days=rng.randint(5, 40))
            day = batches[key]
        else:
            day = inv.due_date + dt.timedelta(days=rng.randint(-8, 3) if habit == "prompt" else rng.randint(-2, 21))
        day = _working(max(day, inv.invoice_date + ONE_DAY))
        if day > CUTOFF:
            continue
        charges = D(rng.choice((15, 20, 25, 30, 35, 40, 45))) if customer.customer_type == "foreign" else ZERO
        plain = not customer.withholding and inv.currency == "RWF" and customer.customer_type != "foreign"
        if inv.invoice_no == overpaid:
            extra = (inv.total_amount // 100_000 + 1) * 100_000 - inv.total_amount
            events.append(_Event(seq, day, cid, inv.currency, (inv.invoice_no,), extra=extra))
        elif plain and habit == "normal" and (rng.random() < 0.05 or (not partial_done and inv.invoice_date.year
                                                                        == 2025)):
            partial_done = True
            part = round_money(inv.total_amount * D(rng.choice(("0.4", "0.5", "0.6"))) / 1000, "RWF") * 1000
            events.append(_Event(seq, day, cid, inv.currency, (inv.invoice_no,), cash=part,
                                 narrative="part payment"))
            rest = _working(day + dt.timedelta(days=rng.randint(20, 75)))
            if rest <= CUTOFF:
                events.append(_Event(seq + 1, rest, cid, inv.currency, (inv.invoice_no,), narrative="balance"))
        else:
            events.append(_Event(seq, day, cid, inv.currency, (inv.invoice_no,), charges=charges))
    events = _merged(events)
    events.extend(_lumps(rng, books, len(events)))
    return sorted(events, key=lambda e: (e.day, e.customer_id, e.seq))


def _working(day: dt.date) -> dt.date:
    return CALENDAR.next_working_day(day)


def _overpaid(rng: random.Random, books: _Books, credit_note: Invoice) -> str:
    """The invoice a client pays too much for (rounded up to the next hundred thousand)."""
    people = books.people
    candidates = [i.invoice_no for i in books.register if i.doc_type == "invoice" and i.currency == "RWF"
                  and dt.date(2025, 3, 1) <= i.invoice_date < dt.date(2025, 4, 1)
                  and people[i.customer_id].customer_type == "private" and not people[i.customer_id].withholding
                  and people.habit[i.customer_id] in ("prompt", "normal")
                  and i.invoice_no != credit_note.original_invoice
                  and not people[i.customer_id].terms.startswith("2/10")]
    return rng.choice(candidates)


def _merged(events: list[_Event]) -> list[_Event]:
    """Invoices a customer settles on the same day in full travel in one transfer."""
    result: list[_Event] = []
    index: dict[tuple[dt.date, str, str], int] = {}
    for e in events:
        simple = e.cash is None and not e.charges and not e.discount and not e.extra and not e.narrative
        key = (e.day, e.customer_id, e.currency)
        if simple and key in index:
            first = result[index[key]]
            result[index[key]] = _Event(first.seq, first.day, first.customer_id, first.currency,
                                        first.invoices + e.invoices)
            continue
        if simple:
            index[key] = len(result)
        result.append(e)
    return result


def _lumps(rng: random.Random, books: _Books, seq: int) -> list[_Event]:
    """Chronic late payers pay round sums every two or three months against what is long overdue."""
    events: list[_Event] = []
    for cid, habit in books.people.habit.items():
        if habit != "chronic":
            continue
        first = min(i.invoice_date for i in books.register if i.customer_id == cid)
        day = first + dt.timedelta(days=rng.randint(110, 150))
        while day <= CHRONIC_STOP.get(cid, CUTOFF):
            events.append(_Event(seq + len(events), _working(day), cid, "RWF", lag=rng.randint(100, 130),
                                 share=D(rng.choice(("0.6", "0.7", "0.8", "0.9"))),
                                 narrative="payment of arrears"))
            day += dt.timedelta(days=rng.randint(55, 95))
        if cid == ARRANGEMENT_CUSTOMER:
            events.append(_Event(seq + len(events), dt.date(2025, 6, 9), cid, "RWF", instalment=True,
                                 narrative="1st instalment ARR-2025-001"))
    return events


class _Books:
    """The receivables ledger while the history is replayed: open amounts, withholding still to clear."""

    def __init__(self, rng: random.Random, people: _People, register: list[Invoice]) -> None:
        self.rng = rng
        self.people = people
        self.register = register
        self.invoice = {i.invoice_no: i for i in register}
        self.open = {i.invoice_no: i.total_amount for i in register}
        self.pending: dict[str, dict[str, Decimal]] = {}
        self.moves: dict[str, list[tuple[dt.date, Decimal]]] = {i.invoice_no: [] for i in register}
        self.receipts: list[Receipt] = []
        self.allocations: list[Allocation] = []
        self.arrangement: tuple[Decimal, list[Decimal]] = (ZERO, [])
        for inv in register:
            profile = parse_withholding(people[inv.customer_id].withholding)
            if inv.doc_type == "invoice" and profile:
                amounts = withholding_amounts(inv.net_amount, inv.vat_amount, profile, inv.currency, RATES)
                self.pending[inv.invoice_no] = {kind: amount for kind, amount in amounts.items() if amount}
            if inv.doc_type == "credit_note":
                self.open[inv.original_invoice] += inv.total_amount
                self.open[inv.invoice_no] = ZERO
                self.moves[inv.original_invoice].append((inv.invoice_date, inv.total_amount))

    def open_items(self, customer_id: str, currency: str | None = None) -> list[Invoice]:
        """The customer's invoices still open, oldest first."""
        return [i for i in self.register if i.customer_id == customer_id and i.doc_type == "invoice"
                and self.open[i.invoice_no] > 0 and currency in (None, i.currency)]

    def deductions(self, number: str, discount: bool = False,
                   charges: Decimal = ZERO) -> list[tuple[DeductionType, Decimal, str]]:
        """What settling the invoice in full leaves uncollected: withholding, discount, bank charges."""
        inv = self.invoice[number]
        result: list[tuple[DeductionType, Decimal, str]] = []
        for kind, amount in self.pending.get(number, {}).items():
            if kind == "vat":
                result.append(("vat_withheld", amount, "VAT withheld at source"))
            else:
                result.append(("wht", amount, f"{kind[3:]}% withholding tax"))
        if discount:
            terms = parse_terms(inv.terms).discount(inv.invoice_date, inv.total_amount, inv.currency)
            if terms is not None:
                result.append(("discount", inv.total_amount - terms[1], "2% early-payment discount"))
        if charges:
            result.append(("bank_charges", round_money(charges, inv.currency),
                           "kept by the remitting and correspondent banks"))
        return result

    def need(self, number: str, discount: bool = False, charges: Decimal = ZERO) -> Decimal:
        """The cash that settles the invoice in full."""
        return self.open[number] - sum((d[1] for d in self.deductions(number, discount, charges)), ZERO)

    def replay(self, events: list[_Event]) -> None:
        for event in events:
            targets = [self.invoice[n] for n in event.invoices]
            if event.lag is not None:
                limit = event.day - dt.timedelta(days=event.lag)
                targets = [i for i in self.open_items(event.customer_id, event.currency) if i.due_date <= limit]
                owed = sum((self.need(i.invoice_no) for i in targets), ZERO)
                cash = (owed * event.share // 100_000) * 100_000 or owed
            elif event.instalment:
                targets = self.open_items(event.customer_id, event.currency)
                balance = sum((self.open[i.invoice_no] for i in targets), ZERO)
                self.arrangement = (balance, allocate(balance, [1, 1, 1], event.currency))
                cash = self.arrangement[1][0]
            elif event.cash is not None:
                cash = event.cash
            else:
                cash = sum((self.need(i.invoice_no, event.discount, event.charges if i is targets[-1] else ZERO)
                            for i in targets), ZERO) + event.extra
            if cash > 0 and targets:
                self.receive(event, targets, cash)

    def receive(self, event: _Event, targets: list[Invoice], cash: Decimal) -> None:
        """One receipt, applied to the targets in order; what is left is unapplied cash."""
        rid = f"#{len(self.receipts):05d}"  # numbered in date order once the history is complete
        left = cash
        touched: list[str] = []
        certificates: dict[DeductionType, str] = {}
        for inv in targets:
            if left <= 0:
                break
            number = inv.invoice_no
            touched.append(number)
            deductions = self.deductions(number, event.discount, event.charges if inv is targets[-1] else ZERO)
            need = self.open[number] - sum((d[1] for d in deductions), ZERO)
            if left < need:
                self._allocate(rid, event.day, inv, left, None, "", "part payment")
                left = ZERO
                continue
            rows: list[tuple[DeductionType, Decimal, str] | None] = [*deductions] or [None]
            for n, row in enumerate(rows):
                cert = ""
                if row is not None and row[0] in ("vat_withheld", "wht"):
                    if row[0] not in certificates:
                        certificates[row[0]] = (f"{'VWC' if row[0] == 'vat_withheld' else 'WHT'}/{event.day.year}/"
                                                f"{self.rng.randint(10000, 99999)}" if self.rng.random() < 0.7
                                                else "")
                    cert = certificates[row[0]]
                self._allocate(rid, event.day, inv, need if n == 0 else ZERO, row, cert,
                               row[2] if row else "")
            self.pending.pop(number, None)
            left -= need
        customer = self.people[event.customer_id]
        payer, narrative = _remittance(self.rng, customer, touched, event.narrative)
        self.receipts.append(Receipt(
            receipt_id=rid, date=event.day, amount=cash, currency=event.currency, customer_id=customer.customer_id,
            payer_name=payer, narrative=narrative, bank_reference=_bank_reference(self.rng, event.day),
            bank_account=BANK_USD if event.currency == "USD" else BANK_RWF))

    def _allocate(self, rid: str, day: dt.date, inv: Invoice, applied: Decimal,
                  deduction: tuple[DeductionType, Decimal, str] | None, certificate: str, notes: str) -> None:
        kind, amount = (deduction[0], deduction[1]) if deduction else ("", ZERO)
        self.open[inv.invoice_no] -= applied + amount
        self.moves[inv.invoice_no].append((day, -(applied + amount)))
        self.allocations.append(Allocation(
            receipt_id=rid, invoice_no=inv.invoice_no, date=day, currency=inv.currency, applied_amount=applied,
            deduction_amount=amount, deduction_type=kind, certificate_no=certificate, notes=notes))

    def numbered(self) -> tuple[list[Receipt], list[Allocation]]:
        """Receipts RCPT-YYYY-NNNN in date order, each with its bank statement line BK-YYYY-MM-NNN."""
        order = sorted(self.receipts, key=lambda r: (r.date, r.customer_id, r.receipt_id))
        ids: dict[str, str] = {}
        per_year: dict[int, int] = {}
        per_month: dict[tuple[int, int], int] = {}
        receipts = []
        for r in order:
            per_year[r.date.year] = per_year.get(r.date.year, 0) + 1
            month = (r.date.year, r.date.month)
            per_month[month] = per_month.get(month, 0) + 1
            ids[r.receipt_id] = f"RCPT-{r.date.year}-{per_year[r.date.year]:04d}"
            receipts.append(r.model_copy(update={
                "receipt_id": ids[r.receipt_id],
                "statement_line": f"BK-{month[0]}-{month[1]:02d}-{per_month[month]:03d}"}))
        position = {old: n for n, old in enumerate(r.receipt_id for r in order)}
        allocations = sorted(self.allocations, key=lambda a: position[a.receipt_id])
        return receipts, [a.model_copy(update={"receipt_id": ids[a.receipt_id]}) for a in allocations]

    def statuses(self) -> dict[str, str]:
        """paid, part-paid, open or credited, as at the cut-off."""
        allocated = {a.invoice_no for a in self.allocations}
        credited = {n.original_invoice for n in self.register if n.doc_type == "credit_note"}
        result = {}
        for inv in self.register:
            number = inv.invoice_no
            paid = number in allocated
            if inv.doc_type == "credit_note":
                result[number] = "credited"
            elif self.open[number] == 0:
                result[number] = "paid" if paid else "credited"
            elif paid:
                result[number] = "part-paid"
            else:
                result[number] = "credited" if number in credited else "open"
        return result

    def open_on(self, number: str, day: dt.date) -> Decimal:
        """The invoice's open amount at the end of a day (0 before it is issued)."""
        inv = self.invoice[number]
        if inv.invoice_date > day:
            return ZERO
        return inv.total_amount + sum((amount for when, amount in self.moves[number] if when <= day), ZERO)

    def arrangement_lines(self) -> list[ArrangementLine]:
        balance, parts = self.arrangement
        if not parts:
            return []
        dues = (dt.date(2025, 6, 10), dt.date(2025, 7, 10), dt.date(2025, 8, 11))
        notes = (f"Plan agreed {_day_text(ARRANGEMENT_DAY)} for the overdue balance of {balance:,.0f} RWF; "
                 "paid 9 Jun 2025", "", "")
        return [ArrangementLine(arrangement_id="ARR-2025-001", customer_id=ARRANGEMENT_CUSTOMER, instalment=n,
                                due_date=due, amount=part, currency="RWF", status="kept" if n == 1 else "pending",
                                notes=note)
                for n, (due, part, note) in enumerate(zip(dues, parts, notes, strict=True), start=1)]


def _bank_reference(rng: random.Random, day: dt.date) -> str:
    """A Bank of Kigali transaction reference: FT, year, day of the year, five characters."""
    tail = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(5))
    return f"FT{day:%y}{day.timetuple().tm_yday:03d}{tail}"


def _spell(number: str, style: str) -> str:
    """An invoice number as payers write it: INV-2025-00123, inv 2025 123, 2025/00123, INV202500123..."""
    _, year, serial = number.split("-")
    return {"exact": number, "spaced": f"inv {year} {int(serial)}", "slash": f"{year}/{serial}",
            "compact": f"INV{year}{serial}", "short": f"INV-{int(serial)}", "french": f"FACTURE {serial}"}[style]


def _remittance(rng: random.Random, customer: Customer, numbers: list[str], note: str) -> tuple[str, str]:
    """Payer name and narrative of a historical receipt, as the bank showed them."""
    payer = customer.name.upper()[:35]
    if note in ("payment of arrears",) or note.startswith("1st instalment"):
        return payer, note.upper()
    style = rng.choice(("exact", "exact", "exact", "spaced", "slash", "compact"))
    refs = " ".join(_spell(n, style) for n in numbers[:4]) + (" ETC" if len(numbers) > 4 else "")
    word = rng.choice(("PAYMENT", "PMT", "SETTLEMENT OF", "TRF"))
    return payer, f"{word} {refs}" + (f" {note.upper()}" if note else "")


# --- Collections log --------------------------------------------------------------------------------------------

def _collections(rng: random.Random, books: _Books, receipts: list[Receipt]) -> list[CollectionsEntry]:
    """Reminders, calls and visits to the late payers, with the promises they made."""
    people = books.people
    accountant, manager = "Aline Uwase", "Jean Mugisha"
    channels: dict[int, tuple[Channel, ...]] = {1: ("e-mail",), 2: ("e-mail", "call"), 3: ("letter",),
                                                 4: ("visit", "letter", "call")}
    entries: list[CollectionsEntry] = []
    for cid, habit in people.habit.items():
        contact = people[cid].contact
        if habit == "chronic":
            level = 0  # a level is reached only after the previous one was sent
            for month in range(17):  # mid-February 2024 to mid-June 2025
                day = _working(add_months(dt.date(2024, 2, 14), month))
                overdue, oldest = _overdue(books, cid, day)
                if not overdue or oldest < _DUNNING[0].days_overdue:
                    level = 0
                    continue
                level = min(level + 1, max(d.level for d in _DUNNING if d.days_overdue <= oldest))
                name = _DUNNING[level - 1].name
                entries.append(CollectionsEntry(
                    date=day, customer_id=cid, channel=channels[level][month % len(channels[level])],
                    contact=contact, outcome=f"{name}: {overdue:,.0f} RWF overdue, oldest {oldest} days",
                    dunning_level=level, next_action="Call the finance officer",
                    next_action_date=day + dt.timedelta(days=7), user=manager if level == 4 else accountant))
            for r in receipts:
                if r.customer_id == cid and r.date.year == 2025 and "INSTALMENT" not in r.narrative:
                    day = r.date - dt.timedelta(days=rng.randint(6, 12))
                    entries.append(CollectionsEntry(
                        date=day, customer_id=cid, channel="call", contact=contact,
                        outcome="Promised a payment on the arrears", promise_date=r.date, promise_amount=r.amount,
                        next_action="Check the bank statement", next_action_date=r.date, user=accountant))
        elif habit == "slow":
            day = dt.date(2025, 6, 10)
            overdue, oldest = _overdue(books, cid, day)
            if overdue and oldest >= 7:
                entries.append(CollectionsEntry(
                    date=day, customer_id=cid, channel="e-mail", contact=contact,
                    outcome=f"Statement and reminder sent: {overdue:,.0f} RWF overdue", dunning_level=1,
                    next_action="Call if not paid", next_action_date=dt.date(2025, 6, 24), user=accountant))
    entries.extend(_promises(books))
    return sorted(entries, key=lambda e: (e.date, e.customer_id, e.channel))


def _overdue(books: _Books, customer_id: str, day: dt.date) -> tuple[Decimal, int]:
    """The customer's overdue RWF balance on a day, and the days its oldest overdue invoice is late."""
    items = [(books.open_on(i.invoice_no, day), (day - i.due_date).days) for i in books.register
             if i.customer_id == customer_id and i.doc_type == "invoice" and i.currency == "RWF"
             and i.due_date < day]
    items = [(amount, days) for amount, days in items if amount > 0]
    return sum((a for a, _ in items), ZERO), max((d for _, d in items), default=0)


def _promises(books: _Books) -> list[CollectionsEntry]:
    """The arrangement with C042, and the promise C052 broke."""
    balance, parts = books.arrangement
    hotel, red_cross = books.people[ARRANGEMENT_CUSTOMER], books.people["C052"]
    owed, _ = _overdue(books, "C052", dt.date(2025, 6, 5))
    promised = max(D(100_000), (owed / 3 // 100_000) * 100_000)
    return [
        CollectionsEntry(date=ARRANGEMENT_DAY, customer_id=hotel.customer_id, channel="visit", contact=hotel.contact,
                         outcome=f"Met the managing director: plan ARR-2025-001 agreed, {balance:,.0f} RWF in "
                                 "3 monthly instalments", dunning_level=4, promise_date=dt.date(2025, 6, 10),
                         promise_amount=parts[0] if parts else None, next_action="Confirm first instalment",
                         next_action_date=dt.date(2025, 6, 10), user="Jean Mugisha"),
        CollectionsEntry(date=dt.date(2025, 6, 10), customer_id=hotel.customer_id, channel="call",
                         contact=hotel.contact, outcome="First instalment received on 9 Jun; thanked the client",
                         next_action="Second instalment due", next_action_date=dt.date(2025, 7, 10),
                         user="Aline Uwase"),
        CollectionsEntry(date=dt.date(2025, 6, 5), customer_id=red_cross.customer_id, channel="call",
                         contact=red_cross.contact, outcome="Finance officer promised a payment on the arrears",
                         promise_date=dt.date(2025, 6, 20), promise_amount=promised,
                         next_action="Check the bank statement", next_action_date=dt.date(2025, 6, 20),
                         user="Aline Uwase"),
        CollectionsEntry(date=dt.date(2025, 6, 24), customer_id=red_cross.customer_id, channel="e-mail",
                         contact=red_cross.contact, outcome="Promise of 20 Jun not kept; escalated to the finance "
                                                            "manager", dunning_level=4, next_action="Visit",
                         next_action_date=dt.date(2025, 7, 3), user="Jean Mugisha"),
    ]


# --- Client queries ---------------------------------------------------------------------------------------------

def _queries(invoices: list[Invoice], people: _People, credit_note: Invoice) -> list[ClientQuery]:
    """Three queries, none drawing on the random story (so nothing else of the sample moves): a ministry told
    why VAT is on its invoice (closed by an explanation), the outage credited by the credit note (closed by
    it), and a quantity disputed on a June invoice of a private client, still open: that invoice is overdue in
    July and held out of its reminder, the client's other overdue invoice is not."""
    accountant, manager = "Aline Uwase", "Jean Mugisha"
    register = {i.invoice_no: i for i in invoices}
    ministry = next(i for i in invoices if i.doc_type == "invoice" and i.invoice_date >= dt.date(2025, 2, 1)
                    and people[i.customer_id].customer_type == "government"
                    and "vat" in people[i.customer_id].withholding)
    asked = ministry.invoice_date + dt.timedelta(days=6)
    outage = register[credit_note.original_invoice]
    called = max(outage.invoice_date, dt.date(2025, 5, 19))
    june: dict[str, list[Invoice]] = {}
    for i in invoices:
        if (i.doc_type == "invoice" and i.status == "open" and i.currency == "RWF" and i.invoice_date.month == 6
                and i.invoice_date.year == 2025 and i.due_date < dt.date(2025, 7, 31)
                and people.habit[i.customer_id] != "chronic" and i.customer_id != credit_note.customer_id):
            june.setdefault(i.customer_id, []).append(i)
    if not june:
        raise RuntimeError("the sample has no June 2025 invoice for an open client query")
    disputed = june[min(june, key=lambda c: (len(june[c]) < 2, people[c].customer_type != "private",
                                              people[c].withholding != "", c))][-1]
    written = min(disputed.invoice_date + dt.timedelta(days=11), CUTOFF)
    return [
        ClientQuery(query_id="Q-2025-0001", date=asked, customer_id=ministry.customer_id,
                    invoice_no=ministry.invoice_no, channel="call",
                    question=f"Why is VAT charged on {ministry.invoice_no} when the ministry withholds it?",
                    owner=accountant, due_date=asked + dt.timedelta(days=7),
                    answer="VAT is charged in full on every invoice (EBM); the ministry withholds it with the 3 % "
                           "and pays RRA, then sends us the certificates. The transfer is the total less both.",
                    answered_on=asked + dt.timedelta(days=1), status="closed", resolution="explanation",
                    closed_on=asked + dt.timedelta(days=2)),
        ClientQuery(query_id="Q-2025-0002", date=called, customer_id=outage.customer_id,
                    invoice_no=outage.invoice_no, channel="call",
                    question="Service down from 12 to 17 May: asks for the SLA credit before paying",
                    owner=accountant, due_date=called + dt.timedelta(days=4),
                    answer="Outage confirmed by the network team: 6 days credited under the SLA",
                    answered_on=credit_note.invoice_date, status="closed", resolution="credit note",
                    credit_note=credit_note.invoice_no, closed_on=credit_note.invoice_date),
        ClientQuery(query_id="Q-2025-0003", date=written, customer_id=disputed.customer_id,
                    invoice_no=disputed.invoice_no, channel="e-mail",
                    question="Disputes the quantity billed: one of the sites was not connected until mid-June",
                    owner=manager, due_date=written + dt.timedelta(days=7)),
    ]


# --- The July 2025 bank statement -------------------------------------------------------------------------------

@dataclass
class _Draft:
    """A statement line before it has its id, with the invoices it really pays."""

    day: dt.date
    amount: Decimal
    currency: str
    name: str
    account: str
    narrative: str
    pays: list[str] = field(default_factory=list)


class _LineMaker(Protocol):
    def __call__(self, inv: Invoice, amount: Decimal, narrative: str, name: str | None = None,
                 account: str | None = None) -> _Draft: ...


class _Picker:
    """Chooses open invoices for the statement's cases, each case a different customer."""

    def __init__(self, rng: random.Random, books: _Books) -> None:
        self.rng = rng
        self.books = books
        self.used: list[str] = [cid for cid, habit in books.people.habit.items() if habit == "chronic"]
        self.used_invoices: list[str] = []
        self.items = [i for i in books.register if i.doc_type == "invoice" and books.open[i.invoice_no] > 0
                      and books.open[i.invoice_no] == i.total_amount]

    def customer(self, inv: Invoice) -> Customer:
        return self.books.people[inv.customer_id]

    def pick(self, case: str, kinds: tuple[str, ...], withholding: str = "", currency: str = "RWF",
             count: int = 1, where: Callable[[Invoice], bool] = lambda _: True) -> list[Invoice]:
        people = self.books.people
        by_customer: dict[str, list[Invoice]] = {}
        for inv in self.items:
            cid = inv.customer_id
            if (cid not in self.used and inv.invoice_no not in self.used_invoices and inv.currency == currency
                    and people.kind[cid] in kinds and people[cid].withholding == withholding and where(inv)):
                by_customer.setdefault(cid, []).append(inv)
        choices = [cid for cid, items in by_customer.items() if len(items) >= count]
        if not choices:
            raise RuntimeError(f"the sample has no open invoice for the statement case: {case}")
        cid = self.rng.choice(choices)
        self.used.append(cid)
        chosen = by_customer[cid][:count]
        self.used_invoices.extend(i.invoice_no for i in chosen)
        return chosen

    def cash(self, inv: Invoice) -> Decimal:
        return self.books.need(inv.invoice_no)


_PRIVATE = ("bank", "telecom", "company")
_PLAIN = ("company", "ngo", "telecom", "bank")


def _statement(rng: random.Random, books: _Books) -> tuple[list[StatementLine], dict[str, list[str]]]:
    days = [d for d in (dt.date(2025, 7, n) for n in range(1, 32)) if CALENDAR.is_working_day(d)]
    pick = _Picker(rng, books)
    drafts = _customer_lines(rng, pick, days) + _other_lines(rng, pick, days)
    drafts.sort(key=lambda d: (d.day, d.currency, d.narrative, d.amount))
    lines: list[StatementLine] = []
    truth: dict[str, list[str]] = {}
    for n, d in enumerate(drafts, start=1):
        line_id = f"BK-2025-07-{n:03d}"
        value = CALENDAR.add_working_days(d.day, -1) if rng.random() < 0.15 else d.day
        lines.append(StatementLine(line_id, d.day, max(value, days[0]), round_money(d.amount, d.currency),
                                   d.currency, d.name, d.account, d.narrative, _bank_reference(rng, d.day)))
        truth[line_id] = d.pays
    return lines, truth


def _account(customer: Customer) -> str:
    return customer.bank_accounts.split(";")[0]


def _alias(customer: Customer) -> str:
    return customer.aliases.split(";")[0].upper()


def _misspelt(name: str) -> str:
    """A payer name as a bank clerk typed it: a letter doubled in its longest word (WORLD VISSION RWANDA)."""
    words = name.upper().split()
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    word = words[longest]
    words[longest] = word[:3] + word[2] + word[3:] if len(word) > 3 else word + word[-1]
    return " ".join(words)


def _customer_lines(rng: random.Random, pick: _Picker, days: list[dt.date]) -> list[_Draft]:
    """One line per cash-application case of DOMAIN.md, against invoices open at the end of June."""
    def day() -> dt.date:
        return rng.choice(days)

    def line(inv: Invoice, amount: Decimal, narrative: str, name: str | None = None,
             account: str | None = None) -> _Draft:
        customer = pick.customer(inv)
        return _Draft(day(), amount, inv.currency, customer.name.upper()[:35] if name is None else name,
                      _account(customer) if account is None else account, narrative, [inv.invoice_no])

    drafts: list[_Draft] = []
    for style, word in (("exact", "PAYMENT"), ("spaced", "pmt"), ("slash", "REF"), ("french", "REGLEMENT"),
                        ("compact", "TRF"), ("short", "SETTLEMENT")):
        (inv,) = pick.pick(f"reference spelt {style}", _PLAIN)
        drafts.append(line(inv, inv.total_amount, f"{word} {_spell(inv.invoice_no, style)}"))
    (inv,) = pick.pick("payer known by an abbreviation", _PRIVATE)
    drafts.append(line(inv, inv.total_amount, "TRANSFER", name=_alias(pick.customer(inv)), account=""))
    (inv,) = pick.pick("payer name misspelt", ("ngo",))
    drafts.append(line(inv, inv.total_amount, "PAYMENT", name=_misspelt(pick.customer(inv).name), account=""))
    (inv,) = pick.pick("payer name truncated", _PLAIN)
    drafts.append(line(inv, inv.total_amount, "RTGS INWARD", name=pick.customer(inv).name.upper()[:18]))
    (inv,) = pick.pick("bank account only", ("bank", "company", "ngo"))
    drafts.append(line(inv, inv.total_amount, "INWARD TRANSFER", name=""))
    several = pick.pick("one payment for several invoices", _PLAIN, count=2)
    first = several[0]
    draft = line(first, sum((i.total_amount for i in several), ZERO),
                 "PAYMENT " + " & ".join(_spell(i.invoice_no, "exact") for i in several))
    draft.pays = [i.invoice_no for i in several]
    drafts.append(draft)
    (inv,) = pick.pick("partial payment", _PRIVATE)
    part = round_money(inv.total_amount / 2 / 1000, "RWF") * 1000
    drafts.append(line(inv, part, f"PART PAYMENT {_spell(inv.invoice_no, 'exact')}"))
    (inv,) = pick.pick("overpayment", _PLAIN)
    over = (inv.total_amount // 100_000 + 1) * 100_000
    drafts.append(line(inv, over, f"PAYMENT {_spell(inv.invoice_no, 'spaced').upper()}"))
    for profile, kinds in (("vat,wht3", ("agency",)), ("wht3", ("agency",)), ("wht15", ("bank", "telecom")),
                           ("vat", ("agency",))):
        (inv,) = pick.pick(f"short by withholding {profile}", kinds, withholding=profile)
        drafts.append(line(inv, pick.cash(inv), f"{_alias(pick.customer(inv))} PAYMENT "
                                                f"{_spell(inv.invoice_no, 'exact')} NET OF WHT"))
    try:
        several = pick.pick("government payment for several invoices", ("agency",), withholding="vat,wht3",
                            count=2)
    except RuntimeError:
        several = []  # not every seed leaves a public body two invoices open
    if several:
        draft = line(several[0], sum((pick.cash(i) for i in several), ZERO),
                     "PAYMT " + " ".join(_spell(i.invoice_no, "slash") for i in several))
        draft.pays = [i.invoice_no for i in several]
        drafts.append(draft)
    (inv,) = pick.pick("third-party payer", ("district",), withholding="vat,wht3")
    district = pick.customer(inv)
    drafts.append(line(inv, pick.cash(inv), f"{district.name.upper()} ICT SERVICES "
                                            f"{_MONTHS[inv.invoice_date.month - 1][:3].upper()} 2025",
                       name="MINECOFIN TREASURY SINGLE ACCOUNT", account=TREASURY_ACCOUNT))
    (inv,) = pick.pick("mobile money", ("small",))
    phone = _account(pick.customer(inv))
    drafts.append(line(inv, inv.total_amount, f"MOMO {phone} REF {rng.randint(10**9, 10**10 - 1)} "
                                              f"{_alias(pick.customer(inv))}", name="MTN MOBILE MONEY",
                       account=phone))
    drafts.append(_wrong_reference(pick, line))
    for _ in range(2):
        (inv,) = pick.pick("bank charges on a USD transfer", ("foreign",), currency="USD")
        charges = D(rng.choice((15, 20, 25, 35, 45)))
        drafts.append(line(inv, inv.total_amount - charges, f"/RFB/{inv.invoice_no}/OUR CHARGES DEDUCTED"))
    drafts.extend(_arrears_lines(pick, days))
    for _ in range(8):
        pool = ("agency", "district") if rng.random() < 0.6 else _PLAIN
        try:
            (inv,) = pick.pick("a plain receipt", pool, withholding="vat,wht3" if pool[0] == "agency" else "")
        except RuntimeError:
            continue
        style = rng.choice(("exact", "exact", "spaced", "compact"))
        drafts.append(line(inv, pick.cash(inv), f"PAYMENT {_spell(inv.invoice_no, style)}"))
    return drafts


def _wrong_reference(pick: _Picker, line: _LineMaker) -> _Draft:
    """A customer quotes an invoice it paid long ago, for the amount of one still open."""
    books = pick.books
    paid: dict[str, str] = {}
    for i in books.register:
        if books.open[i.invoice_no] == 0 and i.doc_type == "invoice" and i.invoice_date.year == 2024:
            paid.setdefault(i.customer_id, i.invoice_no)
    (inv,) = pick.pick("wrong reference, right amount", _PLAIN, where=lambda i: i.customer_id in paid)
    return line(inv, inv.total_amount, f"PAYMENT {paid[inv.customer_id]}")


def _arrears_lines(pick: _Picker, days: list[dt.date]) -> list[_Draft]:
    """The hotel's second instalment and the Ministry of Education's round sum on its arrears."""
    books = pick.books
    drafts = []
    for cid, day, cash, narrative in (
            (ARRANGEMENT_CUSTOMER, dt.date(2025, 7, 10), books.arrangement[1][1], "2ND INSTALMENT ARR-2025-001"),
            ("C010", days[len(days) // 2], ZERO, "PAYMENT OF ARREARS 2024")):
        customer = books.people[cid]
        items = books.open_items(cid, "RWF")
        if not cash:
            owed = sum((books.need(i.invoice_no) for i in items[:3]), ZERO)
            cash = (owed // 1_000_000) * 1_000_000 or owed
        pays, left = [], cash
        for inv in items:
            if left <= 0:
                break
            pays.append(inv.invoice_no)
            left -= books.need(inv.invoice_no)
        drafts.append(_Draft(day, cash, "RWF", customer.name.upper()[:35], _account(customer), narrative, pays))
    return drafts


def _other_lines(rng: random.Random, pick: _Picker, days: list[dt.date]) -> list[_Draft]:
    """Lines that are no customer receipt: interest, own transfers, a loan, a reversal, fees, salaries, taxes."""
    own = COMPANY.upper()
    (same,) = pick.pick("own transfer equal to an open invoice", _PLAIN)
    usd = round_money(same.total_amount / D("1441.85"), "USD")
    day = rng.choice(days)
    reversal_day = rng.choice(days[:-3])
    supplier = D(rng.randint(20, 60) * 100_000 + 50_000)
    return [
        _Draft(days[-1], D(rng.randint(150_000, 320_000)), "RWF", "", "", "CREDIT INTEREST JUL 2025"),
        _Draft(day, same.total_amount, "RWF", own, BANK_USD, f"TRF FROM OWN USD A/C {BANK_USD}"),
        _Draft(day, -usd, "USD", own, BANK_RWF, f"TRF TO OWN RWF A/C {BANK_RWF}"),
        _Draft(rng.choice(days), D(250_000_000), "RWF", "BANK OF KIGALI PLC", "",
               "LOAN DISBURSEMENT LD2518800417 TERM LOAN DC EXPANSION"),
        _Draft(reversal_day, -supplier, "RWF", "SMART AFRICA NETWORKS LTD", f"4002{rng.randint(10**8, 10**9 - 1)}",
               "PAYMENT SUPPLIER INV 8812 FIBRE WORKS"),
        _Draft(CALENDAR.add_working_days(reversal_day, 2), supplier, "RWF", "SMART AFRICA NETWORKS LTD", "",
               "REVERSAL FUNDS RETURNED BENEFICIARY ACCOUNT CLOSED"),
        _Draft(days[-1], D(-10_000), "RWF", "", "", "ACCOUNT MAINTENANCE FEE JUL 2025"),
        _Draft(rng.choice(days), D(-5_000), "RWF", "", "", "RTGS OUTWARD CHARGES"),
        _Draft(rng.choice(days), D("-15.00"), "USD", "", "", "SWIFT INCOMING CHARGES"),
        _Draft(dt.date(2025, 7, 25), D(-61_480_000), "RWF", "STAFF SALARIES", "", "SALARIES JULY 2025 BULK"),
        _Draft(dt.date(2025, 7, 14), D(-7_350_000), "RWF", "RWANDA SOCIAL SECURITY BOARD", "",
               "RSSB PENSION AND MATERNITY CONTRIBUTIONS JUN 2025"),
        _Draft(dt.date(2025, 7, 15), D(-12_980_000), "RWF", "RWANDA REVENUE AUTHORITY", "",
               "RRA VAT AND PAYE RETURN JUN 2025"),
        _Draft(rng.choice(days), D(-9_240_000), "RWF", "RWANDA ENERGY GROUP LTD", "", "REG ELECTRICITY DATA CENTRE"),
    ]


def sample_decisions(proposals: dict[str, set[str]], seed: int = 7) -> dict[str, str]:
    """What the sample's accountant decides on each line of the July statement, given the invoices arxl proposed
    for it: approve a proposal that is right, type the right invoices where it is not, reject what is no customer
    receipt. The demo uses it to stand in for the person who decides; arxl itself never sees this answer key.
    """
    decisions = {}
    for line_id, pays in sample_statement_truth(seed).items():
        proposed = proposals.get(line_id, set())
        if not pays:
            decisions[line_id] = "reject"
        elif proposed == set(pays):
            decisions[line_id] = "approve"
        else:
            decisions[line_id] = "; ".join(pays)
    return decisions
