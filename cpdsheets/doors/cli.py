"""`cpdsheets`: validate, recalc, clear-marks and new, for staff at a terminal and for CI.

Exit status: 0 clean, 1 findings at or above --fail-on, 2 a file could not be read or written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import __version__
from ..reports.formats import render
from ..reports.report import FileReport, Report
from ..reports.safe_text import visible_lines
from .reader import SUPPORTED, WorkbookUnreadable, read_workbook

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="cpdsheets — 校本培训学分与达标校验 / school-based training workbooks: validate and compute.")


class Format(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cpdsheets {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Show the version and exit.")] = False) -> None:
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


def validate_file(path: str, lang: str = "zh", as_of: dt.date | None = None) -> FileReport:
    from .jobs import check

    started = time.perf_counter()
    try:
        raw = read_workbook(path)
    except WorkbookUnreadable as exc:
        return FileReport(path, unreadable=exc.message(lang), seconds=time.perf_counter() - started)
    except Exception as exc:  # a reader bug met on one file: that file's line, not the batch's end
        return FileReport(path, unreadable=_internal_error(exc, lang), seconds=time.perf_counter() - started)
    try:
        _, validation, findings, _ = check(raw, as_of=as_of)
    except Exception as exc:  # one odd workbook must not end a district's batch with a traceback
        return FileReport(path, unreadable=_internal_error(exc, lang), seconds=time.perf_counter() - started)
    return FileReport(path, findings, rows=validation.rows, seconds=time.perf_counter() - started)


def _internal_error(exc: Exception, lang: str) -> str:
    detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    if lang == "zh":
        return f"内部错误，未能校验（{detail}）；请把该文件发给维护人员"
    return f"internal error, not validated ({detail}); please send this file to the maintainers"


def _parse_date(value: Optional[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {value}") from None


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="Workbooks, folders or globs (.xlsx .xlsm .xls).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Lowest severity that fails (exit 1).")] = FailOn.error,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Files validated in parallel.")] = 1,
    lang: Annotated[Lang, typer.Option("--lang", help="Message language.")] = Lang.zh,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="As-of date YYYY-MM-DD.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to a file.")] = None,
) -> None:
    """校验 — validate workbooks and report every finding (exit 0 clean, 1 findings, 2 unreadable)."""
    files = expand_paths(paths)
    if not files:
        typer.echo("没有找到工作簿 / no workbooks found", err=True)
        raise typer.Exit(2)
    when = _parse_date(as_of)
    reports = _run_all(files, lang.value, when, jobs)
    report = Report(reports)
    text = render(report, format.value, lang.value)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)
    raise typer.Exit(report.exit_code(fail_on.value))


def _run_all(files: list[str], lang: str, as_of: dt.date | None, jobs: int, *, work=validate_file,
             label: str = "校验中 / validating") -> list:
    """``work(path, lang, as_of)`` for every file, ``jobs`` at a time, in the files' order. Each file runs
    in its own child process under the per-file time limit: a file that hangs or kills its process is
    a ``FileReport`` with ``unreadable`` set, and every other file is still done."""
    from . import jobs as _preload  # noqa: F401  imported once here, inherited by every forked child
    from .batch import Failure, run_each
    from .limits import limit

    show_progress = len(files) > 1 and sys.stderr.isatty()
    results: dict[str, object] = {}
    progress = task = None

    def done(args: tuple, result) -> None:
        path = args[0]
        if isinstance(result, Failure):
            result = FileReport(path, unreadable=result.message(lang), seconds=result.seconds)
        results[path] = result
        if progress is not None:
            progress.advance(task)

    if show_progress:
        from rich.console import Console
        from rich.progress import Progress

        # On stderr, the stream checked above: stdout may be a report redirected to a file.
        progress = Progress(transient=True, console=Console(stderr=True))
        progress.start()
        task = progress.add_task(label, total=len(files))
    try:
        run_each(work, [(f, lang, as_of) for f in files], jobs=min(jobs, len(files)),
                 seconds=limit("FILE_SECONDS"), done=done)
    finally:
        if progress is not None:
            progress.stop()
    return [results[f] for f in files]


def _echo(text: str, err: bool = False) -> None:
    """Print a message that may quote the workbook (sheet names, teacher names, the path): control
    characters are shown as escapes, never sent to the terminal."""
    typer.echo(visible_lines(text), err=err)


def _one_run_per_book(command):
    """Hold the book's lock for the whole command: a second run on the same book waits briefly,
    then refuses (exit 2), so runs never interleave and ``.bak`` is the version a run read."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        from .safe_replace import book_lock
        from .write_errors import WorkbookBusy

        with contextlib.ExitStack() as held:
            try:
                held.enter_context(book_lock(kwargs["book"]))
            except WorkbookBusy as exc:
                _echo(f"{kwargs['book']}: {exc.message(kwargs['lang'].value)}", err=True)
                raise typer.Exit(2)
            return command(*args, **kwargs)

    return run


