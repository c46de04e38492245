"""The validation report: per-file results that every output format renders, flattened to a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..contract.findings import SEVERITY_RANK, Finding, Lang


@dataclass(slots=True)
class FileReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    unreadable: str | None = None  # one-line reason when the file could not be read at all

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.level == "warning")

    @property
    def valid(self) -> bool:
        return self.unreadable is None and self.errors == 0

    def fails(self, fail_on: str) -> bool:
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK[f.level] >= threshold for f in self.findings)

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "valid": self.valid,
            "stats": {"errors": self.errors, "warnings": self.warnings, "rows": self.rows,
                      "seconds": round(self.seconds, 3)},
            "findings": [f.as_dict(lang) for f in sorted_findings(self.findings)],
        }
        if self.unreadable is not None:
            out["error"] = self.unreadable
        return out


@dataclass(slots=True)
class Report:
    files: list[FileReport]

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {"tool": "cpdsheets", "version": __version__, "files": [f.as_dict(lang) for f in self.files]}

    def table(self, lang: Lang = "zh") -> list[dict[str, Any]]:
        """One row per finding, with its file: the flat form every tabular output uses."""
        return [{"path": f.path, **d} for f in self.files for d in f.as_dict(lang)["findings"]]

    def exit_code(self, fail_on: str) -> int:
        if any(f.unreadable is not None for f in self.files):
            return 2
        return 1 if any(f.fails(fail_on) for f in self.files) else 0


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Severity first, then sheet order as found, then row: the order a coordinator fixes things."""
    sheet_order: dict[str, int] = {}
    for f in findings:
        sheet_order.setdefault(f.sheet, len(sheet_order))
    return sorted(findings, key=lambda f: (-SEVERITY_RANK[f.level], sheet_order[f.sheet], f.row or 0, f.cell))
