#!/usr/bin/env bash
# Creates benches/http/.venv-heaven243 (git-ignored): the original pure-Python
# Heaven, PyPI `heaven==2.4.3`, with its dependencies pinned. It needs a venv of
# its own because its import name is `heaven`, the same as this repository's
# package. Used by `make test` (tests/compat runs its apps side by side with
# ours) and by benches/http/setup_peers.sh (which adds granian for the bench).
# Idempotent: a venv that already imports 2.4.3 is left as it is.
#
#   bash tests/compat/setup_heaven243.sh            # prints the venv's python
#   PY=/path/to/python bash tests/compat/setup_heaven243.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PY="${PY:-$REPO/.venv/bin/python}"
VENV="$REPO/benches/http/.venv-heaven243"

if [ ! -x "$PY" ]; then
    echo "setup_heaven243.sh: no interpreter at $PY (run \`make install\` first, or set PY=)" >&2
    exit 1
fi

check() {
    "$VENV/bin/python" -c 'import heaven, pytastic; assert heaven.__version__ == "2.4.3", heaven.__version__' 2>/dev/null
}

if [ -x "$VENV/bin/python" ] && check; then
    echo "$VENV/bin/python"
    exit 0
fi

# On the same CPython as the project venv (`python -m venv` from a venv uses
# that venv's base interpreter), so both sides convert values alike.
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "heaven==2.4.3" "pytastic==0.6.1" "orjson==3.13.0" "aiofiles==23.2.1" \
    "jinja2==3.1.6" "markupsafe==3.0.4" "uvicorn==0.54.0" "h11==0.16.0" \
    "click==8.5.1" "rich==15.0.0" "websockets==17.4"
check || { echo "setup_heaven243.sh: $VENV does not import heaven 2.4.3" >&2; exit 1; }
echo "$VENV/bin/python"
