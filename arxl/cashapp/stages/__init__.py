"""The stages of matching a bank line: who paid (:mod:`.payer`), which invoices (:mod:`.invoices`), why the
amount differs (:mod:`.deductions`) and how sure (:mod:`.decision`), over the open items and customers
indexed once (:mod:`.state`). :mod:`arxl.cashapp.matcher` drives them line by line."""
