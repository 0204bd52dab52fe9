"""A throwaway PostgreSQL server: `initdb` into a temporary folder, `pg_ctl
start` on a free loopback port, stopped and deleted at the end. The tests use
it (tests/services/plugin.py), and so do the examples' make targets:

    python tests/services/postgres.py -- CMD ARGS...

runs CMD with DATABASE_URL pointing at a fresh database (or, when
DATABASE_URL is already set, just runs CMD), and stops the server when CMD
ends, however it ends.

PostgreSQL refuses to run as root, so under root the server runs as the
`postgres` user that Debian's package creates (else `nobody`).
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path

NOT_INSTALLED = (
    "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): "
    "run `make system-deps` (Debian's postgresql package), or set HEAVEN_TEST_PG_DSN to a server you have"
)


def bindir() -> Path | None:
    """Where initdb and pg_ctl live: Debian keeps them off PATH, in
    /usr/lib/postgresql/<major>/bin (the newest major wins)."""
    debian = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if debian:
        newest = max(debian, key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)))
        return Path(newest).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(dsn: str, name: str) -> str:
    """`dsn` with its database part replaced by `name`."""
    parts = urllib.parse.urlsplit(dsn)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


async def _execute(dsn: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class Databases:
    """Creates and drops databases on a server reached through an admin DSN.
    Names get a random suffix, so runs sharing one server never collide."""

    def __init__(self, admin_dsn: str) -> None:
        self.admin_dsn = admin_dsn
        self.created: list[str] = []

    def create(self, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        asyncio.run(_execute(self.admin_dsn, f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return with_database(self.admin_dsn, name)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(_execute(self.admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()


class Server:
    """One PostgreSQL cluster in a temporary folder, on 127.0.0.1 only, with
    trust authentication for the `postgres` superuser (nothing else can
    reach a loopback port that lives for one test run)."""

    def __init__(self, binaries: Path) -> None:
        self.bin = binaries
        # Under root the server's user must reach the folder: /tmp, not a TMPDIR inside /root.
        self.root = Path(tempfile.mkdtemp(prefix="heaven-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.admin_dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False
        self._user: dict = {}
        if os.geteuid() == 0:
            account = _unprivileged_account()
            self._user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]], cwd=self.root, env=env, capture_output=True, text=True, **self._user
        )

    def start(self) -> Server:
        done = self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
        if done.returncode != 0:
            self.remove()
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        # -F: no fsync (a throwaway cluster); the socket goes into our folder, not /run/postgresql.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F"
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            self.remove()
            raise RuntimeError(f"pg_ctl start failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{log}")
        self.running = True
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown: clients are disconnected) and
        delete its folder."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")
            self.running = False
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def is_running(self) -> bool:
        return self.running and self._run("pg_ctl", "-D", str(self.data), "status").returncode == 0


def _unprivileged_account() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is neither a `postgres` nor a `nobody` user to run PostgreSQL as")


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--" or len(argv) < 2:
        print("usage: postgres.py -- CMD [ARGS...]   (runs CMD with DATABASE_URL set)", file=sys.stderr)
        return 2
    command = argv[1:]
    if os.environ.get("DATABASE_URL"):
        os.execvp(command[0], command)
    binaries = bindir()
    if binaries is None:
        print(NOT_INSTALLED, file=sys.stderr)
        return 1
    server = Server(binaries).start()
    try:
        dsn = Databases(server.admin_dsn).create("heaven_example")
        print(f"throwaway PostgreSQL: DATABASE_URL={dsn} (stopped when the command ends)", file=sys.stderr, flush=True)
        # The command gets a process group of its own, so a Ctrl-C reaches it
        # once, from here, as from a process manager: granian (whose workers
        # would otherwise get the terminal's signal too, and race their own
        # main process to the exit) then shuts its workers down in order.
        child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": dsn}, start_new_session=True)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda signum, _: child.send_signal(signum))
        # The server is stopped once the command has ended (the `finally`).
        return child.wait()
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
