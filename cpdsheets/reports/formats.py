"""Renderers of a Report: text for people, JSON for machines, JUnit XML and GitHub annotations for CI.

Every string that comes from a workbook or a file name goes through ``visible`` (or ``json_text``),
so no output carries a raw control character and JUnit and JSON always parse.
"""

from __future__ import annotations


from ..contract.findings import Lang
from ..contract.texts import Catalogue
from .report import Report, sorted_findings
from .safe_text import json_text, visible

FORMATS = ("text", "json", "junit", "github")

# The words of ``validate``'s text report.
VALIDATE_WORDS = Catalogue("validate report", {
    "error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info"), "ok": ("通过", "OK"),
    "fail": ("未通过", "FAILED"), "unreadable": ("无法读取", "UNREADABLE"), "rows": ("行", "rows"),
    "summary": ("{files} 个文件：{errors} 个错误，{warnings} 个警告，{bad} 个无法读取",
                "{files} files: {errors} errors, {warnings} warnings, {bad} unreadable"),
})


def render(report: Report, fmt: str, lang: Lang = "zh") -> str:
    return {"text": to_text, "json": to_json, "junit": to_junit, "github": to_github}[fmt](report, lang)


def to_json(report: Report, lang: Lang = "zh") -> str:
    return json_text(report.as_dict(lang))


def quoteattr(text: str) -> str:
    from xml.sax.saxutils import quoteattr as xml_quoteattr  # only JUnit needs it: not at every start

    return xml_quoteattr(visible(text))


def to_text(report: Report, lang: Lang = "zh") -> str:
    L = {code: text[lang] for code, text in VALIDATE_WORDS.items()}
    lines: list[str] = []
    for f in report.files:
        path = visible(f.path)
        if f.unreadable is not None:
            lines.append(f"{path}: {L['unreadable']}: {visible(f.unreadable)}")
            continue
        status = L["ok"] if f.valid else L["fail"]
        lines.append(f"{path}: {status} ({L['error']} {f.errors}, {L['warning']} {f.warnings}, "
                     f"{f.rows} {L['rows']}, {f.seconds:.2f}s)")
        for x in sorted_findings(f.findings):
            place = visible(f"{x.sheet}!{x.cell}" if x.cell else x.sheet)
            value = f" [{visible(x.shown_value)}]" if x.value not in ("", None) else ""
            lines.append(f"  {L[x.level]:<4} {place:<16} {x.code}: {visible(x.message(lang))}{value}  → "
                         f"{visible(x.hint(lang))}")
    lines.append(L["summary"].format(
        files=len(report.files), errors=sum(f.errors for f in report.files),
        warnings=sum(f.warnings for f in report.files),
        bad=sum(1 for f in report.files if f.unreadable is not None)))
    return "\n".join(lines)


def to_junit(report: Report, lang: Lang = "zh") -> str:
    """One testsuite per workbook, one testcase per sheet: a sheet with errors fails."""
    from xml.sax.saxutils import escape as _xml_escape  # imported here: xml.sax is not needed at start-up

    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites name=\"cpdsheets\">"]
    for f in report.files:
        sheets: dict[str, list] = {}
        for x in sorted_findings(f.findings):
            sheets.setdefault(x.sheet or "(workbook)", []).append(x)
        cases: list[str] = []
        failures = 0
        if f.unreadable is not None:
            cases.append(f'<testcase name="read" classname={quoteattr(f.path)}>'
                         f"<error message={quoteattr(f.unreadable)}/></testcase>")
        for sheet, items in sheets.items():
            errors = [x for x in items if x.level == "error"]
            body = "\n".join(visible(f"{x.level} {x.sheet}!{x.cell} {x.code}: {x.message(lang)} ({x.hint(lang)})")
                             for x in items)
            if errors:
                failures += 1
                inner = (f"<failure message={quoteattr(f'{len(errors)} errors')} type=\"findings\">"
                         f"{_xml_escape(body)}</failure>")
            else:
                inner = f"<system-out>{_xml_escape(body)}</system-out>"
            cases.append(f"<testcase name={quoteattr(sheet)} classname={quoteattr(f.path)}>{inner}</testcase>")
        if not cases:
            cases.append(f'<testcase name="workbook" classname={quoteattr(f.path)}/>')
        out.append(f"<testsuite name={quoteattr(f.path)} tests=\"{len(cases)}\" failures=\"{failures}\" "
                   f"errors=\"{1 if f.unreadable else 0}\" time=\"{f.seconds:.3f}\">")
        out += cases
        out.append("</testsuite>")
    out.append("</testsuites>")
    return "\n".join(out)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    text = visible(text)
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(report: Report, lang: Lang = "zh") -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the workbook file."""
    lines = []
    for f in report.files:
        if f.unreadable is not None:
            lines.append(f"::error file={_gh_escape(f.path, True)},title=cpdsheets::{_gh_escape(f.unreadable)}")
        for x in sorted_findings(f.findings):
            cmd = {"error": "error", "warning": "warning", "info": "notice"}[x.level]
            title = _gh_escape(f"{x.code} {x.sheet}!{x.cell}".strip(), True)
            lines.append(f"::{cmd} file={_gh_escape(f.path, True)},title={title}::"
                         f"{_gh_escape(x.message(lang) + ' ' + x.hint(lang))}")
    return "\n".join(lines)
