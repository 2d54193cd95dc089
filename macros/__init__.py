"""Ribbon macros (installed as ``arxl.macros``): one per button of the arxl tab.

The add-in's single VBA callback runs ``RunPython "import arxl.macros as m; m.run('<button id>')"``; each
button id below names the macro it runs. The macros are thin: open the calling workbook through a
WorkbookPort, call the same workflow as the command line, report.
"""

from __future__ import annotations

# Button id -> (group on the ribbon, label, screentip). The order is the ribbon's.
BUTTONS: dict[str, tuple[str, str, str]] = {
    "validate_workbook": ("Billing", "Validate workbook", "Check every table and list each problem with its cell"),
    "review_billing": ("Billing", "Review billing", "Pre-billing review of the period into the Review sheet"),
    "generate_invoices": ("Billing", "Generate invoices", "Bill the period: numbered invoices and documents"),
    "export_sage": ("Billing", "Export to Sage", "Sage 50 audit-trail CSV of the period's invoices and credit notes"),
    "import_statement": ("Cash", "Import statement", "Import a bank statement and propose matches"),
    "post_reconciliation": ("Cash", "Post reconciliation", "Post the approved matches to Receipts and Allocations"),
    "refresh_aging": ("Receivables", "Refresh aging", "Rebuild the Aging sheet as of the As Of date"),
    "statements_reminders": ("Receivables", "Statements & reminders", "Statements of account and reminder e-mails"),
    "collections_report": ("Receivables", "Collections report", "Collections against targets, DSO, CEI"),
    "month_end_close": ("Close", "Month-end close", "Run the month-end, step by step, resuming where it stopped"),
}
