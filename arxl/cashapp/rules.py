"""MatchRules: what the matcher learns from the accountant, as rules the accountant can read, change and delete.

Every decision the accountant takes on the Reconciliation sheet and *posts* says something the matcher did not
know: this payer name is that customer, this account is theirs, this treasury pays for those customers. When
the decisions are posted (never before), :func:`learn` writes each new fact as a row of the **MatchRules**
sheet (created when first needed): ``Kind``, ``Pattern/Key``, ``Customer(s)``, ``Source`` (where it was
decided: "decided on Reconciliation row 14 of statement X, 2025-07-31, by <user>"), ``Created`` and
``Active``. The same decision posted twice gives one rule. Deleting a row, or writing ``No`` in Active, stops it.

The kinds, and what the matcher does with them (:func:`with_rules`), through its ordinary inputs:

* ``alias`` - a name in the payer field or the narrative (MININFRA HQ) is the customer's: one more alias of
  its profile;
* ``account`` - a payer's bank or mobile-money account is the customer's: one more account of its profile;
* ``reference`` - a reference (a contract or PO number, ``LPO 5531``) names the customer wherever a line quotes it
  whole, its letters and digits in order whatever the separators (``LPO-5531``, ``LPO5531``; not ``LPO 55310``),
  in the counterparty or the narrative: 95 points, as a whole alias;
* ``third party`` - a payer that pays for others (its beneficiaries in Customer(s), ``;`` between them): one more
  of Settings' Third Party Payers, so that its own name identifies nobody;
* ``bank charge`` - the payer's bank keeps this much of its receipts (Pattern/Key ``RWF 10000``): its
  tolerance, besides what its history shows (:func:`usual_charges`);
* ``not`` - the payer's name (as the bank writes it) does not name the customer(s): learnt when the accountant
  rejects a proposal whose customer came from the payer's name by writing ``wrong customer`` in Decision (a
  plain ``reject`` - a duplicate, a line dealt with by hand, not this split - teaches nothing). The matcher
  leaves that customer out of what that payer's name finds (an account or an invoice number quoted still names
  it), and says so in the reason ("MatchRules row 9: 'KAMANZI JEAN' is not C045"). A later decision giving that
  payer's line to that customer switches the row off (Active: No).

A decision that contradicts a row switches it off: an ``account`` or ``alias`` row naming another customer
for the payer's account or name than the one the accountant gave the line to (a donor whose account was learnt
as one customer's, paying for another the next month), as a ``not`` row for that customer.

The matcher says when a rule decided who paid ("payer by MatchRules row 7: alias 'MININFRA HQ' -> C012").
``wrong customer`` on a proposal made by the payer's account, or by an invoice number only, teaches nothing: the
account is the customer's (correct Customers if it is not), and the name did not choose.

**Usual bank charges from history.** A payer whose last receipts (up to :data:`HISTORY`) nearly all lost bank
charges of about the same size (Allocations of type ``bank_charges``) gets its usual charge x 1.1 as its
tolerance, at most :data:`CAP_TIMES` times the currency's default.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from arxl.core.accounts import payer_account_key
from arxl.core.money import is_currency, round_money
from arxl.core.text import fold
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.matching import CustomerProfile, MatchSettings, UsualCharge
from arxl.ledger.records import MATCH_RULE_KINDS, Allocation, MatchRule, Receipt
from arxl.ledger.tables import Table

if TYPE_CHECKING:
    from arxl.cashapp.reconcile import ReconciliationRow

__all__ = [
    "CAP_TIMES",
    "HISTORY",
    "KINDS",
    "SHEET",
    "Decided",
    "Learnt",
    "Rejected",
    "active_rules",
    "learn",
    "learn_from_posting",
    "learnt_inputs",
    "payer_key",
    "posted_decisions",
    "rejected_decisions",
    "usual_charges",
    "with_rules",
]

SHEET = "MatchRules"
KINDS = MATCH_RULE_KINDS
HISTORY = 6  # a payer's last receipts looked at for its usual bank charge
CAP_TIMES = 5  # a payer's tolerance is at most this many times the currency's default
_MOBILE = re.compile(r"\b(?:MOMO|MOBILE MONEY|AIRTEL|MTN|TIGO)\b")
_TREASURY = re.compile(r"\b(?:TREASURY|TSA|SINGLE ACCOUNT)\b")
# how a reason says the customer was found by name (arxl.cashapp.name_forms: the labels of a NameHit)
_BY_NAME = re.compile(r"\bCUSTOMER NAME\b|\bALIAS\b|\bINITIALS OF\b")
_BY_ACCOUNT = "PAYER'S BANK ACCOUNT IS THE CUSTOMER'S"


def payer_key(payer: str) -> str:
    """A payer's name as ``not`` rules compare it: folded, its spaces single."""
    return " ".join(fold(payer).split())


