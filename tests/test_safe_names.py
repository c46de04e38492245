"""Names to files (issue 19, item 5): a teacher's name becomes a sheet name and, with --split, a file
name. File names are counted in bytes (255 on ext4: 100 Chinese characters are 300), sheet names in
UTF-16 units (Excel's 31: an emoji is two), and neither keeps a bidi override or a control character.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import base_sheets, invoke_cli, write_book
from cpdsheets.reports.safe_names import LOCK_FILE_ROOM, file_stems, sheet_names, utf16_units, utf8_bytes, visible_name

LONG_CHINESE = "王" * 100
EMOJI = "😀" * 40
RTL = "张\u202e三gpj.exe"
INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _book_with_names(tmp_path: Path, names: dict[str, str]) -> Path:
    sheets = base_sheets()
    for tid, name in names.items():
        sheets["教师名册"].append([tid, name, "语文组", "一年级语文", "", None])
    return write_book(tmp_path / "book.xlsx", sheets)


def _sheet_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml").decode("utf-8")
    return [unescape(n) for n in re.findall(r'<sheet name="([^"]*)"', xml)]


def unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def test_split_with_a_100_character_chinese_name_writes_every_file_within_255_bytes(tmp_path):
    book = _book_with_names(tmp_path, {"2001": LONG_CHINESE, "2002": LONG_CHINESE + "乙"})
    out = tmp_path / "split"
    r = invoke_cli("archive", book, "--split", out)
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 5  # every roster teacher, the two long names included
    assert all(utf8_bytes(f) <= 255 - LOCK_FILE_ROOM for f in files)  # LibreOffice's lock file fits too
    long = [f for f in files if f.startswith("2001-") or f.startswith("2002-")]
    assert len(long) == 2 and len(set(long)) == 2 and all(f.endswith(".xlsx") for f in long)


def test_sheet_names_of_40_emoji_fit_excels_31_utf16_units(tmp_path):
    book = _book_with_names(tmp_path, {"2001": EMOJI, "2002": EMOJI})
    out = tmp_path / "archive.xlsx"
    r = invoke_cli("archive", book, "-o", out)
    assert r.returncode == 0, r.stderr
    names = _sheet_names(out)
    assert all(utf16_units(n) <= 31 for n in names), [(n, utf16_units(n)) for n in names]
    assert len({n.casefold() for n in names}) == len(names)
    assert all(not any(0xD800 <= ord(c) <= 0xDFFF for c in n) for n in names)  # no pair cut in half


def test_a_right_to_left_override_never_reaches_a_file_or_sheet_name(tmp_path):
    book = _book_with_names(tmp_path, {"2001": RTL, "2002": "李\u2066四\n五\u200f\x85"})
    out = tmp_path / "split"
    r = invoke_cli("archive", book, "--split", out, "-o", tmp_path / "all.xlsx")
    assert r.returncode == 0, r.stderr
    files = [p.name for p in out.iterdir()]
    assert "2001-张三gpj.exe.xlsx" in files
    assert not [f for f in files if INVISIBLE.search(f)]
    assert not [n for n in _sheet_names(tmp_path / "all.xlsx") if INVISIBLE.search(n)]


def test_the_default_archive_name_of_a_long_book_name_fits(tmp_path):
    sheets = base_sheets()
    book = write_book(tmp_path / ("校" * 80 + ".xlsx"), sheets)  # 243 bytes: fine alone, not with 个人培训档案
    r = invoke_cli("archive", book)
    assert r.returncode == 0, r.stderr
    written = [p for p in tmp_path.iterdir() if p.name.endswith("-个人培训档案.xlsx")]
    assert len(written) == 1 and utf8_bytes(written[0].name) <= 255 - LOCK_FILE_ROOM


# -- the helper itself, on any text --------------------------------------------------------------

names = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["😀", "\u202e", "\u200d", "王", ".", " ", "'"]),
                max_size=200)


@given(st.lists(names, max_size=8))
def test_sheet_names_are_valid_unique_and_visible(wanted):
    out = sheet_names(wanted)
    assert len(out) == len(wanted)
    assert len({n.casefold() for n in out}) == len(out)
    for n in out:
        assert 0 < utf16_units(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n)
        assert not n.startswith("'") and not n.endswith("'")
        assert not INVISIBLE.search(n)
        n.encode("utf-8")  # no lone surrogate


@given(st.lists(names, max_size=8), st.sampled_from([".xlsx", ".pdf", "-个人培训档案.xlsx"]),
       st.integers(48, 255))
def test_file_names_fit_in_bytes_and_are_unique_ignoring_case_and_form(wanted, suffix, limit):
    out = file_stems(wanted, suffix, limit)
    assert len(out) == len(wanted)
    keys = {unicodedata.normalize("NFC", s + suffix).casefold() for s in out}
    assert len(keys) == len(out)
    for s in out:
        assert s and utf8_bytes(s + suffix) + LOCK_FILE_ROOM <= limit
        assert not re.search(r'[<>:"/\\|?*]', s) and not INVISIBLE.search(s)
        assert not s.startswith(".") and not s.endswith((".", " "))


@pytest.mark.parametrize("text, shown", [("张\u202e三", "张三"), ("a\nb\tc", "a b c"), ("\u200b王\ufeff", "王"),
                                         ("👩\u200d🏫", "👩\u200d🏫")])
def test_visible_name_keeps_what_people_see(text, shown):
    assert visible_name(text) == shown
