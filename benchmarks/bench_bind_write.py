"""Writing a binding into a large school book: what it costs beyond reading the book once.

    python benchmarks/bench_bind_write.py [--rows 150000] [--repeat 3]

Builds a school-style book (教职工名单, 2024秋季听课登记 with --rows rows, a 签到表) with xlsxwriter,
then prints, in seconds (best of --repeat): reading it (calamine, as every door does), and
`write_binding` as a whole (read, infer the school year from the bound dates, add 控制台/规则/映射 and
the VBA project, copy every other part as stored, replace atomically). The difference is the
writer's own cost; it should not grow with the rows, since no school part is inflated or rewritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
from pathlib import Path

import xlsxwriter
from run import best  # benchmarks/run.py: this script's folder is on sys.path when run as a script

from cpdsheets.contract.binding import Binding, ColumnBinding, SheetBinding
from cpdsheets.doors.binding.writer import write_binding
from cpdsheets.doors.reader import read_workbook

BINDING = Binding(sheets=(
    SheetBinding(sheet="教职工名单", target="teachers", columns=(
        ColumnBinding(header="工号", field="teacher_id"), ColumnBinding(header="姓名", field="name"))),
    SheetBinding(sheet="2024秋季听课登记", target="observations", header_row=2, columns=(
        ColumnBinding(header="听课教师", field="teacher_id"), ColumnBinding(header="听课时间", field="date"),
        ColumnBinding(header="课题", field="topic"))),
))


def school_book(path: Path, rows: int) -> Path:
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    roster = wb.add_worksheet("教职工名单")
    roster.write_row(0, 0, ["工号", "姓名"])
    for i in range(600):
        roster.write_row(i + 1, 0, [f"T{i:04d}", f"教师{i}"])
    obs = wb.add_worksheet("2024秋季听课登记")
    obs.write_string(0, 0, "2024秋季听课登记表")
    obs.write_row(1, 0, ["听课教师", "执教教师", "听课时间", "课题", "笔记字数"])
    start = dt.datetime(2024, 9, 2)
    for r in range(rows):
        obs.write_row(r + 2, 0, [f"教师{r % 600}", f"教师{(r * 7) % 600}"])
        obs.write_datetime(r + 2, 2, start + dt.timedelta(days=r % 280), day)
        obs.write_row(r + 2, 3, [f"课题{r % 97}", 100 + r % 400])
    wb.close()
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=150_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cpdsheets-bench-bind-") as tmp:
        book = school_book(Path(tmp) / "school.xlsx", args.rows)
        out = Path(tmp) / "bound.xlsm"
        read = best(lambda: read_workbook(book), args.repeat)
        write = best(lambda: write_binding(book, BINDING, out=out), args.repeat)
        print(f"python {platform.python_version()} on {platform.machine()}, {args.rows:,} rows, "
              f"book {book.stat().st_size / 1e6:.1f} MB -> {out.stat().st_size / 1e6:.1f} MB")
        print(f"read_workbook          {read:7.2f} s")
        print(f"write_binding (total)  {write:7.2f} s")
        print(f"  beyond the read      {write - read:7.2f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
