"""The benchmark the issues ask for, in one run on one generated workbook.

    python benchmarks/run.py [--rows 150000] [--repeat 5] [--skip-frictionless] [--processes-only]
                             [--schools 200] [--tree DIR] [--skip-warm]

First, as the user runs it, each in its own process (--repeat runs each, interleaved so a busy
machine slows all alike; wall time median and best, peak RSS median): a bare fastexcel read that
materialises every sheet (`read_excel(book).load_sheet(n).to_pandas()` for each sheet), `cpdsheets
validate BOOK`, `cpdsheets recalc BOOK -o OUT`, and their ratios (medians) to the bare read (issue 20
targets: validate <= 2x, recalc <= 3x, memory <= 3x). The bare read gets pyarrow (which to_pandas
needs) from a folder of its own (--arrow, installed there with pip on first use): installed beside
the project, pyarrow would become pandas 3's string storage and change the engine being measured.
Then the warm workers (issue 20, item 5): `cpdsheets rollup` of --schools schools of 40 teachers
(-j 2, target <= 25 s) and one school recalculated with write-back by a resident worker (median,
target <= 0.3 s) beside the fresh `cpdsheets recalc` process each school paid before. --tree runs the
CLI processes from another source tree (a checkout of an earlier commit: the "before" figures).
The measured tree's modules are compiled to bytecode first, as an installed copy has them (the
libraries compared with are installed with theirs; see compile_bytecode).
Then where the time goes:
each stage of a recalc with write-back timed on its own in a fresh process, one thread (median of
--repeat). Then, in this process (best of --repeat): the reader, `validate`, `recalc --dry-run`,
`recalc` with write-back, an openpyxl load+save round trip, and frictionless-py validating the same
sheets with an equivalent schema (types, required, minimum). Last, the district service
(`benchmarks/bench_serve.py`: upload to result page, 50 concurrent uploads, a kill -9 / restart cycle;
--skip-serve leaves it out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from cpdsheets.contract.schema import LOG_SHEETS, SHEETS
from cpdsheets.doors.cli import validate_file
from cpdsheets.jobs.book import run_recalc
from cpdsheets.jobs.tabs import book_tabs
from cpdsheets.doors.ooxml.package_writer import write_tabs
from cpdsheets.doors.reader import read_workbook
from cpdsheets.engine.sheet_frame import find_header, locate_sheet
from cpdsheets.samples.synthetic import generate


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


# The bare read: every sheet read by fastexcel and materialised as a DataFrame, no header. (load_sheet
# alone is lazy and builds no arrays: a yardstick nothing that checks cells can be compared with.)
BARE_READ = """
import sys, fastexcel
reader = fastexcel.read_excel(sys.argv[1])
for name in reader.sheet_names:
    reader.load_sheet(name, header_row=None).to_pandas()
"""


def arrow_folder(folder: Path) -> Path:
    """A folder holding pyarrow for the bare read alone; pip installs it there the first time."""
    if not (folder / "pyarrow").is_dir():
        print(f"installing pyarrow into {folder} for the bare read (once)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target",
                        str(folder), "pyarrow>=15"], check=True)
    return folder


# The parse our reader does (calamine's own types per cell), without turning a cell into Python.
CALAMINE_PARSE = """
import sys, python_calamine
wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
for name in wb.sheet_names:
    wb.get_sheet_by_name(name)
"""


def run_process(argv: list[str], scratch: Path, env: dict[str, str] | None = None) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MB, exit code, CPU seconds) of ``argv`` as a fresh process.

    The peak is taken by /usr/bin/time from its own small fork: Linux carries a process's RSS high-water
    mark across exec, so a child forked straight from this (large) process would report our size."""
    stats = scratch / "time.txt"
    started = time.perf_counter()
    code = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", str(stats), *argv], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - started
    user, system, peak = stats.read_text().split()[-3:]
    return wall, int(peak) / 1024, code, float(user) + float(system)  # KiB


