"""PDF copies through LibreOffice (`soffice --headless --convert-to pdf`), when it is installed.

Each run uses its own throw-away LibreOffice profile, so it neither waits for nor disturbs a
LibreOffice the user has open. Chinese text needs a CJK font on Linux (fonts-noto-cjk or
fonts-wqy-zenhei); Windows and macOS ship one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ...contract.texts import BilingualError, Catalogue

_BATCH = 40  # files per soffice run: keeps the command line short on Windows


PDF_REFUSALS = Catalogue("pdf refusals", {
    "no-libreoffice": ("未找到 LibreOffice（soffice），没有生成 PDF；Excel 文件已写好。安装 LibreOffice 后重试"
                       "（Linux 另需中文字体，如 fonts-noto-cjk 或 fonts-wqy-zenhei）。",
                       "LibreOffice (soffice) was not found, so no PDF was made; the Excel files are written. "
                       "Install LibreOffice and retry (on Linux also a CJK font such as fonts-noto-cjk or "
                       "fonts-wqy-zenhei)."),
    "not-produced": ("LibreOffice 没有生成 {name}。", "LibreOffice did not produce {name}."),
    "failed": ("LibreOffice 转换 PDF 失败：{error}", "LibreOffice could not convert to PDF: {error}"),
})


class PdfUnavailable(BilingualError):
    """No PDF could be made; ``message(lang)`` says why and what to do."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(files: list[Path], *, timeout: float = 600) -> list[Path]:
    """A PDF beside each file (same name, .pdf). Raises PdfUnavailable when LibreOffice is missing
    or a conversion fails."""
    exe = soffice()
    if exe is None:
        raise PdfUnavailable(PDF_REFUSALS["no-libreoffice"])
    out: list[Path] = []
    by_folder: dict[Path, list[Path]] = {}
    for f in files:
        by_folder.setdefault(Path(f).resolve().parent, []).append(Path(f).resolve())
    with tempfile.TemporaryDirectory(prefix="cpdsheets-lo-") as profile:
        for folder, group in by_folder.items():
            for i in range(0, len(group), _BATCH):
                batch = group[i:i + _BATCH]
                _convert(exe, batch, folder, Path(profile), timeout)
                out += [f.with_suffix(".pdf") for f in batch]
    missing = [p for p in out if not p.exists()]
    if missing:
        raise PdfUnavailable(PDF_REFUSALS["not-produced"].fill(name=missing[0].name))
    return out


def _convert(exe: str, files: list[Path], folder: Path, profile: Path, timeout: float) -> None:
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
           "--convert-to", "pdf", "--outdir", str(folder), *map(str, files)]
    try:
        subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PdfUnavailable(PDF_REFUSALS["failed"].fill(error=str(exc))) from exc
