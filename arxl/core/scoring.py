"""How sure are we that a bank line pays an invoice? Evidence, scored 0-100 and said in words.

A receipt on the bank statement rarely says plainly which invoice it pays. Three kinds of evidence point to
an invoice, each scored 0-100 on its own with a reason an accountant can check:

* **the reference** - the invoice number somewhere in the narrative, in any spelling: ``INV-2025-00042``,
  ``INV 2025 00042``, ``inv2025/42``, ``2025-00042``, ``00042``, a bare ``42`` next to the year or the word
  INV, or cut short by the bank's field length (``INV-2025-0004``). See :func:`reference_evidence`.
* **the payer's name** - the customer's name, an alias the accountant keeps for it (``MININFRA``, ``BK``) or
  its initials (``RRA``), upper-case, misspelt or truncated. See :func:`name_evidence`.
* **the amount** - the open amount exactly, or what the customer sends after withholding VAT or 3 % WHT, or a
  little less after bank charges; a partial payment or an overpayment is weak. See :func:`amount_evidence`.

:func:`match_score` combines them. The rule, in words:

    score = 0.80 x reference + 0.45 x name + 0.30 x amount, rounded half up, at most 100.

So the invoice number is the strongest evidence (80 on its own), the name and the amount add to it, and an
amount alone never scores more than 30: many invoices share an amount (the same monthly fee, the same
1,180,000) and a line that is no receipt at all (interest, a transfer between own accounts) can equal an
open amount. Typical results: invoice number and exact amount 100; name and exact amount, no reference 75;
name alone 45; amount alone 30; nothing 0. A debit (amount zero or negative) is no receipt and scores 0.

>>> s = match_score("TRF MININFRA PAYMT INV-2025-00042", "INV-2025-00042", "Ministry of Infrastructure",
...                 Decimal("970000"), Decimal("1180000"), aliases=["MININFRA"],
...                 expected={"VAT withheld and 3% WHT": Decimal("970000")})
>>> s.score
100
>>> s.reason
'invoice number in narrative; alias "MININFRA" in narrative; amount = open - VAT withheld and 3% WHT'
>>> match_score("INTEREST CAPITALISATION", "INV-2025-00042", "Ministry of Infrastructure",
...             Decimal("1180000"), Decimal("1180000")).score
30

The functions are pure and deterministic: the same line and invoice always give the same score and reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import MappingProxyType

from rapidfuzz import fuzz

from arxl.core.errors import BadValue
from arxl.core.money import currency as currency_of
from arxl.core.money import exponent, round_money, unit
from arxl.core.text import fold

__all__ = [
    "AMOUNT_WEIGHT",
    "BANK_CHARGES",
    "COMMON_WORDS",
    "INVOICE_WORDS",
    "LEGAL_FORMS",
    "NAME_WEIGHT",
    "NO_EVIDENCE",
    "REFERENCE_WEIGHT",
    "STOP_WORDS",
    "TWIN_WORDS",
    "Evidence",
    "ReferenceKeys",
    "Score",
    "acronym",
    "amount_evidence",
    "combine",
    "match_score",
    "name_evidence",
    "name_tokens",
    "reference_evidence",
    "reference_keys",
    "short_name",
    "word_likeness",
]

REFERENCE_WEIGHT = 80
"""Percent of the reference evidence that counts in :func:`match_score`."""
NAME_WEIGHT = 45
AMOUNT_WEIGHT = 30
"""An amount alone never scores more than this."""

LEGAL_FORMS = frozenset(
    {
        "LTD", "LIMITED", "PLC", "SA", "SARL", "SARLU", "SPRL", "SAS", "CO", "COMPANY", "CORP",
        "CORPORATION", "INC", "LLC", "LLP", "GMBH", "AG", "BV", "NV",
    }
)
"""Legal-form words, left out when names are compared (``Bank of Kigali Plc`` is ``BANK KIGALI``)."""
STOP_WORDS = frozenset({"THE", "OF", "AND", "FOR", "DE", "DU", "DES", "LA", "LE", "LES", "ET", "D", "L"})
"""Small words left out when names are compared and initials are taken."""
COMMON_WORDS = frozenset(
    {
        "RWANDA", "KIGALI", "AFRICA", "AFRICAN", "EAST", "WEST", "NATIONAL", "INTERNATIONAL", "GLOBAL",
        "GENERAL", "BANK", "BANKS", "GROUP", "SERVICE", "SERVICES", "MINISTRY", "AUTHORITY", "AGENCY",
        "BOARD", "COUNCIL", "DISTRICT", "CITY", "OFFICE", "INSTITUTE", "UNIVERSITY", "FOUNDATION",
        "TRUST", "HOLDINGS", "INVESTMENT", "INVESTMENTS", "TECHNOLOGY", "TECHNOLOGIES", "SOLUTIONS",
        "SYSTEMS", "TRANSFER", "TRANSFERS", "PAYMENT", "PAYMENTS", "INVOICE", "INVOICES", "REFERENCE",
        "ACCOUNT", "CREDIT", "DEBIT", "FROM",
    }
)
"""Words so common in names and narratives that they count only when spelt exactly: ``RWANDA`` in a narrative
must not pass for a misspelt or truncated ``RWANDAIR``."""
TWIN_WORDS = frozenset({"RWANDA", "RW", "AFRICA", "AFRICAN", "EAST", "GROUP", "HOLDINGS", "HOLDING", "INTERNATIONAL",
                        "GLOBAL"})
"""Words that set no company apart from its namesake: ``Ikaze Motors Ltd`` and ``Ikaze Motors Rwanda Ltd``,
``Mukungwa Media Holdings Ltd`` are twins, and a line that names only IKAZE MOTORS cannot tell which paid."""
INVOICE_WORDS = frozenset({"INV", "INVOICE", "INVOICES", "INVNO", "FACTURE", "FACTURES", "FACT", "BILL",
                           "FAKITIRI", "FAGITIRE", "KWISHYURA"})
"""Words that announce an invoice number (in English, French and Kinyarwanda: FACTURE, FAKITIRI, KWISHYURA "to
pay"); with one of them a bare serial (``INVOICE 42``, ``FACT 42``) counts."""

BANK_CHARGES: Mapping[str, Decimal] = MappingProxyType(
    {code: Decimal(50) for code in ("USD", "EUR", "GBP", "CHF")}
)
"""Default largest shortfall read as bank charges, per currency (international transfers arrive 10-45 USD
short). Other currencies default to none: pass the accountant's figure from Settings."""

_NO_AMOUNTS: Mapping[str, Decimal] = MappingProxyType({})
_TOKEN = re.compile(r"[A-Z]+|[0-9]+")
_SEP = r"[^A-Z0-9]{0,3}"
_DOTTED = re.compile(r"(?<![A-Z])(?:[A-Z]\.){2,}[A-Z]?(?![A-Z])")  # S.A.R.L -> SARL, P.L.C. -> PLC


@dataclass(frozen=True, slots=True)
class Evidence:
    """One kind of evidence: its strength 0-100 and why, in words ("" when there is none)."""

    points: int
    reason: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.points <= 100:
            raise ValueError(f"evidence points {self.points} are not between 0 and 100")


NO_EVIDENCE = Evidence(0)


@dataclass(frozen=True, slots=True)
class Score:
    """How sure we are that a bank line pays an invoice (0-100), and the evidence in words."""

    score: int
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """The reasons joined for a cell: ``invoice number in narrative; amount = open - 3% WHT``."""
        return "; ".join(self.reasons)



# -- the reference ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReferenceKeys:
    """An invoice number taken apart: ``INV-2025-00042`` is prefix INV, year 2025, serial 00042.

    Letters and digit groups are the parts; separators do not count. ``middle`` holds what stands between the
    prefix and the serial (usually the year), ``suffix`` what follows the serial (``-CR``).

    >>> keys = reference_keys("inv-2025-00042")
    >>> keys.prefix, keys.middle, keys.serial, keys.number, keys.compact
    (('INV',), ('2025',), '00042', '42', 'INV202500042')
    """

    invoice_no: str
    prefix: tuple[str, ...]
    middle: tuple[str, ...]
    serial: str
    suffix: tuple[str, ...] = ()

    @property
    def number(self) -> str:
        """The serial without leading zeros: ``00042`` -> ``42``."""
        return self.serial.lstrip("0") or ("0" if self.serial else "")

    @property
    def compact(self) -> str:
        """The number without separators, upper-case: ``INV202500042``."""
        return "".join((*self.prefix, *self.middle, self.serial, *self.suffix))


@lru_cache(maxsize=4096)
def reference_keys(invoice_no: str) -> ReferenceKeys:
    """The parts of an invoice number that a narrative may show (see :class:`ReferenceKeys`).

    >>> reference_keys("FAC/25/7").middle, reference_keys("00042").prefix
    (('25',), ())
    """
    tokens = _TOKEN.findall(fold(str(invoice_no)))
    if not tokens:
        raise BadValue(f'invoice number "{str(invoice_no)[:30]}" has no letters or digits')
    digit_at = [i for i, t in enumerate(tokens) if t.isdigit()]
    if not digit_at:
        return ReferenceKeys(str(invoice_no), tuple(tokens), (), "")
    first, last = digit_at[0], digit_at[-1]
    prefix, middle, suffix = tuple(tokens[:first]), tuple(tokens[first:last]), tuple(tokens[last + 1 :])
    return ReferenceKeys(str(invoice_no), prefix, middle, tokens[last], suffix)


@dataclass(frozen=True, slots=True)
class _Rule:
    points: int
    pattern: re.Pattern[str]
    reason: str  # "{found}" is replaced by the text found


def _joined(parts: Iterable[str]) -> str:
    return _SEP.join(parts)


def _start(pattern: str) -> str:
    """A number must not continue a longer number: 42 is not in 1420."""
    return f"(?<![0-9]){pattern}"


@lru_cache(maxsize=4096)
def _rules(keys: ReferenceKeys) -> tuple[_Rule, ...]:
    """The spellings of one invoice number, strongest first, as patterns over the folded narrative."""
    prefix = [re.escape(t) for t in keys.prefix]
    middle = [re.escape(t) for t in keys.middle]
    suffix = f"(?:{_SEP}{_joined(re.escape(t) for t in keys.suffix)})?" if keys.suffix else ""
    end = "(?![0-9])"
    if not keys.serial:  # letters only: nothing but the whole number will do
        whole = _joined(prefix)
        return (_Rule(100, re.compile(f"(?<![A-Z0-9]){whole}(?![A-Z0-9])"), "invoice number in narrative"),)
    serial, padded = re.escape(keys.serial), f"0*{re.escape(keys.number)}"
    rules: list[_Rule] = []
    # A serial on its own (no prefix, no year) is the whole number only when it is long enough to be rare.
    if keys.prefix or keys.middle or len(keys.serial) >= 5:
        rules.append(_Rule(100, re.compile(_start(_joined([*prefix, *middle, serial])) + end + suffix),
                           "invoice number in narrative"))
    if keys.prefix and keys.middle and keys.number != keys.serial:
        rules.append(_Rule(90, re.compile(_start(_joined([*prefix, *middle, padded])) + end),
                           'invoice number in narrative as "{found}"'))
    if keys.prefix and keys.middle:
        rules.append(_Rule(85, re.compile(_start(_joined([*middle, serial])) + end),
                           'invoice number without prefix in narrative ("{found}")'))
    if keys.middle and keys.number != keys.serial:
        rules.append(_Rule(80, re.compile(_start(_joined([*middle, padded])) + end),
                           'invoice number without prefix in narrative ("{found}")'))
    return tuple(rules)


@lru_cache(maxsize=4096)
def _truncations(keys: ReferenceKeys) -> tuple[_Rule, ...]:
    """The number cut short by a bank field: at most two digits lost, and what is left says something."""
    if not (keys.prefix or keys.middle):
        return ()
    head = [re.escape(t) for t in (*keys.prefix, *keys.middle)]
    rules = []
    for lost, points in ((1, 50), (2, 40)):
        kept = keys.serial[: len(keys.serial) - lost]
        if kept.strip("0"):
            pattern = _start(_joined([*head, re.escape(kept)])) + r"(?=[^A-Z0-9]*$)"
            reason = 'invoice number cut short in narrative ("{found}")'
            rules.append(_Rule(points, re.compile(pattern), reason))
    return tuple(rules)


def _digit_runs(folded: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"[0-9]+", folded)]


