"""Settings: the company's own facts and choices, kept in the workbook so the accountant can change them.

The Settings sheet is a Key / Value table ("Company Name" | "Kigali Cloud Ltd"). Keys are matched like
headers (case, spaces and punctuation ignored). Figures DOMAIN.md marks as "verify" (withholding rates, the
share of VAT a public body withholds) live here, never in code: one rate key per kind of the withholding table
(:mod:`arxl.core.withholding`), so a new kind brings its key with it. A key arxl does not know is reported as a
warning, so a typo ("Invoice Seris") does not silently fall back to the default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import PrivateAttr, create_model

from arxl.core import withholding
from arxl.core.errors import BadValue, Problem
from arxl.core.money import CURRENCIES, is_currency
from arxl.core.tax import WithholdingRates
from arxl.ledger.records import Column, Rate, Row, Setting, col, columns, header_key
from arxl.ledger.tables import Table, converter, is_blank

PER_CURRENCY = ("bank_account", "bank_charges_tolerance", "collections_target", "sage_bank_nominal")
"""Settings a currency has one of, under "<setting> <ISO code>": a field for RWF (and USD), a key for any other."""


class _Settings(Row):
    """The Settings of fixed keys; :data:`Settings` adds a rate key per withholding kind of the core's table."""

    company_name: str = col("Company Name")
    company_tin: str = col("Company TIN", "")
    company_address: str = col("Company Address", "")
    company_phone: str = col("Company Phone", "")
    company_email: str = col("Company Email", "")
    base_currency: str = col("Base Currency", "RWF")
    invoice_series: str = col("Invoice Series", "INV")
    credit_note_series: str = col("Credit Note Series", "CN")
    invoice_digits: int = col("Invoice Digits", 5)
    default_terms: str = col("Default Terms", "NET30")
    vat_rounding: Literal["invoice", "line"] = col("VAT Rounding", "invoice")
    roll_due_dates: Literal["none", "next"] = col("Roll Due Dates", "none")
    aging_basis: Literal["due_date", "invoice_date"] = col("Aging Basis", "due_date")
    aging_buckets: str = col("Aging Buckets", "30,60,90,120")
    bank_name: str = col("Bank Name", "")
    bank_branch: str = col("Bank Branch", "")
    bank_swift: str = col("Bank SWIFT", "")
    bank_account_rwf: str = col("Bank Account RWF", "")
    bank_account_usd: str = col("Bank Account USD", "")
    bank_charges_tolerance: Decimal = col("Bank Charges Tolerance", Decimal(45))  # USD (and EUR, GBP, CHF)
    bank_charges_tolerance_rwf: Decimal = col("Bank Charges Tolerance RWF", Decimal(5000))
    match_auto_threshold: int = col("Match Auto Threshold", 90)
    match_review_threshold: int = col("Match Review Threshold", 50)
    third_party_payers: str = col("Third Party Payers", "")  # ;-separated payers that pay for others
    sage_sales_nominal: str = col("Sage Sales Nominal", "4000")
    sage_bank_nominal: str = col("Sage Bank Nominal", "1200")  # the base currency's bank, and any without its own
    sage_bank_nominal_rwf: str = col("Sage Bank Nominal RWF", "")
    sage_bank_nominal_usd: str = col("Sage Bank Nominal USD", "")
    sage_debtors_nominal: str = col("Sage Debtors Nominal", "1100")  # Sage's debtors control account
    sage_vat_nominal: str = col("Sage VAT Nominal", "2200")  # Sage's sales tax control account
    sage_fx_nominal: str = col("Sage Exchange Variance Nominal", "7906")  # realised: Sage posts it on allocation
    sage_unrealised_fx_nominal: str = col("Sage Unrealised FX Nominal", "7907")  # month-end revaluation journals
    # retired: the Rates sheet gives each day's rate; validate warns at its cell (retired_settings)
    usd_rate: Decimal | None = col("USD Rate", None)
    period: str = col("Period", "")
    as_of: dt.date | None = col("As Of", None)
    output_folder: str = col("Output Folder", "")
    invoice_template: str = col("Invoice Template", "")  # a restyled template, relative to the workbook's folder
    bank_profiles: str = col("Bank Profiles", "")  # JSON file of CSV/XLSX bank layouts, beside the workbook
    statement_file: str = col("Statement File", "")  # the bank statement the Import statement button reads
    sage_report_file: str = col("Sage Report File", "")  # Sage's Aged Debtors report the Tie out to Sage button reads
    collections_target_rwf: Decimal | None = col("Collections Target RWF", None)  # per month
    collections_target_usd: Decimal | None = col("Collections Target USD", None)
    arrangement_grace_days: int = col("Arrangement Grace Days", 3)  # instalments and promises to pay
    dunning_interval_days: int = col("Dunning Interval Days", 7)  # least days between two reminder levels
    escalation_days: int = col("Escalation Days", 90)
    escalation_reminders: int = col("Escalation Reminders", 2)
    # the audit pack (arxl audit pack): cut-off window, confirmation selection, allowance basis, the auditor
    audit_cutoff_days: int = col("Audit Cutoff Days", 5)  # days either side of the period end
    audit_confirm_largest: int = col("Audit Confirm Largest", 10)  # the largest balances, all confirmed
    audit_confirm_sample: int = col("Audit Confirm Sample", 5)  # a random sample of the others
    audit_confirm_seed: str = col("Audit Confirm Seed", "")  # empty: derived from the period, and recorded
    audit_confirm_type: Literal["positive", "negative", "mixed"] = col("Audit Confirm Type", "mixed")
    audit_loss_rates: str = col("Audit Loss Rates", "")  # per aging bucket, "1%,3%,..."; empty: from write-offs
    audit_forward_looking: Rate = col("Audit Forward Looking", Decimal(0))  # + or - on every loss rate, relative
    auditor: str = col("Auditor", "")  # who receives confirmation replies (name and address)

    _per_currency: dict[tuple[str, str], Any] = PrivateAttr(default_factory=dict)
    """Keys of a currency that has no field of its own: ("bank_account", "KES") from "Bank Account KES"."""

    def of_currency(self, name: str) -> dict[str, Any]:
        """A per-currency setting (:data:`PER_CURRENCY`) of every currency that has it: its field ("Bank Account
        RWF") or the key of any other ISO 4217 currency ("Bank Account KES"), so a currency needs no code."""
        found = {c: getattr(self, f"{name}_{c.lower()}") for c in CURRENCIES if hasattr(self, f"{name}_{c.lower()}")}
        found.update({code: value for (key, code), value in self._per_currency.items() if key == name})
        return {code: value for code, value in found.items() if value not in (None, "")}

    def bank_account(self, currency: str) -> str:
        """Our bank account in a currency ("" when Settings has none)."""
        return str(self.of_currency("bank_account").get(currency.strip().upper(), ""))

    def bank_accounts(self) -> dict[str, str]:
        """Our bank account per currency, for the currencies Settings gives one."""
        return {code: str(account) for code, account in self.of_currency("bank_account").items()}

    def bank_charges(self) -> dict[str, Decimal]:
        """Largest shortfall read as bank charges, per currency: "Bank Charges Tolerance" is USD's (and EUR's,
        GBP's, CHF's unless they have their own), "Bank Charges Tolerance <CCY>" another currency's."""
        tolerances = dict.fromkeys(("USD", "EUR", "GBP", "CHF"), self.bank_charges_tolerance)
        tolerances.update(self.of_currency("bank_charges_tolerance"))
        return tolerances

    def collections_target(self, currency: str) -> Decimal | None:
        """The monthly collections target of a currency, when Settings has one."""
        value = self.of_currency("collections_target").get(currency.strip().upper())
        return value if isinstance(value, Decimal) else None


    def sage_bank(self, currency: str) -> str:
        """The Sage nominal of our bank account in a currency: "Sage Bank Nominal <CCY>", else "Sage Bank
        Nominal"."""
        return str(self.of_currency("sage_bank_nominal").get(currency.strip().upper(), "")) or self.sage_bank_nominal

    def sage_deduction(self, code: str) -> str:
        """How a deduction type goes to Sage, "<SA|SC> <nominal>" as Settings gives it (its key, e.g. "Sage WHT"),
        else the withholding table's default; "" for a type without one. Checked by ``validate``."""
        return str(getattr(self, f"sage_{code}", "") or withholding.deduction(code).sage)

    def withholding_rates(self) -> WithholdingRates:
        """The rate of each withholding kind: its Settings key, else the table's default."""
        given = {k.code: getattr(self, k.field, None) for k in withholding.kinds()}
        return WithholdingRates(**{code: rate for code, rate in given.items() if isinstance(rate, Decimal)})


