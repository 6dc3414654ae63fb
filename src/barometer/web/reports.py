"""/reports/{area}.pdf and .html: the Udviklingsrapport rendered from the served release on first request.

Rendering is left to barometer.reports (the same templates as `barometer report`); the bytes are cached in the
release's snapshot, so each report is rendered once per release. Until barometer.reports provides
render_html/render_pdf the routes answer 503 with a clear message.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from barometer.web.holder import NoRelease, ReleaseHolder
from barometer.web.pages_area import check_area
from barometer.web.render import Moved, NotFound, ParamError, common_headers, error_response, lang_of


def _renderer(kind: str) -> Any:
    try:
        from barometer import reports
    except ImportError:
        return None
    return getattr(reports, f"render_{kind}", None)


def routes(holder: ReleaseHolder) -> list[Route]:
    async def report(request: Request) -> Response:
        code, kind = request.path_params["code"], request.path_params["fmt"]
        try:
            snap = holder.get()
        except NoRelease as exc:
            return error_response(request, 503, str(exc))
        try:
            check_area(snap, code)
        except Moved as moved:
            return RedirectResponse(moved.location(request), status_code=308)
        except NotFound:
            return error_response(request, 404, f"unknown area {code!r}", snap)
        render = _renderer(kind)
        if render is None:
            return error_response(request, 503, f"reports: render_{kind} is not available in this installation",
                                  snap)
        try:
            lang = lang_of(request)
        except ParamError as exc:
            return error_response(request, 422, str(exc), snap, exc.name)

        def make() -> bytes:
            view = snap.view(code, lang)
            out = render(view)
            return out.encode("utf-8") if isinstance(out, str) else out

        body = await run_in_threadpool(snap.cached, ("report", code, kind, lang), make)
        prefix = "development-report" if lang == "en" else "udviklingsrapport"
        name = f"{prefix}-{code}-{snap.release.edition}.{kind}"
        media = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
        disposition = "attachment" if kind == "pdf" else "inline"
        return Response(body, media_type=media,
                        headers=common_headers(snap) | {"Content-Disposition": f'{disposition}; filename="{name}"'})

    return [Route("/reports/{code}.{fmt:report}", report, name="report")]
