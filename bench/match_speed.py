"""How fast is ``arxl match`` whatever the mix? Time against the share of lines identified by name only.

Lines that quote an invoice number or come from a known bank account are quick to match; a line that names its
payer only by name needs a search among 20,000 names. This bench makes :mod:`arxl.sample.cash` statements
(seed 1; 50,000 lines, 200,000 open items, 20,000 customers by default) whose ``name_only`` case is 10 %, 30 % and
60 % of the lines (the other cases keep their proportions, see cashgen.name_mix), writes them as the CSV files of
``arxl match`` and runs the command as the accountant does, reading the files included, each run in a process
of its own. Per share it prints the seconds end to end, lines per second, the peak memory (this process and any
forked worker), the automatic rate (right automatic lines / receipts) and the precision (right automatic lines /
automatic lines), so that speed never buys wrong answers.

``--before REV`` runs the same files through the matcher of another commit too (default: where the branch left
main), its ``arxl`` package taken from git into a folder of its own and put first on the path; ``--before ''``
skips it.

    python bench/match_speed.py [--shares 10,30,60] [--lines 50000] [--items 200000] [--customers 20000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from cashgen import name_mix

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / "out" / "bench" / "speed"


def bench_folder(share: int, customers: int, items: int, lines: int) -> Path:
    """The benchmark's CSV files (made once, then reused)."""
    folder = CACHE / f"{share}pc-{customers}-{items}-{lines}"
    if not (folder / "truth.csv").exists():
        from arxl.sample.cash import generate, write_bench

        write_bench(generate(1, customers, items, lines, mix=name_mix(share / 100)), folder)
    return folder


def run_cli(folder: Path, out: Path) -> dict[str, Any]:
    """``arxl match`` on the folder's files, in this process (the ``arxl`` package first on the path)."""
    import arxl
    from arxl.cli import main

    started, cpu = time.perf_counter(), time.process_time()
    code = main(["match", "--open-items", str(folder / "open.csv"), "--customers", str(folder / "customers.csv"),
                 "--statement", str(folder / "statement.csv"), "--out", str(out)])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children.ru_maxrss) / 1024
    return {"seconds": seconds, "cpu": cpu, "child_cpu": children.ru_utime + children.ru_stime, "exit": code,
            "peak_mb": peak, "package": str(Path(arxl.__file__).parent)}


def scores(folder: Path, allocations: Path) -> tuple[float, float, int, int]:
    """Automatic rate and precision of the allocations against the truth, and the counts behind them."""
    truth: dict[str, tuple[bool, dict[str, Decimal]]] = {}
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            _, cleared = truth.setdefault(row["line_id"], (row["receipt"] == "1", {}))
            if row["invoice_no"]:
                cleared[row["invoice_no"]] = Decimal(row["cleared"])
    answers: dict[str, tuple[str, dict[str, Decimal]]] = {}
    with allocations.open(encoding="utf-8", newline="") as source:
        for row in csv.DictReader(source):
            _, cleared = answers.setdefault(row["line_id"], (row["status"], {}))
            if row["invoice_no"]:
                cleared[row["invoice_no"]] = cleared.get(row["invoice_no"], Decimal(0)) + \
                    Decimal(row["applied_amount"] or 0) + Decimal(row["deduction_amount"] or 0)
    auto = right = 0
    for line_id, (status, cleared) in answers.items():
        if status == "auto":
            auto += 1
            receipt, expected = truth[line_id]
            right += receipt and cleared == expected
    receipts = sum(1 for receipt, _ in truth.values() if receipt)
    return right / receipts if receipts else 0.0, right / auto if auto else 0.0, auto, right


def base_package(revision: str) -> Path:
    """The ``arxl`` package as it was at ``revision``, unpacked into a folder of its own (made once)."""
    sha = subprocess.run(["git", "rev-parse", revision], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    folder = CACHE / f"base-{sha[:12]}"
    if not (folder / "arxl" / "__init__.py").exists():
        archive = subprocess.run(["git", "archive", sha, "arxl"], cwd=ROOT, capture_output=True, check=True).stdout
        with tempfile.TemporaryFile() as tar:
            tar.write(archive)
            tar.seek(0)
            with tarfile.open(fileobj=tar) as unpacked:
                unpacked.extractall(folder, filter="data")
    return folder


def measure(folder: Path, out: Path, path: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    done = subprocess.run([sys.executable, __file__, "--only", str(folder), str(out)], capture_output=True,
                          text=True, check=False, env=env)
    if done.returncode:
        raise SystemExit(f"{done.stdout}\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shares", default="10,30,60", help="name-only shares, in percent")
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--before", default="main", help="the commit to compare with ('' : none)")
    parser.add_argument("--only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.only:
        print(json.dumps(run_cli(*args.only)))
        return 0
    before = None
    if args.before:
        base = subprocess.run(["git", "merge-base", args.before, "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        before = base_package(base)
        print(f"before: the matcher of {base[:12]} ({args.before} where this branch left it)")
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.2f} now (other work slows the wall time)")
    print("seconds: wall time end to end; CPU: this process's, + the forked children's (reading, names ahead)")
    print(f"{'name-only':>9} | {'seconds':>7} {'CPU + child':>11} {'lines/s':>7} {'peak MB':>7} {'auto':>7} "
          f"{'precision':>9} | {'before s':>8} {'CPU + child':>11} {'auto':>7} {'precision':>9} | load")
    for share in (int(s) for s in args.shares.split(",")):
        folder = bench_folder(share, args.customers, args.items, args.lines)
        now = measure(folder, folder / "alloc.csv", None)
        rate, precision, _, _ = scores(folder, folder / "alloc.csv")
        shown = (f"{share:8d}% | {now['seconds']:7.2f} {now['cpu']:5.1f} + {now['child_cpu']:3.0f} "
                 f"{args.lines / now['seconds']:7,.0f} {now['peak_mb']:7,.0f} {rate:7.2%} {precision:9.2%}")
        if before is not None:
            then = measure(folder, folder / "alloc-before.csv", before)
            if not then["package"].startswith(str(before)):
                raise SystemExit(f"the 'before' run used {then['package']}, not {before}")
            rate_b, precision_b, _, _ = scores(folder, folder / "alloc-before.csv")
            same = (folder / "alloc.csv").read_bytes() == (folder / "alloc-before.csv").read_bytes()
            shown += (f" | {then['seconds']:8.2f} {then['cpu']:5.1f} + {then['child_cpu']:3.0f} {rate_b:7.2%} "
                      f"{precision_b:9.2%}")
            shown += "" if same else " (allocations DIFFER)"
        print(f"{shown} | {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
