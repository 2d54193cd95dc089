"""The invoice number as evidence: an invoice number somewhere in a bank narrative, in any spelling, scored 0-100.

``INV-2025-00042``, ``INV 2025 00042``, ``inv2025/42``, ``2025-00042``, ``00042``, a bare ``42`` next to the year
or a word that announces an invoice (:data:`arxl.core.names.INVOICE_WORDS`), or cut short by the bank's field
length (``INV-2025-0004``). See :func:`reference_evidence`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from arxl.core.errors import BadValue
from arxl.core.evidence import NO_EVIDENCE, Evidence
from arxl.core.names import INVOICE_WORDS
from arxl.core.text import fold

__all__ = ["ReferenceKeys", "reference_evidence", "reference_keys"]

_TOKEN = re.compile(r"[A-Z]+|[0-9]+")
_SEP = r"[^A-Z0-9]{0,3}"


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
