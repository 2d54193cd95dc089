"""A labelled benchmark for cash application: customers, open items and bank lines, with the truth.

A seeded generator of the receivables of a Kigali ICT company - ministries, agencies, districts, hospitals,
banks, telecoms, insurers, NGOs, SMEs and foreign clients - and of a month of bank statement lines, each made
by one named *case* of DOMAIN.md "Cash application" so that results can be shown per case:

===========================  ==================================================================================
case                         the line
===========================  ==================================================================================
reference_exact              quotes the invoice number as issued, pays what the customer owes
reference_spelling           quotes it in another spelling: spaced, glued, slashes, lower case, zeros dropped,
                             no prefix, the serial alone, FACTURE 00042, or cut short by the bank's 35-character
                             field
name_only                    no reference: the payer's name upper-case, abbreviated, misspelt or truncated
account_only                 no reference, no name: only the payer's bank account
multi_invoice                one payment for 2-6 invoices, quoting all, some or none of them
partial                      part of an invoice, quoting it
withholding_vat / _wht3 /    short by the VAT withheld, 3 % or 15 % of the VAT-exclusive amount, or VAT and 3 %,
_wht15 / _vat_wht3           as the customer's profile says
bank_charges                 a USD transfer arriving 10-45 USD short
rounding                     one unit more or less than owed
overpayment                  more than the invoice, quoting it
third_party                  a treasury, a parent company or a donor pays, quoting the invoice
mobile_money                 MTN MoMo / Airtel Money: phone number, transaction reference, a name or reference
wrong_reference              quotes an invoice that is not open (or another one), for the amount of an open one
ambiguous_name               no reference; the name fits two customers with near-identical names
non_customer                 interest, own-account transfers, loans, reversals, refunds, FX deals (some equal to
                             an open amount) and debits (salaries, fees, suppliers): no receipt at all
===========================  ==================================================================================

Every customer receipt knows the invoices it pays and what it clears on each (the open amount when settled,
the cash when partial). ``wrong_reference`` and ``ambiguous_name`` lines should go to review, not be
applied; they still count as receipts in the auto-match rate. The narratives imitate what banks print:
upper case, fields cut at 35 characters, ``B/O``, ``/RFB/``, ``IFO`` and such, in varying templates.

    python bench/cashgen.py --seed 1 --lines 2000 --out out/cashbench   # writes the CSVs of ``arxl match``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from arxl.core.statement import STATEMENT_COLUMNS, StatementLine
from arxl.core.tax import WithholdingRates, withholding_amounts
from arxl.ledger.matching import CUSTOMER_COLUMNS, OPEN_ITEM_COLUMNS, CustomerProfile, OpenInvoice

D = Decimal
MONTH = [dt.date(2025, 7, d) for d in range(1, 32) if dt.date(2025, 7, d).weekday() < 5]
RATES = WithholdingRates()

# -- names of Rwanda ----------------------------------------------------------------------------------------

MINISTRIES = [
    ("Ministry of Infrastructure", "MININFRA"), ("Ministry of ICT and Innovation", "MINICT"),
    ("Ministry of Education", "MINEDUC"), ("Ministry of Health", "MINISANTE"),
    ("Ministry of Finance and Economic Planning", "MINECOFIN"), ("Ministry of Local Government", "MINALOC"),
    ("Ministry of Agriculture and Animal Resources", "MINAGRI"), ("Ministry of Trade and Industry", "MINICOM"),
    ("Ministry of Justice", "MINIJUST"), ("Ministry of Foreign Affairs and International Cooperation", "MINAFFET"),
    ("Ministry of Environment", "MOE"), ("Ministry of Emergency Management", "MINEMA"),
    ("Ministry of Gender and Family Promotion", "MIGEPROF"), ("Ministry of Youth and Arts", "MINIYOUTH"),
    ("Ministry of Sports", "MINISPORTS"), ("Ministry of National Unity and Civic Engagement", "MINUBUMWE"),
    ("Ministry of Public Service and Labour", "MIFOTRA"), ("Ministry of Defence", "MOD"),
]
AGENCIES = [
    ("Rwanda Revenue Authority", "RRA"), ("Rwanda Development Board", "RDB"),
    ("Rwanda Utilities Regulatory Authority", "RURA"), ("Rwanda Basic Education Board", "REB"),
    ("Rwanda Biomedical Centre", "RBC"), ("National Institute of Statistics of Rwanda", "NISR"),
    ("National Identification Agency", "NIDA"), ("Rwanda Public Procurement Authority", "RPPA"),
    ("Rwanda Information Society Authority", "RISA"), ("Rwanda Transport Development Agency", "RTDA"),
    ("Water and Sanitation Corporation", "WASAC"), ("Rwanda Energy Group", "REG"),
    ("Rwanda Agriculture and Animal Resources Development Board", "RAB"),
    ("National Agricultural Export Development Board", "NAEB"), ("Office of the Auditor General", "OAG"),
    ("Rwanda Mines Petroleum and Gas Board", "RMB"), ("Rwanda Forestry Authority", "RFA"),
    ("Rwanda Civil Aviation Authority", "RCAA"), ("Rwanda Medical Supply Ltd", "RMS"),
    ("Rwanda Social Security Board", "RSSB"), ("Rwanda Housing Authority", "RHA"),
    ("Rwanda Law Reform Commission", "RLRC"), ("National Electoral Commission", "NEC"),
    ("Rwanda Correctional Service", "RCS"), ("Rwanda National Police", "RNP"),
    ("Rwanda Investigation Bureau", "RIB"), ("Rwanda Standards Board", "RSB"),
    ("Rwanda Food and Drugs Authority", "RWANDA FDA"), ("Higher Education Council", "HEC"),
    ("University of Rwanda", "UR"), ("Rwanda Polytechnic", "RP"), ("City of Kigali", "COK"),
    ("Rwanda Cooperative Agency", "RCA"), ("Business Development Fund", "BDF"),
    ("National Council for Science and Technology", "NCST"), ("Capital Market Authority", "CMA"),
    ("Rwanda Meteorology Agency", "METEO RWANDA"), ("Rwanda Military Hospital", "RMH"),
    ("King Faisal Hospital Kigali", "KFH"), ("University Teaching Hospital of Kigali", "CHUK"),
    ("University Teaching Hospital of Butare", "CHUB"), ("Rwanda Space Agency", "RSA"),
    ("National Child Development Agency", "NCDA"), ("Rwanda Broadcasting Agency", "RBA"),
]
DISTRICTS = ["Gasabo", "Kicukiro", "Nyarugenge", "Bugesera", "Gatsibo", "Kayonza", "Kirehe", "Ngoma", "Nyagatare",
             "Rwamagana", "Burera", "Gakenke", "Gicumbi", "Musanze", "Rulindo", "Gisagara", "Huye", "Kamonyi",
             "Muhanga", "Nyamagabe", "Nyanza", "Nyaruguru", "Ruhango", "Karongi", "Ngororero", "Nyabihu",
             "Nyamasheke", "Rubavu", "Rusizi", "Rutsiro"]
SECTORS = ["Kimironko", "Remera", "Kacyiru", "Kimihurura", "Gisozi", "Kinyinya", "Ndera", "Rusororo", "Bumbogo",
           "Jali", "Gikomero", "Nduba", "Rutunga", "Jabana", "Gatsata", "Kagarama", "Kanombe", "Kigarama",
           "Masaka", "Niboye", "Nyarugunga", "Gahanga", "Gatenga", "Gikondo", "Kicukiro", "Nyamirambo",
           "Muhima", "Nyakabanda", "Rwezamenyo", "Gitega", "Kimisagara", "Mageragere", "Kanyinya", "Kigali",
           "Nyarugenge", "Muhoza", "Cyuve", "Kinigi", "Busogo", "Gisenyi", "Rubavu", "Nyamyumba", "Tumba",
           "Ngoma", "Mukura", "Rwaniro", "Kamembe", "Gihundwe", "Nyamata", "Rilima", "Gashora", "Mayange"]
BANKS = [
    ("Bank of Kigali Plc", "BK;Bank of Kigali"), ("I&M Bank (Rwanda) Plc", "IMBR;I&M Bank"),
    ("Equity Bank Rwanda Plc", "EQUITY;EBR"), ("BPR Bank Rwanda Plc", "BPR"),
    ("Access Bank Rwanda Plc", "ACCESS BANK"), ("Ecobank Rwanda Plc", "ECOBANK"),
    ("NCBA Bank Rwanda Plc", "NCBA"), ("Cogebanque Plc", "COGEBANQUE"), ("GT Bank Rwanda Plc", "GTBANK"),
    ("Development Bank of Rwanda", "BRD"), ("Urwego Bank Plc", "URWEGO"),
    ("Zigama Credit and Savings Bank", "ZIGAMA CSS"),
    ("AB Bank Rwanda Plc", "AB BANK"), ("Unguka Bank Plc", "UNGUKA"),
]
TELECOMS = [
    ("MTN Rwandacell Plc", "MTN;MTN Rwanda"), ("Airtel Rwanda Ltd", "AIRTEL"),
    ("Liquid Intelligent Technologies Rwanda Ltd", "LIQUID"), ("Broadband Systems Corporation Ltd", "BSC"),
    ("KT Rwanda Networks Ltd", "KTRN"), ("Canal Plus Rwanda Ltd", "CANAL+"), ("StarTimes Rwanda Ltd", "STARTIMES"),
]
INSURERS = [
    ("Sanlam General Insurance Rwanda Ltd", "SANLAM"), ("Prime Insurance Ltd", "PRIME"),
    ("Radiant Insurance Company Ltd", "RADIANT"), ("Britam Insurance Company Rwanda Ltd", "BRITAM"),
    ("Old Mutual Insurance Rwanda Ltd", "OLD MUTUAL"), ("MUA Insurance Rwanda Ltd", "MUA"),
]
NGOS = [
    ("World Vision Rwanda", "WVR;World Vision"), ("Save the Children International Rwanda", "SCI"),
    ("CARE International Rwanda", "CARE"), ("Plan International Rwanda", "PLAN"),
    ("Inshuti Mu Buzima (Partners In Health)", "IMB;PIH"), ("Catholic Relief Services Rwanda", "CRS"),
    ("Rwanda Red Cross Society", "RRCS;Red Cross"), ("One Acre Fund Rwanda (Tubura)", "TUBURA"),
    ("Aegis Trust Rwanda", "AEGIS"), ("Imbuto Foundation", "IMBUTO"), ("Heifer International Rwanda", "HEIFER"),
    ("Compassion International Rwanda", "COMPASSION"), ("ActionAid Rwanda", "ACTIONAID"),
    ("Humanity and Inclusion Rwanda", "HI"), ("Oxfam in Rwanda", "OXFAM"), ("SNV Rwanda", "SNV"),
    ("Enabel Rwanda", "ENABEL"), ("Rwanda Association of Local Government Authorities", "RALGA"),
    ("Transparency International Rwanda", "TI-RW"), ("Global Fund Rwanda Programme", "GF RW"),
]
FOREIGN = [
    ("Helios Cloud Services B.V.", "HELIOS", "NL"), ("Nairobi Data Exchange Ltd", "NDX", "KE"),
    ("Kampala Fibre Networks Ltd", "KFN", "UG"), ("Great Lakes Telecom SARL", "GLT", "BI"),
    ("Savanna Analytics LLC", "SAVANNA", "US"), ("Dar Digital Systems Ltd", "DDS", "TZ"),
    ("Lubumbashi Connect SARL", "LUBCON", "CD"), ("Addis Cloud PLC", "ADDIS CLOUD", "ET"),
    ("Joburg Hosting (Pty) Ltd", "JOBURG HOSTING", "ZA"), ("Lagos Payments Ltd", "LAGOS PAY", "NG"),
]
KINYARWANDA = ["Umucyo", "Ubumwe", "Inyange", "Isango", "Amahoro", "Ikaze", "Imena", "Intare", "Ingoma",
               "Agaciro", "Urumuri", "Umurage", "Iriba", "Ishema", "Inganzo", "Ubuntu", "Inema", "Indatwa",
               "Ituze", "Ihirwe", "Imanzi", "Intwari", "Umuhuza", "Urukundo", "Umutekano", "Ubwiza", "Ingabo",
               "Impano", "Isimbi", "Inkingi", "Ingenzi", "Umuco", "Ubukire", "Iterambere", "Ihuriro", "Ineza",
               "Umurava", "Imbaraga", "Isoko", "Umwezi", "Inyenyeri", "Akeza", "Kivu", "Virunga", "Akagera",
               "Nyungwe", "Muhabura", "Karisimbi", "Kalisimbi", "Gishwati", "Mukungwa", "Nyabarongo", "Akanyaru",
               "Rusumo", "Gisenyi", "Kibuye", "Rubona", "Bisoke", "Sabyinyo", "Huye", "Nyiragongo", "Kabuye"]
BUSINESS = ["Trading", "Logistics", "Construction", "Consult", "Printing & Media", "Hardware", "Pharmacy",
            "Hotel", "Motors", "Engineering", "Agro Ventures", "Enterprises", "Tech", "Digital Solutions",
            "Supplies", "Transport", "Security Services", "Cleaning Services", "Catering", "Real Estate",
            "Travel & Tours", "Microfinance", "Energy", "Water Solutions", "Clinic", "Academy", "Events",
            "Furniture", "Textiles", "Coffee Exporters", "Dairy", "Foods", "Beverages", "Estates", "Builders",
            "Stationery", "Office Solutions", "Auto Spares", "Mining", "Insurance Brokers", "Software",
            "Networks", "Distributors", "Investments", "Holdings", "Partners", "Associates", "Cooperative"]
SURNAMES = ["Habimana", "Uwimana", "Niyonzima", "Mukamana", "Nshimiyimana", "Umutoni", "Hakizimana", "Ingabire",
            "Ndayisaba", "Uwase", "Mugabo", "Iradukunda", "Kayitesi", "Twagirayezu", "Mugisha", "Nkurunziza",
            "Bizimana", "Uwamahoro", "Munyaneza", "Mutesi", "Gatera", "Karangwa", "Rukundo", "Kamanzi",
            "Nsengiyumva", "Murekatete", "Ntagengwa", "Kagame", "Rwigema", "Sebagabo", "Nzeyimana", "Ndagijimana"]
FIRSTNAMES = ["Jean Claude", "Aline", "Eric", "Diane", "Patrick", "Grace", "Olivier", "Claudine", "Emmanuel",
              "Josiane", "Innocent", "Chantal", "Fabrice", "Solange", "Theogene", "Vestine", "Jean Paul",
              "Alice", "Pacifique", "Esperance"]
LEGAL = ["Ltd", "Ltd", "Ltd", "Co. Ltd", "Limited", "SARL", "Plc", ""]
THIRD_PARTIES = [("MINECOFIN TREASURY SINGLE ACCOUNT", "1000001001"),
                 ("NATIONAL BANK OF RWANDA TREASURY", "1000000015"),
                 ("USAID RWANDA MISSION", "US33021000018"), ("WORLD BANK TRUST FUND", "US45026009593"),
                 ("GLOBAL FUND TO FIGHT AIDS TB MALARIA", "CH9300762011623852957"),
                 ("EUROPEAN UNION DELEGATION RWANDA", "BE68539007547034"), ("ENABEL BRUSSELS", "BE71096123456769"),
                 ("MTN GROUP LTD", "ZA5105100000000123"), ("AIRTEL AFRICA PLC", "GB29NWBK60161331926819"),
                 ("EQUITY GROUP HOLDINGS PLC", "KE0110000012345678")]
OWN_NAME = "KIGALI CLOUD & SYSTEMS LTD"
OWN_ACCOUNTS = ("00040-06951872-29", "00040-06951873-30")
NOT_RECEIPT_TEMPLATES = [
    ("CREDIT INTEREST {mon} 2025", ""), ("INTEREST CAPITALISATION {mon} 2025", ""),
    ("TRF FROM OWN USD A/C {own}", OWN_NAME), ("INTERNAL TRANSFER FROM {own}", OWN_NAME),
    ("LOAN DISBURSEMENT LD25{n6} TERM LOAN", "BANK OF KIGALI PLC"), ("OVERDRAFT DRAWDOWN {n6}", "BANK OF KIGALI PLC"),
    ("REVERSAL OF TRF {n6} BENEFICIARY A/C CLOSED", "{supplier}"), ("RETURNED FUNDS REF FT25{n6}", "{supplier}"),
    ("FX DEAL {n6} USD/RWF", "BANK OF KIGALI PLC"), ("REFUND OF DEPOSIT {n6}", "{supplier}"),
    ("FIXED DEPOSIT MATURITY FD{n6}", "EQUITY BANK RWANDA PLC"),
]
DEBIT_TEMPLATES = [("SALARIES {mon} 2025 BULK", "STAFF SALARIES"), ("ACCOUNT MAINTENANCE FEE {mon} 2025", ""),
                   ("RTGS OUTWARD CHARGES", ""), ("PAYMENT SUPPLIER INV {n4} FIBRE WORKS", "{supplier}"),
                   ("RSSB CONTRIBUTIONS {mon} 2025", "RWANDA SOCIAL SECURITY BOARD"),
                   ("RRA VAT RETURN {mon} 2025", "RWANDA REVENUE AUTHORITY"),
                   ("REFUND OVERPAYMENT {customer}", "{customer}")]
SUPPLIERS = ["SMART AFRICA NETWORKS LTD", "SOFTWARE GALAXY LTD", "KIGALI OFFICE SUPPLIES", "CISCO SYSTEMS RWANDA",
             "HUAWEI TECHNOLOGIES RWANDA", "DATA CENTRE COOLING SOLUTIONS", "GUARDIAN SECURITY LTD"]
RECURRING = 0.05
"""Share of a customer's invoices that repeat its first amount exactly (a fixed monthly fee). Payments that
quote no invoice number cannot be told apart between such twins and go to review; ``--recurring`` changes it."""
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL"]


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

    def __init__(self, seed: int, customers: int, items: int) -> None:
        self.rng = random.Random(seed)
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
            twin = _twin_name(r, original.profile.name)
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
        if (owner, currency) in recurring and r.random() < RECURRING:
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
            return _misspell(r, name)[:35]
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
                                        _bank_text(r, narrative), reference))
        self.truth[line_id] = Truth(line_id, case, receipt, cleared, expect)

    def settle(self, owner: int, picks: list[int], withholding: frozenset[str] | None = None) -> tuple[
            Decimal, dict[str, Decimal]]:
        cash = sum((self.expected(owner, p, withholding) for p in picks), D(0))
        return cash, {self.items[p].invoice_no: self.items[p].open_amount for p in picks}

    def maybe_account(self, owner: int, share: float = 0.5) -> str:
        accounts = self.people[owner].profile.bank_accounts
        return accounts[0] if accounts and self.rng.random() < share else ""


# -- the cases ----------------------------------------------------------------------------------------------

def reference_exact(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "sme", "company", "bank", "telecom", "ngo", "agency")))
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    number = g.items[picks[0]].invoice_no
    template = g.rng.choice(("PAYMENT {ref}", "PMT {ref}", "SETTLEMENT OF {ref}", "TRF {ref} {name}",
                             "/RFB/{ref}", "B/O {name} {ref}", "{ref}", "PAYMENT FOR INVOICE {ref}",
                             "IFO KIGALI CLOUD {ref}", "RTGS/{ref}/{name}"))
    short = g.payer_name(owner, "upper")[:20]
    g.add("reference_exact", cash, g.items[picks[0]].currency, g.payer_name(owner) if g.rng.random() < 0.8 else "",
          g.maybe_account(owner, 0.4), template.format(ref=number, name=short), cleared)
    return True


def spell(rng: random.Random, number: str, style: str) -> str:
    """An invoice number as payers and banks write it."""
    prefix, year, serial = number.split("-")
    value = str(int(serial))
    return {
        "spaced": f"{prefix} {year} {serial}", "glued": f"{prefix}{year}{serial}",
        "slashes": f"{prefix}/{year}/{value}",
        "lower": number.lower(), "nozeros": f"{prefix}-{year}-{value}", "noprefix": f"{year}-{serial}",
        "noprefix_slash": f"{year}/{value}", "serial": serial, "facture": f"FACTURE {serial}",
        "inv_serial": f"INV {value}", "dots": f"{prefix}.{year}.{serial}", "mixed": f"inv{year}/{serial}",
    }[style]


def reference_spelling(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "sme", "company", "bank", "ngo", "agency", "telecom")))
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    number = g.items[picks[0]].invoice_no
    style = g.rng.choice(("spaced", "glued", "slashes", "lower", "nozeros", "noprefix", "noprefix_slash",
                          "serial", "facture", "inv_serial", "dots", "mixed", "cut"))
    name = g.payer_name(owner) if g.rng.random() < 0.85 else ""
    if style == "cut":  # the bank's 35-character field ends inside the number
        lost = g.rng.choice((1, 2))
        head = g.rng.choice(("PAYMENT OF ICT SERVICES ", "SETTLEMENT HOSTING FEES ", "PMT FOR DATA CENTRE SVC ",
                             "TRF BEING PAYMENT FOR ", "ICT SERVICES PAYMENT "))
        text = (head + number)[: len(head) + len(number) - lost]
        narrative = text
    else:
        narrative = g.rng.choice(("PAYMENT {ref}", "PMT {ref} {what}", "{what} {ref}", "REF {ref}", "TRF/{ref}",
                                  "SETTLEMENT {ref} THANK YOU")).format(ref=spell(g.rng, number, style),
                                                                        what=g.rng.choice(MONTHS) + " 2025")
    g.add("reference_spelling", cash, g.items[picks[0]].currency, name, g.maybe_account(owner, 0.4), narrative,
          cleared)
    return True


def name_only(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "sme", "sme", "company", "ngo", "bank", "telecom", "agency")))
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    name = g.payer_name(owner)
    inside = g.rng.random() < 0.3  # the name in the narrative, the name field empty
    narrative = g.rng.choice(("PAYMENT", "SETTLEMENT OF ACCOUNT", "TRANSFER", "ICT SERVICES {mon} 2025",
                              "PAYMENT FOR SERVICES", "RTGS INWARD", "HOSTING FEES", "INTERNET {mon}"))
    narrative = narrative.format(mon=g.rng.choice(MONTHS))
    if inside:
        narrative = f"B/O {name} {narrative}" if g.rng.random() < 0.5 else f"{narrative} {name}"
        name = ""
    g.add("name_only", cash, g.items[picks[0]].currency, name, "", narrative, cleared)
    return True


def account_only(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "company", "ngo", "bank", "agency", "district")))
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    account = g.people[owner].profile.bank_accounts[0]
    shown = account if g.rng.random() < 0.7 else re.sub(r"[^0-9A-Z]", "", account)
    g.add("account_only", cash, g.items[picks[0]].currency, "", shown,
          g.rng.choice(("INWARD TRANSFER", "RTGS INWARD", "TRANSFER", "EFT CREDIT", "CREDIT TRANSFER")), cleared)
    return True


def multi_invoice(g: Generator) -> bool:
    count = g.rng.choice((2, 2, 2, 3, 3, 4, 5, 6))
    got = g.customer(g.rng.choice(("sme", "company", "ngo", "bank", "agency", "district", "telecom")), count=count)
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    numbers = [g.items[p].invoice_no for p in picks]
    quoting = g.rng.choice(("all", "all", "all", "some", "none"))
    name = g.payer_name(owner) if g.rng.random() < 0.9 else ""
    if quoting == "all":
        style = g.rng.choice(("exact", "exact", "noprefix", "spaced"))
        refs = [n if style == "exact" else spell(g.rng, n, style) for n in numbers]
        narrative = g.rng.choice(("PAYMENT ", "INV ", "PMT ", "")) + g.rng.choice((" ", " & ", ", ", "/")).join(refs)
    elif quoting == "some":
        narrative = "PAYMENT " + " ".join(numbers[: max(1, len(numbers) // 2)]) + " ETC"
    else:
        narrative = g.rng.choice(("PAYMENT OF OUTSTANDING INVOICES", "SETTLEMENT OF ARREARS", "PAYMENT",
                                  f"{len(numbers)} INVOICES {g.rng.choice(MONTHS)}"))
    g.add("multi_invoice", cash, g.items[picks[0]].currency, name, g.maybe_account(owner, 0.5), narrative, cleared)
    return True


def partial(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "company", "ngo", "bank")))
    if got is None:
        return False
    owner, picks = got
    item = g.items[picks[0]]
    share = D(g.rng.choice((25, 30, 40, 50, 60, 70)))
    cash = _round(item.open_amount * share / 100, item.currency)
    if item.currency == "RWF" and cash > 100_000:
        cash = (cash // 10_000) * 10_000
    word = g.rng.choice(("PART PAYMENT", "PARTIAL PMT", "PAYMENT", "ADVANCE ON", "1ST INSTALMENT"))
    g.add("partial", cash, item.currency, g.payer_name(owner), g.maybe_account(owner, 0.5),
          f"{word} {item.invoice_no}", {item.invoice_no: cash})
    return True


def _withholding_case(g: Generator, case: str, profile: str) -> bool:
    got = g.customer("profile:" + profile)
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    number = g.items[picks[0]].invoice_no
    person = g.people[owner]
    with_reference = g.rng.random() < 0.85
    ref = number if g.rng.random() < 0.7 else spell(g.rng, number, g.rng.choice(("spaced", "noprefix", "glued")))
    narrative = g.rng.choice(("{short} PAYMENT {ref} NET OF WHT", "PAYMENT {ref}", "IFMIS PMT {ref} {short}",
                              "{ref} LESS WITHHOLDING TAX", "PMT VOUCHER {v} {ref}")) if with_reference else \
        g.rng.choice(("{short} PAYMENT NET OF WHT", "PAYMENT ICT SERVICES", "IFMIS PMT VOUCHER {v}"))
    narrative = narrative.format(short=person.short.upper()[:15], ref=ref, v=g.rng.randint(1000, 99999))
    g.add(case, cash, g.items[picks[0]].currency, g.payer_name(owner), g.maybe_account(owner, 0.6), narrative,
          cleared)
    return True


def withholding_vat(g: Generator) -> bool:
    return _withholding_case(g, "withholding_vat", "vat")


def withholding_wht3(g: Generator) -> bool:
    return _withholding_case(g, "withholding_wht3", "wht3")


def withholding_wht15(g: Generator) -> bool:
    return _withholding_case(g, "withholding_wht15", "wht15")


def withholding_vat_wht3(g: Generator) -> bool:
    return _withholding_case(g, "withholding_vat_wht3", "vat,wht3")


def bank_charges(g: Generator) -> bool:
    got = g.customer("cur:USD", currency="USD")
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    charges = D(g.rng.choice((10, 12, 15, 20, 25, 30, 35, 40, 44))) + (D(g.rng.randint(0, 99)) / 100
                                                                      if g.rng.random() < 0.2 else D(0))
    number = g.items[picks[0]].invoice_no
    with_reference = g.rng.random() < 0.75
    narrative = g.rng.choice(("/RFB/{ref}/OUR CHARGES DEDUCTED", "INWARD SWIFT {ref}", "/INV/{ref}", "PAYMENT {ref}")) \
        if with_reference else g.rng.choice(("INWARD SWIFT TRANSFER", "/BNF/SERVICES {mon} 2025", "PAYMENT"))
    g.add("bank_charges", cash - charges, "USD", g.payer_name(owner, "upper"), g.maybe_account(owner, 0.5),
          narrative.format(ref=number, mon=g.rng.choice(MONTHS)), cleared)
    return True


def rounding(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "company", "ngo", "agency", "district")))
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    item = g.items[picks[0]]
    step = D(1) if item.currency == "RWF" else D("0.01")
    g.add("rounding", cash + g.rng.choice((-step, step)), item.currency, g.payer_name(owner),
          g.maybe_account(owner, 0.4), f"PAYMENT {item.invoice_no}", cleared)
    return True


def overpayment(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "company", "ngo", "bank")))
    if got is None:
        return False
    owner, picks = got
    item = g.items[picks[0]]
    if item.currency == "RWF":
        cash = (item.open_amount // 100_000 + 1) * 100_000 if g.rng.random() < 0.6 else \
            item.open_amount + D(g.rng.randint(1, 50) * 1000)
    else:
        cash = item.open_amount + D(g.rng.randint(50, 500))
    g.add("overpayment", cash, item.currency, g.payer_name(owner), g.maybe_account(owner, 0.5),
          g.rng.choice(("PAYMENT {ref}", "PMT {ref} AND ADVANCE", "SETTLEMENT {ref}")).format(
              ref=item.invoice_no if g.rng.random() < 0.7 else spell(g.rng, item.invoice_no, "spaced")),
          {item.invoice_no: item.open_amount})
    return True


def third_party(g: Generator) -> bool:
    group = g.rng.choice(("district", "sector", "hospital", "ngo", "sme", "agency"))
    got = g.customer(group)
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    payer, account = g.rng.choice(THIRD_PARTIES)
    number = g.items[picks[0]].invoice_no
    ref = number if g.rng.random() < 0.6 else spell(g.rng, number, g.rng.choice(("spaced", "noprefix", "glued")))
    beneficiary = g.payer_name(owner, "upper")[:25]
    narrative = g.rng.choice(("IFO {ben} {ref}", "{ref} ON BEHALF OF {ben}", "PMT {ref}", "/BNF/{ben}/{ref}",
                              "GRANT PAYMENT {ref}", "{ben} ICT SERVICES {ref}")).format(ben=beneficiary, ref=ref)
    g.add("third_party", cash, g.items[picks[0]].currency, payer, account, narrative, cleared)
    return True


def mobile_money(g: Generator) -> bool:
    got = g.customer("sme", currency="RWF", test=lambda p: p.currency == "RWF")
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    person = g.people[owner]
    # the phone the customer registered, or another one (a staff member's)
    phone = person.phone if person.phone and g.rng.random() < 0.8 else \
        f"2507{g.rng.choice('2389')}{g.rng.randint(1000000, 9999999)}"
    shown = phone if g.rng.random() < 0.6 else "0" + phone[3:]
    number = g.items[picks[0]].invoice_no
    txn = g.rng.randint(10**9, 10**10 - 1)
    tail = g.rng.choices(("{ref}", "{alias}", "{ref} {alias}", "{name}"), (40, 20, 20, 20))[0]
    tail = tail.format(ref=spell(g.rng, number, g.rng.choice(("spaced", "glued", "nozeros"))) if g.rng.random() < 0.5
                       else number, alias=person.short.upper()[:20], name=person.profile.name.upper())
    provider = g.rng.choice(("MTN MOBILE MONEY", "AIRTEL MONEY", "MTN MOMO"))
    narrative = g.rng.choice(("MOMO {phone} REF {txn} {tail}", "MOMO TRANSFER {phone} TXN {txn} {tail}",
                              "MOMOPAY {txn} {phone} {tail}", "{tail} MOMO {phone}")).format(phone=shown, txn=txn,
                                                                                           tail=tail)
    g.add("mobile_money", cash, "RWF", provider, phone if g.rng.random() < 0.5 else "", narrative, cleared)
    return True


def wrong_reference(g: Generator) -> bool:
    got = g.customer(g.rng.choice(("sme", "company", "ngo", "bank")))
    if got is None:
        return False
    owner, picks = got
    cash, cleared = g.settle(owner, picks)
    item = g.items[picks[0]]
    others = [p for p in g.people[owner].open.get(item.currency, []) if g.items[p].open_amount > 0
              and g.items[p].open_amount != item.open_amount]
    if others and g.rng.random() < 0.4:
        quoted = g.items[g.rng.choice(others)].invoice_no  # another of its invoices, still open
    else:
        quoted = g.rng.choice(g.closed_numbers)  # one paid long ago
    g.add("wrong_reference", cash, item.currency, g.payer_name(owner, "upper"), g.maybe_account(owner, 0.5),
          f"PAYMENT {quoted}", cleared, expect="review")
    return True


def ambiguous_name(g: Generator) -> bool:
    if not g.twins:
        return False
    first, second = g.rng.choice(g.twins)
    owner = g.rng.choice((first, second))
    person = g.people[owner]
    picks = g.take(owner, person.currency)
    if not picks:
        return False
    cash, cleared = g.settle(owner, picks)
    g.add("ambiguous_name", cash, person.currency, person.profile.name.upper()[:35], "", "PAYMENT", cleared,
          expect="review")
    return True


def non_customer(g: Generator) -> bool:
    r = g.rng
    mon = r.choice(MONTHS)
    supplier = r.choice(SUPPLIERS)
    if r.random() < 0.65:
        template, name = r.choice(NOT_RECEIPT_TEMPLATES)
        same = r.random() < 0.5 and g.items
        if same:
            item = g.items[r.randrange(len(g.items))]
            amount, currency = item.open_amount, item.currency
            if amount <= 0:
                amount = D(r.randint(100, 3000) * 1000)
        else:
            currency = "RWF" if r.random() < 0.8 else "USD"
            amount = D(r.randint(50, 250_000) * 1000) if currency == "RWF" else D(r.randint(10_000, 9_000_000)) / 100
    else:
        template, name = r.choice(DEBIT_TEMPLATES)
        currency = "RWF"
        amount = -D(r.randint(5, 60_000) * 1000)
    customer = g.people[r.randrange(len(g.people))].profile.name.upper()[:30]
    text = template.format(mon=mon, own=r.choice(OWN_ACCOUNTS), n6=r.randint(100000, 999999),
                           n4=r.randint(1000, 9999), supplier=supplier, customer=customer)
    g.add("non_customer", amount, currency, name.format(supplier=supplier, customer=customer), "", text, {},
          receipt=False)
    return True


CASES: dict[str, Callable[[Generator], bool]] = {
    "reference_exact": reference_exact,
    "reference_spelling": reference_spelling,
    "name_only": name_only,
    "account_only": account_only,
    "multi_invoice": multi_invoice,
    "partial": partial,
    "withholding_vat": withholding_vat,
    "withholding_wht3": withholding_wht3,
    "withholding_wht15": withholding_wht15,
    "withholding_vat_wht3": withholding_vat_wht3,
    "bank_charges": bank_charges,
    "rounding": rounding,
    "overpayment": overpayment,
    "third_party": third_party,
    "mobile_money": mobile_money,
    "wrong_reference": wrong_reference,
    "ambiguous_name": ambiguous_name,
    "non_customer": non_customer,
}
MIX = {
    "reference_exact": 44, "reference_spelling": 9, "name_only": 3.5, "account_only": 2.5, "multi_invoice": 5,
    "partial": 2, "withholding_vat": 2, "withholding_wht3": 3, "withholding_wht15": 2, "withholding_vat_wht3": 6,
    "bank_charges": 2.5, "rounding": 1, "overpayment": 1, "third_party": 2.5, "mobile_money": 3,
    "wrong_reference": 0.8, "ambiguous_name": 0.4, "non_customer": 12,
}
"""How often each case occurs, in parts of a hundred lines. Calibrated so that the lookup formula clears about a
third of the lines, as issue 4 says it does on real statements; the rest is spread over the harder cases."""


def generate(seed: int, customers: int = 2000, items: int = 20000, lines: int = 5000,
             mix: dict[str, float] | None = None) -> Bench:
    """Customers, open items and ``lines`` statement lines with their truth, the same for the same arguments."""
    g = Generator(seed, customers, items)
    weights = mix or MIX
    total = sum(weights.values())
    plan = [case for case, weight in weights.items() for _ in range(round(lines * weight / total))]
    g.rng.shuffle(plan)
    for case in plan:
        for _ in range(20):  # a case may find no customer that fits on a first try
            if CASES[case](g):
                break
        else:  # none left for this case (the few VAT-only withholders have paid everything): a plain one
            for _ in range(50):
                if reference_exact(g):
                    break
    return Bench([p.profile for p in g.people], g.items, g.lines, g.truth)


# -- helpers ------------------------------------------------------------------------------------------------

def _round(value: Decimal, currency: str) -> Decimal:
    return value.quantize(D(1) if currency == "RWF" else D("0.01"), rounding=ROUND_HALF_UP)


def _misspell(r: random.Random, name: str) -> str:
    words = name.split()
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    word = words[longest]
    if len(word) < 5:
        return name
    i = r.randrange(2, len(word) - 1)
    how = r.choice(("double", "drop", "swap", "replace"))
    if how == "double":
        word = word[:i] + word[i] + word[i:]
    elif how == "drop":
        word = word[:i] + word[i + 1 :]
    elif how == "swap":
        word = word[:i] + word[i + 1] + word[i] + word[i + 2 :] if i + 1 < len(word) else word
    else:
        word = word[:i] + r.choice("AEIOUNRST") + word[i + 1 :]
    words[longest] = word
    return " ".join(words)


def _twin_name(r: random.Random, name: str) -> str:
    """A near-identical name: Umucyo Trading Ltd -> Umucyo Traders Ltd, Kivu Heights -> Kivu Height."""
    words = name.split()
    body = [i for i, w in enumerate(words) if len(w) >= 5 and w not in ("Limited",)]
    if not body:
        return name + " Group"
    i = r.choice(body)
    word = words[i]
    words[i] = word[:-1] if word.endswith("s") else word + "s"
    return " ".join(words)


def _bank_text(r: random.Random, text: str) -> str:
    """Narratives as banks print them: upper case, cut into 35-character fields, some fields dropped."""
    text = re.sub(r"\s+", " ", text.upper()).strip()
    fields = r.choices((1, 2, 3, 4), (10, 40, 30, 20))[0]
    limit = 35 * fields
    if len(text) > limit:
        text = text[:limit]
    return text


def write_bench(bench: Bench, folder: Path) -> dict[str, Path]:
    """The benchmark as the CSV files of ``arxl match`` plus ``truth.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.csv" for name in ("customers", "open", "statement", "truth")}
    with paths["customers"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CUSTOMER_COLUMNS)
        for c in bench.customers:
            writer.writerow([c.customer_id, c.name, ";".join(c.aliases), ";".join(c.bank_accounts), c.customer_type,
                             ",".join(sorted(c.withholding))])
    with paths["open"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(OPEN_ITEM_COLUMNS)
        for i in bench.items:
            writer.writerow([i.invoice_no, i.customer_id, i.customer_name, i.invoice_date.isoformat(),
                             i.due_date.isoformat(), i.currency, i.net_amount, i.vat_amount, i.amount, i.open_amount])
    with paths["statement"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for line in bench.lines:
            writer.writerow(line.as_row())
    with paths["truth"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["line_id", "case", "receipt", "expect", "invoice_no", "cleared"])
        for t in bench.truth.values():
            for number, amount in (t.cleared.items() or [("", D(0))]):
                writer.writerow([t.line_id, t.case, int(t.receipt), t.expect, number, amount])
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path("out/cashbench"))
    args = parser.parse_args(argv)
    bench = generate(args.seed, args.customers, args.items, args.lines)
    for name, path in write_bench(bench, args.out).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
