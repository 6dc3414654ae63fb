"""The commonest API call, one observation (`/api/v1/observations?area=851&item=1.2&period=2020`), answered
straight from the observation index without FastAPI's routing and parameter machinery.

FastAPI spends some tenths of a millisecond matching the route and validating five list parameters — several
times the cost of the answer itself. This ASGI layer takes only a query of exactly one area, one item and one
period (and optionally `format=json`), each a plain value the catalogue knows; everything else — lists, other
formats, unknown codes, bad periods, any doubt — passes through to the API route, which answers it (and every
error) as before. The answer is built by the same functions the route uses (ObservationIndex.select,
json_response), so its bytes and headers are the route's (tests/web/test_obsindex.py compares them).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from barometer.periods import PeriodError, validate_code
from barometer.web.holder import NoRelease, ReleaseHolder
from barometer.web.render import json_response

PATH = "/api/v1/observations"
KEYS = {"area", "item", "period"}


class ObservationLookup:
    def __init__(self, app: ASGIApp, holder: ReleaseHolder) -> None:
        self.app, self.holder = app, holder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            response = self._answer(scope["query_string"])
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _answer(self, query: bytes) -> Response | None:
        try:
            pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            return None
        params = dict(pairs)
        if len(params) != len(pairs) or params.pop("format", "json") != "json" or params.keys() != KEYS:
            return None
        area, item, period = params["area"], params["item"], params["period"]
        if any(not v or v != v.strip() or "," in v for v in (area, item, period)):
            return None
        try:
            snap = self.holder.get()
        except NoRelease:
            return None
        if not (snap.catalogue.has_area(area) and snap.catalogue.has_item(item)):
            return None
        try:
            validate_code(period)
        except PeriodError:
            return None
        return json_response(snap, list(snap.observations.select((area,), (item,), (period,))))
