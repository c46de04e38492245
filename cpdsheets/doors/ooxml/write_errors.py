"""Why a workbook was not written: one exception family, each with a Chinese and an English line."""

from __future__ import annotations

from pathlib import Path

from ...contract.texts import WORDS, BilingualError, Catalogue, Text, both_languages

WRITE_REFUSALS = Catalogue("write refusals", {
    "locked": ("工作簿“{name}”正在 Excel/WPS/LibreOffice 中打开（发现锁文件 {lock}），请先关闭后再试。",
               "Workbook '{name}' is open in Excel/WPS/LibreOffice (lock file {lock}); close it and retry."),
    "read-only": ("无法写入“{name}”：文件或所在文件夹为只读{why}。", "Cannot write '{name}': the file or its folder is read-only{why}."),
    "not-a-workbook": ("“{name}”不是可写入的 Excel 工作簿（.xlsx/.xlsm）{why}。",
                       "'{name}' is not a writable Excel workbook (.xlsx/.xlsm){why}."),
    "extension-changed": ("输出文件扩展名必须与原工作簿一致（{suffix}），否则宏或文件类型会损坏。",
                          "The output must keep the workbook's extension ({suffix}), or macros/file type break."),
    "write-failed-disk": ("写入“{name}”失败（{reason}），原文件未改动；请腾出磁盘空间后再试。",
                          "Writing '{name}' failed ({reason}); the original is unchanged. Free some disk space and retry."),
    "busy": ("另一个 cpdsheets 正在处理“{name}”（已等待 {waited:.0f} 秒），请等它结束后再试。",
             "Another cpdsheets run is working on '{name}' (waited {waited:.0f} s); retry when it has finished."),
    "output-is-folder": ("“{path}”是一个文件夹，不是文件；请给出文件名，如 {example}。",
                         "'{path}' is a folder, not a file; give a file name such as {example}."),
    "folder-missing": ("文件夹“{folder}”不存在，无法写入“{name}”；请先建好该文件夹或换一个位置。",
                       "The folder '{folder}' does not exist, so '{name}' cannot be written; create it or choose another "
                       "place."),
    "folder-is-file": ("“{folder}”是文件，不是文件夹，无法在其中写入“{name}”；请换一个位置。",
                       "'{folder}' is a file, not a folder, so '{name}' cannot be written in it; choose another place."),
    "write-failed": ("写入“{name}”失败（{reason}），原文件未改动。", "Writing '{name}' failed ({reason}); the original is unchanged."),
})


# Why a package is not a workbook that can be written: the reason a NotAWorkbook carries, one line in
# both languages (it is shown inside either language's refusal), joined by :func:`why_not`.
NOT_A_WORKBOOK_WHY = Catalogue("not-a-workbook reasons", {
    "missing-part": ("缺少部件 {part}", "missing part {part}"),
    "part-refused": ("部件 {part} 无法解析", "part {part} refused: {reason}"),
    "file-not-found": ("文件不存在", "file not found"),
    "not-a-zip": ("不是 zip 包（可能已加密或损坏）", "not a zip package: {reason}"),
    "no-content-types": ("缺少 [Content_Types].xml", "missing [Content_Types].xml"),
    "extension": ("扩展名应为 .xlsx 或 .xlsm", "extension must be .xlsx or .xlsm"),
    "sheet-without-relationship": ("工作表“{name}”缺少关系", "sheet '{name}' has no relationship"),
})


def why_not(code: str, sep: str = " / ", **params: object) -> str:
    """A :data:`NOT_A_WORKBOOK_WHY` reason, Chinese ``sep`` English, as :class:`NotAWorkbook` takes it."""
    return both_languages(NOT_A_WORKBOOK_WHY[code], sep, **params)


class WorkbookWriteError(BilingualError):
    """A book that cannot be written: ``message(lang)`` is the one line shown; ``str(exc)`` is the Chinese."""

    def __init__(self, path: Path | str, message_zh: str | Text, message_en: str = ""):
        reason = message_zh if isinstance(message_zh, Text) else Text(message_zh, message_en)
        super().__init__(reason)
        self.args = (reason.zh,)
        self.path = Path(path)
        self.message_zh = reason.zh
        self.message_en = reason.en


