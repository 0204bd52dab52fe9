#!/usr/bin/env bash
# Build heaven as it was at commit REF, its Rust extension included, into
# DEST: a directory to put first on a server's PYTHONPATH, for
# `run.py --against DEST` (the same bench apps served by the earlier heaven).
# Done once per REF: a later call finds DEST built and returns at once.
#
#     bash benches/http/build_before.sh 8714113 benches/http/.before-issue14
set -euo pipefail
ref=$1
dest=$2
root=$(git rev-parse --show-toplevel)
if ! commit=$(git -C "$root" rev-parse --verify --quiet "$ref^{commit}"); then
    echo "build_before.sh: commit $ref is not in this clone (a shallow clone? git fetch --unshallow)" >&2
    exit 1
fi
stamp="$dest/.built-from-$commit"
if [ -f "$stamp" ]; then
    exit 0
fi
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
git -C "$root" archive "$commit" | tar -x -C "$src"
(cd "$src" && "$root/.venv/bin/maturin" build --release --quiet --out "$src/wheel")
rm -rf "$dest"
"$root/.venv/bin/pip" install --quiet --no-deps --target "$dest" "$src"/wheel/*.whl
touch "$stamp"
echo "heaven at ${commit:0:7} built into $dest"
