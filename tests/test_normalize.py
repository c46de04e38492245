"""Every normaliser against a table of what people really type, including what must be rejected."""

import datetime as dt

import pandas as pd
import pytest

from cpdsheets.engine.normalize import (
    header_key, normalize_attendance, normalize_choice, normalize_dates, normalize_location,
    normalize_numbers, normalize_roles, normalize_teacher_ids, parse_date_value, school_year_of_month,
)
from cpdsheets.contract.schema import LEVELS, READING_TYPES

D = dt.date
YEAR = school_year_of_month(D(2024, 9, 1))

DATES = [
    (D(2024, 9, 3), D(2024, 9, 3)),
    (dt.datetime(2024, 9, 3, 14, 30), D(2024, 9, 3)),
    ("2024-09-03", D(2024, 9, 3)),
    ("2024/9/3", D(2024, 9, 3)),
    ("2024.9.3", D(2024, 9, 3)),
    ("2024年9月3日", D(2024, 9, 3)),
    (" 2024 年 9 月 3 日 ", D(2024, 9, 3)),
    ("9月3日", D(2024, 9, 3)),  # year from the school year: September is its first year
    ("3月1日", D(2025, 3, 1)),  # March belongs to the second calendar year
    ("45538", D(2024, 9, 3)),  # a serial number stored as text
    ("45538.0", D(2024, 9, 3)),
    (45538, D(2024, 9, 3)),
    (45538.0, D(2024, 9, 3)),
    ("２０２４－０９－０３", D(2024, 9, 3)),
    ("20240903", D(2024, 9, 3)),
    ("2024-09-03 00:00:00", D(2024, 9, 3)),
    ("下周", "bad"),
    ("2024-13-01", "bad"),
    ("2024-02-30", "bad"),
    ("13月1日", "bad"),
    ("明天", "bad"),
    (dt.time(10, 0), "bad"),
    (True, "bad"),
    (D(2263, 1, 1), "bad"),  # beyond any school record (and beyond datetime64)
    ("9999-12-31", "bad"),
    (2_000_000.0, "bad"),
    (float("inf"), "bad"),
    ("", None),
    ("   ", None),
    (None, None),
    ("2025年9月3号", D(2025, 9, 3)),
    ("9/3", D(2024, 9, 3)),  # month/day, the year from the school year
    ("9-3", D(2024, 9, 3)),
    ("3/1", D(2025, 3, 1)),
    ("9/31", "bad"),
    ("2025.9.31", "bad"),
    ("2025年13月45日", "bad"),
    ("2010.9", "bad"),  # a month is no date where a day is needed (a log's 日期)
    ("2010年9月", "bad"),
]
# Where the contract says a month is a full answer (参加工作时间, 出生日期, 入校/离校日期): the 1st of it.
MONTH_DATES = [
    ("2010.9", D(2010, 9, 1)), ("2010-09", D(2010, 9, 1)), ("2010年9月", D(2010, 9, 1)), ("2010/10", D(2010, 10, 1)),
    (2010.9, D(2010, 9, 1)), (2010.12, D(2010, 12, 1)),  # what Excel makes of a typed 2010.9
    ("2010.9.15", D(2010, 9, 15)), (D(2010, 9, 15), D(2010, 9, 15)),
    ("2010.13", "bad"), ("2010年0月", "bad"), (2010.0, "bad"), ("2010", "bad"), ("", None),
]


@pytest.mark.parametrize("typed,expected", MONTH_DATES)
def test_month_precision_dates(typed, expected):
    parsed = normalize_dates(pd.Series([typed], dtype="object"), YEAR, month_is_enough=True)
    if expected in ("bad", None):
        assert_parsed(parsed, expected)
    else:
        assert_parsed(parsed, pd.Timestamp(expected))


@pytest.mark.parametrize("typed,expected", DATES)
def test_dates(typed, expected):
    parsed = normalize_dates(pd.Series([typed], dtype="object"), YEAR)
    value, bad = parsed.values.iloc[0], bool(parsed.bad.iloc[0])
    if expected == "bad":
        assert bad and pd.isna(value)
    elif expected is None:
        assert not bad and pd.isna(value)
    else:
        assert not bad and value.date() == expected


