"""The package's layers and the absence of import cycles, read from the source with ``ast``.

Every import counts, including those inside functions (a late import is still a dependency; it only
hides a circle from the interpreter). Arrows point down: doors -> jobs -> engine / reports -> contract.
A door reaches the engine through the jobs only, never directly (issue 20, item 2): it parses, asks a
job, writes and renders. Samples build on the doors and nothing in the package imports them.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = "cpdsheets"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

# layer -> the layers it may import (itself included); the package root only carries __version__
ALLOWED = {
    "root": set(),
    "contract": {"root", "contract"},
    "engine": {"root", "contract", "engine"},
    "reports": {"root", "contract", "reports"},
    "jobs": {"root", "contract", "engine", "reports", "jobs"},
    "doors": {"root", "contract", "reports", "jobs", "doors"},
    "samples": {"root", "contract", "engine", "jobs", "doors", "samples"},
}
# The one door that offers the demo to a user: `cpdsheets new --demo` builds it (a late import, and no
# circle, since samples never import the CLI).
UPWARD = {("cpdsheets.doors.cli", "cpdsheets.samples.demo")}


def module_files(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Dotted module name -> source file, for every module of the package."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's own modules that ``name`` imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            # `from package import module` depends on the module, not only on the package
            found.update(f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in known)
    return {m for m in found if m in known and m != name}


def import_graph(package_dir: Path = PACKAGE_DIR) -> dict[str, set[str]]:
    modules = module_files(package_dir)
    return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    if parts[1] == "excel":  # the xlwings entry point the buttons call: a door
        return "doors"
    return parts[1]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{source} ({layer_of(source)}) imports {target} ({layer_of(target)})"
                  for source, targets in graph.items() for target in targets
                  if layer_of(target) not in ALLOWED[layer_of(source)] and (source, target) not in UPWARD)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_every_import_points_down_the_layers():
    assert layer_violations(import_graph()) == []


def test_doors_reach_the_engine_through_the_jobs_only():
    """A door parses, calls a job, writes and renders; a door importing the engine (a new door copying
    orchestration, say) fails here, with no list of exceptions."""
    graph = import_graph()
    assert [(s, t) for s, targets in graph.items() for t in targets
            if layer_of(s) == "doors" and layer_of(t) == "engine"] == []
    assert "cpdsheets.engine.compute" in graph["cpdsheets.jobs.book"]  # the jobs do reach it


def test_the_allowed_upward_imports_are_still_there():
    """An exception nobody needs any more is removed rather than left open."""
    graph = import_graph()
    assert all(target in graph[source] for source, target in UPWARD)


def test_no_module_imports_itself_back_through_others():
    assert cycles(import_graph()) == []


def test_the_graph_is_read_from_the_source():
    """The checks above see late imports and ``from package import module``: a quiet graph is not an empty one."""
    graph = import_graph()
    assert set(ALLOWED) - {"root"} <= {layer_of(m) for m in graph}
    assert "cpdsheets.jobs.book" in graph["cpdsheets.doors.cli"]  # imported inside a command function
    assert "cpdsheets.reports.tabs" in graph["cpdsheets.jobs.tabs"]  # `from ..reports import tabs`
    assert "cpdsheets.jobs.rollup" in graph["cpdsheets.doors.rollup.summary"]


def test_the_checks_catch_a_planted_circle_and_an_upward_import(tmp_path):
    """A made-up package with a late-import circle, an engine module reading a report and a door
    calling the engine itself."""
    root = tmp_path / PACKAGE
    for folder in ("engine", "reports", "doors"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "engine" / "rules.py").write_text("from ..reports import tables\n")
    (root / "reports" / "tables.py").write_text("X = 1\n")
    (root / "doors" / "a.py").write_text("def f():\n    from .b import g\n")
    (root / "doors" / "b.py").write_text("from cpdsheets.doors.a import f\n")
    (root / "doors" / "c.py").write_text("def f():\n    from ..engine import rules\n")
    graph = import_graph(root)
    assert layer_violations(graph) == [
        "cpdsheets.doors.c (doors) imports cpdsheets.engine (engine)",
        "cpdsheets.doors.c (doors) imports cpdsheets.engine.rules (engine)",
        "cpdsheets.engine.rules (engine) imports cpdsheets.reports (reports)",
        "cpdsheets.engine.rules (engine) imports cpdsheets.reports.tables (reports)",
    ]
    assert cycles(graph) == [["cpdsheets.doors.a", "cpdsheets.doors.b"]]
