"""What people type instead of clean values: the variants docs/SPEC.md lists as understood.

Each function returns a clean value most of the time and, with a small probability drawn from the
given ``random.Random``, one of the accepted variants (``2025/9/3``, ``9月3日``, ``1001.0``, ``2学时``,
full-width digits, ``√``, ``本校``...). None of them is an error.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from ..contract.schema import SHEETS

_FULLWIDTH_DIGITS = str.maketrans("0123456789.", "０１２３４５６７８９．")


def typed_date(rng: random.Random, d: date) -> Any:
    roll = rng.random()
    if roll > 0.14:
        return d
    forms = (f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日",
             f"{d.month}月{d.day}日", d.isoformat(), str((d - date(1899, 12, 30)).days))
    return forms[int(roll / 0.14 * len(forms)) % len(forms)]


def typed_id(rng: random.Random, tid: str) -> Any:
    roll = rng.random()
    if roll < 0.08:
        return float(tid)  # a numeric cell: 1001.0
    if roll < 0.11:
        return f" {tid} "
    return tid


def typed_number(rng: random.Random, x: float, unit: str) -> Any:
    x = int(x) if float(x).is_integer() else x
    roll = rng.random()
    if roll < 0.08:
        return f"{x}{unit}"
    if roll < 0.11:
        return str(x).translate(_FULLWIDTH_DIGITS)
    return x


_ATTENDANCE = ("出勤", "出勤", "出勤", "√", "√", "✓", "到", "")
_INSIDE, _OUTSIDE = ("校内", "校内", "校内", "本校", "内"), ("校外", "校外", "外校")


def typed_record(rng: random.Random, key: str, record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    spec = SHEETS[key]
    for col in spec.columns:
        v = out.get(col.key)
        if v is None or v == "" or key == "teachers" and col.kind != "date":
            continue
        if col.kind == "date":
            out[col.key] = typed_date(rng, v) if key != "teachers" else v
        elif col.kind == "teacher_id":
            out[col.key] = typed_id(rng, v)
        elif col.kind == "number":
            out[col.key] = typed_number(rng, v, {"hours": "学时", "comment_chars": "字", "chars": "字",
                                                  "days": "天"}.get(col.key, ""))
        elif col.kind == "attendance" and v == "出勤":
            out[col.key] = rng.choice(_ATTENDANCE)
        elif col.kind == "location":
            out[col.key] = rng.choice(_INSIDE if v == "校内" else _OUTSIDE)
    return out
