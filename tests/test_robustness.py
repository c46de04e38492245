"""Whatever people type, the jobs answer with findings, never a traceback (property-based)."""

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpdsheets.contract.book import RawBook, RawSheet
from cpdsheets.contract.findings import FindingType
from cpdsheets.contract.schema import DATA_SHEETS
from cpdsheets.jobs.book import run_recalc, run_validate
from cpdsheets.jobs.tabs import book_tabs
from conftest import POLICY_ROWS

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")  # a template field left unfilled
WORDS = ["", " ", "出勤", "√", "×", "校内", "外", "下周", "2025-13-01", "9月3日", "2025年10月8日", "-1", "２学时",
         "1001", "1001.0", "007", "张三", "中层、班主任", "必读书目", "读书导研单", "教育刊物", "公开课", "讲座", "校级",
         "区级", "=1+1", "+1", "@x", "R03", "R99", "#N/A", "TRUE", "3000字", "0", "语文组", "一年级语文", "跨学科"]

cell = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    st.text(max_size=6),
    st.integers(min_value=-5, max_value=50_000),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1899, 12, 31), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.times(),
)


def sheet_rows(spec, draw):
    header = [c.header for c in spec.columns]
    rows = draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header) + 1), max_size=8))
    # the roster keeps a few real IDs so cross-sheet checks have something to match
    if spec.key == "teachers":
        rows += [["1001", "张三", "男", None, None, "语文组", "一年级语文", "中层", None, None, None]]
    return [header, *rows]


@st.composite
def books(draw):
    sheets = {}
    for spec in DATA_SHEETS:
        if draw(st.booleans()) or spec.key == "teachers":
            sheets[spec.name] = RawSheet(spec.name, sheet_rows(spec, draw))
    policy = [list(r) for r in POLICY_ROWS]
    if draw(st.booleans()):
        policy += [[], ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限", "严重度", "启用"]]
        policy += draw(st.lists(st.lists(cell | st.sampled_from(["计数", "合计", "占比", "字数", "听课记录", "学期", "月",
                                                               "双周", "类型=公开课", "岗位 含 中层", "教龄<=5", "是"]),
                                         min_size=12, max_size=12), max_size=4))
    if draw(st.booleans()):
        policy[draw(st.integers(1, len(POLICY_ROWS) - 1))][1] = draw(cell)
    sheets["规则"] = RawSheet("规则", policy)
    return RawBook(sheets, "fuzz.xlsx")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(books())
def test_any_input_gives_findings_not_tracebacks(book):
    for job in (run_validate, run_recalc):
        outcome = job(book, as_of=dt.date(2026, 4, 15))
        for f in outcome.findings:
            assert f.code in FindingType.registry
            d = f.as_dict("zh")
            assert not PLACEHOLDER.search(d["message"]) and not PLACEHOLDER.search(d["hint"])
            if f.row is not None:
                assert f.cell and f.cell[0].isalpha()
        assert {t.key for t in book_tabs(outcome).tabs} >= {"issues", "runlog"}
