"""Who paid? The customers a bank line may be from: by the payer's account, the invoice numbers it quotes,
and by name - and the lines that are no customer receipt at all.

The payer's bank account (or mobile-money number) names a customer surely. The invoice numbers quoted name
their customers. Names are looked up only when those are not enough (:meth:`Payer.add_names`): the
counterparty's name and the narrative, through :class:`arxl.cashapp.payers.CustomerIndex`.

**Mobile money** (MOMO, AIRTEL MONEY, a sender's phone number): the telecom is the channel, never the payer;
the short group of digits that ends the line is the sender's reference, read as an invoice serial
(:meth:`Payer.mobile_reference`). **A payer that pays for others** (a treasury single account, or a payer
listed in ``MatchSettings.third_party_payers``) names no customer by its own name or account
(:meth:`Payer.third_party`). Interest, loans, reversals, salaries, transfers between own accounts and the
like are no receipts (:func:`not_a_receipt`).
"""

from __future__ import annotations

import re

from arxl.cashapp.amounts import to_units
from arxl.cashapp.name_forms import NameHit
from arxl.cashapp.narratives import Hit, Prepared, prepare
from arxl.cashapp.rules import payer_key
from arxl.cashapp.stages.state import Candidate, LineFacts, MatchState
from arxl.core.evidence import Evidence
from arxl.core.statement import StatementLine
from arxl.core.text import fold

__all__ = ["Payer", "not_a_receipt"]

_THIRD_PARTY = re.compile(r"\bTREASURY\b|\bTSA\b|\bSINGLE\W*(?:TREASURY\W*)?ACC(?:OUN)?T\b")
_MOBILE_MONEY = re.compile(r"\bMO\W?MO\b|\bMOBILE\W*MONEY\b|\bAIRTEL\W*MONEY\b|\bM\W?PESA\b"
                           r"|(?<![0-9])(?:2507[0-9]{8}|07[0-9]{8})(?![0-9])")  # or the sender's phone number
# the telecoms that run the rails: in a mobile-money line their names say how the money came, not who sent it
_TELECOMS = re.compile(r"\b(?:MTN|AIRTEL|TIGO)(?:\W+RWANDA(?:CELL)?)?(?:\W+(?:PLC|LTD|LIMITED))?\b|\bRWANDACELL\b"
                       r"|\bMM\b|\bMOMO\W?PAY\b|\bMERCHANT\W*(?:CODE|ID)?\W*[0-9]*")
_SERIAL_FIELD = 7  # a mobile-money reference of more digits is a phone number or a transaction id
# a number after TXN, TRANSACTION, TRX, REF NO or ID is the transaction's id, not the sender's reference
_TRANSACTION_ID = re.compile(r"\b(?:TXN|TRANSACTION|TRANS|TRX|TX|REF\W*(?:NO|NUMBER|NBR)|ID|TID)\W*[0-9]+$")
_PARTIAL_WORDS = re.compile(r"\b(?:PART(?:IAL)?|ADVANCE|INSTAL+MENT|ACOMPTE|BALANCE|DEPOSIT|ON ACCOUNT)\b")
_NOT_RECEIPTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (what, re.compile(pattern)) for what, pattern in (
        ("interest", r"\bINTERESTS?\b|\bCR\W*INT\b|\bINT\W*(?:PAID|CAPITALI[SZ]ATION)\b"),
        ("loan", r"\bLOANS?\b|\bDISBURSE?MENT\b|\bDRAW\W?DOWN\b"),
        ("reversal", r"\bREVERS(?:AL|ED|E)\b|\bRETURNED\b|\bRETURN OF FUNDS\b|\bCHARGE\W?BACK\b|\bRECALL(?:ED)?\b"),
        ("transfer between own accounts", r"\b(?:FROM|TO|BETWEEN)\W+OWN\b|\bOWN\W+(?:[A-Z]{3}\W+)?(?:A\W?C|ACC\w*)\b"
                                          r"|\bBETWEEN\W*(?:OUR\W*)?ACCOUNTS\b|\bINTERNAL\W*TRANSFER\b"
                                          r"|\bBOOK\W*TRANSFER\b|\bSWEEP\b"),
        ("salaries", r"\bSALAR(?:Y|IES)\b|\bPAYROLL\b"),
        ("refund", r"\bREFUNDS?\b"),
        ("dividend", r"\bDIVIDENDS?\b"),
        ("foreign exchange deal", r"\bFX\W*DEAL\b|\bFOREX\b|\bFOREIGN\W*EXCHANGE\b"),
        ("deposit maturity", r"\b(?:FIXED|TERM)\W*DEPOSIT\b|\bMATURITY\b|\bT\W?BILLS?\b"),
        ("capital", r"\bSHARE\W*CAPITAL\b|\bCAPITAL\W*INJECTION\b"),
    )
)


