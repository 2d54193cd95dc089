"""What the workbook lock costs a command: taking and releasing it, the save-time check, against the save itself.

Every writing command takes the lock beside the workbook before it reads and releases it at the end; every
save of a locked workbook compares the file on disk with the version read (two ``stat`` calls). This prints
those costs in microseconds, and in the same run the baseline they sit in: one atomic save of the sample
workbook (a generated sheet replaced) and a whole ``arxl aging`` of the sample in a fresh process, with and
without a lock held.

    python bench/lock.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.lock import WorkbookLock, check_unchanged
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.sample import write_sample


def per_call(action: object, rounds: int) -> float:
    """Median microseconds of one call, over ``rounds`` calls."""
    assert callable(action)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="arxl-bench-lock-"))
    book, _ = write_sample(folder / "billing.xlsx", seed=7)

    def take_and_release() -> None:
        with WorkbookLock(book, "bench", wait=0):
            pass

    lock_us = per_call(take_and_release, args.rounds)
    with WorkbookLock(book, "bench", wait=0):
        check_us = per_call(lambda: check_unchanged(book), args.rounds)

    changes = ChangeSet()
    sheet = SheetSpec("Note")
    sheet.add(Cell("bench"))
    changes.replace_sheet(sheet)
    saves = []
    for _ in range(10):
        start = time.perf_counter()
        apply_changes(book, changes)
        saves.append(time.perf_counter() - start)
    save_ms = statistics.median(saves) * 1e3

    arxl = str(Path(sys.executable).with_name("arxl"))
    env = {**os.environ}
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([arxl, "aging", str(book), "--as-of", "2025-07-31"], check=True, capture_output=True, env=env)
        runs.append(time.perf_counter() - start)
    aging_s = min(runs)

    print(f"workbook lock (sample workbook, {args.rounds} rounds, median):")
    print(f"  take + release the lock        {lock_us:8.1f} us")
    print(f"  save-time check (2 stat calls) {check_us:8.1f} us")
    print("baseline in the same run:")
    print(f"  one atomic save of the sample  {save_ms:8.1f} ms  (lock + check = "
          f"{(lock_us + check_us) / 1e3 / save_ms * 100:.2f} % of it)")
    print(f"  arxl aging of the sample       {aging_s:8.2f} s   (best of 3, fresh process, lock included)")


if __name__ == "__main__":
    main()
