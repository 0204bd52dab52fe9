"""Seeded random route tables, request paths and route patterns, generated
identically in both interpreters (only `random.Random(seed)` decides), so
the suite can register the same tables on both frameworks and send them the
same paths.
"""

from __future__ import annotations

import random
from urllib.parse import quote

TYPE_NAMES = ["int", "float", "bool", "str", "date", "datetime", "uuid", "Int", "INT", "Str", "UUID", "Date"]
LITERALS = ["a", "b", "c", "users", "v1", "files", "2024", "x.y", "1", "caf\u00e9"]
VALUES = {
    "int": ["42", "-7", "+3", "007", "1_000", " 5 ", "123456789012345678901234567890", "4.0", "x", "1__0", "_1", "\u0663"],
    "float": ["1.5", "2", "1e3", "-0.5", ".5", "5.", "1_0.5", "inf", "-Infinity", "nan", "abc", "1e", " 2.5", "1.e5"],
    "bool": ["true", "FALSE", "1", "0", "yes", " true", "True", "t"],
    "date": ["2024-02-29", "20240229", "2024-W09-4", "2024W094", "2024-W09", "2024W09", "2023-02-29",
             "2024-13-01", "2024-1-01", "0000-01-01", "2024-W53-1", "2020-W53-7", "2024-02-29x", "2024010100"],
    "datetime": ["2024-05-01T10:20:30", "2024-05-01 10:20", "20240501T1020", "2024-05-01T10:20:30.123456+02:00",
                 "2024-05-01T10:20:30Z", "2024-05-01T10", "2024-05-01T10:20:30,5", "2024-05-01", "2024-W18-3T10:00",
                 "2024-05-01T25:00", "2024-05-01T10:20:30+0530", "2024-05-01T10:20:30.1234567", "x", "2024-05-01T10:20:30-24:00"],
    "uuid": ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3F2504E04F8911D39A0C0305E82C3301",
             "{3f2504e0-4f89-11d3-9a0c-0305e82c3301}", "urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301",
             "3f2504e0-4f89-11d3-9a0c-0305e82c330", "3f2504e04f89-11d3-9a0c-0305e82c3301", "zz"],
    "str": ["sale", "hello world", "a+b", "\u00e9t\u00e9", "%", "-", "."],
}
ALL_VALUES = [v for values in VALUES.values() for v in values]


def _kind(type_name: str) -> str:
    return type_name.lower()


def route_table(rng: random.Random) -> list[str]:
    """Three to nine GET routes. Parameters are named by position, so a
    route never repeats a name; at most one route per 2.4.3 tree shape
    (literal / ':' / '*' per segment), so both frameworks accept them all."""
    routes: list[str] = []
    shapes: set[tuple[str, ...]] = set()
    for _ in range(rng.randint(3, 9)):
        depth = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])
        segments: list[str] = []
        shape: list[str] = []
        for position in range(depth):
            last = position == depth - 1
            roll = rng.random()
            if last and roll < 0.15:
                segments.append("*")
                shape.append("*")
            elif roll < 0.55:
                literal = rng.choice(LITERALS)
                segments.append(literal)
                shape.append("=" + literal)
            else:
                name = f"p{position}"
                if rng.random() < 0.6:
                    name += ":" + rng.choice(TYPE_NAMES)
                segments.append(":" + name)
                shape.append(":")
        key = tuple(shape)
        if key in shapes:
            continue
        shapes.add(key)
        route = "/" + "/".join(segments)
        if rng.random() < 0.3:
            route += "?q:" + rng.choice(TYPE_NAMES)
        routes.append(route)
    return routes


def _segment_value(rng: random.Random, segment: str) -> list[str]:
    if segment == "*":
        return [rng.choice(LITERALS + ALL_VALUES) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
    if segment.startswith(":"):
        _, _, type_name = segment[1:].partition(":")
        pool = VALUES.get(_kind(type_name) or "str", VALUES["str"])
        return [rng.choice(pool if rng.random() < 0.7 else ALL_VALUES + LITERALS)]
    return [segment if rng.random() < 0.85 else rng.choice(LITERALS)]


def request_paths(rng: random.Random, routes: list[str], count: int = 40) -> list[str]:
    """Raw (percent-encoded) request targets aimed at the table: filled-in
    routes, mutations of them, and strays."""
    paths: list[str] = []
    for _ in range(count):
        if routes and rng.random() < 0.8:
            route = rng.choice(routes).partition("?")[0]
            values: list[str] = []
            for segment in [s for s in route.split("/") if s]:
                values.extend(_segment_value(rng, segment))
        else:
            values = [rng.choice(LITERALS + ALL_VALUES) for _ in range(rng.randint(0, 4))]
        if values and rng.random() < 0.1:
            values.insert(rng.randrange(len(values) + 1), "")  # an empty segment: `//`
        path = "/" + "/".join(quote(v, safe="") for v in values)
        if values and rng.random() < 0.1:
            path += "/"
        if rng.random() < 0.35:
            path += "?q=" + quote(rng.choice(ALL_VALUES), safe="")
            if rng.random() < 0.2:
                path += "&q=" + quote(rng.choice(ALL_VALUES), safe="")
        paths.append(path)
    return paths


# -- registration patterns ------------------------------------------------------

PATTERNS = [
    "/", "/users", "/users/", "//users", "/users/:id", "/users/:id:int", "/users/:id:Int", "/users/:id:INT",
    "/users/:id:uuidd", "/users/:id:", "/users/:", "/users/::", "/:a:b:c", "/users/:a-b", "/users/:a.b", "/users/:1",
    "/users/:\u00e9", "/users/:a b", "/users/:id/:id", "/files/*", "/files/*/x", "/files/a*", "/w*", "*", "users",
    "", "/x/{id}", "/x/{id}/y", "/x/{", "/y?", "/s?page:int&active:bool", "/s?page", "/s?p:INT", "/s?a&a",
    "/s?page=1", "/s?:int", "/s?a b", "/s?a#", "/s?p:banana", "/s?a/b", "/s?a*", "/s?a&&b", "/s?&a", "/:x/*",
    "/caf%C3%A9", "/bad%zz", "/a/:x:str", "/a/:x:str/b", "/a/ /b", "/a b", "/%2F", "/v1/models/gpt:run",
]
PIECES = ["a", "b", ":", ":x", ":y", ":x:int", ":x:Int", ":x:bogus", "*", "{id}", "?", "?p:int", "&q", ":a-b", ":1",
          "\u00e9", " ", "", ":x:str:y", "=", "#", "w*", ":x:", "::", "%2F", "%zz", "q:int"]


def random_pattern(rng: random.Random) -> str:
    pattern = "".join(("/" if rng.random() < 0.8 else "") + rng.choice(PIECES) for _ in range(rng.randint(1, 4)))
    return pattern if rng.random() < 0.95 else pattern.lstrip("/")


PAIRS = [
    ("/a/:x", "/a/:y"), ("/a/:x:int", "/a/:y"), ("/a/:x", "/a/:x:int"), ("/a/:x:int", "/a/:y:int"), ("/a", "/a"),
    ("/a/", "/a"), ("//a", "/a"), ("/a//b", "/a/b"), ("/a/:x/b", "/a/:y/c"), ("/a/*", "/a/:x"), ("/a/*", "/a/*"),
    ("/a?x:int", "/a"), ("/a", "/a?y:int"), ("/a/:x:date", "/a/:x:uuid"), ("/a/:x:Int", "/a/:x:int"),
]
