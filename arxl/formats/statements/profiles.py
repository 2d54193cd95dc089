"""Bank profiles: how to read one bank's CSV or XLSX export, column by column.

Every bank lays out its export differently: which columns exist and what they are called, one signed amount
or separate Debit and Credit columns, dates written 05/07/2025 or 2025-07-05 or as Excel serial numbers,
``1,250,000.00`` or ``1.250.000,00``, a few lines of letterhead above the table. A :class:`BankProfile`
says all of that for one layout. arxl recognises a file's layout by its header row: the first row within the
first 30 whose cells include all of the profile's ``headers`` (compared ignoring case, spaces and
punctuation).

Built-in profiles: ``canonical`` (arxl's own statement CSV, DESIGN.md §4), ``bk`` (a Bank of Kigali-style
export: ``Date, Value Date, Description, Reference, Debit, Credit, Balance``, dd/mm/yyyy, thousands
separators, the account and currency written above the table) and ``signed-amount`` (any export with
``Date``, ``Description`` and one signed ``Amount`` column).

A profile file is JSON: a list of profiles, or an object whose ``"profiles"`` holds that list. Each profile
names the columns it uses; every field but ``name`` and ``date`` may be left out::

    {"profiles": [{
        "name": "equity-rw",                     // shown in messages and the summary
        "headers": ["Txn Date", "Narration", "Money In", "Money Out"],
                                                 // identify the layout; default: every column named below
        "date": "Txn Date",                      // booking date (required)
        "value_date": "Value Date",              // default: the booking date
        "amount": null,                          // one signed amount (credits positive) ...
        "sign": null,                            //   ... or unsigned, with a Dr/Cr column beside it
        "debit": "Money Out", "credit": "Money In",   // ... or a debit and a credit column
        "balance": "Running Balance",            // the running balance: checked line by line
        "currency": null,                        // a column holding the currency code ...
        "fixed_currency": "RWF",                 // ... or the one currency of the whole file
        "currency_label": "Currency",            // ... or a "Currency: USD" line above the table
        "account_label": "Account Number",       // the account, from a line above the table
        "counterparty_name": null, "counterparty_account": null,
        "narrative": ["Narration", "Details"],   // one column or several, joined
        "reference": "Reference",                // the bank's reference of the line
        "line_id": null,                         // only for files that carry arxl's own line ids
        "date_format": "dmy",                    // dmy (05/07/2025), mdy (07/05/2025), iso, excel (serials)
        "decimal_separator": ".",                // or ","
        "thousands_separator": ",",              // or ".", " ", "'" or ""
        "encoding": "cp1252",                    // tried when the file is not UTF-8
        "delimiter": null,                       // ",", ";", "\\t" or "|"; null: found from the file
        "skip_rows": null                        // rows above the header; null: find the header row
    }]}

(JSON has no comments: they are here to explain.) A column listed in ``headers`` must be in the file; a
mapped column that is not in ``headers`` is used when the file has it.

**Debit or credit marks.** Beside one amount column many banks write whether it is a debit or a credit
(``Dr/Cr``, ``D/C``, ``Debit/Credit``, ``Type``: ``DR``/``CR``, ``D``/``C``, ``Debit``/``Credit``). ``sign``
names that column; a profile with an ``amount`` and no ``sign`` finds one by those headers, and reads it when
every mark in it is one of those. A debit is then negative whatever the amount's own sign; a credit marked on
a negative amount, or a mark of neither kind in a column named for the marks, is refused at its cell.

>>> [p.name for p in BUILTIN_PROFILES]
['canonical', 'bk', 'signed-amount']
>>> try:
...     BankProfile(name="x", date="Date", amount="Amount", debit="Dr", credit="Cr")
... except ValueError as error:
...     print(error.errors()[0]["msg"])
Value error, profile "x": give either an amount column or debit and credit columns, not both
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from arxl.core.errors import ArxlError
from arxl.core.money import currency as known_currency
from arxl.core.statement import STATEMENT_COLUMNS
from arxl.ledger.records import header_key

MAX_PROFILE_FILE_BYTES = 1024 * 1024
HEADER_SCAN_ROWS = 30
ADD_PROFILE_HINT = ("add a bank profile for this layout (a JSON file naming its date, amount or debit/credit"
                    " and text columns; see arxl.formats.statements.profiles) and pass it with --profiles FILE.json")


class BankProfile(BaseModel):
    """How to read one bank's export: which column is what, and how its dates and amounts are written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    headers: tuple[str, ...] = ()
    date: str
    value_date: str | None = None
    amount: str | None = None
    sign: str | None = None
    debit: str | None = None
    credit: str | None = None
    balance: str | None = None
    currency: str | None = None
    fixed_currency: str | None = None
    currency_label: str | None = None
    account_label: str | None = None
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    narrative: tuple[str, ...] = ()
    reference: str | None = None
    line_id: str | None = None
    date_format: Literal["dmy", "mdy", "iso", "excel"] = "dmy"
    decimal_separator: Literal[".", ","] = "."
    thousands_separator: Literal[",", ".", " ", "'", ""] = ","
    encoding: str = "cp1252"
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    skip_rows: int | None = None

    @field_validator("narrative", "headers", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> BankProfile:
        label = f'profile "{self.name}"'
        if not self.name.strip():
            raise ValueError("a profile needs a name")
        if self.amount and (self.debit or self.credit):
            raise ValueError(f"{label}: give either an amount column or debit and credit columns, not both")
        if not self.amount and not (self.debit and self.credit):
            raise ValueError(f"{label}: give an amount column, or both a debit and a credit column")
        if self.sign and not self.amount:
            raise ValueError(f"{label}: a sign column goes with an amount column")
        if self.decimal_separator == self.thousands_separator:
            raise ValueError(f"{label}: the decimal and thousands separators must differ")
        if self.fixed_currency:
            known_currency(self.fixed_currency)
        if self.skip_rows is not None and not 0 <= self.skip_rows < HEADER_SCAN_ROWS:
            raise ValueError(f"{label}: skip_rows must be between 0 and {HEADER_SCAN_ROWS - 1}")
        try:
            codec = codecs.lookup(self.encoding)
        except LookupError:
            raise ValueError(f'{label}: encoding "{self.encoding}" is unknown') from None
        if not codec._is_text_encoding:  # rot13, zlib, base64: codecs, but not of text
            raise ValueError(f'{label}: encoding "{self.encoding}" is not a text encoding (cp1252, latin-1, '
                             "cp852 ...)")
        return self

    def mapped(self) -> tuple[str, ...]:
        """Every column the profile reads, in the order of the canonical record."""
        columns = (self.line_id, self.date, self.value_date, self.amount, self.sign, self.debit, self.credit,
                   self.currency, self.counterparty_name, self.counterparty_account, *self.narrative,
                   self.reference, self.balance)
        return tuple(dict.fromkeys(c for c in columns if c))

    def required(self) -> frozenset[str]:
        """The header keys a file must have to be read with this profile."""
        return frozenset(header_key(h) for h in (self.headers or self.mapped()))


CANONICAL = BankProfile(
    name="canonical", headers=STATEMENT_COLUMNS, line_id="line_id", date="booking_date", value_date="value_date",
    amount="amount", currency="currency", counterparty_name="counterparty_name",
    counterparty_account="counterparty_account", narrative=("narrative",), reference="bank_reference",
    date_format="iso", thousands_separator="", encoding="utf-8", delimiter=",",
)
BK = BankProfile(
    name="bk", headers=("Date", "Value Date", "Description", "Reference", "Debit", "Credit", "Balance"),
    date="Date", value_date="Value Date", debit="Debit", credit="Credit", balance="Balance",
    narrative=("Description",), reference="Reference", currency="Currency", currency_label="Currency",
    account_label="Account Number", date_format="dmy",
)
SIGNED_AMOUNT = BankProfile(
    name="signed-amount", headers=("Date", "Description", "Amount"), date="Date", value_date="Value Date",
    amount="Amount", currency="Currency", currency_label="Currency", account_label="Account",
    counterparty_name="Counterparty", counterparty_account="Counterparty Account", narrative=("Description",),
    reference="Reference", balance="Balance", date_format="dmy",
)
BUILTIN_PROFILES: tuple[BankProfile, ...] = (CANONICAL, BK, SIGNED_AMOUNT)


def load_profiles(path: Path) -> list[BankProfile]:
    """The bank profiles of a JSON file (see the module's docstring for its layout)."""
    where = f"[{path.name}]"
    try:
        size = path.stat().st_size
        if size > MAX_PROFILE_FILE_BYTES:
            raise ArxlError(f"a profile file of {size:,} bytes is too big (limit {MAX_PROFILE_FILE_BYTES:,})",
                            where)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ArxlError("profile file not found", where) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ArxlError(f"cannot read the profile file ({error})", where) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArxlError(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                        where) from None
    items = document.get("profiles") if isinstance(document, dict) else document
    if not isinstance(items, list) or not items:
        raise ArxlError('expected a list of profiles, or {"profiles": [...]}', where)
    profiles = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ArxlError(f"profile {number} is not an object", where)
        try:
            profiles.append(BankProfile.model_validate(item))
        except ValidationError as error:
            raise ArxlError(f"profile {number} ({item.get('name', 'no name')}): {_problems(error)}", where) from None
        except ArxlError as error:
            raise ArxlError(f"profile {number} ({item.get('name', 'no name')}): {error.message}", where) from None
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise ArxlError("two profiles have the same name", where)
    return profiles


def _problems(error: ValidationError) -> str:
    found = []
    for problem in error.errors()[:5]:
        field = ".".join(str(p) for p in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        found.append(f"{field}: {message}" if field else message)
    return "; ".join(found)
