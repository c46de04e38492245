"""The line shown instead of a traceback when a job fails on one workbook (validate, recalc, rollup, archive)."""

from __future__ import annotations

from ..contract.texts import Catalogue, lang_or

INTERNAL_ERROR = Catalogue("internal error", {
    "line": ("内部错误，未能校验（{detail}）；请把该文件发给维护人员",
             "internal error, not validated ({detail}); please send this file to the maintainers"),
})


def internal_error(exc: Exception, lang: str) -> str:
    """One line for a job that failed on a file: the exception's type and first line, and whom to send it to."""
    detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    return INTERNAL_ERROR.render("line", lang_or(lang), detail=detail)
