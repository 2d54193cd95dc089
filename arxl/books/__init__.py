"""The books: what keeps arxl's register and the ledger of record (Sage) in agreement.

Foreign-currency values and their exchange differences (IAS 21), the withholding certificates still owed by
RRA, the period lock and the tie-out of arxl's balances against Sage's. A workflow like billing, cash
application and aging: it reads the ledger's records and core's rules, never a file.
"""
