"""Render the demo's lead schedule (paper A of July's audit pack) to docs/lead-schedule.png for the README.

    make demo && .venv/bin/python docs/lead_png.py [--demo out/demo]

The paper is built as ``arxl audit pack`` builds it, with the demo's Sage reports (its Aged Debtors and trial
balance at 31 July), and written by arxl's fast route into a workbook of its own with the Z sheets its formulas
read; LibreOffice makes the PDF and ``pdftoppm -png -r 200 -singlefile`` the picture of the top of its first page
(the paper prints one page wide, so the picture is cropped to its rows rather than shrunk).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from arxl.books.audit.context import build_context, data_sheets
from arxl.books.audit.lead import lead_paper
from arxl.books.audit.papers import Signoff
from arxl.books.tieout import tie_out
from arxl.core.period import Period
from arxl.formats.audit.pack import write_pack
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.sage_report import read_control_account, read_sage_report
from arxl.formats.xlsx.book import open_ledger

DOCS = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, default=DOCS.parent / "out" / "demo", help="the demo's folder")
    parser.add_argument("--out", type=Path, default=DOCS / "lead-schedule.png")
    args = parser.parse_args()
    period = Period.parse("2025-07")
    ledger, _ = open_ledger(args.demo / "billing.xlsx")
    ctx = build_context(ledger, "billing.xlsx", period, Signoff("Aline Uwase", dt.date(2025, 8, 1)))
    sage = args.demo / "sage"
    ctx.tie = tie_out(ledger, read_sage_report(sage / "aged-debtors-2025-07-31.csv", ctx.base).balances, period.last)
    control = read_control_account(sage / "trial-balance-2025-07-31.csv", ledger.settings.sage_debtors_nominal)
    ctx.sage_control, ctx.sage_source = control.balance, "aged-debtors-2025-07-31.csv; trial-balance-2025-07-31.csv"
    with tempfile.TemporaryDirectory(prefix="arxl-docs-") as temp:
        folder = Path(temp)
        write_pack(folder / "lead.xlsx", [*lead_paper(ctx), *data_sheets(ctx)])
        with LibreOffice() as office:
            pdf = office.to_pdf([folder / "lead.xlsx"], folder)[0]
        subprocess.run(["pdftoppm", "-png", "-r", "200", "-x", "80", "-y", "95", "-W", "1250", "-H", "600",
                        "-singlefile", str(pdf), str(folder / "page")], check=True)
        shutil.copyfile(folder / "page.png", args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
