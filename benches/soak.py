"""Memory soak: 1,000,000 requests to the JSON endpoint of heaven under
granian; the worker's RSS after all of them must stay within 5% of its RSS
after the first 100,000 (a leak of even a few bytes per request shows).

    .venv/bin/python benches/soak.py [--interface asgi|rsgi] [--total 1000000]

Needs `wrk` (Debian's `wrk` package). Server on CPU 0, wrk on CPU 1.
"""

from __future__ import annotations

import argparse
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

APPS = Path(__file__).resolve().parent / "http" / "apps"
_REQUESTS = re.compile(r"(\d+) requests in")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_of(pid: int, timeout: float = 20.0) -> int:
    """granian's main process spawns one worker; that one serves."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            found = children.read().split()
        if found:
            return int(found[0])
        time.sleep(0.1)
    raise RuntimeError("granian started no worker")


def load(url: str, requests: int, rate: float) -> int:
    """Run wrk long enough for about `requests` requests; returns how many it did."""
    seconds = max(1, round(requests / rate))
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = _REQUESTS.search(out)
    if match is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return int(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interface", choices=["asgi", "rsgi"], default="asgi")
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--first", type=int, default=100_000)
    parser.add_argument("--limit", type=float, default=5.0, help="allowed RSS growth in percent")
    args = parser.parse_args()

    port = free_port()
    granian = Path(sys.executable).parent / "granian"
    server = subprocess.Popen(
        ["taskset", "-c", "0", str(granian), "--interface", args.interface, "--loop", "uvloop", "--workers", "1",
         "--port", str(port), "--working-dir", str(APPS), "heaven_app:app"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        worker = worker_of(server.pid)
        url = f"http://127.0.0.1:{port}/json"
        time.sleep(1.0)
        done = load(url, args.first, 40_000)
        rate = done / max(1, round(args.first / 40_000))
        after_first = rss_kib(worker)
        print(f"after {done:,} requests: worker RSS {after_first / 1024:.1f} MB")
        while done < args.total:
            done += load(url, min(args.total - done, 400_000), rate)
            print(f"after {done:,} requests: worker RSS {rss_kib(worker) / 1024:.1f} MB")
        final = rss_kib(worker)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    growth = (final - after_first) / after_first * 100
    verdict = "PASS" if growth <= args.limit else "MISS"
    print(f"RSS after the first {args.first:,}: {after_first / 1024:.1f} MB; after {done:,}: {final / 1024:.1f} MB; "
          f"growth {growth:+.2f}% (limit {args.limit}%): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
