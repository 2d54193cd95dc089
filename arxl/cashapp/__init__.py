"""Cash application: bank statement lines matched to open invoices, and each receipt posted once."""
