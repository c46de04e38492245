"""What a head prints and hands out (issue 18 item 10), rendered by LibreOffice and read back from the PDF.

- The archive: no text runs over another (a wrapped cell's row is as tall as its lines, CJK included):
  checked on the words' boxes in LibreOffice's PDF, where an overflowing 未计入的记录 row lay on the
  next row's text.
- Teacher-facing columns speak Chinese: 达标预警's 明细 says `类型为教育刊物`, not `类型=教育刊物` or
  `培训记录·天数`; codes sit in a last column for CI.
- 说明 fits the page: every word of LibreOffice's PDF of a new master's 说明 sheet is inside the margins.
- `cpdsheets new` prints the next steps, in Chinese and in English.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import invoke_cli as cli

from cpdsheets.contract.conditions import condition_words, parse_condition

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbook" / "demo_school.xlsm"
needs_office = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                  reason="LibreOffice and poppler-utils render the pages")
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _pdf(book: Path) -> Path:
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(book.parent), str(book)],
                   check=True, capture_output=True, timeout=300)
    return book.with_suffix(".pdf")


def _pages(pdf: Path) -> list[tuple[float, list[tuple[float, float, float, float, str]]]]:
    """Per page: its width, and each word's box (points) and text, as pdftotext reads them."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        width = float(re.match(r'width="([\d.]+)"', page).group(1))
        pages.append((width, [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(page)]))
    return pages


def _overlaps(pdf: Path) -> list[tuple[int, str, str]]:
    """Words drawn over each other: text that ran out of its row onto the next."""
    found = []
    for n, (_, words) in enumerate(_pages(pdf), 1):
        words.sort(key=lambda w: w[1])
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b[1] >= a[3]:
                    break
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                if dx > 1 and dy > 0.3 * min(a[3] - a[1], b[3] - b[1]):
                    found.append((n, a[4], b[4]))
    return found


@needs_office
def test_archive_text_never_runs_over_the_next_row(tmp_path):
    book = tmp_path / "demo.xlsm"
    shutil.copy(DEMO, book)
    r = cli("archive", book, "-o", tmp_path / "档案.xlsx")
    assert r.returncode == 0, r.stdout + r.stderr
    pdf = _pdf(tmp_path / "档案.xlsx")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "未计入的记录" in text and "与第 10 行完全相同" in text  # the demo's planted duplicate is there
    assert _overlaps(pdf) == []


def test_left_out_rows_and_problems_keep_codes_in_the_last_column(tmp_path):
    book = tmp_path / "demo.xlsm"
    shutil.copy(DEMO, book)
    assert cli("archive", book, "-o", tmp_path / "a.xlsx").returncode == 0
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    for ws in wb.worksheets:
        header = next((r for r in ws.iter_rows() if any(c.value in ("问题与修改建议", "主要问题") for c in r)), None)
        if header is None:
            continue
        shown = [c for c in header if c.value]
        assert shown[-1].value == "代码"
        words = next(c.column for c in shown if c.value in ("问题与修改建议", "主要问题"))
        for row in ws.iter_rows(min_row=header[0].row + 1):
            said = row[words - 1].value
            if not said:
                break
            assert not re.search(r"[a-z]+-[a-z]+", str(said)), said  # no `duplicate-row` among the words


def test_alert_details_are_words_not_rule_syntax(tmp_path):
    book = tmp_path / "demo.xlsm"
    shutil.copy(DEMO, book)
    r = cli("recalc", book, "--dry-run", "--format", "json")
    details = {a["detail"] for a in json.loads(r.stdout)["alerts"]}
    assert {"类型为读书导研单", "类别为外出培训"} <= details
    assert not [d for d in details if re.search(r"[=<>·]", d)]


@pytest.mark.parametrize("typed, said", [
    ("类型=教育刊物", "类型为教育刊物"),
    ("类型=跨学科|跨学段 且 学时>2", "类型为跨学科或跨学段，学时大于2"),
    ("地点!=校外", "地点不为校外"),
    ("教龄<=5", "教龄不超过5"),
    ("岗位 含 中层", "岗位含中层"),
    ("有师傅", "有师傅"),
])
def test_a_condition_in_words(typed, said):
    assert condition_words(parse_condition(typed)) == said


@needs_office
def test_the_guide_fits_the_page(tmp_path):
    book = tmp_path / "master.xlsx"
    assert cli("new", book).returncode == 0
    wb = openpyxl.load_workbook(book)
    for name in wb.sheetnames[1:]:
        del wb[name]  # only 说明 to render
    wb.save(tmp_path / "guide.xlsx")
    pages = _pages(_pdf(tmp_path / "guide.xlsx"))
    margin = 0.5 * 72 - 4  # half an inch, less the slack of a full-width stop's box
    assert len(pages) == 1
    width, words = pages[0]
    assert words and max(w[2] for w in words) <= width - margin
    assert _overlaps(tmp_path / "guide.pdf") == []


@pytest.mark.parametrize("lang, first, command", [("zh", "已写入", "接下来："), ("en", "Wrote", "Next:")])
def test_new_prints_the_next_steps(tmp_path, lang, first, command):
    book = tmp_path / "新学年 总表.xlsm"
    r = cli("new", book, "--lang", lang)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith(first) and lines[1] == command
    assert f'cpdsheets recalc "{book}"' in r.stdout and f'cpdsheets archive "{book}"' in r.stdout
    assert ("教师名册" in r.stdout) and ("cpdsheets bind" in r.stdout)
