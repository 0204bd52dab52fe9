"""Print the median of every criterion benchmark as a markdown table.

    cargo bench -p heaven-core --bench router && python benches/criterion_medians.py

Reads target/criterion/**/new/{estimates,benchmark}.json; a benchmark with a
throughput of N elements also gets its median per element.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "target" / "criterion"


def fmt(ns: float) -> str:
    return f"{ns / 1000:,.2f} µs" if ns >= 10_000 else f"{ns:,.0f} ns"


def main() -> int:
    rows = []
    for estimates in sorted(ROOT.glob("**/new/estimates.json")):
        bench = json.loads((estimates.parent / "benchmark.json").read_text())
        median = json.loads(estimates.read_text())["median"]["point_estimate"]
        elements = (bench.get("throughput") or {}).get("Elements") or 1
        rows.append((bench["full_id"], median, elements))
    if not rows:
        print(f"no criterion results under {ROOT}; run cargo bench first", file=sys.stderr)
        return 1
    print("| benchmark | median | per lookup |")
    print("|---|---:|---:|")
    for name, median, elements in rows:
        print(f"| `{name}` | {fmt(median)} | {fmt(median / elements)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
