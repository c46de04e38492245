"""The VBA chain: xlmacros/ text -> MS-OVBA compression -> CFB -> vbaProject.bin -> .xlsm.

Every claim is checked by an independent reader: oletools (olevba's decompressor and parser),
olefile for the compound file, Excel-written modules from xlwings' own standalone workbook, and a
headless LibreOffice that imports the VBA project.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, VBA_Project, decompress_stream

from cpdsheets.doors.vba import ModuleKind, VbaBuildError, VbaModule, build_from_sources, build_vba_project, load_modules
from cpdsheets.doors.vba.cfb import ENDOFCHAIN, NOSTREAM, name_sort_key, write_cfb
from cpdsheets.doors.vba.compression import CHUNK_SIZE, DecompressionError, compress, decompress
from cpdsheets.doors.vba.modules import normalise_newlines
from conftest import libreoffice_uno_missing
from cpdsheets.doors.vba.obfuscation import decrypt
from cpdsheets.doors.vba.project import xlwings_vba_dir

ROOT = Path(__file__).resolve().parents[1]
XLMACROS = ROOT / "xlmacros"
XLWINGS_BAS = xlwings_vba_dir() / "xlwings.bas"
DICTIONARY_CLS = xlwings_vba_dir() / "addin" / "Dictionary.cls"
STANDALONE_XLSM = xlwings_vba_dir() / "quickstart_standalone.xlsm"
BUTTONS = {"Validate": "校验", "Recalculate": "重新计算", "ClearMarks": "清除标记", "Archive": "个人档案"}
SUB_RE = re.compile(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)\s*\(", re.IGNORECASE | re.MULTILINE)


# ---------------------------------------------------------------- compression

_WORDS = "Dim As String Long If Then End Sub Function Set Next For Each x y value result Range Cells".split()


def _sample(kind: str, size: int, seed: int = 7) -> bytes:
    rng = random.Random(seed * 1_000_003 + size)
    if kind == "repetitive":
        return (b"RunPython \"import cpdsheets.excel\"\r\n" * (size // 30 + 1))[:size]
    if kind == "random_text":
        words = [rng.choice(_WORDS) + rng.choice([" ", " ", "\r\n"]) for _ in range(size // 3 + 1)]
        return "".join(words).encode()[:size]
    return rng.randbytes(size)


SIZES = [0, 1, 100, 4095, 4096, 4097, 10_000, 100_000]


@pytest.mark.parametrize("kind", ["random_text", "repetitive", "random_bytes"])
@pytest.mark.parametrize("size", SIZES)
def test_compression_round_trips_through_both_decompressors(kind: str, size: int) -> None:
    data = _sample(kind, size)
    packed = compress(data)
    ours = decompress(packed)
    theirs = bytes(decompress_stream(bytearray(packed)))
    if kind == "random_bytes" and CHUNK_SIZE * 0.89 < size % CHUNK_SIZE:
        # Noise whose last chunk does not shrink must go raw, and a raw chunk is always 4096
        # bytes (MS-OVBA 2.4.1.3.10): the tail is zero padded by the format itself.
        assert ours[:size] == data and set(ours[size:]) <= {0} and len(ours) % CHUNK_SIZE == 0
        assert theirs == ours
        return
    assert ours == data
    assert theirs == data


def test_text_compresses_and_noise_does_not_grow_much() -> None:
    text = _sample("random_text", 100_000)
    noise = _sample("random_bytes", 100_000)
    assert len(compress(text)) < 0.6 * len(text)
    assert len(compress(noise)) < len(noise) * 1.01 + 2 * (len(noise) // CHUNK_SIZE + 1) + 8


@pytest.mark.parametrize("path", [XLWINGS_BAS, DICTIONARY_CLS], ids=lambda p: p.name)
def test_real_xlwings_sources_round_trip(path: Path) -> None:
    data = path.read_bytes()
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert len(packed) < 0.5 * len(data)


def test_decompressor_reads_streams_office_wrote() -> None:
    """xlwings' standalone workbook was saved by Excel: our decompressor must agree with olevba."""
    with zipfile.ZipFile(STANDALONE_XLSM) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    for name in ("dir", "xlwings"):
        packed = ole.openstream(f"VBA/{name}").read()
        assert decompress(packed) == bytes(decompress_stream(bytearray(packed)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"b", b"ab", b"Sub ", b"\r\n", b"xyz"]), max_size=3000).map(b"".join))
def test_compression_round_trip_property(data: bytes) -> None:
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


def test_decompress_rejects_garbage() -> None:
    with pytest.raises(DecompressionError):
        decompress(b"\x02\x00\x00")
    with pytest.raises(DecompressionError):
        decompress(b"\x01\xff\x0f")  # chunk signature bits are not 0b011