def active_rules(rules: Iterable[MatchRule], numbers: Sequence[int] | None = None) -> list[tuple[int, MatchRule]]:
    """The active rules with their sheet row number: ``numbers`` (the table's, which count blank rows), else
    counted from row 2 under the header."""
    rules = list(rules)
    rows = list(numbers) if numbers is not None and len(numbers) == len(rules) else range(2, len(rules) + 2)
    return [(n, r) for n, r in zip(rows, rules, strict=True)
            if not r.switched_off and r.kind.strip().lower() in KINDS and r.key.strip()]


def with_rules(customers: Sequence[CustomerProfile], settings: MatchSettings,
               rules: Iterable[MatchRule], numbers: Sequence[int] | None = None
               ) -> tuple[list[CustomerProfile], MatchSettings]:
    """The customers and settings with the active MatchRules added: aliases, accounts and reference patterns
    to the customers' profiles, third parties to Settings' payers for others, bank charges to the payers'
    usual charges (at most :data:`CAP_TIMES` the currency's tolerance, as from history; a charge in a currency
    that is not one is left aside: ``validate`` warns at its cell). ``settings.learnt`` says which alias or
    account came from which row; ``numbers`` are the rules' rows in the sheet."""
    extra: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    third = list(settings.third_party_payers)
    charges = dict(settings.usual_charges)
    learnt = dict(settings.learnt)
    ruled_out = dict(settings.ruled_out)
    references = dict(settings.references)
    known = {c.customer_id for c in customers}
    for row, rule in active_rules(rules, numbers):
        kind, key, ids = rule.kind.strip().lower(), rule.key.strip(), rule.customer_ids
        ids = [c for c in ids if c in known]
        if kind == "third party":
            third.append(key)
            continue
        if kind == "not":
            for cid in ids:
                ruled_out[(payer_key(key), cid)] = f"MatchRules row {row}: '{key}' is not {cid}"
            continue
        if len(ids) != 1:
            continue
        cid = ids[0]
        if kind == "reference":  # quoted whole, not as a name: LPO 5531 is no alias LPO
            references[key] = (cid, f"MatchRules row {row}: reference '{key}' -> {cid}")
            learnt[(cid, fold(key))] = references[key][1]
        elif kind == "alias":
            extra[cid][0].append(key)
            learnt[(cid, fold(key))] = f"MatchRules row {row}: {kind} '{key}' -> {cid}"
        elif kind == "account":
            extra[cid][1].append(key)
            learnt[(cid, payer_account_key(key))] = f"MatchRules row {row}: account {key} -> {cid}"
        elif kind == "bank charge":
            found = rule.charge()
            if found is None or not is_currency(found[0]):
                continue
            code = found[0]
            usual = round_money(found[1], code)
            tolerance = round_money(usual * Decimal("1.1"), code)
            default = settings.bank_charges.get(code, Decimal(0))
            if default > 0:
                tolerance = min(tolerance, default * CAP_TIMES)
            charges[(cid, code)] = UsualCharge(cid, code, usual, tolerance, f"MatchRules row {row}")
    profiles = [replace(c, aliases=(*c.aliases, *extra[c.customer_id][0]),
                        bank_accounts=(*c.bank_accounts, *extra[c.customer_id][1]))
                if c.customer_id in extra else c for c in customers]
    return profiles, replace(settings, third_party_payers=tuple(third), usual_charges=charges, learnt=learnt,
                             ruled_out=ruled_out, references=references)


def learnt_inputs(ledger: Ledger, customers: Sequence[CustomerProfile],
                  settings: MatchSettings) -> tuple[list[CustomerProfile], MatchSettings]:
    """The matcher's customers and settings with what the ledger has learnt: each payer's usual bank charge
    from its receipts, then the active MatchRules (a rule's bank charge wins over the history)."""
    history = usual_charges(ledger.receipts, ledger.allocations, settings.bank_charges)
    settings = replace(settings, usual_charges={**history, **settings.usual_charges})
    if SHEET not in ledger.tables:
        return with_rules(customers, settings, [])
    table = ledger.table(SHEET)
    return with_rules(customers, settings, table.rows, table.row_numbers)