def tree_env(tree: Path | None, extra: Path | None = None) -> dict[str, str]:
    """The environment of a measured process: PYTHONPATH names the source tree measured (and ``extra``)."""
    paths = [str(p) for p in (tree or Path(__file__).resolve().parents[1], extra) if p is not None]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def compile_bytecode(tree: Path | None) -> None:
    """Compile the measured tree's modules to bytecode, as `pip install` does for an installed package.

    The libraries both sides import (pandas, fastexcel, pyarrow) are installed with their bytecode;
    an editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as here) would compile every cpdsheets
    module from source in every process measured (about 0.08 s a `validate`), which no installed copy
    does. The bytecode goes into the tree's own __pycache__ folders (ignored by git)."""
    import compileall

    root = tree or Path(__file__).resolve().parents[1]
    compileall.compile_dir(str(root / "cpdsheets"), quiet=1)
    print(f"bytecode: compiled for {root / 'cpdsheets'} (as an installed copy has it; "
          f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})")


def process_figures(book: Path, work: Path, repeat: int, tree: Path | None, arrow: Path) -> float:
    compile_bytecode(tree)
    cli = [sys.executable, "-m", "cpdsheets.doors.cli"]
    bare = "bare fastexcel read, materialised (all sheets)"
    runs = {
        bare: [sys.executable, "-c", BARE_READ, str(book)],
        "  floor: python start": [sys.executable, "-c", "pass"],
        "  floor: import pandas, numpy, pydantic": [sys.executable, "-c", "import pandas, numpy, pydantic"],
        "  floor: python-calamine parse, 1 thread": [sys.executable, "-c", CALAMINE_PARSE, str(book)],
        "cpdsheets validate BOOK": [*cli, "validate", str(book)],
        "cpdsheets recalc BOOK -o OUT": [*cli, "recalc", str(book), "-o", str(work / "recalc-out.xlsx")],
        "cpdsheets --help (start-up)": [*cli, "--help"],
    }
    targets = {"cpdsheets validate BOOK": 2.0, "cpdsheets recalc BOOK -o OUT": 3.0}
    figures: dict[str, tuple[list[float], list[float], int, list[float]]] = {
        label: ([], [], 0, []) for label in runs}
    for _ in range(repeat):  # interleaved: load from elsewhere on the machine falls on every command
        for label, argv in runs.items():
            wall, rss, code, cpu = run_process(argv, work, tree_env(tree, arrow if label == bare else None))
            walls, peaks, _, cpus = figures[label]
            figures[label] = ([*walls, wall], [*peaks, rss], code, [*cpus, cpu])
    print(f"{'as the user runs it (separate processes)':<48}{'median':>8} {'best':>7}   {'ratio':>5}"
          f"{'':>10}{'peak RSS':>9}   ratio{'':>11}CPU s")
    base_time = statistics.median(figures[bare][0])
    base_rss = statistics.median(figures[bare][1])
    for label, (walls, peaks, code, cpus) in figures.items():
        wall, rss, cpu = statistics.median(walls), statistics.median(peaks), statistics.median(cpus)
        line = f"{label:<48}{wall:7.3f}s {min(walls):6.3f}s"
        if label in targets:
            line += (f"   {wall / base_time:5.2f}x (<= {targets[label]:.0f}x){rss:7.0f} MB {rss / base_rss:5.2f}x (<= 3x)"
                     f"   exit {code}")
        else:
            line += f"   {wall / base_time:5.2f}x{'':>10}{rss:7.0f} MB{'':>18}"
        print(line + f"{cpu:7.2f}")
    print(f"(median of {repeat} runs each; ratios are of medians; CPU s = user + system, on {os.cpu_count()} cores)")
    # What no change to our own Python can remove: the interpreter, the libraries the project is built
    # on, and the parse by the reader that keeps each cell's type (fastexcel gives one type per column).
    floors = [label for label in figures if label.startswith("  floor")]
    start = statistics.median(figures["  floor: python start"][0])
    serial = sum(statistics.median(figures[label][0]) for label in floors) - (len(floors) - 1) * start
    cpu = sum(statistics.median(figures[label][3]) for label in floors) - (len(floors) - 1) * start
    cores = os.cpu_count() or 1
    print(f"floor, start + imports + parse: {serial:.3f}s one after another = {serial / base_time:.2f}x the bare read; "
          f"{cpu:.2f} CPU s, so at best {cpu / cores:.3f}s = {cpu / cores / base_time:.2f}x spread over {cores} cores")
    return base_time


