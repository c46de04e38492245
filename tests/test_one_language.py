"""One way to speak two languages (issue 20, item 4), read from the source with ``ast``.

Words shown to people live in catalogues (:class:`cpdsheets.contract.texts.Catalogue`): a module
chooses a text by its code, never by comparing the language to ``"zh"`` / ``"en"`` itself, and holds
no ``("中文", "English")`` pair of its own outside a catalogue's entries. Every entry of every
catalogue reads in both languages.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import cpdsheets
from cpdsheets.contract.texts import CATALOGUES, LANGS

PACKAGE_DIR = Path(cpdsheets.__file__).resolve().parent
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
LATIN = re.compile(r"[A-Za-z]")
# The catalogue's own module: the one place a language is compared with a literal.
CATALOGUE_MODULE = "contract/texts.py"
# Tables of names in both languages that are recognised as either (a sheet called 规则 or Policy), not
# a text chosen by language: the contract's records of tab and sheet names, and a record's aliases.
NAME_TABLES = {"OUTPUT_TABS", "POLICY_SHEET_NAMES", "MAPPING_SHEET_NAMES", "RULE_COLUMNS", "_FIRST_HEADERS", "aliases"}


def _is_lang_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and node.value in LANGS:
        return True
    return isinstance(node, ast.Attribute) and node.attr in LANGS and isinstance(node.value, ast.Name) \
        and node.value.id == "Lang"


def _is_pair(node: ast.AST) -> bool:
    """A tuple of two string literals, Chinese then English: a text in both languages."""
    if not (isinstance(node, ast.Tuple) and len(node.elts) == 2):
        return False
    zh, en = node.elts
    if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in (zh, en)):
        return False
    return bool(CJK.search(zh.value)) and not CJK.search(en.value) and bool(LATIN.search(en.value))  # type: ignore[attr-defined]


def _is_language_dict(node: ast.AST) -> bool:
    """A ``{"zh": ..., "en": ...}`` literal: a text (or a table of texts) chosen by language."""
    return isinstance(node, ast.Dict) and {getattr(k, "value", None) for k in node.keys} == set(LANGS)


def _is_catalogue(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "Catalogue")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "define"))


def scan(source: str) -> tuple[list[int], list[int]]:
    """The lines comparing a language with a literal, and the lines holding a pair (or a dict keyed
    zh and en) outside a catalogue."""
    compares, pairs = [], []

    def visit(node: ast.AST, allowed: bool) -> None:
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops) \
                and any(_is_lang_literal(x) for x in (node.left, *node.comparators)):
            compares.append(node.lineno)
        if (_is_pair(node) or _is_language_dict(node)) and not allowed:
            pairs.append(node.lineno)
        named_table = (isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(t, ast.Name) and t.id in NAME_TABLES
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))) or (
            isinstance(node, ast.keyword) and node.arg in NAME_TABLES)
        for child in ast.iter_child_nodes(node):
            visit(child, allowed or _is_catalogue(node) or named_table)

    visit(ast.parse(source), False)
    return compares, pairs


def _modules() -> dict[str, tuple[int, int]]:
    out = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        if rel == CATALOGUE_MODULE:
            continue
        compares, pairs = scan(path.read_text(encoding="utf-8"))
        if compares or pairs:
            out[rel] = (len(compares), len(pairs))
    return out


def test_the_scan_finds_what_it_forbids():
    source = '''
msg = "已写入" if lang == "zh" else "written"
other = lang != Lang.en
WORDS = Catalogue("w", {"ok": ("好", "fine")})
LOOSE = ("学校", "School")
NOT_A_PAIR = ("学校", "学校")
BY_LANG = {"zh": "学校", "en": "School"}
'''
    compares, pairs = scan(source)
    assert compares == [2, 3]
    assert pairs == [5, 7]


def test_no_module_chooses_words_by_comparing_the_language():
    found = _modules()
    assert not found, f"choose words from a catalogue (contract/texts.py), not inline: {found}"


# A refusal or a reason written as two literal arguments (``WorkbookUnreadable("无法读取…", "cannot
# read…")``) instead of a catalogue entry. The calls that define a catalogue's or a record's words
# (findings' ``_t``, the schema's ``_col``/``_shown``, policy's ``_rule``, ``Text``, ``define``) are the
# catalogue.
WORD_DEFINING_CALLS = {"_t", "_col", "_shown", "_rule", "_listed", "Text", "define"}


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def inline_reasons(source: str) -> list[int]:
    """The lines of calls given a Chinese and an English literal side by side (not a catalogue's)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in WORD_DEFINING_CALLS:
            continue
        for zh, en in zip(node.args, node.args[1:]):
            z, e = _literal_text(zh), _literal_text(en)
            if z is not None and e is not None and CJK.search(z) and not CJK.search(e) and LATIN.search(e):
                lines.append(node.lineno)
                break
    return lines


def test_refusals_name_their_words_in_a_catalogue():
    assert inline_reasons('raise WorkbookUnreadable(f"无法读取 {p}", f"cannot read {p}")\n'
                          'raise WorkbookUnreadable(TEXTS["unreadable"].fill(p=p))\n') == [1]
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if (n := len(inline_reasons(path.read_text(encoding="utf-8")))):
            found[path.relative_to(PACKAGE_DIR).as_posix()] = n
    assert not found, f"name the words in a catalogue and raise with its entry: {found}"


# A line written once in both languages, ``"无法打开数据库 / cannot open the database"``: Chinese, then
# `` / `` (or ``/ `` after a full-width bracket), then English, in one literal. Even a line shown in both
# languages at once (a command's --help) names its words in a catalogue and is joined where it is
# shown (``contract.texts.both_languages``).
BOTH_IN_ONE = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f][^\n]*? ?/ [A-Za-z]")


