"""Live Excel: the xlwings host, the add-in build (customUI, VBA project, compound file), UDF plumbing."""
