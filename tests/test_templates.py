"""Templates (docs/templates.md): folders in order, prefixes, autoescape, async and
sync rendering, req/res/ctx in every template."""

import subprocess
import sys

import pytest

from heaven import App
from heaven.templates import templates_for
from helpers import Client

pytestmark = pytest.mark.interfaces


@pytest.fixture
def folders(tmp_path):
    (tmp_path / "main").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "admin").mkdir()
    (tmp_path / "main" / "page.html").write_text("main {{ title }} {{ req.params.name }} {{ ctx.user }} {{ res.status }}")
    (tmp_path / "main" / "unsafe.html").write_text("<p>{{ text }}</p>")
    (tmp_path / "main" / "unsafe.txt").write_text("{{ text }}")
    (tmp_path / "shared" / "page.html").write_text("shared page")
    (tmp_path / "shared" / "only-shared.html").write_text("from shared")
    (tmp_path / "admin" / "page.html").write_text("admin {{ app.CONFIG('name') }}")
    return tmp_path


def build(folders):
    app = App({"name": "demo"})
    app.TEMPLATES("main", relative_to=str(folders))
    app.TEMPLATES("shared", relative_to=str(folders))
    app.TEMPLATES("admin", relative_to=str(folders), prefix="admin")
    return app


def test_async_render_with_request_objects(folders):
    app = build(folders)

    async def page(req, res, ctx):
        ctx.user = "ada"
        res.status = 201
        await res.render("page.html", title="Hello")

    app.GET("/p/:name", page)
    with Client(app) as c:
        r = c.get("/p/grace")
    assert r.status_code == 201
    assert r.text == "main Hello grace ada 201"
    assert r.headers["content-type"] == "text/html; charset=utf-8"


def test_folders_searched_in_order_and_prefixes(folders):
    app = build(folders)
    app.GET("/shared", lambda req, res, ctx: res.renders("only-shared.html"))
    app.GET("/admin", lambda req, res, ctx: res.renders("admin/page.html"))
    with Client(app) as c:
        assert c.get("/shared").text == "from shared"
        assert c.get("/admin").text == "admin demo"


def test_autoescape_by_extension(folders):
    app = build(folders)
    app.GET("/html", lambda req, res, ctx: res.renders("unsafe.html", text="<script>x</script>"))
    app.GET("/txt", lambda req, res, ctx: res.renders("unsafe.txt", text="<b>"))
    with Client(app) as c:
        assert c.get("/html").text == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
        assert c.get("/txt").text == "<b>"


def test_missing_template_or_configuration_is_a_500(folders):
    app = build(folders)
    bare = App()
    app.GET("/missing", lambda req, res, ctx: res.renders("nope.html"))
    bare.GET("/none", lambda req, res, ctx: res.renders("page.html"))
    with Client(app) as c:
        assert c.get("/missing").status_code == 500
    with Client(bare) as c:
        assert c.get("/none").status_code == 500


def test_errors_at_configuration(folders):
    with pytest.raises(ValueError, match="does not exist"):
        App().TEMPLATES("absent", relative_to=str(folders))
    with pytest.raises(ValueError, match="prefix"):
        App().TEMPLATES("main", relative_to=str(folders), prefix="a/b")


def test_mounted_child_uses_its_own_then_its_parents_templates(folders):
    parent = build(folders)
    child = App()
    child.GET("/child", lambda req, res, ctx: res.renders("only-shared.html"))
    parent.mount(child)
    with Client(parent) as c:
        assert c.get("/child").text == "from shared"


def test_templates_await_by_default(folders):
    (folders / "main" / "awaits.html").write_text("{{ greeting() }}{% for n in numbers %} {{ n }}{% endfor %}")
    app = build(folders)

    async def greeting():
        return "hello"

    async def numbers():
        for n in (1, 2, 3):
            yield n

    async def page(req, res, ctx):
        await res.render("awaits.html", greeting=greeting, numbers=numbers())

    app.GET("/awaits", page)
    with Client(app) as c:
        r = c.get("/awaits")
    assert (r.status_code, r.text) == (200, "hello 1 2 3")


def test_synchronous_templates_render_awaited_without_async_mode(folders):
    (folders / "main" / "loop.html").write_text("{% for n in numbers %}{{ n }},{% endfor %} {{ title }}")
    app = App()
    app.TEMPLATES("main", relative_to=str(folders), asynchronous=False)
    app.TEMPLATES("shared", relative_to=str(folders))  # the first call's `asynchronous` holds, as in 2.4.3

    async def page(req, res, ctx):
        await res.render("loop.html", numbers=[1, 2], title="<t>")

    async def text(req, res, ctx):
        res.body = await res.interpolate("page.html", title="T") + "|" + await res.interpolate("only-shared.html")

    async def awaited_loop(req, res, ctx):
        async def numbers():
            yield 1

        await res.render("loop.html", numbers=numbers(), title="x")

    app.GET("/page", page)
    app.GET("/text", text)
    app.GET("/async-loop", awaited_loop)
    with Client(app, raise_app_exceptions=False) as c:
        r = c.get("/page")
        assert (r.status_code, r.text, r.headers["content-type"]) == (200, "1,2, &lt;t&gt;", "text/html; charset=utf-8")
        assert c.get("/text").text == "main T  None 200|from shared"
        # Synchronous templates cannot iterate an async generator: it is a 500, not a silent empty loop.
        assert c.get("/async-loop").status_code == 500
    assert templates_for(app).environment(asynchronous=True).is_async is False


def test_mounted_app_without_templates_takes_the_childs_mode(folders):
    parent = App()
    child = App()
    child.TEMPLATES("main", relative_to=str(folders), asynchronous=False)
    parent.mount(child, isolated=False)
    assert templates_for(parent).asynchronous is False
    assert templates_for(parent).environment(asynchronous=True).is_async is False


def test_jinja2_is_imported_only_when_templates_are_used(folders, interface):
    # A fresh interpreter: `import heaven` leaves jinja2 out (a sixth of the
    # import time, benches/startup.py); the first render brings it in.
    code = (
        "import sys\n"
        "from heaven import App\n"
        "from heaven.testing import Client\n"
        "app = App()\n"
        "assert 'jinja2' not in sys.modules, 'imported with heaven'\n"
        f"app.TEMPLATES({str(folders / 'main')!r}, escape='html')\n"
        "async def page(req, res, ctx):\n"
        "    await res.render('unsafe.html', text='<b>')\n"
        "app.GET('/', page)\n"
        "assert 'jinja2' not in sys.modules, 'imported when a folder was added'\n"
        f"print(Client(app, interface={interface!r}).get('/').text, 'jinja2' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr == ""
    assert done.stdout == "<p>&lt;b&gt;</p> True\n"