def _stands_alone(folded: str, runs: list[tuple[str, int, int]], index: int) -> bool:
    """A digit group that is not part of a longer number, a phone number or an amount (``0788 123 042``)."""
    _, start, end = runs[index]
    if index > 0:
        gap = folded[runs[index - 1][2] : start]
        if len(gap) <= 1 and gap in ("", " ", ".", ",", "-", "/", "'"):
            return False
    if index + 1 < len(runs):
        gap = folded[end : runs[index + 1][1]]
        if len(gap) <= 1 and gap in ("", " ", ".", ",", "-", "/", "'"):
            return False
    return True


def _context(folded: str, keys: ReferenceKeys) -> str:
    """What in the narrative says that a bare serial is an invoice's: the prefix, INVOICE, or the year."""
    words = set(re.findall(r"[A-Z]+", folded))
    for word in (*keys.prefix, *sorted(INVOICE_WORDS)):
        if word in words:
            return word
    digits = set(re.findall(r"[0-9]+", folded))
    for group in keys.middle:
        if group.isdigit() and group in digits:
            return group
    return ""


def reference_evidence(narrative: str, invoice_no: str | ReferenceKeys) -> Evidence:
    """How clearly the narrative names the invoice number (case and separators ignored).

    ======================================  ======  ================================================
    narrative shows                         points  example for ``INV-2025-00042``
    ======================================  ======  ================================================
    the whole number                        100     ``INV-2025-00042``, ``inv 2025 00042``
    the whole number, zeros dropped         90      ``inv2025/42``
    the number without prefix               85      ``2025-00042``
    ... and without the zeros               80      ``2025/42``
    the zero-padded serial alone            70      ``PAYMENT 00042``
    the bare serial with prefix or year     60      ``INVOICE 42 OF 2025``
    the number cut short by one digit       50      ``INV-2025-0004`` at the end of the narrative
    ... by two digits                       40      ``INV-2025-012`` for ``INV-2025-01234``
    ======================================  ======  ================================================

    A bare serial counts only as a group of its own: never 42 inside 1420, in ``0788 123 042`` or in 42,000.

    >>> reference_evidence("PMT INV 2025 00042 THANKS", "INV-2025-00042")
    Evidence(points=100, reason='invoice number in narrative')
    >>> reference_evidence("inv2025/42", "INV-2025-00042").points
    90
    >>> reference_evidence("REF 1420 2025", "INV-2025-00042").points
    0
    """
    keys = invoice_no if isinstance(invoice_no, ReferenceKeys) else reference_keys(invoice_no)
    folded = fold(narrative) if isinstance(narrative, str) else ""
    for rule in _rules(keys):
        if found := rule.pattern.search(folded):
            return Evidence(rule.points, rule.reason.format(found=found.group().strip()))
    if not keys.serial:
        return NO_EVIDENCE
    runs = _digit_runs(folded)
    alone = [run for i, run in enumerate(runs) if _stands_alone(folded, runs, i)]
    padded = (keys.prefix or keys.middle) and len(keys.serial) >= 4 and keys.number != keys.serial
    if padded and any(text == keys.serial for text, _, _ in alone):
        return Evidence(70, f"invoice serial {keys.serial} in narrative")
    if any(text.lstrip("0") == keys.number.lstrip("0") and text for text, _, _ in alone) and (
        context := _context(folded, keys)
    ):
        return Evidence(60, f"invoice serial {keys.number} in narrative with {context}")
    for rule in _truncations(keys):
        if found := rule.pattern.search(folded):
            return Evidence(rule.points, rule.reason.format(found=found.group().strip()))
    return NO_EVIDENCE


