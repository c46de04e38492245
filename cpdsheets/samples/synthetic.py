"""Large synthetic master workbooks for tests and benchmarks, written fast in constant-memory mode.

``generate(path, teachers=300, rows=150_000)`` writes the template with a roster and ``rows`` log
rows spread over the log sheets. A ``messy`` fraction of cells is typed as people type (accepted
variants), and a quarter of that fraction of rows carries a real error (bad date, negative number,
unknown 工号), so a validator has both to understand and to report.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..contract.schema import ACTIVITY_TYPES, LEVELS, LESSON_TYPES, OUTPUT_TYPES, READING_TYPES, TRAINING_CATEGORIES
from ..doors.template.book_content import BookContent, SheetContent
from ..doors.template.master import build_master
from .typed_variants import typed_date, typed_id, typed_number

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力婷雪梅琳晨宇浩然欣怡子涵思远"
GROUPS = ("语文组", "数学组", "英语组", "综合组")
SUBJECTS = {"语文组": "语文", "数学组": "数学", "英语组": "英语", "综合组": "科学"}
# Share of the log rows per sheet.
SHARES = (("observations", 0.40), ("trainings", 0.30), ("reading", 0.20), ("outputs", 0.05), ("activities", 0.05))
YEAR_START = date(2025, 9, 1)
SCHOOL_DAYS = [YEAR_START + timedelta(days=i) for i in range(313) if (YEAR_START + timedelta(days=i)).weekday() < 5]


def generate(path: str | Path, *, teachers: int = 300, rows: int = 150_000, seed: int = 0,
             messy: float = 0.02) -> Path:
    """Write a synthetic workbook (.xlsx) with ``teachers`` roster rows and ``rows`` log rows."""
    rng = random.Random(seed)
    roster = _roster(rng, teachers)
    counts = _split(rows)
    content = BookContent(
        sheets={"teachers": SheetContent(rows=[r[1] for r in roster])},
        settings={"学校名称": f"合成小学{seed}", "统计截止日": date(2026, 4, 15)},
    )
    makers = {"observations": _observation, "trainings": _training, "reading": _reading, "outputs": _output,
              "activities": _activity}
    for key, n in counts.items():
        make = makers[key]
        content.sheets[key] = SheetContent(rows=[_messy(rng, make(rng, roster), messy) for _ in range(n)])
    return build_master(Path(path), year="2025-2026", school=f"合成小学{seed}", data=content, macros=False,
                        constant_memory=True)


def _split(rows: int) -> dict[str, int]:
    counts = {k: int(rows * share) for k, share in SHARES}
    counts["observations"] += rows - sum(counts.values())
    return counts


def _roster(rng: random.Random, n: int) -> list[tuple[str, list[Any]]]:
    out = []
    for i in range(n):
        tid = f"{20001 + i}"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        group = GROUPS[i % len(GROUPS)]
        work = date(rng.randint(1990, 2024), 8, 28)
        roles = "、".join(r for r, p in (("班主任", 0.4), ("中层", 0.08), ("骨干", 0.15)) if rng.random() < p)
        if work.year >= 2021:
            roles = "新教师" + ("、" + roles if roles else "")
        mentor = f"{20001 + (i + 7) % n}" if work.year >= 2021 and n > 7 else ""
        born = date(work.year - rng.randint(21, 24), rng.randint(1, 12), rng.randint(1, 28))
        out.append((tid, [tid, name, rng.choice("男女"), born, work, group, f"{group[:2]}{i % 3 + 1}年级备课组",
                          roles, mentor, None, None]))
    return out


def _day(rng: random.Random) -> date:
    return rng.choice(SCHOOL_DAYS)


def _who(rng: random.Random, roster) -> tuple[str, list[Any]]:
    return roster[rng.randrange(len(roster))]


def _training(rng, roster) -> list[Any]:
    tid, t = _who(rng, roster)
    hours = rng.choice((1, 1.5, 2, 3, 4, 6))
    away = rng.random() < 0.1
    return [_day(rng), tid, t[1], rng.choice(("师德专题培训", "新课标解读", "作业设计研讨", "信息技术培训", "班主任培训")),
            "外出培训" if away else rng.choice(TRAINING_CATEGORIES), rng.choice(LEVELS), hours,
            rng.choice(("出勤", "出勤", "出勤", "迟到", "请假")), None, 1 if away else None]


def _observation(rng, roster) -> list[Any]:
    tid, t = _who(rng, roster)
    other = _who(rng, roster)[1]
    inside = rng.random() < 0.8
    return [_day(rng), tid, t[1], other[1] if inside else "外校" + rng.choice(SURNAMES) + "老师", SUBJECTS[other[5]],
            f"第{rng.randint(1, 12)}单元第{rng.randint(1, 4)}课时", rng.choice(LESSON_TYPES), "校内" if inside else "校外",
            rng.choice((200, 300, 500, 800))]


def _reading(rng, roster) -> list[Any]:
    tid, _ = _who(rng, roster)
    kind = rng.choice(READING_TYPES)
    return [tid, _day(rng), rng.choice(("《给教师的建议》", "《人民教育》", "《课堂观察》", "《教育的情调》")), kind,
            rng.choice((800, 1000, 1500)) if kind == "读书笔记" else None]


def _output(rng, roster) -> list[Any]:
    tid, _ = _who(rng, roster)
    return [tid, _day(rng), rng.choice(OUTPUT_TYPES), rng.choice(LEVELS), f"成果{rng.randint(1, 99999)}", None, None]


def _activity(rng, roster) -> list[Any]:
    _, t = _who(rng, roster)
    group = t[5] if rng.random() < 0.5 else t[6]
    return [_day(rng), group, rng.choice(ACTIVITY_TYPES), t[1], rng.randint(3, 12)]


def _messy(rng: random.Random, row: list[Any], messy: float) -> list[Any]:
    """Type a ``messy`` share of rows as people do; a quarter of those carry a real error."""
    if messy <= 0 or rng.random() >= messy:
        return row
    out = []
    for v in row:
        if isinstance(v, date):
            v = typed_date(rng, v) if rng.random() < 0.5 else v.strftime("%Y/%m/%d")
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            v = typed_number(rng, v, "学时") if rng.random() < 0.5 else f"{v}"
        elif isinstance(v, str) and v.isdigit() and len(v) == 5:
            v = typed_id(rng, v)
        out.append(v)
    if rng.random() < 0.25:
        i = rng.randrange(3)
        bad = ("2025-13-01", "下周", "99999")[i]
        target = next((j for j, v in enumerate(row) if isinstance(v, date)), 0) if i < 2 else \
            next((j for j, v in enumerate(row) if isinstance(v, str) and v.isdigit()), 0)
        out[target] = bad
    return out
