"""Parse and write only: the xlsx workbook (read, safety, render, save), bank statements, EBM reports, Sage
files, customer files, the invoice document, e-mail and LibreOffice. Nothing here runs a workflow."""
