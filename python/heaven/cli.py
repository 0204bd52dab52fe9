"""The `heaven` command: serve an app under granian, list its routes, write
its OpenAPI document. Standard library only, so the command costs nothing
beyond heaven itself; granian is needed only by the commands that serve.

The app is imported here first, even for `run`, so a typo, a syntax error
or a missing attribute is reported in one readable message instead of a
granian worker traceback."""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, NamedTuple, Sequence

from .errors import CliError

#: Attribute names `module` (without `:attr`) is searched for, in order.
DEFAULT_NAMES = ("app", "application", "router", "server")
#: Where `heaven fly` (and `routes`/`schema` without a target) look: (file, module).
FLY_CANDIDATES = (("app.py", "app"), ("main.py", "main"), (os.path.join("app", "__init__.py"), "app"))
#: Row order of `heaven routes` within one pattern.
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "WEBSOCKET")
LOOPS = ("auto", "asyncio", "uvloop", "rloop", "winloop")


class Located(NamedTuple):
    """A loaded app, the `module:attr` granian must be given to serve it and
    the directory it was imported from."""

    app: Any
    module: str
    attr: str
    directory: Path

    @property
    def target(self) -> str:
        return f"{self.module}:{self.attr}"


# -- finding and importing the app -----------------------------------------


def _directory(path: str) -> Path:
    """`path` resolved, refusing a missing directory before anything is searched in it."""
    directory = Path(path).resolve()
    if not directory.is_dir():
        raise CliError(f"working directory {path!r} does not exist")
    return directory


def _working_dir(path: str) -> Path:
    """The directory apps are imported from, put first on sys.path, as
    granian's --working-dir does for its workers."""
    directory = _directory(path)
    if sys.path[:1] != [str(directory)]:
        sys.path.insert(0, str(directory))
    return directory


def _split_target(target: str) -> tuple[str, str | None]:
    """`module:attr` into its parts, refusing file names early because
    `import` would otherwise say something unhelpful about them."""
    module, sep, attr = target.partition(":")
    if module.endswith(".py") or "/" in module or "\\" in module:
        suggestion = module.removesuffix(".py").replace("\\", "/").strip("/").replace("/", ".")
        raise CliError(
            f"{target!r} is a file path; heaven takes a module name such as {suggestion!r} "
            "(run from the directory that contains it, or pass --working-dir)"
        )
    if not all(part.isidentifier() for part in module.split(".")):
        raise CliError(f"{target!r} is not a target of the form module:app (e.g. 'myproject.main:app')")
    if sep and not all(part.isidentifier() for part in attr.split(".")):
        raise CliError(f"{target!r}: {attr!r} is not an attribute name")
    return module, attr if sep else None


_OUR_FILES = (__file__, importlib.__file__)


def _user_frames(exc: BaseException) -> str:
    """The traceback of an import failure without importlib's and our own
    frames, so it starts in the user's code."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith("<frozen importlib") and frame.filename not in _OUR_FILES
    ]
    head = ["Traceback (most recent call last):\n", *traceback.format_list(frames)] if frames else []
    return "".join(head + traceback.format_exception_only(type(exc), exc)).rstrip()


def _is_missing(exc: ModuleNotFoundError, module: str) -> bool:
    """True when `module` itself (or a package above it) does not exist, as
    opposed to a module it imports."""
    return exc.name is not None and (module == exc.name or module.startswith(exc.name + "."))


def import_module(module: str, directory: Path) -> ModuleType:
    """Import the user's module. Anything it prints goes to stderr, so the
    output of `routes --json` and `schema` stays parseable."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            imported = importlib.import_module(module)
    except Exception as exc:
        if isinstance(exc, ModuleNotFoundError) and _is_missing(exc, module):
            raise CliError(
                f"no module named {exc.name!r} (searched {directory} and sys.path); "
                "check the spelling, or pass --working-dir"
            ) from None
        raise CliError(f"importing {module!r} failed:\n{_user_frames(exc)}") from None
    _check_not_shadowed(imported, directory)
    return imported


