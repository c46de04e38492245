"""The application layer (cpdsheets/jobs/): a typed request in, a typed result out, on real written books.

Each job settles its as-of date once (request > 规则 > today; a roll-up: request > today), and the
date it settled is the one every output of the run carries: the result, the 运行记录 tab, the JSON.
The output tabs are a separate step (:func:`book_tabs`), never built by the jobs themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from cpdsheets.contract.schema import OUTPUT_TABS
from cpdsheets.doors.reader import read_workbook
from cpdsheets.jobs.archive import ArchiveRequest, ArchiveRun, UnknownTeachers, archive
from cpdsheets.jobs.bind import BindProposal, BindRequest, bind, book_layout
from cpdsheets.jobs.book import RecalcRequest, Recalculation, ValidateRequest, Validated, recalc, validate
from cpdsheets.jobs.dates import district_as_of
from cpdsheets.jobs.rollup import SchoolRequest, summarise
from cpdsheets.jobs.tabs import book_tabs
from cpdsheets.reports.alert_rows import alert_rows
from cpdsheets.reports.results_json import to_results_json

from conftest import POLICY_ROWS, invoke_cli

DEMO = Path(__file__).resolve().parents[1] / "workbook" / "demo_school.xlsm"
DEMO_AS_OF = dt.date(2026, 4, 15)  # the demo's 规则 统计截止日


@pytest.fixture(scope="module")
def demo():
    return read_workbook(DEMO)


def _runlog_as_of(outcome: Validated) -> object:
    runlog = next(t for t in book_tabs(outcome).tabs if t.key == "runlog")
    return dict((k, v) for k, v in runlog.rows)["统计截止日"]


def _settled_everywhere(outcome: Recalculation) -> dt.date:
    """The run's as-of date, checked to be the same in the result, its 运行记录 and its JSON."""
    assert _runlog_as_of(outcome) == outcome.as_of
    doc = json.loads(to_results_json(outcome.results, outcome.findings, outcome.as_of, "zh"))
    assert doc["as_of"] == outcome.as_of.isoformat()
    return outcome.as_of


# -- as_of: one test per precedence case ---------------------------------------------------------

def test_the_requests_date_wins_over_the_books_rule(demo):
    asked = dt.date(2026, 1, 10)
    assert asked != DEMO_AS_OF
    assert _settled_everywhere(recalc(RecalcRequest(demo, as_of=asked))) == asked
    assert validate(ValidateRequest(demo, as_of=asked)).as_of == asked


def test_without_a_request_date_the_books_rule_gives_it(demo):
    assert _settled_everywhere(recalc(RecalcRequest(demo))) == DEMO_AS_OF
    assert validate(ValidateRequest(demo)).as_of == DEMO_AS_OF


def test_without_either_it_is_today(book_factory):
    rows = [r for r in POLICY_ROWS if r[0] != "统计截止日"]
    raw = read_workbook(book_factory(**{"规则": rows}))
    outcome = recalc(RecalcRequest(raw))
    assert _settled_everywhere(outcome) == dt.date.today()
    assert validate(ValidateRequest(raw)).as_of == dt.date.today()


