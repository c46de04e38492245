"""What the service's worker processes run: the CLI's own jobs on a stored book, nothing else.

Every function here runs in a child process (``runner``), takes paths and plain values (or the
district's summaries) and returns plain data, so only a few KB cross the process boundary. The jobs
are the ones the CLI calls (``jobs.book.recalc`` and its tabs, the package writer, the archive job,
the district workbook), so the service gives the CLI's answers. The district itself is the roll-up
job's, mapped over these workers by the service as the CLI maps it (``jobs.rollup.roll_up``). A
refusal (unreadable book, over a limit) comes back as ``Refused``; anything else a book triggers is
one internal-error line. A stored upload is a file, so a job reads it through the file door
(``FileDoor.read()``), as the CLI reads a book: the reader's limits are the door's.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ...contract.texts import LANGS, BilingualError, Lang
from ...reports.alert_rows import alert_row_states
from ...reports.alert_table import alert_table
from ...reports.internal_error import internal_error
from ...reports.report import sorted_findings
from ...reports.results_json import to_results_json
from ...reports.rollup import District
from ...reports.safe_text import json_text, visible_lines
from ...jobs.book import RecalcRequest, Recalculation, recalc
from ..ooxml.file_door import FileDoor


_F = TypeVar("_F", bound=Callable[..., Any])
RESULTS_LANG: Lang = "zh"  # the language of the stored results JSON (`recalc --dry-run --format json`)


@dataclass(frozen=True, slots=True)
class Refused:
    """A job's refusal as plain data: a ``BilingualError`` subclass need not be rebuilt in the server."""

    zh: str
    en: str

    def error(self) -> BilingualError:
        return BilingualError(self.zh, self.en)


def refusals_returned(job: _F) -> _F:
    """The job's ``BilingualError`` comes back as ``Refused`` (the server raises it again)."""

    @functools.wraps(job)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return job(*args, **kwargs)
        except BilingualError as exc:
            return Refused(exc.reason.zh, exc.reason.en)

    return run  # type: ignore[return-value]


class JobFailed(BilingualError):
    """A job that failed on one book for a reason that is not a refusal: one line, zh and en."""

    @classmethod
    def of(cls, exc: Exception) -> JobFailed:
        return cls(internal_error(exc, "zh"), internal_error(exc, "en"))


def _recalc(door: FileDoor, as_of: dt.date | None) -> Recalculation:
    raw = door.read()  # the engine is imported already (the warm worker's preload): nothing to overlap
    try:
        return recalc(RecalcRequest(raw, "zh", as_of))
    except BilingualError:
        raise
    except Exception as exc:
        raise JobFailed.of(exc) from None


@refusals_returned
def process_upload(path: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """``recalc --dry-run --format json`` on the book at ``path``: the JSON text as the CLI prints it,
    and the counts the pages and the history show."""
    started = time.perf_counter()
    # No output tabs: the answer is the JSON; the processed book is built when it is downloaded.
    outcome = _recalc(FileDoor(path), as_of)
    text = visible_lines(to_results_json(outcome.results, outcome.findings, outcome.as_of, RESULTS_LANG))
    settings = outcome.policy.settings
    return {
        "results": text,
        "as_of": outcome.as_of.isoformat(),
        "school_name": (settings.school_name or "").strip(),
        "counts": dict(outcome.counts),
        # 达标预警's rows by state: the CLI's head line counts these, not the JSON's alerts (one per period)
        "alert_states": alert_row_states(outcome.results.alerts),
        # 达标预警 itself, in each language a page may be read in: the result page shows the tab's rows
        "alert_tables": {lang: alert_table(outcome.results, lang) for lang in LANGS},
        # the findings in every other language, as ``validate --lang`` renders them: the results JSON is zh
        "finding_texts": {lang: visible_lines(json_text([f.as_dict(lang) for f in sorted_findings(outcome.findings)]))
                          for lang in LANGS if lang != RESULTS_LANG},
        "seconds": round(time.perf_counter() - started, 3),
    }


@refusals_returned
def processed_workbook(path: str, out: str, as_of: dt.date | None = None) -> str:
    """``recalc --mark -o OUT``: the five tabs and the marks, written to ``out``; the stored book is
    only read."""
    from ...jobs.tabs import book_tabs
    from ..tab_owner import other_language_tabs

    door = FileDoor(path, out=out, backup=False)
    outcome = _recalc(door, as_of)
    try:
        tabs = book_tabs(outcome)
        door.write(tabs.tabs, marks=tabs.marks, remove=other_language_tabs("zh"))  # as the CLI does
        return str(door.written)
    except BilingualError:
        raise
    except Exception as exc:
        from ..ooxml.write_errors import WorkbookWriteError

        if isinstance(exc, WorkbookWriteError):
            raise BilingualError(exc.message("zh"), exc.message("en")) from None
        raise JobFailed.of(exc) from None


@refusals_returned
def archive_workbook(path: str, out: str, as_of: dt.date | None = None, pdf: bool = False) -> str:
    """``archive BOOK -o OUT`` (and ``--pdf``): the teachers' archive; returns the file to send."""
    from ...jobs.archive import ArchiveRequest, archive
    from ..archive.pdf import PdfUnavailable, to_pdf
    from ..archive.writer import write_archive

    raw = FileDoor(path).read()
    try:
        run = archive(ArchiveRequest(raw, "zh", as_of))
        written = write_archive(run.sheets, Path(out))
    except BilingualError:
        raise
    except Exception as exc:
        raise JobFailed.of(exc) from None
    if not pdf:
        return str(written)
    try:
        return str(to_pdf([written])[0])
    except PdfUnavailable as exc:
        raise BilingualError(exc.message("zh"), exc.message("en")) from None


@refusals_returned
def district_workbook(district: District, out: str, info: dict[str, Any], lang: Lang = "zh") -> str:
    """``rollup -o OUT [--lang]``: the district workbook of the roll-up job's ``District``."""
    from ..rollup.writer import write_district

    try:
        return str(write_district(district, Path(out), info, lang))
    except Exception as exc:
        raise JobFailed.of(exc) from None


def with_results(head: dict[str, Any], results: str) -> bytes:
    """``{**head, "results": …}`` as JSON, the stored results text put in as it is (it is the JSON the job
    wrote): reading a school's results only to write them out again was most of the server's work in an
    upload's answer."""
    start = json.dumps(head, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (start[:-1] + ("," if head else "") + '"results":' + results + "}").encode("utf-8")