def test_month_day_without_school_year_is_rejected():
    parsed = normalize_dates(pd.Series(["9月3日"], dtype="object"), None)
    assert bool(parsed.bad.iloc[0])


NUMBERS = [
    (1.5, 1.5), ("1.5", 1.5), ("２", 2.0), ("2学时", 2.0), ("3小时", 3.0), ("1节", 1.0), ("3000字", 3000.0),
    ("3,000字", 3000.0), ("1.5 学时", 1.5), ("2天", 2.0), ("0", 0.0), (7, 7.0), ("３千字", 3000.0),
    ("-1", "negative"), (-2, "negative"), ("abc", "bad"), ("2学时3", "bad"), ("1..5", "bad"), (True, "bad"), (float("inf"), "bad"),
    ("", None), (None, None),
]


NUMBERS += [("8人", 8.0), ("８人", 8.0), ("8 人", 8.0), ("5次", 5.0), ("3本", 3.0), ("2篇", 2.0), ("1天", 1.0),
            ("两", "bad"), ("半天", "bad"), ("两小时", "bad")]  # words only where the contract allows them
# Counts in words, for 人数 and 天数 (ColumnSpec.number_words).
WORD_COUNTS = [
    ("两", 2.0), ("三", 3.0), ("十", 10.0), ("十二", 12.0), ("二十五", 25.0), ("一百零五", 105.0), ("两人", 2.0),
    ("半天", 0.5), ("半", 0.5), ("一天半", 1.5), ("两个半小时", 2.5), ("3天半", 3.5), ("８人", 8.0),
    ("三三", "bad"), ("半天半", "bad"), ("很多", "bad"), ("", None),
]


@pytest.mark.parametrize("typed,expected", WORD_COUNTS)
def test_counts_in_words(typed, expected):
    assert_parsed(normalize_numbers(pd.Series([typed], dtype="object"), words=True), expected)


@pytest.mark.parametrize("typed,expected", NUMBERS)
def test_numbers(typed, expected):
    parsed = normalize_numbers(pd.Series([typed], dtype="object"))
    value, bad, neg = parsed.values.iloc[0], bool(parsed.bad.iloc[0]), bool(parsed.negative.iloc[0])
    if expected == "bad":
        assert bad and pd.isna(value)
    elif expected == "negative":
        assert neg and not bad
    elif expected is None:
        assert not bad and pd.isna(value)
    else:
        assert not bad and not neg and value == expected


def assert_parsed(parsed, expected):
    """One cell's verdict: "bad" (a finding), None (blank, no finding) or the value understood."""
    value, bad = parsed.values.iloc[0], bool(parsed.bad.iloc[0])
    if expected == "bad":
        assert bad
    elif expected is None:
        assert not bad and pd.isna(value)
    else:
        assert not bad and value == expected


IDS = [
    (1001.0, "1001"), (1001, "1001"), ("1001.0", "1001"), ("007", "007"), (" 1002 ", "1002"),
    ("１００３", "1003"), ("T-12", "T-12"), ("张三", "bad"), (1001.5, "bad"), ("10#1", "bad"), (float("inf"), "bad"), (1e20, "bad"), ("", None),
]


@pytest.mark.parametrize("typed,expected", IDS)
def test_teacher_ids(typed, expected):
    parsed = normalize_teacher_ids(pd.Series([typed], dtype="object"))
    assert_parsed(parsed, expected)


ATTENDANCE = [
    *[(x, "出勤") for x in ["出勤", "√", "✓", "到", "是", 1, 1.0, "1"]],
    *[(x, "缺勤") for x in ["缺勤", "×", "✗", "缺", "否", 0, "0"]],
    *[(x, "请假") for x in ["请假", "假"]],
    ("迟到", "迟到"), (" 出勤 ", "出勤"), ("??", "bad"), ("早退了", "bad"), ("", None),
]


@pytest.mark.parametrize("typed,expected", ATTENDANCE)
def test_attendance(typed, expected):
    parsed = normalize_attendance(pd.Series([typed], dtype="object"))
    assert_parsed(parsed, expected)


LOCATIONS = [("校内", "校内"), ("本校", "校内"), ("内", "校内"), ("校外", "校外"), ("外校", "校外"), ("外", "校外"),
             ("教室", "bad"), ("", None)]


