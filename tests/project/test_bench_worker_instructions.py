"""benches/http/worker_instructions.py: a smoke run under real granian and
valgrind, both apps of one interface, a few requests each (~1 min). The
counts must be a request's worth (tens of thousands of instructions), and
heaven's own share (heaven less the bare app) positive and a fraction of
the whole: the worker measured was the one that served. `--against` must
count the tree it names (a relative one was once silently the installed
heaven), and refuse one without heaven."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benches" / "http" / "worker_instructions.py"


def test_a_smoke_run_counts_heaven_and_the_bare_app_in_the_worker():
    assert shutil.which("valgrind") is not None, "valgrind is missing: `make system-deps` installs Debian's valgrind"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--endpoints", "plaintext", "--interfaces", "asgi", "--requests", "20", "120"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    row = next(line for line in done.stdout.splitlines() if line.startswith("| plaintext | asgi |"))
    bare, heaven, own = (float(cell.strip().replace(",", "")) for cell in row.split("|")[3:6])
    assert 10_000 < bare < 1_000_000, row
    assert abs(heaven - bare - own) <= 1 and 0 < own < heaven / 2, row



def _load():
    spec = importlib.util.spec_from_file_location("worker_instructions", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _heaven_in_the_worker(pythonpath):
    """Where the worker's interpreter, started as the script starts it (in apps/), imports heaven from."""
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else dict(os.environ)
    found = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", "import heaven; print(heaven.__file__)"],
        cwd=SCRIPT.parent / "apps", env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(found.stdout.strip()).resolve()


def test_against_a_relative_tree_counts_that_tree_not_the_installed_heaven(tmp_path, monkeypatch):
    # The worker runs in benches/http/apps: a relative PYTHONPATH passed on
    # as given named nothing there, and the installed heaven was counted as
    # the 'before'. The tree is now made absolute (run.before_tree, shared
    # with run.py --against).
    tree = tmp_path / "before"
    (tree / "heaven").mkdir(parents=True)
    (tree / "heaven" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    module = _load()
    before = str(module.run.before_tree("before"))
    assert before == str(tree.resolve())
    assert _heaven_in_the_worker(before) == (tree / "heaven" / "__init__.py").resolve()
    assert _heaven_in_the_worker(None).parent.name == "heaven"
    assert tree not in _heaven_in_the_worker(None).parents
    assert tree not in _heaven_in_the_worker("before").parents  # what the relative tree did


def test_against_a_tree_without_heaven_is_refused_before_anything_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--against", str(tmp_path), "--endpoints", "plaintext", "--interfaces", "asgi"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"--against {tmp_path}: no heaven/__init__.py there" in done.stderr


def test_validate_is_counted_with_the_order_wrk_posts():
    # The no-slower row's validate endpoint, counted in the worker: the same
    # POST as run.py's wrk script sends, so the worker runs the contract.
    module = _load()
    post = module.request_for("/validate", 8000)
    head, _, body = post.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n")
    assert b"\r\nContent-Type: application/json\r\n" in head + b"\r\n"
    assert f"\r\nContent-Length: {len(body)}".encode() in head
    assert body == module.run.load_body() and len(body) > 1000
    get = module.request_for("/plaintext", 8000)
    assert get == b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: wrk\r\n\r\n"
