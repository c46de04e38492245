"""District roll-up at scale: N schools of 60 teachers and ~2,000 log rows each, `cpdsheets rollup -j 2`.

    python benchmarks/bench_rollup.py [--schools 50 100 200] [--jobs 2] [--teachers 60] [--rows 2000] [--districts 10]

Generates the books once (cached in the temp folder, keyed by size), then for each N runs the real
command (`rollup DIR -j JOBS -o district.xlsx --format json`) in a fresh interpreter and prints:
wall seconds, CPU seconds (parent + workers: what the wall time is on idle cores, times the cores),
seconds per school, the parent's peak RSS (which holds only the per-school summaries)
and the largest worker's peak RSS (on a shared machine the wall time grows with others' load; CPU
seconds do not), the size of the JSON and of the district workbook. Flat memory shows
as a worker peak that does not move while N quadruples.

Then a province: ``--districts`` copies of the largest district's JSON (paths and 工号 made distinct per
copy, so no false transfers) merged with ``rollup --merge -o province.xlsx``: seconds and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cpdsheets.samples.synthetic import generate

# Runs the CLI in this interpreter and reports its own and its workers' peak RSS (KiB on Linux).
PROBE = """
import json, resource, sys
from cpdsheets.doors.cli import main
sys.argv = ["cpdsheets"] + sys.argv[1:]
try:
    main()
except SystemExit as exc:
    code = exc.code
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"exit": code, "parent_kib": me.ru_maxrss, "worker_kib": kids.ru_maxrss,
                  "parent_cpu": me.ru_utime + me.ru_stime, "worker_cpu": kids.ru_utime + kids.ru_stime}),
      file=sys.stderr)
"""


def books(n: int, teachers: int, rows: int) -> Path:
    folder = Path(tempfile.gettempdir()) / f"cpdsheets-bench-rollup-{teachers}x{rows}"
    folder.mkdir(exist_ok=True)
    started, made = time.perf_counter(), 0
    for i in range(n):
        path = folder / f"school{i:04d}.xlsx"
        if not path.exists():
            generate(path, teachers=teachers, rows=rows, seed=1000 + i)
            made += 1
    if made:
        print(f"generated {made} books in {time.perf_counter() - started:.1f} s ({folder})", flush=True)
    return folder


def run(folder: Path, n: int, jobs: int, work: Path) -> dict:
    district = work / f"district{n}"
    district.mkdir(exist_ok=True)
    for i in range(n):  # a folder holding exactly n schools, as links to the cached books
        link = district / f"school{i:04d}.xlsx"
        if not link.exists():
            os.symlink(folder / link.name, link)
    out = work / f"district{n}.xlsx"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PROBE, "rollup", str(district), "-j", str(jobs), "-o", str(out),
                           "--format", "json", "--as-of", "2026-04-15"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    probe = json.loads(proc.stderr.strip().splitlines()[-1])
    report = json.loads(proc.stdout)
    return {"n": n, "seconds": seconds, "report": report, "json_bytes": len(proc.stdout.encode()),
            "xlsx_bytes": out.stat().st_size, **probe}


def merge(report: dict, copies: int, work: Path) -> None:
    shards = []
    for k in range(copies):
        shard = json.loads(json.dumps(report))
        for s in shard["schools"]:
            s["path"] = f"district{k}/{s['path']}"
            s["roster"] = [[f"{k}-{tid}", name] for tid, name in s["roster"]]
        shards.append(work / f"shard{k}.json")
        shards[-1].write_text(json.dumps(shard, ensure_ascii=False), encoding="utf-8")
    out = work / "province.xlsx"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PROBE, "rollup", "--merge", *map(str, shards), "-o", str(out)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    probe = json.loads(proc.stderr.strip().splitlines()[-1])
    schools = copies * len(report["schools"])
    print(f"merge of {copies} district reports ({schools} schools) into one workbook: {seconds:.1f} s wall, "
          f"{probe['parent_cpu']:.1f} CPU s, peak {probe['parent_kib'] / 1024:.0f} MiB, "
          f"workbook {out.stat().st_size / 1024 / 1024:.1f} MiB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, nargs="+", default=[50, 100, 200])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--teachers", type=int, default=60)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--districts", type=int, default=10, help="district reports merged into a province (0: none)")
    args = ap.parse_args()
    folder = books(max(args.schools), args.teachers, args.rows)
    print(f"{args.teachers} teachers and {args.rows} log rows per school, -j {args.jobs}, {os.cpu_count()} cores")
    print(f"{'schools':>8} {'seconds':>8} {'CPU s':>7} {'CPU s/2':>8} {'s/school':>9} {'parent MiB':>11} {'worker MiB':>11} "
          f"{'JSON KiB':>9} {'xlsx KiB':>9} {'teachers':>9} {'transfers':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.schools:
            r = run(folder, n, args.jobs, Path(tmp))
            t = r["report"]["totals"]
            cpu = r["parent_cpu"] + r["worker_cpu"]
            print(f"{n:>8} {r['seconds']:>8.1f} {cpu:>7.1f} {cpu / args.jobs:>8.1f} {r['seconds'] / n:>9.3f} {r['parent_kib'] / 1024:>11.0f} "
                  f"{r['worker_kib'] / 1024:>11.0f} {r['json_bytes'] / 1024:>9.0f} {r['xlsx_bytes'] / 1024:>9.0f} "
                  f"{t['teachers']:>9} {t['transfers']:>9}", flush=True)
            summary = r["report"]["schools"][0]
        if args.districts:
            merge(r["report"], args.districts, Path(tmp))
    print(f"one school's summary: {len(pickle.dumps(summary)) / 1024:.1f} KiB pickled "
          f"({len(summary['alert_teachers'])} teachers 未达标 listed, {len(summary['roster'])} on the roster)")


if __name__ == "__main__":
    main()
