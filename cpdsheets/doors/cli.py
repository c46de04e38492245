"""`cpdsheets`: validate, recalc, clear-marks, new and bind, for staff at a terminal and for CI.

Exit status: 0 clean, 1 findings at or above --fail-on, 2 a file could not be read or written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import sys
import time
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, TypeVar

import typer
import typer.core

from .. import __version__
from ..contract.texts import Lang, Text, both_languages
from ..reports.formats import render
from ..reports.internal_error import internal_error
from ..reports.path_text import readable_path
from ..reports.report import FileReport, Report
from ..reports.safe_text import visible_lines
from .batch import validate_file
from .cli_texts import CLI_HELP
from .reader import SUPPORTED, WorkbookUnreadable

if TYPE_CHECKING:
    from ..jobs.new import NewBook
    from ..jobs.rollup import MapOverBooks

_T = TypeVar("_T")



def _help(code: str, sep: str = " / ", **params: Any) -> str:
    """A help text or a usage line in both languages on one line, Chinese first: typer shows one help
    text to every reader, and a usage line comes before any --lang is read. ``sep`` is the join the
    line has always had (``/ `` after a closing full-width bracket)."""
    return both_languages(CLI_HELP[code], sep, **params)


class Format(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


class _PlainArgument(typer.core.TyperArgument):
    """An argument shown by its metavar alone: no `{paths}` braces, no `<list[str]>` type."""

    def display_type_rich(self, ctx):
        return None

    def _usage_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 and self.metavar is None else "")


def _help_in_chinese_first(option):
    if option is not None:
        option.help = _help("help")
    return option


class _Command(typer.core.TyperCommand):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for p in self.params:
            if type(p) is typer.core.TyperArgument:
                p.__class__ = _PlainArgument

    def get_help_option(self, ctx):
        return _help_in_chinese_first(super().get_help_option(ctx))


class _Group(typer.core.TyperGroup):
    def get_help_option(self, ctx):
        return _help_in_chinese_first(super().get_help_option(ctx))


app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, cls=_Group,
                  help=_help("app"))

# Options several commands share; metavars are words a person reads, not Python types.
LangOption = Annotated[Lang, typer.Option("--lang", metavar="zh|en",
                                          help=_help("lang"))]
AsOfOption = Annotated[Optional[str], typer.Option(
    "--as-of", metavar="日期", help=_help("as-of"))]
ServerOption = Annotated[str, typer.Option(
    "--server", metavar="URL", help=_help("server"))]
# Outputs are taken as text: Path("") is ".", and an empty -o must be refused, not read as the current folder.
OutputOption = Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件",
                                                     help=_help("output"))]
BackupOption = Annotated[bool, typer.Option("--backup/--no-backup",
                                            help=_help("backup"))]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cpdsheets {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help=_help("version"))] = False) -> None:
    pass


def expand_paths(items: list[str]) -> list[str]:
    """Files as given, folders searched for workbooks, globs expanded; a missing path is kept so
    it is reported, not silently dropped."""
    out: list[str] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(str(f) for f in p.rglob("*") if _is_workbook_name(f))
        elif any(ch in item for ch in "*?[") and not p.exists():
            matches = sorted(m for m in glob.glob(item, recursive=True) if _is_workbook_name(Path(m)))
            out += matches or [item]
        else:
            out.append(item)
    return list(dict.fromkeys(out))


def _is_workbook_name(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() in SUPPORTED and not p.name.startswith("~$")


def _parse_date(value: Optional[str], lang: Lang) -> dt.date | None:
    """--as-of in any form the sheets take; anything else is a one-line usage error (exit 2)."""
    if not value:
        return None
    from ..jobs.dates import request_date

    when = request_date(value)
    if when is None:
        typer.echo(CLI.render("bad-as-of", lang, value=value), err=True)
        raise typer.Exit(2)
    return when


@app.command(cls=_Command, help=_help("validate", "/ "))
def validate(
    paths: Annotated[list[str], typer.Argument(
        metavar="工作簿…", help=_help("validate.paths", "/ "))],
    format: Annotated[Format, typer.Option("--format", "-f", metavar="text|json|junit|github",
                                           help=_help("validate.format"))] = Format.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", metavar="error|warning",
                                            help=_help("validate.fail-on"))
                       ] = FailOn.error,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N",
                                      help=_help("validate.jobs"))] = 1,
    lang: LangOption = "zh",
    as_of: AsOfOption = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件",
                                                  help=_help("validate.output"))] = None,
) -> None:
    when = _parse_date(as_of, lang)
    files = expand_paths(paths)
    if not files:
        typer.echo(_help("no-workbooks"), err=True)
        raise typer.Exit(2)
    report_path = _guarded(lang, lambda: _report_output(output, files))
    reports = _run_all(files, lang, when, jobs)
    report = Report(reports)
    text = render(report, format.value, lang)
    if report_path is not None:
        from .ooxml.safe_replace import atomic_write

        data = (text + "\n").encode("utf-8", errors="backslashreplace")
        _guarded(lang, lambda: atomic_write(report_path, lambda fh: fh.write(data), backup=False))
    else:
        typer.echo(text)
    raise typer.Exit(report.exit_code(fail_on.value))


def _run_all(files: list[str], lang: str, as_of: dt.date | None, jobs: int) -> list:
    """``validate_file(path, lang, as_of)`` for every file, in the files' order (see :func:`_workers`);
    a file that went over a limit or whose worker crashed is a ``FileReport`` with ``unreadable`` set."""
    from .workers import WorkerFailure

    with _workers(len(files), jobs, _help("validating"), lang) as map_books:
        answers = map_books(validate_file, [(f, lang, as_of) for f in files])
    return [FileReport(readable_path(f), unreadable=a.message(lang), seconds=a.failure.seconds)
            if isinstance(a, WorkerFailure) else a for f, a in zip(files, answers)]



@contextlib.contextmanager
def _workers(n_files: int, jobs: int, label: str, lang: str) -> Iterator[MapOverBooks]:
    """A map over ``n_files`` books on ``jobs`` warm workers that import the engine once (before their
    first book), with a progress bar on a terminal. Each book has the per-file limits (time,
    memory): one that goes over one or kills its worker is answered with that failure, and every other
    book is still done. A single book is done in this process, under the same limits (``watched_call``)."""
    from .pool_map import PoolMap, WatchedMap
    from .workers import WarmPool

    if n_files == 1:
        yield WatchedMap(lang)
        return
    progress = None
    if n_files > 1 and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        # On stderr, the stream checked above: stdout may be a report redirected to a file.
        progress = Progress(transient=True, console=Console(stderr=True))
        progress.start()
    try:
        # Workers import before their first book, so a book's time limit counts that book alone (on a busy
        # machine a small book's share of the engine's imports could pass a tight limit).
        with WarmPool(min(jobs, n_files)) as pool:
            if progress is None:
                yield PoolMap(pool)
            else:
                task = progress.add_task(label, total=n_files)
                yield PoolMap(pool, lambda: progress.advance(task))
    finally:
        if progress is not None:
            progress.stop()


def _echo(text: str, err: bool = False) -> None:
    """Print a message that may quote the workbook (sheet names, teacher names, the path): control
    characters are shown as escapes, never sent to the terminal."""
    typer.echo(visible_lines(text), err=err)


def _guarded(lang: Lang, work: Callable[[], _T]) -> _T:
    """Run an output guard or a write: a refusal is its one line (it names the file) and exit 2."""
    from ..contract.texts import BilingualError
    from .ooxml.write_errors import WorkbookWriteError

    try:
        return work()
    except (BilingualError, WorkbookWriteError) as exc:
        _echo(exc.message(lang), err=True)
        raise typer.Exit(2)


def _report_output(raw: Optional[str], files: list[str]) -> Optional[Path]:
    """validate -o: a text report, never over one of the workbooks read nor named like one."""
    from . import output_paths as op

    path = op.given(raw, "-o", op.REPORT)
    if path is not None:
        op.guard([op.Output(path, op.REPORT, ())], op.Inputs(files))
    return path


def _other_book(raw: Optional[str], book: Path, what=None, suffixes: tuple[str, ...] = ()) -> Optional[Path]:
    """-o of a command that otherwise writes into BOOK (recalc, clear-marks, bind): another file of
    the kind written, never BOOK itself by any name."""
    from . import output_paths as op

    what = what or op.MASTER_SAME_TYPE
    path = op.given(raw, "-o", what)
    if path is not None:
        op.guard([op.Output(path, what, suffixes or (book.suffix.lower(),))], op.Inputs([book], in_place=True))
    return path


@contextlib.contextmanager
def _book_held(book: Path, lang: Lang) -> Iterator[None]:
    """Hold the book's lock for the rest of the command: a second run on the same book waits briefly,
    then refuses (exit 2), so runs never interleave and ``.bak`` is the version a run read."""
    from .ooxml.safe_replace import book_lock
    from .ooxml.write_errors import WorkbookBusy

    with contextlib.ExitStack() as held:
        try:
            held.enter_context(book_lock(book))
        except WorkbookBusy as exc:
            _echo(f"{book}: {exc.message(lang)}", err=True)
            raise typer.Exit(2)
        yield


@app.command(cls=_Command, help=_help("recalc"))
def recalc(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help=_help("recalc.book", "/ "))],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_help("recalc.dry-run"))] = False,
    format: Annotated[Format, typer.Option("--format", "-f", metavar="text|json",
                                           help=_help("recalc.format"))] = Format.text,
    as_of: AsOfOption = None,
    out: OutputOption = None,
    backup: BackupOption = True,
    mark: Annotated[bool, typer.Option("--mark", help=_help("recalc.mark"))] = False,
    lang: LangOption = "zh",
    fail_on: Annotated[Optional[FailOn], typer.Option(
        "--fail-on", metavar="error|warning",
        help=_help("recalc.fail-on", "/ "))
    ] = None,
) -> None:
    with _book_held(book, lang):
        when = _parse_date(as_of, lang)
        target = None if dry_run else _guarded(lang, lambda: _other_book(out, book))
        from .ooxml.file_door import FileDoor

        door = FileDoor(book, out=target, backup=backup, while_reading=_import_recalc)
        raw = _or_exit(book, lang, door.read)
        from ..jobs.book import RecalcRequest, recalc as recalc_job
        from ..reports.recalc_text import recalc_text
        from ..reports.results_json import to_results_json

        outcome = _or_exit(book, lang, lambda: recalc_job(RecalcRequest(raw, lang, when)))
        if format == Format.json:
            _echo(to_results_json(outcome.results, outcome.findings, outcome.as_of, lang))
            summary = None
        else:
            summary = recalc_text(outcome.results, outcome.counts, outcome.as_of, set(outcome.share_rules), lang)
        if dry_run:
            if summary is not None:
                _echo(summary)
            raise typer.Exit(_findings_exit(outcome.findings, fail_on))
        from ..jobs.tabs import book_tabs
        from .tab_owner import other_language_tabs

        tabs = book_tabs(outcome)
        _or_exit(book, lang, lambda: door.write(tabs.tabs, marks=tabs.marks if mark else None,
                                                remove=other_language_tabs(lang)))
        if summary is not None:  # after the write: a book that could not be written shows its one line alone
            _echo(summary)
            _echo(CLI.render("written-to", lang, path=door.written))
        raise typer.Exit(_findings_exit(outcome.findings, fail_on))


def _findings_exit(findings, fail_on: Optional[FailOn]) -> int:
    """recalc --fail-on: 1 when a finding is at or above the level (after the tabs are written)."""
    return 1 if fail_on is not None and FileReport("", findings).fails(fail_on.value) else 0


class RollupFormat(str, Enum):
    text = "text"
    json = "json"


@app.command(cls=_Command, help=_help("rollup", "/ "))
def rollup(
    paths: Annotated[list[str], typer.Argument(
        metavar="工作簿…", help=_help("rollup.paths"))],
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件",
                                                  help=_help("rollup.output", "/ "))] = None,
    format: Annotated[RollupFormat, typer.Option("--format", "-f", metavar="text|json",
                                                 help=_help("rollup.format"))] = RollupFormat.text,
    as_of: AsOfOption = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N",
                                      help=_help("rollup.jobs"))] = 1,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", metavar="error|warning",
                                            help=_help("rollup.fail-on"))
                       ] = FailOn.error,
    lang: LangOption = "zh",
    merge: Annotated[bool, typer.Option("--merge", help=_help("rollup.merge"))] = False,
) -> None:
    from . import output_paths as op
    from .rollup.inputs import choose as choose_inputs

    started = time.perf_counter()
    target = _guarded(lang, lambda: op.given(output, "-o", op.DISTRICT_BOOK))
    if merge:
        when = _parse_date(as_of, lang)  # exits on a date it cannot read
        files, skipped = choose_inputs([str(Path(p)) for p in paths])
        if target is not None:  # refused before any report is read, not after
            _guarded(lang, lambda: _guard_district(target, files, []))
        from ..jobs.rollup import merged
        from .rollup.merge import read_reports

        district = _guarded(lang, lambda: merged(read_reports(files), when))
        district.skipped += skipped
    else:
        from ..jobs.rollup import DistrictRequest, SchoolBook, roll_up
        from .rollup.summary import summarise_file

        when = _parse_date(as_of, lang)
        files, skipped = choose_inputs(expand_paths(paths))
        if target is not None:  # refused before any book is read, not after
            _guarded(lang, lambda: _guard_district(target, files, [p for p in paths if Path(p).is_dir()]))
        if not files and not skipped:
            typer.echo(_help("no-workbooks"), err=True)
            raise typer.Exit(2)
        request = DistrictRequest(tuple(SchoolBook(f) for f in files), lang, when, jobs, tuple(skipped))
        with _workers(len(files), jobs, _help("rolling-up"), lang) as map_books:
            district = roll_up(request, summarise_file, map_books)
    district.seconds = time.perf_counter() - started
    notes: list[str] = []
    if target is not None:
        from .rollup.writer import write_district

        info = {"version": __version__, "command": readable_path("cpdsheets " + " ".join(sys.argv[1:])),
                "time": dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")}
        _guarded(lang, lambda: write_district(district, target, info, lang, notes=notes))
    if format == RollupFormat.json:
        typer.echo(district.to_json())
    else:
        _echo(district.to_text(lang))  # a school's name may hold a terminal's escape sequence
    for note in notes:
        _echo(note, err=True)
    raise typer.Exit(district.exit_code(fail_on.value))


def _guard_district(target: Path, files: list[str], folders: list[str]) -> None:
    """The district workbook: an .xlsx, never a school's book or report being read, nor a school's book
    in a folder being rolled up; the district workbook a previous run wrote there may be replaced."""
    from . import output_paths as op
    from .rollup.inputs import is_district_workbook

    op.guard([op.Output(target, op.DISTRICT_BOOK, (".xlsx",), may_replace=is_district_workbook)],
             op.Inputs(files, folders, members=_is_workbook_name))


@app.command("clear-marks", cls=_Command, help=_help("clear-marks"))
def clear_marks_cmd(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help=_help("clear-marks.book"))],
    out: OutputOption = None,
    backup: BackupOption = True,
    lang: LangOption = "zh",
) -> None:
    from ..jobs.marks import ClearMarksRequest, clear_marks
    from .ooxml.file_door import FileDoor

    with _book_held(book, lang):
        door = FileDoor(book, out=_guarded(lang, lambda: _other_book(out, book)), backup=backup)
        n = _or_exit(book, lang, lambda: clear_marks(ClearMarksRequest(door, lang)).cells)
    _echo(CLI.render("cleared-marks", lang, n=n))


@app.command(cls=_Command, help=_help("new", "/ "))
def new(
    path: Annotated[str, typer.Argument(metavar="文件", help=_help("new.path", "/ "))],
    year: Annotated[str, typer.Option("--year", metavar="学年", help=_help("new.year"))] = "",
    school: Annotated[str, typer.Option("--school", metavar="名称",
                                        help=_help("new.school", "/ "))] = "",
    lang: LangOption = "zh",
    demo: Annotated[bool, typer.Option("--demo", help=_help("new.demo"))] = False,
    force: Annotated[bool, typer.Option("--force", help=_help("new.force"))] = False,
    server: ServerOption = "",
) -> None:
    from ..jobs.dates import request_year
    from ..jobs.new import NewRequest, new as new_job

    server = _server_or_exit(server, lang)
    school_year = request_year(year) if year else None
    if year and school_year is None:
        typer.echo(CLI.render("bad-year", lang, year=year), err=True)
        raise typer.Exit(2)
    target = _guarded(lang, lambda: _new_output(path))
    if target.exists() and not force:
        _echo(_help("exists", target=target), err=True)
        raise typer.Exit(2)
    book = new_job(NewRequest(target, lang, school_year, school, server, demo))
    written = _guarded(lang, lambda: _write_new(book))
    _echo(next_steps(written, lang, demo=book.demo))
    if book.estimated_calendar is not None:
        from .template.text import CALENDAR_NOT_ANNOUNCED

        _echo(CALENDAR_NOT_ANNOUNCED.render(lang, year=book.estimated_calendar))


def _write_new(book: NewBook) -> Path:
    """The book the `new` job describes, built by the template (or, for --demo, with the demo's data)."""
    if book.demo:
        from ..samples.demo import build_demo

        return build_demo(book.target, macros=book.macros, server=book.server)
    from .template.master import build_master

    assert book.year is not None  # the job names a year for every book but the demo
    return build_master(book.target, year=book.year, lang=book.lang, macros=book.macros, school=book.school,
                        server=book.server)


def next_steps(book: Path, lang: Lang, *, demo: bool = False) -> str:
    """What `new` prints: the file written, then what to do next with it."""
    from .template.text import DEMO_NEXT, NEXT_BUTTONS, NEXT_NO_MACROS, NEXT_STEPS

    shown = f'"{book}"' if any(c.isspace() for c in str(book)) else str(book)
    if demo:
        return DEMO_NEXT.render(lang, book=shown)
    buttons = NEXT_BUTTONS if book.suffix.lower() == ".xlsm" else NEXT_NO_MACROS
    return NEXT_STEPS.render(lang, book=shown, buttons=buttons)


def _server_or_exit(server: str, lang: Lang) -> str:
    """``--server``: the district service's address, checked; exit 2 with one line when it is not one."""
    from .template.text import check_server

    if not server:
        return ""
    try:
        return check_server(server)
    except ValueError:
        _echo(CLI.render("bad-server", lang, server=server), err=True)
        raise typer.Exit(2)


def _new_output(raw: str) -> Path:
    from ..contract.texts import Text
    from . import output_paths as op

    path = op.given(raw, Text("文件参数", "FILE"), op.NEW_MASTER)
    assert path is not None  # an argument, always given
    op.guard([op.Output(path, op.NEW_MASTER, (".xlsm", ".xlsx"))])
    return path


class BindFormat(str, Enum):
    text = "text"
    json = "json"


@app.command(cls=_Command, help=_help("bind", "/ "))
def bind(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help=_help("bind.book", "/ "))],
    out: OutputOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_help("bind.dry-run"))] = False,
    format: Annotated[BindFormat, typer.Option("--format", "-f", metavar="text|json",
                                               help=_help("bind.format"))] = BindFormat.text,
    year: Annotated[str, typer.Option("--year", metavar="学年", help=_help("bind.year"))] = "",
    school: Annotated[str, typer.Option("--school", metavar="名称",
                                        help=_help("bind.school"))] = "",
    lang: LangOption = "zh",
    server: ServerOption = "",
) -> None:
    from ..jobs.bind import BindRequest, bind as bind_job
    from ..reports.binding_text import proposal_json, proposal_text

    with _book_held(book, lang):
        server = _server_or_exit(server, lang)
        if year:
            from ..jobs.dates import request_year

            if request_year(year) is None:
                _echo(CLI.render("bad-bind-year", lang, year=year), err=True)
                raise typer.Exit(2)
        target = None if dry_run else _guarded(lang, lambda: _bind_output(book, out))
        from .ooxml.file_door import FileDoor

        raw = _or_exit(book, lang, FileDoor(book).read)
        bound = bind_job(BindRequest(raw, lang))
        if bound.unusable:
            _refuse_rebind(book, bound.mapping_sheet or "", bound.unusable, lang)
        proposal = bound.proposal
        if dry_run:
            _echo(proposal_json(proposal, str(book)) if format == BindFormat.json
                  else proposal_text(proposal, str(book), lang))
            raise typer.Exit(0 if proposal.complete else 1)
        if not proposal.binding.sheets:
            _echo(f"{book}: " + (CLI.render("nothing-recognised", lang)),
                  err=True)
            raise typer.Exit(1)
        raise typer.Exit(_write_binding(book, proposal, out=target, year=year or None, school=school,
                                        as_json=format == BindFormat.json, lang=lang, server=server))


