"""Every ```python example of Heaven 2.4.3's documentation (its `docs/`
pages and `reference.md`, kept verbatim in seed_examples.py) runs against
heaven.

Each example runs in a namespace of its own: a fresh `app = App()`, heaven's
public names, `req`/`res`/`ctx` from `app.earth.trio()`, and, for names the
example only mentions (`db`, `mailer`, `user`, a handler defined on another
page), a `Stub` that answers any call, attribute or await. Examples written
as files (`# handlers/users.py`) are also written to disk, so the examples
that import them, or name their handlers by import path, find them. Top-level
`await` works. After it ran, every route it registered gets one request
through earth; a 500 is a failure unless the handler touched a stub (a
placeholder cannot stand in for a real database).

What an example needs beyond that is in SETUP (files, a prior example's
objects); the few evident typos are fixed in FIXES, each named; the few
examples that need an external service are in NEEDS_SERVICE.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import importlib
import importlib.abc
import importlib.machinery
import inspect
import logging
import traceback
import re
import sys
import types
import unittest
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import heaven  # noqa: E402
from seed_examples import EXAMPLES  # noqa: E402

# -- stand-ins ----------------------------------------------------------------------

from seed_stubs import TOUCHED, module_getattr, stub_handler  # noqa: E402


class Stub:
    """A placeholder for anything an example names but does not define: a
    database, a mailer, a user. Calls, attributes, items and awaits give
    stubs; iterating gives nothing. It records that it was used."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _touch(self) -> Stub:
        TOUCHED.append(self._name)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Stub:
        self._touch()
        return Stub(f"{self._name}()")

    def __getattr__(self, name: str) -> Stub:
        if name.startswith("__"):
            raise AttributeError(name)
        self._touch()
        return Stub(f"{self._name}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        self._touch()

    def __getitem__(self, key: Any) -> Stub:
        self._touch()
        return Stub(f"{self._name}[{key!r}]")

    def __await__(self):
        self._touch()
        return _resolved(Stub(f"await {self._name}")).__await__()

    def __iter__(self):
        self._touch()
        return iter(())

    def __aiter__(self):
        self._touch()
        return _empty()

    async def __aenter__(self) -> Stub:
        return self._touch()

    async def __aexit__(self, *exc: Any) -> None:
        return None

    def __enter__(self) -> Stub:
        return self._touch()

    def __exit__(self, *exc: Any) -> None:
        return None

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<stub {self._name}>"


async def _resolved(value: Any) -> Any:
    return value


async def _empty():
    return
    yield  # pragma: no cover


class StubModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import paths the examples name for their own project's modules
    (`'handlers.users.list_users'`): any attribute is a stub handler."""

    def __init__(self, roots: set[str]) -> None:
        self.roots = roots

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname.split(".")[0] not in self.roots:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: Any) -> Any:
        module = types.ModuleType(spec.name)
        module.__path__ = []  # a package: anything below imports too
        module.__getattr__ = lambda name: stub_handler  # type: ignore[attr-defined]
        return module

    def exec_module(self, module: Any) -> None:
        pass


# -- reading the examples -------------------------------------------------------------

FILE_COMMENT = re.compile(r"^#\s*([\w./-]+\.py)\s*$")


def file_name(code: str) -> str | None:
    """`handlers/users.py` for an example that begins `# handlers/users.py`."""
    first = code.lstrip().split("\n", 1)[0]
    match = FILE_COMMENT.match(first)
    return match.group(1) if match else None


def free_names(tree: ast.AST) -> set[str]:
    """Names an example reads that it neither imports nor defines (a name
    it assigns later may be read first: it gets a stub until assigned)."""
    defined, loaded = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loaded.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
    return loaded - defined - set(dir(builtins))


def _definitions(tree: ast.Module) -> set[str]:
    """Names an example defines at its top level (classes, functions,
    assignments): what its page's later examples may use."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names - {"app", "router", "req", "res", "ctx"}


def import_roots() -> set[str]:
    """Top-level packages named by the examples' handler import paths."""
    roots = set()
    for _, _, code in EXAMPLES:
        for match in re.finditer(r"""['"]([a-z_]+)(\.[a-z_]+)+(#\w+)?['"]""", code):
            roots.add(match.group(1))
    real = {"heaven", "os", "sys", "typing", "http", "json", "datetime"}
    return roots - real


# -- what examples need --------------------------------------------------------------

# (page, n) -> [(old, new, why)]: evident typos, fixed before running.
ALTERNATIVE = "two alternative spellings of one registration: on one app the second is a duplicate (in 2.4.3 too)"
FIXES: dict[tuple[str, int], list[tuple[str, str, str]]] = {
    ("reference.md", 8): [("class User(Schema):", "class User(TypedDict):",
                           "2.4.3's own docs say there is no Schema class (a schema is a TypedDict)")],
    ("docs/files.md", 9): [("app.ASSETS('assets', relative_to=__file__)", "App().ASSETS('assets', relative_to=__file__)",
                            ALTERNATIVE)],
    ("reference.md", 70): [('api.doc("/docs", title=', 'App().subdomain("api").doc("/docs", title=', ALTERNATIVE),
                           ("expects=Schema)", "expects=dict)", "`Schema` stands for the reader's own schema")],
    ("reference.md", 72): [('app.SOCKET("/chat"', 'App().SOCKET("/chat"', ALTERNATIVE),
                           ('app.WEBSOCKET("/chat"', 'App().WEBSOCKET("/chat"', ALTERNATIVE)],
    ("reference.md", 74): [("app.mount(users_app, isolated=False)", "App().mount(users_app, isolated=False)", ALTERNATIVE)],
    ("reference.md", 79): [("        # register routes...\n",
                            "        # register routes...\n"
                            "        self.app.POST('/users', lambda req, res, ctx: res.out(201, req.json))\n",
                            "the example elides its routes ('# register routes...'): the one test_create calls is filled in")],
    ("reference.md", 80): [("body={...}", "body={}", "`{...}` stands for a body (as written it is a set holding Ellipsis)")],
}

# Examples that register a handler (or call a function) a few lines before
# they define it: as written that is a NameError in any Python, so the
# registration moves below the definition.
DEFINED_AFTER_USE = {
    ("docs/examples.md", 6), ("docs/files.md", 11), ("docs/files.md", 13), ("docs/request.md", 2),
    ("docs/request.md", 10), ("docs/router.md", 3), ("docs/router.md", 6), ("docs/router.md", 7),
}

# (page, n) -> why it cannot run here.
NEEDS_SERVICE: dict[tuple[str, int], str] = {
    ("docs/examples.md", 4): "opens an asyncpg pool: needs a PostgreSQL server",
    ("docs/plugins.md", 3): "the PostgresPlugin opens an asyncpg pool: needs a PostgreSQL server",
    ("docs/plugins.md", 4): "installs example 3's PostgresPlugin: needs a PostgreSQL server",
}

# The files of the project the examples describe (their templates, assets,
# uploads): written into the folder every page runs in.
PROJECT_FILES = {
    "templates/index.html": "<h1>{{ title }}</h1>\n",
    "templates/profile.html": "<h1>{{ title }} {{ ctx.user_name }} {{ user }}</h1>\n",
    "templates/patients.html": "{{ ctx.results }}\n",
    "templates/email_template.html": "Hello {{ user }}\n",
    "blog/templates/index.html": "<h1>blog</h1>\n",
    "dist/index.html": "<div id=app></div>\n",
    "assets/logo.png": "png",
    "assets/css/main.css": "body {}\n",
    "public/robots.txt": "User-agent: *\n",
    "static/app.js": "//\n",
    "images/cat.jpg": "jpg",
    "images/logo.png": "png",
    "reports/q1.pdf": "pdf",
    "uploads/report.pdf": "pdf",
    "invoices/invoice.pdf": "pdf",
    "video.mp4": "mp4",
}


def _typed(typename: str, **fields: Any) -> Any:
    """A schema an example uses but its page does not show."""
    from typing import TypedDict

    return TypedDict(typename, fields)


def _sessions(folder: Path, ns: dict[str, Any]) -> dict[str, Any]:
    """The example assumes `app.sessions(...)` was called."""
    ns["app"].sessions("a long random secret")
    ns["ctx"]._sessions = ns["app"]._sessions
    return {}


def _main_module(folder: Path, ns: dict[str, Any]) -> dict[str, Any]:
    """The app the earth examples test: their `main.py`, which they import
    but the page does not show. POST /users creates a user."""
    (folder / "main.py").write_text(
        "from heaven import App\n\n"
        "app = App()\n\n"
        "async def create_user(req, res, ctx):\n"
        "    res.status = 201\n"
        "    res.body = {'id': 1, 'name': req.data['name']}\n\n"
        "app.POST('/users', create_user)\n"
    )
    sys.modules.pop("main", None)
    return {}


def _earth_surface(folder: Path, ns: dict[str, Any]) -> dict[str, Any]:
    """The routes earth.md's last example talks to (its page assumes them)."""
    app = ns["app"]
    app.subdomain("api").GET("/users", lambda req, res, ctx: setattr(res, "body", []))

    async def chat(send, receive, req, ctx):
        if await receive() == "hello":
            await send("world")

    app.WS("/chat", chat)
    app.POST("/avatar", lambda req, res, ctx: setattr(res, "body", {"file": req.form.get("file").filename}))
    return {}


def _downloads(folder: Path, ns: dict[str, Any]) -> dict[str, Any]:
    """files.md's test example tests a download route over an upload folder."""
    uploads = str(folder / "uploads")
    ns["app"].GET("/download/*", lambda req, res, ctx: res.file(req.params.get("*"), within=uploads))
    return {}


def _templates(folder: Path, ns: dict[str, Any]) -> dict[str, Any]:
    ns["app"].TEMPLATES("templates")
    return {"user": "Ada"}

# (page, n) -> what it assumes of the page around it: names, routes, files.
SETUP: dict[tuple[str, int], Any] = {
    ("docs/context.md", 4): lambda folder, ns: ns["ctx"].keep("user", {"id": 1}),
    ("docs/context.md", 8): _sessions,
    ("docs/router.md", 18): _sessions,
    ("docs/earth.md", 2): _main_module,
    ("docs/earth.md", 3): _main_module,
    ("docs/earth.md", 7): _earth_surface,
    ("docs/files.md", 5): lambda folder, ns: {"name": "report.pdf"},
    ("docs/files.md", 7): lambda folder, ns: {"name": "report.pdf"},
    ("docs/files.md", 15): _downloads,
    ("docs/response.md", 16): _templates,
    ("docs/openapi.md", 3): lambda folder, ns: {"Health": _typed("Health", status=str)},
    ("docs/request.md", 7): lambda folder, ns: {"User": _typed("User", name=str)},
    ("docs/subdomains.md", 4): lambda folder, ns: {"CreateUser": _typed("CreateUser", name=str)},
    ("docs/security.md", 7): lambda folder, ns: {"token": ns["signer"].dumps({"user_id": 1, "action": "reset-password"})},
    ("docs/security.md", 3): lambda folder, ns: {"SECRET": "a long random secret"},
}

# (page, n) -> the exception the example itself says it raises.
EXPECT_RAISES: dict[tuple[str, int], type[BaseException]] = {
    ("docs/context.md", 7): AttributeError,  # `ctx.session = 'hacked'   # AttributeError`
    ("reference.md", 42): AttributeError,  # `ctx.session = {"user": 1}            # raises AttributeError`
}

# (page, n): a class signature written as a `class` line, checked by test_signatures_documented.
SIGNATURES = {("docs/api.md", n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 10)}


def apply_fixes(key: tuple[str, int], code: str) -> str:
    for old, new, _ in FIXES.get(key, ()):
        assert old in code, f"{key}: the fix {old!r} no longer applies"
        code = code.replace(old, new)
    if key in DEFINED_AFTER_USE:
        code = define_first(code)
    return code


def define_first(code: str) -> str:
    """Move the top-level statements that use a function before the
    example defines it to just after its definition."""
    tree = ast.parse(code)
    lines = code.splitlines()
    defined = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    early, rest = [], []
    for node in tree.body:
        used = {x.id for x in ast.walk(node) if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Load)}
        late = [defined[u] for u in used if u in defined and defined[u].lineno > node.lineno]
        text = "\n".join(lines[node.lineno - 1 - len(getattr(node, "decorator_list", [])): node.end_lineno])
        (early if late else rest).append(text)
    assert early, "define_first: nothing is used before it is defined"
    return "\n\n".join(rest + early) + "\n"