def _check_not_shadowed(module: ModuleType, directory: Path) -> None:
    """A file named like a module Python had already loaded (site.py,
    test.py...) is never imported: say so rather than serve the wrong one."""
    stem = directory.joinpath(*module.__name__.split("."))
    for local in (stem.with_suffix(".py"), stem / "__init__.py"):
        if local.is_file():
            loaded = getattr(module, "__file__", None)
            if loaded is None or Path(loaded).resolve() != local:
                raise CliError(
                    f"{local} is not what 'import {module.__name__}' loads: a module of that name was "
                    f"already imported from {loaded or 'Python itself'}; rename {local.name}"
                )
            return


def _describe(value: Any) -> str:
    """What an attribute is, for 'not a heaven App' messages."""
    if inspect.isfunction(value):
        return "a function"
    if isinstance(value, ModuleType):
        return "a module"
    if isinstance(value, type):
        return f"the class {value.__name__}"
    return f"of type {type(value).__name__}"


def _not_an_app(where: str, value: Any) -> str:
    """'x is a function, not a heaven App', with the likely fix."""
    if inspect.isfunction(value):
        hint = "an app factory? build the app in the module: app = create_app()"
    elif isinstance(value, type):
        hint = f"create an instance: app = {value.__name__}()"
    else:
        hint = "heaven serves heaven apps; serve other ASGI apps with granian directly"
    return f"{where} is {_describe(value)}, not a heaven App ({hint})"


def _named_app(module: ModuleType, name: str, attr: str) -> Any:
    """`module:attr`, which must be a heaven App."""
    from .app import App

    value: Any = module
    for part in attr.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise CliError(f"module {name!r} has no attribute {attr!r}") from None
    if not isinstance(value, App):
        raise CliError(_not_an_app(f"{name}:{attr}", value))
    return value


def _default_app(module: ModuleType, name: str) -> tuple[Any, str]:
    """The app of a module named without `:attr`: the first of DEFAULT_NAMES
    bound to an App, else the one App instance in the module."""
    from .app import App

    for attr in DEFAULT_NAMES:
        value = getattr(module, attr, None)
        if isinstance(value, App):
            return value, attr
    found: dict[int, tuple[str, Any]] = {}
    for attr, value in vars(module).items():
        if isinstance(value, App):
            found.setdefault(id(value), (attr, value))
    names = [attr for attr, _ in found.values()]
    if len(names) == 1:
        return getattr(module, names[0]), names[0]
    if names:
        raise CliError(
            f"module {name!r} holds several heaven apps ({', '.join(names)}); "
            f"say which one, e.g. {name}:{names[0]}"
        )
    wrong = [f"{attr} is {_describe(getattr(module, attr))}" for attr in DEFAULT_NAMES if hasattr(module, attr)]
    detail = f" ({'; '.join(wrong)})" if wrong else ""
    raise CliError(
        f"no heaven App in module {name!r}: looked for {', '.join(DEFAULT_NAMES)} "
        f"and for a single App instance{detail}; name it with {name}:attribute"
    )


def load_app(target: str, working_dir: str = ".") -> Located:
    """Import `module[:attr]` from `working_dir` and return the app in it."""
    module_name, attr = _split_target(target)
    directory = _working_dir(working_dir)
    module = import_module(module_name, directory)
    if attr is not None:
        return Located(_named_app(module, module_name, attr), module_name, attr, directory)
    app, attr = _default_app(module, module_name)
    return Located(app, module_name, attr, directory)


def find_app_module(working_dir: str = ".") -> str:
    """The module `heaven fly` serves: the first of app.py, main.py,
    app/__init__.py found in `working_dir`."""
    directory = _directory(working_dir)
    for filename, module in FLY_CANDIDATES:
        if (directory / filename).is_file():
            return module
    looked = ", ".join(filename for filename, _ in FLY_CANDIDATES)
    raise CliError(
        f"no app found: looked for {looked} in {directory}; "
        "create one of them, or name the app: heaven run module:app --reload"
    )