def _bind_output(book: Path, out: Optional[str]) -> Optional[Path]:
    """bind's -o: a macro workbook other than BOOK. Without -o an .xlsx is bound into the .xlsm beside
    it, which must not be a folder either; an .xlsm is bound in place (with a .bak)."""
    from . import output_paths as op

    target = _other_book(out, book, op.MACRO_BOOK, (".xlsm",))
    if target is None and book.suffix.lower() == ".xlsx":
        op.guard([op.Output(book.with_suffix(".xlsm"), op.MACRO_BOOK, (".xlsm",))], op.Inputs([book]))
    return target


def _refuse_rebind(book: Path, mapping: str, unusable: list, lang: Lang) -> NoReturn:
    """映射 lines that cannot be used would be lost when 映射 is written again: they are shown and the
    book is left as it is until staff fix or delete them (exit 1)."""
    for f in unusable:
        _echo(f"{f.sheet}!{f.cell}: {f.message(lang)}", err=True)
    _echo(f"{book}: " + (CLI.render("mapping-unusable", lang, mapping=mapping,
                                    n_unusable=len(unusable))), err=True)
    raise typer.Exit(1)


def _or_exit(book: Path, lang: Lang, work: Callable[[], _T]) -> _T:
    """Run a door's read, job or write of ``book``: a refusal (unreadable, over a limit, unwritable) or
    a failure is one line and exit 2, the book on disk untouched."""
    from ..contract.texts import BilingualError
    from .ooxml.write_errors import WorkbookWriteError

    try:
        return work()
    except (BilingualError, WorkbookWriteError) as exc:
        _echo(f"{book}: {exc.message(lang)}", err=True)
        raise typer.Exit(2)
    except Exception as exc:  # a malformed part the reader tolerated, a bug met on one book: one line
        _echo(f"{book}: {internal_error(exc, lang)}", err=True)
        raise typer.Exit(2)


