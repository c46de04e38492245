"""Which rows count, decided once from the error findings, after every check has run.

Checks only report (as pandera's validators do before ``drop_invalid_rows``); this module alone
turns their error findings into the frame's ``_ok`` column and the cells read as blank. An error
in a column whose ``ColumnSpec.drops_row`` is true (a required column) leaves its row out; an error
in any other column blanks the cell and keeps the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract.findings import Finding, MissingValue
from .sheet_frame import SheetRead


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: pd.Series  # per frame row: True when the row counts
    blanked: dict[str, pd.Index]  # column key -> rows whose cell held something unusable, read as blank


def judge(read: SheetRead, findings: Iterable[Finding]) -> Verdict:
    """The verdict on ``read``'s rows from ``findings`` (those of other sheets are passed over)."""
    index = read.frame.index
    key_of_letter = {place.letter: key for key, place in read.places.items()}
    left_out: set[int] = set()
    blanked: dict[str, set[int]] = {}
    whole_sheet = False
    for f in findings:
        if f.sheet != read.name or f.level != "error":
            continue
        if f.type.effect == "column":  # a required column is missing
            whole_sheet = whole_sheet or f.drops_row
        elif f.row is None or f.row not in index:
            continue  # about the sheet or its header row, not a data row
        elif f.drops_row:
            left_out.add(f.row)
        elif f.code != MissingValue.code:  # an empty cell is blank already; nothing was typed to set aside
            key = key_of_letter[f.cell.rstrip("0123456789")]
            blanked.setdefault(key, set()).add(f.row)
    ok = pd.Series(not whole_sheet, index=index, dtype=bool)
    if left_out and not whole_sheet:
        ok[list(left_out)] = False
    return Verdict(ok, {key: pd.Index(sorted(rows), dtype="int64") for key, rows in blanked.items()})


def settle(read: SheetRead, verdict: Verdict) -> None:
    """Write the verdict into the frame: ``_ok``, and blank every cell it sets aside that still holds a value."""
    frame = read.frame
    for key, rows in verdict.blanked.items():
        holding = rows[frame.loc[rows, key].notna().to_numpy()]
        if len(holding):
            kind = frame[key].dtype.kind
            frame.loc[holding, key] = pd.NaT if kind == "M" else np.nan if kind == "f" else pd.NA
    frame["_ok"] = verdict.ok
    read.blanked = verdict.blanked