# -- the payer's name ------------------------------------------------------------------------------------


def name_tokens(text: str, keep_small_words: bool = False) -> tuple[str, ...]:
    """The words of a name as compared: upper-case, no accents or punctuation, no legal form, no numbers.

    >>> name_tokens("Bank of Kigali Plc."), name_tokens("Société Générale S.A.R.L")
    (('BANK', 'KIGALI'), ('SOCIETE', 'GENERALE'))
    >>> name_tokens("Bank of Kigali Plc.", keep_small_words=True)
    ('BANK', 'OF', 'KIGALI')
    """
    folded = _DOTTED.sub(lambda m: m.group().replace(".", ""), fold(text)) if isinstance(text, str) else ""
    words = re.findall(r"[A-Z]+", folded)
    dropped = LEGAL_FORMS if keep_small_words else LEGAL_FORMS | STOP_WORDS
    return tuple(w for w in words if w not in dropped)


def short_name(tokens: Sequence[str]) -> tuple[str, ...]:
    """The name without the words that end it and set no company apart (Save the Children *International
    Rwanda*, World Vision *Rwanda*), as people write it; empty unless something is dropped and what is left
    holds two words of four letters or more that are no common words (not DEVELOPMENT BOARD).

    >>> short_name(name_tokens("Save the Children International Rwanda")), short_name(("RWANDA", "DEVELOPMENT"))
    (('SAVE', 'CHILDREN'), ())
    """
    kept = len(tokens)
    while kept and tokens[kept - 1] in TWIN_WORDS:
        kept -= 1
    core = tuple(tokens[:kept])
    if kept == len(tokens) or sum(1 for t in core if t not in COMMON_WORDS and len(t) >= 4) < 2:
        return ()
    return core


