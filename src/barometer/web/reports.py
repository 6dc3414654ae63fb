"""/reports/{area}.pdf and .html: the Udviklingsrapport rendered from the served release on first request.

Rendering is left to the report formats of the export registry (the same templates as `barometer report`);
the bytes are cached in the release's snapshot, so each report is rendered once per release.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from barometer.exports.registry import report_format
from barometer.web.holder import ReleaseHolder
from barometer.web.pages_area import check_area
from barometer.web.render import Moved, common_headers, lang_of
from barometer.web.security import style_csp


def routes(holder: ReleaseHolder) -> list[Route]:
    async def report(request: Request) -> Response:
        code, kind = request.path_params["code"], request.path_params["fmt"]
        snap = holder.get()  # NoRelease, NotFound, ParamError: answered by the app's one error handler
        try:
            check_area(snap, code)
        except Moved as moved:
            return RedirectResponse(moved.location(request), status_code=308)
        chosen = report_format(kind)
        lang = lang_of(request)

        def make() -> bytes:
            return chosen.render(snap.view(code, lang), False)  # the facsimile: no verdict marks

        body = await run_in_threadpool(snap.cached, ("report", code, kind, lang), make)
        prefix = "development-report" if lang == "en" else "udviklingsrapport"
        name = f"{prefix}-{code}-{snap.release.edition}.{chosen.extension}"
        disposition = "attachment" if chosen.attachment else "inline"
        headers = common_headers(snap) | {"Content-Disposition": f'{disposition}; filename="{name}"'}
        if chosen.media_type.startswith("text/html"):  # its stylesheet is inline: allowed by its hash
            headers["Content-Security-Policy"] = style_csp(body.decode())
        return Response(body, media_type=chosen.media_type, headers=headers)

    return [Route("/reports/{code}.{fmt:report}", report, name="report")]