class WorkbookLocked(WorkbookWriteError):
    def __init__(self, path: Path | str, lock: Path | str):
        name = Path(path).name
        super().__init__(
            path,
            WRITE_REFUSALS["locked"].fill(name=name, lock=Path(lock).name),
        )
        self.lock = Path(lock)


class WorkbookNotWritable(WorkbookWriteError):
    def __init__(self, path: Path | str, reason: str = ""):
        name = Path(path).name
        super().__init__(
            path,
            WRITE_REFUSALS["read-only"].fill(name=name, why=WORDS["aside"].fill(aside=reason) if reason else ""),
        )


class NotAWorkbook(WorkbookWriteError):
    def __init__(self, path: Path | str, reason: str = ""):
        name = Path(path).name
        super().__init__(
            path,
            WRITE_REFUSALS["not-a-workbook"].fill(name=name, why=WORDS["after-colon"].fill(text=reason) if reason else ""),
        )


class OutputTypeMismatch(WorkbookWriteError):
    def __init__(self, src: Path | str, out: Path | str):
        super().__init__(
            out,
            WRITE_REFUSALS["extension-changed"].fill(suffix=Path(src).suffix),
        )


class WriteFailed(WorkbookWriteError):
    """The disk refused the new file (full, quota, file-size limit, I/O error): nothing was replaced."""

    def __init__(self, path: Path | str, reason: str = ""):
        name = Path(path).name
        super().__init__(
            path,
            WRITE_REFUSALS["write-failed-disk"].fill(name=name, reason=reason),
        )


class WorkbookBusy(WorkbookWriteError):
    """Another cpdsheets run holds the book's lock."""

    def __init__(self, path: Path | str, waited: float):
        name = Path(path).name
        super().__init__(
            path,
            WRITE_REFUSALS["busy"].fill(name=name, waited=waited),
        )


class _FolderProblem(WorkbookWriteError):
    """The folder a file would go into is not one: its entry gets ``{folder}`` and ``{name}``."""

    CODE = ""  # its entry in WRITE_REFUSALS

    def __init__(self, path: Path | str):
        super().__init__(path, WRITE_REFUSALS[self.CODE].fill(folder=Path(path).parent, name=Path(path).name))


class FolderMissing(_FolderProblem):
    """The folder does not exist (not a permission problem)."""

    CODE = "folder-missing"


class FolderIsFile(_FolderProblem):
    """Where the folder should be there is a file."""

    CODE = "folder-is-file"


class OutputIsFolder(WorkbookWriteError):
    """The output named is a folder: a file name is needed."""

    def __init__(self, path: Path | str, suffix: str = ".xlsx"):
        example = Path(path) / ("out" + suffix)
        super().__init__(
            path,
            WRITE_REFUSALS["output-is-folder"].fill(path=path, example=example),
        )


def write_failed(path: Path | str, exc: OSError) -> WorkbookWriteError:
    """The error that names why the disk refused ``exc``: a folder, a missing folder, permissions, or
    (only then) a full disk."""
    import errno

    code = exc.errno
    if code == errno.EISDIR:
        return OutputIsFolder(path)
    if code == errno.ENOENT:
        return FolderMissing(path)
    if code == errno.ENOTDIR:
        return FolderIsFile(path)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return WorkbookNotWritable(path, exc.strerror or "")
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return WriteFailed(path, exc.strerror or str(exc))
    return WriteFailedOther(path, exc.strerror or str(exc) or type(exc).__name__)


class WriteFailedOther(WriteFailed):
    """The disk refused for another reason (an I/O error, a name too long): its own words, no guess."""

    def __init__(self, path: Path | str, reason: str = ""):
        name = Path(path).name
        WorkbookWriteError.__init__(
            self,
            path,
            WRITE_REFUSALS["write-failed"].fill(name=name, reason=reason),
        )