# Each stage of `recalc -o` as the CLI runs it, timed apart, in a fresh process, calamine on one thread.
STAGES = """
import sys, time, json
t = time.perf_counter(); marks = {}
def mark(label):
    global t
    now = time.perf_counter(); marks[label] = now - t; t = now
import cpdsheets.doors.cli
mark("start-up: CLI imports (typer, reports, reader)")
from cpdsheets.jobs import book as jobs
from cpdsheets.jobs.tabs import book_tabs
from cpdsheets.doors.ooxml.package_writer import write_tabs
mark("engine imports (pandas, numpy, pydantic, engine)")
from pathlib import Path
from cpdsheets.doors import reader
from cpdsheets.contract.book import RawBook
import python_calamine as calamine
book = Path(sys.argv[1])
reader._check_file(book)
mark("zip limits: inflate every part, bound the grid")
wb = calamine.CalamineWorkbook.from_path(str(book))
parsed = [(m, wb.get_sheet_by_name(m.name)) for m in wb.sheets_metadata]
mark("calamine: parse sheet XML (Rust, one thread)")
for m, s in parsed:
    for row in s.iter_rows():
        pass
mark("(for reference: iter_rows alone, not counted below)")
raw = RawBook({m.name: reader._raw_sheet(m, s) for m, s in parsed}, str(book))
del parsed
mark("Python cells, coded by column (iter_rows + codes)")
policy, validation, findings, as_of = jobs.check(raw)
mark("engine: policy + validate (jobs.check)")
outcome = jobs.run_recalc(raw)
tabs = book_tabs(outcome)
mark("engine: compute + tabs (run_recalc less its check)")
marks["engine: compute + tabs (run_recalc less its check)"] -= marks["engine: policy + validate (jobs.check)"]
write_tabs(book, tabs.tabs, out=Path(sys.argv[2]), backup=False)
mark("write-back: five tabs into the package")
print(json.dumps(marks))
"""


# The stages that hold the interpreter's one thread (the GIL) in `validate`: whatever else overlaps
# them, they run one after another.
ONE_THREAD = ("start-up: CLI imports (typer, reports, reader)", "engine imports (pandas, numpy, pydantic, engine)",
              "Python cells, coded by column (iter_rows + codes)", "engine: policy + validate (jobs.check)")


def school_books(n: int) -> Path:
    """``n`` schools of 40 teachers and 1,300 log rows each (bench_rollup's density), cached between runs."""
    folder = Path(tempfile.gettempdir()) / "cpdsheets-bench-schools-40x1300"
    folder.mkdir(exist_ok=True)
    for i in range(n):
        path = folder / f"school{i:04d}.xlsx"
        if not path.exists():
            generate(path, teachers=40, rows=1300, seed=2000 + i)
    return folder