def usual_charges(receipts: Iterable[Receipt], allocations: Iterable[Allocation],
                  defaults: Mapping[str, Decimal]) -> dict[tuple[str, str], UsualCharge]:
    """Each payer's usual bank charge per currency, when its last receipts (up to :data:`HISTORY`) nearly all
    lost about the same charge (at least 3, and all but one of them, within a fifth of their median) and that
    charge is above the currency's default tolerance."""
    lost: dict[str, Decimal] = defaultdict(Decimal)
    for a in allocations:
        if a.deduction_type == "bank_charges" and a.deduction_amount > 0:
            lost[a.receipt_id] += a.deduction_amount
    history: dict[tuple[str, str], list[Receipt]] = defaultdict(list)
    for r in receipts:
        if r.customer_id and r.amount > 0:
            history[(r.customer_id, r.currency.strip().upper())].append(r)
    found: dict[tuple[str, str], UsualCharge] = {}
    for (cid, code), rows in history.items():
        last = sorted(rows, key=lambda r: (r.date, r.receipt_id))[-HISTORY:]
        charged = [lost[r.receipt_id] for r in last if lost.get(r.receipt_id)]
        if len(charged) < 3 or len(charged) < len(last) - 1:
            continue
        median = Decimal(statistics.median(charged))
        if any(abs(c - median) > median / 5 for c in charged):
            continue
        default = defaults.get(code, Decimal(0))
        usual = round_money(median, code)
        if usual <= default or default <= 0:
            continue
        tolerance = min(round_money(max(charged) * Decimal("1.1"), code), default * CAP_TIMES)
        found[(cid, code)] = UsualCharge(cid, code, usual, tolerance,
                                         f"{len(charged)} of its last {len(last)} receipts")
    return found


@dataclass(frozen=True, slots=True)
class Decided:
    """A posted decision, as the rules see it: the line's payer and account, and the customer decided."""

    row: int  # the Reconciliation row
    statement: str
    date: dt.date
    payer: str
    account: str
    customer_id: str
    proposed: str  # the customer the matcher proposed ("" when unmatched)
    status: str  # the matcher's: auto, review, unmatched
    pays_for_others: bool = False  # the payer is one that pays for others (a treasury, Settings' list)
    mobile: bool = False  # a mobile-money line: the payer field is the channel or a person, never an alias


@dataclass(frozen=True, slots=True)
class Rejected:
    """A rejected proposal, as the rules see it: the line's payer, the customer proposed and why."""

    row: int  # the Reconciliation row
    statement: str
    date: dt.date
    payer: str
    proposed: str  # the customer the matcher proposed
    reason: str  # the matcher's reason: how it found the customer
    pays_for_others: bool = False
    mobile: bool = False


@dataclass
class Learnt:
    """The new MatchRules rows, the beneficiaries of third parties already in the sheet (by position in it),
    the rows already in it that a decision contradicts and switches off (by position), and how many decisions
    were already known."""

    rows: list[MatchRule]
    beneficiaries: dict[int, str] = field(default_factory=dict)
    known: int = 0
    switched_off: list[int] = field(default_factory=list)