def locate(target: str | None, working_dir: str) -> Located:
    """The app named by `target`, or the one `fly` would find."""
    return load_app(target or find_app_module(working_dir), working_dir)


# -- describing routes ----------------------------------------------------


def _peel(fn: Any) -> Any:
    """The function whose source a handler really lives in: through
    partials and functools.wraps, and to `__call__` for callable objects."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    with contextlib.suppress(Exception):
        fn = inspect.unwrap(fn)
    if inspect.isroutine(fn) or inspect.isclass(fn):
        return fn
    return getattr(type(fn), "__call__", fn)


def callable_name(fn: Any) -> str:
    """`module.qualname` for a handler registered as a callable."""
    if isinstance(fn, functools.partial):
        return f"partial({callable_name(fn.func)})"
    qualname = getattr(fn, "__qualname__", None)
    if qualname is None:
        cls = type(fn)
        return f"{cls.__module__}.{cls.__qualname__}()"
    module = getattr(fn, "__module__", None)
    return f"{module}.{qualname}" if module else qualname


def _class_method(target: str) -> Any:
    """The method a `'pkg.mod.Class#method'` string names (its module was
    imported when the route was registered)."""
    class_path, _, method = target.partition("#")
    module, _, cls = class_path.rpartition(".")
    return getattr(getattr(importlib.import_module(module), cls), method)


def source_of(fn: Any) -> tuple[str, int] | None:
    """(file, line) of a handler's definition, or None when Python cannot
    tell (builtins, code typed at a prompt, C extensions)."""
    try:
        fn = _peel(fn)
        filename = inspect.getsourcefile(fn)
        line = inspect.getsourcelines(fn)[1]
    except Exception:
        return None
    if filename is None:
        return None
    return _display_path(filename), max(line, 1)


def _display_path(filename: str) -> str:
    """Relative to the current directory when under it: shorter, and still
    a path the user can open from where they ran the command."""
    path = Path(filename).resolve()
    here = Path.cwd().resolve()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)


def route_rows(app: Any) -> list[dict[str, Any]]:
    """One dict per route, sorted by subdomain, pattern, then method order."""
    rows = []
    for endpoint in app.routes:
        target = endpoint.target
        if isinstance(target, str):
            handler = target
            where = None
            with contextlib.suppress(Exception):
                where = source_of(_class_method(target) if "#" in target else endpoint.call)
        else:
            handler = callable_name(target)
            where = source_of(target)
        rows.append(
            {
                "method": endpoint.method,
                "subdomain": endpoint.subdomain,
                "pattern": endpoint.pattern,
                "handler": handler,
                "file": where[0] if where else None,
                "line": where[1] if where else None,
            }
        )
    rows.sort(key=_row_order)
    return rows


def _row_order(row: dict[str, Any]) -> tuple[str, str, int]:
    method = row["method"]
    rank = METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER)
    return row["subdomain"], row["pattern"], rank


def format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] = ("method", "subdomain", "pattern", "handler")) -> str:
    """Aligned columns (these, then SOURCE), two spaces apart, no trailing blanks."""
    header = (*(c.upper() for c in columns), "SOURCE")
    cells = [header] + [
        (*(row[c] for c in columns), f"{row['file']}:{row['line']}" if row["file"] else "-")
        for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in cells)


# -- serving ----------------------------------------------------------------


def granian_command(
    located: Located,
    host: str,
    port: int,
    workers: int = 1,
    loop: str = "auto",
    reload: bool = False,
    interface: str = "asgi",
) -> list[str]:
    """The granian invocation that serves `located`, with this interpreter
    (so the same virtualenv), from the directory it was found in."""
    directory = str(located.directory)
    command = [
        sys.executable, "-m", "granian",
        "--interface", interface,
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--loop", loop,
        "--working-dir", directory,
    ]
    if reload:
        command += ["--reload", "--reload-paths", directory]
    return command + [located.target]


def _require(module: str, hint: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise CliError(hint)


def exec_granian(command: list[str], replace: bool = os.name != "nt") -> int:
    """Hand the process over to granian. On POSIX the process is replaced
    (execv): signals from the terminal, systemd or docker reach granian
    directly and its exit code is ours, with nothing in between. Windows
    has no real exec, so there we wait for a child and return its code."""
    sys.stdout.flush()
    sys.stderr.flush()
    if replace:
        os.execv(command[0], command)
    with subprocess.Popen(command) as child:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                # The console sent Ctrl+C to granian too; let it finish shutting down.
                continue


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# -- commands ----------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """`run` and `fly`: load the app, check granian is there, say what is
    being served, and hand over to granian."""
    located = locate(args.target, args.working_dir)
    _require("granian", "granian is not installed in this environment: pip install granian")
    if args.reload:
        _require("watchfiles", "reloading needs granian's reload extra: pip install 'granian[reload]'")
    command = granian_command(located, args.host, args.port, args.workers, args.loop, args.reload, args.interface)
    routes = len(located.app.routes)
    note = ", reloading on changes" if args.reload else ""
    print(
        f"heaven: serving {located.target} ({routes} route{'s' * (routes != 1)}) from {located.directory} "
        f"on {_url(args.host, args.port)}{note}",
        file=sys.stderr,
    )
    return exec_granian(command)


def cmd_routes(args: argparse.Namespace) -> int:
    rows = route_rows(locate(args.app or args.target, args.working_dir).app)
    if args.json:
        print(json.dumps(rows, indent=2))
    elif rows:
        print(format_table(rows))
    else:
        print("no routes registered")
    return 0


def cmd_handlers(args: argparse.Namespace) -> int:
    """Every handler and where it is defined; with a path, the source of the
    handler(s) serving it (Heaven 2.4.3's `heaven handlers`)."""
    located = locate(args.app or None, args.working_dir)
    rows = route_rows(located.app)
    if args.path is None:
        print(format_table(rows, ("handler", "method", "pattern")) if rows else "no routes registered")
        return 0
    matched = [e for e in located.app.routes if e.canonical == _canonical(args.path) or e.pattern == args.path]
    if not matched:
        raise CliError(f"no route is registered as {args.path!r}")
    for endpoint in matched:
        target = endpoint.target
        fn = _class_method(target) if isinstance(target, str) and "#" in target else endpoint.call
        where = source_of(fn)
        print(f"# {endpoint.method} {endpoint.pattern} -> {where[0]}:{where[1]}" if where else f"# {endpoint.method} {endpoint.pattern}")
        try:
            print(inspect.getsource(_peel(fn)))
        except (OSError, TypeError):
            print("(source not available)\n")
    return 0


def _canonical(pattern: str) -> str | None:
    from . import _core

    try:
        return _core.pattern_parts(pattern)[2]
    except ValueError:
        return None


def _openapi() -> Callable[[Any], dict[str, Any]]:
    """heaven.openapi.openapi_document, imported only when asked for."""
    try:
        from .openapi import openapi_document
    except ImportError as exc:
        # Only the module or the function being absent means "not available";
        # an import failing inside heaven.openapi is a bug to show as one.
        if exc.name != "heaven.openapi":
            raise
        raise CliError("OpenAPI generation is not available in this version of heaven") from None
    return openapi_document


def cmd_schema(args: argparse.Namespace) -> int:
    openapi_document = _openapi()
    # Heaven 2.4.3 spelling: `heaven schema openapi.json --app main:app`.
    if args.target and args.target.endswith(".json") and args.output is None:
        args.output, args.target = args.target, None
    located = locate(args.app or args.target, args.working_dir)
    text = json.dumps(openapi_document(located.app), indent=2, ensure_ascii=False) + "\n"
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"heaven: wrote the OpenAPI document of {located.target} to {args.output}", file=sys.stderr)
    return 0


