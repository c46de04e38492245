"""达标预警 as plain data: the tab's headers and rows, in one language, for a door that shows them
without writing a workbook (the service's result page).

The rows are the tab's own (:func:`.tabs.alerts_tab`: one row per subject, rule and semester, the same
order and words), so a head reading the page and the printed tab reads one answer. Dates are ISO text
and numbers plain, so the table is stored as JSON beside the upload.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..contract.findings import Lang
from ..contract.results import Results
from .tab_texts import HEADERS
from .tabs import alerts_tab


def alert_table(results: Results, lang: Lang) -> dict[str, Any]:
    """``{"columns": [header, …], "kinds": [cell kind, …], "wrap": [long text?, …], "rows": [[cell, …], …],
    "subject": i}`` of 达标预警 in ``lang``; ``subject`` is the column of the teacher's 工号 (or the group), for
    a link."""
    tab = alerts_tab(results, lang)
    headers = [c.header for c in tab.columns]
    return {"columns": headers, "kinds": [c.kind for c in tab.columns], "wrap": [c.wrap for c in tab.columns],
            "rows": [[_plain(v) for v in row] for row in tab.rows],
            "subject": headers.index(HEADERS.render("subject", lang))}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
