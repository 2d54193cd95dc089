"""The Sage 50 import: every AR movement of a month as audit-trail transactions (CSV), and the allocation sheet.

SAGE 50 is the ledger of record; arxl's register feeds it through Sage's *Import > Audit trail transactions*,
one file a month (``arxl export sage BOOK --period YYYY-MM -o FILE.csv``), in Sage's column order:

``Type, Account Reference, Nominal A/C Ref, Department Code, Date, Reference, Details, Net Amount, Tax Code,
Tax Amount, Exchange Rate, Extra Reference, User Name, Project Refn, Cost Code Refn``

and beside it ``FILE-allocations.csv``, the allocations the accountant then makes in Sage
(:mod:`arxl.formats.sage.allocations`). Department, User Name, Project and Cost Code are left blank.

**Which types, and why.** Sage's knowledge base ("Audit trail transaction types", and "Data you can import":
SR, SD and PP cannot be imported — import a receipt as SA and a discount as SC, then allocate them by hand)
gives the forms a customer's movements can take in an import. arxl writes:

======  ===========================================  ==================================================
Type    what                                         what Sage posts
======  ===========================================  ==================================================
SI      an invoice, a row per (tax code, nominal)    Dr customer (debtors control), Cr sales nominal,
                                                     Cr VAT
SC      a credit note, the same way                  Dr sales nominal and VAT, Cr customer
SA      a receipt (payment on account), Reference    Dr the bank nominal of the receipt's currency
        the receipt ID, Extra Reference the bank's   (Settings "Sage Bank Nominal <CCY>", else "Sage
        reference, T9                                Bank Nominal"), Cr customer
SA      a withheld deduction (VAT withheld, WHT),    Dr a bank-type nominal (Settings "Sage VAT
        Settings "SA <nominal>"                      Withheld" 1250, "Sage WHT" 1251: what RRA owes
                                                     until the certificate is used), Cr customer
SC      a deduction that is gone (bank charges,      Dr the expense nominal (7901, 4009, 8100), Cr
        discount, rounding, write-off), "SC <nom>"   customer, at T9 (outside VAT: nothing was sold)
SP      a refund (a receipt of negative amount)      Dr customer, Cr the bank nominal
JD/JC   the month-end revaluation (IAS 21) and its   Dr/Cr debtors control against the unrealised FX
        reversal (:mod:`arxl.formats.sage.journals`)  nominal; no account reference, base currency
======  ===========================================  ==================================================

How a deduction type goes to Sage is the Settings key of its row in :data:`arxl.core.withholding.DEDUCTIONS`
("Sage WHT" = "SA 1251"); validate checks each is ``SA <nominal>`` or ``SC <nominal>``. A type without one
holds its Allocations row back, naming the cell. The realised exchange difference of a foreign receipt is not
exported: Sage posts it itself (to its exchange-variance nominal) when the accountant allocates the receipt.

**References** (how a re-import is recognised in Sage, and what the allocation sheet names): a document its
number; a receipt or refund its receipt ID; a deduction its invoice number, a slash and the type's mark
(``INV-2025-00123/WHT``; VATW, WHT, BANK, DISC, RND, WOFF) with the receipt ID in Extra Reference, so that
(Reference, Extra Reference) is unique per receipt, invoice and type; a revaluation ``REVAL/YYYY-MM`` and its
reversal ``REVAL/YYYY-MM/REV``. A reference is never cut or altered: one over 30 characters, or beginning like a
formula, holds its item back.

**Currencies.** A document, receipt or deduction is written in its own currency, to the customer's account in
Sage (a Foreign Trader account for USD), with Sage's exchange rate: units of the currency per one unit of the
base currency, 24 decimals (:func:`arxl.core.fx.sage_rate`), so that Sage's base value is exactly amount × rate
rounded half-up, as arxl books it. The rate is a document's own Rate when filled, else the Rates sheet's on its
date (a receipt and its deductions: the receipt's date); 1 in the base currency; no rate holds the item back,
naming the date, the currency and the Rates sheet. A base-currency receipt paying foreign invoices (an RWF
transfer for a USD invoice; its allocations carry their Rate, RWF per USD) goes to the customer's foreign
account in that currency: Net = what it applied + the unallocated rest at the allocations' rate, at the rate
Net ÷ amount, so Sage posts exactly the RWF received to the RWF bank. Sage's knowledge base notes that
transactions of a *foreign bank* account cannot be imported: a USD receipt goes to "Sage Bank Nominal USD";
where that Sage refuses the import, point the key at the base bank nominal and transfer in Sage.

**Sage's limits** (Sage 50 knowledge base, "Audit trail transactions data fields you can import"):

- **Account Reference**, at most 8 characters, no spaces, must exist in Sage: the customer's ``Sage Account``
  column, else the customer ID when that is itself a valid reference; upper case. A longer ID is *not*
  truncated (two customers could end up on one account): the item is held back with a message asking for the
  Sage Account. A receipt without a customer is suspense, not a receivable: a warning, not exported.
- **Nominal A/C Ref**, at most 8: a document line's service's ``Sage Nominal``, else Settings "Sage Sales
  Nominal". A document whose lines of one tax code go to several nominal codes gets one row per (tax code,
  nominal code), so Sage's sales analysis stays right.
- **Date** DD/MM/YYYY; **Details** at most 60 (cut with "...").
- **Tax Code** T0 to T99, from the TaxCodes table's ``Sage Tax Code`` (the row in force on the document
  date); "1" is read as T1. Money that moved (receipts, deductions, journals) is T9, outside VAT.
- **Net** and **Tax** are positive (the type says which way) with the currency's decimals (RWF none, USD 2),
  and at most 8 digits before the point: 99,999,999.99. A larger row is **split** into the fewest rows under
  the limit, with the same reference, adding up exactly (:func:`arxl.core.money.allocate`); a row that would
  need more than :data:`arxl.core.sage_limits.MAX_SPLIT` rows is a typing mistake and is held back.

Text is written as plain ASCII (accents dropped: "Société" -> "Societe"), on one line.

**Formula injection** (OWASP "CSV Injection": a cell beginning with = + - @, a tab or a carriage return is
evaluated as a formula when the file is opened in a spreadsheet). The file is read by Sage and, now and then,
opened in Excel by a person; what is done depends on who reads the field:

- **Codes** (Account Reference, Nominal A/C Ref, Department Code, Reference; Tax Code is always T0 to T99):
  Sage reads them verbatim, and a code changed to make it safe would post to another account, or to none. So
  they are never altered: a code beginning with such a character is refused by ``arxl validate`` at its cell
  (Customers' Sage Account, Services' Sage Nominal, the Settings nominals and deduction treatments, the
  document series), and the export holds back an item whose code begins with one anyway.
- **Text for people** (Details, Extra Reference): neutralised with a leading single quote
  (``'=HYPERLINK(...)``). Sage imports the quote as a character of the text.

**Nothing is exported twice.** Each invoice, credit note, receipt, Allocations row (its deduction and its
lines in the sheet) and revaluation (its journal, its reversal) written gets its ``Sage Exported`` (or
``Reversal Exported``) set to the export date in the same ChangeSet, and a run skips what has one, unless
``again=True`` (a re-export, e.g. after the accountant deleted a failed import in Sage). Items held back are
reported as problems and not marked, so the next run exports them once they are fixed. An allocation dated
in the month of a receipt exported in an earlier month (cash on account applied later) is in the later
month's sheet; one whose receipt is not in Sage yet waits (a warning) until it is.
"""

from __future__ import annotations

from arxl.formats.sage.csvfile import (
    ALLOCATION_COLUMNS,
    COLUMNS,
    AllocationLine,
    Pair,
    SageRow,
    allocation_path,
    write_allocation_csv,
    write_sage_csv,
)
from arxl.formats.sage.export import Counts, SageExport, sage_export, sage_rows

__all__ = ["ALLOCATION_COLUMNS", "COLUMNS", "AllocationLine", "Counts", "Pair", "SageExport", "SageRow",
           "allocation_path", "sage_export", "sage_rows", "write_allocation_csv", "write_sage_csv"]
