"""Write the labelled cash-application benchmark of :mod:`arxl.sample.cash` as the CSV files of ``arxl match``.

    python bench/cashgen.py --seed 1 --lines 2000 --out out/cashbench [--name-share 30]

``--name-share`` makes the ``name_only`` case (no reference, no account: the payer known by name only) that
percentage of the lines, the other cases keeping their proportions (:func:`name_mix`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from arxl.sample.cash import MIX, generate, write_bench


def name_mix(share: float) -> dict[str, float]:
    """:data:`arxl.sample.cash.MIX` with ``name_only`` making ``share`` (0-1) of the lines, the other cases as
    they were relative to each other."""
    rest = sum(weight for case, weight in MIX.items() if case != "name_only")
    return {case: (share if case == "name_only" else weight * (1 - share) / rest) for case, weight in MIX.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=Path("out/cashbench"))
    parser.add_argument("--name-share", type=float, help="percent of the lines identified by name only")
    args = parser.parse_args(argv)
    mix = None if args.name_share is None else name_mix(args.name_share / 100)
    bench = generate(args.seed, args.customers, args.items, args.lines, mix=mix)
    for name, path in write_bench(bench, args.out).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
