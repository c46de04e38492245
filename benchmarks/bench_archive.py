"""The archive's speed against recalc's, on one generated 600-teacher workbook.

    python benchmarks/bench_archive.py [--teachers 600] [--rows 150000] [--repeat 3]

Prints, in seconds (best of --repeat): `recalc` as the CLI runs it (read, validate, compute, write the
five tabs back into a copy), and `archive` (read, the same validate and compute, gather and lay out
every teacher's record, write the new workbook with 全校概览 + one sheet per teacher), with the
archive's share of each step. Target: archive < 3 × recalc.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

from cpdsheets.jobs.archive import ArchiveRequest, archive
from cpdsheets.jobs.tabs import book_tabs
from cpdsheets.doors.archive.writer import write_archive
from cpdsheets.jobs.book import run_recalc
from cpdsheets.doors.ooxml.package_writer import write_tabs
from cpdsheets.doors.reader import read_workbook
from cpdsheets.samples.synthetic import generate


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teachers", type=int, default=600)
    ap.add_argument("--rows", type=int, default=150_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="cpdsheets-bench-archive-") as tmp:
        book = generate(Path(tmp) / "school.xlsx", teachers=args.teachers, rows=args.rows, seed=1)
        mb = book.stat().st_size / 1e6

        def recalc():
            outcome = run_recalc(read_workbook(book))
            write_tabs(book, book_tabs(outcome).tabs, out=Path(tmp) / "recalc.xlsx", backup=False)

        steps: dict[str, list[float]] = {k: [] for k in ("recalc", "archive", "read", "build", "write")}
        for _ in range(args.repeat):  # interleaved, so a busy machine slows both alike
            steps["recalc"].append(timed(recalc)[0])
            read_s, raw = timed(lambda: read_workbook(book))
            build_s, run = timed(lambda: archive(ArchiveRequest(raw)))
            write_s, path = timed(lambda: write_archive(run.sheets, Path(tmp) / "archive.xlsx"))
            for key, value in (("read", read_s), ("build", build_s), ("write", write_s),
                               ("archive", read_s + build_s + write_s)):
                steps[key].append(value)
        best = {k: min(v) for k, v in steps.items()}
        recalc_s, archive_s = best["recalc"], best["archive"]
        records = sum(len(rows) for t in run.archive.teachers for rows in t.records.values())
        print(f"machine: {platform.machine()}, Python {sys.version.split()[0]}, best of {args.repeat}")
        print(f"book: {args.teachers} teachers, {args.rows} log rows, {mb:.1f} MB")
        print(f"archive: {len(run.sheets)} sheets, {records} counted rows listed, {path.stat().st_size / 1e6:.1f} MB")
        print(f"{'step':<44}{'seconds':>9}")
        print(f"{'recalc (read, compute, write tabs back)':<44}{recalc_s:>9.2f}")
        print(f"{'archive (all steps)':<44}{archive_s:>9.2f}   {archive_s / recalc_s:.2f}x recalc (target < 3x)")
        print(f"{'  read (best)':<44}{best['read']:>9.2f}")
        print(f"{'  validate + compute + gather + lay out (best)':<44}{best['build']:>9.2f}")
        print(f"{'  write the workbook, xlsxwriter (best)':<44}{best['write']:>9.2f}")


if __name__ == "__main__":
    main()
