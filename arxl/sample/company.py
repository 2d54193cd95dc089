"""The sample's company: Kigali Cloud & Systems Ltd, its bank accounts and calendar, and the reference tables of its
workbook (Settings, tax codes, dunning levels, the rate card and BNR's USD rates).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from arxl.core.calendar import BusinessCalendar
from arxl.core.tax import (
    WithholdingRates,
)
from arxl.ledger.records import (
    DunningLevel,
    ExchangeRate,
    Service,
    Setting,
    TaxCodeRow,
)
from arxl.ledger.settings import Settings

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


def _usd_rates() -> list[ExchangeRate]:
    """BNR's USD rate on each of its working days, from the last week of 2023 (the first invoices, dated New
    Year's Day, take the rate of the last working day before it) to July 2025: a steady slide of the franc to
    1,440.00 at the end of July, close to what it was; no draw of the story's random numbers, so every other
    figure of the sample stays as it was."""
    last = dt.date(2025, 7, 31)
    first = FIRST_DAY - dt.timedelta(days=7)
    bnr = BusinessCalendar()  # the central bank publishes on every working day, the company's closures aside
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
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
        ("sage_bank_nominal_usd", "1210", "Bank of Kigali USD account (a USD bank in Sage)"),
        ("period", "2025-07", "the month being closed"),
        ("as_of", "2025-07-31", ""),
        ("output_folder", "out", ""),
        ("collections_target_rwf", "150000000", "collections expected each month (cash applied to invoices)"),
        ("collections_target_usd", "10000", ""),
        ("audit_loss_rates", "0.5%,2%,5%,15%,30%,60%", "the company's estimate per aging bucket: no write-off yet"),
        ("audit_forward_looking", "10%", "loss rates raised for slower public-sector payments"),
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


