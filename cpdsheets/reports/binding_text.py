"""`cpdsheets bind --dry-run`: the proposed binding as a person reads it, and as JSON.

Per sheet: the contract sheet it feeds and in which shape, its header row, each header with the
field it maps to and how sure the recogniser is, the columns left unmapped, a grid's sessions and
defaults, and every required field nothing maps to with the columns that could hold it. Then the
sheets left out, and why.
"""

from __future__ import annotations

from typing import Any

from ..contract.binding import SheetBinding
from ..contract.proposal import Proposal, SheetProposal
from ..contract.schema import SHEETS
from ..contract.synonyms import catalogue_rows, holds_names
from ..contract.texts import Catalogue, Lang, joined
from .safe_text import json_text

# The proposal's words by code; a sheet's shape and a skipped sheet's reason are codes too.
BIND_TEXTS = Catalogue("bind proposal", {
    "shape-grid": ("·签到表", " (sign-in grid)"),
    "shape-per_teacher": ("·每人一表", " (one tab per teacher)"),
    "skip-own": ("本工具自己的表", "cpdsheets' own sheet"),
    "skip-empty": ("空表", "empty"),
    "skip-unrecognised": ("认不出是哪张登记表", "not recognised as any log"),
    "skip-left_out": ("「映射」中设为（不用），不读取", "left out by 映射 （不用）: not read"),
    "book": ("工作簿：{book}", "Workbook: {book}"),
    "header-row": ("第 {n} 行为表头", "header in row {n}"),
    "sure": ("把握 {percent}", "confidence {percent}"),
    "teacher": ("教师：{teacher}", "teacher: {teacher}"),
    "notes": ("{head}（{notes}）", "{head} ({notes})"),
    "notes-sep": ("，", "; "),
    "unused": ("（不用）", "(unused)"),
    "names": ("（填姓名，按名册对应）", " (names, matched to the roster)"),
    "unmapped": ("  未对应的列：{columns}", "  Unmapped columns: {columns}"),
    "defaults": ("  默认值：{defaults}", "  defaults: {defaults}"),
    "sessions": ("  培训场次（{n}）：", "  sessions ({n}):"),
    "session-hours": ("{hours}学时", "{hours} h"),
    "missing": ("  ! 缺少必填字段「{field}」（{hint}）", "  ! required field '{field}' maps to no column ({hint})"),
    "candidates": ("候选列：{columns}", "candidates: {columns}"),
    "no-candidates": ("没有候选列，请在「映射」中指定", "no candidate column; name one in the 映射 sheet"),
    "skipped": ("未绑定的工作表：", "Sheets not bound:"),
    "skipped-sheet": ("  {sheet}：{reason}", "  {sheet}: {reason}"),
    "none": ("没有认出任何登记表", "no log sheet recognised"),
    "hours-default": ("各场次没有学时，请在「映射」中给出学时的默认值",
                      "the sessions carry no hours; give 学时 a default in the 映射 sheet"),
    "total": ("共 {n} 张工作表将按「映射」读取", "{n} sheets will be read through the 映射 table"),
    "sheet-label": ("{name}", "{alias} ({name})"),
    "field-label": ("{header}", "{english} ({header})"),
})


def sheet_label(target: str, lang: Lang = "zh") -> str:
    spec = SHEETS[target]
    return BIND_TEXTS.render("sheet-label", lang, name=spec.name, alias=spec.aliases[0])


def field_label(target: str, field: str, lang: Lang = "zh") -> str:
    if not field:
        return BIND_TEXTS.render("unused", lang)
    col = SHEETS[target].column(field)
    english = next((a for a in col.aliases if a.isascii()), col.key)
    return BIND_TEXTS.render("field-label", lang, header=col.header, english=english)


def _percent(confidence: float) -> str:
    return f"{round(confidence * 100)}%"


def proposal_text(proposal: Proposal, book: str = "", lang: Lang = "zh") -> str:
    lines = [BIND_TEXTS.render("book", lang, book=book)] if book else []
    if not proposal.binding.sheets:
        lines.append(BIND_TEXTS.render("none", lang))
    for s in proposal.binding.sheets:
        lines += [""] + _sheet_lines(s, proposal.details(s.sheet), lang)
    if proposal.skipped:
        lines += ["", BIND_TEXTS.render("skipped", lang)]
        lines += [BIND_TEXTS.render("skipped-sheet", lang, sheet=k.sheet, reason=BIND_TEXTS[f"skip-{k.reason}"])
                  for k in proposal.skipped]
    if proposal.binding.sheets:
        lines += ["", BIND_TEXTS.render("total", lang, n=len(proposal.binding.sheets))]
    return "\n".join(lines)


