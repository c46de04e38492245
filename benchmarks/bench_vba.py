"""Print the size and timing figures of the VBA chain: per-module text and compressed sizes,
the vbaProject.bin size, and how long compression and a full build take.

usage: python benchmarks/bench_vba.py [WORKSHEET_COUNT]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cpdsheets.doors.vba import build_from_sources, load_modules
from cpdsheets.doors.vba.compression import compress, decompress

XLMACROS = Path(__file__).resolve().parents[1] / "xlmacros"


def main() -> None:
    sheets = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    modules = load_modules(XLMACROS, sheets)
    print(f"{'module':<14}{'kind':<10}{'text B':>9}{'packed B':>10}{'ratio':>8}{'pack ms':>9}{'unpack ms':>10}")
    total_text = total_packed = 0
    for module in modules:
        text = module.source.encode("cp936")
        start = time.perf_counter()
        packed = compress(text)
        packed_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        assert decompress(packed) == text
        unpack_ms = (time.perf_counter() - start) * 1000
        total_text += len(text)
        total_packed += len(packed)
        print(f"{module.name:<14}{module.kind.value:<10}{len(text):>9}{len(packed):>10}"
              f"{len(packed) / len(text):>8.3f}{packed_ms:>9.1f}{unpack_ms:>10.1f}")
    print(f"{'all modules':<24}{total_text:>9}{total_packed:>10}{total_packed / total_text:>8.3f}")
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        data = build_from_sources(XLMACROS, sheets)
    print(f"vbaProject.bin for {sheets} sheets: {len(data)} bytes, build {(time.perf_counter() - start) / runs * 1000:.0f} ms")


if __name__ == "__main__":
    main()
