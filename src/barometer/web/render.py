"""How a page becomes a response: HTML from a template, or a data twin (.json, .csv, .xlsx …) from the same data.

Every page handler returns a :class:`Page` (template + context for people, `data` for .json, `table` for every
other format); `page_route` turns it into the page's URL and its twins, one per format of the export registry
(barometer.exports); barometer.web.cache keeps the rendered bytes per (release, path, query).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from barometer.errors import BarometerError
from barometer.exports import (
    LICENCE,
    Export,
    ExportMeta,
    page_tables,
    renderer,
    renderer_names,
    renderers,
)
from barometer.exports.release import release_meta
from barometer.formatting import format_number
from barometer.notice import SYNTHETIC_HEADER, attribution, synthetic_label, synthetic_note
from barometer.settings import DEFAULT_PUBLISHER
from barometer.web.holder import ReleaseHolder, Snapshot
from barometer.web.i18n import texts
from barometer.web.security import local_path

TEMPLATES = Path(__file__).parent / "templates"
FORMAT_LINK_TEXT = {r.name: r.link_text for r in renderers()}  # what a download link says, per format


class ParamError(BarometerError, ValueError):
    """A query or path parameter with a bad value (answered with 422, the parameter named)."""

    code = "bad_parameter"
    exit_code = 2
    http_status = 422

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = self.parameter = name


class NotFound(BarometerError, LookupError):
    """An unknown area, item, release or page (answered with 404)."""

    code = "not_found"
    exit_code = 2
    http_status = 404


class Moved(Exception):
    """A harmless variant of a known code (`0851` as in boundary files): answered with a 308 to the canonical
    address, so links people paste from other sources work and each page keeps one URL (and one cache entry)."""

    def __init__(self, given: str, canonical: str) -> None:
        super().__init__(f"{given} is {canonical}")
        self.given, self.canonical = given, canonical

    def location(self, request: Request) -> str:
        path = local_path(request.url.path.replace(f"/{self.given}", f"/{self.canonical}", 1))
        return path + (f"?{request.url.query}" if request.url.query else "")


@dataclass
class Page:
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    data: Any = None  # the .json twin's payload
    table: list[dict[str, Any]] = field(default_factory=list)  # the .csv twin's rows


# Every query parameter a page reads. The response cache drops all others before the app sees them
# (barometer.web.cache), so a page reading an undeclared name is a programming error, refused at once.
PAGE_PARAMS = frozenset({"lang", "area", "compare"})


def _declared(name: str) -> None:
    if name not in PAGE_PARAMS:
        raise LookupError(f"query parameter {name!r} is not in PAGE_PARAMS (render.py)")


@dataclass
class Ctx:
    """What a page handler gets: the request, the release snapshot and the validated language."""

    request: Request
    snap: Snapshot
    lang: str
    params: dict[str, str]

    def query_list(self, name: str) -> list[str]:
        _declared(name)
        values: list[str] = []
        for raw in self.request.query_params.getlist(name):
            values.extend(v for v in raw.split(",") if v.strip())
        return [v.strip() for v in values]

    def query_one(self, name: str) -> str | None:
        _declared(name)
        values = self.request.query_params.getlist(name)
        if len(values) > 1:
            raise ParamError(name, "give at most one value")
        return values[0].strip() if values and values[0].strip() else None


def _fmt(value: float | None, lang: str = "da", decimals: int = 0) -> str:
    """The template filter `num`: Babel formatting with fixed decimals so table columns line up; anything that
    is not a number prints as a dash."""
    return format_number(value, lang, decimals, decimals) if isinstance(value, int | float) else "–"


def _goal_text(goal: Any) -> str:
    """The goal's wording without its theme ("Arbejde - Flere … skal i arbejde." → "Flere … skal i arbejde."):
    pages print the theme as the heading, so the title would otherwise say it twice."""
    title, theme = str(goal.title), str(goal.theme)
    for sep in (" - ", " – ", ": "):
        if title.startswith(theme + sep):
            return title[len(theme) + len(sep):]
    return title


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _fmt
    env.filters["goal_text"] = _goal_text
    env.globals["FORMAT_LINK_TEXT"] = FORMAT_LINK_TEXT
    return env


ENV = make_env()


def lang_of(request: Request) -> str:
    """`lang` is da (default) or en, in any letter case (`?lang=EN` is harmless, so it is accepted)."""
    values = [v.strip().lower() for v in request.query_params.getlist("lang")]
    if len(values) > 1 or (values and values[0] not in ("da", "en")):
        raise ParamError("lang", "must be da or en")
    return values[0] if values else "da"


def link(lang: str, path: str, **query: Any) -> str:
    """An internal link that keeps the language."""
    items = [(k, v) for k, vals in query.items() if vals is not None
             for v in (vals if isinstance(vals, list) else [vals])]
    if lang == "en":
        items.append(("lang", "en"))
    return path + (f"?{urlencode(items)}" if items else "")


def licence(snap: Snapshot | None) -> str:
    """The licence line: free reuse, naming the publisher recorded in the release."""
    return attribution(snap.release.publisher) if snap is not None else LICENCE


def is_synthetic(snap: Snapshot | None) -> bool:
    return snap is not None and snap.release.synthetic


def common_headers(snap: Snapshot | None) -> dict[str, str]:
    """Headers of every response: licence and release; `X-Synthetic-Data: true` for a synthetic release."""
    headers = {"X-Licence": licence(snap)}
    if snap is not None:
        headers["X-Barometer-Release"] = snap.id
    if is_synthetic(snap):
        headers[SYNTHETIC_HEADER] = "true"
    return headers


def html_page(request: Request, snap: Snapshot | None, lang: str, page: Page, status: int = 200,
              twins: dict[str, str] | None = None) -> Response:
    t = texts(lang)
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if lang == "da":
        items.append(("lang", "en"))
    switch = local_path(request.url.path) + (f"?{urlencode(items)}" if items else "")
    body = ENV.get_template(page.template).render(
        t=t, lang=lang, page=page, snap=snap, release=snap.id if snap else None, switch_url=switch,
        twins=twins, link=lambda path, **q: link(lang, path, **q),
        licence=t["licence"].format(publisher=snap.release.publisher if snap else DEFAULT_PUBLISHER),
        synthetic=is_synthetic(snap), synthetic_label=synthetic_label(lang), synthetic_note=synthetic_note(lang),
        catalogue=snap.catalogue if snap else None, **page.context)
    return Response(body, status, media_type="text/html; charset=utf-8", headers=common_headers(snap))


def export_meta(snap: Snapshot | None, name: str, lang: str = "da") -> ExportMeta:
    """What every download from this snapshot carries: its release, publisher, licence, source and whether it is
    synthetic."""
    if snap is None:
        return ExportMeta(release=None, name=name, lang=lang)
    return release_meta(snap.release, name, lang)


def export_response(snap: Snapshot | None, export: Export, fmt: str) -> Response:
    """The export rendered in a registered format, with the release and licence headers; a download (with a
    file name that says what it is, e.g. `integrationsbarometer-kommune-851.csv`) unless the format is shown
    inline."""
    chosen = renderer(fmt)
    headers = common_headers(snap)
    if chosen.attachment:
        headers["Content-Disposition"] = f'attachment; filename="{chosen.filename(export.meta.name)}"'
    return Response(chosen(export), 200, media_type=chosen.media_type, headers=headers)


def json_response(snap: Snapshot | None, data: Any, status: int = 200) -> Response:
    body = renderer("json")(Export(export_meta(snap, "data"), [], data=data))
    return Response(body, status, media_type="application/json", headers=common_headers(snap))


STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 422: "bad_parameter", 503: "no_release",
                500: "internal_error"}
"""The problem code of an HTTP error that no BarometerError carries (a route that does not exist, a method)."""


def problem_response(request: Request, exc: BarometerError, snap: Snapshot | None) -> Response:
    """The one mapping of a BarometerError to an answer: its HTTP status, code and message, and the parameter
    it names (the app's exception handler calls this for every route, pages and API alike)."""
    return error_response(request, exc.http_status, exc.message, snap, getattr(exc, "parameter", None), exc.code)


def error_response(request: Request, status: int, message: str, snap: Snapshot | None = None,
                   parameter: str | None = None, code: str | None = None) -> Response:
    """A 404/422/503 as JSON for API and twin URLs (English `message`, for developers, and the problem `code`,
    docs/problems.md), as an HTML page otherwise — in the page's language and in words for citizens (the
    technical message is not shown)."""
    path = request.url.path
    if path.startswith("/api/") or path.endswith(tuple(f".{name}" for name in renderer_names())):
        code = code or STATUS_CODES.get(status, "bad_request" if status < 500 else "internal_error")
        error = {"status": status, "code": code, "message": message} | ({"parameter": parameter} if parameter else {})
        return Response(json.dumps({"error": error, "licence": licence(snap), "release": snap.id if snap else None},
                                   ensure_ascii=False), status, media_type="application/json",
                        headers=common_headers(snap))
    try:
        lang = lang_of(request)
    except ParamError:
        lang = "da"
    t = texts(lang)
    title = {404: t["not_found"], 422: t["bad_request"], 503: t["no_release"]}.get(status, t["error"])
    if status == 404:
        text = t["error_404"]
    elif status == 422 and parameter == "lang":
        text = t["error_lang"]
    elif status == 422 and path == "/kommune":
        text = t["error_pick"]  # the picker sent without a choice
    elif status == 422:
        text = t["error_422"].format(parameter=parameter or "?")
    elif status == 503:
        text = t["error_503"]
    else:
        text = t["error_other"]
    return html_page(request, snap, lang, Page("error.html", title, {"message": text, "status": status}),
                     status)


Handler = Callable[[Ctx], Page]


TABLE_FORMATS = tuple(renderer_names(observations=False))  # every page's twins
ALL_FORMATS = tuple(renderer_names())  # pages whose tables are observations add the cube formats


def twin_links(request: Request, formats: tuple[str, ...]) -> dict[str, str]:
    """The page's twin URLs by format, keeping the query (and so the language)."""
    base = "/index" if request.url.path == "/" else request.url.path
    query = f"?{request.url.query}" if request.url.query else ""
    return {fmt: f"{base}.{fmt}{query}" for fmt in formats}


def page_route(holder: ReleaseHolder, path: str, handler: Handler, name: str,
               observations: bool = False) -> list[Route]:
    """The HTML route and its twins for one page (twins first, so `1.1.json` is not an id); a page whose
    table is observations (`observations=True`) has twins in the cube formats too (JSON-stat, SDMX-CSV)."""
    twin_base = "/index" if path == "/" else path
    formats, convertor = (ALL_FORMATS, "obsfmt") if observations else (TABLE_FORMATS, "fmt")

    async def endpoint(request: Request) -> Response:
        snap = holder.get()  # NoRelease, ParamError, NotFound …: answered by the app's one error handler
        fmt = request.path_params.get("fmt", "html")
        try:
            lang = lang_of(request)
            params = {k: v for k, v in request.path_params.items() if k != "fmt"}
            # Off the event loop: a first render may draw charts (vl-convert) and must not stall cached requests.
            page = await run_in_threadpool(handler, Ctx(request, snap, lang, params))
        except Moved as exc:
            return RedirectResponse(exc.location(request), status_code=308)
        if fmt == "html":
            return html_page(request, snap, lang, page, twins=twin_links(request, formats))
        stem = request.url.path.removesuffix(f".{fmt}").strip("/").replace("/", "-") or "index"
        stem += "-en" if lang == "en" else ""
        meta = replace(export_meta(snap, stem, lang), title=f"Integrationsbarometeret — {page.title}")
        export = Export(meta, page_tables(page.table, stem), data=page.data)
        return await run_in_threadpool(export_response, snap, export, fmt)  # NotRenderable: 422

    return [Route(twin_base + f".{{fmt:{convertor}}}", endpoint, name=f"{name}-twin"),
            Route(path, endpoint, name=name)]


def data_route(holder: ReleaseHolder, path: str, handler: Callable[[Ctx], Any], name: str) -> Route:
    """A JSON-only address (a page's `.metadata.json`): the handler's data in the usual envelope."""

    async def endpoint(request: Request) -> Response:
        snap = holder.get()
        try:
            lang = lang_of(request)
            data = await run_in_threadpool(handler, Ctx(request, snap, lang, dict(request.path_params)))
        except Moved as exc:
            return RedirectResponse(exc.location(request), status_code=308)
        return json_response(snap, data)

    return Route(path, endpoint, name=name)
