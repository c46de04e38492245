"""The CLI speaks the user's language: dates as typed, English on request, numbers as people write them,
usage errors in one line, a CI gate for recalc, `new` that invents nothing, and readable help."""

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import POLICY_ROWS
from conftest import invoke_cli as cli

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
RULES_HEADER = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限", "严重度",
                "后果", "启用"]



@pytest.fixture
def demo(tmp_path):
    return Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))


@pytest.mark.parametrize("typed", ["2026/4/20", "2026.4.20", "2026年4月20日", "2026-04-20"])
def test_as_of_takes_every_date_form_the_sheets_take(demo, typed):
    r = cli("recalc", demo, "--dry-run", "--format", "json", "--as-of", typed)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["as_of"] == "2026-04-20"


@pytest.mark.parametrize("command", ["recalc", "validate"])
@pytest.mark.parametrize("typed", ["2026-13-01", "下周", "2026.4.31"])
def test_a_bad_as_of_is_a_one_line_usage_error(demo, command, typed):
    r = cli(command, demo, "--as-of", typed)
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and typed in lines[0] and "--as-of" in lines[0]
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr


def test_english_recalc_text_has_english_states_and_plain_numbers(demo):
    r = cli("recalc", demo, "--dry-run", "--lang", "en")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("as of 2026-04-15:") and "not met" in out and "behind" in out and "over limit" in out
    assert not re.search("未达标|进度落后|超出上限|位教师|条预警|错误|警告", out)
    assert "R05" in out and "21% / 30%" in out  # a share as a percentage, not 0.212 / 0.3
    assert not re.search(r"\de[+-]\d|0\.\d{3}", out)


def test_counts_print_as_written(book_factory):
    # 按进度, so the open year prints its progress line (R09's default is 仅期末: no line until the year ends)
    r09 = ["R09", "读书笔记字数", "字数", "读书记录", "字数", "", "学年", "", 5000, None, "错误", "", "是", "按进度"]
    r = cli("recalc", book_factory(规则=[*map(list, POLICY_ROWS), [], [*RULES_HEADER, "进度提示"], r09]), "--dry-run")
    r09 = [line for line in r.stdout.splitlines() if " R09 " in line]
    assert r09 and all(line.endswith(" / 5000") for line in r09), r.stdout  # never 5e+03


def test_setting_and_condition_errors_in_english(book_factory):
    rules = [*map(list, POLICY_ROWS[:2]), ["学年开始", "下周"], *map(list, POLICY_ROWS[3:]), [], RULES_HEADER,
             ["R01", "总学分", "合计", "学分", "学分", "", "学年", "", 40, None, "错误", "", "是"],
             ["R02", "导研单", "计数", "读书记录", "", "类型=读书导研单 且", "双周", "", 1, None, "错误", "", "是"],
             ["R03", "开学后", "计数", "读书记录", "", "日期>=2025.9.31", "学期", "", 1, None, "错误", "", "是"],
             ["R04", "频率", "计数", "读书记录", "", "", "每天", "", 1, None, "错误", "", "是"],
             ["R05", "校内占比", "占比", "听课记录", "", "地点=校内", "学期", "", "40%", "30%", "错误", "", "是"]]
    book = book_factory(规则=rules)
    found = {}
    for lang in ("zh", "en"):
        r = cli("validate", book, "--format", "json", "--lang", lang)
        found[lang] = {f["cell"]: f["message"] for f in json.loads(r.stdout)["files"][0]["findings"]
                       if f["code"] in ("invalid-setting", "invalid-rule")}
    assert set(found["en"]) == {"B3", "F13", "F14", "G15", "I16"}
    assert "lower bound 40% is above the upper bound 30%" in found["en"]["I16"]  # as typed, not 0.4
    assert "下限 40% 大于上限 30%" in found["zh"]["I16"]
    assert "not a valid date" in found["en"]["B3"]
    assert "a condition is missing before or after 且" in found["en"]["F13"]
    assert "'2025.9.31' is not a valid date" in found["en"]["F14"]  # an impossible date stays an error
    assert "use 学年, 学期, 月, 双周 or 周" in found["en"]["G15"]
    assert "不是有效日期" in found["zh"]["F14"] and "不是有效日期" in found["zh"]["B3"]
    # English lines carry no Chinese beyond what the sheet itself holds (names, values, the 规则 words)
    for message in found["en"].values():
        assert not re.search("不是|缺少|应为|无法", message), message


def test_recalc_fail_on_gates_after_writing(demo, tmp_path):
    plain = cli("recalc", demo, "-o", tmp_path / "a.xlsm")
    assert plain.returncode == 0  # the demo has errors and warnings; by default recalc does not fail
    gate = cli("recalc", demo, "-o", tmp_path / "b.xlsm", "--fail-on", "warning")
    assert gate.returncode == 1
    assert "学分汇总" in CalamineWorkbook.from_path(str(tmp_path / "b.xlsm")).sheet_names
    assert cli("recalc", demo, "--dry-run", "--fail-on", "error").returncode == 1


def test_new_refuses_a_span_that_is_not_one_school_year(tmp_path):
    target = tmp_path / "新学年.xlsx"
    r = cli("new", target, "--year", "2025-2027")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "2025-2027" in r.stderr
    assert not target.exists()
    assert cli("new", target, "--year", "2026-27").returncode == 0


def _setting(path: Path, name: str):
    ws = openpyxl.load_workbook(path)["规则"]
    return next(row[1] for row in ws.iter_rows(values_only=True) if row[0] == name)


def test_new_without_school_leaves_the_name_blank(tmp_path):
    r = cli("new", tmp_path / "a.xlsx")
    assert r.returncode == 0 and r.stderr == ""
    assert _setting(tmp_path / "a.xlsx", "学校名称") is None
    assert cli("new", tmp_path / "b.xlsx", "--school", "青禾路小学").returncode == 0
    assert _setting(tmp_path / "b.xlsx", "学校名称") == "青禾路小学"


@pytest.mark.parametrize("command", [[], ["validate"], ["recalc"], ["clear-marks"], ["new"]])
def test_help_is_chinese_first_without_type_placeholders(command):
    r = cli(*command, "--help")
    assert r.returncode == 0
    assert not re.search(r"\{\w+\}|<list|<str>|<path>|<int", r.stdout), r.stdout
    description = r.stdout.split("\n\n")[1].strip()
    assert re.search(r"^(cpdsheets — )?[\u4e00-\u9fff]", description), description
    options = [line.strip() for line in r.stdout.splitlines() if line.strip().startswith("-")]
    assert options and all(re.search(r"  .*[\u4e00-\u9fff]", line) for line in options if "  " in line), options


def test_english_alert_periods_are_english(demo):
    """Period labels are data in Chinese (the JSON keeps them); English text and tabs say them in English."""
    r = cli("recalc", demo, "--dry-run", "--lang", "en")
    assert r.returncode == 0, r.stderr
    # rule names are the school's own words (规则 sheet) and stay as typed; the period before the colon is ours
    assert not re.search(r"(第[一二]学期|\d{4}-\d{4}学年|\d年\d+月|双周|周): ", r.stdout), r.stdout
    assert re.search(r"Semester [12]|School year \d{4}-\d{4}|\d{4}-\d{2}", r.stdout)
    zh = cli("recalc", demo, "--dry-run")
    assert re.search("第[一二]学期|学年", zh.stdout)