def acronym(name: str) -> str:
    """The initials of a name's words, without legal form and small words: Rwanda Revenue Authority -> RRA.

    >>> acronym("Rwanda Revenue Authority"), acronym("Bank of Kigali Plc")
    ('RRA', 'BK')
    """
    return "".join(w[0] for w in name_tokens(name))


def _similar(name_word: str, seen: str) -> float:
    """How much a word of the narrative stands for a word of the name (1 exact, 0 not at all)."""
    if name_word == seen:
        return 1.0
    if seen in COMMON_WORDS or len(seen) < 4:
        return 0.0
    if name_word.startswith(seen):  # truncated or abbreviated: AUTH for AUTHORITY
        return 0.5 + 0.5 * len(seen) / len(name_word)
    if len(name_word) >= 5:  # misspelt: KIGALLI for KIGALI
        return fuzz.ratio(name_word, seen, score_cutoff=80) / 100
    return 0.0


def word_likeness(name_word: str, seen: str) -> float:
    """How much a word seen in a narrative stands for a word of a name: 1 the same, 0 not at all.

    Spelt the same: 1. Cut short to at least four letters: 0.5 plus half the share kept. Misspelt (names of
    five letters or more): the rapidfuzz ratio, if 80 % or more. Common words (``RWANDA``, ``BANK``) and words
    under four letters count only when spelt the same.

    >>> word_likeness("AUTHORITY", "AUTH"), word_likeness("KIGALI", "KIGALLI"), word_likeness("RWANDAIR", "RWANDA")
    (0.7222222222222222, 0.923076923076923, 0.0)
    """
    return _similar(name_word, seen)


