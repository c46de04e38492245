"""Results a coordinator can trust (issue 8, items 5-10), on workbooks written with openpyxl the way
staff type them and read back by the product: whole-item requirements, whole-item pace, a detail on
every alert, 达标预警 one row per subject/rule/semester, rules on missing sheets not evaluated, R09
over every reading row.

The school (conftest.POLICY_ROWS): 学年 2025-09-01..2026-08-31, 第一学期 ..2026-01-31, 第二学期
2026-02-16..2026-07-10 (145 days), 统计截止日 2026-04-15 (59 days into 第二学期).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections import Counter
from pathlib import Path

import shutil
import zipfile

import openpyxl
import pytest
from conftest import base_sheets, write_book
from conftest import invoke_cli
from conftest import invoke_cli

from cpdsheets.contract.schema import OPTIONAL_SHEETS
from cpdsheets.doors.template.book_content import BookContent, SheetContent
from cpdsheets.jobs.book import run_recalc
from cpdsheets.jobs.tabs import book_tabs
from cpdsheets.doors.template.master import build_master
from cpdsheets.doors.reader import read_workbook
from cpdsheets.samples.synthetic import generate

D = dt.date
ROOT = Path(__file__).parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
ROSTER = [
    ["工号", "姓名", "教研组", "备课组", "岗位", "师傅工号", "入校日期", "参加工作时间"],
    ["1001", "张三", "语文组", "一年级语文", "班主任、中层", None, None, "1998/9/1"],
    ["1002", "李四", "数学组", "一年级数学", "", "1001", None, "2023/8/28"],
    ["0007", "王五", "数学组", "一年级数学", "", None, None, "2005年9月1日"],
    ["1004", "赵六", "语文组", "一年级语文", "", "1001", "2026/3/2", "2026/3/2"],
]
EXEMPTIONS_HEADER = ["工号", "规则编号", "开始日期", "结束日期", "原因"]
ACTIVITIES_HEADER = ["日期", "组别", "类型", "主讲人", "人数"]


def school(tmp_path: Path, name: str = "学校.xlsx", **changes) -> Path:
    sheets = base_sheets()
    sheets["教师名册"] = [list(r) for r in ROSTER]
    sheets["豁免"] = [EXEMPTIONS_HEADER]
    sheets["教研活动"] = [ACTIVITIES_HEADER, ["2025/9/10", "语文组", "主题教研", "张三", "8"]]
    for sheet, rows in changes.items():
        if rows is None:
            sheets.pop(sheet, None)
        else:
            sheets[sheet] = rows
    return write_book(tmp_path / name, sheets)


def recalc(book: Path, as_of: D | None = None):
    return run_recalc(read_workbook(str(book)), as_of=as_of)


def json_alerts(book: Path, *args: str) -> dict:
    r = invoke_cli("recalc", book, "--dry-run", "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def alerts_of(doc: dict, rule: str, subject: str | None = None) -> list[dict]:
    return [a for a in doc["alerts"] if a["rule_id"] == rule and (subject is None or a["subject"] == subject)]


def tab(outcome, key: str) -> tuple[list[str], list[list]]:
    t = next(t for t in book_tabs(outcome).tabs if t.key == key)
    return [c.header for c in t.columns], t.rows


# -- 5. requirements in whole items ---------------------------------------------------------------

def test_prorated_counts_are_whole_and_one_that_rounds_to_zero_is_no_alert(tmp_path):
    # 第一学期 has 153 days. 王五 is excused from R06 (a required book a semester) for all but 11
    # of them: 1 × 11/153 = 0.07 book, which is no book. 李四 for all but 77: 0.503, i.e. 1 book.
    book = school(tmp_path, 豁免=[EXEMPTIONS_HEADER, ["0007", "R06", "2025/9/1", "2026年1月20日", "病假"],
                                 ["1002", "R06", "2025-09-01", "2025.11.15", "外派"]])
    doc = json_alerts(book)
    r06 = {(a["subject"], a["period_start"]): a for a in alerts_of(doc, "R06")}
    assert ("0007", "2025-09-01") not in r06  # it used to "need 0.072 books"
    assert r06[("1002", "2025-09-01")]["required"] == 1 and r06[("1002", "2025-09-01")]["state"] == "未达标"
    counting = {"R03", "R04", "R06", "R07", "R08", "R10", "R11", "R12", "R13", "R14", "R16", "R17", "R18"}
    for a in doc["alerts"]:
        if a["rule_id"] in counting:
            assert float(a["required"]).is_integer() and a["required"] >= 1, a


def test_sums_keep_one_decimal_and_an_upper_bound_alert_carries_its_bound(tmp_path):
    # 赵六 joined on 2 March: R01 (40 credits a year) pro-rated by school days (weekdays: this book has no
    # 校历) to 40 × 95/215 = 17.67... -> 17.7
    trainings = [list(r) for r in base_sheets()["培训记录"]]
    trainings[0] += ["天数"]
    trainings += [[D(2025, 10, 8 + i), "0007", "王五", "外出学习", "外出培训", "市级", "6学时", "出勤", 1]
                  for i in range(10)]
    doc = json_alerts(school(tmp_path, 培训记录=trainings), "--as-of", "2026-09-01")
    r01 = alerts_of(doc, "R01", "1004")
    assert [a["required"] for a in r01] == [17.7]
    assert all(round(a["required"], 1) == a["required"] for a in doc["alerts"] if a["required"] is not None)
    r15 = alerts_of(doc, "R15", "0007")
    assert [(a["actual"], a["required"], a["state"]) for a in r15] == [(10, 8, "超出上限")]


# -- 6. pace in whole items -----------------------------------------------------------------------

def test_a_one_item_window_is_not_behind_before_its_last_day(tmp_path):
    book = school(tmp_path)
    doc = json_alerts(book)  # 2026-04-15: April and the fortnight 4/13-4/26 are open
    open_windows = [a for a in doc["alerts"] if a["rule_id"] in ("R07", "R08", "R16", "R17")
                    and a["period_end"] >= "2026-04-15"]
    assert open_windows == []
    last_day = json_alerts(book, "--as-of", "2026-04-26")  # the fortnight's last day: now it is due
    behind = [a for a in alerts_of(last_day, "R08") if a["period_start"] == "2026-04-13"]
    assert {a["subject"] for a in behind} == {"1001", "1002", "0007", "1004"}
    assert {a["state"] for a in behind} == {"进度落后"}


@pytest.mark.parametrize("lessons,behind", [(8, False), (7, True)])
def test_semester_pace_is_floor_of_the_elapsed_share(tmp_path, lessons, behind):
    # 59 of 第二学期's 145 days by 4/15: 20 × 59/145 = 8.14, so 8 whole lessons are due by now.
    obs = [list(r) for r in base_sheets()["听课记录"]]
    obs += [[f"2026/3/{2 + i}", "0007", "王五", "张三", "语文", "课", "推门课", "校内"] for i in range(lessons)]
    doc = json_alerts(school(tmp_path, 听课记录=obs))
    r03 = [a for a in alerts_of(doc, "R03", "0007") if a["period_start"] == "2026-02-16"]
    assert [a["state"] for a in r03] == (["进度落后"] if behind else [])


# -- 7. distinct alerts ---------------------------------------------------------------------------

def test_every_alert_has_a_detail_naming_the_apprentice_or_type(tmp_path):
    acts = [ACTIVITIES_HEADER, ["2025/10/9", "语文组", "跨学科", "张三", "8"], ["2025/10/16", "语文组", "跨校", "张三", ""]]
    doc = json_alerts(school(tmp_path, 教研活动=acts), "--as-of", "2026-02-10")
    r11 = alerts_of(doc, "R11", "1001")  # 张三 mentors 李四 (and 赵六, who joins in March: not yet due)
    assert [a["detail"] for a in r11] == ["1002 李四"]
    r18 = alerts_of(doc, "R18", "语文组")
    assert sorted(a["detail"] for a in r18 if a["period_start"] == "2025-09-01") == ["数字化教研", "跨学段"]
    assert {a["detail"] for a in alerts_of(doc, "R16", "数学组")} == {"教研组 数学组"}
    assert {a["detail"] for a in alerts_of(doc, "R07", "0007")} == {"类型为教育刊物"}
    assert all(a["detail"] for a in doc["alerts"])


def _unique_alerts(doc: dict) -> None:
    keys = Counter((a["subject"], a["rule_id"], a["period_start"], a["period_end"], a["detail"]) for a in doc["alerts"])
    assert doc["alerts"] and [k for k, n in keys.items() if n > 1] == []


def test_no_two_alerts_share_subject_rule_period_and_detail_in_the_demo():
    _unique_alerts(json_alerts(DEMO))


def test_no_two_alerts_share_subject_rule_period_and_detail_in_a_synthetic_book(tmp_path):
    book = generate(tmp_path / "synthetic.xlsx", teachers=40, rows=4000, seed=8)
    _unique_alerts(json_alerts(book))


# -- 8. alerts for people -------------------------------------------------------------------------

def test_alert_tab_is_one_row_per_subject_rule_and_semester_sorted_by_teacher(tmp_path):
    book = school(tmp_path)
    out = recalc(book)
    header, rows = tab(out, "alerts")
    col = {h: i for i, h in enumerate(header)}
    keys = [(r[col["对象"]], r[col["规则"]], r[col["周期"]]) for r in rows]
    assert len(keys) == len(set(keys))
    assert len(rows) < len(out.results.alerts)  # the JSON keeps one alert per period
    teachers = [r[col["对象"]] for r in rows if r[col["对象"]] in {"1001", "1002", "0007", "1004"}]
    roster_order = ["1001", "1002", "0007", "1004"]
    assert teachers == sorted(teachers, key=roster_order.index)  # by teacher, as in the roster
    for subject in set(teachers):
        rules = [r[col["规则"]] for r in rows if r[col["对象"]] == subject]
        assert rules == sorted(rules)
    # 王五 has read no journal: the months of 第一学期 are one row saying how many and which (the
    # first four; the JSON lists every month)
    r07 = next(r for r in rows if (r[col["对象"]], r[col["规则"]], r[col["周期"]]) == ("0007", "R07", "第一学期"))
    assert r07[col["说明"]] == "5/5 个月未达标：9/1–9/30, 10/1–10/31, 11/1–11/30, 12/1–12/31, …"
    assert r07[col["明细"]] == "类型为教育刊物" and r07[col["实际"]] is None
    r08 = next(r for r in rows if (r[col["对象"]], r[col["规则"]], r[col["周期"]]) == ("0007", "R08", "第二学期"))
    assert r08[col["说明"]].startswith("4/5 个双周未达标：2/16–3/1, 3/2–3/15")


def _cli(*args) -> subprocess.CompletedProcess:
    r = invoke_cli(*args)
    assert r.returncode == 0, r.stderr
    return r


def _big_school(path: Path) -> Path:
    """A fresh master with 30 teachers and nothing logged yet: several printed pages of 达标预警."""
    roster = [[f"{2000 + i}", f"教师{i}", "女", None, None, "语文组", "一年级语文", "", None, None, None]
              for i in range(30)]
    return build_master(path, year="2025-2026", school="测试小学", macros=False,
                        data=BookContent(sheets={"teachers": SheetContent(rows=roster)},
                                         settings={"统计截止日": D(2026, 4, 15)}))


def test_alert_tab_header_repeats_on_printed_pages(tmp_path):
    out = tmp_path / "result.xlsx"
    _cli("recalc", _big_school(tmp_path / "book.xlsx"), "-o", out)
    _cli("recalc", out, "--no-backup")  # tabs replaced in place: still one print-title name per tab
    xml = zipfile.ZipFile(out).read("xl/workbook.xml").decode()
    assert xml.count("_xlnm.Print_Titles") == 5 and xml.count("<definedNames>") == 1
    wb = openpyxl.load_workbook(out)
    assert wb["达标预警"].print_title_rows == "$1:$1" and wb["学分汇总"].print_title_rows == "$1:$2"
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        pytest.skip("LibreOffice and pdftotext are needed to print the tab")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=180)
    pages = subprocess.run([pdftotext, str(tmp_path / "result.pdf"), "-"], capture_output=True, text=True,
                           timeout=60).stdout.split("\f")
    alert_pages = [p for p in pages if "个月未达标" in p]  # the 说明 of R07 rows: only 达标预警 has them
    assert len(alert_pages) >= 2
    assert all("周期开始" in p and "规则名称" in p for p in alert_pages)  # its header on every page


def test_summary_categories_follow_the_policy_sheet(tmp_path):
    policy = [list(r) for r in base_sheets()["规则"]] + [["学分换算:网络研修", 0.25], ["学分换算:师德培训", 0.5]]
    trainings = [list(r) for r in base_sheets()["培训记录"]] + [
        [D(2025, 9, 20), "1001", "张三", "网课", "网络研修", "区级", 4, "出勤"],
        [D(2025, 9, 21), "1001", "张三", "专业", "专业培训", "校级", 2, "出勤"]]
    header, rows = tab(recalc(school(tmp_path, 规则=policy, 培训记录=trainings)), "summary")
    categories = header[header.index("预警事项") + 1:]
    # listed in 规则 first (网络研修, 师德培训), then the template's order, 成果 last
    assert categories == ["网络研修", "师德培训", "专业培训", "成果"]


# -- 9. rules on a missing sheet ------------------------------------------------------------------

def test_rules_on_a_missing_sheet_are_one_finding_each_not_an_alert_per_group(tmp_path):
    out = recalc(school(tmp_path, 教研活动=None, 豁免=None))
    assert not any(out.results.alerts["rule_id"].isin(["R15", "R16", "R17", "R18"]))
    skipped = {f.params["rule_id"]: f for f in out.findings if f.code == "rule-not-evaluated"}
    assert sorted(skipped) == ["R15", "R16", "R17", "R18"]  # R15 sums 天数, a column this 培训记录 lacks
    assert all("教研活动" in skipped[r].message() for r in ("R16", "R17", "R18"))
    assert "天数" in skipped["R15"].message() and {f.level for f in skipped.values()} == {"warning"}
    missing = {f.sheet: f.level for f in out.findings if f.code == "missing-sheet"}
    # optional sheets: not errors (this book has none of them; a sheet added by record is one more)
    assert missing == {s.name: "info" for s in OPTIONAL_SHEETS} and {"豁免", "教研活动"} <= set(missing)


def test_a_rule_whose_column_is_missing_is_not_evaluated_at_its_cell(tmp_path):
    reading = [["工号", "日期", "书刊名称", "类型"], ["1001", "2025/9/12", "给教师的建议", "必读书目"]]
    rules = [[], ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限", "严重度",
                  "后果", "启用"],
             ["R09", "年度读书笔记字数", "字数", "读书记录", "字数", "", "学年", "", 5000, None, "错误", "", "是"],
             ["R06", "每学期必读书目", "计数", "读书记录", "", "类型=必读书目", "学期", "", 1, None, "错误", "", "是"]]
    out = recalc(school(tmp_path, 读书记录=reading, 规则=[list(r) for r in base_sheets()["规则"]] + rules))
    skipped = [f for f in out.findings if f.code == "rule-not-evaluated"]
    assert [(f.params["rule_id"], f.sheet, f.cell) for f in skipped] == [("R09", "规则", "A12")]
    assert "字数" in skipped[0].message() and "R09" not in set(out.results.alerts["rule_id"])
    assert "R06" in set(out.results.progress["rule_id"])


# -- 10. R09 counts every written note ------------------------------------------------------------

def test_r09_sums_characters_over_every_reading_row(tmp_path):
    reading = [["工号", "日期", "书刊名称", "类型", "字数"],
               ["1001", "2025/9/12", "给教师的建议", "必读书目", "2千字"],
               ["1001", "2025/10/8", "人民教育", "教育刊物", "1500字"],
               ["1001", "2025/10/20", "导研单", "读书导研单", "1000"],
               ["1001", "2025/11/3", "笔记", "读书笔记", 500]]
    out = recalc(school(tmp_path, 读书记录=reading), as_of=D(2026, 9, 1))
    p = out.results.progress
    r09 = p[(p["rule_id"] == "R09") & (p["subject"] == "1001")].iloc[0]
    assert (r09["actual"], r09["state"]) == (5000, "达标")
