"""The billing workbook as a file: reading it with cell provenance, package safety, rendering a ChangeSet,
the workbook lock and the atomic save with its backup."""