# ---------------------------------------------------------------- compound file

def _strict_ole(data: bytes) -> olefile.OleFileIO:
    return olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)


def _assert_valid_sibling_trees(ole: olefile.OleFileIO) -> None:
    """Each storage's children form a BST in MS-CFB order with the red-black invariants."""
    entries = ole.direntries

    def black_height(sid: int, low, high) -> int:
        if sid == NOSTREAM:
            return 1
        entry = entries[sid]
        key = name_sort_key(entry.name)
        assert (low is None or low < key) and (high is None or key < high), entry.name
        for child in (entry.sid_left, entry.sid_right):
            if entry.color == 0 and child != NOSTREAM:
                assert entries[child].color == 1, f"red {entry.name} has a red child"
        left = black_height(entry.sid_left, low, key)
        right = black_height(entry.sid_right, key, high)
        assert left == right, f"unequal black heights under {entry.name}"
        return left + entry.color

    for entry in entries:
        if entry is not None and entry.sid_child != NOSTREAM:
            assert entries[entry.sid_child].color == 1, "tree root must be black"
            black_height(entry.sid_child, None, None)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 12, 40])
def test_cfb_written_then_read_back(count: int) -> None:
    rng = random.Random(count)
    streams = {"PROJECT": b"ID=\"x\"\r\n", "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000100"), "VBA/empty": b""}
    for i in range(count):
        size = rng.choice([1, 63, 64, 65, 4095, 4096, 4097, 20_000])
        streams[f"VBA/Module{i}"] = rng.randbytes(size)
    data = write_cfb(streams, storages=["Spare"])
    ole = _strict_ole(data)
    found = {"/".join(p): ole.openstream("/".join(p)).read() for p in ole.listdir()}
    assert found == streams
    assert ["Spare"] in ole.listdir(streams=False, storages=True)
    _assert_valid_sibling_trees(ole)


def test_cfb_orders_names_by_length_then_upper_case() -> None:
    names = ["b", "A", "aa", "Z", "Sheet10", "Sheet2", "sheet1", "_VBA_PROJECT", "dir"]
    assert sorted(names, key=name_sort_key) == ["A", "b", "Z", "aa", "dir", "sheet1", "Sheet2", "Sheet10", "_VBA_PROJECT"]
    ole = _strict_ole(write_cfb({f"S/{n}": n.encode() for n in names}))
    _assert_valid_sibling_trees(ole)


def test_cfb_large_file_uses_difat() -> None:
    big = bytes(range(256)) * (8 * 1024 * 4)  # 8 MiB: more FAT sectors than the header's 109 slots
    data = write_cfb({"big": big, "small": b"x"})
    header_difat_start = int.from_bytes(data[0x44:0x48], "little")
    assert header_difat_start != ENDOFCHAIN
    ole = _strict_ole(data)
    assert ole.openstream("big").read() == big and ole.openstream("small").read() == b"x"


# ---------------------------------------------------------------- VBA project