def learn(decided: Iterable[Decided], rules: Sequence[MatchRule], customers: Sequence[CustomerProfile],
          today: dt.date, user: str = "", rejected: Iterable[Rejected] = ()) -> Learnt:
    """New rules from posted decisions, idempotently: an alias or account already in a rule, or already in the
    customer's profile, gives no new row. A payer that pays for others gives a ``third party`` rule naming
    the customers it paid for, never an alias or an account; so does a payer whose lines of the same posting
    went to several customers (a donor, a parent company: its name and account are no one customer's).
    A rejected proposal whose customer the payer's name found gives a ``not`` rule (see the module); a
    decision giving a payer's line to a customer switches off the rows it contradicts (:func:`_switch_off`)."""
    decided = list(decided)
    profiles = {c.customer_id: c for c in customers}
    paid: dict[tuple[str, str], set[str]] = defaultdict(set)  # a payer's name or account -> customers it paid
    for d in decided:
        if d.customer_id in profiles and not d.mobile:
            if fold(d.payer).strip():
                paid[("name", fold(d.payer))].add(d.customer_id)
            if payer_account_key(d.account):
                paid[("account", payer_account_key(d.account))].add(d.customer_id)
    owners = {payer_account_key(a): c.customer_id for c in customers for a in c.bank_accounts}
    named = {fold(n): c.customer_id for c in customers for n in (c.name, *c.aliases)}
    have: dict[tuple[str, str], tuple[int, MatchRule]] = {
        (r.kind.strip().lower(), _key(r.kind, r.key)): (-1 - n, r) for n, r in enumerate(rules)}
    new: list[MatchRule] = []
    learnt = Learnt(new)
    by = f", by {user}" if user else ""
    for d in decided:
        if d.customer_id not in profiles or (d.status == "auto" and d.customer_id == d.proposed):
            continue  # nothing the matcher did not know
        source = f"decided on Reconciliation row {d.row} of statement {d.statement}, {d.date:%Y-%m-%d}{by}"
        facts: list[tuple[str, str]] = []
        account = payer_account_key(d.account)
        for_others = d.pays_for_others or len(paid.get(("name", fold(d.payer)), ())) > 1 or \
            len(paid.get(("account", account), ())) > 1
        if account and account not in owners and not for_others:  # another customer's: the accountant's to fix
            facts.append(("account", d.account.strip()))
        payer = " ".join(d.payer.split())
        if for_others and payer:
            facts.append(("third party", payer))
        elif len(fold(payer).replace(" ", "")) >= 4 and not d.mobile and fold(payer) not in named:
            facts.append(("alias", payer))
        for kind, key in facts:
            found = have.get((kind, _key(kind, key)))
            if found is None:
                rule = MatchRule(kind=kind, key=key, customer=d.customer_id, source=source, created=today,
                                 active="Yes")
                have[(kind, _key(kind, key))] = (len(new), rule)
                new.append(rule)
            elif kind == "third party" and d.customer_id not in found[1].customer_ids:
                where, known = found
                rule = known.model_copy(update={"customer": "; ".join([*known.customer_ids, d.customer_id])})
                have[(kind, _key(kind, key))] = (where, rule)
                if where >= 0:
                    new[where] = rule
                else:
                    learnt.beneficiaries[-1 - where] = rule.customer
            else:
                learnt.known += 1
    given = {(payer_key(d.payer), d.customer_id) for d in decided}  # each payer name and the customer it paid
    _switch_off(learnt, given, decided, rules)
    _learn_rejections(learnt, list(rejected), given, rules, customers, today, by)
    return learnt


def _switch_off(learnt: Learnt, given: set[tuple[str, str]], decided: list[Decided],
                rules: Sequence[MatchRule]) -> None:
    """The rows of the sheet a decision contradicts, to switch off: a ``not`` row saying the payer is not the
    customer the line was given to, and an ``account`` or ``alias`` row naming another customer for the
    payer's account or name (a donor paying for several: its account is no one customer's)."""
    accounts = {(payer_account_key(d.account), d.customer_id) for d in decided if payer_account_key(d.account)}
    for n, rule in enumerate(rules):
        kind, ids = rule.kind.strip().lower(), rule.customer_ids
        if rule.switched_off or n in learnt.switched_off or not ids:
            continue
        contradicted = {
            "not": any((payer_key(rule.key), cid) in given for cid in ids),
            "account": any(key == payer_account_key(rule.key) and cid not in ids for key, cid in accounts),
            "alias": any(key == payer_key(rule.key) and cid not in ids for key, cid in given),
        }
        if contradicted.get(kind):
            learnt.switched_off.append(n)


def _learn_rejections(learnt: Learnt, rejected: list[Rejected], given: set[tuple[str, str]],
                      rules: Sequence[MatchRule], customers: Sequence[CustomerProfile], today: dt.date,
                      by: str) -> None:
    """The ``not`` rows of :func:`learn` from the rejections."""
    have = {(payer_key(r.key), cid): n for n, r in enumerate(rules) if r.kind.strip().lower() == "not"
            for cid in r.customer_ids}
    named = {payer_key(n): c.customer_id for c in customers for n in (c.name, *c.aliases)}
    known = {c.customer_id for c in customers}
    for r in rejected:
        key = payer_key(r.payer)
        reason = fold(r.reason)
        if r.proposed not in known or len(key.replace(" ", "")) < 4 or r.mobile or r.pays_for_others \
                or _BY_ACCOUNT in reason or not _BY_NAME.search(reason) or named.get(key) == r.proposed \
                or (key, r.proposed) in given:
            continue  # not a proposal the payer's name made, or the name is surely the customer's
        if (key, r.proposed) in have:
            learnt.known += 1
            continue
        source = f"rejected on Reconciliation row {r.row} of statement {r.statement}, {r.date:%Y-%m-%d}{by}"
        have[(key, r.proposed)] = -1
        learnt.rows.append(MatchRule(kind="not", key=" ".join(r.payer.split()), customer=r.proposed, source=source,
                                     created=today, active="Yes"))


