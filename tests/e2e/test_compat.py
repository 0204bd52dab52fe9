"""Heaven 2.4.3 behaviours heaven took on, through a real granian on both
interfaces (docs/compatibility.md)."""

import httpx
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(serve):
    return serve("compat_app:app", ready=True)


def test_heaven_243_behaviours_on_both_interfaces(server):
    with httpx.Client(base_url=server.url) as http:
        # ISO basic dates, big integers, upper-case type names, query hints.
        r = http.get("/day/20240229/123456789012345678901234567890?page=3")
        assert r.json() == {"server": True, "route": "/day/:day:Date/:n:int", "qh": "page:INT", "page": 3,
                            "day": "2024-02-29", "n": 123456789012345678901234567890}
        assert http.get("/day/2024-W09-4/1").json()["day"] == "2024-02-29"
        # 404, 405 with a sorted Allow, as 2.4.3 words them.
        assert (http.get("/nowhere").status_code, http.get("/nowhere").text) == (404, "Not found")
        r = http.get("/things/1")
        assert (r.status_code, r.headers["allow"], r.text) == (405, "DELETE, PUT", "Method not allowed")
        # An unhandled error keeps what the BEFORE hooks set (the CORS hook
        # here included), not what the failing handler set.
        r = http.get("/boom")
        assert r.status_code == 500 and r.headers["x-hook"] == "kept" and "x-handler" not in r.headers
        assert r.headers["access-control-allow-origin"] == "*"
        # res.file: a full path under `within`, inline under its name; a miss is `File not found`.
        r = http.get("/file/report.txt")
        assert (r.text, r.headers["content-disposition"]) == ("numbers\n", 'inline; filename="report.txt"')
        assert (http.get("/file/absent.txt").status_code, http.get("/file/absent.txt").text) == (404, "File not found")
        # res.stream(..., status=) and its text/plain default.
        r = http.get("/stream")
        assert (r.status_code, r.text, r.headers["content-type"]) == (201, "a\nb\n", "text/plain")
        # The CORS hook's OPTIONS /* route lets preflights reach it.
        assert http.options("/stream").headers["access-control-allow-origin"] == "*"
