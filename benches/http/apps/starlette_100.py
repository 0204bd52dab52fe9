"""Starlette with 100 unrelated routes listed before the benchmarked ones."""

from starlette_app import build

app = build(100)
