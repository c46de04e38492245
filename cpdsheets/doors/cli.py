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
from ..contract.texts import Lang, Text
from ..reports.formats import render
from ..reports.internal_error import internal_error
from ..reports.path_text import readable_path
from ..reports.report import FileReport, Report
from ..reports.safe_text import visible_lines
from .batch import validate_file
from .reader import SUPPORTED, WorkbookUnreadable, read_soon, read_workbook

if TYPE_CHECKING:
    from ..contract.book import RawBook

_T = TypeVar("_T")



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
        option.help = "显示本帮助 / show this message and exit."
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
                  help="cpdsheets — 校本培训学分与达标校验 / school-based training workbooks: validate and compute.")

# Options several commands share; metavars are words a person reads, not Python types.
LangOption = Annotated[Lang, typer.Option("--lang", metavar="zh|en",
                                          help="语言：zh 中文，en 英文 / language of messages and tabs.")]
AsOfOption = Annotated[Optional[str], typer.Option(
    "--as-of", metavar="日期", help="统计截止日，如 2026-04-20、2026/4/20、2026年4月20日（优先于「规则」表）"
                                  " / as-of date, written as in the sheets.")]
ServerOption = Annotated[str, typer.Option(
    "--server", metavar="URL", help="区里的服务地址（cpdsheets serve），写入「控制台」的服务器地址和「在线校验」链接 / the district "
                                   "service's address, written on 控制台 with an 在线校验 link to its upload page.")]
# Outputs are taken as text: Path("") is ".", and an empty -o must be refused, not read as the current folder.
OutputOption = Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件",
                                                     help="写入另一个文件，原文件不变 / write to this file instead.")]
BackupOption = Annotated[bool, typer.Option("--backup/--no-backup",
                                            help="保留原文件的 .bak 备份 / keep BOOK.bak.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cpdsheets {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="显示版本 / show the version and exit.")] = False) -> None:
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


@app.command(cls=_Command)
def validate(
    paths: Annotated[list[str], typer.Argument(
        metavar="工作簿…", help="工作簿、文件夹或通配符（.xlsx .xlsm .xls）/ workbooks, folders or globs.")],
    format: Annotated[Format, typer.Option("--format", "-f", metavar="text|json|junit|github",
                                           help="输出格式 / output format.")] = Format.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", metavar="error|warning",
                                            help="有该级别及以上的问题时退出码为 1 / lowest severity that fails.")
                       ] = FailOn.error,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N",
                                      help="同时校验的文件数 / files validated in parallel.")] = 1,
    lang: LangOption = "zh",
    as_of: AsOfOption = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件",
                                                  help="把报告写入文件 / write the report to a file.")] = None,
) -> None:
    """校验：逐表检查工作簿，列出每个问题（退出码 0 无问题，1 有问题，2 无法读取）/ validate workbooks."""
    when = _parse_date(as_of, lang)
    files = expand_paths(paths)
    if not files:
        typer.echo("没有找到工作簿 / no workbooks found", err=True)
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


def _run_all(files: list[str], lang: str, as_of: dt.date | None, jobs: int, *, work=validate_file,
             label: str = "校验中 / validating") -> list:
    """``work(path, lang, as_of)`` for every file, ``jobs`` at a time, in the files' order, on warm
    workers that import the engine once. Each file has the per-file limits (time, memory): a file that
    goes over one or kills its worker is a ``FileReport`` with ``unreadable`` set, and every other file
    is still done."""
    from concurrent.futures import as_completed

    from .workers import WarmPool, WorkerFailure

    show_progress = len(files) > 1 and sys.stderr.isatty()
    results: dict[str, object] = {}
    progress = task = None
    if show_progress:
        from rich.console import Console
        from rich.progress import Progress

        # On stderr, the stream checked above: stdout may be a report redirected to a file.
        progress = Progress(transient=True, console=Console(stderr=True))
        progress.start()
        task = progress.add_task(label, total=len(files))
    try:
        with WarmPool(min(jobs, len(files)), import_during_first_call=True) as pool:
            futures = {pool.submit(work, f, lang, as_of): f for f in files}
            for future in as_completed(futures):
                path = futures[future]
                try:
                    results[path] = future.result()
                except WorkerFailure as exc:
                    results[path] = FileReport(readable_path(path), unreadable=exc.message(lang),
                                               seconds=exc.failure.seconds)
                if progress is not None and task is not None:
                    progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    return [results[f] for f in files]


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


