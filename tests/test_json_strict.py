"""JSON in is checked strictly, JSON out is strict JSON (issue 19, item 6).

`rollup --merge` reads districts' reports: NaN, Infinity, a number out of range (10**400, 5000 digits)
and nesting 200,000 deep are the report contract's refusal (one line, exit 2), never a traceback and
never a NaN carried into the output. Every JSON the commands print parses with a parser that refuses
NaN and Infinity, with `-o` too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import base_sheets, write_book
from conftest import invoke_cli as cli
from hostile import TRACEBACK, run_cli


def strict_json(text: str):
    """json.loads refusing what is not JSON: NaN, Infinity, -Infinity."""
    def refuse(word: str):
        raise ValueError(f"{word} is not JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def report_text(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("district")
    write_book(folder / "a.xlsx", base_sheets())
    r = cli("rollup", folder / "a.xlsx", "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    return r.stdout


def _hostile(report_text: str, name: str) -> str:
    """The good report with one hostile value typed into it by hand."""
    if name == "nesting":
        return report_text.replace('"policy_changes": []', '"policy_changes": ' + "[" * 200_000 + "]" * 200_000, 1)
    value = {"nan": "NaN", "infinity": "Infinity", "minus-infinity": "-Infinity", "10**400": str(10**400),
             "5000-digits": "9" * 5000, "1e400": "1e400", "float-5000-digits": "1." + "5" * 5000 + "e400"}[name]
    doc = strict_json(report_text)
    key = '"median_credits": '
    assert key in report_text
    start = report_text.index(key) + len(key)
    end = report_text.index(",", start)
    assert doc["schools"][0]["median_credits"] is not None
    return report_text[:start] + value + report_text[end:]


HOSTILE = ["nan", "infinity", "minus-infinity", "10**400", "5000-digits", "1e400", "float-5000-digits", "nesting"]


@pytest.mark.parametrize("name", HOSTILE)
def test_merge_refuses_hostile_numbers_and_nesting_with_the_contract_error(report_text, tmp_path, name):
    path = tmp_path / "district.json"
    path.write_text(_hostile(report_text, name), encoding="utf-8")
    out = tmp_path / "province.xlsx"
    for lang, words in (("zh", "不是 rollup 的 JSON 报告"), ("en", "not a rollup JSON report")):
        for extra in ([], ["-o", out], ["--format", "json"]):
            r = cli("rollup", "--merge", path, "--lang", lang, *extra)
            assert r.returncode == 2, (name, extra, r.stdout[-500:])
            assert r.stdout == ""
            line = r.stderr.strip()
            assert "\n" not in line and words in line and str(path) in line, line
            assert not out.exists()


def test_nesting_200000_deep_is_refused_by_the_real_command_without_a_traceback(report_text, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(_hostile(report_text, "nesting"), encoding="utf-8")
    r = run_cli("rollup", "--merge", path)
    assert r.returncode == 2 and TRACEBACK not in r.stderr
    assert "嵌套层数过多" in r.stderr


def test_a_report_from_before_the_standings_is_refused_as_outdated_not_as_foreign(report_text, tmp_path):
    """A report written before rules counted 进行中 apart lacks in_progress / behind / failed: its old
    `met` cannot be split, so merge refuses it in one line that says to roll the district up again;
    one missing field of another kind is still "not a rollup report"."""
    doc = strict_json(report_text)
    for school in doc["schools"]:
        for rule in school["rules"]:
            for key in ("in_progress", "behind", "failed"):
                del rule[key]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for lang, words in (("zh", "较早版本"), ("en", "earlier cpdsheets")):
        r = cli("rollup", "--merge", old, "--lang", lang)
        line = r.stderr.strip()
        assert r.returncode == 2 and r.stdout == "" and "\n" not in line and words in line and str(old) in line
        assert "rollup" in line and "--format json" in line
    del doc["schools"][0]["teachers"]
    old.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = cli("rollup", "--merge", old)
    assert r.returncode == 2 and "不是 rollup 的 JSON 报告" in r.stderr and "较早版本" not in r.stderr


def test_the_good_report_still_merges_and_every_json_out_is_strict(report_text, tmp_path):
    path = tmp_path / "district.json"
    path.write_text(report_text, encoding="utf-8")
    out = tmp_path / "province.xlsx"
    r = cli("rollup", "--merge", path, "--format", "json", "-o", out)
    assert r.returncode in (0, 1), r.stderr
    merged = strict_json(r.stdout)
    assert merged["totals"]["schools"] == 1 and out.exists()


def test_json_out_of_every_command_never_holds_nan_or_infinity(tmp_path):
    """A roster and logs with the values that turn into NaN on the way (blank credits, a blank name,
    text in a number column): the JSON of recalc, archive, rollup and bind is strict."""
    sheets = base_sheets()
    sheets["教师名册"].append(["1004", None, None, None, None, None])
    sheets["培训记录"].append([None, "1004", None, "x", "师德培训", "校级", "很多", None])
    sheets["培训记录"].append(["2025-09-03", "1001", "张三", "x", "师德培训", "校级", float("nan"), "出勤"])
    book = write_book(tmp_path / "b.xlsx", sheets)
    for args in (("recalc", book, "--format", "json", "--dry-run"), ("archive", book, "--format", "json"),
                 ("rollup", book, "--format", "json"), ("rollup", book, "--format", "json", "-o", tmp_path / "d.xlsx"),
                 ("bind", book, "--dry-run", "--format", "json"), ("validate", book, "--format", "json")):
        r = cli(*args)
        assert r.returncode in (0, 1), (args, r.stderr)
        strict_json(r.stdout)


def test_indented_json_is_json_dumps_character_for_character():
    """``indented_json`` writes what ``json.dumps(..., ensure_ascii=False, indent=2, allow_nan=False)``
    writes (it exists because that runs in Python, not C): random documents of every plain type, nested,
    empty containers, str and int enums, escapes; what it leaves to json.dumps raises what json.dumps raises."""
    import enum
    import json
    import random

    from cpdsheets.reports.safe_text import indented_json

    class Word(str, enum.Enum):
        A = "甲"

    class Count(enum.IntEnum):
        X = 3

    rng = random.Random(20)
    leaves = [None, True, False, 0, -5, 2**70, 1.5, -0.0, 1e300, 1e-7, "", "中文\n\t\"\\", "\x1b", "\u2028",
              Word.A, Count.X]

    def tree(depth):
        if depth == 0 or rng.random() < 0.3:
            return rng.choice(leaves)
        if rng.random() < 0.5:
            return [tree(depth - 1) for _ in range(rng.randint(0, 4))]
        return {rng.choice(["a", "键", 'b"', ""]) + str(i): tree(depth - 1) for i in range(rng.randint(0, 4))}

    for _ in range(2000):
        doc = tree(5)
        assert indented_json(doc) == json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    assert indented_json({1: [2, (3,)]}) == json.dumps({1: [2, (3,)]}, ensure_ascii=False, indent=2)
    for bad in ([float("nan")], [{1, 2}]):
        with pytest.raises((ValueError, TypeError)):
            indented_json(bad)

    # json_text writes NaN and infinity as null, as json.dumps of the document with them replaced
    from cpdsheets.reports import safe_text

    leaves += [float("nan"), float("inf"), -float("inf")]
    for _ in range(2000):
        doc = tree(5)
        expected = safe_text._UNSAFE_IN_JSON.sub(
            lambda m: f"\\u{ord(m.group()):04x}",
            json.dumps(safe_text._finite(doc), ensure_ascii=False, indent=2, allow_nan=False))
        assert safe_text.json_text(doc) == expected
