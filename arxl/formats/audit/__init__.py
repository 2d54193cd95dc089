"""The audit files beside the workbook and in a pack: the action journal, the ledger state, the document index."""