def settings_model(kinds: tuple[withholding.WithholdingKind, ...] | None = None) -> type[_Settings]:
    """The Settings row: the fixed keys, one rate key per withholding kind ("WHT3 Rate", default 3 %) and one
    Sage key per deduction type ("Sage WHT", default "SA 1251")."""
    fields: dict[str, Any] = {k.field: (Rate, col(k.setting, k.rate)) for k in kinds or withholding.kinds()}
    fields.update({f"sage_{d.code}": (str, col(d.sage_key, d.sage)) for d in withholding.DEDUCTIONS if d.sage_key})
    return create_model("Settings", __base__=_Settings, __module__=__name__, **fields)


if TYPE_CHECKING:
    Settings = _Settings
else:
    Settings = settings_model()


def parse_settings(table: Table[Setting], date1904: bool = False,
                   model: type[Settings] = Settings) -> tuple[Settings, list[Problem]]:
    """Typed Settings from the Key / Value rows, with a problem per bad value, unknown or repeated key."""
    fields = {header_key(c.header): c for c in columns(model)}
    fields.update({header_key(c.field): c for c in columns(model)})
    values: dict[str, Any] = {}
    per_currency: dict[tuple[str, str], Any] = {}
    problems: list[Problem] = []
    for i, row in enumerate(table.rows):
        column = fields.get(header_key(row.key))
        if column is None and (found := _currency_key(row.key, model)) is not None:
            name, code, like = found
            if (name, code) in per_currency:
                problems.append(Problem(table.where(i, "key"), f'setting "{row.key}" is given twice'))
            elif not is_blank(row.value):
                try:
                    per_currency[(name, code)] = converter(like, date1904)(row.value)
                except BadValue as exc:
                    problems.append(Problem(table.where(i, "value"), f"{like.header}: {exc.message}"))
            continue
        if column is None:
            problems.append(Problem(table.where(i, "key"), f'setting "{row.key}" is not known to arxl; '
                                    "check its spelling", "warning"))
            continue
        if column.field in values:
            problems.append(Problem(table.where(i, "key"), f'setting "{row.key}" is given twice'))
            continue
        if is_blank(row.value):
            continue
        try:
            values[column.field] = converter(column, date1904)(row.value)
        except BadValue as exc:
            problems.append(Problem(table.where(i, "value"), f"{column.header}: {exc.message}"))
    for column in columns(model):
        if column.field not in values:
            if column.required:
                problems.append(Problem(table.where(0, "key") if table.rows else
                                        table.where_sheet(), f'setting "{column.header}" is missing'))
                values[column.field] = ""
            else:
                values[column.field] = column.default
    settings = model.model_construct(**values)
    settings._per_currency.update(per_currency)
    return settings, problems


def _currency_key(key: str, model: type[Settings]) -> tuple[str, str, Column] | None:
    """("bank_account", "KES", its column, read like RWF's) for "Bank Account KES", an ISO currency without a
    field of its own; None for any other key."""
    text = header_key(key)
    for name in PER_CURRENCY:
        prefix = header_key(name)
        code = text[len(prefix):].upper()
        if text.startswith(prefix) and len(code) == 3 and is_currency(code):
            like = next(c for c in columns(model) if c.field == f"{name}_rwf")
            return name, code, replace(like, field=f"{name}_{code.lower()}", header=f"{like.header[:-4]} {code}")
    return None


def retired_settings(table: Table[Any]) -> list[Problem]:
    """Settings arxl no longer reads, said at their cell so the accountant can remove them."""
    index = next((i for i, row in enumerate(table.rows) if getattr(row, "key", "").strip().casefold() == "usd rate"),
                 None)
    if index is None:
        return []
    return [Problem(table.where(index, "value"), "Settings USD Rate is no longer used: the Rates sheet gives each "
                    "day's rate", "warning")]
