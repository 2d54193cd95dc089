"""The sample's contracts and the invoices they produced: what each kind of client buys, billed by arxl's own
billing run from January 2024 to June 2025, with EBM receipt data and one credit note.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from arxl.billing.run import Due, draft_invoices
from arxl.billing.schedule import Charge, history
from arxl.core.dates import add_months, month_end
from arxl.core.money import round_money
from arxl.core.tax import (
    TaxCode,
    vat_on_net,
)
from arxl.ledger.records import (
    BillingTiming,
    Contract,
    Customer,
    Cycle,
    Invoice,
    InvoiceLine,
    ScheduleLine,
    Service,
    TaxCodeRow,
)
from arxl.sample.company import _MONTHS, CALENDAR, CUTOFF, FIRST_DAY, D
from arxl.sample.customers import ARRANGEMENT_CUSTOMER, SUSPENDED_FROM, _People

# --- Contracts -------------------------------------------------------------------------------------------------

# What each kind of client buys: service, usual quantities, cycle, billing.
_Item = tuple[str, tuple[int, ...], Cycle, BillingTiming]
_MENUS: dict[str, tuple[_Item, ...]] = {
    "agency": (("HOST-U", (4, 6, 8, 12), "monthly", "advance"), ("VM-STD", (4, 6, 10), "monthly", "advance"),
               ("DIA-MBPS", (20, 50, 100), "monthly", "advance"), ("EGOV-MAINT", (1,), "quarterly", "arrears"),
               ("BACKUP-TB", (5, 10, 20), "monthly", "arrears"), ("SI-DAY", (15, 20, 30, 45), "once", "arrears")),
    "district": (("DIA-MBPS", (10, 20), "monthly", "advance"), ("MPLS-SITE", (3, 5, 8), "monthly", "advance"),
                 ("VM-STD", (2, 3), "monthly", "advance"), ("SI-DAY", (8, 12), "once", "arrears")),
    "bank": (("COLO-RACK", (1, 2), "monthly", "advance"), ("DIA-MBPS", (100, 200, 300), "monthly", "advance"),
             ("FW-MGD", (2, 4), "monthly", "advance"), ("SLA-GOLD", (1,), "monthly", "advance"),
             ("MPLS-SITE", (10, 20, 30), "monthly", "advance"), ("LIC-M365", (150, 300), "annual", "advance"),
             ("BACKUP-TB", (20, 40), "monthly", "arrears")),
    "telecom": (("COLO-RACK", (4, 6, 8), "monthly", "advance"), ("HOST-U", (10, 20), "monthly", "advance"),
                ("SLA-GOLD", (1,), "monthly", "advance"), ("SI-DAY", (20, 40), "once", "arrears")),
    "company": (("HOST-U", (2, 4, 6), "monthly", "advance"), ("VM-STD", (1, 2, 3), "monthly", "advance"),
                ("DIA-MBPS", (10, 20, 30), "monthly", "advance"), ("FW-MGD", (1,), "monthly", "advance"),
                ("BACKUP-TB", (2, 5), "monthly", "arrears"), ("LIC-M365", (25, 50, 80), "annual", "advance")),
    "small": (("VM-STD", (1,), "monthly", "advance"), ("BACKUP-TB", (1, 2), "monthly", "arrears")),
    "ngo": (("VM-STD", (2, 4), "monthly", "advance"), ("DIA-MBPS", (10, 20), "monthly", "advance"),
            ("BACKUP-TB", (2, 5, 10), "monthly", "arrears"), ("LIC-M365", (40, 80, 120), "annual", "advance"),
            ("LIC-BACKUP", (10, 20), "annual", "advance"), ("TRAIN-PAX", (12, 20, 25), "once", "arrears")),
    "foreign": (("EXP-HOST", (4, 8, 12), "monthly", "advance"), ("EXP-SI", (5, 10, 20), "once", "arrears")),
}
_PROJECTS = {
    "SI-DAY": ("Integration of the e-procurement system with IFMIS", "Migration of the records system to the "
               "government cloud", "Network upgrade of the head office", "Deployment of a document management "
               "system", "Data centre migration, phase 1"),
    "EXP-SI": ("Remote deployment of a payment gateway", "Cloud migration assessment", "API integration support"),
    "TRAIN-PAX": ("ICT skills training for field staff", "Cyber-security awareness training"),
}


def _contracts(rng: random.Random, people: _People, services: dict[str, Service]) -> list[Contract]:
    drafts: list[Contract] = []
    for customer in people.customers:
        cid = customer.customer_id
        kind, habit = people.kind[cid], people.habit[cid]
        menu = _MENUS[kind]
        if habit == "chronic":  # the slow payers' story is told in francs
            menu = tuple(m for m in menu if services[m[0]].currency == "RWF" and m[2] == "monthly")
        monthly = [i for i, m in enumerate(menu) if m[2] == "monthly"]
        core = rng.choice(monthly)
        others = [i for i in range(len(menu)) if i != core]
        extra = 0 if cid == ARRANGEMENT_CUSTOMER else min(len(others), int(rng.random() < 0.45))
        high = dt.date(2023, 9, 30) if habit == "chronic" else dt.date(2025, 4, 30)
        core_start = _random_day(rng, dt.date(2023, 1, 1), high)
        drafts.append(_contract(rng, customer, kind, menu[core], core_start, services))
        for i in sorted(rng.sample(others, extra)):
            cycle = menu[i][2]
            if cycle == "once":
                start = _random_day(rng, dt.date(2024, 1, 8), dt.date(2025, 5, 15), first=0.2)
            else:
                start = _random_day(rng, max(core_start, dt.date(2023, 3, 1)), dt.date(2025, 5, 31))
            draft = _contract(rng, customer, kind, menu[i], start, services)
            if cycle != "once" and start < dt.date(2024, 7, 1) and rng.random() < 0.35:
                end = month_end(add_months(start, rng.randint(6, 18)))
                draft = draft.model_copy(update={"end_date": end,
                                                 "status": "ended" if end <= CUTOFF else "active"})
            drafts.append(draft)
    drafts.extend(_july_contracts(people, services))
    drafts = _adjust(rng, people, drafts, services)
    return _numbered(drafts)


def _random_day(rng: random.Random, low: dt.date, high: dt.date, first: float = 0.7) -> dt.date:
    """A day between two dates, most often the first of its month (contracts mostly start on the 1st)."""
    day = low + dt.timedelta(days=rng.randint(0, max(0, (high - low).days)))
    return max(low, day.replace(day=1)) if rng.random() < first else day


def _contract(rng: random.Random, customer: Customer, kind: str, item: _Item, start: dt.date,
              services: dict[str, Service]) -> Contract:
    code, quantities, cycle, billing = item
    service = services[code]
    end: dt.date | None = None
    description = service.description
    if cycle == "once":
        end = start + dt.timedelta(days=rng.randint(20, 75))
        description = rng.choice(_PROJECTS[code])
    po = ""
    if kind in ("agency", "district"):
        alias = re.sub(r"[^A-Z]", "", customer.aliases.split(";")[0].upper())
        po = f"LPO/{alias}/{start.year}/{rng.randint(100, 999)}"
    elif kind == "bank":
        po = f"45{rng.randint(10**7, 10**8 - 1)}"
    return Contract(contract_ref="", customer_id=customer.customer_id, service_code=code, description=description,
                    quantity=D(rng.choice(quantities)), rate=service.rate, currency=service.currency, cycle=cycle,
                    billing=billing, start_date=start, end_date=end,
                    terms="NET45" if code == "EGOV-MAINT" else "", po_number=po,
                    status="ended" if end is not None and end <= CUTOFF else "active")


def _july_contracts(people: _People, services: dict[str, Service]) -> list[Contract]:
    """Work that the July run will bill: a project finishing in July and a new client starting mid-month."""
    risa, irembo = people["C005"], people["C036"]
    return [
        Contract(contract_ref="", customer_id=risa.customer_id, service_code="SI-DAY",
                 description="National data centre migration, phase 2", quantity=D(30),
                 rate=services["SI-DAY"].rate, currency="RWF", cycle="once", billing="arrears",
                 start_date=dt.date(2025, 6, 2), end_date=dt.date(2025, 7, 18), po_number="LPO/RISA/2025/214"),
        Contract(contract_ref="", customer_id=irembo.customer_id, service_code="VM-STD",
                 description="Cloud VMs for the citizen services portal", quantity=D(6),
                 rate=services["VM-STD"].rate, currency="RWF", cycle="monthly", billing="advance",
                 start_date=dt.date(2025, 7, 14)),
    ]


def _adjust(rng: random.Random, people: _People, drafts: list[Contract],
            services: dict[str, Service]) -> list[Contract]:
    """Negotiated rates, escalations, NGO discounts, a suspension and at least one ended contract."""
    result = list(drafts)
    firsts: dict[str, int] = {}
    for i, k in enumerate(result):
        firsts.setdefault(k.customer_id, i)
    for cid in ("C025", "C026"):  # the big bank and the big telecom negotiated their main rate down
        i = firsts[cid]
        rate = round_money(result[i].rate * D("0.92") / 1000, "RWF") * 1000
        result[i] = result[i].model_copy(update={"rate": rate, "description": result[i].description +
                                                 " (negotiated rate)"})
    recurring = [i for i, k in enumerate(result) if k.cycle != "once" and k.status != "ended"]
    older = [i for i in recurring if result[i].start_date < dt.date(2024, 1, 1)
             and people.kind[result[i].customer_id] in ("agency", "bank", "telecom")]
    if not older:
        older = [i for i in recurring if result[i].start_date < dt.date(2024, 6, 1)]
    for i in rng.sample(older, min(5, len(older))):
        result[i] = result[i].model_copy(update={"escalation": D("0.05")})
    ngo = [i for i in recurring if people.kind[result[i].customer_id] == "ngo"
           and services[result[i].service_code].currency == "RWF"]
    for i in rng.sample(ngo, min(4, len(ngo))):
        result[i] = result[i].model_copy(update={"discount": D("0.10")})
    i = firsts[ARRANGEMENT_CUSTOMER]
    result[i] = result[i].model_copy(update={"status": "suspended",
                                             "description": result[i].description +
                                             " - suspended from 1 April 2025 for non-payment"})
    spare = [i for i in recurring if i not in firsts.values() and result[i].start_date < dt.date(2024, 6, 1)]
    if spare and not any(k.status == "ended" and k.cycle != "once" for k in result):
        result[spare[0]] = result[spare[0]].model_copy(update={"end_date": dt.date(2024, 12, 31),
                                                               "status": "ended"})
    return result


def _numbered(drafts: list[Contract]) -> list[Contract]:
    """Contract refs CT-YYYY-NNN (recurring) and SO-YYYY-NNN (service orders), in order of start."""
    counters: dict[tuple[str, int], int] = {}
    result = []
    for k in sorted(drafts, key=lambda k: (k.start_date, k.customer_id, k.service_code)):
        series = "SO" if k.cycle == "once" else "CT"
        key = (series, k.start_date.year)
        counters[key] = counters.get(key, 0) + 1
        result.append(k.model_copy(update={"contract_ref": f"{series}-{key[1]}-{counters[key]:03d}"}))
    return result


# --- Billing: schedule, invoices, lines ------------------------------------------------------------------------

def _charges(k: Contract) -> list[tuple[Charge, bool]]:
    """Each period of a contract billed in the history, and whether it was skipped (suspended)."""
    return [(c, k.status == "suspended" and c.first >= SUSPENDED_FROM) for c in history(k, FIRST_DAY, CUTOFF)]


def _day_text(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def _bill(charges: list[tuple[Charge, bool]], people: _People, services: dict[str, Service],
          tax_codes: list[TaxCodeRow]) -> tuple[list[Invoice], list[InvoiceLine], list[ScheduleLine]]:
    """The history billed by arxl's own billing: each customer's periods of a day grouped into numbered invoices."""
    codes = [TaxCode(t.code, t.rate, t.effective_from, t.description, t.sage_tax_code) for t in tax_codes]
    dues = [Due(c.schedule_line("due"), None, c.bill_date, c.description, c.gross, c.discount, c.contract,
                services[c.contract.service_code], people[c.contract.customer_id])
            for c, skipped in charges if not skipped]
    drafts = draft_invoices(dues, [], series="INV", digits=5, default_terms="NET30", policy="invoice", codes=codes)
    numbers = {(due.line.contract_ref, due.line.period_start): d.invoice.invoice_no for d in drafts for due in d.dues}
    invoices = _with_ebm([d.invoice for d in drafts])
    lines = [line for d in drafts for line in d.lines]
    schedule = [c.schedule_line("skipped") if skipped
                else c.schedule_line("billed", numbers[(c.contract.contract_ref, c.first)])
                for c, skipped in sorted(charges, key=lambda cs: (cs[0].bill_date, cs[0].contract.contract_ref))]
    return invoices, lines, schedule


def _with_ebm(invoices: list[Invoice]) -> list[Invoice]:
    """EBM receipt data on every invoice but the last few, which wait for the EBM operator; and the date
    each month's invoices went to Sage (two working days after the month end; June's have not gone yet)."""
    result = []
    for n, invoice in enumerate(invoices):
        exported = (CALENDAR.add_working_days(month_end(invoice.invoice_date), 2)
                    if invoice.invoice_date < dt.date(2025, 6, 1) else None)
        if n >= len(invoices) - 4:
            result.append(invoice.model_copy(update={"notes": "EBM receipt pending"}))
            continue
        serial = 20418 + n
        result.append(invoice.model_copy(update={
            "ebm_receipt_no": f"{serial}/{serial}NS", "ebm_sdc_id": "SDC010012345", "ebm_mrc": "WIS01012345",
            "ebm_date": invoice.invoice_date, "ebm_receipt_type": "NS", "sage_exported": exported}))
    return result


def _credit_note(rng: random.Random, invoices: list[Invoice], lines: list[InvoiceLine],
                 people: _People) -> tuple[Invoice, InvoiceLine]:
    """CN-2025-00001: six days of outage credited on a May 2025 invoice of a private client."""
    connectivity = ("DIA-MBPS", "MPLS-SITE", "HOST-U", "VM-STD", "COLO-RACK")
    first_lines = {line.invoice_no: line for line in reversed(lines) if line.service_code in connectivity}
    candidates = [i for i in invoices if dt.date(2025, 5, 1) <= i.invoice_date < dt.date(2025, 5, 20)
                  and i.invoice_no in first_lines and i.currency == "RWF"
                  and people[i.customer_id].customer_type in ("private", "ngo")
                  and not people[i.customer_id].withholding and people.habit[i.customer_id] != "chronic"
                  and people.kind[i.customer_id] != "small"]
    if not candidates:
        raise RuntimeError("the sample has no invoice to credit in May 2025")
    original = rng.choice(candidates)
    line = first_lines[original.invoice_no]
    day = dt.date(2025, 5, 20)
    net = -round_money(line.net_amount * 6 / 31, "RWF")
    vat = vat_on_net(net, line.vat_rate, "RWF")
    number = "CN-2025-00001"
    note = Invoice(invoice_no=number, doc_type="credit_note", invoice_date=day, due_date=day,
                   customer_id=original.customer_id, currency="RWF", net_amount=net, vat_amount=vat,
                   total_amount=net + vat, contract_ref=line.contract_ref, po_number=original.po_number,
                   period="2025-05", original_invoice=original.invoice_no, status="credited",
                   ebm_receipt_no="1207/21390NR", ebm_sdc_id="SDC010012345", ebm_mrc="WIS01012345",
                   ebm_date=day, ebm_receipt_type="NR", sage_exported=CALENDAR.add_working_days(month_end(day), 2),
                   notes="SLA credit: service down 12-17 May 2025")
    credit = InvoiceLine(invoice_no=number, line_no=1, description=f"SLA service credit, 6 days' outage: "
                         f"{line.description}", quantity=D(1), unit_price=net, net_amount=net,
                         tax_code=line.tax_code, vat_rate=line.vat_rate, vat_amount=vat,
                         contract_ref=line.contract_ref, service_code=line.service_code, period="2025-05")
    return note, credit