def sample_path(pattern: str) -> str:
    """A request path that the pattern matches."""
    samples = {"int": "7", "float": "1.5", "bool": "true", "date": "2026-08-01", "datetime": "2026-08-01T10:30",
               "uuid": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "str": "x", "": "x"}
    parts = []
    for segment in pattern.partition("?")[0].split("/"):
        if segment == "*":
            parts.append("a/b")
        elif segment.startswith(":"):
            parts.append(samples.get(segment[1:].partition(":")[2].lower(), "x"))
        else:
            parts.append(segment)
    return "/".join(parts) or "/"


# What the files the examples show take as imported (they are excerpts; a
# handler annotated `Request[CreateUser]` leaves the import of its schema out,
# so annotations are not evaluated).
FILE_PRELUDE = (
    "from __future__ import annotations\n"
    "from heaven import *  # noqa\n"
    "from typing import Annotated, Any, List, Literal, NotRequired, Optional, TypedDict\n\n"
)

# What the examples take as already imported on their page.
PRELUDE = "\n".join([
    "import os",
    "from typing import Annotated, Any, List, Literal, NotRequired, Optional, TypedDict",
    "from unittest import IsolatedAsyncioTestCase",
])


async def run_example(key: tuple[str, int], code: str, folder: Path, carried: dict[str, Any]) -> list[str]:
    """Run one example as a module of its own, with what the page's earlier
    examples defined (`carried`, updated with what this one defines);
    returns what went wrong (empty: it ran, its tests passed, its routes
    answered)."""
    tree = ast.parse(code)
    name = f"seed_{re.sub(r'[^a-z0-9]', '_', key[0])}_{key[1]}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    written = file_name(code)
    if written:  # `from api import api` finds this very module
        sys.modules[written[:-3].replace("/", ".")] = module
        module.__getattr__ = module_getattr  # type: ignore[attr-defined]
    app = heaven.App()
    req, res, ctx = app.earth.trio("/")
    namespace = module.__dict__
    namespace.update({n: getattr(heaven, n) for n in heaven.__all__})
    exec(PRELUDE, namespace)
    namespace.update(carried)
    namespace.update(app=app, router=app, req=req, res=res, ctx=ctx, earth=app.earth, client=app.earth,
                     __file__=str(folder / "main.py"))
    for free in free_names(tree):
        namespace.setdefault(free, Stub(free))
    extra = SETUP.get(key)
    if extra is not None:
        namespace.update(extra(folder, namespace) or {})
    compiled = compile(code, f"{key[0]} example {key[1]}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    expected = EXPECT_RAISES.get(key)
    try:
        result = eval(compiled, namespace)
        if inspect.iscoroutine(result):
            await result
    except Exception as exc:
        if expected is None or not isinstance(exc, expected):
            raise
    else:
        if expected is not None:
            return [f"did not raise {expected.__name__}, as the example says it does"]
    for defined in _definitions(tree):
        if defined in namespace and not isinstance(namespace[defined], Stub):
            carried[defined] = namespace[defined]
    problems = await run_its_tests(namespace)
    app = namespace.get("app", app)
    if not isinstance(app, heaven.App):
        return problems
    errors = _Errors()
    logging.getLogger("heaven").addHandler(errors)
    try:
        async with app.earth.test():
            for endpoint in app.routes:
                if endpoint.websocket:
                    continue
                TOUCHED.clear()
                errors.records.clear()
                path = sample_path(endpoint.pattern)
                _, answer, _ = await app.earth.send(endpoint.method, path, subdomain=endpoint.subdomain)
                blamed = [r for r in errors.records if heavens_fault(r.exc_info)]
                if answer.status == 500 and blamed and not TOUCHED:
                    problems.append(f"{endpoint.method} {path} -> 500: {blamed[0].exc_info[1]!r}")
    finally:
        logging.getLogger("heaven").removeHandler(errors)
    return problems


class _Errors(logging.Handler):
    """Collects the errors heaven logs while it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


HEAVEN_DIR = str(Path(heaven.__file__).resolve().parent)
HEAVEN_TYPES = ("Request", "Response", "Context", "Form", "File", "App", "Earth", "Session", "MultiDict", "Head")


def heavens_fault(exc_info: Any) -> bool:
    """Whether an error a handler raised is heaven's: raised inside heaven's
    package, or a missing attribute or wrong call of one of its objects (an
    API 2.4.3 has and heaven lacks). A handler failing on its own data (no
    body sent, no database, a folder that does not exist here) is not."""
    _, exc, tb = exc_info
    frames = traceback.extract_tb(tb)
    if frames and str(Path(frames[-1].filename).resolve()).startswith(HEAVEN_DIR):
        return True
    if isinstance(exc, (AttributeError, TypeError)):
        return any(f"'{name}'" in str(exc) for name in HEAVEN_TYPES)
    return False


async def run_its_tests(namespace: dict[str, Any]) -> list[str]:
    """The tests an example defines (`test_*` functions, unittest cases),
    run: an example showing how to test must have a passing test."""
    problems = []
    for name, value in list(namespace.items()):
        if name.startswith("test_") and inspect.iscoroutinefunction(value):
            try:
                await value()
            except Exception as exc:
                problems.append(f"{name} failed: {type(exc).__name__}: {exc}")
        elif isinstance(value, type) and issubclass(value, unittest.TestCase) and value.__module__ == namespace["__name__"]:
            result = unittest.TestResult()
            await asyncio.to_thread(unittest.defaultTestLoader.loadTestsFromTestCase(value).run, result)
            problems += [f"{case}: {trace.splitlines()[-1]}" for case, trace in result.failures + result.errors]
            if not result.testsRun:
                problems.append(f"{name} ran no tests")
    return problems


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder holding the files a page's examples describe, on sys.path,
    as the working directory; stub modules for the import paths no example
    writes; `app.listen` held (an example calls it: it would serve forever)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "a secret read from the environment")
    monkeypatch.setenv("DATABASE_URL", "postgres://localhost/app")
    monkeypatch.setenv("DB_URL", "postgres://localhost/mydb")
    monkeypatch.setenv("SECRET", "my-secret")
    for name, text in PROJECT_FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    finder = StubModules(import_roots())
    sys.meta_path.append(finder)  # after the real finders: files an example wrote win
    listened = []
    monkeypatch.setattr(heaven.App, "listen", lambda self, *a, **k: listened.append((a, k)))
    # Test modules of the same names as the project's (tests/handlers.py is
    # one) are set aside while it runs, and put back after.
    roots = {name.split("/")[0].removesuffix(".py") for name in PROJECT_FILES} | set(import_roots())
    tests = str(Path(__file__).resolve().parent.parent)
    hidden = {
        name: sys.modules.pop(name)
        for name in list(sys.modules)
        if name.split(".")[0] in roots and str(getattr(sys.modules[name], "__file__", "") or "").startswith(tests)
    }
    before = set(sys.modules)
    yield tmp_path
    sys.meta_path.remove(finder)
    for name in set(sys.modules) - before:
        if not name.startswith(("heaven", "_pytest", "pytest", "encodings")):
            del sys.modules[name]
    sys.modules.update(hidden)


PAGES = sorted({page for page, _, _ in EXAMPLES})


@pytest.mark.parametrize("page", PAGES)
def test_every_example_of_the_page_runs(page, project):
    examples = [(p, n, apply_fixes((p, n), code)) for p, n, code in EXAMPLES if p == page]
    files: dict[str, list[str]] = {}
    for _, n, code in examples:  # files first: examples import each other
        name = file_name(code)
        if name:
            files.setdefault(name, []).append(code)
    for name, codes in files.items():
        # Several examples may show parts of one file: it holds them all, and
        # answers a stub handler for names none of them defines.
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(FILE_PRELUDE + "\n\n".join(codes) + "\n\nfrom seed_stubs import module_getattr as __getattr__\n")
        for parent in target.relative_to(project).parents:
            if str(parent) != ".":
                init = project / parent / "__init__.py"
                if not init.exists():
                    init.write_text("from seed_stubs import module_getattr as __getattr__\n")
    failures = []
    ran = 0
    carried: dict[str, Any] = {}
    for p, n, code in examples:
        key = (p, n)
        if key in SIGNATURES or key in NEEDS_SERVICE:
            continue
        try:
            problems = asyncio.run(run_example(key, code, project, carried))
        except Exception as exc:
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failures.append(f"{p} example {n}:\n    " + "\n    ".join(problems) + "\n" + _indent(code))
        ran += 1
    assert not failures, f"{len(failures)} of {ran} examples failed:\n" + "\n".join(failures)
    RAN[page] = ran


RAN: dict[str, int] = {}


def test_every_example_ran():
    """Runs after the pages: every example of every page ran, but the
    signatures and the ones that need a database."""
    if len(RAN) != len(PAGES):
        pytest.skip("the pages did not all run")
    expected = len(EXAMPLES) - len(SIGNATURES) - len(NEEDS_SERVICE)
    print(f"\ncompat: {sum(RAN.values())} of the {len(EXAMPLES)} examples of 2.4.3's docs ran "
          f"({len(SIGNATURES)} class signatures checked apart, {len(NEEDS_SERVICE)} need a database)")
    assert sum(RAN.values()) == expected


def _indent(code: str) -> str:
    return "\n".join("      | " + line for line in code.splitlines()[:25])


def test_the_list_of_exceptions_is_exact():
    """Every fix still applies, and nothing is skipped without a reason."""
    keys = {(p, n) for p, n, _ in EXAMPLES}
    for key in [*FIXES, *NEEDS_SERVICE, *SETUP, *SIGNATURES, *EXPECT_RAISES, *DEFINED_AFTER_USE]:
        assert key in keys, key
    for key, fixes in FIXES.items():
        code = next(c for p, n, c in EXAMPLES if (p, n) == key)
        for old, _, why in fixes:
            assert old in code and why, key
    for key, why in NEEDS_SERVICE.items():
        assert why, key


def test_signatures_documented():
    """docs/api.md's class lines: what heaven takes where 2.4.3 documents a
    constructor, and which classes heaven does not have (K-internals)."""
    source = {n: code for p, n, code in EXAMPLES if p == "docs/api.md"}
    router = source[1].replace("class Router", "def Router").rstrip() + ": ..."
    documented = inspect.signature(namespace_of(router)["Router"])
    ours = inspect.signature(heaven.App)
    for name, parameter in documented.parameters.items():
        assert name in ours.parameters, name
        default = ours.parameters[name].default
        if name == "max_body_size":
            assert default == 10 * 1024 * 1024  # K-max-body-default: SPEC §2's 10 MiB
        else:
            assert default == parameter.default, name
    assert list(ours.parameters)[: len(documented.parameters)] == list(documented.parameters)
    app = heaven.App()
    req, _, _ = app.earth.trio("/")
    from heaven.earth import Earth

    context = heaven.Context(app)
    response = heaven.Response(app, context, req)
    assert context.app is app and response._req is req and response._ctx is context
    assert isinstance(Earth(app), Earth)
    router_module = importlib.import_module("heaven.router")
    for internal in ("Route", "Routes", "Parameter"):  # K-internals
        assert not hasattr(router_module, internal)


def namespace_of(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace
