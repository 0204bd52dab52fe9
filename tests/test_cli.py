"""The `heaven` command, in process: finding the app, import errors, the
routes table, the granian command `run` and `fly` would exec, `schema`.
Test apps are written to a temporary directory, never imported from the
project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from heaven import _core, cli


class Project:
    """A temporary directory to write app modules into."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, source: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"))
        return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The current directory, first on sys.path; modules imported from it
    are forgotten afterwards so tests can reuse names like `app`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield Project(tmp_path)
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]


@pytest.fixture
def execs(monkeypatch):
    """The granian commands `run`/`fly` would have replaced the process with."""
    commands: list[list[str]] = []

    def record(command):
        commands.append(command)
        return 0

    monkeypatch.setattr(cli, "exec_granian", record)
    return commands


def run(argv, capsys):
    """main(argv) -> (exit code, stdout, stderr)."""
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


#: A module with one app named `name`, serving `/name`; lines end flush left
#: so modules can be put together by concatenation.
APP = """\
from heaven import App

{name} = App()
{name}.GET("/{name}", lambda req, res, ctx: None)
"""


# -- version, help, usage --------------------------------------------------------


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert (code, out) == (0, f"heaven {_core.__version__}\n")


def test_help_lists_the_commands(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for command in ("run", "fly", "routes", "schema"):
        assert f"\n    {command} " in out


@pytest.mark.parametrize("command", ["run", "fly", "routes", "schema"])
def test_each_command_has_help(command, capsys):
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0 and out.startswith(f"usage: heaven {command}")


def test_no_command_prints_help_and_fails(capsys):
    code, out, _ = run([], capsys)
    assert code == 2 and out.startswith("usage: heaven")


def test_python_dash_m_heaven_is_the_command():
    done = subprocess.run([sys.executable, "-m", "heaven", "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, f"heaven {_core.__version__}\n")


# -- finding the app ---------------------------------------------------------------


def test_module_and_attribute(project, execs, capsys):
    project.write("website.py", APP.format(name="web") + APP.format(name="app"))
    code, _, err = run(["run", "website:web"], capsys)
    assert code == 0
    assert execs[0][-1] == "website:web"
    assert "heaven: serving website:web (1 route)" in err


@pytest.mark.parametrize("name", cli.DEFAULT_NAMES)
def test_module_alone_finds_each_default_name(name, project, execs, capsys):
    project.write("website.py", APP.format(name=name) + "other = object()\n")
    assert run(["run", "website"], capsys)[0] == 0
    assert execs[0][-1] == f"website:{name}"


def test_default_names_are_tried_in_order(project, execs, capsys):
    project.write("website.py", APP.format(name="server") + APP.format(name="application"))
    run(["run", "website"], capsys)
    assert execs[0][-1] == "website:application"


def test_a_default_name_that_is_not_an_app_is_passed_over(project, execs, capsys):
    project.write("website.py", "app = 'not an app'\n" + APP.format(name="web"))
    run(["run", "website"], capsys)
    assert execs[0][-1] == "website:web"


def test_the_only_app_instance_is_found_under_any_name(project, execs, capsys):
    project.write("website.py", APP.format(name="web") + "alias = web\n")
    run(["run", "website"], capsys)
    assert execs[0][-1] == "website:web"


def test_several_apps_must_be_named(project, capsys):
    project.write("website.py", APP.format(name="web") + APP.format(name="api"))
    code, _, err = run(["routes", "website"], capsys)
    assert code == 2
    assert err == (
        "heaven routes: error: module 'website' holds several heaven apps (web, api); "
        "say which one, e.g. website:web\n"
    )


def test_no_app_in_the_module(project, capsys):
    project.write("website.py", "def app():\n    pass\n")
    code, _, err = run(["routes", "website"], capsys)
    assert code == 2
    assert err == (
        "heaven routes: error: no heaven App in module 'website': looked for app, application, router, server "
        "and for a single App instance (app is a function); name it with website:attribute\n"
    )


def test_module_in_a_package(project, execs, capsys):
    project.write("pkg/__init__.py", "")
    project.write("pkg/web.py", APP.format(name="app"))
    run(["run", "pkg.web"], capsys)
    assert execs[0][-1] == "pkg.web:app"


def test_working_dir_is_put_on_sys_path(project, execs, capsys):
    project.write("elsewhere/website.py", APP.format(name="app"))
    code, _, _ = run(["run", "website", "--working-dir", "elsewhere"], capsys)
    assert code == 0
    assert execs[0][execs[0].index("--working-dir") + 1] == str(project.root / "elsewhere")


def test_missing_working_dir(project, capsys):
    code, _, err = run(["routes", "website", "--working-dir", "nowhere"], capsys)
    assert (code, err) == (2, "heaven routes: error: working directory 'nowhere' does not exist\n")


# -- import errors -------------------------------------------------------------------


def test_missing_module(project, capsys):
    code, _, err = run(["run", "nosuch:app"], capsys)
    assert code == 2
    assert err == (
        f"heaven run: error: no module named 'nosuch' (searched {project.root} and sys.path); "
        "check the spelling, or pass --working-dir\n"
    )


def test_syntax_error_names_file_and_line(project, capsys):
    path = project.write("broken.py", "from heaven import App\n\ndef f(:\n    pass\n")
    code, _, err = run(["run", "broken:app"], capsys)
    assert code == 2
    assert err.startswith("heaven run: error: importing 'broken' failed:\n")
    assert f'File "{path}", line 3' in err
    assert "SyntaxError: " in err
    assert "importlib" not in err


def test_a_missing_dependency_is_not_a_missing_app(project, capsys):
    path = project.write("website.py", "import json\nimport nosuchdependency\n")
    code, _, err = run(["routes", "website"], capsys)
    assert code == 2
    assert err.splitlines() == [
        "heaven routes: error: importing 'website' failed:",
        "Traceback (most recent call last):",
        f'  File "{path}", line 2, in <module>',
        "    import nosuchdependency",
        "ModuleNotFoundError: No module named 'nosuchdependency'",
    ]


def test_an_exception_at_import_shows_the_users_frames(project, capsys):
    path = project.write("website.py", "def connect():\n    raise ConnectionError('db down')\n\nconnect()\n")
    code, _, err = run(["routes", "website"], capsys)
    assert code == 2
    assert err.splitlines()[1:] == [
        "Traceback (most recent call last):",
        f'  File "{path}", line 4, in <module>',
        "    connect()",
        f'  File "{path}", line 2, in connect',
        "    raise ConnectionError('db down')",
        "ConnectionError: db down",
    ]


def test_missing_attribute(project, capsys):
    project.write("website.py", APP.format(name="app"))
    code, _, err = run(["run", "website:web"], capsys)
    assert (code, err) == (2, "heaven run: error: module 'website' has no attribute 'web'\n")


@pytest.mark.parametrize(
    "source, message",
    [
        ("def create_app():\n    pass\n", "website:create_app is a function, not a heaven App (an app factory? "
         "build the app in the module: app = create_app())"),
        ("from heaven import App as create_app\n", "website:create_app is the class App, not a heaven App "
         "(create an instance: app = App())"),
        ("create_app = 42\n", "website:create_app is of type int, not a heaven App "
         "(heaven serves heaven apps; serve other ASGI apps with granian directly)"),
    ],
)
def test_not_an_app(source, message, project, capsys):
    project.write("website.py", source)
    code, _, err = run(["run", "website:create_app"], capsys)
    assert (code, err) == (2, f"heaven run: error: {message}\n")


@pytest.mark.parametrize(
    "target, message",
    [
        ("website.py", "'website.py' is a file path; heaven takes a module name such as 'website'"),
        ("src/website.py:app", "'src/website.py:app' is a file path; heaven takes a module name such as 'src.website'"),
        ("my-website:app", "'my-website:app' is not a target of the form module:app"),
        ("website:1app", "'website:1app': '1app' is not an attribute name"),
    ],
)
def test_malformed_targets(target, message, project, capsys):
    code, _, err = run(["routes", target], capsys)
    assert code == 2
    assert err.startswith(f"heaven routes: error: {message}")


def test_a_file_shadowed_by_a_module_python_already_loaded(project, capsys):
    import site

    project.write("site.py", APP.format(name="app"))
    code, _, err = run(["routes", "site"], capsys)
    assert code == 2
    assert err == (
        f"heaven routes: error: {project.root / 'site.py'} is not what 'import site' loads: a module of that "
        f"name was already imported from {site.__file__}; rename site.py\n"
    )


def test_what_the_module_prints_goes_to_stderr(project, capsys):
    project.write("website.py", "print('connecting...')\n" + APP.format(name="app"))
    code, out, err = run(["routes", "website", "--json"], capsys)
    assert code == 0
    assert json.loads(out)[0]["pattern"] == "/app"
    assert "connecting..." in err


# -- run -----------------------------------------------------------------------------------


def test_run_execs_granian_with_this_interpreter(project, execs, capsys):
    project.write("website.py", APP.format(name="app"))
    code, _, err = run(
        ["run", "website:app", "--host", "0.0.0.0", "--port", "9000", "--workers", "3", "--loop", "asyncio"], capsys
    )
    assert code == 0
    assert execs == [[
        sys.executable, "-m", "granian", "--interface", "asgi", "--host", "0.0.0.0", "--port", "9000",
        "--workers", "3", "--loop", "asyncio", "--working-dir", str(project.root), "website:app",
    ]]
    assert err == f"heaven: serving website:app (1 route) from {project.root} on http://0.0.0.0:9000\n"


def test_run_reload_watches_the_working_dir(project, execs, capsys):
    project.write("website.py", APP.format(name="app"))
    run(["run", "website", "--reload"], capsys)
    assert execs[0][-4:] == ["--reload", "--reload-paths", str(project.root), "website:app"]


def test_run_returns_granians_exit_code(project, monkeypatch, capsys):
    project.write("website.py", APP.format(name="app"))
    monkeypatch.setattr(cli, "exec_granian", lambda command: 3)
    assert cli.main(["run", "website"]) == 3


def test_run_passes_the_interface_to_granian(project, monkeypatch, capsys):
    project.write("website.py", APP.format(name="app"))
    seen = []
    monkeypatch.setattr(cli, "exec_granian", lambda command: seen.append(command) or 0)
    assert cli.main(["run", "website", "--interface", "rsgi"]) == 0
    command = seen[0]
    assert command[command.index("--interface") + 1] == "rsgi"


@pytest.mark.parametrize(
    "option, message",
    [
        (["--interface", "wsgi"], "argument --interface: 'wsgi' is not an interface heaven apps speak"),
        (["--port", "70000"], "argument --port: '70000' is not a port number (0-65535)"),
        (["--workers", "0"], "argument --workers: '0' is not a number of workers (1 or more)"),
        (["--loop", "tokio"], "argument --loop: invalid choice: 'tokio'"),
    ],
)
def test_run_option_errors(option, message, capsys):
    code, _, err = run(["run", "website:app", *option], capsys)
    assert code == 2
    assert err.splitlines()[-1].startswith(f"heaven run: error: {message}")


def test_exec_granian_without_exec_waits_and_returns_the_code():
    # The path taken where there is no real exec (Windows).
    assert cli.exec_granian([sys.executable, "-c", "raise SystemExit(5)"], replace=False) == 5


def test_run_needs_granian(project, execs, monkeypatch, capsys):
    project.write("website.py", APP.format(name="app"))
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name: None if name == "granian" else real(name))
    code, _, err = run(["run", "website"], capsys)
    assert (code, execs) == (2, [])
    assert err == "heaven run: error: granian is not installed in this environment: pip install granian\n"


# -- fly -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files, target",
    [
        (["app.py"], "app:app"),
        (["main.py"], "main:app"),
        (["app/__init__.py"], "app:app"),
        (["main.py", "app.py"], "app:app"),
        (["app/__init__.py", "main.py"], "main:app"),
    ],
)
def test_fly_finds_the_app(files, target, project, execs, capsys):
    for name in files:
        project.write(name, APP.format(name="app"))
    code, _, err = run(["fly", "--port", "8123"], capsys)
    assert code == 0
    command = execs[0]
    assert command[-1] == target
    assert command[command.index("--port") + 1] == "8123"
    assert ["--reload", "--reload-paths", str(project.root)] == command[-4:-1]
    assert err.endswith("on http://127.0.0.1:8123, reloading on changes\n")


def test_fly_says_where_it_looked(project, capsys):
    project.write("server.py", APP.format(name="app"))
    code, _, err = run(["fly"], capsys)
    assert code == 2
    assert err == (
        f"heaven fly: error: no app found: looked for app.py, main.py, {os.path.join('app', '__init__.py')} "
        f"in {project.root}; create one of them, or name the app: heaven run module:app --reload\n"
    )


def test_fly_reports_a_file_without_an_app(project, capsys):
    project.write("main.py", "x = 1\n")
    code, _, err = run(["fly"], capsys)
    assert code == 2
    assert err.startswith("heaven fly: error: no heaven App in module 'main'")


# -- routes ------------------------------------------------------------------------------------

SHOP = """
    from functools import partial

    from heaven import App

    app = App()


    def home(req, res, ctx):
        res.body = "home"


    def users(req, res, ctx):
        res.body = []


    async def live(send, receive, req, ctx):
        pass


    app.GET("/", home)
    app.HEAD("/", home)
    app.POST("/users", users)
    app.DELETE("/users", users)
    app.PUT("/users", users)
    app.GET("/users", users)
    app.GET("/orders", "shop_handlers.list_orders")
    app.GET("/orders/:id:int", "shop_handlers.Orders#show")
    app.GET("/", lambda req, res, ctx: None, subdomain="api")
    app.OPTIONS("/users", partial(users), subdomain="api")
    app.WS("/live", live)
    app.GET("/echo", print)
"""

SHOP_HANDLERS = """
    from heaven import Handler


    def list_orders(req, res, ctx):
        res.body = []


    class Orders(Handler):
        def show(self):
            self.res.body = {"id": self.req.params["id"]}
"""

SHOP_TABLE = """\
METHOD     SUBDOMAIN  PATTERN          HANDLER                    SOURCE
GET        api        /                shop.<lambda>              shop.py:28
OPTIONS    api        /users           partial(shop.users)        shop.py:12
GET        www        /                shop.home                  shop.py:8
HEAD       www        /                shop.home                  shop.py:8
GET        www        /echo            builtins.print             -
WEBSOCKET  www        /live            shop.live                  shop.py:16
GET        www        /orders          shop_handlers.list_orders  shop_handlers.py:4
GET        www        /orders/:id:int  shop_handlers.Orders#show  shop_handlers.py:9
GET        www        /users           shop.users                 shop.py:12
POST       www        /users           shop.users                 shop.py:12
PUT        www        /users           shop.users                 shop.py:12
DELETE     www        /users           shop.users                 shop.py:12
"""


@pytest.fixture
def shop(project):
    project.write("shop.py", SHOP)
    project.write("shop_handlers.py", SHOP_HANDLERS)
    return project


def test_routes_table(shop, capsys):
    code, out, err = run(["routes", "shop:app"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines() == SHOP_TABLE.splitlines()


def test_routes_json(shop, capsys):
    code, out, _ = run(["routes", "shop", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == len(SHOP_TABLE.splitlines()) - 1
    assert rows[0] == {
        "method": "GET", "subdomain": "api", "pattern": "/", "handler": "shop.<lambda>", "file": "shop.py", "line": 28,
    }
    assert rows[4] == {
        "method": "GET", "subdomain": "www", "pattern": "/echo", "handler": "builtins.print",
        "file": None, "line": None,
    }
    assert rows[7] == {
        "method": "GET", "subdomain": "www", "pattern": "/orders/:id:int", "handler": "shop_handlers.Orders#show",
        "file": "shop_handlers.py", "line": 9,
    }


def test_source_paths_outside_the_current_directory_are_absolute(shop, monkeypatch, capsys):
    (shop.root / "elsewhere").mkdir()
    monkeypatch.chdir(shop.root / "elsewhere")
    code, out, _ = run(["routes", "shop", "--working-dir", "..", "--json"], capsys)
    assert code == 0
    assert json.loads(out)[0]["file"] == str(shop.root / "shop.py")


def test_routes_without_a_target_finds_the_app_like_fly(project, capsys):
    project.write("main.py", APP.format(name="app"))
    code, out, _ = run(["routes"], capsys)
    assert code == 0
    assert out.splitlines()[1].split() == ["GET", "www", "/app", "main.<lambda>", "main.py:4"]


def test_routes_of_an_empty_app(project, capsys):
    project.write("website.py", "from heaven import App\napp = App()\n")
    assert run(["routes", "website"], capsys) == (0, "no routes registered\n", "")


def test_handler_names_and_sources_of_other_callables(project, capsys):
    project.write(
        "website.py",
        """
        import functools

        from heaven import App

        app = App()


        def logged(fn):
            @functools.wraps(fn)
            def wrapper(req, res, ctx):
                return fn(req, res, ctx)
            return wrapper


        @logged
        def wrapped(req, res, ctx):
            pass


        class Counter:
            def __call__(self, req, res, ctx):
                pass

            def method(self, req, res, ctx):
                pass


        app.GET("/wrapped", wrapped)
        app.GET("/instance", Counter())
        app.GET("/method", Counter().method)
        """,
    )
    code, out, _ = run(["routes", "website", "--json"], capsys)
    assert code == 0
    found = {row["pattern"]: (row["handler"], row["line"]) for row in json.loads(out)}
    assert found == {
        "/wrapped": ("website.wrapped", 15),
        "/instance": ("website.Counter()", 21),
        "/method": ("website.Counter.method", 24),
    }


# -- schema ----------------------------------------------------------------------------------------


def test_schema_without_openapi_support(monkeypatch, capsys):
    # None in sys.modules makes `import heaven.openapi` fail as if the module did not exist.
    monkeypatch.setitem(sys.modules, "heaven.openapi", None)
    code, out, err = run(["schema", "website:app"], capsys)
    assert (code, out) == (2, "")
    assert err == "heaven schema: error: OpenAPI generation is not available in this version of heaven\n"


@pytest.fixture
def stand_in_openapi(monkeypatch):
    """A heaven.openapi whose document lists the patterns, to test the
    command's own work (find the app, serialise, write) on its own."""
    fake = types.ModuleType("heaven.openapi")
    fake.openapi_document = lambda app: {"openapi": "3.1.0", "paths": {r.pattern: {} for r in app.routes}, "x": "é"}
    monkeypatch.setitem(sys.modules, "heaven.openapi", fake)


def test_schema_writes_the_document_as_json(shop, stand_in_openapi, capsys):
    code, out, _ = run(["schema", "shop"], capsys)
    assert code == 0
    assert json.loads(out)["paths"].keys() == {"/", "/users", "/orders", "/orders/:id:int", "/live", "/echo"}
    assert '"x": "é"' in out

    code, out, err = run(["schema", "shop", "--output", "out.json"], capsys)
    assert (code, out) == (0, "")
    assert json.loads((shop.root / "out.json").read_text(encoding="utf-8"))["x"] == "é"


def test_schema_output_that_cannot_be_written(shop, stand_in_openapi, capsys):
    code, _, err = run(["schema", "shop", "-o", "missing/openapi.json"], capsys)
    assert (code, err) == (2, "heaven schema: error: cannot write missing/openapi.json: No such file or directory\n")


def _openapi_or_skip():
    try:
        import heaven.openapi  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "heaven.openapi":
            raise
        pytest.skip("heaven.openapi is not in this version of heaven (OpenAPI generation not written yet)")


def test_schema_to_a_file_and_to_stdout(shop, capsys):
    _openapi_or_skip()
    code, _, err = run(["schema", "shop:app", "-o", "openapi.json"], capsys)
    assert code == 0
    assert err == "heaven: wrote the OpenAPI document of shop:app to openapi.json\n"
    document = json.loads((shop.root / "openapi.json").read_text())
    assert document["openapi"] == "3.1.0"
    assert "paths" in document

    code, out, _ = run(["schema", "shop:app"], capsys)
    assert code == 0
    assert json.loads(out) == document