@app.command(cls=_Command)
def recalc(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help="总表（.xlsx/.xlsm）/ the master workbook.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只计算并显示，不写文件 / compute and print only.")] = False,
    format: Annotated[Format, typer.Option("--format", "-f", metavar="text|json",
                                           help="输出格式 / output format.")] = Format.text,
    as_of: AsOfOption = None,
    out: OutputOption = None,
    backup: BackupOption = True,
    mark: Annotated[bool, typer.Option("--mark", help="给有错误的单元格标色并加批注 / mark cells with errors.")] = False,
    lang: LangOption = "zh",
    fail_on: Annotated[Optional[FailOn], typer.Option(
        "--fail-on", metavar="error|warning",
        help="写完后，有该级别及以上的问题时退出码为 1（默认不因问题失败）/ exit 1 on findings at or above this.")
    ] = None,
) -> None:
    """重新计算：计算学分与达标情况，把五张汇总表写回工作簿 / compute credits and alerts into the workbook."""
    with _book_held(book, lang):
        when = _parse_date(as_of, lang)
        target = None if dry_run else _guarded(lang, lambda: _other_book(out, book))
        raw = _or_exit(book, lang, lambda: _read_while_importing(book))
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
        from .ooxml.file_door import FileDoor
        from .tab_owner import other_language_tabs

        tabs = book_tabs(outcome)
        door = FileDoor(book, out=target, backup=backup)
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


@app.command(cls=_Command)
def rollup(
    paths: Annotated[list[str], typer.Argument(
        metavar="工作簿…", help="各校工作簿、文件夹或通配符；与 --merge 一起时为各区的 JSON 报告"
                              " / schools' workbooks, folders or globs; with --merge, rollup JSON reports.")],
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件",
                                                  help="写出区域汇总工作簿（.xlsx）/ write the district workbook.")] = None,
    format: Annotated[RollupFormat, typer.Option("--format", "-f", metavar="text|json",
                                                 help="输出格式 / what to print.")] = RollupFormat.text,
    as_of: AsOfOption = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N",
                                      help="同时计算的文件数 / files computed in parallel.")] = 1,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", metavar="error|warning",
                                            help="有该级别及以上的问题时退出码为 1 / lowest severity that fails.")
                       ] = FailOn.error,
    lang: LangOption = "zh",
    merge: Annotated[bool, typer.Option("--merge", help="合并各区的 rollup JSON 报告 / merge rollup JSON reports "
                                                        "(one per district) into one.")] = False,
) -> None:
    """区域汇总：各校工作簿汇总成一个区域工作簿和一份 JSON（退出码 0/1/2 同 validate）/ every school's workbook in one district workbook and one JSON (exit 0 clean, 1 findings, 2 unreadable)."""
    from ..reports.rollup import District
    from . import output_paths as op
    from .rollup.inputs import choose as choose_inputs
    from .rollup.summary import as_unreadable, summarise_file

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
        from ..jobs.dates import district_as_of

        when = district_as_of(_parse_date(as_of, lang))  # one date for every school, settled here once
        files, skipped = choose_inputs(expand_paths(paths))
        if target is not None:  # refused before any book is read, not after
            _guarded(lang, lambda: _guard_district(target, files, [p for p in paths if Path(p).is_dir()]))
        if not files and not skipped:
            typer.echo("没有找到工作簿 / no workbooks found", err=True)
            raise typer.Exit(2)
        results = _run_all(files, lang, when, jobs, work=summarise_file, label="汇总中 / rolling up")
        bad = [as_unreadable(r) for r in results]
        district = District([r for r, b in zip(results, bad) if b is None], [b for b in bad if b is not None],
                            when, jobs=jobs, skipped=skipped)
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