def _aligned(name: Sequence[str], window: Sequence[str]) -> float:
    """Share of the name (by letters) found in the window, in order; each name word used at most once."""
    best = [[0.0] * (len(window) + 1) for _ in range(len(name) + 1)]
    for i, word in enumerate(name, start=1):
        for j, seen in enumerate(window, start=1):
            matched = best[i - 1][j - 1] + len(word) * _similar(word, seen)
            best[i][j] = max(best[i - 1][j], best[i][j - 1], matched)
    return best[-1][-1] / sum(len(w) for w in name)


def _best_window(name: Sequence[str], words: Sequence[str], whole: frozenset[str]) -> tuple[float, str]:
    """The best-matching run of narrative words: (share of the name found, the words found).

    ``whole`` holds the name written without spaces (with and without its small words): a run of words that
    joins up to one of them is the whole name (``MIN INFRA`` for MININFRA, ``BANKOFKIGALI``).
    """
    best, shown = 0.0, ""
    for size in range(1, len(name) + 2):
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if "".join(window) in whole:
                share = 1.0
            elif size >= len(name) - 1:
                share = _aligned(name, window)
            else:
                continue
            if share > best + 1e-9:
                best, shown = share, " ".join(window)
    return best, shown


def name_evidence(narrative: str, customer_name: str, aliases: Sequence[str] = ()) -> Evidence:
    """How clearly the narrative names the customer: by name, by an alias, or by its initials.

    Names are compared as :func:`name_tokens`; a word counts when it is spelt the same, cut short (``AUTH``
    for AUTHORITY, at least four letters) or misspelt by a letter or two (``KIGALLI``). Runs of words are
    compared in order, so ``RWANDA`` alone does not match Rwanda Revenue Authority. Short names must be
    spelt exactly: a two- or three-letter alias (``BK``, ``MTN``) is its own word in the narrative or nothing.

    ===============================================  ======
    narrative shows                                  points
    ===============================================  ======
    the customer's name, whole                       100
    an alias, whole                                  95
    a three-letter alias / a two-letter alias        85 / 70
    the initials of the name (at least three)        70
    most of the name or an alias (75 % or more)      that share, at most 95 (alias 90)
    ===============================================  ======

    >>> name_evidence("TRF FROM RWANDA REVENUE AUTH", "Rwanda Revenue Authority")
    Evidence(points=89, reason='customer name 89% alike ("RWANDA REVENUE AUTH")')
    >>> name_evidence("RRA TAX REFUND", "Rwanda Revenue Authority")
    Evidence(points=70, reason='"RRA" = initials of the customer name')
    >>> name_evidence("BK TRANSFER", "Bank of Kigali Plc", aliases=["BK"]).points
    70
    """
    words = name_tokens(narrative)
    if not words:
        return NO_EVIDENCE
    found: list[Evidence] = []
    candidates = [(customer_name, False), *((alias, True) for alias in aliases if isinstance(alias, str))]
    for text, is_alias in candidates:
        name = name_tokens(text) or name_tokens(text, keep_small_words=True)
        compact = "".join(name)
        if len(compact) < 2:
            continue
        if len(compact) <= 3:  # too short to be guessed at: whole word or nothing
            if compact in words:
                shown = f'alias "{compact}"' if is_alias else f'customer name "{compact}"'
                found.append(Evidence(85 if len(compact) == 3 else 70, f"{shown} in narrative"))
            continue
        whole = frozenset(w for w in (compact, "".join(name_tokens(text, keep_small_words=True))) if len(w) >= 5)
        share, seen = _best_window(name, words, whole)
        if share >= 1.0:
            found.append(Evidence(95, f'alias "{text.strip()}" in narrative') if is_alias
                         else Evidence(100, "customer name in narrative"))
        elif share >= (0.8 if len(name) == 1 else 0.75):
            points = int((Decimal(share) * 100).quantize(Decimal(1), ROUND_HALF_UP))
            label = f'alias "{text.strip()}"' if is_alias else "customer name"
            found.append(Evidence(min(points, 90 if is_alias else 95), f'{label} {points}% alike ("{seen}")'))
        short = short_name(name)
        if short:  # written without its generic ending: as an alias
            dropped = " ".join(name[len(short):])
            named = f'alias "{text.strip()}"' if is_alias else "customer name"
            label = f'{named} without "{dropped}"'
            share, seen = _best_window(short, words, frozenset({"".join(short)}))
            if share >= 1.0:
                found.append(Evidence(95, f"{label} in narrative"))
            elif share >= 0.75:
                points = int((Decimal(share) * 100).quantize(Decimal(1), ROUND_HALF_UP))
                found.append(Evidence(min(points, 90), f'{label} {points}% alike ("{seen}")'))
        initials = acronym(text)
        if len(name) >= 3 and len(initials) >= 3 and initials in words:
            label = f'alias "{text.strip()}"' if is_alias else "the customer name"
            found.append(Evidence(70, f'"{initials}" = initials of {label}'))
    # Strongest first; on a tie the customer's own name, then the aliases in the order given.
    return max(found, key=lambda e: e.points, default=NO_EVIDENCE)