def _body(path: Path) -> str:
    """What the VBA editor shows for an exported file: the text after its class header and
    Attribute lines (parsed here independently of the code under test)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0].startswith("VERSION 1.0 CLASS"):
        lines = lines[lines.index("END") + 1 :]
    while lines and lines[0].startswith("Attribute VB_"):
        lines.pop(0)
    return "\r\n".join(lines).rstrip()


def _expected_modules(sheet_count: int) -> dict[str, str]:
    expected = {"ThisWorkbook": ""} | {f"Sheet{i}": "" for i in range(1, sheet_count + 1)}
    for path in sorted(XLMACROS.glob("*.bas")) + sorted(XLMACROS.glob("*.cls")):
        expected[path.stem] = _body(path)
    expected["xlwings"] = _body(XLWINGS_BAS)
    expected.setdefault("Dictionary", _body(DICTIONARY_CLS))  # xlmacros/ carries its own copy since issue 22
    return expected


def test_macro_source_is_ascii_with_the_button_subs() -> None:
    text = (XLMACROS / "CpdSheets.bas").read_text(encoding="utf-8")
    assert text.isascii()
    assert normalise_newlines(text).startswith('Attribute VB_Name = "CpdSheets"\r\n')
    public = set(re.findall(r"^Public\s+Sub\s+(\w+)\s*\(", text, re.MULTILINE))
    assert public == set(BUTTONS)
    # each button goes through the one entry point, with the service's command and the local call
    for sub, cmd, call in [("Validate", "validate", "validate()"), ("Recalculate", "recalc", "recalc()"),
                           ("ClearMarks", "clear-marks", "clear_marks()"), ("Archive", "archive", "archive()")]:
        assert f'RunJob "{cmd}", "import cpdsheets.excel; cpdsheets.excel.{call}"' in text, sub
    assert text.count("    RunServerPython url") == 1 and text.count("RunPython localCall") == 2
    for path in [*XLMACROS.glob("*.bas"), *XLMACROS.glob("*.cls")]:
        assert path.read_bytes().isascii(), path.name  # the same text whatever the PC's code page


CLIENT_MODULES = ["WebClient.cls", "WebRequest.cls", "WebResponse.cls", "WebHelpers.bas", "IWebAuthenticator.cls",
                  "Dictionary.cls"]


def test_client_modules_are_the_wheels_but_for_the_noted_changes() -> None:
    """xlwings 0.37.8's VBA client, as shipped: VBA-Web and Dictionary byte for byte; Remote.bas with
    its licence header and the used range's Integer -> Long, each change commented."""
    import difflib

    wheel = xlwings_vba_dir() / "addin"
    for name in CLIENT_MODULES:
        assert (XLMACROS / name).read_bytes() == (wheel / name).read_bytes(), name
    ours = (XLMACROS / "Remote.bas").read_text().splitlines()
    theirs = (wheel / "Remote.bas").read_text().splitlines()
    diff = [line for line in difflib.ndiff(theirs, ours) if line[:2] in ("- ", "+ ")]
    removed = [line[2:].strip() for line in diff if line.startswith("- ")]
    added = [line[2:].strip() for line in diff if line.startswith("+ ")]
    assert removed == ["Dim startRow As Integer, startCol As Integer", "Dim nRows As Integer, nCols As Integer"]
    code = [line for line in added if not line.startswith("'")]
    assert code == ["Dim startRow As Long, startCol As Long", "Dim nRows As Long, nCols As Long"]
    header = "\n".join(added)
    assert "BSD 3-clause" in header and "Zoomer Analytics" in header and "cpdsheets: Long, not Integer" in header


def test_module_set_mirrors_xlwings_standalone_workbook() -> None:
    """Same kinds of modules as quickstart_standalone.xlsm, and identical Excel headers."""
    with zipfile.ZipFile(STANDALONE_XLSM) as z:
        theirs = {Path(name).stem: code for _, _, name, code in VBA_Parser("qs.xlsm", data=z.read("xl/vbaProject.bin")).extract_macros()}
    ours = {m.name: m for m in load_modules(XLMACROS, 2)}
    assert {"ThisWorkbook", "Sheet1", "Sheet2", "xlwings", "Dictionary"} <= set(theirs) & set(ours)
    for name in ("ThisWorkbook", "Sheet1", "Dictionary"):
        their_header = [line for line in theirs[name].splitlines() if line.startswith("Attribute ")]
        our_header = [line for line in ours[name].source.splitlines() if line.startswith("Attribute ")]
        assert our_header == their_header, name
    assert ours["Dictionary"].docstring.startswith("Drop-in replacement for Scripting.Dictionary on Mac\r\n")


def test_build_is_deterministic_and_strictly_parseable() -> None:
    first = build_from_sources(XLMACROS, 3)
    assert build_from_sources(XLMACROS, 3) == first
    ole = _strict_ole(first)
    _assert_valid_sibling_trees(ole)
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    assert (project.codepage, project.projectname, project.lcid) == (936, "VBAProject", 0x409)
    names = [Path(filename).stem for _, filename, _ in project.parse_modules()]
    assert names == list(_expected_modules(3))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    text = ole.openstream("PROJECT").read().decode("ascii")
    values = dict(line.split("=", 1) for line in text.splitlines() if line[:3] in ("CMG", "DPB", "GC="))
    assert decrypt(values["CMG"].strip('"')) == bytes(4)  # not locked
    assert decrypt(values["DPB"].strip('"')) == b"\x00"  # no password
    assert decrypt(values["GC"].strip('"')) == b"\xff"  # visible
    assert "Class=Dictionary" in text and "Module=xlwings" in text and "Document=Sheet3/&H00000000" in text


def test_codepage_carries_chinese_and_rejects_what_it_cannot_encode() -> None:
    module = VbaModule.from_text('Attribute VB_Name = "Zh"\n\' 校本培训\nSub Hi()\nEnd Sub\n', kind=ModuleKind.STANDARD)
    data = build_vba_project([VbaModule.document("ThisWorkbook", workbook=True), module], codepage=936)
    codes = {Path(n).stem: c for _, _, n, c in VBA_Parser("p.bin", data=data).extract_macros()}
    assert "' 校本培训" in codes["Zh"]
    with pytest.raises(VbaBuildError, match="code page 1252"):
        build_vba_project([module], codepage=1252)


