"""The books as records: typed rows of every table of the billing workbook, Settings, the ChangeSet that a job
returns, and the Port and Host protocols through which a job reads a workbook. No file format lives here: the
xlsx reading and writing is :mod:`arxl.formats.xlsx`."""
