"""Billing: the billing schedule, pre-billing review, numbered tax invoices, credit notes."""
