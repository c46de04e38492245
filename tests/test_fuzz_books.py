"""Fuzz the doors with broken real books (issue 9, item 7): the shipped demo and a `cpdsheets new`
master, mutated at the zip level (truncated, parts dropped, bytes flipped, entries duplicated,
backslash names), the XML level (elements dropped or renamed, bad attributes, far cell and dimension
references) and the cell level (random text with control characters). The CLI runs each one as a
user would, under a memory ceiling: exit 0, 1 or 2, never a traceback, memory bounded, and the input
byte-identical afterwards (`recalc -o` never touches it; a refusal writes nothing at all).

Examples per run come from the hypothesis profile (see conftest.py): `CI=true` selects a fixed,
derandomized set that keeps the suite fast.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from hostile import TRACEBACK, run_cli

ROOT = Path(__file__).parents[1]
PEAK_MB = 1024  # a clean run of either command peaks near 150 MB on these books
CONTROL = "".join(map(chr, [0, 7, 8, 9, 10, 13, 27, 127, 0x85, 0x9B, 0x202E]))


class Seeds(dict):
    def __repr__(self) -> str:  # hypothesis prints the test's arguments; not 200 KB of zip
        return f"Seeds({', '.join(self)})"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Seeds:
    folder = tmp_path_factory.mktemp("seeds")
    master = folder / "master.xlsm"
    made = run_cli("new", master, "--year", "2025-2026", "--school", "模糊测试小学")
    assert made.returncode == 0, made.stderr
    return Seeds(demo=(ROOT / "workbook" / "demo_school.xlsm").read_bytes(), master=master.read_bytes())


# -- mutations: each takes the package bytes and a hypothesis data object, returns new bytes ---------
def _parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i, zf.read(i)) for i in zf.infolist()]


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts:
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def truncate(data, draw):
    return data[: draw(st.integers(0, max(len(data) - 1, 0)))]


def flip_bytes(data, draw):
    if not data:
        return data
    buf = bytearray(data)
    for offset in draw(st.lists(st.integers(0, len(buf) - 1), min_size=1, max_size=8)):
        buf[offset] ^= draw(st.integers(1, 255))
    return bytes(buf)


def drop_part(data, draw):
    parts = _parts(data)
    gone = draw(st.sampled_from([i.filename for i, _ in parts]))
    return _zip([(i.filename, b) for i, b in parts if i.filename != gone])


def duplicate_entry(data, draw):
    parts = [(i.filename, b) for i, b in _parts(data)]
    name, body = draw(st.sampled_from(parts))
    other = draw(st.sampled_from([b"", body[: len(body) // 2], b"<x/>"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name; it is the point
        return _zip(parts + [(name, other)])


def backslash_names(data, draw):
    parts = [(i.filename, b) for i, b in _parts(data)]
    chosen = set(draw(st.lists(st.sampled_from([n for n, _ in parts]), min_size=1, max_size=4)))
    return _zip([(n.replace("/", "\\") if n in chosen else n, b) for n, b in parts])


def _xml_parts(data):
    parts = [(i.filename, b) for i, b in _parts(data)]
    return parts, [n for n, _ in parts if n.endswith((".xml", ".rels", ".vml"))]


def _edit_xml(data, draw, edit, only=None):
    parts, names = _xml_parts(data)
    names = [n for n in names if only is None or only(n)] or names
    target = draw(st.sampled_from(names))
    out = []
    for name, body in parts:
        if name == target:
            try:
                root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, huge_tree=False))
            except etree.XMLSyntaxError:
                out.append((name, body))
                continue
            edit(root, draw)
            body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        out.append((name, body))
    return _zip(out)


def _some_element(root, draw):
    elements = list(root.iter())
    return elements[draw(st.integers(0, len(elements) - 1))]


def drop_element(data, draw):
    def edit(root, draw):
        victim = _some_element(root, draw)
        if victim.getparent() is not None:
            victim.getparent().remove(victim)
    return _edit_xml(data, draw, edit)


def rename_element(data, draw):
    def edit(root, draw):
        victim = _some_element(root, draw)
        ns = victim.tag.split("}")[0] + "}" if victim.tag.startswith("{") else ""
        victim.tag = ns + draw(st.sampled_from(["c", "row", "sheet", "v", "x", "sheetData", "worksheet"]))
    return _edit_xml(data, draw, edit)


BAD_VALUES = ["", "-1", "0", "99999999999999999999", "XFD1048576", "A0", "ZZZZ1", "A1:XFD1048576", "NaN", "1e308",
              "s", "inlineStr", "../../etc/passwd", "rId999", "\u202e", "A1048577"]


def bad_attribute(data, draw):
    def edit(root, draw):
        victim = _some_element(root, draw)
        name = draw(st.sampled_from(list(victim.attrib) or ["r"]))
        victim.set(name, draw(st.sampled_from(BAD_VALUES)))
    return _edit_xml(data, draw, edit)


def far_reference(data, draw):
    """A cell or the sheet's dimension pointed far away (the 512 GB allocation of issue 9)."""
    def edit(root, draw):
        refs = [e for e in root.iter() if e.tag.endswith("}c") or e.tag.endswith("}dimension")]
        if refs:
            victim = refs[draw(st.integers(0, len(refs) - 1))]
            where = draw(st.sampled_from(["XFD1048576", "A1048576", "XFD1", "ZZ99999", "A1:XFD1048576"]))
            victim.set("ref" if victim.tag.endswith("dimension") else "r", where)
    return _edit_xml(data, draw, edit, only=lambda n: n.startswith("xl/worksheets/sheet"))


