"""Everything else that crosses the edge: LibreOffice (recalculation, PDF), and later bank files, Sage, e-mail."""