# -- the amount ------------------------------------------------------------------------------------------


def amount_evidence(
    amount: Decimal,
    open_amount: Decimal,
    currency: str,
    expected: Mapping[str, Decimal] = _NO_AMOUNTS,
    *,
    charges: Decimal | None = None,
) -> Evidence:
    """How well the amount received fits what is open on the invoice.

    ``expected`` maps an explanation to what the customer would send: ``{"3% WHT": 1_150_000}``.
    ``charges`` is the largest shortfall read as bank charges (default :data:`BANK_CHARGES`, none for RWF).
    Amounts are rounded to the currency first; a difference of one unit (1 RWF, 0.01 USD) is rounding.

    ======================================  ======  =========================================
    amount received                         points  reason
    ======================================  ======  =========================================
    the open amount                         100     amount = open amount
    an expected amount                      90      amount = open - 3% WHT
    either of those, one unit off           85/80   ... (rounding)
    up to ``charges`` short of either       60/55   amount = open - 25.00 (bank charges?)
    less than open (partial payment)        25      partial payment: 500,000 of 1,180,000
    more than open (overpayment)            20      overpayment by 20,000
    nothing, or a debit                     0
    ======================================  ======  =========================================

    >>> amount_evidence(Decimal("1150000"), Decimal("1180000"), "RWF", {"3% WHT": Decimal("1150000")})
    Evidence(points=90, reason='amount = open - 3% WHT')
    >>> amount_evidence(Decimal("1155.00"), Decimal("1180.00"), "USD").reason
    'amount = open - 25.00 (bank charges?)'
    """
    code = currency_of(currency).code
    received, due = round_money(amount, code), round_money(open_amount, code)
    if received <= 0 or due <= 0:
        return NO_EVIDENCE
    step = unit(code)
    places = exponent(code)
    most_charges = round_money(BANK_CHARGES.get(code, Decimal(0)) if charges is None else charges, code)

    def shown(value: Decimal) -> str:
        return f"{value:,.{places}f}"

    targets = [("", due), *((label, round_money(value, code)) for label, value in expected.items())]
    if received == due:
        return Evidence(100, "amount = open amount")
    for label, target in targets[1:]:
        if received == target:
            return Evidence(90, f"amount = open - {label}")
    for points, (label, target) in zip((85, *([80] * (len(targets) - 1))), targets, strict=True):
        if abs(received - target) <= step:
            name = f"open - {label}" if label else "open amount"
            sign = "+" if received > target else "-"
            return Evidence(points, f"amount = {name} {sign} {shown(step)} (rounding)")
    # Short by bank charges: the explanation that leaves the smallest charge wins (open amount on a tie).
    charged = [(target - received, order, label) for order, (label, target) in enumerate(targets)
               if target - most_charges <= received < target]
    if charged:
        shortfall, order, label = min(charged)
        name = f"open - {label}" if label else "open"
        return Evidence(55 if order else 60, f"amount = {name} - {shown(shortfall)} (bank charges?)")
    if received < due:
        return Evidence(25, f"partial payment: {shown(received)} of {shown(due)}")
    return Evidence(20, f"overpayment by {shown(received - due)}")