def test_a_rollup_has_one_date_the_requests_or_today_never_a_schools_rule(demo):
    assert district_as_of(dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert district_as_of(None) == dt.date.today()
    r = invoke_cli("rollup", str(DEMO), "--format", "json")
    assert json.loads(r.stdout)["as_of"] == dt.date.today().isoformat() != DEMO_AS_OF.isoformat()
    # a school asked at another date is computed at it: its alerts change with the date
    early = summarise(SchoolRequest(demo, as_of=dt.date(2025, 10, 1), shown="demo"))
    late = summarise(SchoolRequest(demo, as_of=DEMO_AS_OF, shown="demo"))
    assert early.path == late.path == "demo" and early.alerts != late.alerts


# -- typed requests and results -------------------------------------------------------------------

def test_a_request_is_a_frozen_value(demo):
    request = RecalcRequest(demo, "en", dt.date(2026, 1, 10))
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.as_of = None  # type: ignore[misc]
    assert recalc(request).request is request


def test_validate_and_recalc_answer_without_tabs_and_the_tab_step_builds_them(demo):
    checked = validate(ValidateRequest(demo))
    assert type(checked) is Validated and not hasattr(checked, "tabs")
    computed = recalc(RecalcRequest(demo, "en"))
    assert isinstance(computed, Recalculation) and not hasattr(computed, "tabs")
    assert [t.key for t in book_tabs(checked).tabs] == ["issues", "runlog"]
    tabs = book_tabs(computed)
    assert [t.key for t in tabs.tabs] == list(OUTPUT_TABS)
    assert [t.name for t in tabs.tabs] == [en for _, en in OUTPUT_TABS.values()]
    assert {(m.sheet, m.cell) for m in tabs.marks} == {(f.sheet, f.cell) for f in computed.findings
                                                       if f.level == "error" and f.row}


def test_recalc_counts_the_alert_rows_the_tab_shows_and_knows_the_share_rules(demo):
    outcome = recalc(RecalcRequest(demo))
    alerts_tab = next(t for t in book_tabs(outcome).tabs if t.key == "alerts")
    rows = alert_rows(outcome.results.alerts, outcome.results.progress, list(outcome.results.teachers["teacher_id"]))
    assert outcome.counts["alerts"] == len(alerts_tab.rows) == len(rows) == 7  # the README's 7 rows of 达标预警
    assert outcome.counts["alert_periods"] == len(outcome.results.alerts) == 8
    assert outcome.share_rules == {r.rule_id for r in outcome.policy.rules if r.metric == "占比"}
    assert outcome.share_rules  # the demo has a share rule, so the check above is not vacuous


def test_archive_picks_teachers_and_refuses_unknown_ones(demo):
    everyone = archive(ArchiveRequest(demo))
    assert isinstance(everyone, ArchiveRun)
    assert len(everyone.teacher_sheets) == len(everyone.archive.teachers) == 12
    assert len(everyone.sheets) == 13  # 全校概览 first
    two = archive(ArchiveRequest(demo, teacher_ids=("1001", "1003")))
    assert len(two.sheets) == len(two.teacher_sheets) == 2
    with pytest.raises(UnknownTeachers) as refused:
        archive(ArchiveRequest(demo, teacher_ids=("1001", "Z9")))
    assert refused.value.ids == ["Z9"]


def test_bind_proposes_and_lays_out_what_a_door_writes(tmp_path):
    from cpdsheets.samples.school_books import write_books

    book = write_books(tmp_path / "books")["grid"]
    raw = read_workbook(book)
    proposed = bind(BindRequest(raw))
    assert isinstance(proposed, BindProposal) and not proposed.unusable and proposed.proposal.binding.sheets
    layout = book_layout(raw, proposed.proposal.binding)
    assert layout.mapping is None and not layout.mapping_taken and layout.table.header_at is None
    assert layout.year_start == 2024  # the year the grid's dates fall in (school_records' 2024-2025)
    assert book_layout(raw, proposed.proposal.binding, year_start=2030).year_start == 2030
    # a sheet named 映射 that is not a 映射 table: the layout says so, and the door refuses
    taken = tmp_path / "taken.xlsx"
    shutil.copy(book, taken)
    wb = openpyxl.load_workbook(taken)
    wb.create_sheet("映射")["A1"] = "本校的备忘"
    wb.save(taken)
    layout = book_layout(read_workbook(taken), proposed.proposal.binding)
    assert layout.mapping == "映射" and layout.mapping_taken


def test_clear_marks_takes_off_what_recalc_marked_through_any_book_that_can(demo, tmp_path):
    from cpdsheets.doors.ooxml.file_door import FileDoor
    from cpdsheets.jobs.marks import ClearMarksRequest, MarksCleared, clear_marks

    marked = tmp_path / "marked.xlsm"
    tabs = book_tabs(recalc(RecalcRequest(demo)))
    FileDoor(DEMO, out=marked, backup=False).write(tabs.tabs, marks=tabs.marks)
    cleared = clear_marks(ClearMarksRequest(FileDoor(marked, backup=False)))
    assert cleared == MarksCleared(len(tabs.marks)) and cleared.cells > 0
    assert clear_marks(ClearMarksRequest(FileDoor(marked, backup=False))).cells == 0


def test_a_merge_of_districts_has_one_as_of_date_or_is_refused(demo):
    from cpdsheets.jobs.rollup import AsOfDiffers, merged
    from cpdsheets.reports.rollup import District

    school = summarise(SchoolRequest(demo, as_of=DEMO_AS_OF, shown="demo"))
    april, may = District([school], [], DEMO_AS_OF), District([school], [], dt.date(2026, 5, 1))
    assert merged([april, april], None).as_of == DEMO_AS_OF
    assert len(merged([april, april], DEMO_AS_OF).schools) == 2
    with pytest.raises(AsOfDiffers):
        merged([april, may], None)
    with pytest.raises(AsOfDiffers):  # the request's date must be the reports' date too
        merged([april, april], dt.date(2026, 5, 1))


def test_new_describes_the_book_and_the_template_door_builds_what_the_cli_writes(tmp_path):
    """`new` is parse -> job -> door -> render: the job's NewBook, built by the template, is the file
    `cpdsheets new` writes, part for part; a school year whose holidays are not announced is said."""
    import zipfile

    from cpdsheets.doors.template.master import build_master
    from cpdsheets.jobs.dates import request_year
    from cpdsheets.jobs.new import DEFAULT_YEAR, NewBook, NewRequest, new

    asked = request_year("2035/36")
    assert asked is not None and request_year("2035-2037") is None and request_year("明年") is None
    book = new(NewRequest(tmp_path / "a.xlsx", "en", asked, "  青禾路小学 ", "http://10.0.0.5:8000"))
    assert book == NewBook(tmp_path / "a.xlsx", "en", False, False, "2035-2036", "青禾路小学", "http://10.0.0.5:8000",
                           "2035-2036")
    with pytest.raises(dataclasses.FrozenInstanceError):
        book.year = "2036-2037"  # type: ignore[misc]
    past = new(NewRequest(tmp_path / "b.xlsm", year=request_year("2024")))
    assert (past.macros, past.year, past.estimated_calendar) == (True, "2024-2025", None)
    assert new(NewRequest(tmp_path / "c.xlsm")).year == DEFAULT_YEAR
    demo = new(NewRequest(tmp_path / "d.xlsm", demo=True, year=asked))
    assert (demo.demo, demo.year, demo.estimated_calendar) == (True, None, None)

    built = build_master(book.target, year=book.year, lang=book.lang, macros=book.macros, school=book.school,
                         server=book.server)
    written = tmp_path / "cli.xlsx"
    run = invoke_cli("new", written, "--year", "2035/36", "--school", "  青禾路小学 ", "--lang", "en",
                     "--server", "http://10.0.0.5:8000")
    assert run.returncode == 0 and "2035-2036" in run.stdout  # the note on the computed 校历
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(written) as b:
        assert a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist())


