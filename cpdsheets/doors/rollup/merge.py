"""`rollup --merge`: the districts' `rollup --format json` reports, read from their files (the merge
itself, one as-of date for all, is the job's: :func:`cpdsheets.jobs.rollup.merged`)."""

from __future__ import annotations

import json
from pathlib import Path

from ...contract.texts import BilingualError
from ...reports.rollup import District, ReportInvalid, load_report


class NotAReport(BilingualError):
    def __init__(self, path: str, why_zh: str, why_en: str):
        super().__init__(f"{path}: 不是 rollup 的 JSON 报告（{why_zh}）", f"{path}: not a rollup JSON report ({why_en})")


class ReportUnreadable(BilingualError):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: 无法读取（{reason}）", f"{path}: cannot read（{reason}）")


def read_reports(paths: list[str]) -> list[District]:
    """Each report, in order; the first that cannot be read or is no report raises."""
    districts = []
    for p in paths:
        try:
            districts.append(load_report(Path(p).read_text(encoding="utf-8")))
        except ReportInvalid as exc:
            raise NotAReport(p, exc.message("zh"), exc.message("en")) from None
        except json.JSONDecodeError as exc:
            raise NotAReport(p, f"不是 JSON：第 {exc.lineno} 行第 {exc.colno} 列",
                             f"not JSON: line {exc.lineno} column {exc.colno}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ReportUnreadable(p, getattr(exc, "strerror", None) or type(exc).__name__) from None
    return districts
