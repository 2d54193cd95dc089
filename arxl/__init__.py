"""arxl: accounts receivable for the billing and recovery accountant who lives in Excel."""

__version__ = "0.1.0"