def bilingual_literals(source: str) -> list[int]:
    """The lines of string literals (an f-string read as its literal parts, a docstring too) holding
    Chinese, `` / `` and English, outside a catalogue's entries."""
    lines: list[int] = []

    def visit(node: ast.AST, allowed: bool) -> None:
        text = _literal_text(node)
        if text is not None:
            if not allowed and BOTH_IN_ONE.search(text):
                lines.append(node.lineno)
            return  # an f-string's parts are read with it, not again
        inside = allowed or _is_catalogue(node) or (
            isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in WORD_DEFINING_CALLS)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(source), False)
    return lines


def test_the_bilingual_literal_scan_finds_what_it_forbids():
    source = '''
typer.echo("没有找到工作簿 / no workbooks found", err=True)
help_text = "新建：生成空白总表（各登记表）/ build a new master workbook."
line = f"无法打开数据库 / cannot open the database: {line}"
def validate():
    """校验：逐表检查工作簿 / validate workbooks."""
CLI_HELP = Catalogue("cli help", {"no-workbooks": ("没有找到工作簿", "no workbooks found")})
WORDS = Catalogue("w", {"intro": ("请使用 WPS / LibreOffice", "use WPS / LibreOffice")})
fine = "日期 2026/4/20"
also_fine = "a path / another"
'''
    assert bilingual_literals(source) == [2, 3, 4, 6]


def test_no_line_is_written_in_both_languages_in_one_literal():
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if (lines := bilingual_literals(path.read_text(encoding="utf-8"))):
            found[path.relative_to(PACKAGE_DIR).as_posix()] = lines
    assert not found, f"name the line's words in a catalogue and join them where shown (both_languages): {found}"


def test_no_pick_alias_is_left():
    hits = [p.relative_to(PACKAGE_DIR).as_posix() for p in PACKAGE_DIR.rglob("*.py")
            if re.search(r"\bimport pick\b|\bpick as _|\bpick\(", p.read_text(encoding="utf-8"))]
    assert not hits


