"""How fast is the matcher? 50,000 statement lines against 200,000 open items of 20,000 customers.

The data come from :mod:`arxl.sample.cash` (seed 1), the generator `arxl sample` ships with. Two figures:

* **match** - :func:`arxl.cashapp.match` on records in memory: building the indexes (invoice numbers,
  accounts, names) and matching every line; the target is at most 15 s on a 2-core machine;
* **quality** - the same run scored by ``match_quality.py``'s rules: precision, the automatic rate and, of the
  lines sent to review, the share whose first proposal was right;
* **end to end** - ``arxl match`` as the accountant runs it: reading the three CSV files, matching, writing
  the allocation CSV (the statement through :mod:`arxl.formats.statements`).

Each figure runs in its own process, so that the peak memory printed (max RSS) is its own.

    python bench/match.py [--lines 50000] [--items 200000] [--customers 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / "out" / "bench" / "match"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_match(customers: int, items: int, lines: int) -> dict[str, float]:
    from arxl.cashapp import match
    from arxl.sample.cash import generate

    bench = generate(1, customers, items, lines)
    before = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    rows = match(bench.lines, bench.items, bench.customers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_mb()
    from match_quality import Tally, by_line, tally  # the quality bench's scoring, once for both benches

    total = Tally()
    for part in tally(bench, by_line(rows)).values():
        total.add(part)
    return {"seconds": seconds, "cpu": cpu, "lines": len(bench.lines), "items": len(bench.items),
            "customers": len(bench.customers), "rows": len(rows), "peak_mb": peak,
            "peak_before_mb": before, "auto": total.auto, "precision": 100 * (total.precision or 0),
            "auto_rate": 100 * (total.rate or 0), "review": total.review, "review_right": total.review_right}


def run_cli(customers: int, items: int, lines: int) -> dict[str, float]:
    from arxl.sample.cash import generate, write_bench

    folder = CACHE / f"{customers}-{items}-{lines}"
    if not (folder / "statement.csv").exists():
        write_bench(generate(1, customers, items, lines), folder)
    from arxl.cli import main

    started, cpu = time.perf_counter(), time.process_time()
    code = main(["match", "--open-items", str(folder / "open.csv"), "--customers", str(folder / "customers.csv"),
                 "--statement", str(folder / "statement.csv"), "--out", str(folder / "alloc.csv")])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "exit": code, "peak_mb": _peak_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--only", choices=("match", "cli"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.only:
        run = run_match if args.only == "match" else run_cli
        print(json.dumps(run(args.customers, args.items, args.lines)))
        return 0
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f} (other work slows the wall time)")
    for part in ("match", "cli"):
        done = subprocess.run([sys.executable, __file__, "--only", part, "--lines", str(args.lines), "--items",
                               str(args.items), "--customers", str(args.customers)], capture_output=True, text=True,
                              check=False)
        if done.returncode:
            print(done.stdout, done.stderr)
            return 1
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rate = args.lines / figures["seconds"]
        if part == "match":
            print(f"match: {figures['lines']:,} lines against {figures['items']:,} open items of "
                  f"{figures['customers']:,} customers in {figures['seconds']:.2f} s (CPU {figures['cpu']:.2f} s; "
                  f"{rate:,.0f} lines/s), "
                  f"{figures['auto']:,} lines applied automatically; peak memory {figures['peak_mb']:,.0f} MB "
                  f"({figures['peak_before_mb']:,.0f} MB of it the generated data)")
            review = figures["review"]
            share = f"{100 * figures['review_right'] / review:.2f} %" if review else "-"
            print(f"quality: precision {figures['precision']:.2f} %, automatic {figures['auto_rate']:.2f} % of the "
                  f"receipts; review: first proposal right {share} ({figures['review_right']:,} of {review:,} lines)")
        else:
            print(f"arxl match (CSV in, CSV out): {figures['seconds']:.2f} s (CPU {figures['cpu']:.2f} s; "
                  f"{rate:,.0f} lines/s), exit "
                  f"{figures['exit']}, peak memory {figures['peak_mb']:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
