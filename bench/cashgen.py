"""Write the labelled cash-application benchmark of :mod:`arxl.sample.cash` as the CSV files of ``arxl match``.

    python bench/cashgen.py --seed 1 --lines 2000 --out out/cashbench
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from arxl.sample.cash import generate, write_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path("out/cashbench"))
    args = parser.parse_args(argv)
    bench = generate(args.seed, args.customers, args.items, args.lines)
    for name, path in write_bench(bench, args.out).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
