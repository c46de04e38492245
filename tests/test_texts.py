"""One bilingual-text mechanism: a reason found deep in the policy reader reaches the message in
the language asked for, and the vocabulary (states, subject types) is spelled in one place."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import POLICY_ROWS

from cpdsheets.contract.states import State, SubjectType
from cpdsheets.contract.texts import Catalogue, Text

RULE_HEADER = ["规则编号", "规则名称", "指标", "数据表", "字段", "条件", "周期", "适用对象", "下限", "上限",
               "严重度", "后果", "启用"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _policy_with_bad_cells() -> list[list]:
    return [list(r) for r in POLICY_ROWS] + [
        ["学分换算", "很多"],  # a setting that is not a number
        [],
        RULE_HEADER,
        ["R01", "坏条件", "计数", "读书记录", "", "类型==论文", "学期", "", 1, "", "", "", ""],
        ["R02", "坏周期", "计数", "读书记录", "", "", "季度", "", 1, "", "", "", ""],
    ]


def _cli_findings(path, lang: str) -> dict[str, dict]:
    out = subprocess.run([sys.executable, "-m", "cpdsheets.doors.cli", "validate", str(path), "--format", "json",
                          "--lang", lang], capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    doc = json.loads(out.stdout)
    files = doc["files"] if "files" in doc else [doc]
    return {f["cell"]: f for f in files[0]["findings"] if f["code"] in ("invalid-rule", "invalid-setting")}


def test_reasons_follow_the_language_asked_for(book_factory):
    """The reasons of a bad condition, period and setting are in English with --lang en (only the
    cells' own text stays as typed) and in Chinese by default."""
    path = book_factory(**{"规则": _policy_with_bad_cells()})
    zh, en = _cli_findings(path, "zh"), _cli_findings(path, "en")
    assert len(en) == 3 and set(en) == set(zh)
    for cell, finding in en.items():
        typed = {"类型==论文", "季度", "很多", "坏条件", "坏周期", "学分换算", "条件", "周期", "值", "读书记录",
                 "且", "学年", "学期", "月", "双周", "周"}  # cells as typed, and the words a cell may use
        said = finding["message"]
        for word in sorted(typed, key=len, reverse=True):
            said = said.replace(word, "")
        assert not CJK.search(said), (cell, finding["message"])
        assert CJK.search(zh[cell]["message"].split("：", 1)[-1]), zh[cell]["message"]


def test_text_renders_its_parameters_in_the_same_language():
    reason = Text("应为数字", "should be a number")
    message = Text("「{name}」无法识别：{reason}", "'{name}' cannot be read: {reason}")
    assert message.render("en", name="学时", reason=reason) == "'学时' cannot be read: should be a number"
    assert message.render("zh", name="学时", reason=reason) == "「学时」无法识别：应为数字"
    assert message.fill(name="学时", reason=reason)["en"] == "'学时' cannot be read: should be a number"


def test_a_field_without_a_parameter_is_a_mistake_not_a_text():
    with pytest.raises(KeyError):
        Text("{a}", "{a}").render("en")


def test_a_code_defined_twice_is_refused():
    texts = Catalogue("t", {"a": ("甲", "A")})
    with pytest.raises(ValueError):
        texts.define("a", "乙", "B")


def test_states_are_the_json_contracts_words():
    """The JSON (README) carries states as these Chinese words and subject types as these values."""
    assert [s.value for s in State] == ["达标", "进度落后", "未达标", "超出上限"]
    assert sorted(State, key=lambda s: -s.rank)[0] is State.FAILED
    assert [s.value for s in SubjectType] == ["teacher", "教研组", "备课组"]
    assert SubjectType.from_word("教师") is SubjectType.TEACHER