def _import_recalc() -> None:
    """recalc's jobs, imported while the file door parses the book's sheets (on calamine's threads)."""
    import cpdsheets.jobs.book  # noqa: F401 (the import is the point: it overlaps the parse)
    import cpdsheets.jobs.tabs  # noqa: F401


def _write_binding(book: Path, proposal, *, out: Optional[Path], year: Optional[str], school: str, as_json: bool,
                   lang: Lang, server: str = "") -> int:
    """Write the binding as 映射 with 规则 and 控制台 and print it; the exit status: 1 while a required
    field is still unmapped."""
    from ..reports.binding_text import proposal_json, proposal_text
    from .binding.writer import write_binding

    notes: list[str] = []  # what the writer says a user should know (a VBA project kept, the .xlsx beside)
    written = _or_exit(book, lang, lambda: write_binding(
        book, proposal.binding, out=out, year=year, school=school, lang=lang, notes=notes, server=server))
    _echo(proposal_json(proposal, str(book)) if as_json else proposal_text(proposal, str(book), lang))
    _echo(CLI.render("written-to", lang, path=written), err=as_json)
    for note in notes:
        _echo(note, err=as_json)
    return 0 if proposal.complete else 1


class ArchiveFormat(str, Enum):
    text = "text"
    json = "json"