@app.command()
@_one_run_per_book
def recalc(
    book: Annotated[Path, typer.Argument(help="The master workbook (.xlsx/.xlsm).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Compute and print; write nothing.")] = False,
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json (with --dry-run).")] = Format.text,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="As-of date YYYY-MM-DD (overrides 统计截止日).")] = None,
    out: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to OUT; leave BOOK untouched.")] = None,
    backup: Annotated[bool, typer.Option("--backup/--no-backup", help="Keep BOOK.bak.")] = True,
    mark: Annotated[bool, typer.Option("--mark", help="Fill and annotate input cells with errors.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of tabs and messages.")] = Lang.zh,
) -> None:
    """重新计算 — compute credits and quota alerts and write the summary tabs into the workbook."""
    from ..contract.schema import OUTPUT_TABS
    from ..reports.results_json import to_results_json
    from .jobs import run_recalc

    try:
        raw = read_workbook(book)
    except WorkbookUnreadable as exc:
        _echo(f"{book}: {exc.message(lang.value)}", err=True)
        raise typer.Exit(2)
    except Exception as exc:
        _echo(f"{book}: {_internal_error(exc, lang.value)}", err=True)
        raise typer.Exit(2)
    try:
        outcome = run_recalc(raw, lang=lang.value, as_of=_parse_date(as_of))
    except Exception as exc:
        _echo(f"{book}: {_internal_error(exc, lang.value)}", err=True)
        raise typer.Exit(2)
    if dry_run or format == Format.json:
        if format == Format.json:
            _echo(to_results_json(outcome.results, outcome.findings, outcome.as_of, lang.value))
        else:
            _echo(_recalc_text(outcome, lang.value))
        if dry_run:
            raise typer.Exit(0)
    from .package_writer import write_tabs
    from .write_errors import WorkbookWriteError
    from .zip_limits import LimitExceeded

    try:
        # Both names of each output tab belong to the add-in (SPEC): switching --lang replaces, not adds.
        other = [pair[1 if lang == Lang.zh else 0] for pair in OUTPUT_TABS.values()]
        written = write_tabs(book, outcome.tabs, out=out, backup=backup, marks=outcome.marks if mark else None,
                             remove=other)
    except (WorkbookWriteError, LimitExceeded) as exc:
        _echo(f"{book}: {exc.message(lang.value)}", err=True)
        raise typer.Exit(2)
    except Exception as exc:  # a malformed part the reader tolerated: one line, the book untouched
        _echo(f"{book}: {_internal_error(exc, lang.value)}", err=True)
        raise typer.Exit(2)
    if format != Format.json:
        _echo(_recalc_text(outcome, lang.value))
        _echo(("已写入 " if lang == Lang.zh else "written to ") + str(written))


