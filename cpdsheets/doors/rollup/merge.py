"""`rollup --merge`: the districts' `rollup --format json` reports, read from their files (the merge
itself, one as-of date for all, is the job's: :func:`cpdsheets.jobs.rollup.merged`)."""

from __future__ import annotations

import json
from pathlib import Path

from ...contract.texts import BilingualError, Text
from ...reports.rollup import District, ReportInvalid, ReportOutdated, load_report
from ..cli_texts import CLI


class ReportRefused(BilingualError):
    """A file given to --merge that cannot be read or is no roll-up report: its one line."""

    def __init__(self, line: Text):
        super().__init__(line.zh, line.en)


def read_reports(paths: list[str]) -> list[District]:
    """Each report, in order; the first that cannot be read or is no report raises ``ReportRefused``."""
    districts = []
    for p in paths:
        try:
            districts.append(load_report(Path(p).read_text(encoding="utf-8")))
        except ReportOutdated as exc:
            raise ReportRefused(CLI["outdated-rollup-report"].fill(p=p, why=exc.reason)) from None
        except ReportInvalid as exc:
            raise ReportRefused(CLI["not-a-rollup-report"].fill(p=p, why=exc.reason)) from None
        except json.JSONDecodeError as exc:
            why = CLI["not-json"].fill(line=exc.lineno, column=exc.colno)
            raise ReportRefused(CLI["not-a-rollup-report"].fill(p=p, why=why)) from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise ReportRefused(CLI["cannot-read"].fill(p=p, reason=reason)) from None
    return districts
