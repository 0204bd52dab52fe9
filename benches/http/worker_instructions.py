"""Instructions per request inside a real granian worker, counted by
callgrind: heaven and the bare app of its interface, under the same server,
so heaven's own cost *as served* is a number that does not move with the
machine's load (wrk's throughput and `cpu_split.py` move ±0.5 µs from run
to run; this moves by a few hundred instructions within a run, up to ~1,000
between runs on a machine whose speed changed, from work granian and the
event loop do by the clock rather than by the request: compare within a run).

    .venv/bin/python benches/http/worker_instructions.py
    .venv/bin/python benches/http/worker_instructions.py --against /tmp/before   # an earlier python/ tree too
    .venv/bin/python benches/http/worker_instructions.py --endpoints plaintext --interfaces asgi
    .venv/bin/python benches/http/worker_instructions.py --endpoints validate --against /tmp/before  # POSTs run.py's order

Each measurement starts granian (one worker, one runtime thread, uvloop)
under `valgrind --tool=callgrind --trace-children=yes` and sends sequential
keep-alive requests on one connection: `SMALL` to warm the worker, then
`LARGE - SMALL` more, with callgrind dumping its counts after each part
(`callgrind_control`). The second part's count in the worker (the process
with the largest), over its requests, is one
request's cost in the worker: granian's, the interpreter's and the app's
user-space instructions, start-up and warm-up excluded. The kernel's share
is not counted (callgrind sees user space only), so the ratio of two counts
is not a throughput ratio; heaven less the bare app is heaven's own work.
Needs valgrind (Debian package); about 20 s a measurement.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (before_tree)

ROOT = HERE.parent.parent
GRANIAN = ROOT / ".venv" / "bin" / "granian"
APPS = {"asgi": ("bare_app:app", "heaven_app:app"), "rsgi": ("bare_rsgi_app:app", "heaven_app:app")}
PATHS = {"plaintext": "/plaintext", "json": "/json", "params": "/users/42/posts/7", "validate": "/validate"}
ORDER = run.load_body()  # validate's body: the bytes wrk POSTs in run.py
SMALL, LARGE = 500, 2500  # warm-up, then measured: under callgrind a request takes ~1 ms


def per_request(app: str, interface: str, path: str, pythonpath: str | None, port: int = 0,
                small: int = SMALL, large: int = LARGE, keep: str | None = None) -> float:  # fmt: skip
    """One request's instructions in the worker: `small` requests to warm
    it, a dump, `large - small` more, a dump; the second dump holds only the
    requests between the two. A start that hangs under valgrind (rare:
    threads waiting on each other, which valgrind runs one at a time) is
    retried."""
    for attempt in range(3):
        try:
            return _count(app, interface, path, pythonpath, port, small, large - small, keep) / (large - small)
        except _Stuck:
            print(f"granian did not start under valgrind ({app}, attempt {attempt + 1}); again", file=sys.stderr)
    raise RuntimeError(f"granian did not start under valgrind three times ({app})")


class _Stuck(Exception):
    pass


def _count(app: str, interface: str, path: str, pythonpath: str | None, port: int, warm: int, n: int,
           keep: str | None) -> int:  # fmt: skip
    port = port or _free_port()
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--trace-children=yes", "--fair-sched=yes", f"--callgrind-out-file={out}/cg.%p",
             str(GRANIAN), "--interface", interface, "--workers", "1", "--runtime-threads", "1", "--no-ws",
             "--loop", "uvloop", "--host", "127.0.0.1", "--port", str(port), app],
            cwd=HERE / "apps", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        # The counts are dumped while the server runs (`callgrind_control`):
        # granian's shutdown under valgrind sometimes never ends, and a
        # process killed before it exits writes nothing.
        try:
            with _connect(port, server) as conn:
                request = request_for(path, port)
                for _ in range(warm):
                    _exchange(conn, request)
                _dump(server.pid)  # part 1: start-up and warm-up
                for _ in range(n):
                    _exchange(conn, request)
                _dump(server.pid)  # part 2: the `n` requests alone
        finally:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        counts = {}
        for name in glob.glob(f"{out}/cg.*.2"):
            match = re.search(r"^summary: (\d+)", Path(name).read_text(errors="replace"), re.M)
            if match:
                counts[name] = int(match.group(1))
        if not counts:
            raise RuntimeError(f"callgrind dumped no counts for {app} ({interface})")
        worker = max(counts, key=counts.__getitem__)  # the process that served
        if keep:  # the worker's measured part, for `callgrind_annotate`
            Path(keep).mkdir(parents=True, exist_ok=True)
            label = f"{app.split(':')[0]}-{interface}-{path.strip('/').replace('/', '_')}-{'before' if pythonpath else 'now'}"
            shutil.copy(worker, Path(keep) / f"{label}.callgrind")
        return counts[worker]


def request_for(path: str, port: int) -> bytes:
    """One request to `path` as wrk sends it: a GET, or for /validate the
    order POSTed as JSON."""
    method, body = ("POST", ORDER) if path == PATHS["validate"] else ("GET", b"")
    fields = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body else ""
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: wrk\r\n{fields}\r\n".encode() + body


def _dump(leader: int) -> None:
    for pid in _group(leader):
        subprocess.run(["callgrind_control", "--dump", str(pid)], capture_output=True, timeout=120, check=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _group(leader: int) -> list[int]:
    """The processes of `leader`'s process group (valgrind, and the worker
    granian spawned under it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == leader:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _connect(port: int, server: subprocess.Popen[bytes]) -> socket.socket:
    deadline = time.monotonic() + 120  # it starts in ~15 s under valgrind
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port))
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("granian exited under valgrind") from None
            if time.monotonic() > deadline:
                raise _Stuck from None
            time.sleep(0.5)


