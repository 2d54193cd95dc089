"""The cash benchmark's world for one seed and size: customers (with aliases, accounts, near-identical twins) and
their open items, and the records of the benchmark (:class:`Truth`, :class:`Bench`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from arxl.core.statement import StatementLine
from arxl.core.tax import WithholdingRates, withholding_amounts
from arxl.ledger.matching import CustomerProfile, OpenInvoice
from arxl.sample.names import (
    AGENCIES,
    BANKS,
    BUSINESS,
    DISTRICTS,
    FIRSTNAMES,
    FOREIGN,
    INSURERS,
    KINYARWANDA,
    LEGAL,
    MINISTRIES,
    NGOS,
    SECTORS,
    SURNAMES,
    TELECOMS,
    bank_text,
    misspell,
    twin_name,
)

D = Decimal
MONTH = [dt.date(2025, 7, d) for d in range(1, 32) if dt.date(2025, 7, d).weekday() < 5]
RATES = WithholdingRates()
RECURRING = 0.05
"""Share of a customer's invoices that repeat its first amount exactly (a fixed monthly fee). Payments that
quote no invoice number cannot be told apart between such twins and go to review; ``--recurring`` changes it."""


# -- records of the benchmark -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Truth:
    """What a line really is: its case, whether it is a customer receipt, and what it clears per invoice."""

    line_id: str
    case: str
    receipt: bool
    cleared: dict[str, Decimal]
    expect: str = "auto"


@dataclass
class Bench:
    customers: list[CustomerProfile]
    items: list[OpenInvoice]
    lines: list[StatementLine]
    truth: dict[str, Truth]


@dataclass
class _Customer:
    profile: CustomerProfile
    kind: str
    currency: str
    short: str  # the alias or name payers most often use
    phone: str = ""
    open: dict[str, list[int]] = field(default_factory=dict)  # currency -> item positions still unused


# -- the generator ------------------------------------------------------------------------------------------

class Generator:
    """Customers, open items and statement lines for one seed and size."""

    def __init__(self, seed: int, customers: int, items: int, recurring: float = RECURRING) -> None:
        self.rng = random.Random(seed)
        self.recurring = recurring
        self.people: list[_Customer] = []
        self.items: list[OpenInvoice] = []
        self.used_names: set[frozenset[str]] = set()
        self.used_aliases: set[str] = set()
        self.twins: list[tuple[int, int]] = []
        self._make_customers(customers)
        self._make_items(items)
        self.lines: list[StatementLine] = []
        self.truth: dict[str, Truth] = {}
        self.by_kind: dict[str, list[int]] = {}
        for n, person in enumerate(self.people):
            self.by_kind.setdefault(person.kind, []).append(n)
            for kind in person.profile.withholding:
                self.by_kind.setdefault(kind, []).append(n)
            self.by_kind.setdefault("profile:" + ",".join(sorted(person.profile.withholding)), []).append(n)
            self.by_kind.setdefault("cur:" + person.currency, []).append(n)
        self.closed_numbers = [f"INV-2023-{n:05d}" for n in range(1, 4000)]  # paid long ago: never open

    # customers -------------------------------------------------------------------------------------------

    def _name_key(self, name: str) -> frozenset[str]:
        from arxl.core.names import name_tokens

        return frozenset(name_tokens(name))

    def _add(self, name: str, aliases: str, kind: str, ctype: str, withholding: str, currency: str,
             accounts: list[str], phone: str = "") -> int | None:
        key = self._name_key(name)
        alias_list = [a for a in aliases.split(";") if a]
        if not key or key in self.used_names or any(a.upper() in self.used_aliases for a in alias_list):
            return None
        self.used_names.add(key)
        self.used_aliases.update(a.upper() for a in alias_list)
        cid = f"C{len(self.people) + 1:05d}"
        profile = CustomerProfile(cid, name, tuple(alias_list), tuple(accounts), ctype,
                                  frozenset(w for w in withholding.split(",") if w))
        short = alias_list[0] if alias_list else name
        self.people.append(_Customer(profile, kind, currency, short, phone))
        return len(self.people) - 1

    def _account(self, style: str) -> str:
        r = self.rng
        if style == "bk":
            return f"00040-{r.randint(10**7, 10**8 - 1)}-{r.randint(10, 99)}"
        if style == "equity":
            return f"4002{r.randint(10**8, 10**9 - 1)}"
        if style == "im":
            return f"2000{r.randint(10**7, 10**8 - 1)}"
        if style == "treasury":
            return f"1000{r.randint(100000, 999999)}"
        if style == "momo":
            return f"2507{r.choice('2389')}{r.randint(1000000, 9999999)}"
        return f"{style}{r.randint(10, 99)}{r.randint(10**11, 10**12 - 1)}"

    def _accounts(self, kind: str) -> list[str]:
        r = self.rng
        if kind in ("ministry", "agency", "district", "sector", "hospital"):
            return [self._account("treasury")]
        if kind == "sme":
            if r.random() < 0.35:
                return [self._account("momo")]
            return [self._account(r.choice(("bk", "equity", "im")))]
        return [self._account(r.choice(("bk", "equity", "im"))) for _ in range(r.choice((1, 1, 2)))]

    def _government_withholding(self) -> str:
        return self.rng.choices(["vat,wht3", "wht3", "vat", ""], [70, 15, 10, 5])[0]

    def _make_customers(self, count: int) -> None:
        r = self.rng
        fixed: list[tuple[str, str, str, str, str, str]] = []
        for name, alias in MINISTRIES:
            fixed.append((name, alias, "ministry", "government", self._government_withholding(), "RWF"))
        for name, alias in AGENCIES:
            fixed.append((name, alias, "agency", "government", self._government_withholding(), "RWF"))
        for district in DISTRICTS:
            fixed.append((f"{district} District", district.upper(), "district", "government", "vat,wht3", "RWF"))
            fixed.append((f"{district} District Hospital", "", "hospital", "government",
                          self._government_withholding(), "RWF"))
        for sector in SECTORS:
            fixed.append((f"{sector} Sector Office", "", "sector", "government", "wht3", "RWF"))
        for name, alias in BANKS:
            fixed.append((name, alias, "bank", "private", r.choice(("wht15", "wht15", "")), "RWF"))
        for name, alias in TELECOMS:
            fixed.append((name, alias, "telecom", "private", r.choice(("wht15", "")), "RWF"))
        for name, alias in INSURERS:
            fixed.append((name, alias, "company", "private", "", "RWF"))
        for name, alias in NGOS:
            fixed.append((name, alias, "ngo", "ngo", "", r.choice(("RWF", "RWF", "USD"))))
        for name, alias, _ in FOREIGN:
            fixed.append((name, alias, "foreign", "foreign", "", "USD"))
        r.shuffle(fixed)
        share = max(1, min(len(fixed), count // 3))
        for name, alias, kind, ctype, withholding, currency in fixed[:share]:
            if kind == "foreign":
                accounts = [self._account(next(c for n, _, c in FOREIGN if n == name))]
            else:
                accounts = self._accounts(kind)
            self._add(name, alias, kind, ctype, withholding, currency, accounts)
        attempts = 0
        while len(self.people) < count and attempts < count * 50:
            attempts += 1
            name, alias = self._sme_name()
            kind = "sme"
            currency = "USD" if r.random() < 0.06 else "RWF"
            accounts = self._accounts(kind)
            phone = accounts[0] if accounts[0].startswith("2507") else ""
            withholding = "wht15" if r.random() < 0.05 else ""
            self._add(name, alias, kind, "foreign" if currency == "USD" and r.random() < 0.5 else "private",
                      withholding, currency, accounts, phone)
        self._distinct_aliases()
        # near-identical twins for the ambiguity case (about 1 % of customers)
        for _ in range(max(2, count // 100)):
            base = r.randrange(len(self.people))
            original = self.people[base]
            if original.kind != "sme":
                continue
            twin = twin_name(r, original.profile.name)
            position = self._add(twin, "", "sme", original.profile.customer_type, "", original.currency,
                                 self._accounts("sme"))
            if position is not None:
                self.twins.append((base, position))

    def _distinct_aliases(self) -> None:
        """An accountant keeps an alias only where it names one customer: drop SME aliases whose word is part
        of another customer's name (there are many Umucyo Something Ltd)."""
        from arxl.core.names import name_tokens

        counts: dict[str, int] = {}
        for person in self.people:
            for word in set(name_tokens(person.profile.name)):
                counts[word] = counts.get(word, 0) + 1
        for person in self.people:
            if person.kind != "sme" or not person.profile.aliases:
                continue
            alias = person.profile.aliases[0]
            words = name_tokens(alias)
            if len(words) == 1 and counts.get(words[0], 0) > 1:
                profile = person.profile
                person.profile = CustomerProfile(profile.customer_id, profile.name, (), profile.bank_accounts,
                                                 profile.customer_type, profile.withholding)
                person.short = profile.name

    def _sme_name(self) -> tuple[str, str]:
        r = self.rng
        style = r.random()
        if style < 0.45:
            words = [r.choice(KINYARWANDA), r.choice(BUSINESS)]
        elif style < 0.65:
            words = [r.choice(KINYARWANDA), r.choice(KINYARWANDA), r.choice(BUSINESS)]
        elif style < 0.8:
            words = [r.choice(SURNAMES), "&", "Sons", r.choice(BUSINESS)]
        elif style < 0.9:
            words = ["Ets", r.choice(SURNAMES), r.choice(FIRSTNAMES)]
        else:
            words = [r.choice(SECTORS + DISTRICTS), r.choice(BUSINESS)]
        legal = r.choice(LEGAL)
        name = " ".join([*words, legal]).strip()
        alias = ""
        if r.random() < 0.3:
            initials = "".join(w[0] for w in " ".join(words).replace("&", " ").split() if w[0].isalpha()).upper()
            alias = initials if len(initials) >= 3 else words[0].upper()
        elif r.random() < 0.3:
            alias = words[0].upper()
        return name, alias

    # open items ------------------------------------------------------------------------------------------

    def _make_items(self, count: int) -> None:
        r = self.rng
        weights = [r.paretovariate(1.6) for _ in self.people]
        chosen = r.choices(range(len(self.people)), weights, k=count)
        chosen.sort()
        serial = {2024: 0, 2025: 0}
        drafts: list[tuple[dt.date, int]] = []
        start = dt.date(2024, 1, 2)
        for owner in chosen:
            drafts.append((start + dt.timedelta(days=int(r.triangular(0, 545, 480))), owner))
        drafts.sort()
        recurring: dict[tuple[int, str], Decimal] = {}
        credit_notes = 0
        for day, owner in drafts:
            person = self.people[owner]
            currency = person.currency if r.random() < 0.95 else ("USD" if person.currency == "RWF" else "RWF")
            if person.kind in ("ministry", "agency", "district", "sector", "hospital"):
                currency = "RWF"
            net = self._net(owner, currency, recurring)
            vat = D(0) if person.kind == "foreign" else _round(net * D("0.18"), currency)
            amount = net + vat
            open_amount = amount
            if r.random() < 0.08:  # part-paid earlier
                paid = _round(amount * D(r.choice((20, 25, 30, 40, 50, 60))) / 100, currency)
                open_amount = amount - paid
            serial[day.year] += 1
            number = f"INV-{day.year}-{serial[day.year]:05d}"
            item = OpenInvoice(number, person.profile.customer_id, person.profile.name, day,
                            day + dt.timedelta(days=r.choice((30, 30, 45, 15))), currency, net, vat, amount,
                            open_amount)
            person.open.setdefault(currency, []).append(len(self.items))
            self.items.append(item)
            if r.random() < 0.004 and credit_notes < count // 200 + 1:  # an open credit note
                credit_notes += 1
                serial[day.year] += 1
                cn_net = -_round(net * D("0.1"), currency)
                cn_vat = _round(cn_net * D("0.18"), currency) if vat else D(0)
                self.items.append(OpenInvoice(f"CN-{day.year}-{credit_notes:05d}", person.profile.customer_id,
                                           person.profile.name, day, day, currency, cn_net, cn_vat,
                                           cn_net + cn_vat, cn_net + cn_vat))

    def _net(self, owner: int, currency: str, recurring: dict[tuple[int, str], Decimal]) -> Decimal:
        r = self.rng
        if (owner, currency) in recurring and r.random() < self.recurring:
            return recurring[(owner, currency)]
        if currency == "USD":
            value = D(r.choice((250, 480, 750, 1200, 1500, 2400, 3600, 5000))) if r.random() < 0.15 else \
                D(r.randint(15_000, 900_000)) / 100
        else:
            value = D(r.choice((150_000, 250_000, 400_000, 500_000, 850_000, 1_000_000, 1_200_000, 2_500_000))) \
                if r.random() < 0.15 else D(r.randint(30, 40_000) * 1000 + r.choice((0, 0, 0, r.randint(1, 999))))
        recurring.setdefault((owner, currency), value)
        return value

    # helpers for the cases --------------------------------------------------------------------------------

    def take(self, owner: int, currency: str, count: int = 1, oldest: bool = False) -> list[int]:
        """Unused open invoices (not credit notes) of the customer; removes them from the pool."""
        pool = [p for p in self.people[owner].open.get(currency, []) if self.items[p].open_amount > 0]
        if len(pool) < count:
            return []
        picks = pool[:count] if oldest else sorted(self.rng.sample(pool, count))
        for p in picks:
            self.people[owner].open[currency].remove(p)
        return picks

    def customer(self, group: str, currency: str | None = None, count: int = 1,
                 test: Callable[[_Customer], bool] | None = None) -> tuple[int, list[int]] | None:
        members = self.by_kind.get(group, [])
        for _ in range(60):
            if not members:
                return None
            owner = self.rng.choice(members)
            person = self.people[owner]
            code = currency or person.currency
            if test is not None and not test(person):
                continue
            picks = self.take(owner, code, count)
            if picks:
                return owner, picks
        return None

    def expected(self, owner: int, position: int, withholding: frozenset[str] | None = None) -> Decimal:
        item = self.items[position]
        kinds = self.people[owner].profile.withholding if withholding is None else withholding
        if not kinds:
            return item.open_amount
        withheld = withholding_amounts(item.net_amount, item.vat_amount, kinds, item.currency, RATES)
        return item.open_amount - sum(withheld.values(), D(0))

    def payer_name(self, owner: int, style: str | None = None) -> str:
        """The ordering customer's name as the bank shows it."""
        r = self.rng
        person = self.people[owner]
        name = person.profile.name.upper()
        style = style or r.choices(["upper", "alias", "abbreviated", "misspelt", "truncated", "legal"],
                                   [45, 15, 10, 10, 12, 8])[0]
        if style == "alias" and person.profile.aliases:
            return person.profile.aliases[0].upper()
        if style == "abbreviated":
            words = [w for w in re.split(r"\s+", name) if w]
            return " ".join(w[: r.choice((3, 4, 5))] if len(w) > 6 and r.random() < 0.6 else w for w in words)[:35]
        if style == "misspelt":
            return misspell(r, name)[:35]
        if style == "truncated":
            return name[: r.randint(12, 22)]
        if style == "legal":
            return re.sub(r"\b(LTD|PLC|LIMITED|SARL|CO\. LTD)\b", r.choice(("LIMITED", "LTD", "")), name).strip()[:35]
        return name[:35]

    def add(self, case: str, amount: Decimal, currency: str, name: str, account: str, narrative: str,
            cleared: dict[str, Decimal], receipt: bool = True, expect: str = "auto") -> None:
        r = self.rng
        line_id = f"L{len(self.lines) + 1:06d}"
        day = r.choice(MONTH)
        tail = "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(5))
        reference = f"FT25{day.timetuple().tm_yday:03d}{tail}"
        self.lines.append(StatementLine(line_id, day, day, amount, currency, name[:35], account,
                                        bank_text(r, narrative), reference))
        self.truth[line_id] = Truth(line_id, case, receipt, cleared, expect)

    def settle(self, owner: int, picks: list[int], withholding: frozenset[str] | None = None) -> tuple[
            Decimal, dict[str, Decimal]]:
        cash = sum((self.expected(owner, p, withholding) for p in picks), D(0))
        return cash, {self.items[p].invoice_no: self.items[p].open_amount for p in picks}

    def maybe_account(self, owner: int, share: float = 0.5) -> str:
        accounts = self.people[owner].profile.bank_accounts
        return accounts[0] if accounts and self.rng.random() < share else ""


# -- helpers ------------------------------------------------------------------------------------------------

def _round(value: Decimal, currency: str) -> Decimal:
    return value.quantize(D(1) if currency == "RWF" else D("0.01"), rounding=ROUND_HALF_UP)