class Payer:
    """The candidate customers of a line: by account, by the invoices quoted, by name."""

    def __init__(self, state: MatchState) -> None:
        self.state = state

    def read(self, line: StatementLine, code: str, places: int, narrative: Prepared, hits: dict[int, Hit],
             usable: dict[int, Hit]) -> LineFacts:
        """What the line says of its payer: a mobile-money channel, a payer for others, the names to read."""
        counterparty = line.counterparty_name if isinstance(line.counterparty_name, str) else ""
        said = line.narrative if isinstance(line.narrative, str) else ""
        mobile = bool(_MOBILE_MONEY.search(narrative.folded) or _MOBILE_MONEY.search(fold(counterparty)))
        if mobile:
            if _MOBILE_MONEY.search(fold(counterparty)) or not _TELECOMS.sub("", fold(counterparty)).strip(" .,-"):
                counterparty = ""  # MTN MOBILE MONEY RWANDA, MTN RWANDACELL MOMO: the channel, not the payer
            said = _TELECOMS.sub(" ", narrative.folded)
            self.mobile_reference(narrative, code, hits, usable)
        now = LineFacts(line, code, places, to_units(line.amount, places), narrative, hits, usable,
                    bool(_PARTIAL_WORDS.search(narrative.folded)), mobile)
        now.third_party = self.third_party(line, narrative)
        payer_name = counterparty if now.third_party is None else ""
        now.fields = (payer_name, said)
        now.counterparty = counterparty
        return now

    def first_candidates(self, now: LineFacts) -> dict[int, Candidate]:
        """Customers named by the payer's account and by the invoice numbers quoted."""
        candidates: dict[int, Candidate] = {}
        line = now.line
        account = line.counterparty_account if now.third_party is None else ""  # the third party's account
        for customer in self.state.payers.accounts(account, now.narrative):
            candidates[customer] = Candidate(customer, Evidence(100, "payer's bank account is the customer's"),
                                              by_account=True)
        if self.state.references:  # MatchRules references quoted whole: the customer's, as a whole alias is
            text = f"{fold(line.counterparty_name or '')} {now.narrative.folded}"
            for pattern, customer, key in self.state.references:
                if pattern.search(text):
                    quoted = candidates.setdefault(customer, Candidate(customer))
                    if quoted.who.points < 95:
                        quoted.who = Evidence(95, f"'{key}' quoted")
        for position, hit in now.usable.items():
            owner = self.state.owner[position]
            candidate = candidates.get(owner)
            if candidate is None:
                candidate = candidates[owner] = Candidate(owner)
            candidate.refs[position] = hit
        return candidates

    def mobile_reference(self, narrative: Prepared, currency: str, hits: dict[int, Hit],
                          usable: dict[int, Hit]) -> None:
        """A mobile-money line ends with the reference the sender typed, after the phone number and the
        transaction id (``MOMO*2507XXXXXXXX*32013494970*OLIVIER N*11243``, ``... FROM 2507XXXXXXXX 01617``):
        a short group of digits there is read as an invoice serial, as after the word INVOICE. Phone numbers
        and transaction ids are too long to be serials."""
        text = narrative.folded.rstrip(" .")
        field = re.split(r"[*/]", text)[-1].strip() if re.search(r"[*/]", text) else text
        field = field.split()[-1] if field.split() else ""
        if not field.isdigit() or len(field) > _SERIAL_FIELD or not field.strip("0") or _TRANSACTION_ID.search(text):
            return
        for position, hit in self.state.invoices.find(prepare(f"INVOICE {field}")).items():
            if hit.points < 60 or (position in hits and hits[position].points >= hit.points):
                continue
            hits[position] = Hit(hit.points, f"invoice serial {field} in the mobile-money reference", -1, -1)
            if self.state.currency[position] == currency and self.state.open[position] != 0:
                usable[position] = hits[position]

    def third_party(self, line: StatementLine, narrative: Prepared) -> frozenset[int] | None:
        """Whether the payer pays for others (a treasury single account, a payer listed in Settings): if so,
        the customers its own name names (the counterparty, or the narrative when there is none)."""
        payer = " ".join(re.sub(r"[^A-Z0-9&]+", " ", fold(line.counterparty_name or "")).split())
        text = payer or narrative.folded
        if not (_THIRD_PARTY.search(text) or any(p.search(text) for p in self.state.payers_for_others)):
            return None
        return frozenset(h.customer for h in self.state.payers.names([line.counterparty_name or line.narrative]))

    def nobody(self, now: LineFacts) -> str:
        """Why no customer is identified."""
        same = self.state.open_amounts.get((now.currency, now.target), 0)
        if same:
            why = (f"no customer identified; the amount equals {same} open amount(s), but an amount alone "
                   "never identifies a customer")
        else:
            why = "no customer identified (no known account, name or invoice number)"
        return "; ".join([why, *now.ruled_out])

    def ruled(self, now: LineFacts, names: list[NameHit]) -> list[NameHit]:
        """The names found, without the customers a MatchRules ``not`` row says this payer is not (learnt when
        the accountant wrote ``wrong customer``): each row that left one out is kept for the reason."""
        if not self.state.ruled_out or not names:
            return names
        payer = now.line.counterparty_name if isinstance(now.line.counterparty_name, str) else ""
        out = self.state.ruled_out.get(payer_key(payer))
        if not out:
            return names
        kept = []
        for hit in names:
            rule = out.get(hit.customer)
            if rule is None:
                kept.append(hit)
            elif rule not in now.ruled_out:
                now.ruled_out.append(rule)
        return kept


    def add_names(self, now: LineFacts, candidates: dict[int, Candidate], best: Candidate | None,
                  sure: bool) -> bool:
        """Add the customers the line names to the candidates, when the account and the invoice numbers are not
        enough (``sure``: the best candidate is sure without names); whether that may change the best one."""
        payer_name, said = now.fields
        counterparty = now.counterparty
        quoted_surely = best is not None and best.proposal is not None and best.proposal.by_reference and \
            best.proposal.reference.points >= 85 and not best.proposal.flags
        if best is not None and quoted_surely and not sure:
            # the invoice number is clear but the amount is not all explained (a part payment, an
            # overpayment): does the line name the customer too?
            own = self.state.payers.name_of(best.customer, [payer_name, said])
            names = [own] if own is not None else []
            if not payer_name.strip() or (own is not None and own.points >= 85):
                pass
            else:
                names += [h for h in self.state.payers.names([counterparty]) if h.points >= 85]
            now.names_checked = True
        elif best is None or best.proposal is None or not sure:
            names = self.state.payers.names([payer_name, said])
            if now.third_party:  # the third party's own name, as a proposal at most (see Decision.decide)
                names += [h for h in self.state.payers.names([counterparty or said])
                          if h.customer in now.third_party and h.customer not in {n.customer for n in names}]
                names.sort(key=lambda h: (-h.points, -len(h.words), h.customer))
            now.names_checked = True
        elif not best.by_account and payer_name.strip():
            # sure by the reference; but is the payer another customer, with an open item of that amount?
            own = self.state.payers.name_of(best.customer, [counterparty])
            if own is not None and own.points >= 85:
                names = [own]
            else:
                names = [h for h in self.state.payers.names([counterparty]) if h.points >= 85]
        else:
            names = []
        names = self.ruled(now, names)
        top = names[0].points if names else 0
        added = False
        for named in names[:8]:
            if named.points < max(60, top - 25):
                break
            candidate = candidates.get(named.customer)
            if candidate is None:
                candidate = candidates[named.customer] = Candidate(named.customer)
                added = True
            if candidate.name is None:
                candidate.name = named
                candidate.payer_named = now.third_party is not None and named.customer in now.third_party
                if not candidate.by_account:
                    candidate.who = Evidence(named.points, named.reason)
                    added = True
        return added


_ANY_NOT_RECEIPT = re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in _NOT_RECEIPTS))


def not_a_receipt(*texts: str) -> str:
    """What the line is if it reads like no customer receipt (interest, a loan, a reversal...), else ""."""
    if not any(_ANY_NOT_RECEIPT.search(text) for text in texts):
        return ""
    for what, pattern in _NOT_RECEIPTS:
        if any(pattern.search(text) for text in texts):
            return what
    return ""  # pragma: no cover - the patterns together find what one of them finds