def _exchange(conn: socket.socket, request: bytes) -> None:
    """One request, its whole answer read (a 200 with a Content-Length)."""
    conn.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"unexpected answer: {head[:80]!r}")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    if length is None:
        raise RuntimeError("an answer without Content-Length")
    while len(body) < int(length.group(1)):
        body += conn.recv(65536)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", help="a directory holding an earlier `heaven` package (the 'before')")
    parser.add_argument("--endpoints", default=",".join(PATHS))
    parser.add_argument("--interfaces", default="asgi,rsgi")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    parser.add_argument("--requests", type=int, nargs=2, default=(SMALL, LARGE), metavar=("SMALL", "LARGE"),
                        help="warm-up requests, and the total (default: %(default)s)")  # fmt: skip
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--keep", metavar="DIR", help="keep the worker's measured counts here, one file a measurement (read them with callgrind_annotate)")
    args = parser.parse_args()
    if args.against:
        args.against = str(run.before_tree(args.against))
    header = "| endpoint | interface | bare app | heaven | heaven's own |" + (
        " before: heaven's own | after/before |" if args.against else ""
    )
    lines = [header, "|---|---|---:|---:|---:|" + ("---:|---:|" if args.against else "")]
    print(header, flush=True)
    print(lines[1], flush=True)
    for interface in args.interfaces.split(","):
        bare_app, heaven_app = APPS[interface]
        for endpoint in args.endpoints.split(","):
            path = PATHS[endpoint]
            n = args.requests
            bare = per_request(bare_app, interface, path, None, args.port, *n, keep=args.keep)
            heaven = per_request(heaven_app, interface, path, None, args.port, *n, keep=args.keep)
            row = f"| {endpoint} | {interface} | {bare:,.0f} | {heaven:,.0f} | {heaven - bare:,.0f} |"
            if args.against:
                before = per_request(heaven_app, interface, path, args.against, args.port, *n, keep=args.keep) - bare
                row += f" {before:,.0f} | {(heaven - bare) / before:.3f} |"
            print(row, flush=True)
            lines.append(row)
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
