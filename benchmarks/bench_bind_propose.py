"""How long `cpdsheets bind --dry-run` takes beyond reading the book: the recogniser on a large canonical
book and on a large sign-in grid.

    python benchmarks/bench_bind_propose.py [--rows 150000] [--teachers 300] [--sessions 200] [--repeat 3]

Prints, best of ``--repeat``: the read (calamine) and ``propose`` for the synthetic book, and for a grid
of ``--teachers`` rows by ``--sessions`` session columns with √/假/缺 marks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
from pathlib import Path

from run import best  # one timing helper for every benchmark script

from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.binding.recognise import propose
from cpdsheets.samples.synthetic import generate


def grid_book(path: Path, teachers: int, sessions: int) -> Path:
    import xlsxwriter

    rng = random.Random(0)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("校本培训签到表")
    ws.merge_range(0, 0, 0, sessions + 1, "2024学年校本培训签到表")
    ws.write_row(1, 0, ["工号", "姓名"])
    day = dt.date(2024, 9, 2)
    for s in range(sessions):
        ws.write(1, 2 + s, f"{day + dt.timedelta(days=s)} 专题{s + 1} 2学时")
    for t in range(teachers):
        ws.write_row(2 + t, 0, [str(1001 + t), f"教师{t}"] + [rng.choice("√√√√假缺") for _ in range(sessions)])
    wb.close()
    return path


def measure(label: str, path: Path, repeat: int) -> None:
    book = read_workbook(path)
    read = best(lambda: read_workbook(path), repeat)
    recognise = best(lambda: propose(book), repeat)
    print(f"{label}: {path.stat().st_size / 1e6:.1f} MB; read {read:.3f}s, propose {recognise * 1000:.1f} ms "
          f"({len(book.sheets)} sheets)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=150_000)
    ap.add_argument("--teachers", type=int, default=300)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cpdsheets-bind-") as work:
        synthetic = generate(Path(work) / "synthetic.xlsx", teachers=args.teachers, rows=args.rows)
        measure(f"synthetic book, {args.rows} log rows", synthetic, args.repeat)
        grid = grid_book(Path(work) / "grid.xlsx", args.teachers, args.sessions)
        measure(f"sign-in grid, {args.teachers} teachers x {args.sessions} sessions", grid, args.repeat)


if __name__ == "__main__":
    main()