# -- all together ----------------------------------------------------------------------------------------


def combine(reference: Evidence, name: Evidence, amount: Evidence) -> Score:
    """The score of three kinds of evidence: 0.80 x reference + 0.45 x name + 0.30 x amount, at most 100.

    >>> name, amount = Evidence(100, "customer name in narrative"), Evidence(100, "amount = open amount")
    >>> combine(NO_EVIDENCE, name, amount)
    Score(score=75, reasons=('customer name in narrative', 'amount = open amount'))
    """
    total = REFERENCE_WEIGHT * reference.points + NAME_WEIGHT * name.points + AMOUNT_WEIGHT * amount.points
    score = min(100, (total + 50) // 100)
    return Score(score, tuple(e.reason for e in (reference, name, amount) if e.points and e.reason))


def match_score(
    narrative: str,
    invoice_no: str,
    customer_name: str,
    amount: Decimal,
    open_amount: Decimal,
    currency: str = "RWF",
    aliases: Sequence[str] = (),
    expected: Mapping[str, Decimal] = _NO_AMOUNTS,
) -> Score:
    """How sure we are that the bank line (narrative, amount) pays the invoice; see the module for the rule.

    >>> match_score("MINISTRY OF INFRASTRUCTURE", "INV-2025-00042", "Ministry of Infrastructure",
    ...             Decimal("1180000"), Decimal("1180000")).reason
    'customer name in narrative; amount = open amount'
    >>> match_score("REVERSAL INV-2025-00042", "INV-2025-00042", "X", Decimal(-5), Decimal(5)).score
    0
    """
    if round_money(amount, currency) <= 0:
        return Score(0, ("debit: not a receipt",))
    return combine(
        reference_evidence(narrative, invoice_no),
        name_evidence(narrative, customer_name, aliases),
        amount_evidence(amount, open_amount, currency, expected),
    )

