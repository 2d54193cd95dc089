"""Who paid? The customer behind a bank line, by its bank account or by its name, among thousands.

Two kinds of evidence name the payer:

* **a bank account or mobile-money number** the customer is known to pay from, in the line's counterparty
  account or written in the narrative (``MOMO 250788123456``, ``0788 123 456``). Accounts compare by their
  digits (``00040-0012345-67`` is ``000400012345 67``); phone numbers as ``2507XXXXXXXX``. An account is
  exact evidence, unless several customers share it.
* **a name**: the customer's name or an alias the accountant keeps for it, in the counterparty name or the
  narrative, upper-case, misspelt, truncated or abbreviated, with the points of
  :func:`arxl.core.names.name_evidence` (whole name 100, whole alias 95, three-letter alias 85,
  two-letter alias or initials 70, most of the name: its share, at most 95).

Comparing a narrative with 20,000 names one by one is too slow and, on noisy narratives, wrong about half the
time. So names are indexed by their words, pairs of words, the name written without spaces (``MININFRA``),
short aliases and initials; a word of the narrative that is no known word is looked up as the start of one
(``AUTH`` for AUTHORITY) or as a misspelling of one of about the same length (rapidfuzz, 80 % or more). Only
the customers reached that way are compared, words in order, as the scoring module does.

Payment channels are no payers: ``MTN MOBILE MONEY``, ``AIRTEL MONEY`` or ``MOMO`` in a line say how the
money came, not who sent it, and are left out before names are compared.

>>> index = CustomerIndex([
...     CustomerProfile("C1", "Rwanda Revenue Authority", ("RRA",), ("000400012345",)),
...     CustomerProfile("C2", "Bank of Kigali Plc", ("BK",), ("0788123456",))])
>>> index.accounts("00040-0012345", "")
[0]
>>> index.accounts("MTN MOBILE MONEY", "MOMO 250788123456 REF 99812")
[1]
>>> [(h.customer, h.points, h.reason) for h in index.names(["RWANDA REVENUE AUTH"])]
[(0, 90, 'customer name cut short ("RWANDA REVENUE AUTH")')]
>>> [(h.customer, h.points, h.reason) for h in index.names(["", "TRF FROM RWANDA REVENUE AUTH"])]
[(0, 89, 'customer name 89% alike ("RWANDA REVENUE AUTH")')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from arxl.cashapp.name_forms import (
    NOISE_WORDS,
    WEAK_SHARE,
    Form,
    NameHit,
    core_words,
    form_hit,
    name_form,
    post,
    without_twin_words,
    word_windows,
)
from arxl.cashapp.narratives import Prepared, prepare
from arxl.core.accounts import payer_account_key
from arxl.core.names import COMMON_WORDS, TWIN_WORDS, name_tokens
from arxl.core.text import fold
from arxl.ledger.matching import CustomerProfile

__all__ = ["CustomerIndex"]

NamesKey = tuple[str, tuple[tuple[str, ...], ...]]  # the name field as read, and the words of each field

_POSTINGS_CAP = 300  # a word shared by more customers than this does not bring candidates on its own
_CANDIDATES_CAP = 16
_EXTRA_CANDIDATES = 4
_CACHE_CAP = 200_000  # names worked out and remembered, at most
_CHANNELS = re.compile(
    r"\b(?:(?:MTN|AIRTEL|TIGO)\W*(?:MOBILE\W*MONEY|MO\W?MO(?:\W*PAY)?|MONEY)|MOBILE\W*MONEY|MO\W?MO(?:\W*PAY)?"
    r"|M\W?PESA)\b"
)


class CustomerIndex:
    """Customers looked up by bank account and by name; customers are known by their position in the list."""

    def __init__(self, customers: Sequence[CustomerProfile]) -> None:
        self.customers = list(customers)
        self._accounts: dict[str, list[int]] = {}
        self._forms: list[tuple[Form, ...]] = []
        self._letters: list[int] = []  # letters of the customer's shortest name or alias
        self._longest: list[int] = []  # and of its longest
        self._by_word: dict[str, list[int]] = {}
        self._by_pair: dict[tuple[str, str], list[int]] = {}
        self._by_whole: dict[str, list[int]] = {}
        self._by_short: dict[str, list[int]] = {}
        self._by_initials: dict[str, list[int]] = {}
        self._by_first: dict[str, list[tuple[int, int]]] = {}  # first word -> (customer, form)
        self._by_first_two: dict[tuple[str, str], list[tuple[int, int]]] = {}  # first word, 2 letters of next
        for position, customer in enumerate(self.customers):
            for account in customer.bank_accounts:
                key = payer_account_key(account)
                if key:
                    post(self._accounts, key, position)
            forms: list[Form] = []
            for text, alias in ((customer.name, False), *((a, True) for a in customer.aliases)):
                form = name_form(text, alias)
                if form is None:
                    continue
                for variant in (form, without_twin_words(form)):
                    if variant is None or any(f.tokens == variant.tokens for f in forms):
                        continue
                    forms.append(variant)
                    self._post_form(position, variant, len(forms) - 1)
            self._forms.append(tuple(forms))
            self._letters.append(min((f.letters for f in forms if f.letters > 3), default=0))
            self._longest.append(max((f.letters for f in forms), default=1))
        vocabulary = sorted(w for w in self._by_word if len(w) >= 4)
        self._vocabulary = vocabulary
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        for word in vocabulary:
            if len(word) >= 5:
                self._by_shape.setdefault((word[0], len(word)), []).append(word)
        self._likeness: dict[str, dict[str, float]] = {}
        self._fields: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._in_text: dict[str, tuple[int, ...]] = {}  # folded narrative -> customers whose account it shows
        self._alone: dict[str, re.Pattern[str]] = {}
        self._found: dict[NamesKey, list[NameHit]] = {}
        self._named: dict[tuple[int, tuple[tuple[str, ...], ...]], NameHit | None] = {}
        self._sharing: dict[tuple[int, frozenset[str], tuple[str, ...]], list[int]] = {}
        self._by_core: dict[frozenset[str], list[int]] = {}
        for position, known in enumerate(self._forms):
            for form in known:
                core = core_words(form.tokens)
                if core:
                    post(self._by_core, core, position)

    def _post_form(self, position: int, form: Form, index: int) -> None:
        """Index one way of writing a customer by its words, pairs, whole, first words and initials."""
        if len(form.tokens) >= 2:
            self._by_first.setdefault(form.tokens[0], []).append((position, index))
            self._by_first_two.setdefault((form.tokens[0], form.tokens[1][:2]), []).append((position, index))
        if form.letters <= 3:
            post(self._by_short, form.tokens[0], position)
            return
        for word in form.tokens:
            post(self._by_word, word, position)
        for pair in zip(form.tokens, form.tokens[1:], strict=False):
            post(self._by_pair, pair, position)
        for whole in form.whole:
            post(self._by_whole, whole, position)
        if form.initials:
            post(self._by_initials, form.initials, position)

    # -- accounts ---------------------------------------------------------------------------------------

    def accounts(self, counterparty_account: str, narrative: str | Prepared) -> list[int]:
        """Customers whose bank account or phone is the line's account or is written in the narrative."""
        found: list[int] = []
        key = payer_account_key(counterparty_account)
        if key:
            found.extend(self._accounts.get(key, ()))
        found.extend(self.accounts_in(narrative if isinstance(narrative, Prepared) else prepare(narrative or "")))
        return sorted(set(found))

    def accounts_in(self, text: Prepared) -> tuple[int, ...]:
        """Customers whose bank account or phone is written in the text (remembered per text)."""
        known = self._in_text.get(text.folded)
        if known is not None:
            return known
        found: list[int] = []
        runs = [r for r in text.runs if r[0][0].isdigit() and len(r[0]) >= 2]
        for i in range(len(runs)):
            joined = ""
            for k in range(i, min(i + 5, len(runs))):
                if k > i and runs[k][1] - runs[k - 1][2] > 1:
                    break
                joined += runs[k][0]
                if len(joined) >= 9:
                    found.extend(self._accounts.get(payer_account_key(joined), ()))
                if len(joined) >= 16:
                    break
        known = tuple(found)
        if len(self._in_text) < _CACHE_CAP:
            self._in_text[text.folded] = known
        return known

    # -- names ------------------------------------------------------------------------------------------

    def names(self, fields: Sequence[str]) -> list[NameHit]:
        """Customers named in the fields (counterparty name, narrative), strongest first, 60 points or more
        (below 70 only weakly: most of a name of two words or more)."""
        read = [self._read(text) for text in fields]
        seen_fields = [words for _, words in read]
        # the same payer's name recurs, the narrative's numbers and references aside: what the words (and the
        # name field as written, for a name cut short) say is worked out once
        key = (read[0][0] if read else "", tuple(seen_fields))
        known = self._found.get(key)
        if known is None:
            known = self._names(fields, seen_fields)
            if len(self._found) < _CACHE_CAP:
                self._found[key] = known
        return list(known)

    def _read(self, text: str) -> tuple[str, tuple[str, ...]]:
        """A field without the payment channels, folded, and its name words."""
        if not text:
            return "", ()
        known = self._fields.get(text)
        if known is None:
            shown = _CHANNELS.sub(" ", fold(text))
            known = (shown, name_tokens(shown))
            if len(self._fields) < _CACHE_CAP:
                self._fields[text] = known
        return known

    def _names(self, fields: Sequence[str], seen_fields: list[tuple[str, ...]]) -> list[NameHit]:
        """:meth:`names`, worked out."""
        weight: dict[int, float] = {}
        likeness: list[list[dict[str, float]]] = []
        for words in seen_fields:
            field_likeness = [self._like(word) for word in words]
            likeness.append(field_likeness)
            for position, word in enumerate(words):
                for known, similarity in field_likeness[position].items():
                    postings = self._by_word.get(known, ())
                    if len(postings) <= _POSTINGS_CAP:
                        for customer in postings:
                            weight[customer] = weight.get(customer, 0.0) + len(known) * similarity
                for table in (self._by_short, self._by_initials):
                    for customer in table.get(word, ())[:_POSTINGS_CAP]:
                        weight[customer] = weight.get(customer, 0.0) + 50
                if position + 1 < len(words):
                    for customer in self._by_pair.get((word, words[position + 1]), ())[:_POSTINGS_CAP]:
                        weight[customer] = weight.get(customer, 0.0) + 20
                joined = word
                for size in range(2, 5):
                    if position + size > len(words):
                        break
                    joined += words[position + size - 1]
                    for customer in self._by_whole.get(joined, ())[:_POSTINGS_CAP]:
                        weight[customer] = weight.get(customer, 0.0) + 100
        cut_short = self._cut_short(fields[0], seen_fields[0]) if fields and seen_fields[0] else []
        if not weight:
            return cut_short
        windows = [word_windows(words) for words in seen_fields]
        # most of some name must be there: compare the letters found with the customer's shortest name
        share = {c: w / self._letters[c] if self._letters[c] else w for c, w in weight.items()}
        # a customer with a short alias reaches a share of 1 on RWANDA and AUTHORITY alone: among those, the
        # most letters found first; and the one whose longest name is nearly all there (RWANDA REVENEU
        # AUTHORITY) must not be crowded out by them
        ranked = sorted((c for c in weight if share[c] >= WEAK_SHARE), key=lambda c: (-min(share[c], 1.0),
                                                                                     -weight[c], c))
        whole = sorted((c for c in ranked[_CANDIDATES_CAP:] if weight[c] >= 0.75 * self._longest[c]),
                       key=lambda c: (-weight[c] / self._longest[c], c))
        ranked = ranked[:_CANDIDATES_CAP] + whole[:_EXTRA_CANDIDATES]
        hits = []
        for customer in ranked:
            hit = self._score(customer, seen_fields, likeness, windows)
            if hit is not None:
                hits.append(hit)
        for hit in cut_short:  # a name cut short by the bank, if it says more than the likeness above
            earlier = next((h for h in hits if h.customer == hit.customer), None)
            if earlier is None or earlier.points < hit.points:
                hits = [h for h in hits if h.customer != hit.customer] + [hit]
        hits.sort(key=lambda h: (-h.points, -len(h.words), h.customer))
        return hits

    def _cut_short(self, field: str, words: tuple[str, ...]) -> list[NameHit]:
        """Customers whose name *begins* with the whole name field, its last word maybe cut: banks cut the
        payer's name at 20-35 characters (``UMURAGE AGRO VEN`` for Umurage Agro Ventures Ltd). Only where the
        field ends with that word (not ``UMURAGE AGRO LTD``), and at least two words. One customer whose name
        begins so: 90 points if the field holds half of the name or more, else 80; several: 70 each, which
        the matcher reads as names that fit more than one customer."""
        if len(words) < 2 or not field:
            return []
        text = _CHANNELS.sub(" ", fold(field))
        last = re.findall(r"[A-Z]+", text)
        if not last or last[-1] != words[-1] or re.search(r"[0-9]", text[text.rfind(words[-1]) :]):
            return []  # something else (a legal form, a number) closes the name
        found: list[tuple[int, Form]] = []
        heads = self._by_first_two.get((words[0], words[1][:2]), ()) if len(words[1]) >= 2 else \
            self._by_first.get(words[0], ())
        for customer, index in heads[: _POSTINGS_CAP * 3]:
            form = self._forms[customer][index]
            tokens = form.tokens
            if len(tokens) < len(words) or tokens[: len(words) - 1] != words[:-1]:
                continue
            end = tokens[len(words) - 1]
            if end.startswith(words[-1]) and (end != words[-1] or len(tokens) > len(words)):
                found.append((customer, form))
        customers = sorted({c for c, _ in found})
        hits: list[NameHit] = []
        where = frozenset((0, i) for i in range(len(words)))
        for customer, form in sorted(found, key=lambda cf: (cf[0], cf[1].letters)):
            if hits and hits[-1].customer == customer:
                continue
            share = sum(len(w) for w in words) / form.letters
            points = (90 if share >= 0.5 else 80) if len(customers) == 1 else 70
            label = form.label
            hits.append(NameHit(customer, points, f'{label} cut short ("{" ".join(words)}")', where, words))
        return hits

    def sharing(self, hit: NameHit) -> list[int]:
        """Other customers whose name or alias holds every word that named this one (``UMUCYO TRADING``
        names Umucyo Trading Ltd, and also Umucyo Trading & Logistics Ltd): the name alone cannot tell them
        apart.

        >>> index = CustomerIndex([CustomerProfile("C1", "Umucyo Trading Ltd"),
        ...                        CustomerProfile("C2", "Umucyo Trading and Logistics Ltd")])
        >>> index.sharing(index.names(["UMUCYO TRADING"])[0])
        [1]
        """
        if not hit.tokens:
            return []
        wanted = frozenset(hit.tokens)
        # the whole name written out (RWANDA DEVELOPMENT BOARD) may still be another one cut short, but only
        # one that begins so: not Rwanda Agriculture and Animal Resources Development Board
        begins = hit.tokens if hit.points >= 95 and len(hit.tokens) >= 2 else ()
        key = (hit.customer, wanted, begins)
        known = self._sharing.get(key)
        if known is not None:
            return known
        tables = (self._by_word, self._by_short, self._by_initials)
        rarest = min(wanted, key=lambda token: sum(len(table.get(token, ())) for table in tables))
        holders = {c for table in tables for c in table.get(rarest, ())}
        others = []
        for customer in sorted(holders):
            if customer == hit.customer:
                continue
            for form in self._forms[customer]:
                if (wanted <= form.words and form.tokens[: len(begins)] == begins) or (
                        form.initials and wanted == {form.initials}):
                    others.append(customer)
                    break
        self._sharing[key] = others
        return others

    def twins(self, hit: NameHit) -> list[int]:
        """Other customers whose name or alias is the one that named this customer but for legal forms,
        words such as RWANDA, GROUP or HOLDINGS, and a plural: the name cannot tell them apart, whatever
        the narrative adds (``IKAZE MOTORS RWANDA`` may be Ikaze Motors Ltd of Rwanda).

        >>> index = CustomerIndex([CustomerProfile("C1", "Ikaze Motors Ltd"),
        ...                        CustomerProfile("C2", "Ikaze Motors Rwanda Ltd"),
        ...                        CustomerProfile("C3", "Ikaze Motors Kigali Ltd")])
        >>> index.twins(index.names(["TRF FROM IKAZE MOTORS"])[0])
        [1]
        """
        core = core_words(hit.tokens)
        if not core:
            return []
        return [c for c in self._by_core.get(core, ()) if c != hit.customer]

    def may_be_cut(self, hit: NameHit, fields: Sequence[str]) -> bool:
        """Whether the name found may be the start of a longer one, cut off: nothing follows it in its field
        (or it ends where the bank cuts a 35-character field). ``UMUCYO TRADING LTD`` or ``UMUCYO TRADING
        PAYMENT`` is complete; ``UMUCYO TRADING`` alone may be Umucyo Trading & Logistics cut short.

        >>> index = CustomerIndex([CustomerProfile("C1", "Umucyo Trading Ltd")])
        >>> [index.may_be_cut(index.names([text])[0], [text]) for text in ("UMUCYO TRADING LTD", "UMUCYO TRADING")]
        [False, True]
        """
        if not hit.words:
            return True
        field, last = max(hit.words)
        text = _CHANNELS.sub(" ", fold(fields[field])) if field < len(fields) and fields[field] else ""
        words = name_tokens(text)
        if last >= len(words):
            return True
        word = words[last]
        occurrence = sum(1 for w in words[: last + 1] if w == word)
        pattern = self._alone.get(word)
        if pattern is None:  # compiled once per word: re's own cache holds too few for 20,000 customers
            pattern = self._alone[word] = re.compile(rf"(?<![A-Z]){re.escape(word)}(?![A-Z])")
        ends = [m.end() for m in pattern.finditer(text)]
        if len(ends) < occurrence:
            return True
        end = ends[occurrence - 1]
        return end % 35 == 0 or not re.search(r"[A-Z0-9]", text[end:])

    def longer_names(self, hit: NameHit, fields: Sequence[str]) -> list[int]:
        """For a name found without its generic ending (NYABARONGO KALISIMBI for Nyabarongo Kalisimbi
        Holdings), the other customers it may as well be: those whose name or alias also begins with it
        (Nyabarongo Kalisimbi Coffee Exporters), and those whose name begins with the words that follow it
        in its field, the last one perhaps cut (``... KALISIMBI COFFEE EXP``). Empty for any other hit.

        >>> index = CustomerIndex([CustomerProfile("C1", "Nyabarongo Kalisimbi Holdings Ltd"),
        ...                        CustomerProfile("C2", "Nyabarongo Kalisimbi Coffee Exporters Ltd")])
        >>> index.longer_names(index.name_of(0, ["B/O NYABARONGO KALISIMBI COFFEE EXP"]),
        ...                    ["B/O NYABARONGO KALISIMBI COFFEE EXP"])
        [1]
        """
        tokens = hit.tokens
        if not tokens or not any(f.short and f.tokens == tokens for f in self._forms[hit.customer]):
            return []
        found: set[int] = set()
        for customer, index in self._by_first.get(tokens[0], ()):
            form = self._forms[customer][index]
            if customer != hit.customer and not form.short and form.tokens[: len(tokens)] == tokens:
                found.add(customer)
        if hit.words:
            field, last = max(hit.words)
            text = _CHANNELS.sub(" ", fold(fields[field])) if field < len(fields) and fields[field] else ""
            after = name_tokens(text)[last + 1 : last + 3]
            if after and len(after[0]) >= 3 and after[0] not in TWIN_WORDS and after[0] not in COMMON_WORDS \
                    and after[0] not in NOISE_WORDS:
                for customer, index in self._by_first.get(after[0], ()):
                    form = self._forms[customer][index]
                    if customer == hit.customer or len(form.tokens) < len(after):
                        continue
                    if form.tokens[: len(after) - 1] == after[:-1] and \
                            form.tokens[len(after) - 1].startswith(after[-1]):
                        found.add(customer)
        return sorted(found)

    def name_of(self, customer: int, fields: Sequence[str]) -> NameHit | None:
        """How the fields name one given customer (None: not at all), as :meth:`names` would say."""
        seen_fields = [self._read(text)[1] for text in fields]
        key = (customer, tuple(seen_fields))
        if key in self._named:
            return self._named[key]
        likeness = [[self._like(word) for word in words] for words in seen_fields]
        hit = self._score(customer, seen_fields, likeness, [word_windows(words) for words in seen_fields])
        if len(self._named) < _CACHE_CAP:
            self._named[key] = hit
        return hit

    def _like(self, seen: str) -> dict[str, float]:
        """The known name words a word of the narrative may stand for, with how much (1 = the same word)."""
        cached = self._likeness.get(seen)
        if cached is not None:
            return cached
        result: dict[str, float] = {}
        if seen in self._by_word:
            result[seen] = 1.0
        if len(seen) >= 4 and seen not in COMMON_WORDS and seen not in NOISE_WORDS:
            start = bisect_left(self._vocabulary, seen)
            for known in self._vocabulary[start : start + 30]:
                if not known.startswith(seen):
                    break
                if known != seen:
                    result[known] = 0.5 + 0.5 * len(seen) / len(known)
            if len(seen) >= 5:
                low, high = (len(seen) * 2 + 2) // 3, (len(seen) * 3) // 2
                for length in range(low, high + 1):
                    shape = self._by_shape.get((seen[0], length))
                    if not shape:
                        continue
                    for known, ratio, _ in process.extract(seen, shape, scorer=fuzz.ratio, score_cutoff=80,
                                                           limit=None):
                        if known not in result and len(known) >= 5:
                            result[known] = ratio / 100
        if len(self._likeness) < 200_000:
            self._likeness[seen] = result
        return result

    def _score(self, customer: int, fields: list[tuple[str, ...]], likeness: list[list[dict[str, float]]],
               windows: list[dict[str, tuple[int, int]]]) -> NameHit | None:
        """The customer's strongest form in the strongest field, as :func:`~arxl.core.names.name_evidence`."""
        best: NameHit | None = None
        for form in self._forms[customer]:
            for field, words in enumerate(fields):
                if not words:
                    continue
                hit = form_hit(customer, form, field, words, likeness[field], windows[field])
                if hit is not None and (best is None or (hit.points, len(hit.words)) > (best.points, len(best.words))):
                    best = hit
        return best
