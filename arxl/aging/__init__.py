"""Receivables follow-up: as-of aging, statements of account, dunning, collections KPIs."""
