"""Write-back speed on a 150,000-row workbook: package writer vs calamine read vs openpyxl round trip.

    python benchmarks/bench_write.py [--rows 150000] [--tab-rows 2000]

Prints one line per measurement (best of --repeat runs, seconds).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import xlsxwriter
from python_calamine import CalamineWorkbook

from cpdsheets.doors.ooxml.package_writer import write_tabs
from run import best  # benchmarks/run.py: this script's folder is on sys.path when run as a script
from cpdsheets.reports.tables import CellMark, ChartSpec, Column, TabTable

HEAD = ["日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤", "备注"]


def make_book(path: Path, rows: int) -> None:
    rnd = random.Random(7)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("培训记录")
    ws.write_row(0, 0, HEAD)
    start = date(2024, 9, 1)
    for r in range(1, rows + 1):
        ws.write_datetime(r, 0, datetime.combine(start + timedelta(days=r % 300), datetime.min.time()), day)
        ws.write_string(r, 1, str(1000 + r % 120))
        ws.write_string(r, 2, f"教师{r % 120}")
        ws.write_string(r, 3, f"校本研修专题{r % 40}")
        ws.write_string(r, 4, ["专题讲座", "网络研修", "集体备课"][r % 3])
        ws.write_string(r, 5, ["校级", "区级", "市级"][r % 3])
        ws.write_number(r, 6, rnd.choice([1, 1.5, 2, 3]))
        ws.write_string(r, 7, "出勤")
        ws.write_string(r, 8, "")
    roster = wb.add_worksheet("教师名册")
    roster.write_row(0, 0, ["工号", "姓名", "教研组"])
    for i in range(120):
        roster.write_row(i + 1, 0, [str(1000 + i), f"教师{i}", f"组{i % 8}"])
    wb.close()


def make_tabs(n: int) -> list[TabTable]:
    status = ["达标", "进度落后", "未达标", "超出上限"]
    summary = TabTable("summary", "学分汇总",
                       [Column("工号"), Column("姓名"), Column("总学分", "number"), Column("完成率", "percent"),
                        Column("状态", "status")],
                       [[str(1000 + i), f"教师{i}", 30 + i % 17 * 0.5, (30 + i % 17) / 40, status[i % 4]] for i in range(n)])
    issues = TabTable("issues", "校验问题",
                      [Column("位置"), Column("严重度", "status"), Column("值"), Column("日期", "date"), Column("说明")],
                      [[f"培训记录!G{i + 2}", "error", f"=SUM({i})", date(2024, 9, 1) + timedelta(i % 200), "学时为负数"]
                       for i in range(n)],
                      links=[f"'培训记录'!G{i + 2}" for i in range(n)])
    groups = TabTable("groups", "教研组统计", [Column("教研组"), Column("完成率", "percent")],
                      [[f"组{i}", 0.5 + i / 20] for i in range(8)], chart=ChartSpec("完成率", 0, [1]))
    runlog = TabTable("runlog", "运行记录", [Column("项目"), Column("值")], [["版本", "0.1.0"], ["时间", str(datetime.now())]])
    return [summary, issues, groups, runlog]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=150_000)
    ap.add_argument("--tab-rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        book = Path(d) / "bench.xlsx"
        t = time.perf_counter()
        make_book(book, args.rows)
        print(f"generated {args.rows:,} input rows in {time.perf_counter() - t:.2f} s "
              f"({book.stat().st_size / 1e6:.1f} MB)")
        tabs = make_tabs(args.tab_rows)

        def read() -> None:
            wb = CalamineWorkbook.from_path(str(book))
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python()

        work = Path(d) / "work.xlsx"
        shutil.copy(book, work)
        t_read = best(read, args.repeat)
        t_write = best(lambda: write_tabs(work, tabs), args.repeat)
        t_write_nb = best(lambda: write_tabs(work, tabs, backup=False), args.repeat)
        marks = [CellMark("培训记录", f"G{2 + i * (args.rows // 1000)}", "学时为负数") for i in range(1000)]
        t_marks = best(lambda: write_tabs(work, tabs, backup=False, marks=marks), args.repeat)

        def roundtrip() -> None:
            wb = openpyxl.load_workbook(book)
            wb.save(Path(d) / "rt.xlsx")

        t_rt = best(roundtrip, 1)
        print(f"calamine read (all sheets)        {t_read:8.3f} s")
        print(f"write_tabs ({args.tab_rows:,}-row tabs, backup) {t_write:8.3f} s   "
              f"= {t_write / t_read:.2f}x the read")
        print(f"write_tabs (no backup)            {t_write_nb:8.3f} s")
        print(f"write_tabs + 1,000 marks          {t_marks:8.3f} s   (re-deflates the marked sheet)")
        print(f"openpyxl load+save round trip     {t_rt:8.3f} s   = {t_rt / t_write:.0f}x the write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
