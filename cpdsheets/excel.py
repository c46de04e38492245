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

from .contract.schema import OUTPUT_TABS
from .doors.live import xlwings_adapter as adapter

TITLE = {"zh": "校本培训学分", "en": "cpdsheets"}

_DONE = {
    "validate": {
        "zh": "校验完成：共 {rows} 行记录，{errors} 个错误，{warnings} 个警告。\n"
              "有错误的单元格已标色并加批注，详见「{issues}」表。",
        "en": "Validation done: {rows} rows, {errors} errors, {warnings} warnings.\n"
              "Cells with errors are marked; see the '{issues}' tab.",
    },
    "recalc": {
        "zh": "重新计算完成：{teachers} 位教师，{alerts} 条达标预警；{errors} 个错误，{warnings} 个警告。\n"
              "结果见「{summary}」和「{alerts_tab}」表。",
        "en": "Recalculation done: {teachers} teachers, {alerts} alerts; {errors} errors, {warnings} warnings.\n"
              "See the '{summary}' and '{alerts_tab}' tabs.",
    },
    "clear": {
        "zh": "已清除 {cleared} 个单元格的标记（其他填充色和批注未改动）。",
        "en": "Cleared the marks on {cleared} cells (other fills and notes untouched).",
    },
    "archive": {
        "zh": "已生成 {teachers} 位教师的个人培训档案（含全校概览），保存在：\n{path}\n总表本身没有改动。",
        "en": "Wrote the training records of {teachers} teachers (with a school overview) to:\n{path}\n"
              "This workbook is unchanged.",
    },
}
_JOB_NAME = {
    "validate": {"zh": "校验", "en": "Validate"},
    "recalc": {"zh": "重新计算", "en": "Recalculate"},
    "clear": {"zh": "清除标记", "en": "Clear marks"},
    "archive": {"zh": "个人档案", "en": "Archive"},
}
_FAILED = {
    "zh": "「{job}」没有完成：{reason}\n详情已记在「{runlog}」表的最后一行。",
    "en": "'{job}' did not finish: {reason}\nDetails are in the last row of the '{runlog}' tab.",
}
# What a coordinator can act on, by exception type; anything else is reported as an internal error.
_REASONS = {
    "PermissionError": {"zh": "工作簿或文件被占用或只读。", "en": "the workbook or a file is locked or read-only."},
    "MemoryError": {"zh": "内存不足。", "en": "out of memory."},
    "ImportError": {"zh": "Python 环境缺少组件，请重新运行 pip install cpdsheets。",
                    "en": "the Python environment is incomplete; run pip install cpdsheets again."},
}


def validate(book: Any = None) -> None:
    _run("validate", book)


def recalc(book: Any = None) -> None:
    _run("recalc", book)


def clear_marks(book: Any = None) -> None:
    _run("clear", book)


def archive(book: Any = None) -> None:
    """个人档案: the archive of the book as it is on screen, written beside the book's file."""
    _run("archive", book)


def _write_archive(book: Any, raw, lang: str) -> str:
    from pathlib import Path

    from .doors.archive_job import check_not_book, default_output, run_archive
    from .doors.archive_writer import write_archive

    fullname = str(book.fullname)
    # A book never saved, a remote client, or a OneDrive/SharePoint URL: no folder of its own, so the
    # archive goes to the working folder (the message says where).
    master = Path(fullname) if "://" not in fullname else Path(book.name)
    if not master.is_absolute():
        master = Path.cwd() / master.name
    run = run_archive(raw, lang=lang)
    target = default_output(master, lang)
    check_not_book(target, master)
    path = write_archive(run.sheets, target)
    return _DONE["archive"][lang].format(teachers=len(run.archive.teachers), path=path)


def _run(job: str, book: Any) -> None:
    lang = "zh"
    try:
        if book is None:
            import xlwings as xw

            book = xw.Book.caller()
        raw = adapter.read_book(book)
        lang = book_lang(raw.names())
        if job == "clear":
            cleared = adapter.clear_marks(book)
            _alert(book, _DONE["clear"][lang].format(cleared=cleared), lang)
            return
        if job == "archive":
            _alert(book, _write_archive(book, raw, lang), lang)
            return
        from .doors import jobs

        run = jobs.run_validate if job == "validate" else jobs.run_recalc
        outcome = run(raw, lang=lang)
        written = adapter.write_tabs(book, outcome.tabs)  # only the tabs the book's record says are ours
        adapter.mark_cells(book, outcome.marks)  # replaces the previous marks, either door's
        _show(book, written, "issues" if job == "validate" else "summary")
        _alert(book, done_message(job, outcome.counts, lang), lang)
    except Exception as exc:  # a button must never end in a traceback window
        _fail(book, job, exc, lang)


def book_lang(sheet_names: list[str]) -> str:
    """English messages for a book laid out with the English sheet names, Chinese otherwise."""
    names = set(sheet_names)
    return "en" if "Teachers" in names and "教师名册" not in names else "zh"


def _tab(key: str, lang: str) -> str:
    zh, en = OUTPUT_TABS[key]
    return zh if lang == "zh" else en


def done_message(job: str, counts: dict[str, int], lang: str = "zh") -> str:
    values = {"rows": 0, "errors": 0, "warnings": 0, "teachers": 0, "alerts": 0, **counts}
    return _DONE[job][lang].format(
        **values, issues=_tab("issues", lang), summary=_tab("summary", lang), alerts_tab=_tab("alerts", lang)
    )


def failure_message(job: str, exc: BaseException, lang: str = "zh") -> str:
    from .doors.write_errors import WorkbookWriteError

    reason = exc.message(lang) if isinstance(exc, WorkbookWriteError) else _REASONS.get(type(exc).__name__, {}).get(lang)
    if reason is None:
        for base in type(exc).__mro__:
            reason = _REASONS.get(base.__name__, {}).get(lang)
            if reason:
                break
    if reason is None:
        reason = "程序内部出错。" if lang == "zh" else "an internal error occurred."
    return _FAILED[lang].format(job=_JOB_NAME[job][lang], reason=reason, runlog=_tab("runlog", lang))


def _show(book: Any, written: dict[str, str], key: str) -> None:
    try:
        sheet = adapter._find_sheet(book, tuple(n for n, k in written.items() if k == key))
        if sheet is not None:
            sheet.activate()
    except Exception:  # where the user lands is a nicety, not worth a failure
        pass


def _alert(book: Any, message: str, lang: str, *, critical: bool = False) -> None:
    try:
        book.app.alert(message, title=TITLE[lang], mode="critical" if critical else "info")
    except Exception:  # no UI to show it in (tests, a headless client): say it on stderr
        print(message, file=sys.stderr)


def _fail(book: Any, job: str, exc: Exception, lang: str) -> None:
    line = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {_JOB_NAME[job]['zh']}失败：{type(exc).__name__}: {exc}"
    if book is not None:
        try:
            adapter.append_runlog(book, "出错" if lang == "zh" else "Error", line[:1000], lang)
        except Exception:
            pass
        _alert(book, failure_message(job, exc, lang), lang, critical=True)
    else:
        print(line, file=sys.stderr)
