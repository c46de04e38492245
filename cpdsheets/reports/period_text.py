"""Period labels as a reader of either language reads them.

The engine names periods in Chinese (``第一学期``, ``2024年10月``, ``第一学期第3双周``, ``2024-2025学年``):
they are data, the same in every run and in the JSON. Tabs and text shown in English say them in English.
"""

from __future__ import annotations

import re

from ..contract.texts import Catalogue, Lang

# A label in Chinese is shown as the engine wrote it; in English each kind has its own pattern.
PERIOD_LABELS = Catalogue("period labels", {
    "school-year": ("{label}", "School year {start}-{end}"),
    "month": ("{label}", "{year}-{month:0>2}"),
    "semester": ("{label}", "Semester {n}"),
    "window": ("{label}", "Semester {n} {window} {k}"),
    "week": ("周", "week"),
    "fortnight": ("双周", "fortnight"),
})
_SEMESTER = {"第一学期": "1", "第二学期": "2"}
_WINDOW = {"周": "week", "双周": "fortnight"}
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?P<start>\d{4})-(?P<end>\d{4})学年$"), "school-year"),
    (re.compile(r"^(?P<year>\d{4})年(?P<month>\d{1,2})月$"), "month"),
)


def period_text(label: str, lang: Lang) -> str:
    """``label`` in ``lang``; a label this module does not know is shown as it is."""
    if not label:
        return label
    for pattern, code in _PATTERNS:
        m = pattern.match(label)
        if m:
            return PERIOD_LABELS.render(code, lang, label=label, **m.groupdict())
    m = re.match(r"^(第.学期|第\d+学期)(?:第(\d+)(双周|周))?$", label)
    if not m:
        return label
    semester = _SEMESTER.get(m.group(1)) or re.sub(r"\D", "", m.group(1))
    if m.group(2) is None:
        return PERIOD_LABELS.render("semester", lang, n=semester, label=label)
    return PERIOD_LABELS.render("window", lang, n=semester, k=m.group(2), label=label,
                                window=PERIOD_LABELS[_WINDOW[m.group(3)]])
