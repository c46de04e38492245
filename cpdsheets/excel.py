"""What the workbook's buttons run (VBA ``RunPython "import cpdsheets.excel; cpdsheets.excel.recalc()"``).

校验 -> :func:`validate`, 重新计算 -> :func:`recalc`, 清除标记 -> :func:`clear_marks`. Each reads
the calling book once, runs the same jobs as the CLI, writes the output tabs, marks bad cells
and says what happened in a message box. Nothing a button does may end in a traceback window:
any failure becomes a short message and one line in 运行记录.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from .contract.book import RawBook
from .contract.findings import Lang
from .contract.texts import Catalogue
from .doors.live.live_door import LiveDoor
from .doors.tab_owner import tab_name

# What the buttons say, by code: done-<job>, job-<job> (the button's name), failed, reason-<exception>.
TEXTS = Catalogue("buttons", {
    "runlog-error": ("出错", "Error"),  # the 运行记录 item of a run that failed
    "title": ("校本培训学分", "cpdsheets"),
    "done-validate": ("校验完成：共 {rows} 行记录，{errors} 个错误，{warnings} 个警告。\n"
                      "有错误的单元格已标色并加批注，详见「{issues}」表。",
                      "Validation done: {rows} rows, {errors} errors, {warnings} warnings.\n"
                      "Cells with errors are marked; see the '{issues}' tab."),
    "done-recalc": ("重新计算完成：{teachers} 位教师，{alerts} 条达标预警；{errors} 个错误，{warnings} 个警告。\n"
                    "结果见「{summary}」和「{alerts_tab}」表。",
                    "Recalculation done: {teachers} teachers, {alerts} alerts; {errors} errors, {warnings} warnings.\n"
                    "See the '{summary}' and '{alerts_tab}' tabs."),
    "done-clear": ("已清除 {cleared} 个单元格的标记（其他填充色和批注未改动）。",
                   "Cleared the marks on {cleared} cells (other fills and notes untouched)."),
    "done-archive": ("已生成 {teachers} 位教师的个人培训档案（含全校概览），保存在：\n{path}\n总表本身没有改动。",
                     "Wrote the training records of {teachers} teachers (with a school overview) to:\n{path}\n"
                     "This workbook is unchanged."),
    "job-validate": ("校验", "Validate"),
    "job-recalc": ("重新计算", "Recalculate"),
    "job-clear": ("清除标记", "Clear marks"),
    "job-archive": ("个人档案", "Archive"),
    "failed": ("「{job}」没有完成：{reason}\n详情已记在「{runlog}」表的最后一行。",
               "'{job}' did not finish: {reason}\nDetails are in the last row of the '{runlog}' tab."),
    # What a coordinator can act on, by exception type; anything else is reported as an internal error.
    "reason-PermissionError": ("工作簿或文件被占用或只读。", "the workbook or a file is locked or read-only."),
    "reason-MemoryError": ("内存不足。", "out of memory."),
    "reason-ImportError": ("Python 环境缺少组件，请重新运行 pip install cpdsheets。",
                           "the Python environment is incomplete; run pip install cpdsheets again."),
    "reason-internal": ("程序内部出错。", "an internal error occurred."),
})


def validate(book: Any = None) -> None:
    _run("validate", book)


def recalc(book: Any = None) -> None:
    _run("recalc", book)


def clear_marks(book: Any = None) -> None:
    _run("clear", book)


def archive(book: Any = None) -> None:
    """个人档案: the archive of the book as it is on screen, written beside the book's file."""
    _run("archive", book)