def warm_figures(work: Path, schools: int, repeat: int, tree: Path | None) -> None:
    """Issue 20, item 5: a district's roll-up on warm workers, and one school recalculated by a resident
    worker beside the fresh process a school's recalc paid before."""
    folder = school_books(schools)
    district = work / "district"
    district.mkdir()
    for i in range(schools):
        (district / f"school{i:04d}.xlsx").symlink_to(folder / f"school{i:04d}.xlsx")
    cli = [sys.executable, "-m", "cpdsheets.doors.cli"]
    env = tree_env(tree)
    wall, rss, code, cpu = run_process([*cli, "rollup", str(district), "-j", "2", "--as-of", "2026-04-15",
                                        "--format", "json"], work, env)
    cores = os.cpu_count() or 1
    print(f"warm workers ({schools} schools of 40 teachers, 1,300 log rows each):")
    print(f"  {'cpdsheets rollup DIR -j 2':<46}{wall:7.2f} s   {wall / 25:5.2f}x the target (<= 25 s)   "
          f"CPU {cpu:6.1f} s ({cpu / schools:.3f} s a school; {cpu / cores:.1f} s over {cores} idle cores)   "
          f"peak {rss:.0f} MB   exit {code}")
    school = folder / "school0000.xlsx"
    fresh = [run_process([*cli, "recalc", str(school), "-o", str(work / "fresh.xlsx")], work, env)
             for _ in range(repeat)]
    print(f"  {'one school: cpdsheets recalc -o (fresh process)':<46}{statistics.median(r[0] for r in fresh):7.3f} s   "
          f"CPU {statistics.median(r[3] for r in fresh):.3f} s")
    if tree is not None:
        return  # the tree measured may have no warm workers: the resident figure is this tree's
    from cpdsheets.doors.batch import recalc_file
    from cpdsheets.doors.workers import WarmPool

    with WarmPool(1) as pool:
        pool.run(recalc_file, str(school), str(work / "warm.xlsx"))  # the worker's first book
        times, cpus = [], []
        # Each timed book a school the worker has not read before, as a district's books come: the same
        # book again would find every cell's parse remembered (engine.normalize.ParseMemo).
        for i in range(1, max(repeat, 5) + 1):
            cpu_before, started = cpu_seconds(pool.pids()[0]), time.perf_counter()
            pool.run(recalc_file, str(folder / f"school{i % schools:04d}.xlsx"), str(work / "warm.xlsx"))
            times.append(time.perf_counter() - started)
            cpus.append(cpu_seconds(pool.pids()[0]) - cpu_before)
    median = statistics.median(times)
    print(f"  {'one school: resident worker, read+recalc+write':<46}{median:7.3f} s   {median / 0.3:5.2f}x the target "
          f"(<= 0.3 s; {len(times)} schools it had not read)   best {min(times):.3f} s   "
          f"the worker's CPU {statistics.median(cpus):.3f} s (its time on an idle core)")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stage_figures(book: Path, work: Path, repeat: int, base_time: float) -> None:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", STAGES, str(book), str(work / "stages-out.xlsx")],
                             capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    print(f"where the time goes (one process, stages one after another, median of {repeat}):")
    total = 0.0
    for label in runs[0]:
        seconds = statistics.median(r[label] for r in runs)
        total += 0 if label.startswith("(") else seconds
        print(f"  {label:<52}{seconds:7.3f} s")
    print(f"  {'sum (what recalc -o spends, less its process start)':<52}{total:7.3f} s")
    gil = sum(statistics.median(r[label] for r in runs) for label in ONE_THREAD)
    print(f"validate's stages on the interpreter's one thread (imports, coding, validate): {gil:.3f} s = "
          f"{gil / base_time:.2f}x the bare read, before the parse they wait on")


