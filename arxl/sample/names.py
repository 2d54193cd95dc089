"""Names of Rwanda for the generated data: ministries, agencies, districts, banks, telecoms, insurers, NGOs,
foreign clients, businesses and people, the narratives of bank lines that are no customer receipt, and how
payers and banks mangle a name (misspelt, a near twin, cut into 35-character fields).
"""

from __future__ import annotations

import random
import re

from arxl.sample.company import BANK_RWF, BANK_USD, COMPANY

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
OWN_NAME = COMPANY.upper()  # the sample's company, as its own bank prints it
OWN_ACCOUNTS = (BANK_RWF, BANK_USD)
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
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL"]


# -- how payers and banks spell them -----------------------------------------------------------------------

def misspell(r: random.Random, name: str) -> str:
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


def twin_name(r: random.Random, name: str) -> str:
    """A near-identical name: Umucyo Trading Ltd -> Umucyo Traders Ltd, Kivu Heights -> Kivu Height."""
    words = name.split()
    body = [i for i, w in enumerate(words) if len(w) >= 5 and w not in ("Limited",)]
    if not body:
        return name + " Group"
    i = r.choice(body)
    word = words[i]
    words[i] = word[:-1] if word.endswith("s") else word + "s"
    return " ".join(words)


def bank_text(r: random.Random, text: str) -> str:
    """Narratives as banks print them: upper case, cut into 35-character fields, some fields dropped."""
    text = re.sub(r"\s+", " ", text.upper()).strip()
    fields = r.choices((1, 2, 3, 4), (10, 40, 30, 20))[0]
    limit = 35 * fields
    if len(text) > limit:
        text = text[:limit]
    return text
