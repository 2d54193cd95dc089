"""The audit pack's working papers: pure schedules built from the ledger at a period end (``arxl audit pack``)."""