def cell_text(data, draw):
    """Random text, control characters included, typed into a few cells of a data sheet."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

    def edit(root, draw):
        cells = [e for e in root.iter(main + "c")]
        for _ in range(min(len(cells), draw(st.integers(1, 5)))):
            cell = cells[draw(st.integers(0, len(cells) - 1))]
            for child in list(cell):
                cell.remove(child)
            cell.set("t", "inlineStr")
            text = draw(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(CONTROL), max_size=40))
            t = etree.SubElement(etree.SubElement(cell, main + "is"), main + "t")
            t.text = "".join(f"_x{ord(ch):04X}_" if ord(ch) < 0x20 or 0xD800 <= ord(ch) <= 0xDFFF else ch
                             for ch in text)
    return _edit_xml(data, draw, edit, only=lambda n: n.startswith("xl/worksheets/sheet"))


MUTATIONS = [truncate, flip_bytes, drop_part, duplicate_entry, backslash_names, drop_element, rename_element,
             bad_attribute, far_reference, cell_text]


@st.composite
def broken_books(draw, seeds):
    seed = draw(st.sampled_from(sorted(seeds)))
    data = seeds[seed]
    applied = []
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        try:
            data = mutation(data, draw)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError):
            break  # an earlier mutation already broke the zip beyond the next one's reach
        applied.append(mutation.__name__)
    return seed, applied, data


def _check(run, what):
    assert run.returncode in (0, 1, 2), f"{what}: exit {run.returncode}\n{run.stderr[-2000:]}"
    assert TRACEBACK not in run.stderr and TRACEBACK not in run.stdout, f"{what}:\n{run.stderr[-3000:]}"
    assert run.peak_mb < PEAK_MB, f"{what}: {run.peak_mb:.0f} MB"


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
@given(data=st.data())
def test_broken_books_give_an_exit_status_never_a_traceback(tmp_path_factory, seeds, data):
    seed, applied, book_bytes = data.draw(broken_books(seeds), label="book")
    folder = tmp_path_factory.mktemp("fuzz")
    book = folder / f"{seed}.xlsm"
    book.write_bytes(book_bytes)
    out = folder / "out.xlsm"

    with ThreadPoolExecutor(2) as pool:  # two independent processes: run them side by side
        validating = pool.submit(run_cli, "validate", book, "--format", "json", timeout=120)
        recalc = pool.submit(run_cli, "recalc", book, "-o", out, timeout=120).result()
        validate = validating.result()
    _check(validate, f"validate after {applied}")
    doc = json.loads(validate.stdout)
    assert len(doc["files"]) == 1
    assert (validate.returncode == 2) == ("error" in doc["files"][0])

    _check(recalc, f"recalc after {applied}")
    if recalc.returncode == 2:
        assert not out.exists() and recalc.stderr.strip().count("\n") == 0  # one line, nothing written
    assert book.read_bytes() == book_bytes
    assert sorted(p.name for p in folder.iterdir()) == sorted([book.name] + ([out.name] if out.exists() else []))
