"""The payer's name as evidence: a customer's name, an alias or its initials in a bank line, scored 0-100.

Names are compared by their words, upper case and without accents, leaving out legal forms (LTD, PLC, SARL) and
small words (THE, OF, DE): the whole name 100, a whole alias 95, a three-letter alias 85, a two-letter alias or
the initials 70, most of the name its share (at most 95), a name cut short by the bank's field 80-90. Words as
common as RWANDA or BANK count only when spelt exactly. See :func:`name_evidence`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from rapidfuzz import fuzz

from arxl.core.evidence import NO_EVIDENCE, Evidence
from arxl.core.text import fold

__all__ = [
    "COMMON_WORDS",
    "INVOICE_WORDS",
    "LEGAL_FORMS",
    "STOP_WORDS",
    "TWIN_WORDS",
    "acronym",
    "name_evidence",
    "name_tokens",
    "short_name",
    "word_likeness",
]

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

_DOTTED = re.compile(r"(?<![A-Z])(?:[A-Z]\.){2,}[A-Z]?(?![A-Z])")  # S.A.R.L -> SARL, P.L.C. -> PLC


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
