"""Worksheet functions (installed as ``arxl.udfs``): point xlwings' "UDF Modules" setting at ``arxl.udfs``.

The functions live in :mod:`arxl.udfs.functions`; they are re-exported here so that importing this package
is enough for xlwings to find every ``@xw.func``.
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

__all__ = [
    "arxl_aging_bucket",
    "arxl_amount_in_words",
    "arxl_days_past_due",
    "arxl_due_date",
    "arxl_expected_cash",
    "arxl_gross",
    "arxl_match_score",
    "arxl_net",
    "arxl_round",
    "arxl_vat",
]
