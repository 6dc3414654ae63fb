"""Every route the app serves is documented: API routes in docs/api.md, pages in docs/web.md."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Mount

from barometer.web.settings import WebSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _paths(tmp_path) -> list[str]:
    from barometer.web import create_app
    app = create_app(WebSettings(store=tmp_path))
    paths = []
    for route in app.routes:
        if isinstance(route, Mount):
            paths.append(route.path + "/…")
        elif (path := getattr(route, "path", None)) and ".{fmt:" not in path:
            paths.append(path)
    return paths + list(app.openapi()["paths"])  # API routes sit in an included router


def _documented(doc: str, path: str) -> bool:
    bare = re.sub(r":\w+}", "}", path).replace("{fmt}", "pdf")
    return any(form in doc for form in (f"`GET {bare}`", f"`{bare}`", f"`{bare}?", f"`{bare} ", f"`{bare}…"))


def test_every_route_is_documented(tmp_path):
    api, web = (DOCS / "api.md").read_text(), (DOCS / "web.md").read_text()
    missing = []
    for path in _paths(tmp_path):
        if path in ("/docs/oauth2-redirect",):
            continue
        doc = api if path.startswith("/api/") else web
        if not _documented(doc, path):
            missing.append(path)
    assert not missing, f"routes not documented: {missing}"
    assert sum(p.startswith("/api/v1/") for p in _paths(tmp_path)) == 9


def test_every_api_parameter_is_documented(client):
    api = (DOCS / "api.md").read_text()
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for op in ops.values():
            for param in op.get("parameters", []):
                assert f"`{param['name']}`" in api, (path, param["name"])


def test_every_setting_is_documented():
    web = (DOCS / "web.md").read_text()
    for env in ("BAROMETER_STORE", "BAROMETER_RELEASE", "BAROMETER_TOPOJSON", "BAROMETER_RELEASE_CHECK",
                "BAROMETER_PAGE_CACHE_MB", "BAROMETER_WORKERS", "BAROMETER_HEADER_TIMEOUT", "BAROMETER_KEEP_ALIVE",
                "BAROMETER_MAX_CONNECTIONS", "BAROMETER_BACKLOG"):
        assert env in web
    import inspect

    from barometer.web.cli import serve
    for name in inspect.signature(serve).parameters:
        assert f"--{name.replace('_', '-')}" in web, name
