"""The workbooks committed under ``workbook/``: the empty master and the demo school, rebuilt from code.

Run ``python -m cpdsheets.samples.shipped --rebuild`` to regenerate them; ``tests/test_template.py``
proves the committed files equal a fresh build, part by part.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..doors.template.master import REPO_ROOT, build_master
from .demo import build_demo

SHIPPED_DIR = REPO_ROOT / "workbook"
SHIPPED_MASTER = "cpd_master.xlsm"
SHIPPED_DEMO = "demo_school.xlsm"


def rebuild_shipped(directory: str | Path = SHIPPED_DIR, *, macros: bool = True) -> list[Path]:
    """Build the empty template and the demo school into ``directory``."""
    directory = Path(directory)
    master = build_master(directory / SHIPPED_MASTER, macros=macros)
    demo = build_demo(directory / SHIPPED_DEMO, macros=macros)
    return [master, demo]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["--rebuild"]:
        print("usage: python -m cpdsheets.samples.shipped --rebuild [--no-macros] [DIR]")
        return 2
    rest = [a for a in args[1:] if a != "--no-macros"]
    paths = rebuild_shipped(rest[0] if rest else SHIPPED_DIR, macros="--no-macros" not in args)
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
