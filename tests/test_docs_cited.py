"""The domain rules the code cites are in the repository (issue 20, item 6): a comment says
"docs/SPEC.md" (and a section), never a document or a folder outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "docs" / "SPEC.md"
CITED_SECTION = re.compile(r'docs/SPEC\.md,\s*"([^"]+)"')
BARE_SPEC = re.compile(r"(?<!docs/)\bSPEC\b(?!\.md)")
OUTSIDE = re.compile(r"/work/|\bseeds/|\bseed \d{3}\b")


def sources() -> list[Path]:
    return sorted([*(ROOT / "cpdsheets").rglob("*.py"), *(ROOT / "tests").glob("*.py")])


def test_every_cited_section_of_the_spec_is_in_docs():
    headings = [line.lstrip("#").strip() for line in SPEC.read_text(encoding="utf-8").splitlines()
                if line.startswith("#")]
    cited = {m.group(1) for p in sources() for m in CITED_SECTION.finditer(p.read_text(encoding="utf-8"))}
    assert cited, "the pattern finds the citations"
    assert [c for c in sorted(cited) if not any(c in h for h in headings)] == []


def test_no_comment_points_outside_the_repository():
    found = [f"{p.relative_to(ROOT)}:{n}" for p in sources() if p.name != Path(__file__).name
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if BARE_SPEC.search(line) or OUTSIDE.search(line)]
    assert found == []
