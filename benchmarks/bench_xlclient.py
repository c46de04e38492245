"""The Excel buttons through the district service: what xlwings' VBA client sends and gets back, and how
long the service takes, for the demo and a generated book.

    python benchmarks/bench_xlclient.py [--rows 20000] [--teachers 120] [--repeat 1]

Per book: the request body (MB), the service's time for 重新计算 (read the payload, run the job, write the
actions; best of --repeat, seconds), the answer (MB, actions, the largest action in KB and in cells). The
client model in tests/ builds the body as Remote.bas does.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the model of the VBA client

from run import best  # noqa: E402  (benchmarks/run.py)
import vba_client_model as client  # noqa: E402

from cpdsheets.doors.xlclient.service import answer  # noqa: E402


def measure(label: str, book: Path, repeat: int) -> None:
    body = client.payload(book)
    sent = len(json.dumps(body).encode())
    result: dict = {}

    def run() -> None:
        result["reply"] = answer("recalc", body)

    seconds = best(run, repeat)
    reply = result["reply"]
    assert reply.status == 200, reply.body
    actions = reply.actions
    back = len(json.dumps(reply.body, ensure_ascii=False).encode())
    biggest = max(len(json.dumps(a, ensure_ascii=False).encode()) for a in actions)
    cells = max(sum(len(r) for r in a["values"]) for a in actions)
    print(f"{label}: request {sent / 1e6:.2f} MB; service recalc {seconds:.2f} s; answer {back / 1e6:.2f} MB in "
          f"{len(actions)} actions (largest {biggest / 1e3:.0f} KB, {cells} cells)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--teachers", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    from cpdsheets.samples.synthetic import generate

    with tempfile.TemporaryDirectory() as folder:
        demo = Path(shutil.copy(HERE.parent / "workbook" / "demo_school.xlsm", Path(folder) / "demo.xlsm"))
        measure("demo (12 teachers)", demo, args.repeat)
        big = generate(Path(folder) / "big.xlsx", teachers=args.teachers, rows=args.rows, seed=22)
        measure(f"generated ({args.teachers} teachers, {args.rows:,} rows)", big, args.repeat)


if __name__ == "__main__":
    main()
