"""The read done on the other core: its result when it works, None (read here instead) when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from arxl.cli import main
from arxl.core.background import in_background


def _fails(text: str) -> str:
    raise ValueError(text)


def test_a_call_that_fails_over_there_gives_none() -> None:
    with in_background(_fails, "bad file") as pending:
        assert pending.result() is None
    with in_background(len, [1, 2, 3]) as pending:
        assert pending.result() == 3


def test_a_bad_statement_read_in_the_background_is_reported_here(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,name,aliases,bank_accounts,customer_type,withholding\nC1,Acme Ltd,,,private,\n")
    items = tmp_path / "open.csv"
    items.write_text("invoice_no,customer_id,customer_name,invoice_date,due_date,currency,net_amount,vat_amount,"
                     "amount,open_amount\nINV-2025-00001,C1,Acme Ltd,2025-07-01,2025-07-31,RWF,100000,18000,118000,"
                     "118000\n")
    statement = tmp_path / "statement.csv"
    statement.write_bytes(b"\x00\x01\x02 not a statement \xff" * 50)
    out = tmp_path / "alloc.csv"
    assert main(["match", "--open-items", str(items), "--customers", str(customers), "--statement", str(statement),
                 "-o", str(out)]) == 2
    assert "[statement.csv]" in capsys.readouterr().err
    assert not out.exists()