def test_bad_inputs_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(VbaBuildError, match="not found"):
        load_modules(tmp_path / "missing", 1)
    (tmp_path / "Sheet9.cls").write_text('Attribute VB_Name = "Sheet9"\n')
    with pytest.raises(VbaBuildError, match="Sheet9"):
        load_modules(tmp_path, 2)
    (tmp_path / "Sheet9.cls").unlink()
    (tmp_path / "XLWINGS.bas").write_text('Attribute VB_Name = "XLWINGS"\n')
    with pytest.raises(VbaBuildError, match="ignore case"):
        build_from_sources(tmp_path, 1)


# ---------------------------------------------------------------- the .xlsm

@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "buttons.xlsm"
    sheet_names = ["控制台", "规则", "培训记录"]
    workbook = xlsxwriter.Workbook(path)
    sheets = [workbook.add_worksheet(name) for name in sheet_names]
    workbook.add_vba_project(io.BytesIO(build_from_sources(XLMACROS, len(sheets))), is_stream=True)
    for row, (macro, caption) in enumerate(BUTTONS.items()):
        sheets[0].insert_button(row * 3 + 1, 1, {"macro": macro, "caption": caption, "width": 120, "height": 30})
    sheets[1].write_row(0, 0, ["设置", "值"])
    sheets[2].write_row(0, 0, ["工号", "日期", "学时"])
    workbook.close()
    return path


def test_olevba_decodes_every_module_equal_to_its_source(xlsm: Path) -> None:
    parser = VBA_Parser(str(xlsm))
    decoded = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    expected = _expected_modules(3)
    assert set(decoded) == set(expected)
    stored = {m.name: m.source for m in load_modules(XLMACROS, 3)}
    for name, body in expected.items():
        assert decoded[name] == stored[name], name  # byte-exact text of the module stream
        # olevba's filter_vba keeps Attribute lines containing ':' (Dictionary's VB_Description
        # holds a URL), so strip the header the way the VBA editor hides it.
        shown = decoded[name].split("\r\n")
        while shown and shown[0].startswith("Attribute VB_"):
            shown.pop(0)
        assert "\r\n".join(shown).rstrip() == body, name


def test_every_button_runs_an_existing_sub(xlsm: Path) -> None:
    parser = VBA_Parser(str(xlsm))
    subs = {sub for _, _, _, code in parser.extract_macros() for sub in SUB_RE.findall(code)}
    with zipfile.ZipFile(xlsm) as z:
        vml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".vml"))
        workbook_xml = z.read("xl/workbook.xml").decode("utf-8")
        sheet_xml = [z.read(f"xl/worksheets/sheet{i}.xml").decode("utf-8") for i in (1, 2, 3)]
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert sorted(macros) == sorted(BUTTONS)
    assert set(macros) <= subs
    assert 'codeName="ThisWorkbook"' in workbook_xml
    assert [re.search(r'codeName="(\w+)"', x).group(1) for x in sheet_xml] == ["Sheet1", "Sheet2", "Sheet3"]


def test_libreoffice_imports_the_vba_project_and_converts(xlsm: Path, tmp_path: Path) -> None:
    reason = libreoffice_uno_missing()
    if reason:
        pytest.skip(reason)
    out = tmp_path / "converted.xlsx"
    run = subprocess.run(
        ["/usr/bin/python3", str(Path(__file__).with_name("uno_vba_probe.py")), str(xlsm), str(out), str(tmp_path / "profile")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["vba_mode"] is True
    library = report["libraries"]["VBAProject"]  # the library is named after the project
    assert set(library) == set(_expected_modules(3))
    kinds = {name: code.splitlines()[0] for name, code in library.items()}
    assert kinds["CpdSheets"] == kinds["xlwings"] == "Rem Attribute VBA_ModuleType=VBAModule"
    assert kinds["Dictionary"] == "Rem Attribute VBA_ModuleType=VBAClassModule"
    assert kinds["ThisWorkbook"] == kinds["Sheet1"] == "Rem Attribute VBA_ModuleType=VBADocumentModule"
    assert set(BUTTONS) <= set(SUB_RE.findall(library["CpdSheets"]))
    assert report["sheets"] == ["控制台", "规则", "培训记录"]
    converted = openpyxl.load_workbook(out)
    assert converted.sheetnames == ["控制台", "规则", "培训记录"]
    assert [c.value for c in converted["培训记录"][1]] == ["工号", "日期", "学时"]
