"""`cpdsheets archive` (个人培训档案) end to end on real workbooks: the numbers are recalc's, every counted
row is in its teacher's sheet once, left-out rows carry their finding, the files open in LibreOffice and
pass the Open XML audit, --split / --pdf / --teacher / --lang, and the 「个人档案」 button."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import ROSTER, base_sheets, write_book
from conftest import invoke_cli as cli, run_cli
from cpdsheets.jobs.book import run_recalc
from cpdsheets.doors.reader import read_workbook
from cpdsheets.reports.safe_names import sheet_names as unique_sheet_names

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
RECORD_SHEETS = {"trainings": "培训记录", "observations": "听课记录", "reading": "读书记录", "outputs": "成果记录"}



def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def synthetic_book(tmp_path_factory) -> Path:
    from cpdsheets.samples.synthetic import generate

    return generate(tmp_path_factory.mktemp("synthetic") / "合成小学.xlsx", teachers=40, rows=4000, seed=7,
                    messy=0.05)


@pytest.fixture(params=["demo", "synthetic"])
def book(request, tmp_path, synthetic_book) -> Path:
    src = DEMO if request.param == "demo" else synthetic_book
    return Path(shutil.copy(src, tmp_path / src.name))


def archive_json(book: Path, *args) -> dict:
    r = cli("archive", book, "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def section(rows: list[list], title_prefix: str) -> list[list]:
    """The body of the table whose title row starts with ``title_prefix``: rows after its header
    until the first blank row."""
    for i, r in enumerate(rows):
        if isinstance(r[0], str) and r[0].startswith(title_prefix):
            body = []
            for x in rows[i + 2:]:
                if x[0] is None:
                    break
                body.append(x)
            return body
    raise AssertionError(f"no section {title_prefix!r}")


# -- the numbers are recalc's ------------------------------------------------------------------

def test_archive_numbers_equal_recalcs_for_every_teacher(book, tmp_path):
    before = digest(book)
    r = cli("recalc", book, "--dry-run", "--format", "json")
    assert r.returncode == 0, r.stderr
    recalc = json.loads(r.stdout)
    out = tmp_path / "archive.xlsx"
    archive = archive_json(book, "-o", out)
    assert digest(book) == before  # the book is only read

    assert archive["as_of"] == recalc["as_of"]
    assert [t["teacher_id"] for t in archive["teachers"]] == [t["teacher_id"] for t in recalc["teachers"]]
    alerts = Counter((a["subject"], a["rule_id"], a["period_start"], a["period_end"], a["state"], a["actual"],
                      a["required"]) for a in recalc["alerts"] if a["subject_type"] == "teacher")
    shown = Counter()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "全校概览"
    for theirs, ours in zip(recalc["teachers"], archive["teachers"]):
        for key in ("name", "group", "roles", "credits", "credits_by_category", "status"):
            assert ours[key] == theirs[key], (ours["teacher_id"], key)
        for rule in ours["rules"]:
            if rule["state"] != "达标":
                shown[(ours["teacher_id"], rule["rule_id"], rule["period_start"], rule["period_end"], rule["state"],
                       rule["actual"], rule["required"])] += 1
        # and the printed sheet says the same: the total, and one state per rule and period
        rows = sheet_rows(wb[f"{ours['teacher_id']} {ours['name']}"])
        total = [r for r in section(rows, "学分（按类别）") if r[0] == "合计"]
        assert total[0][1] == pytest.approx(theirs["credits"])
        printed = section(rows, "学分要求") + section(rows, "各项规则达标情况")
        printed = [r for r in printed if isinstance(r[0], str) and re.fullmatch(r"[A-Z]\d+", r[0])]
        # (an open period met so far but with its requirement still ahead is printed 进行中, not 达标)
        said = Counter((x["rule_id"], "进行中" if x["state"] == "达标" and x["still_needed"] is not None else x["state"])
                       for x in ours["rules"])
        assert Counter((r[0], r[6]) for r in printed) == said
    assert shown == alerts  # every alert recalc gives is in an archive, and nothing else is short


# -- every counted row once; left-out rows with their finding -----------------------------------

def _expected_rows(book: Path):
    """The engine's own answer: counted rows from its credit ledger (培训, 成果) and its window over the
    validated sheets (听课, 读书); left-out rows from the findings."""
    outcome = run_recalc(read_workbook(book))
    ds, res = outcome.validation.dataset, outcome.results
    ids = set(res.teachers["teacher_id"])
    counted: dict[str, set] = {}
    for key, sheet in RECORD_SHEETS.items():
        if key in ("trainings", "outputs"):
            led = res.ledger[res.ledger["source"] == key]
            pairs = zip(led["teacher_id"], led["_row"])
        else:
            df = ds.frame(key)
            d = df["date"]
            keep = df["_ok"] & (d >= pd.Timestamp(res.calendar.year_start)) & (d <= pd.Timestamp(res.as_of)) \
                & (d <= pd.Timestamp(res.calendar.year_end))
            pairs = zip(df.loc[keep, "teacher_id"], df.loc[keep, "_row"])
        for tid, row in pairs:
            if tid in ids:
                counted.setdefault(tid, set()).add((sheet, int(row)))
    errors = {}
    for f in outcome.findings:
        if f.level == "error" and f.row:
            errors.setdefault((f.sheet, f.row), []).append(f)
    left: dict[str, set] = {}
    for key, sheet in {**RECORD_SHEETS, "exemptions": "豁免"}.items():
        df = ds.frame(key)
        for tid, row in zip(df.loc[~df["_ok"], "teacher_id"], df.loc[~df["_ok"], "_row"]):
            if tid in ids:
                for f in errors[(sheet, int(row))]:
                    left.setdefault(tid, set()).add((sheet, int(row), f.cell, f.code))
    names = dict(zip(res.teachers["teacher_id"], res.teachers["name"]))
    return counted, left, names


def test_every_counted_row_appears_once_and_left_out_rows_carry_their_finding(book, tmp_path):
    out = tmp_path / "archive.xlsx"
    assert cli("archive", book, "-o", out).returncode == 0
    counted, left, names = _expected_rows(book)
    assert sum(map(len, counted.values())) > 100 and sum(map(len, left.values())) >= 3
    wb = openpyxl.load_workbook(out)
    for tid, name in names.items():
        rows = sheet_rows(wb[f"{tid} {name}"])
        printed = []
        for sheet in RECORD_SHEETS.values():
            printed += [(sheet, r[0]) for r in section(rows, f"{sheet}：计入")] if counted.get(tid) else []
        assert len(printed) == len(set(printed)), tid  # exactly once
        assert set(printed) == counted.get(tid, set()), tid
        # 问题与修改建议 and 填写内容 take two of the page's columns each: 单元格 is the 7th, 代码 the last
        found = {(r[1], r[0], r[6], r[7]) for r in section(rows, "未计入的记录")} if left.get(tid) else set()
        assert left.get(tid, set()) <= found, tid
        # nothing is listed as left out that counted
        assert not {(s, r) for s, r, _, _ in found} & counted.get(tid, set())


# -- the files ---------------------------------------------------------------------------------

def test_archive_opens_in_libreoffice_renders_pdf_and_passes_the_audit(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    r = cli("archive", book, "--pdf")
    assert r.returncode == 0, r.stderr
    xlsx, pdf = tmp_path / "学校-个人培训档案.xlsx", tmp_path / "学校-个人培训档案.pdf"
    assert xlsx.exists() and pdf.exists() and str(xlsx) in r.stdout
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    sheets = openpyxl.load_workbook(xlsx).sheetnames
    assert pages >= len(sheets) == 13
    audit = subprocess.run(["openxml-audit", str(xlsx)], capture_output=True, text=True, timeout=120)
    assert re.search(r"Errors:\s*0\b", audit.stdout), audit.stdout
    # print setup: A4 portrait, one page wide, title rows repeated, page footer
    ws = openpyxl.load_workbook(xlsx)[sheets[1]]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight == 0  # as many pages down as it takes
    # --split with --pdf: a PDF beside each teacher's file
    r = cli("archive", book, "--split", tmp_path / "各人", "--teacher", "1001,1009", "--pdf")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "各人").glob("*.pdf")) == ["1001-陈建国.pdf", "1009-周婷.pdf"]
    assert ws.print_title_rows == "$1:$2" and "&P / &N" in ws.oddFooter.center.text
    with zipfile.ZipFile(xlsx) as z:  # the overview's credits distribution is a native chart
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_pdf_without_libreoffice_says_so_and_keeps_the_workbook(tmp_path):
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    empty = tmp_path / "bin"
    empty.mkdir()
    r = run_cli("archive", book, "--pdf", "--teacher", "1001", env={**os.environ, "PATH": str(empty)})
    assert r.returncode == 2
    assert "LibreOffice" in r.stderr and "fonts-noto-cjk" in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "学校-个人培训档案.xlsx").exists() and not list(tmp_path.glob("*.pdf"))


def test_split_gives_one_file_per_teacher_named_by_id_and_name(tmp_path):
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    before = digest(book)
    r = cli("archive", book, "--split", tmp_path / "各人")
    assert r.returncode == 0, r.stderr
    files = sorted((tmp_path / "各人").glob("*.xlsx"))
    teachers = run_recalc(read_workbook(book)).results.teachers
    assert [f.name for f in files] == sorted(f"{t}-{n}.xlsx" for t, n in zip(teachers["teacher_id"], teachers["name"]))
    for f in files:
        assert openpyxl.load_workbook(f).sheetnames == [f.stem.replace("-", " ", 1)]
    assert not (tmp_path / "学校-个人培训档案.xlsx").exists()  # --split alone writes only the teachers' files
    assert digest(book) == before


def test_teacher_filter_english_and_refusals(tmp_path):
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    out = tmp_path / "two.xlsx"
    data = archive_json(book, "-o", out, "--teacher", "1007,1012", "--lang", "en")
    assert [t["teacher_id"] for t in data["teachers"]] == ["1007", "1012"]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["1007 赵敏", "1012 孙磊"]  # no overview for a picked few
    rows = sheet_rows(wb["1007 赵敏"])
    assert section(rows, "Credits by category") and any(
        isinstance(r[0], str) and r[0].startswith("Exempt 2026-03-01") for r in rows)
    assert any(isinstance(r[0], str) and r[0].startswith("Joined 2025-11-10") for r in sheet_rows(wb["1012 孙磊"]))

    before = digest(book)
    r = cli("archive", book, "--teacher", "9999")
    assert r.returncode == 2 and "9999" in r.stderr
    r = cli("archive", book, "-o", book)
    assert r.returncode == 2 and "要读取的文件" in r.stderr
    assert digest(book) == before


def test_still_needed_and_pro_rating_are_said_in_words(tmp_path):
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    data = archive_json(book, "-o", tmp_path / "a.xlsx", "--as-of", "2026-03-16")
    by_id = {t["teacher_id"]: t for t in data["teachers"]}
    r03 = [r for r in by_id["1004"]["rules"] if r["rule_id"] == "R03" and r["period_start"] == "2026-02-16"][0]
    assert r03["still_needed"] == pytest.approx(-(-(r03["required"] - r03["actual"]) // 1))
    rows = sheet_rows(openpyxl.load_workbook(tmp_path / "a.xlsx")["1004 张伟"])
    lines = [r[0] for r in rows if isinstance(r[0], str)]
    n = int(r03["still_needed"])
    assert f"每学期听课节数：本学期还需 {n}节，截止 2026-07-10。" in lines
    # R11 counts per apprentice: the rule's detail is the progress row's (the apprentice's 工号)
    assert {r["detail"] for r in by_id["1003"]["rules"] if r["rule_id"] == "R11"} == {"1009", "1011"}
    leaver = sheet_rows(openpyxl.load_workbook(tmp_path / "a.xlsx")["1008 黄志强"])
    assert any(isinstance(r[0], str) and r[0].startswith("离校日期 2026-01-23") for r in leaver)
    assert any(isinstance(r[0], str) and "按上课日折算" in r[0] for r in leaver)


def test_an_open_requirement_still_ahead_reads_in_progress_not_met(tmp_path):
    """R01 (40 credits a year, judged at the end) on 2026-03-16: the engine raises no alert, but the
    archive must not call 20-odd credits of 40 达标; it says 进行中 and what is still needed."""
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    data = archive_json(book, "-o", tmp_path / "a.xlsx", "--as-of", "2026-03-16")
    teacher = next(t for t in data["teachers"]
                   if any(r["rule_id"] == "R01" and r["still_needed"] and r["state"] == "达标" for r in t["rules"]))
    r01 = next(r for r in teacher["rules"] if r["rule_id"] == "R01")
    sheet = next(n for n in openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames if n.startswith(teacher["teacher_id"]))
    row = next(r for r in sheet_rows(openpyxl.load_workbook(tmp_path / "a.xlsx")[sheet]) if r and r[0] == "R01")
    assert "进行中" in row and "达标" not in row
    assert any(isinstance(v, str) and v.startswith("还需") for v in row) and r01["actual"] < r01["required"]
    met = next(r for r in sheet_rows(openpyxl.load_workbook(tmp_path / "a.xlsx")[sheet])
               if r and isinstance(r[0], str) and r[0].startswith("R") and "达标" in r)  # a met rule still says 达标
    assert met


def test_the_overview_counts_an_open_requirement_still_ahead_apart_from_met(tmp_path):
    """全校概览's rule rates: R01 (a yearly sum judged at the end) in March is neither 达标 nor failed for
    a teacher short of 40 credits; the row counts such teachers as 进行中, and 达标 only those already there."""
    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    data = archive_json(book, "-o", tmp_path / "a.xlsx", "--as-of", "2026-03-16")
    r01 = [r for t in data["teachers"] for r in t["rules"] if r["rule_id"] == "R01"]
    open_short = sum(1 for r in r01 if r["state"] == "达标" and r["still_needed"] is not None)
    met = sum(1 for r in r01 if r["state"] == "达标" and r["still_needed"] is None)
    failed = sum(1 for r in r01 if r["state"] in ("未达标", "超出上限"))
    assert open_short > 0
    rows = sheet_rows(openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[0])
    row = next(r for r in section(rows, "各规则达标情况") if r[0] == "R01")
    judged = len(r01) - open_short  # the rate is 达标 ÷ judged, as the district's; 进行中 is counted apart
    assert row[4:6] == [len(r01), met]
    assert row[6] == (pytest.approx(met / judged) if judged else "—")
    assert row[7] == f"{failed} / 0 / {open_short}"


# -- names and text ----------------------------------------------------------------------------

def test_sheet_names_are_valid_and_unique_ignoring_case():
    names = unique_sheet_names(["全校概览", "1001 张/三*?", "[a]:b", "History", "x" * 40, "Ab 1", "aB 1", "'q'"])
    assert names[1] == "1001 张_三__" and names[2] == "_a__b"
    assert names[3] != "History" and len(names[4]) == 31
    assert len({n.casefold() for n in names}) == len(names) and names[6].endswith("~2")
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'") for n in names)


def test_names_that_look_like_formulas_stay_text_and_the_file_is_clean(tmp_path):
    sheets = base_sheets()
    sheets["教师名册"] = [list(ROSTER[0]), ["1001", "=cmd|' /c calc'!A0", "语文组", "一年级语文", "班主任、中层", None],
                      ["1002", "李/四", "数学组", "一年级数学", "新教师", "1001"],
                      ["0007", "+王五", "数学组", "一年级数学", "", None]]
    for rows in (sheets["培训记录"], sheets["听课记录"]):
        rows[1][2] = None  # no name-mismatch noise
    sheets["培训记录"][1][3] = "@SUM(A1)"
    book = write_book(tmp_path / "b.xlsx", sheets)
    wb = openpyxl.load_workbook(book)
    for ws in wb:  # typed text, not formulas (openpyxl would take `=…` for one)
        for c in (c for row in ws.iter_rows() for c in row if isinstance(c.value, str)):
            c.data_type = "s"
    wb.save(book)
    r = cli("archive", book)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "b-个人培训档案.xlsx"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["全校概览", "1001 =cmd|' _c calc'!A0", "1002 李_四", "0007 +王五"]
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value == "@SUM(A1)" for c in cells) and any(c.value == "=cmd|' /c calc'!A0" for c in cells)
    assert all(c.data_type == "s" for c in cells if c.value.startswith(("=", "+", "@")))
    audit = subprocess.run(["openxml-audit", str(out)], capture_output=True, text=True, timeout=120)
    assert re.search(r"Errors:\s*0\b", audit.stdout), audit.stdout


# -- the 「个人档案」 button ----------------------------------------------------------------------

def test_button_writes_the_archive_beside_the_book_through_xlwings(tmp_path, monkeypatch):
    from xlwings_remote import remote_book

    from cpdsheets import excel

    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    before = digest(book)
    monkeypatch.chdir(tmp_path)  # a remote client's book has no folder: the archive goes to the working one
    xl = remote_book(book)
    excel.archive(xl)
    actions = xl.json()["actions"]
    alerts = [a["args"] for a in actions if a["func"] == "alert"]
    target = tmp_path / "学校-个人培训档案.xlsx"
    assert len(alerts) == 1 and str(target) in alerts[0][0] and alerts[0][3] != "critical", alerts
    assert [a["func"] for a in actions] == ["alert"]  # nothing written into the book
    assert digest(book) == before
    via_cli = tmp_path / "cli.xlsx"
    assert cli("archive", book, "-o", via_cli).returncode == 0
    a, b = openpyxl.load_workbook(target), openpyxl.load_workbook(via_cli)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert sheet_rows(a[name]) == sheet_rows(b[name]), name


def test_button_refusal_is_a_short_message(tmp_path, monkeypatch):
    from xlwings_remote import remote_book

    from cpdsheets import excel

    book = Path(shutil.copy(DEMO, tmp_path / "学校.xlsm"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~$学校-个人培训档案.xlsx").write_text("")  # the previous archive is open in Excel
    xl = remote_book(book)
    excel.archive(xl)
    alerts = [a["args"] for a in xl.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and "个人档案" in alerts[0][0] and "请先关闭" in alerts[0][0]
    assert alerts[0][3] == "critical" and "Traceback" not in alerts[0][0]


def test_a_rule_whose_subjects_are_all_in_progress_has_no_rate_yet(tmp_path):
    """The new-user trial's book in November: R01 (40 credits a year) is 进行中 for all 4 teachers, so
    全校概览 prints its rate "—" (as the district does), not 0 % (达标 ÷ all) nor 100 %; a rule with
    judged subjects keeps a number, 达标 ÷ judged."""
    from trial_book import trial_book

    book = trial_book(tmp_path / "青禾路小学.xlsm")
    data = archive_json(book, "-o", tmp_path / "a.xlsx")
    rows = {r[0]: r for r in section(sheet_rows(openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[0]),
                                     "各规则达标情况") if r and r[0]}
    r01 = [r for t in data["teachers"] for r in t["rules"] if r["rule_id"] == "R01"]
    assert len(r01) == 4 and all(r["still_needed"] is not None for r in r01)
    assert rows["R01"][4:8] == [4, 0, "—", "0 / 0 / 4"]
    r03 = rows["R03"]  # 4 teachers 进度落后: judged, none met
    assert r03[4:8] == [4, 0, 0, "0 / 4 / 0"]
