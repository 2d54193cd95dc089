"""The forms of a customer's name as the payer index compares them, and how one is found among a line's words.

A customer is written in several *forms*: its name, each alias the accountant keeps, and the name without the
generic words that end it (HOLDINGS, RWANDA, GROUP: :func:`without_twin_words`). A form is compared by its
words (:func:`arxl.core.names.name_tokens`) in order, a word of the line counting when it is the same, a likely
misspelling of it, or its start (a name cut short by the bank's field). :func:`form_hit` scores one form in one
field of the line, as :func:`arxl.core.names.name_evidence` would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from arxl.core.money import CURRENCIES
from arxl.core.names import COMMON_WORDS, INVOICE_WORDS, STOP_WORDS, TWIN_WORDS, name_tokens, short_name

__all__ = [
    "CURRENCY_CODES",
    "NOISE_WORDS",
    "WEAK_SHARE",
    "Form",
    "NameHit",
    "core_words",
    "form_hit",
    "name_form",
    "post",
    "without_twin_words",
    "word_windows",
]

_K = TypeVar("_K", str, tuple[str, str], frozenset[str])
WEAK_SHARE = 0.6
"""Below the 75 % of :func:`~arxl.core.names.name_evidence`, a name this much alike (two words at least) is
still proposed for review."""
CURRENCY_CODES = frozenset(CURRENCIES)
# Words of bank narratives that are nobody's name: never guessed at as a misspelling or a truncation.
NOISE_WORDS = frozenset(
    {
        "PAYMENT", "PAYMENTS", "PAYMT", "PAYMNT", "PYMT", "PMT", "TRF", "TRANSFER", "TRANSF", "RTGS", "EFT", "ACH",
        "SWIFT", "INWARD", "OUTWARD", "INCOMING", "REMITTANCE", "SETTLEMENT", "SETTLEMT", "DEPOSIT", "CASH",
        "CHEQUE", "CHECK", "REF", "REFERENCE", "NARRATIVE", "BENEFICIARY", "ORDERING", "CUSTOMER", "VALUE",
        "DATE", "FAVOUR", "FAVOR", "BEING", "AMOUNT", "BALANCE", "PART", "PARTIAL", "FULL", "ADVANCE",
        "INSTALMENT", "INSTALLMENT", "SERVICES", "SERVICE", "FEES", "FEE", "CHARGES", "CHARGE", "NET", "GROSS",
        "WHT", "VAT", "TAX", "WITHHOLDING", "JANUARY", "FEBRUARY", "MARCH", "APRIL", "JUNE", "JULY",
        "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER", "SEPT", "MONTH", "MONTHLY", "QUARTER",
        "ANNUAL", "HOSTING", "LICENCE", "LICENSE", "INTERNET", "CONNECTIVITY", "SUPPORT", "MAINTENANCE",
        "PHONE", "MOBILE", "MONEY", "THANK", "THANKS", "RECEIVED", "RECEIPT", "PAID", "INWARDS", "TRANSACTION",
        "CREDIT", "DEBIT", "ACCOUNT", "NUMBER", "ONLINE", "BANKING", "INTERNAL", "EXTERNAL", "OUR", "YOUR",
        *INVOICE_WORDS,
    }
)


_NO_ALIASES = NOISE_WORDS | COMMON_WORDS | CURRENCY_CODES | frozenset(
    {"ETS", "ETABLISSEMENTS", "STE", "SOCIETE", "GROUP", "SONS", "AND", "THE", "MR", "MRS", "DR"})
"""Words that are no alias, whatever the customers table says: common words, currency codes, legal forms."""


@dataclass(frozen=True, slots=True)
class NameHit:
    """A customer named in a line: points 0-100, the reason, which words of which field named it, and the
    words of the customer's name (or alias, or initials) that were found."""

    customer: int
    points: int
    reason: str
    words: frozenset[tuple[int, int]]
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    """One way a customer is written: its name or an alias, as compared."""

    tokens: tuple[str, ...]
    letters: int
    alias: bool
    label: str
    whole: frozenset[str]
    initials: str
    words: frozenset[str]
    short: bool = False  # the name without its generic ending (:func:`without_twin_words`)


def post(table: dict[_K, list[int]], key: _K, position: int) -> None:
    postings = table.setdefault(key, [])
    if not postings or postings[-1] != position:
        postings.append(position)


def name_form(text: str, alias: bool) -> Form | None:
    if not isinstance(text, str) or not text.strip():
        return None
    with_small = name_tokens(text, keep_small_words=True)
    significant = tuple(w for w in with_small if w not in STOP_WORDS)  # name_tokens(text), read once
    tokens = significant or with_small
    compact = "".join(tokens)
    if len(compact) < 2 or (alias and len(tokens) == 1 and compact in _NO_ALIASES):
        return None  # an alias such as USD, KIGALI or PAYMENT would name a customer in every other line
    label = f'alias "{text.strip()}"' if alias else "customer name"
    if len(compact) <= 3:
        return Form((compact,), len(compact), alias, label, frozenset(), "", frozenset((compact,)))
    whole = frozenset(w for w in (compact, "".join(with_small)) if len(w) >= 5)
    initials = "".join(w[0] for w in significant)  # acronym(text)
    initials = initials if len(tokens) >= 3 and len(initials) >= 3 else ""
    return Form(tokens, sum(len(t) for t in tokens), alias, label, whole, initials, frozenset(tokens))


