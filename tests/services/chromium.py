"""Headless Chromium for browser tests: Debian's `chromium` driven through
Debian's `chromium-driver` by selenium. Nothing is downloaded: the paths are
given, so selenium never looks for (or fetches) a browser of its own.

Also here: a PNG reader that says whether a screenshot shows anything, and
what to print when a browser test fails (console messages, the page's text).
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

NOT_INSTALLED = (
    "Chromium or its driver is not installed (chromium and chromedriver on PATH): "
    "run `make system-deps` (Debian's chromium and chromium-driver)"
)


def binaries() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def start(browser: str, driver: str, width: int = 1000, height: int = 700):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # belt and braces: never fetch anything
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--no-first-run", "--disable-extensions", "--lang=en-US"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


def describe(drivers: dict[str, object]) -> str:
    """Each page's URL, console messages and visible text."""
    from selenium.webdriver.common.by import By

    parts = []
    for name, driver in drivers.items():
        try:
            url = driver.current_url
            console = "\n".join(f"  [{e['level']}] {e['message']}" for e in driver.get_log("browser")) or "  (none)"
            text = driver.find_element(By.TAG_NAME, "body").text
        except Exception as exc:  # the browser itself may be what failed
            parts.append(f"--- page {name}: cannot be read: {exc!r}")
            continue
        parts.append(f"--- page {name} at {url}\nconsole:\n{console}\ntext:\n{text}")
    return "\n".join(parts)


@contextmanager
def explained(**drivers: object) -> Iterator[None]:
    """A failure inside the block carries what each page showed and logged."""
    try:
        yield
    except Exception as exc:
        raise AssertionError(f"browser test failed: {type(exc).__name__}: {exc}\n{describe(drivers)}") from exc


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of raw RGB/RGBA bytes) of an 8-bit, non-interlaced
    PNG, which is what Chromium writes."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, color type {color}, interlace {interlace})")
    channels = 4 if color == 6 else 3
    stride = width * channels
    raw = zlib.decompress(b"".join(idat))
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:  # Sub
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def colour_summary(path: Path) -> tuple[int, float]:
    """(number of distinct colours, share of the most common colour) in a
    screenshot: a blank page is one colour, a page with text has many."""
    width, height, rows = png_pixels(path)
    channels = len(rows[0]) // width
    counts: dict[bytes, int] = {}
    for row in rows:
        for i in range(0, len(row), channels):
            pixel = row[i : i + 3]
            counts[pixel] = counts.get(pixel, 0) + 1
    return len(counts), max(counts.values()) / (width * height)