def _sheet_lines(s: SheetBinding, d: SheetProposal, lang: Lang) -> list[str]:
    shape = BIND_TEXTS.render(f"shape-{s.shape}", lang) if f"shape-{s.shape}" in BIND_TEXTS else ""
    head = f"{s.sheet} → {sheet_label(s.target, lang)}{shape}"
    notes = [BIND_TEXTS.render("header-row", lang, n=s.header_row)] if s.header_row else []
    if s.teacher:
        notes.append(BIND_TEXTS.render("teacher", lang, teacher=s.teacher))
    notes.append(BIND_TEXTS.render("sure", lang, percent=_percent(s.confidence)))
    lines = [BIND_TEXTS.render("notes", lang, head=head, notes=BIND_TEXTS.render("notes-sep", lang).join(notes))]
    columns = [c for c in s.columns if c.header]
    width = max((_display_width(c.header) for c in columns), default=0)
    for c in columns:
        pad = " " * (width - _display_width(c.header))
        sure = f"  {_percent(c.confidence)}" if c.field else ""
        names = BIND_TEXTS.render("names", lang) if c.field and holds_names(s.target, c.field, c.header) else ""
        lines.append(f"  {c.header}{pad} → {field_label(s.target, c.field, lang)}{names}{sure}")
    defaults = [f"{field_label(s.target, c.field, lang)} = {c.default}" for c in s.columns if not c.header and c.field]
    if defaults:
        lines.append(BIND_TEXTS.render("defaults", lang, defaults=joined(lang, defaults, "list-sep")))
    if d.sessions:
        lines.append(BIND_TEXTS.render("sessions", lang, n=len(d.sessions)))
        for x in d.sessions:
            hours = BIND_TEXTS.render("session-hours", lang, hours=x.hours) if x.hours else ""
            lines.append("    " + " ".join(p for p in (x.column, x.date, x.title, hours) if p))
    if d.unmapped:
        lines.append(BIND_TEXTS.render("unmapped", lang, columns=joined(lang, d.unmapped, "list-sep")))
    for m in d.missing:
        if s.shape == "grid" and m.field == "hours":
            hint = BIND_TEXTS.render("hours-default", lang)
        elif m.candidates:
            hint = BIND_TEXTS.render("candidates", lang, columns=joined(lang, m.candidates, "list-sep"))
        else:
            hint = BIND_TEXTS.render("no-candidates", lang)
        lines.append(BIND_TEXTS.render("missing", lang, field=field_label(s.target, m.field, lang), hint=hint))
    return lines


def _display_width(text: str) -> int:
    """Columns a terminal gives ``text``: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def proposal_json(proposal: Proposal, book: str = "") -> str:
    doc: dict[str, Any] = {"book": book, "complete": proposal.complete,
                           "sheets": [_sheet_json(s, proposal.details(s.sheet)) for s in proposal.binding.sheets],
                           "skipped": [{"sheet": k.sheet, "reason": k.reason} for k in proposal.skipped]}
    return json_text(doc)


def _sheet_json(s: SheetBinding, d: SheetProposal) -> dict[str, Any]:
    return {
        "sheet": s.sheet, "target": s.target, "target_name": SHEETS[s.target].name, "shape": s.shape,
        "header_row": s.header_row, "teacher": s.teacher, "confidence": s.confidence,
        "columns": [{"header": c.header, "field": c.field, "field_name": field_label(s.target, c.field) if c.field else "",
                     "confidence": c.confidence, "names": bool(c.field) and holds_names(s.target, c.field, c.header)}
                    for c in s.columns if c.header],
        "defaults": {c.field: c.default for c in s.columns if not c.header and c.field},
        "unmapped": list(d.unmapped),
        "missing": [{"field": m.field, "field_name": field_label(s.target, m.field),
                     "candidates": list(m.candidates)} for m in d.missing],
        "sessions": [x.model_dump() for x in d.sessions],
    }


def catalogue_markdown() -> str:
    """The synonym catalogue as the README's table (tests keep the two equal)."""
    lines = ["| 登记表 | 表名常见用词 | 字段 | 认作该字段的表头 |", "|---|---|---|---|"]
    lines += [f"| {sheet} | {words} | {field} | {headers} |" for sheet, words, field, headers in catalogue_rows()]
    return "\n".join(lines)