def test_the_web_templates_do_not_compare_the_language():
    templates = PACKAGE_DIR / "doors" / "web" / "templates"
    hits = {p.name: n for p in templates.glob("*.html")
            if (n := len(re.findall(r"lang\s*[!=]=\s*['\"](zh|en)['\"]", p.read_text(encoding="utf-8"))))}
    assert not hits, hits


def test_there_is_one_lang():
    """``Lang`` is defined once, in the catalogue's module; the CLI and every other door use it."""
    defined = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.name] if isinstance(node, ast.ClassDef) else
                     [t.id for t in node.targets if isinstance(t, ast.Name)] if isinstance(node, ast.Assign) else
                     [node.target.id] if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) else [])
            defined += [path.relative_to(PACKAGE_DIR).as_posix() for n in names if n == "Lang"]
    assert defined == [CATALOGUE_MODULE]


def _import_everything() -> None:
    for info in pkgutil.walk_packages(cpdsheets.__path__, "cpdsheets."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional door (xlwings, the service) whose extra is not installed
            continue


def test_every_catalogue_entry_reads_in_both_languages():
    _import_everything()
    assert len(CATALOGUES) >= 10
    empty = [(c.name, code, lang) for c in CATALOGUES for code, text in c.items() for lang in LANGS
             if not text[lang].strip()]
    assert not empty
    names = [c.name for c in CATALOGUES]
    assert len(names) == len(set(names)), "two catalogues of one name"


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_fields_are_named(lang):
    """A template's fields are named (``{teachers}``), so a catalogue entry says what it is filled with."""
    _import_everything()
    formatter = __import__("string").Formatter()
    positional = [(c.name, code) for c in CATALOGUES for code, text in c.items()
                  for _, field, _, _ in formatter.parse(text[lang]) if field is not None and
                  (field == "" or field.isdigit())]
    assert not positional


# The service (doors/web) says nothing in Chinese outside its catalogues: a word it shows is chosen by
# code in the reader's language, never written into the code as a literal (``"已添加{kind}"``, or a
# ``"区账号 district account"`` that is both at once). Docstrings are for programmers and not read.
WEB_DIR = PACKAGE_DIR / "doors" / "web"


def chinese_literals(source: str) -> list[int]:
    """The lines of string literals holding Chinese (an f-string read as its literal parts), outside a
    catalogue's entries and outside docstrings."""
    tree = ast.parse(source)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    lines: list[int] = []

    def visit(node: ast.AST, allowed: bool) -> None:
        text = _literal_text(node)
        if text is not None:
            if not allowed and id(node) not in docstrings and CJK.search(text):
                lines.append(node.lineno)
            return
        inside = allowed or _is_catalogue(node)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return lines


def test_the_chinese_literal_scan_finds_what_it_forbids():
    source = '''
"""模块说明：不算。"""
kind = "区账号 district account" if district else "学校账号 school account"
typer.echo(f"已添加{kind}：{user}（{school}）")
PAGES = Catalogue("pages", {"title": ("学分校验", "Credit check")})
fine = f"{stem}-{suffix}"
def f():
    """说明。"""
'''
    assert chinese_literals(source) == [3, 3, 4]


def test_the_service_says_nothing_in_chinese_outside_its_catalogues():
    found = {p.relative_to(PACKAGE_DIR).as_posix(): lines for p in sorted(WEB_DIR.rglob("*.py"))
             if (lines := chinese_literals(p.read_text(encoding="utf-8")))}
    assert not found, f"name the words in doors/web/texts.py and render them in the reader's language: {found}"


def test_the_web_templates_and_scripts_hold_no_chinese_of_their_own():
    """A page's every word, colon and bracket comes from ``t(...)`` (``：`` and ``（）`` are Chinese
    punctuation: an English page would show them too), and its script's from the page's data attributes."""
    files = [*(WEB_DIR / "templates").glob("*.html"), *(WEB_DIR / "static").glob("*.js")]
    hits = {p.name: sorted(set(CJK.findall(p.read_text(encoding="utf-8"))))
            for p in files if CJK.search(p.read_text(encoding="utf-8"))}
    assert not hits, hits