def posted_decisions(rows: Sequence[ReconciliationRow], row_numbers: Sequence[int], keys: Sequence[str],
                     receipts: Iterable[Receipt], files: Mapping[str, str],
                     pays_for_others: Callable[[str], bool]) -> list[Decided]:
    """The decisions just posted, one per bank line: ``keys`` are the rows' line identities, ``receipts`` the
    receipts posted (by the identity in their Statement Line), ``files`` the statement files by the sheet's
    Statement cell."""
    first: dict[str, int] = {}
    for n, key in enumerate(keys):
        first.setdefault(key, n)
    found = []
    for receipt in receipts:
        index = first.get(receipt.statement_line)
        if index is None or not receipt.customer_id:
            continue
        row = rows[index]
        found.append(Decided(row_numbers[index], files.get(row.statement, row.statement), row.date, row.payer,
                             row.account, receipt.customer_id, row.customer_id, row.status,
                             *_payer_flags(row, pays_for_others)))
    return found


def _payer_flags(row: ReconciliationRow, pays_for_others: Callable[[str], bool]) -> tuple[bool, bool]:
    """Whether the row's payer pays for others, and whether the line came by mobile money."""
    return (pays_for_others(row.payer) or "PAYS FOR OTHERS" in fold(row.reason),
            bool(_MOBILE.search(fold(f"{row.payer} {row.narrative}"))))


def rejected_decisions(rows: Sequence[ReconciliationRow], row_numbers: Sequence[int], indexes: Iterable[int],
                       files: Mapping[str, str], pays_for_others: Callable[[str], bool]) -> list[Rejected]:
    """The proposals just rejected as ``wrong customer``: ``indexes`` are the first rows of those lines, ``files``
    the statement files by the sheet's Statement cell."""
    found = []
    for index in indexes:
        row = rows[index]
        if not row.customer_id.strip() or row.status not in ("auto", "review"):
            continue
        found.append(Rejected(row_numbers[index], files.get(row.statement, row.statement), row.date, row.payer,
                              row.customer_id.strip(), row.reason, *_payer_flags(row, pays_for_others)))
    return found


def learn_from_posting(ledger: Ledger, table: Table[ReconciliationRow], receipts: Iterable[Receipt], today: dt.date,
                       user: str = "", not_the_payer: Iterable[int] = ()) -> tuple[ChangeSet, Learnt]:
    """The MatchRules rows (new, beneficiaries added to a third party's, rows a decision contradicts switched
    off) that the decisions just posted teach; ``not_the_payer`` are the first rows of the lines just rejected
    as ``wrong customer``. The sheet is created by the first row."""
    from arxl.cashapp.reconcile import match_inputs, sheet_identities

    rules: Table[Any] | None = ledger.tables.get(SHEET)
    existing = list(rules.rows) if rules is not None else []
    files = {s.fingerprint[:16]: s.file or s.fingerprint[:16] for s in ledger.table("Statements")} \
        if "Statements" in ledger.tables else {}
    third = [fold(n) for n in ledger.settings.third_party_payers.replace(",", ";").split(";") if n.strip()]
    third += [fold(r.key) for r in existing if r.kind.strip().lower() == "third party"]

    def pays_for_others(payer: str) -> bool:
        folded = fold(payer)
        return bool(folded) and (bool(_TREASURY.search(folded)) or any(t and t in folded for t in third))

    decided = posted_decisions(table.rows, table.row_numbers, sheet_identities(ledger, table.rows), receipts, files,
                               pays_for_others)
    _, customers = match_inputs(ledger, today)
    refused = rejected_decisions(table.rows, table.row_numbers, not_the_payer, files, pays_for_others)
    learnt = learn(decided, existing, with_rules(customers, MatchSettings(), existing)[0], today, user, refused)
    changes = ChangeSet()
    changes.append(SHEET, learnt.rows)
    if rules is not None:
        for index, value in learnt.beneficiaries.items():
            changes.update(SHEET, rules.row_numbers[index], "customer", value)
        for index in learnt.switched_off:
            changes.update(SHEET, rules.row_numbers[index], "active", "No")
    return changes, learnt


def _key(kind: str, key: str) -> str:
    return payer_account_key(key) if kind.strip().lower() == "account" else fold(key)