@app.command("clear-marks", cls=_Command)
def clear_marks_cmd(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help="标记过的工作簿 / the marked workbook.")],
    out: OutputOption = None,
    backup: BackupOption = True,
    lang: LangOption = "zh",
) -> None:
    """清除标记：只去掉本工具加上的底色和批注 / remove exactly the marks cpdsheets added."""
    from ..jobs.marks import ClearMarksRequest, clear_marks
    from .ooxml.file_door import FileDoor

    with _book_held(book, lang):
        door = FileDoor(book, out=_guarded(lang, lambda: _other_book(out, book)), backup=backup)
        n = _or_exit(book, lang, lambda: clear_marks(ClearMarksRequest(door, lang)).cells)
    _echo(CLI.render("cleared-marks", lang, n=n))


@app.command(cls=_Command)
def new(
    path: Annotated[str, typer.Argument(metavar="文件", help="新总表的位置（.xlsm 或 .xlsx）/ where to write it.")],
    year: Annotated[str, typer.Option("--year", metavar="学年", help="学年，如 2025-2026 / school year.")] = "",
    school: Annotated[str, typer.Option("--school", metavar="名称",
                                        help="学校名称（不填则留空）/ school name (blank if not given).")] = "",
    lang: LangOption = "zh",
    demo: Annotated[bool, typer.Option("--demo", help="填入虚构示例学校的数据 / fill with the demo school.")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 / overwrite an existing file.")] = False,
    server: ServerOption = "",
) -> None:
    """新建：生成一学年的空白总表（各登记表、规则、下拉列表、按钮）/ build a new master workbook."""
    from .template.school_year import school_year
    from .template.master import build_master

    server = _server_or_exit(server, lang)

    if year:
        try:
            school_year(year)
        except ValueError:
            typer.echo(CLI.render("bad-year", lang, year=year), err=True)
            raise typer.Exit(2)

    target = _guarded(lang, lambda: _new_output(path))
    if target.exists() and not force:
        _echo(f"{target}: 已存在，使用 --force 覆盖 / exists, use --force", err=True)
        raise typer.Exit(2)
    macros = target.suffix.lower() != ".xlsx"
    if demo:
        from ..samples.demo import build_demo

        _echo(next_steps(_guarded(lang, lambda: build_demo(target, macros=macros, server=server)), lang, demo=True))
        return
    kwargs: dict[str, Any] = {"lang": lang, "macros": macros, "school": school.strip(), "server": server}
    if year:
        kwargs["year"] = year
    written = _guarded(lang, lambda: build_master(target, **kwargs))
    _echo(next_steps(written, lang))
    _calendar_note(year, lang)


def _calendar_note(year: str, lang: Lang) -> None:
    """One line when the year's 校历 was computed, not read from the announced schedule."""
    from ..contract.national_calendar import national_year
    from .template.school_year import school_year, year_label
    from .template.text import CALENDAR_NOT_ANNOUNCED

    label = year_label(year) if year else year_label("2025-2026")
    if not national_year(school_year(label).start.year).announced:
        _echo(CALENDAR_NOT_ANNOUNCED.render(lang, year=label))


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


@app.command(cls=_Command)
def bind(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help="学校自己的登记簿（.xlsx/.xlsm）/ the school's own workbook.")],
    out: OutputOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示识别出的对应关系，不写文件 / print the proposed "
                                                          "mapping, write nothing.")] = False,
    format: Annotated[BindFormat, typer.Option("--format", "-f", metavar="text|json",
                                               help="输出格式 / output format.")] = BindFormat.text,
    year: Annotated[str, typer.Option("--year", metavar="学年", help="学年，如 2024-2025（默认按表中日期推断）"
                                                                   " / school year (default: from the dates).")] = "",
    school: Annotated[str, typer.Option("--school", metavar="名称",
                                        help="学校名称，写入新「规则」表的设置 / the school's name, for a new 规则 sheet.")] = "",
    lang: LangOption = "zh",
    server: ServerOption = "",
) -> None:
    """绑定：认出学校自己的登记表，写入「映射」「规则」「控制台」，原有单元格不变（退出码 0 完整，1 有必填字段未对应，2 无法读写）/ bind cpdsheets to a school's own workbook (exit 0 complete, 1 a required field unmapped, 2 unreadable)."""
    from ..jobs.bind import BindRequest, bind as bind_job
    from ..reports.binding_text import proposal_json, proposal_text

    with _book_held(book, lang):
        server = _server_or_exit(server, lang)
        if year:
            from .template.school_year import school_year

            try:
                school_year(year)
            except ValueError:
                _echo(CLI.render("bad-bind-year", lang, year=year), err=True)
                raise typer.Exit(2)
        target = None if dry_run else _guarded(lang, lambda: _bind_output(book, out))
        raw = _or_exit(book, lang, lambda: read_workbook(book))
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


