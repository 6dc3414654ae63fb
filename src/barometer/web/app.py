"""The app factory: one FastAPI application serving the pages, the API, the reports and the static files."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from barometer.errors import BarometerError
from barometer.exports.registry import report_formats
from barometer.web import api, apidocs, openapi, pages_area, pages_downloads, pages_indicator, pages_info, reports
from barometer.web.cache import ResponseCache
from barometer.web.geo import load_topojson
from barometer.web.holder import NoRelease, ReleaseHolder
from barometer.web.lookup import ObservationLookup
from barometer.web.render import ALL_FORMATS, PAGE_PARAMS, TABLE_FORMATS, error_response, problem_response
from barometer.web.security import SECURITY_HEADERS, SecurityHeaders, relative_slash_redirects
from barometer.web.settings import WebSettings

log = logging.getLogger("barometer.web")


def _choice(*choices: str) -> Convertor:
    """A path convertor matching exactly one of ``choices`` (Starlette reads `regex` from the class)."""

    class Choice(Convertor[str]):
        regex = "|".join(re.escape(c) for c in choices)

        def convert(self, value: str) -> str:
            return value

        def to_string(self, value: str) -> str:
            return value

    return Choice()


register_url_convertor("fmt", _choice(*TABLE_FORMATS))
register_url_convertor("obsfmt", _choice(*ALL_FORMATS))
register_url_convertor("report", _choice(*(f.name for f in report_formats())))

DESCRIPTION = """The Danish integration barometer as data: areas, the catalogue of indicators and key figures,
observations (JSON, CSV, XLSX, JSON-stat 2.0 or SDMX-CSV), an area's barometer, and the releases. Every
response names the release it was answered from (`release` field and `X-Barometer-Release` header) and the
licence (`licence`, `X-Licence`). See docs/api.md and docs/exports.md."""


class HeadAsGet:
    """HEAD answers like GET without the body: FastAPI's `@get` API routes would answer 405, and going through
    GET also lets HEAD use the response cache (same headers and length as the GET would send)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, headers_only)


def create_app(settings: WebSettings) -> FastAPI:
    """The website for a store; the release is opened on the first request and followed afterwards.

    Raises TopoJSONError when a configured boundary file cannot be used, so a bad file stops the start
    instead of breaking every map page later.
    """
    if settings.topojson is not None:
        load_topojson(settings.topojson)
    holder = ReleaseHolder(settings)
    try:
        holder.get()  # open the release now, so the first visitor does not wait for it
    except NoRelease as exc:
        log.warning("no release to serve yet: %s", exc)
    app = FastAPI(title="Integrationsbarometer API", version="1", description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.holder = holder
    app.openapi = lambda: openapi.document(app)  # type: ignore[method-assign]  # every answer described
    app.include_router(api.router(holder))
    for route in (*pages_area.routes(holder), *pages_indicator.routes(holder), *pages_info.routes(holder),
                  *pages_downloads.routes(holder), *reports.routes(holder)):
        app.router.routes.append(route)
    app.router.routes.extend(apidocs.routes(app.title))
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_middleware(ObservationLookup, holder=holder)  # one observation, without FastAPI's machinery
    app.add_middleware(ResponseCache, holder=holder, known=query_names(app))
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    relative_slash_redirects(app.router)

    @app.exception_handler(BarometerError)
    async def problem(request: Request, exc: BarometerError) -> Response:
        """Every BarometerError of every route (pages, API, reports, downloads), by its status and code."""
        return problem_response(request, exc, _snap(holder))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        names = [str(p) for p in first.get("loc", ()) if isinstance(p, str) and p not in ("query", "path")]
        name = names[-1] if names else None
        return error_response(request, 422, f"{name}: {first['msg']}", _snap(holder), name, "bad_parameter")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_response(request, exc.status_code, str(exc.detail), _snap(holder))
        if exc.status_code == 405:  # say which methods the address answers (HEAD wherever GET: HeadAsGet)
            allowed = {m.strip().upper() for m in (exc.headers or {}).get("Allow", "GET").split(",") if m.strip()}
            allowed |= {"HEAD"} if "GET" in allowed else set()
            response.headers["Allow"] = ", ".join(sorted(allowed))
        return response

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        # Answered by Starlette's outermost middleware, outside SecurityHeaders: the headers are set here.
        response = error_response(request, 500, "internal error", None)
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def query_names(app: FastAPI) -> frozenset[str]:
    """Every query parameter a route reads: the pages' (PAGE_PARAMS) and those the API routes declare."""
    api_names = {param["name"] for ops in app.openapi()["paths"].values() for op in ops.values()
                 for param in op.get("parameters", []) if param.get("in") == "query"}
    return PAGE_PARAMS | api_names


def _snap(holder: ReleaseHolder):
    try:
        return holder.get()
    except NoRelease:
        return None
