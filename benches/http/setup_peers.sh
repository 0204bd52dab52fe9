#!/usr/bin/env bash
# Installs the peers benches/http/run.py measures heaven against (idempotent):
#
# - into the project venv (.venv, or $PY's): Starlette, FastAPI + pydantic,
#   Litestar and BlackSheep, at the versions the published numbers were
#   measured with;
# - into benches/http/.venv-heaven243 (git-ignored): the original pure-Python
#   Heaven, PyPI `heaven==2.4.3`, with granian and uvloop at the versions the
#   project venv has. It needs its own venv: its import name is `heaven`, the
#   same as this repository's package. Its dependencies are pinned too.
#
#   bash benches/http/setup_peers.sh
#   PY=/path/to/python bash benches/http/setup_peers.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PY="${PY:-$REPO/.venv/bin/python}"
VENV="$HERE/.venv-heaven243"

if [ ! -x "$PY" ]; then
    echo "setup_peers.sh: no interpreter at $PY (run \`make install\` first, or set PY=)" >&2
    exit 1
fi

# Peers living next to heaven in the project venv.
"$PY" -m pip install --quiet \
    "starlette==1.10.0" "fastapi==0.165.0" "pydantic==2.14.3" \
    "litestar==2.25.0" "blacksheep==2.6.4"
# work.py: Starlette's and FastAPI's form parsing (request.form(), UploadFile, Form()) needs it.
"$PY" -m pip install --quiet "python-multipart==0.0.34"

# The original Heaven in a venv of its own (tests/compat/setup_heaven243.sh,
# shared with `make test`), plus the server the bench runs it under.
bash "$REPO/tests/compat/setup_heaven243.sh" >/dev/null
"$VENV/bin/python" -m pip install --quiet \
    "granian[uvloop]==2.8.7" "uvloop==0.23.0"

# Check: 2.4.3 is the heaven that venv imports, and the bench app loads.
(cd "$HERE/apps" && "$VENV/bin/python" -c '
import heaven, heaven243_app
assert heaven.__version__ == "2.4.3", heaven.__version__
print("heaven", heaven.__version__, "from", heaven.__file__)
')
"$PY" -c '
from importlib import import_module, metadata
for name in ("starlette", "fastapi", "pydantic", "litestar", "blacksheep", "python_multipart"):
    import_module(name)
print(", ".join(f"{d} {metadata.version(d)}" for d in ("starlette", "fastapi", "pydantic", "litestar", "blacksheep", "python-multipart")))
'
