"""Instructions per request, counted by valgrind's callgrind: a cost that does
not move with whatever else the machine is doing, so a before/after
comparison holds on a busy 2-core box where timings do not.

    .venv/bin/python benches/instructions.py                       # this tree
    .venv/bin/python benches/instructions.py --against /tmp/before # and an earlier python/ tree
    .venv/bin/python benches/instructions.py --seeds 5 --cases plaintext --against /tmp/before  # a change under ~500
    .venv/bin/python benches/instructions.py --against benches/http/.before-issue14 --markdown FILE  # `make bench`

Each case of benches/dispatch.py runs `SMALL` and then `LARGE` requests in
one process under callgrind; the difference divided by the extra requests
is the cost of one request, start-up and warm-up excluded. Needs valgrind
(Debian package). Times remain the measure of speed (dispatch.py, the HTTP
bench); this is the steady yardstick between them. Heaven's own cost is a
case's count less its interface's bare app's (`bare`, `bare_rsgi`), shown
when that bare case is among those counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = ("bare", "plaintext", "json", "params", "params_1000", "hooks", "validate",
         "bare_rsgi", "rsgi_plaintext", "rsgi_json", "rsgi_params", "rsgi_params_1000", "rsgi_hooks", "rsgi_validate")  # fmt: skip
SMALL, LARGE = 1_000, 3_000  # enough for a steady difference, quick enough to run often


def run_case(case: str, n: int) -> None:
    """Serve `n` requests of `case` in-process (called under callgrind)."""
    sys.path.insert(0, str(HERE))
    import dispatch

    name = case.removeprefix("rsgi_")
    app = dispatch.build_1000() if name == "params_1000" else dispatch.build()
    if case == "bare":
        asyncio.run(dispatch.measure(dispatch.bare, dispatch.scope("/plaintext"), n))
    elif case == "bare_rsgi":
        asyncio.run(dispatch.measure_rsgi(dispatch.bare_rsgi, dispatch._RsgiScope("/plaintext"), n))
    else:
        path = dispatch.PATHS[name]
        method, body = ("POST", dispatch.ORDER) if name == "validate" else ("GET", b"")
        if case.startswith("rsgi_"):
            asyncio.run(dispatch.measure_rsgi(app.__rsgi__, dispatch._RsgiScope(path, method, body), n, body))
        else:
            asyncio.run(dispatch.measure(app, dispatch.scope(path, method, body), n, body))


def instructions(case: str, n: int, pythonpath: str | None, seed: int = 0) -> int:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, "--run", case, str(n)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    match = re.search(r"Collected : (\d+)", done.stderr)
    if match is None:
        raise RuntimeError(f"callgrind gave no count for {case}:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def per_request(case: str, pythonpath: str | None, seeds: int = 1, small: int = SMALL, large: int = LARGE) -> float:
    """One request's instructions: the median over `seeds` hash seeds (0, 1, ...).
    One seed makes a tree's count repeatable, but where a tree's objects land
    in memory moves its count by a few hundred instructions from one tree to
    the next; the median over several seeds is the steadier comparison."""
    instructions(case, 10, pythonpath)  # warm-up: bytecode caches written, so both runs below load the same files
    counts = [
        (instructions(case, large, pythonpath, seed) - instructions(case, small, pythonpath, seed)) / (large - small)
        for seed in range(seeds)
    ]
    return statistics.median(counts)


def bare_of(case: str) -> str:
    """The bare app of a case's interface: what heaven's own cost is measured from."""
    return "bare_rsgi" if case.startswith("rsgi_") or case == "bare_rsgi" else "bare"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", help="a directory holding an earlier `heaven` package (the 'before')")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--seeds", type=int, default=1, help="hash seeds a count, the median kept (default 1)")
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--requests", type=int, nargs=2, default=(SMALL, LARGE), metavar=("SMALL", "LARGE"),
                        help="requests of the two runs whose difference is counted (default: %(default)s)")  # fmt: skip
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_case(args.run[0], int(args.run[1]))
        return 0
    cases = [c for c in args.cases.split(",") if c]
    if args.against:
        lines = ["| case | before (instr/request) | after | after/before | own before | own after | own after/before |",
                 "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    else:
        lines = ["| case | instructions/request | own |", "|---|---:|---:|"]
    print(*lines, sep="\n", flush=True)
    after: dict[str, float] = {}
    for case in cases:
        base = bare_of(case)
        after[case] = per_request(case, None, args.seeds, *args.requests)
        bare = after.get(base) if case != base else None
        own = "–" if bare is None else f"{after[case] - bare:,.0f}"
        if args.against:
            # The bare apps use no heaven: their count is the same in both trees.
            before = after[case] if case == base else per_request(case, args.against, args.seeds, *args.requests)
            own_before = "–" if bare is None else f"{before - bare:,.0f}"
            ratio = "–" if bare is None else f"{(after[case] - bare) / (before - bare):.3f}"
            row = f"| {case} | {before:,.0f} | {after[case]:,.0f} | {after[case] / before:.3f} | {own_before} | {own} | {ratio} |"
        else:
            row = f"| {case} | {after[case]:,.0f} | {own} |"
        print(row, flush=True)
        lines.append(row)
    if args.markdown:
        Path(args.markdown).write_text(
            "## Instructions a request, in-process (callgrind)\n\n"
            + (f"Before: the `heaven` package in `{args.against}`; after: this tree. " if args.against else "")
            + "Own: a case less the bare app of its interface.\n\n" + "\n".join(lines) + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