def without_twin_words(form: Form) -> Form | None:
    """The form without the generic words that end it (:func:`~arxl.core.names.short_name`), as an alias:
    SAVE THE CHILDREN names Save the Children International Rwanda. The namesake guard (:meth:`twins`) still
    tells apart the customers whose names differ only by those words."""
    core = short_name(form.tokens)
    if not core:
        return None
    dropped = " ".join(form.tokens[len(core):])
    compact = "".join(core)
    return Form(core, len(compact), True, f'{form.label} without "{dropped}"', frozenset({compact}), "",
                 frozenset(core), short=True)


def core_words(tokens: Sequence[str]) -> frozenset[str]:
    """The words of a name that set it apart (see :data:`TWIN_WORDS`), singular: SOLUTIONS is SOLUTION."""
    return frozenset(t[:-1] if len(t) > 4 and t.endswith("S") and not t.endswith("SS") else t
                     for t in tokens if t not in TWIN_WORDS)


def word_windows(words: tuple[str, ...], longest: int = 7) -> dict[str, tuple[int, int]]:
    """Runs of up to ``longest`` words written together (MIN INFRA -> MININFRA): first and last word."""
    runs: dict[str, tuple[int, int]] = {}
    for start in range(len(words)):
        joined = ""
        for end in range(start, min(len(words), start + longest)):
            joined += words[end]
            runs.setdefault(joined, (start, end))
    return runs


def form_hit(customer: int, form: Form, field: int, words: tuple[str, ...],
              likeness: list[dict[str, float]], windows: dict[str, tuple[int, int]]) -> NameHit | None:
    """One form against one field: whole, alias, most of it in order, or its initials."""
    if form.letters <= 3:
        if form.tokens[0] in words:
            where = frozenset((field, i) for i, w in enumerate(words) if w == form.tokens[0])
            shown = f'alias "{form.tokens[0]}"' if form.alias else f'customer name "{form.tokens[0]}"'
            return NameHit(customer, 85 if form.letters == 3 else 70, f"{shown} in narrative", where, form.tokens)
        return None
    size = len(form.tokens)
    found: NameHit | None = None
    for whole in form.whole:
        run = windows.get(whole)
        if run is not None and run[1] - run[0] <= size:
            where = frozenset((field, i) for i in range(run[0], run[1] + 1))
            return NameHit(customer, 95 if form.alias else 100, f"{form.label} in narrative", where, form.tokens)
    share, used = _aligned(form.tokens, words, likeness) if len(words) >= size - 1 else (0.0, ())
    if share >= (0.8 if size == 1 else 0.75):
        where = frozenset((field, i) for i in used)
        if share >= 1.0 - 1e-9:
            found = NameHit(customer, 95 if form.alias else 100, f"{form.label} in narrative", where, form.tokens)
        else:
            points = int((Decimal(share) * 100).quantize(Decimal(1), ROUND_HALF_UP))
            shown = " ".join(words[min(used) : max(used) + 1])
            found = NameHit(customer, min(points, 90 if form.alias else 95),
                            f'{form.label} {points}% alike ("{shown}")', where, form.tokens)
    elif share >= WEAK_SHARE and size >= 2 and len(used) >= 2:
        # a weak likeness (RUBONA SAB TRADING): worth proposing for review, never enough to apply
        points = int((Decimal(share) * 100).quantize(Decimal(1), ROUND_HALF_UP))
        shown = " ".join(words[min(used) : max(used) + 1])
        found = NameHit(customer, min(points, 69), f'{form.label} only {points}% alike ("{shown}")',
                        frozenset((field, i) for i in used), form.tokens)
    if form.initials and form.initials in words and (found is None or found.points < 70):
        where = frozenset((field, i) for i, w in enumerate(words) if w == form.initials)
        label = f'alias "{form.label[7:-1]}"' if form.alias else "the customer name"
        found = NameHit(customer, 70, f'"{form.initials}" = initials of {label}', where, (form.initials,))
    return found


def _aligned(name: tuple[str, ...], words: tuple[str, ...],
             likeness: list[dict[str, float]]) -> tuple[float, tuple[int, ...]]:
    """Best share of the name (by letters) found in order in a run of at most len(name) + 1 words."""
    options = [[(i, len(word) * likeness[i][word]) for i in range(len(words)) if word in likeness[i]]
               for word in name]
    total = sum(len(w) for w in name)
    if sum(max((v for _, v in option), default=0.0) for option in options) < WEAK_SHARE * total:
        return 0.0, ()  # even the best of every word would not be enough
    span = len(name) + 1
    best = 0.0
    best_used: tuple[int, ...] = ()
    starts = sorted({i for option in options for i, _ in option})
    for first in starts:
        last_allowed = first + span - 1
        # in-order choice of one word per name word, positions increasing, within [first, last_allowed]
        states: dict[int, tuple[float, tuple[int, ...]]] = {first - 1: (0.0, ())}
        for option in options:
            following = dict(states)
            for last, (score, used) in states.items():
                for i, value in option:
                    if last < i <= last_allowed:
                        candidate = (score + value, (*used, i))
                        if i not in following or candidate[0] > following[i][0]:
                            following[i] = candidate
            states = following
        for score, used in states.values():
            if used and score > best + 1e-9:
                best, best_used = score, used
    return best / total, best_used
