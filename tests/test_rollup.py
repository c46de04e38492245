"""`cpdsheets rollup` on a folder of real school books: two generated schools of different sizes (one
with its 规则 sheet changed), a small clean school that shares a teacher with another (a transfer),
and a corrupt file. The district JSON must equal what `recalc --dry-run --format json` says of each
book; the district workbook must be schema-clean and open in LibreOffice; exit codes as `validate`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import base_sheets, write_book
from conftest import invoke_cli as cli
from cpdsheets.contract.policy import default_policy
from cpdsheets.jobs.book import check
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.policy_diff import policy_changes
from cpdsheets.samples.synthetic import generate

AS_OF = "2026-03-20"
FORMULA_NAME = '=HYPERLINK("http://example.invalid","点我")'
SHEETS_ZH = ["学校总览", "规则达标率", "预警教师", "规则差异", "跨校重复教师", "无法读取", "运行记录"]



def _change_rules(book: Path) -> None:
    """R03 下限 20 → 10, R07 switched off, and a school name that looks like a formula."""
    wb = openpyxl.load_workbook(book)
    ws = wb["规则"]
    header = next(r for r in ws.iter_rows() if any(c.value == "规则编号" for c in r))
    col = {c.value: c.column for c in header}
    for row in ws.iter_rows(min_row=header[0].row + 1):
        rule_id = row[col["规则编号"] - 1].value
        if rule_id == "R03":
            ws.cell(row[0].row, col["下限"]).value = 10
        elif rule_id == "R07":
            ws.cell(row[0].row, col["启用"]).value = "否"
    name_cell = next(r[1] for r in ws.iter_rows() if r[0].value == "学校名称")
    name_cell.value = FORMULA_NAME
    name_cell.data_type = "s"  # typed text, as a school might: it must stay text
    wb.save(book)


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("schools")
    small = generate(folder / "a_small.xlsx", teachers=15, rows=500, seed=11)
    large = generate(folder / "b_large.xlsx", teachers=45, rows=1800, seed=12)
    _change_rules(large)
    moved = CalamineWorkbook.from_path(str(small)).get_sheet_by_name("教师名册").to_python()
    head = next(i for i, r in enumerate(moved) if "工号" in r)
    tid, name = moved[head + 1][0], moved[head + 1][1]
    sheets = base_sheets()
    sheets["教师名册"].append([tid, name, "语文组", "一年级语文", "", None])
    write_book(folder / "c_clean.xlsx", sheets)
    (folder / "z_corrupt.xlsx").write_bytes(small.read_bytes()[:4000])
    return folder


@pytest.fixture(scope="module")
def report(district) -> dict:
    r = cli("rollup", district, "--format", "json", "--as-of", AS_OF, "-j", "2")
    assert r.returncode == 2, r.stderr  # the corrupt file
    return json.loads(r.stdout)


def _school(report: dict, file_name: str) -> dict:
    return next(s for s in report["schools"] if Path(s["path"]).name == file_name)


@pytest.mark.parametrize("file_name", ["a_small.xlsx", "b_large.xlsx", "c_clean.xlsx"])
def test_each_school_equals_its_recalc_dry_run(report, district, file_name):
    mine = _school(report, file_name)
    r = cli("recalc", district / file_name, "--dry-run", "--format", "json", "--as-of", AS_OF)
    assert r.returncode == 0, r.stderr
    book = json.loads(r.stdout)
    assert report["as_of"] == book["as_of"] == AS_OF
    assert mine["teachers"] == len(book["teachers"])
    states = Counter(a["state"] for a in book["alerts"])
    assert mine["alerts"] == {s: states.get(s, 0) for s in ("未达标", "进度落后", "超出上限")}
    # 达标预警's rows by state: the numbers recalc's head line gives (one row per subject, rule and semester)
    head = cli("recalc", district / file_name, "--dry-run", "--as-of", AS_OF).stdout.splitlines()[0]
    counted = re.search(r"(\d+) 条预警（(.*?)）", head)
    rows = {state: int(n) for state, n in re.findall(r"(未达标|进度落后|超出上限) (\d+)", counted.group(2))} if counted else {}
    assert mine["alert_rows"] == rows and sum(rows.values()) == (int(counted.group(1)) if counted else 0), head
    assert mine["teachers_failing"] == sum(t["status"] == "未达标" for t in book["teachers"])
    assert mine["teachers_behind"] == sum(t["status"] == "进度落后" for t in book["teachers"])
    alerted = {a["subject"] for a in book["alerts"] if a["subject_type"] == "teacher"}
    assert mine["teachers_meeting_all"] == sum(t["teacher_id"] not in alerted for t in book["teachers"])
    assert mine["errors"] == sum(f["severity"] == "error" for f in book["findings"])
    assert mine["warnings"] == sum(f["severity"] == "warning" for f in book["findings"])
    assert {t["teacher_id"] for t in mine["alert_teachers"]} == \
        {t["teacher_id"] for t in book["teachers"] if t["status"] == "未达标"}
    for rule in mine["rules"]:
        missed = {(a["subject_type"], a["subject"]) for a in book["alerts"] if a["rule_id"] == rule["rule_id"]}
        assert rule["behind"] + rule["failed"] == len(missed), rule
        assert rule["subjects"] == rule["met"] + rule["in_progress"] + rule["behind"] + rule["failed"], rule
        judged = rule["subjects"] - rule["in_progress"]
        assert rule["rate"] == (round(rule["met"] / judged, 4) if judged else None)


NOVEMBER = "2025-11-20"  # the generated schools' year is 2025-2026: yearly sums are still ahead


@pytest.fixture(scope="module")
def november(district) -> dict:
    r = cli("rollup", district, "--format", "json", "--as-of", NOVEMBER, "-j", "2")
    assert r.returncode == 2, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("file_name", ["a_small.xlsx", "b_large.xlsx"])
def test_each_teacher_rule_counts_as_the_school_archive_does(november, district, file_name, tmp_path):
    """In November a yearly 40 credits is still ahead for every teacher: the archive prints 进行中, and
    the district counts the same teachers 进行中 (never 达标), met ÷ judged leaving them out."""
    mine = {r["rule_id"]: r for r in _school(november, file_name)["rules"]}
    book = Path(shutil.copy(district / file_name, tmp_path / file_name))  # its archive is written beside it
    done = cli("archive", book, "--format", "json", "--as-of", NOVEMBER)
    assert done.returncode == 0, done.stderr
    standing: dict[str, Counter] = {}
    rank = {"进行中": 1, "进度落后": 2, "未达标": 3, "超出上限": 3}
    for teacher in json.loads(done.stdout)["teachers"]:
        worst: dict[str, int] = {}
        for line in teacher["rules"]:
            said = "进行中" if line["state"] == "达标" and line["still_needed"] is not None else line["state"]
            worst[line["rule_id"]] = max(worst.get(line["rule_id"], 0), rank.get(said, 0))
        for rule_id, r in worst.items():
            standing.setdefault(rule_id, Counter())[("met", "in_progress", "behind", "failed")[r]] += 1
    assert standing["R01"]["in_progress"] > 0 and standing["R01"]["met"] == 0
    for rule_id, counts in standing.items():
        assert {k: mine[rule_id][k] for k in counts} == dict(counts), rule_id
        assert sum(mine[rule_id][k] for k in ("met", "in_progress", "behind", "failed")) == sum(counts.values())
    assert mine["R01"]["rate"] is None  # nobody judged yet: no rate, not 100 %
    r01 = next(r for r in november["totals"]["rules"] if r["rule_id"] == "R01")
    assert r01["met"] == 0 and r01["judged"] == 0 and r01["rate"] is None and not r01["fails_in_most"]


def test_rule_subjects_are_the_teachers_and_groups_the_rule_applies_to(report, district):
    """R01 applies to every teacher; R16 to every 教研组 (four in the generated schools)."""
    large = {r["rule_id"]: r for r in _school(report, "b_large.xlsx")["rules"]}
    assert large["R01"]["subjects"] == 45 and large["R16"]["subjects"] == 4


def test_changed_rules_are_listed_and_the_disabled_rule_has_no_rate(report):
    large = _school(report, "b_large.xlsx")
    changes = {(c["kind"], c["rule_id"], c["field"], c["default"], c["value"]) for c in large["policy_changes"]}
    assert changes == {("rule-changed", "R03", "lower", "20", "10"), ("rule-disabled", "R07", "", "", "")}
    assert "R07" not in {r["rule_id"] for r in large["rules"]}
    assert _school(report, "a_small.xlsx")["policy_changes"] == []
    assert _school(report, "c_clean.xlsx")["policy_changes"] == []
    assert large["school"] == FORMULA_NAME  # 学校名称 from the 规则 sheet, as typed


def test_transfer_is_one_district_finding_and_counted_once(report, district):
    small = _school(report, "a_small.xlsx")
    assert len(report["transfers"]) == 1
    t = report["transfers"][0]
    assert [t["teacher_id"], t["name"]] in small["roster"]
    assert sorted(Path(s["path"]).name for s in t["schools"]) == ["a_small.xlsx", "c_clean.xlsx"]
    totals = report["totals"]
    assert totals["teachers"] == sum(s["teachers"] for s in report["schools"]) == 15 + 45 + 4
    assert totals["distinct_teachers"] == totals["teachers"] - 1


def test_corrupt_file_is_one_unreadable_line_and_the_rest_is_rolled_up(report):
    assert [Path(u["path"]).name for u in report["unreadable"]] == ["z_corrupt.xlsx"]
    assert report["unreadable"][0]["error"]
    assert len(report["schools"]) == 3 and report["totals"]["unreadable"] == 1


def test_schools_are_sorted_worst_first(report):
    shares = [s["teachers_failing"] / s["teachers"] for s in report["schools"]]
    assert shares == sorted(shares, reverse=True)


def test_exit_codes(district, tmp_path):
    clean = district / "c_clean.xlsx"
    again = write_book(tmp_path / "d_same_teachers.xlsx", base_sheets())  # the same three teachers again
    r = cli("rollup", clean, "--as-of", AS_OF)
    assert r.returncode == 0, r.stdout + r.stderr
    assert cli("rollup", clean, again, "--as-of", AS_OF).returncode == 0
    r = cli("rollup", clean, again, "--as-of", AS_OF, "--fail-on", "warning")
    assert r.returncode == 1 and "同时在 2 所学校" in r.stdout  # three transfers are warnings
    large = district / "b_large.xlsx"
    r = cli("rollup", large, clean, "--as-of", AS_OF, "--format", "json")
    assert json.loads(r.stdout)["totals"]["errors"] > 0 and r.returncode == 1
    assert cli("rollup", district, "--as-of", AS_OF).returncode == 2
    assert cli("rollup", tmp_path / "nothing-here").returncode == 2
    r = cli("rollup", clean, "-o", tmp_path / "district.xlsm")  # xlsxwriter writes .xlsx only: refused up front
    assert r.returncode == 2 and ".xlsx" in r.stderr and not (tmp_path / "district.xlsm").exists()


def test_district_workbook_is_schema_clean_and_opens_in_libreoffice(district, tmp_path):
    out = tmp_path / "区汇总.xlsx"
    r = cli("rollup", district, "-o", out, "--as-of", AS_OF)
    assert r.returncode == 2 and out.exists(), r.stderr
    audit = subprocess.run(["openxml-audit", str(out)], capture_output=True, text=True, timeout=120)
    assert "Errors: 0" in audit.stdout, audit.stdout[-2000:]

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    proc = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(out)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "pdf" / (out.stem + ".pdf")
    assert proc.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-", proc.stderr


def test_district_workbook_content(district, tmp_path):
    out = tmp_path / "district.xlsx"
    cli("rollup", district, "-o", out, "--as-of", AS_OF)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == SHEETS_ZH
    assert all(AS_OF in wb[n]["A1"].value for n in SHEETS_ZH)  # the as-of date in every title
    ws = wb["学校总览"]
    header = [c.value for c in ws[4]]
    names = [ws.cell(r, 1).value for r in range(5, 8)]
    assert header[0] == "学校" and ws.cell(8, 1).value == "全区"
    formula_cell = ws.cell(5 + names.index(FORMULA_NAME), 1)
    assert formula_cell.data_type == "s"  # typed text stays text, never a formula
    for r in range(5, 8):  # each school links to its detail section below, which starts with its name
        target = ws.cell(r, 1).hyperlink.location
        row = int(target.split("!A")[1])
        assert ws.cell(row, 1).value == ws.cell(r, 1).value and row > 8
    assert ws.conditional_formatting and wb["规则达标率"].conditional_formatting
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    rates = wb["规则达标率"]
    assert rates.cell(4 + 4, 1).value == "全区"
    teachers = wb["预警教师"]
    assert teachers.max_row - 4 == len(_alert_ids(district))
    policy = [[c.value for c in row] for row in wb["规则差异"].iter_rows(min_row=5)]
    assert {(r[2], r[3], r[4], r[5]) for r in policy} == {("R03", "下限", "20", "10"), ("R07", "", "", "")}
    assert wb["无法读取"].cell(5, 1).value.endswith("z_corrupt.xlsx")
    assert wb["跨校重复教师"].cell(5, 4).value == 2
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows


def test_district_workbook_shows_in_progress_apart_from_the_rate(district, november, tmp_path):
    """规则达标率 in November: each cell met ÷ judged (blank for R01, nobody judged yet), and under the
    district's rates its met, judged and 进行中 subjects per rule, as the JSON's totals; each school's
    details list 进行中 beside its rate."""
    out = tmp_path / "november.xlsx"
    cli("rollup", district, "-o", out, "--as-of", NOVEMBER)
    ws = openpyxl.load_workbook(out)["规则达标率"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    header = [str(h).split("\n")[0] if h else h for h in rows[0]]
    total = next(i for i, r in enumerate(rows) if r[0] == "全区")
    by_rule = {r["rule_id"]: r for r in november["totals"]["rules"]}
    under = {r[0]: r for r in rows[total + 1:total + 4]}
    assert list(under) == ["全区达标（对象）", "全区已判定（对象）", "全区进行中（对象）"]
    for c, rule_id in enumerate(header[1:], start=1):
        rule = by_rule[rule_id]
        assert rows[total][c] == (None if rule["rate"] is None else pytest.approx(rule["rate"]))
        assert [r[c] for r in under.values()] == [rule["met"], rule["judged"], rule["in_progress"]], rule_id
    assert rows[total][header.index("R01")] is None and under["全区进行中（对象）"][header.index("R01")] > 0
    school_rows = [r for r in rows[1:total] if r[0]]
    assert all(r[header.index("R01")] is None for r in school_rows)
    overview = [[c.value for c in row] for row in openpyxl.load_workbook(out)["学校总览"].iter_rows()]
    heads = [r for r in overview if r[:2] == ["规则编号", "规则名称"]]
    assert heads and all(h[:8] == ["规则编号", "规则名称", "适用对象", "达标", "达标率", "进行中", "进度落后", "未达标"]
                         for h in heads)


def _alert_ids(district: Path) -> list[tuple[str, str]]:
    out = []
    for name in ("a_small.xlsx", "b_large.xlsx", "c_clean.xlsx"):
        r = cli("recalc", district / name, "--dry-run", "--format", "json", "--as-of", AS_OF)
        out += [(name, t["teacher_id"]) for t in json.loads(r.stdout)["teachers"] if t["status"] == "未达标"]
    return out


def test_english_workbook(district, tmp_path):
    out = tmp_path / "district-en.xlsx"
    r = cli("rollup", district / "c_clean.xlsx", "-o", out, "--as-of", AS_OF, "--lang", "en")
    assert r.returncode == 0 and "teachers" in r.stdout
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Schools", "Rule rates", "Teachers not met", "Policy changes",
                             "Teachers in two schools", "Unreadable", "Run log"]
    assert wb["Schools"]["A1"].value.endswith(f"(as of {AS_OF})")


def test_merged_shards_equal_one_rollup(district, report, tmp_path):
    """A province shards by district and merges the JSON: the same schools, totals and transfer."""
    shards = []
    for i, files in enumerate(([district / "a_small.xlsx", district / "z_corrupt.xlsx"],
                               [district / "b_large.xlsx", district / "c_clean.xlsx"])):
        r = cli("rollup", *files, "--format", "json", "--as-of", AS_OF)
        shards.append(tmp_path / f"shard{i}.json")
        shards[-1].write_text(r.stdout, encoding="utf-8")
    out = tmp_path / "province.xlsx"
    r = cli("rollup", "--merge", *shards, "--format", "json", "-o", out)
    assert r.returncode == 2 and out.exists()
    merged = json.loads(r.stdout)
    drop = ("seconds",)
    strip = lambda s: {k: v for k, v in s.items() if k not in drop}  # noqa: E731
    assert [strip(s) for s in merged["schools"]] == [strip(s) for s in report["schools"]]
    assert merged["transfers"] == report["transfers"]
    assert merged["totals"] == report["totals"]
    other = tmp_path / "other-date.json"
    other.write_text(shards[0].read_text(encoding="utf-8").replace(AS_OF, "2026-01-05"), encoding="utf-8")
    assert cli("rollup", "--merge", shards[1], other).returncode == 2
    validate_report = tmp_path / "validate.json"  # a report of another command is refused by name
    validate_report.write_text(cli("validate", district / "c_clean.xlsx", "--format", "json").stdout, encoding="utf-8")
    r = cli("rollup", "--merge", shards[1], validate_report)
    assert r.returncode == 2 and "validate.json" in r.stderr and "Traceback" not in r.stderr


def test_a_hand_edited_district_report_is_refused_naming_the_place_not_with_a_traceback(district, tmp_path):
    r = cli("rollup", district / "c_clean.xlsx", "--format", "json", "--as-of", AS_OF)
    good = json.loads(r.stdout)
    broken = json.loads(r.stdout)
    broken["schools"][0]["teachers"] = "很多"  # a number someone typed over
    del broken["schools"][0]["rules"][0]["rate"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "province.xlsx"
    for lang, words in (("zh", ["schools[0].teachers：应为整数", "schools[0].rules[0].rate：缺少该项"]),
                        ("en", ["schools[0].teachers: should be a whole number", "schools[0].rules[0].rate: missing"])):
        r = cli("rollup", "--merge", path, "-o", out, "--lang", lang)
        assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert "edited.json" in r.stderr and all(w in r.stderr for w in words), r.stderr
    assert not out.exists()
    path.write_text("{\"schools\": [", encoding="utf-8")  # cut off mid-way
    r = cli("rollup", "--merge", path, "-o", out)
    assert r.returncode == 2 and "不是 JSON：第 1 行" in r.stderr
    path.write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")  # the same report, untouched, merges
    assert cli("rollup", "--merge", path, "-o", out, "--format", "json").returncode in (0, 1) and out.exists()


def test_policy_diff_of_the_shipped_template_is_empty_and_sees_settings(district):
    assert policy_changes(default_policy()) == []
    policy, *_ = check(read_workbook(district / "a_small.xlsx"))
    assert policy.from_sheet and policy_changes(policy) == []
    changed = policy.model_copy(update={"settings": policy.settings.model_copy(
        update={"default_rate": 1.0, "category_caps": {}})})
    kinds = {(c.kind, c.rule_id, c.field, c.default, c.value) for c in policy_changes(changed)}
    assert kinds == {("setting-changed", "学分换算", "默认", "0.5", "1"),
                     ("setting-changed", "学分上限", "网络研修", "10", "")}


def test_alert_detail_names_the_apprentice_for_r11(district):
    """After the year has closed, a mentor short of R11 is listed with the apprentice concerned."""
    r = cli("rollup", district / "a_small.xlsx", "--format", "json", "--as-of", "2026-09-30")
    school = json.loads(r.stdout)["schools"][0]
    rows = CalamineWorkbook.from_path(str(district / "a_small.xlsx")).get_sheet_by_name("教师名册").to_python()
    head = next(i for i, row in enumerate(rows) if "工号" in row)
    col = {h: i for i, h in enumerate(rows[head])}
    mentor_of = {row[col["姓名"]]: str(row[col["师傅工号"]]) for row in rows[head + 1:] if row[col["师傅工号"]]}
    details = [(t["teacher_id"], d.split(" ", 1)[1]) for t in school["alert_teachers"]
               for d in t["detail"].split("；") if d.startswith("R11 ")]
    assert details
    assert all(mentor_of[apprentice] == mentor for mentor, apprentice in details)


def test_rows_errors_and_unreadable_equal_validate(report, district):
    r = cli("validate", district, "--format", "json", "--as-of", AS_OF)
    files = {Path(f["path"]).name: f for f in json.loads(r.stdout)["files"]}
    for school in report["schools"]:
        stats = files[Path(school["path"]).name]["stats"]
        # recalc adds one warning per rule it could not evaluate (a log sheet missing); validate does not
        not_evaluated = school["finding_codes"].get("rule-not-evaluated", 0)
        assert (school["rows"], school["errors"], school["warnings"] - not_evaluated) == \
            (stats["rows"], stats["errors"], stats["warnings"])
    assert {Path(u["path"]).name for u in report["unreadable"]} == \
        {name for name, f in files.items() if "error" in f}
