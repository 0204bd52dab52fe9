"""heaven with 100 unrelated routes registered before the benchmarked ones."""

from heaven_app import build

app = build(100)