def frictionless_validate(path: Path) -> tuple[float, int, int]:
    """Each data sheet validated by frictionless with the contract's types, required and minimum."""
    from frictionless import Dialect, Resource, Schema, fields, formats, system

    raw = read_workbook(path)
    total_errors = rows = 0
    started = time.perf_counter()
    with system.use_context(trusted=True):
        for spec in (SHEETS["teachers"], *LOG_SHEETS):
            sheet = locate_sheet(raw, spec.names)
            header = find_header(sheet.rows, spec) if sheet else None
            if header is None:
                continue
            by_col = {c: key for key, c in header.columns.items()}
            width = max(len(r) for r in sheet.rows[header.row: header.row + 1])
            schema_fields = []
            for c in range(width):
                name = sheet.rows[header.row][c]
                key = by_col.get(c)
                col = spec.column(key) if key else None
                constraints = {"required": True} if col and col.required else {}
                if col and col.kind == "date":
                    f = fields.DateField(name=str(name), constraints=constraints)
                elif col and col.kind == "number":
                    f = fields.NumberField(name=str(name), constraints={**constraints, "minimum": 0})
                else:
                    f = fields.StringField(name=str(name or f"field{c + 1}"), constraints=constraints)
                schema_fields.append(f)
            resource = Resource(str(path), control=formats.ExcelControl(sheet=sheet.name),
                                dialect=Dialect(header_rows=[header.row + 1]), schema=Schema(fields=schema_fields))
            report = resource.validate(limit_errors=10**9)
            total_errors += report.stats["errors"]
            rows += len(sheet.rows) - header.row - 1
    return time.perf_counter() - started, total_errors, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=150_000)
    ap.add_argument("--teachers", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-frictionless", action="store_true")
    ap.add_argument("--book", type=Path, help="measure this workbook instead of generating one")
    ap.add_argument("--processes-only", action="store_true", help="only the separate-process figures")
    ap.add_argument("--schools", type=int, default=200, help="schools in the warm-worker roll-up")
    ap.add_argument("--skip-warm", action="store_true", help="no warm-worker figures")
    ap.add_argument("--tree", type=Path, help="run the CLI processes from this source tree (the before figures)")
    ap.add_argument("--arrow", type=Path, default=Path.home() / ".cache" / "cpdsheets-bench-arrow",
                    help="the folder pyarrow is installed in for the bare read alone")
    ap.add_argument("--skip-serve", action="store_true", help="leave out the district service (bench_serve.py)")
    args = ap.parse_args()
    try:
        _main(args)
    finally:
        if not args.skip_serve and not args.processes_only:
            serve_figures()


def serve_figures() -> None:
    """The district service's figures (issue 21): bench_serve.py in its own process, when installed."""
    import importlib.util

    if importlib.util.find_spec("fastapi") is None:
        print("cpdsheets serve: not measured (pip install -e '.[serve]')")
        return
    print("\ncpdsheets serve (benchmarks/bench_serve.py):", flush=True)
    subprocess.run([sys.executable, str(Path(__file__).with_name("bench_serve.py"))])


def _main(args: argparse.Namespace) -> None:

    work = Path(tempfile.mkdtemp(prefix="cpdsheets-bench-"))
    try:
        book = args.book or work / "synthetic.xlsx"
        t = time.perf_counter()
        if not args.book:
            generate(book, teachers=args.teachers, rows=args.rows)
        gen = time.perf_counter() - t
        print(f"machine: {platform.machine()} {platform.python_implementation()} {platform.python_version()}, "
              f"file {book.stat().st_size / 1e6:.1f} MB, {args.rows} log rows, {args.teachers} teachers "
              f"(generated in {gen:.2f}s)")

        base_time = process_figures(book, work, args.repeat, args.tree, arrow_folder(args.arrow))
        if not args.skip_warm:
            warm_figures(work, args.schools, args.repeat, args.tree)
        stage_figures(book, work, args.repeat, base_time)
        if args.processes_only:
            return

        read = best(lambda: read_workbook(book), args.repeat)
        report = validate_file(str(book))
        validate = best(lambda: validate_file(str(book)), args.repeat)
        t = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "cpdsheets.doors.cli", "validate", str(book), "--format", "json",
                              "-o", str(work / "report.json")], capture_output=True)
        cli_wall = time.perf_counter() - t

        def dry_run():
            return run_recalc(read_workbook(book))

        outcome = dry_run()
        recalc_dry = best(dry_run, args.repeat)

        out = work / "out.xlsx"

        def recalc_write():
            o = run_recalc(read_workbook(book))
            write_tabs(book, book_tabs(o).tabs, out=out, backup=False)

        recalc_full = best(recalc_write, args.repeat)

        def roundtrip():
            wb = openpyxl.load_workbook(book)
            wb.save(work / "roundtrip.xlsx")

        rt = best(roundtrip, 1)

        print(f"rows read: {report.rows}; findings: {report.errors} errors, {report.warnings} warnings; "
              f"teachers {len(outcome.results.teachers)}, alerts {len(outcome.results.alerts)}")
        print(f"{'read_workbook (calamine, all sheets)':<44}{read:8.3f} s")
        print(f"{'validate (in process)':<44}{validate:8.3f} s   {validate / read:5.2f}x read   target <= 2x")
        print(f"{'cpdsheets validate (CLI, incl. startup)':<44}{cli_wall:8.3f} s   exit {cli.returncode}")
        print(f"{'recalc --dry-run':<44}{recalc_dry:8.3f} s   {recalc_dry / read:5.2f}x read   target <= 3x")
        print(f"{'recalc with write-back':<44}{recalc_full:8.3f} s   {recalc_full / read:5.2f}x read   target <= 3x")
        print(f"{'openpyxl load+save round trip':<44}{rt:8.3f} s   {rt / recalc_full:5.2f}x slower than recalc"
              f"   target >= 5x")
        if not args.skip_frictionless:
            fl, fl_errors, fl_rows = frictionless_validate(book)
            print(f"{'frictionless-py validate (same sheets)':<44}{fl:8.3f} s   {fl / validate:5.2f}x slower than "
                  f"validate   target >= 5x   ({fl_errors} errors over {fl_rows} rows)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