# -- argument parsing --------------------------------------------------------


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535)")
    return port


def _workers(value: str) -> int:
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of workers (1 or more)")
    return workers


def _interface(value: str) -> str:
    if value in ("asgi", "rsgi"):
        return value
    raise argparse.ArgumentTypeError(f"{value!r} is not an interface heaven apps speak; use --interface asgi or rsgi")


def _version() -> str:
    from . import _core

    return _core.__version__


def _address_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=_port, default=8000, help="port to bind (default: %(default)s)")


def _dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--working-dir", default=".", metavar="DIR",
        help="directory to import the app from, put first on sys.path (default: the current directory)",
    )


TARGET_HELP = "the app as module:attribute, e.g. myproject.main:app (:attribute may be left out)"
FOUND_HELP = "module:attribute; without it, the app in app.py, main.py or app/__init__.py"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heaven",
        description="Serve heaven apps under granian, list their routes, write their OpenAPI document.",
        epilog="examples:\n  heaven run myproject.main:app --port 8080\n  heaven fly\n  heaven routes\n"
        "  heaven schema myproject.main:app -o openapi.json\n\n"
        "'heaven COMMAND --help' describes a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"heaven {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    run = commands.add_parser(
        "run", help="serve an app under granian",
        description="Import the app (to report mistakes clearly), then replace this process with granian "
        "serving it. Other granian settings can be given as GRANIAN_* environment variables.",
    )
    run.add_argument("target", help=TARGET_HELP)
    _address_options(run)
    run.add_argument("--workers", type=_workers, default=1, help="worker processes (default: %(default)s)")
    run.add_argument(
        "--interface", type=_interface, default="asgi",
        help="server interface: asgi or rsgi (default: %(default)s)",
    )
    run.add_argument("--reload", action="store_true", help="restart when files in the working directory change")
    run.add_argument("--no-reload", dest="reload", action="store_false", help="do not reload (the default)")
    run.add_argument("--loop", choices=LOOPS, default="auto", help="event loop (default: %(default)s)")
    _dir_option(run)
    run.set_defaults(handler=cmd_serve)

    fly = commands.add_parser(
        "fly", help="find the app in this directory and serve it, reloading on changes",
        description="Serve the app in app.py, main.py or app/__init__.py (the first found) with reload: "
        "the development server.",
    )
    _address_options(fly)
    _dir_option(fly)
    fly.set_defaults(handler=cmd_serve, target=None, workers=1, loop="auto", reload=True, interface="asgi")

    routes = commands.add_parser(
        "routes", help="list an app's routes",
        description="One row per route and method: method, subdomain, pattern, handler and where the handler "
        "is defined. Sorted by subdomain, pattern, then method.",
    )
    routes.add_argument("target", nargs="?", help=FOUND_HELP)
    routes.add_argument("--json", action="store_true", help="print JSON objects instead of a table")
    routes.add_argument("--app", help="the app as module:attribute (the same as the positional argument)")
    _dir_option(routes)
    routes.set_defaults(handler=cmd_routes)

    schema = commands.add_parser(
        "schema", help="write an app's OpenAPI document",
        description="Write the app's OpenAPI document as JSON, to stdout or to a file.",
    )
    schema.add_argument("target", nargs="?", help=FOUND_HELP)
    schema.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout); a positional "
                        "FILE.json is read as this, with --app naming the app")
    schema.add_argument("--app", help="the app as module:attribute (the same as the positional argument)")
    _dir_option(schema)
    schema.set_defaults(handler=cmd_schema)

    handlers = commands.add_parser(
        "handlers", help="list every handler and where it is defined, or show one route's source",
        description="Without PATH, one row per route: handler, method, pattern and file:line. With PATH "
        "(a route pattern such as /api/users), the source of the handler(s) serving it.",
    )
    handlers.add_argument("path", nargs="?", help="a route pattern, e.g. /users/:id")
    handlers.add_argument("--app", help=FOUND_HELP)
    _dir_option(handlers)
    handlers.set_defaults(handler=cmd_handlers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `heaven` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
        return code
    except CliError as exc:
        print(f"heaven {args.command}: error: {exc}", file=sys.stderr)
        return 2
