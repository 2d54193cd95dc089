"""The audit pack's files: the pack workbook, the document index, the action journal and the ledger's state."""