def _read_while_importing(book: Path) -> RawBook:
    """The book, its sheets parsed on calamine's threads while the engine is imported here."""
    reading = read_soon(book)
    import cpdsheets.jobs.book  # noqa: F401 (the import is the point: it overlaps the parse)
    import cpdsheets.jobs.tabs  # noqa: F401

    return reading.result()


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


@app.command(cls=_Command)
def archive(
    book: Annotated[Path, typer.Argument(metavar="工作簿", help="总表（.xlsx/.xlsm），只读不写 / the master workbook; "
                                                               "it is only read.")],
    out: Annotated[Optional[str], typer.Option("--output", "-o", metavar="文件", help="档案工作簿（默认为总表旁的"
                                                "「<总表名>-个人培训档案.xlsx」）/ the archive workbook.")] = None,
    split: Annotated[Optional[str], typer.Option("--split", metavar="文件夹", help="每位教师一个文件「工号-姓名.xlsx」，"
                                                  "写入该文件夹 / also one file per teacher in this folder.")] = None,
    teacher: Annotated[Optional[list[str]], typer.Option("--teacher", metavar="工号", help="只生成这些教师（可重复或用"
                                                         "逗号分隔；此时没有全校概览）/ only this 工号.")] = None,
    as_of: AsOfOption = None,
    format: Annotated[ArchiveFormat, typer.Option("--format", "-f", metavar="text|json",
                                                  help="输出格式 / what to print.")] = ArchiveFormat.text,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF / also a PDF of each file.")] = False,
    lang: LangOption = "zh",
) -> None:
    """个人档案：每位教师一页可打印的培训档案和全校概览，写入总表旁的新工作簿 / each teacher's printable training record and a 全校概览, in a new workbook beside BOOK."""
    from ..jobs.archive import ArchiveRequest, UnknownTeachers, archive as archive_job
    from ..reports.archive import to_archive_json
    from .archive.job import archive_outputs
    from .archive.writer import split_paths, write_archives
    from .archive.pdf import PdfUnavailable, to_pdf

    ids = [t.strip() for item in teacher or [] for t in item.split(",") if t.strip()]
    when = _parse_date(as_of, lang)  # a bad date is its own line, before anything is read
    target, folder = _guarded(lang, lambda: archive_outputs(book, out, split, pdf, lang))
    try:
        raw = read_workbook(book)
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
    try:
        app()
    except SystemExit as done:
        if sys.argv[1:2] in (["validate"], ["recalc"]):
            from .quick_exit import exit_now

            exit_now(done)
        raise


if __name__ == "__main__":
    main()
