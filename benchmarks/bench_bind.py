"""Reading a bound book: what the binding costs on top of validating the same records in the template.

    python benchmarks/bench_bind.py [--teachers 600] [--rows 20000] [--sessions 30] [--repeat 3]

Builds in memory (no file I/O: the reader is the same for both) one school's records twice: as the
template's sheets, and as a school keeps them (a roster with its own headers, 听课 split over two
semester sheets whose 听课教师 holds NAMES, a sign-in grid of teachers x sessions). Prints, in seconds
(best of --repeat): ``bound_book`` alone (materialise: rows, grid, names matched to the roster), the
whole ``jobs.check`` on the bound book (materialise, validate, translate the findings), and
``jobs.check`` on the same records in the template.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys

from run import best  # one timing helper for every benchmark script

from cpdsheets.contract.binding import Binding, ColumnBinding, SheetBinding
from cpdsheets.contract.book import RawBook, RawSheet
from cpdsheets.jobs.book import check
from cpdsheets.engine.binding.mapping_sheet import mapping_rows, read_mapping
from cpdsheets.engine.binding.materialise import bound_book

AS_OF = dt.date(2025, 7, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "芳强伟敏静丽军磊洋勇艳杰娟涛明超秀霞平刚桂英华红玉兰"


def _cols(*pairs: tuple[str, str]) -> tuple[ColumnBinding, ...]:
    return tuple(ColumnBinding(header=h, field=f) for h, f in pairs)


def books(teachers: int, rows: int, sessions: int) -> tuple[RawBook, RawBook]:
    rnd = random.Random(13)
    names: list[str] = []
    while len(names) < teachers:  # unique names, so every name resolves
        n = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        if n not in names:
            names.append(n)
    ids = [f"{1000 + i}" for i in range(teachers)]
    start = dt.date(2024, 9, 2)
    obs = [(start + dt.timedelta(days=rnd.randrange(300)), rnd.randrange(teachers), rnd.randrange(teachers))
           for _ in range(rows)]
    dates = [start + dt.timedelta(days=7 * k) for k in range(sessions)]
    marks = [[rnd.choice(["√", "√", "√", "到", "假", "缺", None]) for _ in range(sessions)] for _ in range(teachers)]

    half = rows // 2
    school = {
        "教职工名单": [["编号", "教师姓名"], *[[i, n] for i, n in zip(ids, names)]],
        "2024秋季听课登记": [["听课时间", "听课教师", "执教教师", "听课地点"],
                         *[[d, names[a], names[b], "校内"] for d, a, b in obs[:half]]],
        "2025春季听课登记": [["日期", "听课人", "授课人", "地点"],
                         *[[d, names[a], names[b], "校内"] for d, a, b in obs[half:]]],
        "校本培训签到表": [["日期", "", *dates], ["项目", "", *[f"专题{k}" for k in range(sessions)]],
                    ["学时", "", *[2] * sessions], ["工号", "姓名", *[None] * sessions],
                    *[[i, n, *m] for i, n, m in zip(ids, names, marks)]],
    }
    binding = Binding(sheets=(
        SheetBinding(sheet="教职工名单", target="teachers", columns=_cols(("编号", "teacher_id"), ("教师姓名", "name"))),
        SheetBinding(sheet="2024秋季听课登记", target="observations", columns=_cols(
            ("听课时间", "date"), ("听课教师", "teacher_id"), ("执教教师", "taught_by"), ("听课地点", "location"))),
        SheetBinding(sheet="2025春季听课登记", target="observations", columns=_cols(
            ("日期", "date"), ("听课人", "teacher_id"), ("授课人", "taught_by"), ("地点", "location"))),
        SheetBinding(sheet="校本培训签到表", target="trainings", shape="grid",
                     columns=_cols(("工号", "teacher_id"), ("姓名", "name"))),
    ))
    school["映射"] = mapping_rows(binding)
    attendance = {"√": "出勤", "到": "出勤", "假": "请假", "缺": "缺勤", None: "缺勤"}
    template = {
        "教师名册": [["工号", "姓名"], *[[i, n] for i, n in zip(ids, names)]],
        "听课记录": [["日期", "听课人工号", "授课教师", "地点"], *[[d, ids[a], names[b], "校内"] for d, a, b in obs]],
        "培训记录": [["日期", "工号", "姓名", "项目名称", "类别", "级别", "学时", "考勤"],
                 *[[d, i, n, f"专题{k}", "校本研修", "校级", 2, attendance[m[k]]]
                   for i, n, m in zip(ids, names, marks) for k, d in enumerate(dates)]],
    }
    as_book = lambda sheets: RawBook({k: RawSheet(k, v) for k, v in sheets.items()}, "bench")  # noqa: E731
    return as_book(school), as_book(template)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--teachers", type=int, default=600)
    ap.add_argument("--rows", type=int, default=20_000, help="听课 rows, split over two semester sheets")
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    school, template = books(a.teachers, a.rows, a.sessions)
    binding, _ = read_mapping(school.sheets["映射"])
    bound = bound_book(school, binding, "映射")
    sizes = {name: len(s.rows) - 1 for name, s in bound.raw.sheets.items() if name in bound.virtual}
    print(f"python {sys.version.split()[0]} on {platform.machine()}, {a.teachers} teachers; virtual sheets: {sizes}")
    t_bind = best(lambda: bound_book(school, binding, "映射"), a.repeat)
    t_bound = best(lambda: check(school, as_of=AS_OF), a.repeat)
    t_plain = best(lambda: check(template, as_of=AS_OF), a.repeat)
    print(f"bound_book (materialise)        {t_bind:7.3f} s")
    print(f"check, bound book               {t_bound:7.3f} s")
    print(f"check, same records in template {t_plain:7.3f} s")
    print(f"binding's share                 {t_bound - t_plain:7.3f} s ({t_bound / t_plain:.2f}x)")


if __name__ == "__main__":
    main()
