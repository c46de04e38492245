"""The shipped demo school: validation reports exactly its planted mistakes, recalc exactly its planted
alerts, and a fresh `cpdsheets new` workbook validates clean. Expectations are written out here."""

import json
from pathlib import Path

import openpyxl

from cpdsheets.samples.demo import PLANTED, PLANTED_ALERTS

from conftest import invoke_cli as cli

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"

EXPECTED_FINDINGS = {
    # 1001's 10 学时 网络研修 on 2025-09-17 (no 天数) is a course done over weeks: no too-many-hours (issue 18)
    ("name-mismatch", "培训记录", "C30"),  # 王丽 for 王莉 (1003)
    ("negative-number", "培训记录", "G37"),  # 学时 -3
    ("unknown-teacher", "培训记录", "B73"),  # 工号 10001, a typo of 1001
    ("invalid-date", "听课记录", "A6"),  # 2025-13-01
    ("duplicate-row", "听课记录", "A11"),  # the row above typed twice
    ("unknown-observed-teacher", "听课记录", "D139"),  # 钱老师, 校内, not in the roster
    ("invalid-date", "读书记录", "B121"),  # 下周
    ("date-outside-year", "成果记录", "B6"),  # 2024-10-20, last year
    ("invalid-choice", "教研活动", "C13"),  # 读书会 is not an activity type
}

# (subject, rule, detail, period start, period end, state): what the planted cases imply at 统计截止日
# 2026-04-15, one per period as `recalc --format json` lists them.
EXPECTED_ALERTS = {
    ("1004", "R03", "听课记录", "2025-09-01", "2026-01-31", "未达标"),  # too few lessons in semester 1
    ("1002", "R05", "地点为校内", "2025-09-01", "2026-01-31", "未达标"),  # 中层 observing mostly outside school
    ("1005", "R08", "类型为读书导研单", "2026-03-02", "2026-03-15", "未达标"),  # no 导研单 in two fortnights
    ("1005", "R08", "类型为读书导研单", "2026-03-16", "2026-03-29", "未达标"),
    ("1010", "R03", "听课记录", "2026-02-16", "2026-07-10", "进度落后"),  # 6 lessons, 8 due by now
    ("1006", "R15", "类别为外出培训", "2025-09-01", "2026-08-31", "超出上限"),  # more than 8 off-site days
    ("英语组", "R16", "教研组 英语组", "2025-11-01", "2025-11-30", "未达标"),  # no group meeting in November
    ("英语组", "R18", "跨校", "2025-09-01", "2026-01-31", "未达标"),  # no 跨校 教研 in semester 1
}
# 达标预警 as a coordinator reads it: one row per subject, rule and semester, teachers in roster order.
EXPECTED_ALERT_ROWS = [
    ("1002", "R05", "第一学期", "未达标", ""),
    ("1004", "R03", "第一学期", "未达标", ""),
    ("1005", "R08", "第二学期", "未达标", "2/5 个双周未达标：3/2–3/15, 3/16–3/29"),
    ("1006", "R15", "2025-2026学年", "超出上限", ""),
    ("1010", "R03", "第二学期", "进度落后", "按进度现应有 8"),
    ("英语组", "R16", "第一学期", "未达标", "1/5 个月未达标：11/1–11/30"),
    ("英语组", "R18", "第一学期", "未达标", ""),
]



def test_demo_validate_reports_exactly_the_planted_mistakes():
    r = cli("validate", DEMO, "--format", "json")
    assert r.returncode == 1, r.stderr
    findings = json.loads(r.stdout)["files"][0]["findings"]
    got = {(f["code"], f["sheet"], f["cell"]) for f in findings}
    assert got == EXPECTED_FINDINGS
    assert len(findings) == len(EXPECTED_FINDINGS)
    assert got == set(PLANTED)  # the generator's own record agrees


def test_demo_recalc_alerts_are_the_planted_cases():
    r = cli("recalc", DEMO, "--dry-run", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["as_of"] == "2026-04-15"
    got = {(a["subject"], a["rule_id"], a["detail"], a["period_start"], a["period_end"], a["state"])
           for a in doc["alerts"]}
    assert got == EXPECTED_ALERTS and len(doc["alerts"]) == len(EXPECTED_ALERTS)
    planted = {(a["subject"], a["rule_id"], a["detail"], a["period_start"].isoformat(), a["period_end"].isoformat(),
                a["state"]) for a in PLANTED_ALERTS}
    assert got == planted
    teachers = {t["teacher_id"]: t for t in doc["teachers"]}
    assert len(teachers) == 12
    assert teachers["1004"]["status"] == "未达标" and teachers["1010"]["status"] == "进度落后"
    assert teachers["1006"]["status"] == "达标"  # R15 is a warning: it does not fail the teacher
    assert all(t["credits"] >= 0 for t in teachers.values())


def test_demo_alert_tab_is_one_row_per_subject_rule_and_semester(tmp_path):
    out = tmp_path / "result.xlsm"
    r = cli("recalc", DEMO, "-o", out)
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(out)["达标预警"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    rows = [tuple(row[col[h]] or "" for h in ("对象", "规则", "周期", "状态", "说明"))
            for row in ws.iter_rows(min_row=2, values_only=True)]
    assert rows == EXPECTED_ALERT_ROWS
    wb = openpyxl.load_workbook(out)
    assert wb["达标预警"].print_title_rows == "$1:$1"  # the header repeats on every printed page


def test_new_workbook_validates_clean(tmp_path):
    book = tmp_path / "新学年.xlsm"
    r = cli("new", book, "--year", "2026-2027", "--school", "测试小学")
    assert r.returncode == 0, r.stderr
    v = cli("validate", book, "--format", "json")
    assert v.returncode == 0
    f = json.loads(v.stdout)["files"][0]
    assert f["stats"]["errors"] == 0 and f["findings"] == []


def test_new_refuses_to_overwrite(tmp_path):
    book = tmp_path / "a.xlsx"
    assert cli("new", book).returncode == 0
    r = cli("new", book)
    assert r.returncode == 2 and "已存在" in r.stderr


def test_readme_quick_start_names_what_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert "workbook/demo_school.xlsm" in commands[0] and (ROOT / "workbook" / "demo_school.xlsm").exists()
    assert commands[1] == "bash scripts/test.sh" and (ROOT / "scripts" / "test.sh").exists()
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
