"""/docs, the API's interactive documentation (Swagger UI), served entirely from this site so that it works
offline and behind firewalls that block CDNs; and /favicon.ico, where browsers look for the site's icon.

FastAPI's own `/docs` loads Swagger UI from cdn.jsdelivr.net and starts it with an inline script; here the
assets come from the `swagger-ui-bundle-v2` package (Swagger UI 5, which reads the OpenAPI 3.1 the API
writes; served under `/swagger-ui/`) and the start-up script is a
static file, so the page runs under a content security policy without inline scripts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from swagger_ui_bundle import swagger_ui_path

from barometer.web.security import PAGE_CSP

# Swagger UI sets inline styles and draws icons from data: URIs, and fetches /openapi.json; scripts stay 'self'.
DOCS_CSP = PAGE_CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';") \
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace("img-src 'self'", "img-src 'self' data:")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
<link rel="icon" href="/favicon.ico">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


FAVICON = Path(__file__).parent / "static" / "favicon.ico"


def routes(title: str) -> list[Route | Mount]:
    async def docs(request: Request) -> Response:
        return HTMLResponse(PAGE.format(title=title), headers={"Content-Security-Policy": DOCS_CSP})

    async def favicon(request: Request) -> Response:
        """Where browsers look for an icon when a page names none (the pages link it, and /static/favicon.svg)."""
        return FileResponse(FAVICON, media_type="image/x-icon")

    return [Route("/docs", docs, name="docs"), Route("/favicon.ico", favicon, name="favicon"),
            Mount("/swagger-ui", StaticFiles(directory=Path(swagger_ui_path)), name="swagger-ui")]
