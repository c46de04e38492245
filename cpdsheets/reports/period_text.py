"""Period labels as a reader of either language reads them.

The engine names periods in Chinese (``第一学期``, ``2024年10月``, ``第一学期第3双周``, ``2024-2025学年``):
they are data, the same in every run and in the JSON. Tabs and text shown in English say them in English.
"""

from __future__ import annotations

import re

from ..contract.texts import Lang

_SEMESTER = {"第一学期": "Semester 1", "第二学期": "Semester 2"}
_WINDOW = {"周": "week", "双周": "fortnight"}
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})-(\d{4})学年$"), "School year {0}-{1}"),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), "{0}-{1:0>2}"),
)


def period_text(label: str, lang: Lang) -> str:
    """``label`` in ``lang``; a label this module does not know is shown as it is."""
    if lang == "zh" or not label:
        return label
    for pattern, template in _PATTERNS:
        m = pattern.match(label)
        if m:
            return template.format(*m.groups())
    m = re.match(r"^(第.学期|第\d+学期)(?:第(\d+)(双周|周))?$", label)
    if not m:
        return label
    semester = _SEMESTER.get(m.group(1)) or "Semester " + re.sub(r"\D", "", m.group(1))
    if m.group(2) is None:
        return semester
    return f"{semester} {_WINDOW[m.group(3)]} {m.group(2)}"