@app.command(cls=_Command, help=_help("archive"))
def archive(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help=_help("archive.book"))],
    out: Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件", help=_help("archive.out", "/ "))] = None,
    split: Annotated[Optional[str], typer.Option("--split", metavar="文件夹", help=_help("archive.split"))] = None,
    teacher: Annotated[Optional[list[str]], typer.Option("--teacher", metavar="工号", help=_help("archive.teacher", "/ "))] = None,
    as_of: AsOfOption = None,
    format: Annotated[ArchiveFormat, typer.Option("--format", "-f", metavar="text|json",
                                                  help=_help("archive.format"))] = ArchiveFormat.text,
    pdf: Annotated[bool, typer.Option("--pdf", help=_help("archive.pdf"))] = False,
    lang: LangOption = "zh",
) -> None:
    from ..jobs.archive import ArchiveRequest, UnknownTeachers, archive as archive_job
    from ..reports.archive import to_archive_json
    from .archive.job import archive_outputs
    from .archive.writer import split_paths, write_archives
    from .archive.pdf import PdfUnavailable, to_pdf

    ids = [t.strip() for item in teacher or [] for t in item.split(",") if t.strip()]
    when = _parse_date(as_of, lang)  # a bad date is its own line, before anything is read
    target, folder = _guarded(lang, lambda: archive_outputs(book, out, split, pdf, lang))
    from .ooxml.file_door import FileDoor

    try:
        raw = FileDoor(book).read()
    except WorkbookUnreadable as exc:
        _echo(f"{book}: {exc.message(lang)}", err=True)
        raise typer.Exit(2)
    try:
        run = archive_job(ArchiveRequest(raw, lang, when, teacher_ids=tuple(ids)))
    except UnknownTeachers as exc:
        _echo(f"{book}: {exc.message(lang)}", err=True)
        raise typer.Exit(2)
    except Exception as exc:
        _echo(f"{book}: {internal_error(exc, lang)}", err=True)
        raise typer.Exit(2)
    members = run.teacher_sheets
    member_paths = split_paths(members, folder) if folder is not None else []
    # Every file, the teachers' included, is checked before the first is written.
    _guarded(lang, lambda: archive_outputs(book, out, split, pdf, lang, member_paths))
    combined, per_teacher = _guarded(lang, lambda: write_archives(run.sheets, target, members, folder, member_paths))
    written = ([combined] if combined else []) + per_teacher
    pdf_error, pdfs = None, []
    if pdf:
        try:
            pdfs = to_pdf(written)
        except PdfUnavailable as exc:
            pdf_error = exc.message(lang)
    json_out = format == ArchiveFormat.json
    if json_out:
        typer.echo(to_archive_json(run.archive))
    else:
        n = len(run.archive.teachers)
        typer.echo(CLI.render("archive-head", lang, as_of=run.outcome.as_of, n=n))
    for path in ([combined] if combined else []) + ([folder] if per_teacher else []):
        # with json, stdout holds the JSON alone
        _echo(CLI.render("written-to", lang, path=readable_path(path)), err=json_out)
    if pdfs:
        typer.echo(CLI.render("written-to", lang, path=str(pdfs[0]) if len(pdfs) == 1 else
                              CLI.render("pdfs", lang, n=len(pdfs))), err=json_out)
    if pdf_error:
        typer.echo(pdf_error, err=True)
        raise typer.Exit(2)