def test_the_rollup_job_maps_over_a_pools_workers_in_order_and_a_failed_worker_is_one_line(tmp_path):
    """The fan-out is the job's, for the CLI and the service alike: the door gives how one book is read
    (in a worker) and the pool's map; the answers come back in the books' order."""
    from cpdsheets.doors.pool_map import PoolMap
    from cpdsheets.doors.rollup.summary import summarise_file
    from cpdsheets.doors.workers import WarmPool
    from cpdsheets.jobs.rollup import DistrictRequest, SchoolBook, roll_up
    from cpdsheets.reports.rollup import Skipped

    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    skipped = (Skipped("copy.xlsm", "same_content", "demo"),)
    books = (SchoolBook(str(bad)), SchoolBook(str(DEMO), "学校甲/demo.xlsm"), SchoolBook(str(DEMO), "学校乙/demo.xlsm"))
    seen = []
    with WarmPool(2) as pool:
        district = roll_up(DistrictRequest(books, "zh", DEMO_AS_OF, 2, skipped), summarise_file,
                           PoolMap(pool, lambda: seen.append(1)))
    assert [s.path for s in district.schools] == ["学校甲/demo.xlsm", "学校乙/demo.xlsm"]
    assert [u.path for u in district.unreadable] == [str(bad)] and district.unreadable[0].error
    assert (district.as_of, district.jobs, district.skipped, len(seen)) == (DEMO_AS_OF, 2, list(skipped), 3)
    assert district.schools[0].teachers == 12

    # A worker that goes over its memory limit (the engine alone is more than 50 MB): that book's line,
    # in the request's language, named as the request names it.
    with WarmPool(1, memory_mb=50) as pool:
        failed = roll_up(DistrictRequest((SchoolBook(str(DEMO), "学校甲/demo.xlsm"),), "en", DEMO_AS_OF),
                         summarise_file, PoolMap(pool))
    assert failed.schools == [] and [u.path for u in failed.unreadable] == ["学校甲/demo.xlsm"]
    assert "50 MB" in failed.unreadable[0].error and "memory" in failed.unreadable[0].error