def _write_archive(book: Any, raw: RawBook, lang: Lang) -> str:
    from pathlib import Path

    from .doors.archive.job import check_not_book, default_output
    from .doors.archive.writer import write_archive
    from .jobs.archive import ArchiveRequest, archive

    fullname = str(book.fullname)
    # A book never saved, a remote client, or a OneDrive/SharePoint URL: no folder of its own, so the
    # archive goes to the working folder (the message says where).
    master = Path(fullname) if "://" not in fullname else Path(book.name)
    if not master.is_absolute():
        master = Path.cwd() / master.name
    run = archive(ArchiveRequest(raw, lang))
    target = default_output(master, lang)
    check_not_book(target, master)
    path = write_archive(run.sheets, target)
    return TEXTS.render("done-archive", lang, teachers=len(run.archive.teachers), path=path)


def _run(job: str, book: Any) -> None:
    """parse (the calling book) -> job -> door -> render (a message box)."""
    lang: Lang = "zh"
    door: LiveDoor | None = None
    try:
        if book is None:
            import xlwings as xw

            book = xw.Book.caller()
        door = LiveDoor(book)
        raw = door.read()
        lang = book_lang(raw.names())
        if job == "clear":
            from .jobs.marks import ClearMarksRequest, clear_marks

            cleared = clear_marks(ClearMarksRequest(door, lang)).cells
            _alert(book, TEXTS.render("done-clear", lang, cleared=cleared), lang)
            return
        if job == "archive":
            _alert(book, _write_archive(book, raw, lang), lang)
            return
        from .jobs import book as jobs
        from .jobs.tabs import book_tabs

        run = jobs.validate if job == "validate" else jobs.recalc
        outcome = run(jobs.BookRequest(raw, lang))
        tabs = book_tabs(outcome)
        written = door.write(tabs.tabs, marks=tabs.marks)  # replaces the previous marks, either door's
        shown = next((n for n, k in written.items() if k == ("issues" if job == "validate" else "summary")), None)
        if shown is not None:
            door.show(shown)
        _alert(book, done_message(job, outcome.counts, lang), lang)
    except Exception as exc:  # a button must never end in a traceback window
        _fail(door, book, job, exc, lang)


def book_lang(sheet_names: list[str]) -> Lang:
    """English messages for a book laid out with the English sheet names, Chinese otherwise."""
    names = set(sheet_names)
    return "en" if "Teachers" in names and "教师名册" not in names else "zh"


def done_message(job: str, counts: dict[str, int], lang: Lang = "zh") -> str:
    values = {"rows": 0, "errors": 0, "warnings": 0, "teachers": 0, "alerts": 0, **counts}
    return TEXTS.render(f"done-{job}", lang, **values, issues=tab_name("issues", lang), summary=tab_name("summary", lang),
                        alerts_tab=tab_name("alerts", lang))


def failure_message(job: str, exc: BaseException, lang: Lang = "zh") -> str:
    from .doors.ooxml.write_errors import WorkbookWriteError

    if isinstance(exc, WorkbookWriteError):
        reason = exc.message(lang)
    else:
        code = next((f"reason-{b.__name__}" for b in type(exc).__mro__ if f"reason-{b.__name__}" in TEXTS),
                    "reason-internal")
        reason = TEXTS.render(code, lang)
    return TEXTS.render("failed", lang, job=TEXTS.render(f"job-{job}", lang), reason=reason,
                        runlog=tab_name("runlog", lang))


def _alert(book: Any, message: str, lang: Lang, *, critical: bool = False) -> None:
    try:
        book.app.alert(message, title=TEXTS.render("title", lang), mode="critical" if critical else "info")
    except Exception:  # no UI to show it in (tests, a headless client): say it on stderr
        print(message, file=sys.stderr)


def _fail(door: LiveDoor | None, book: Any, job: str, exc: Exception, lang: Lang) -> None:
    line = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {TEXTS.render('job-' + job)}失败：{type(exc).__name__}: {exc}"
    if door is not None:
        try:
            door.append_runlog(TEXTS.render("runlog-error", lang), line[:1000], lang)
        except Exception:  # the run log is a record; the alert below still tells the user what failed
            pass
        _alert(book, failure_message(job, exc, lang), lang, critical=True)
    else:
        print(line, file=sys.stderr)