def _stop_on_sigterm() -> None:
    """SIGTERM (a closed terminal, a CI timeout, `kill`) ends the run as Ctrl+C does: the exception
    unwinds through the writers, which remove their temporary files; the exit status is 143."""
    import signal

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
        # An object cut off mid-construction (a ZipFile being opened) complains from its __del__; a
        # stopped run has nothing to say about that.
        sys.unraisablehook = lambda unraisable: None
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError, OSError):  # not the main thread: the default stays
        signal.signal(signal.SIGTERM, stop)


from .web.commands import add_commands  # noqa: E402  (serve, accounts: their libraries load when they run)
from .cli_texts import CLI

add_commands(app, _Command)


def main() -> None:
    # Windows consoles and CI logs default to legacy lang pages; Chinese must not crash output.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]  # TextIO lacks it; sys streams have it
        except (AttributeError, ValueError):
            pass
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    _stop_on_sigterm()
    if not sys.warnoptions:  # a library's warning is not for staff; a limit it meets is said by our writers
        import warnings

        warnings.simplefilter("ignore")
    one_shot = sys.argv[1:2] in (["validate"], ["recalc"])
    if one_shot:
        from .quick_exit import collect_less

        collect_less()
    try:
        app()
    except SystemExit as done:
        if one_shot:
            from .quick_exit import exit_now

            exit_now(done)
        raise


if __name__ == "__main__":
    main()