def _recalc_text(outcome, lang: str) -> str:
    c = outcome.counts
    results = outcome.results
    alerts = results.alerts if results is not None else None
    states = alerts["state"].value_counts().to_dict() if alerts is not None and len(alerts) else {}
    by_state = "，".join(f"{k} {v}" for k, v in states.items()) if lang == "zh" else \
        ", ".join(f"{k} {v}" for k, v in states.items())
    if lang == "zh":
        head = (f"统计截止 {outcome.as_of}：{c.get('teachers', 0)} 位教师，{c.get('alerts', 0)} 条预警"
                f"{'（' + by_state + '）' if by_state else ''}；{c['errors']} 个错误，{c['warnings']} 个警告")
    else:
        head = (f"as of {outcome.as_of}: {c.get('teachers', 0)} teachers, {c.get('alerts', 0)} alerts"
                f"{' (' + by_state + ')' if by_state else ''}; {c['errors']} errors, {c['warnings']} warnings")
    lines = [head]
    if alerts is not None and len(alerts):
        names = dict(zip(results.teachers["teacher_id"], results.teachers["name"]))
        rank = {"未达标": 0, "超出上限": 1, "进度落后": 2}
        shown = alerts.assign(_r=alerts["state"].map(rank)).sort_values(["_r", "subject", "rule_id", "period_start"])
        for a in shown.head(30).itertuples(index=False):
            who = f"{a.subject} {names.get(a.subject, '')}".strip()
            lines.append(f"  {a.state:<4} {who:<10} {a.rule_id} {a.rule_name} "
                         f"{_iso(a.period_start)}~{_iso(a.period_end)}: {_versus(a)}")
        if len(alerts) > 30:
            lines.append(f"  … 另有 {len(alerts) - 30} 条，见「达标预警」" if lang == "zh"
                         else f"  … {len(alerts) - 30} more, see the Alerts tab")
    return "\n".join(lines)


def _versus(a) -> str:
    if a.required == a.required:  # not NaN: a lower bound, pro-rated
        return f"{a.actual:.3g} / {a.required:.3g}"
    return f"{a.actual:.3g} > {getattr(a, 'upper', float('nan')):.3g}"


def _iso(v) -> str:
    return v.date().isoformat() if hasattr(v, "date") and callable(v.date) else str(v)


@app.command("clear-marks")
@_one_run_per_book
def clear_marks_cmd(
    book: Annotated[Path, typer.Argument(help="The workbook marked by `recalc --mark`.")],
    out: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
    backup: Annotated[bool, typer.Option("--backup/--no-backup")] = True,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.zh,
) -> None:
    """清除标记 — remove exactly the marks cpdsheets added; nothing the user coloured."""
    from .package_writer import clear_marks
    from .reader import check_readable
    from .write_errors import WorkbookWriteError
    from .zip_limits import LimitExceeded

    try:
        check_readable(book)
        n = clear_marks(book, out=out, backup=backup)
    except (WorkbookWriteError, WorkbookUnreadable, LimitExceeded) as exc:
        _echo(f"{book}: {exc.message(lang.value)}", err=True)
        raise typer.Exit(2)
    except Exception as exc:  # a malformed part: one line, the book untouched
        _echo(f"{book}: {_internal_error(exc, lang.value)}", err=True)
        raise typer.Exit(2)
    _echo(f"已清除 {n} 处标记" if lang == Lang.zh else f"cleared {n} marks")


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Where to write the new master workbook (.xlsm or .xlsx).")],
    year: Annotated[str, typer.Option("--year", help="School year, e.g. 2025-2026.")] = "",
    school: Annotated[str, typer.Option("--school", help="School name.")] = "",
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.zh,
    demo: Annotated[bool, typer.Option("--demo", help="Fill with the fictional demo school's data.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """新建 — build the master workbook (sheets, rules, dropdowns, buttons)."""
    from .template import build_master

    if path.exists() and not force:
        typer.echo(f"{path}: 已存在，使用 --force 覆盖 / exists, use --force", err=True)
        raise typer.Exit(2)
    macros = path.suffix.lower() != ".xlsx"
    if demo:
        from ..samples.demo import build_demo

        typer.echo(str(build_demo(path, macros=macros)))
        return
    kwargs = {"lang": lang.value, "macros": macros}
    if year:
        kwargs["year"] = year
    if school:
        kwargs["school"] = school
    written = build_master(path, **kwargs)
    typer.echo(str(written))


def main() -> None:
    # Windows consoles and CI logs default to legacy code pages; Chinese must not crash output.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app()


if __name__ == "__main__":
    main()
