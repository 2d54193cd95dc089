"""The billing workbook: its tables, reading them with cell provenance, validating, writing and saving safely."""
