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
from .safe_text import json_text

_SHAPE = {"rows": {"zh": "", "en": ""}, "grid": {"zh": "·签到表", "en": " (sign-in grid)"},
          "per_teacher": {"zh": "·每人一表", "en": " (one tab per teacher)"}}
_SKIP = {"own": {"zh": "本工具自己的表", "en": "cpdsheets' own sheet"},
         "empty": {"zh": "空表", "en": "empty"},
         "unrecognised": {"zh": "认不出是哪张登记表", "en": "not recognised as any log"},
         "left_out": {"zh": "「映射」中设为（不用），不读取", "en": "left out by 映射 （不用）: not read"}}
_WORDS = {
    "zh": {"book": "工作簿", "header_row": "第 {n} 行为表头", "sure": "把握", "teacher": "教师",
           "unused": "（不用）", "names": "（填姓名，按名册对应）", "unmapped": "未对应的列", "default": "默认值", "sessions": "培训场次",
           "missing": "缺少必填字段「{field}」", "candidates": "候选列", "no_candidates": "没有候选列，请在「映射」中指定",
           "skipped": "未绑定的工作表", "none": "没有认出任何登记表", "hours_default": "各场次没有学时，请在「映射」中给出学时的默认值",
           "sep": "、", "colon": "：", "total": "共 {n} 张工作表将按「映射」读取"},
    "en": {"book": "Workbook", "header_row": "header in row {n}", "sure": "confidence", "teacher": "teacher",
           "unused": "(unused)", "names": " (names, matched to the roster)", "unmapped": "Unmapped columns", "default": "defaults", "sessions": "sessions",
           "missing": "required field '{field}' maps to no column", "candidates": "candidates",
           "no_candidates": "no candidate column; name one in the 映射 sheet",
           "skipped": "Sheets not bound", "none": "no log sheet recognised",
           "hours_default": "the sessions carry no hours; give 学时 a default in the 映射 sheet",
           "sep": ", ", "colon": ": ", "total": "{n} sheets will be read through the 映射 table"},
}


def sheet_label(target: str, lang: str = "zh") -> str:
    spec = SHEETS[target]
    return spec.name if lang == "zh" else f"{spec.aliases[0]} ({spec.name})"


def field_label(target: str, field: str, lang: str = "zh") -> str:
    if not field:
        return _WORDS[lang]["unused"]
    col = SHEETS[target].column(field)
    if lang == "zh":
        return col.header
    english = next((a for a in col.aliases if a.isascii()), col.key)
    return f"{english} ({col.header})"


def _percent(confidence: float) -> str:
    return f"{round(confidence * 100)}%"


def proposal_text(proposal: Proposal, book: str = "", lang: str = "zh") -> str:
    w = _WORDS[lang]
    lines = [f"{w['book']}{w['colon']}{book}"] if book else []
    if not proposal.binding.sheets:
        lines.append(w["none"])
    for s in proposal.binding.sheets:
        lines += [""] + _sheet_lines(s, proposal.details(s.sheet), lang)
    if proposal.skipped:
        lines += ["", w["skipped"] + w["colon"]]
        lines += [f"  {k.sheet}{w['colon']}{_SKIP[k.reason][lang]}" for k in proposal.skipped]
    if proposal.binding.sheets:
        lines += ["", w["total"].format(n=len(proposal.binding.sheets))]
    return "\n".join(lines)


def _sheet_lines(s: SheetBinding, d: SheetProposal, lang: str) -> list[str]:
    w = _WORDS[lang]
    head = f"{s.sheet} → {sheet_label(s.target, lang)}{_SHAPE[s.shape][lang]}"
    notes = [w["header_row"].format(n=s.header_row)] if s.header_row else []
    if s.teacher:
        notes.append(f"{w['teacher']}{w['colon']}{s.teacher}")
    notes.append(f"{w['sure']} {_percent(s.confidence)}")
    lines = [f"{head}（{'，'.join(notes)}）" if lang == "zh" else f"{head} ({'; '.join(notes)})"]
    columns = [c for c in s.columns if c.header]
    width = max((_display_width(c.header) for c in columns), default=0)
    for c in columns:
        pad = " " * (width - _display_width(c.header))
        sure = f"  {_percent(c.confidence)}" if c.field else ""
        names = w["names"] if c.field and holds_names(s.target, c.field, c.header) else ""
        lines.append(f"  {c.header}{pad} → {field_label(s.target, c.field, lang)}{names}{sure}")
    defaults = [f"{field_label(s.target, c.field, lang)} = {c.default}" for c in s.columns if not c.header and c.field]
    if defaults:
        lines.append(f"  {w['default']}{w['colon']}{w['sep'].join(defaults)}")
    if d.sessions:
        lines.append(f"  {w['sessions']}（{len(d.sessions)}）：" if lang == "zh" else f"  {w['sessions']} ({len(d.sessions)}):")
        for x in d.sessions:
            hours = (f"{x.hours}学时" if lang == "zh" else f"{x.hours} h") if x.hours else ""
            lines.append("    " + " ".join(p for p in (x.column, x.date, x.title, hours) if p))
    if d.unmapped:
        lines.append(f"  {w['unmapped']}{w['colon']}{w['sep'].join(d.unmapped)}")
    for m in d.missing:
        said = w["missing"].format(field=field_label(s.target, m.field, lang))
        if s.shape == "grid" and m.field == "hours":
            hint = w["hours_default"]
        elif m.candidates:
            hint = f"{w['candidates']}{w['colon']}{w['sep'].join(m.candidates)}"
        else:
            hint = w["no_candidates"]
        lines.append(f"  ! {said}（{hint}）" if lang == "zh" else f"  ! {said} ({hint})")
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
