"""How the output tabs look, said once for every door: the package writer turns these into
styles.xml entries, the live adapter into range formats, so a cell reads the same either way."""

from __future__ import annotations

from .tables import CellKind

# Number format per column kind; text and status columns stay General (their text is the value).
NUMBER_FORMATS: dict[CellKind, str] = {
    "int": "0",
    "number": "0.0#",  # one decimal at least, two when the credit has them (0.25 stays 0.25)
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
HEADER_FILL = "D9E1F2"
HEADER_BOLD = True
HEADER_ALIGN = {"horizontal": "center", "vertical": "center", "wrapText": "1"}
WRAP_ALIGN = {"wrapText": "1"}  # a wrapped column's cells; bottom-aligned like their neighbours
TITLE_SIZE_DELTA = 3  # the title row's font, in points above the book's default
LINK_COLOUR = "0563C1"