@pytest.mark.parametrize("typed,expected", LOCATIONS)
def test_location(typed, expected):
    parsed = normalize_location(pd.Series([typed], dtype="object"))
    assert_parsed(parsed, expected)


ROLES = [
    ("班主任、中层", "班主任、中层"), ("中层,班主任", "班主任、中层"), ("中层，骨干", "中层、骨干"),
    ("骨干;班主任", "班主任、骨干"), ("骨干；新教师", "骨干、新教师"), ("新教师/学科带头人", "新教师、学科带头人"),
    ("中层 班主任", "班主任、中层"), ("中层　班主任", "班主任、中层"), ("中层、中层", "中层"), ("", ""), (None, ""),
]


@pytest.mark.parametrize("typed,expected", ROLES)
def test_roles(typed, expected):
    assert normalize_roles(pd.Series([typed], dtype="object")).values.iloc[0] == expected


@pytest.mark.parametrize("typed,choices,expected", [
    ("区级", LEVELS, "区级"), ("区", LEVELS, "区级"), ("国家", LEVELS, "国家级"), ("乡级", LEVELS, "bad"),
    ("导研单", READING_TYPES, "读书导研单"), ("期刊", READING_TYPES, "教育刊物"), ("小说", READING_TYPES, "bad"),
])
def test_choices(typed, choices, expected):
    parsed = normalize_choice(pd.Series([typed], dtype="object"), choices)
    if expected == "bad":
        assert bool(parsed.bad.iloc[0])
    else:
        assert parsed.values.iloc[0] == expected


@pytest.mark.parametrize("typed", ["工号", " 工 号 ", "*工号", "工号(必填)", "工号（必填）", "＊工号：", "工号*"])
def test_header_marks_are_ignored(typed):
    assert header_key(typed) == header_key("工号")


def test_english_header_case_insensitive():
    assert header_key("Teacher ID") == header_key("teacher id") == header_key("TEACHER  ID")


def test_scalar_date_helper():
    assert parse_date_value("2025年9月1日") == D(2025, 9, 1)
    assert parse_date_value("下周") is None


def test_a_remembered_parse_is_the_parse():
    """ParseMemo keeps each distinct cell's answer across calls (a warm worker's books): handed the
    cells again, mixed with new ones and in another order, it answers exactly as the normaliser does.
    Cells equal in Python but typed apart (1, 1.0, True, "1"; 0.0 and -0.0; NaN) keep their own answers."""
    import math

    import numpy as np

    from cpdsheets.engine.normalize import ParseMemo

    cells = [1, 1.0, True, "1", 0.0, -0.0, float("nan"), None, "", "  ", -3, "-2学时", "两", "45538",
             45538.5, dt.datetime(2024, 9, 3, 14, 30), D(2024, 9, 3), "9月3日", "2024.9", 2010.9, "x"]
    ways = [("dates", lambda s: normalize_dates(s, YEAR)), ("months", lambda s: normalize_dates(s, month_is_enough=True)),
            ("numbers", lambda s: normalize_numbers(s, words=True)), ("ids", normalize_teacher_ids),
            ("attendance", normalize_attendance), ("roles", normalize_roles)]
    memo = ParseMemo()
    for how, fn in ways:
        for batch in (cells[:9], cells[5:], cells[::-1], cells):
            s = pd.Series(batch, dtype="object")
            direct, memoised = fn(s), memo.apply(how, fn, s)
            assert memoised.values.dtype == direct.values.dtype
            for got, want in zip(memoised.values, direct.values):
                assert (pd.isna(got) and pd.isna(want)) or (got == want and type(got) is type(want)), (how, got, want)
            assert memoised.bad.tolist() == direct.bad.tolist()
            assert (memoised.negative is None) == (direct.negative is None)
            if direct.negative is not None:
                assert memoised.negative.tolist() == direct.negative.tolist()
        assert memo.tables[how]  # the answers were kept
    signs = memo.apply("numbers", ways[2][1], pd.Series([0.0, -0.0], dtype="object")).values
    assert [math.copysign(1.0, v) for v in signs] == [1.0, -1.0]
    assert np.isnan(memo.apply("numbers", ways[2][1], pd.Series([float("nan")], dtype="object")).values[0])
