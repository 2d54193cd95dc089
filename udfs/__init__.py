"""Worksheet functions (installed as ``arxl.udfs``): point xlwings' "UDF Modules" setting at ``arxl.udfs``.

The functions live in :mod:`arxl.udfs.functions` (cell by cell) and :mod:`arxl.udfs.tables` (over the ledger's
tables, spilled); they are re-exported here so that importing this package is enough for xlwings to find every
``@xw.func``.
"""

from .functions import (
    arxl_aging_bucket,
    arxl_amount_in_words,
    arxl_days_past_due,
    arxl_due_date,
    arxl_expected_cash,
    arxl_gross,
    arxl_match_score,
    arxl_net,
    arxl_round,
    arxl_vat,
)
from .tables import (
    arxl_aging,
    arxl_aging_array,
    arxl_cei,
    arxl_cei_array,
    arxl_dso,
    arxl_dso_array,
    arxl_open_items,
    arxl_open_items_array,
    arxl_statement,
    arxl_statement_array,
)

__all__ = [
    "arxl_aging",
    "arxl_aging_array",
    "arxl_aging_bucket",
    "arxl_amount_in_words",
    "arxl_cei",
    "arxl_cei_array",
    "arxl_days_past_due",
    "arxl_dso",
    "arxl_dso_array",
    "arxl_due_date",
    "arxl_expected_cash",
    "arxl_gross",
    "arxl_match_score",
    "arxl_net",
    "arxl_open_items",
    "arxl_open_items_array",
    "arxl_round",
    "arxl_statement",
    "arxl_statement_array",
    "arxl_vat",
]
