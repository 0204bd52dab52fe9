"""What /proc says about a granian server: its worker process, CPU time and
resident memory. Used by live.py (server CPU over the measured window) and
benches/startup.py (the idle worker's RSS). Linux only, standard library.

granian 2.8.7 with `--workers 1` is two processes: the main process
(`granian ...`, the supervisor: it binds the socket, starts and watches the
worker, serves nothing) and one worker, its child, which imports the app
and serves every request. `taskset` execs granian, so the pid run.Server
holds is the supervisor's.
"""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct children of `pid` (every thread's list, merged)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(out))


def worker(pid: int) -> int:
    """The one worker of the granian supervisor `pid`; an error if it has not exactly one child."""
    kids = children(pid)
    if len(kids) != 1:
        raise RuntimeError(f"granian {pid} has {len(kids)} child processes ({kids}), expected one worker")
    return kids[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far, all its threads."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)


def rss_kib(pid: int) -> int:
    """VmRSS of the process, in KiB (resident: anonymous + file-backed + shared memory)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")
