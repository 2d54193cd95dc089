"""The sample's sixty clients: ministries, agencies, districts, banks, telecoms, NGOs, companies and foreign
clients, each with its withholding profile, terms, paying habit, contacts and bank accounts.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from arxl.ledger.records import (
    Customer,
    CustomerType,
    Invoice,
)
from arxl.sample.company import D
from arxl.sample.names import FIRSTNAMES, SURNAMES

# --- Customers -------------------------------------------------------------------------------------------------

# name, aliases, kind, withholding, terms, paying habit, address. Ids follow the order: C001, C002, ...
_CUSTOMERS = (
    ("Ministry of ICT and Innovation", "MINICT", "agency", "vat,wht3", "NET30", "slow", "KG 7 Ave, Kacyiru, Kigali"),
    ("Rwanda Revenue Authority", "RRA", "agency", "vat,wht3", "NET30", "normal", "KG 17 Ave, Kimihurura, Kigali"),
    ("City of Kigali", "CoK;Umujyi wa Kigali", "agency", "vat,wht3", "NET45", "slow", "KN 3 Rd, Nyarugenge, Kigali"),
    ("Ministry of Finance and Economic Planning", "MINECOFIN", "agency", "vat,wht3", "NET30", "normal",
     "KN 63 St, Nyarugenge, Kigali"),
    ("Rwanda Information Society Authority", "RISA", "agency", "vat,wht3", "NET30", "normal",
     "KG 7 Ave, Kacyiru, Kigali"),
    ("Rwanda Development Board", "RDB", "agency", "vat,wht3", "NET30", "normal", "KG 9 Ave, Gishushu, Kigali"),
    ("National Institute of Statistics of Rwanda", "NISR", "agency", "vat,wht3", "NET30", "slow",
     "KN 2 Ave, Nyarugenge, Kigali"),
    ("Rwanda Social Security Board", "RSSB", "agency", "wht3", "NET30", "normal", "KN 3 Ave, Nyarugenge, Kigali"),
    ("Ministry of Health", "MINISANTE;MOH", "agency", "vat,wht3", "NET45", "slow", "KG 7 Ave, Kacyiru, Kigali"),
    ("Ministry of Education", "MINEDUC", "agency", "vat,wht3", "NET45", "chronic", "KG 7 Ave, Kacyiru, Kigali"),
    ("Rwanda Utilities Regulatory Authority", "RURA", "agency", "vat,wht3", "NET30", "prompt",
     "KG 9 Ave, Kacyiru, Kigali"),
    ("National Bank of Rwanda", "BNR", "agency", "vat", "NET30", "prompt", "KN 6 Ave, Nyarugenge, Kigali"),
    ("Rwanda Biomedical Centre", "RBC", "agency", "vat,wht3", "NET30", "normal", "KG 644 St, Kimihurura, Kigali"),
    ("Gasabo District", "GASABO", "district", "vat,wht3", "NET30", "slow", "KG 11 Ave, Kacyiru, Kigali"),
    ("Kicukiro District", "KICUKIRO", "district", "vat,wht3", "NET30", "normal", "KK 15 Rd, Kicukiro, Kigali"),
    ("Nyarugenge District", "NYARUGENGE", "district", "vat,wht3", "NET30", "normal", "KN 2 St, Nyarugenge, Kigali"),
    ("Musanze District", "MUSANZE", "district", "vat,wht3", "NET30", "chronic", "District Office, Muhoza, Musanze"),
    ("Huye District", "HUYE", "district", "vat,wht3", "NET30", "slow", "District Office, Ngoma, Huye"),
    ("Rubavu District", "RUBAVU", "district", "vat,wht3", "NET30", "normal", "District Office, Gisenyi, Rubavu"),
    ("Rwanda Public Procurement Authority", "RPPA", "agency", "vat,wht3", "NET30", "normal",
     "KG 9 Ave, Kacyiru, Kigali"),
    ("National Identification Agency", "NIDA", "agency", "vat,wht3", "NET30", "normal",
     "KG 12 Ave, Kimihurura, Kigali"),
    ("University of Rwanda", "UR", "agency", "wht3", "NET45", "slow", "KK 737 St, Gikondo, Kigali"),
    ("Rwanda Energy Group Ltd", "REG", "agency", "wht3", "NET30", "normal", "KN 5 Rd, Kiyovu, Kigali"),
    ("Office of the Auditor General", "OAG", "agency", "vat,wht3", "NET30", "prompt", "KG 7 Ave, Kacyiru, Kigali"),
    ("Bank of Kigali Plc", "BK;Bank of Kigali", "bank", "wht15", "NET30", "prompt", "KN 4 Ave, Nyarugenge, Kigali"),
    ("MTN Rwandacell Plc", "MTN;MTN Rwanda", "telecom", "wht15", "EOM+15", "normal",
     "KG 9 Ave, Nyarutarama, Kigali"),
    ("Airtel Rwanda Ltd", "AIRTEL", "telecom", "", "NET45", "normal", "KG 9 Ave, Gishushu, Kigali"),
    ("Equity Bank Rwanda Plc", "EQUITY;EBR", "bank", "wht15", "NET30", "normal", "KN 3 Rd, Nyarugenge, Kigali"),
    ("I&M Bank (Rwanda) Plc", "I&M;IMBR", "bank", "", "NET30", "prompt", "KN 3 Ave, Nyarugenge, Kigali"),
    ("Access Bank Rwanda Plc", "ACCESS", "bank", "", "NET30", "normal", "KN 4 Ave, Nyarugenge, Kigali"),
    ("Ecobank Rwanda Plc", "ECOBANK", "bank", "", "NET30", "normal", "KN 3 Ave, Nyarugenge, Kigali"),
    ("BPR Bank Rwanda Plc", "BPR", "bank", "", "2/10 NET30", "prompt", "KN 67 St, Nyarugenge, Kigali"),
    ("NCBA Bank Rwanda Plc", "NCBA", "bank", "", "NET30", "normal", "KG 7 Ave, Kacyiru, Kigali"),
    ("Cogebanque Plc", "COGEBANQUE;COGE", "bank", "", "NET30", "normal", "KN 63 St, Nyarugenge, Kigali"),
    ("Liquid Intelligent Technologies Rwanda Ltd", "LIQUID;LITR", "telecom", "", "EOM+15", "normal",
     "KG 5 Ave, Kimihurura, Kigali"),
    ("Irembo Ltd", "IREMBO", "company", "", "NET30", "prompt", "KG 5 Ave, Kacyiru, Kigali"),
    ("Bralirwa Plc", "BRALIRWA", "company", "", "EOM+15", "normal", "KK 31 Ave, Kicukiro, Kigali"),
    ("RwandAir Ltd", "RWANDAIR", "company", "", "NET45", "slow", "KK 3 Rd, Kanombe, Kigali"),
    ("Prime Insurance Ltd", "PRIME", "company", "", "NET30", "normal", "KG 11 Ave, Remera, Kigali"),
    ("Sanlam General Insurance Rwanda Ltd", "SANLAM", "company", "", "2/10 NET30", "prompt",
     "KN 67 St, Nyarugenge, Kigali"),
    ("Kigali Convention Centre Ltd", "KCC", "company", "", "NET30", "normal", "KG 2 Roundabout, Kimihurura, Kigali"),
    ("Kivu Lakeside Hotel Ltd", "KIVU LAKESIDE", "company", "", "NET30", "chronic",
     "Avenue de l'Independance, Gisenyi, Rubavu"),
    ("Inyange Industries Ltd", "INYANGE", "company", "", "NET30", "normal", "KK 15 Rd, Masaka, Kigali"),
    ("Nyamirambo Digital Solutions Ltd", "NDS", "small", "", "NET30", "normal", "KN 135 St, Nyamirambo, Kigali"),
    ("Umucyo Print & Media Ltd", "UMUCYO", "small", "", "NET30", "normal", "KN 2 Ave, Nyarugenge, Kigali"),
    ("World Vision Rwanda", "WVR;World Vision", "ngo", "", "NET30", "normal", "KG 5 Ave, Kacyiru, Kigali"),
    ("Save the Children Rwanda", "SCI", "ngo", "", "NET30", "normal", "KG 9 Ave, Kacyiru, Kigali"),
    ("CARE International Rwanda", "CARE", "ngo", "", "NET30", "normal", "KG 7 Ave, Kacyiru, Kigali"),
    ("Plan International Rwanda", "PLAN", "ngo", "", "NET30", "prompt", "KG 2 Ave, Kimihurura, Kigali"),
    ("Inshuti Mu Buzima (Partners In Health)", "IMB;PIH", "ngo", "", "NET45", "normal",
     "KG 569 St, Kimihurura, Kigali"),
    ("Catholic Relief Services Rwanda", "CRS", "ngo", "", "NET30", "normal", "KG 11 Ave, Kacyiru, Kigali"),
    ("Rwanda Red Cross Society", "RRCS;Red Cross", "ngo", "", "NET30", "chronic", "KG 17 Ave, Kacyiru, Kigali"),
    ("One Acre Fund Rwanda (Tubura)", "TUBURA;1AF", "ngo", "", "NET30", "normal", "Rubona, Huye"),
    ("Aegis Trust Rwanda", "AEGIS", "ngo", "", "NET30", "slow", "KG 14 Ave, Gisozi, Kigali"),
    ("Imbuto Foundation", "IMBUTO", "ngo", "", "NET30", "normal", "KG 9 Ave, Kacyiru, Kigali"),
    ("Helios Cloud Services B.V.", "HELIOS", "foreign", "", "NET30", "normal",
     "Herengracht 182, Amsterdam, Netherlands"),
    ("Nairobi Data Exchange Ltd", "NDX", "foreign", "", "EOM+15", "normal", "Mombasa Road, Nairobi, Kenya"),
    ("Kampala Fibre Networks Ltd", "KFN", "foreign", "", "NET30", "slow", "Plot 12 Kampala Road, Kampala, Uganda"),
    ("Great Lakes Telecom SARL", "GLT", "foreign", "", "NET30", "normal", "Boulevard de l'Uprona, Bujumbura, Burundi"),
    ("Savanna Analytics LLC", "SAVANNA", "foreign", "", "NET45", "prompt", "48 Elm Street, Boston, USA"),
)
_TYPES: dict[str, CustomerType] = {"agency": "government", "district": "government", "bank": "private",
                                   "telecom": "private", "company": "private", "small": "private", "ngo": "ngo",
                                   "foreign": "foreign"}
_CREDIT_LIMITS = {"agency": (80, 150), "district": (20, 40), "bank": (60, 120), "telecom": (100, 200),
                  "company": (15, 30), "small": (2, 3), "ngo": (10, 25), "foreign": (40, 60)}  # millions, USD k
_FIRST_NAMES = FIRSTNAMES[:16]  # the contacts draw from the first of the names the cash benchmark uses
_LAST_NAMES = SURNAMES[:14]
_COUNTRY = {"Netherlands": "NL", "Kenya": "KE", "Uganda": "UG", "Burundi": "BI", "USA": "US"}
CHRONIC_STOP = {"C042": dt.date(2025, 1, 31), "C052": dt.date(2025, 5, 31)}  # last lump payment before...
ARRANGEMENT_CUSTOMER = "C042"  # ...an instalment plan (C042) or a broken promise (C052)
ARRANGEMENT_DAY = dt.date(2025, 5, 28)
SUSPENDED_FROM = dt.date(2025, 4, 1)
RELATED_PARTIES = {"C044": "common director", "C045": "common director"}  # IAS 24, for the audit pack
SPECIFIC_PROVISIONS = {"C052": D("0.5")}  # the broken promise (C052): half its debt provided for on its own


@dataclass(frozen=True)
class _People:
    """The customers, and what the story knows of them beyond the Customers table: kind and paying habit."""

    customers: list[Customer]
    kind: dict[str, str]
    habit: dict[str, str]
    by_id: dict[str, Customer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id.update((c.customer_id, c) for c in self.customers)

    def __getitem__(self, customer_id: str) -> Customer:
        return self.by_id[customer_id]


def _customers(rng: random.Random) -> _People:
    customers: list[Customer] = []
    kinds: dict[str, str] = {}
    habits: dict[str, str] = {}
    tins: list[str] = []
    sage: list[str] = []
    for i, (name, aliases, kind, withholding, terms, habit, address) in enumerate(_CUSTOMERS, start=1):
        cid = f"C{i:03d}"
        slug = re.sub(r"[^a-z0-9]", "", aliases.split(";")[0].lower())
        domain = {"ngo": "org", "foreign": "com"}.get(kind, "rw")
        tin = ""
        if kind not in ("foreign", "small"):
            while not tin or tin in tins:
                tin = str(rng.randint(100_000_000, 149_999_999))
            tins.append(tin)
        account = re.sub(r"[^A-Z0-9]", "", aliases.split(";")[0].upper())[:6]
        number = 1
        while f"{account}{number:02d}" in sage:
            number += 1
        sage.append(f"{account}{number:02d}")
        low, high = _CREDIT_LIMITS[kind]
        limit = D(rng.randint(low, high)) * (1000 if kind == "foreign" else 1_000_000)
        customers.append(Customer(
            customer_id=cid, name=name, aliases=aliases, tin=tin, customer_type=_TYPES[kind],
            withholding=withholding, bank_accounts=_bank_accounts(rng, kind, address),
            email=f"accounts@{slug}.example.{domain}", phone=_phone(rng, kind),
            contact=f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}", address=address, terms=terms,
            currency="USD" if kind == "foreign" else "RWF", credit_limit=limit, sage_account=sage[-1],
            related_party=RELATED_PARTIES.get(cid, ""), specific_provision=SPECIFIC_PROVISIONS.get(cid)))
        kinds[cid], habits[cid] = kind, habit
    return _People(customers, kinds, habits)


def _phone(rng: random.Random, kind: str) -> str:
    if kind == "foreign":
        return f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    return f"+250 78{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _bank_accounts(rng: random.Random, kind: str, address: str) -> str:
    if kind in ("agency", "district"):
        return f"1000{rng.randint(100000, 999999)}"  # a sub-account of the Treasury at the National Bank
    if kind == "small":
        return f"2507{rng.choice('2389')}{rng.randint(1000000, 9999999)}"  # pays by mobile money
    if kind == "foreign":
        country = _COUNTRY[address.rsplit(", ", 1)[1]]
        return f"{country}{rng.randint(10, 99)}{rng.randint(10**11, 10**12 - 1)}"
    accounts = [f"00040-{rng.randint(10**7, 10**8 - 1)}-{rng.randint(10, 99)}",
                f"4002{rng.randint(10**8, 10**9 - 1)}"]
    return ";".join(accounts[: 2 if kind == "bank" else 1])




def sage_accounts_for(customers: list[Customer], invoices: list[Invoice]) -> list[Customer]:
    """The customers, each billed in a currency besides its own given a Sage account for it (a Sage 50 customer
    record has one currency): its account's letters with the next free number, "NOVABU01, USD: NOVABU02"."""
    taken = {c.sage_account for c in customers}
    others: dict[str, set[str]] = {}
    for doc in invoices:
        others.setdefault(doc.customer_id, set()).add(doc.currency)
    result = []
    for customer in customers:
        extra = sorted(others.get(customer.customer_id, set()) - {customer.currency})
        accounts = [customer.sage_account]
        for code in extra:
            stem, number = customer.sage_account[:-2], 1
            while f"{stem}{number:02d}" in taken:
                number += 1
            taken.add(f"{stem}{number:02d}")
            accounts.append(f"{code}: {stem}{number:02d}")
        result.append(customer.model_copy(update={"sage_account": ", ".join(accounts)}) if extra else customer)
    return result
