"""The data API under /api/v1/: areas, items (the catalogue), observations, an area's barometer, releases
and the diff between two releases.

List endpoints answer in any format of the export registry (`format=json|csv|xlsx`, and for observations also
`jsonstat|sdmx-csv`); an unknown format is a 422 naming the parameter.

Every response carries the release id and the licence (in the body's envelope and in headers); unknown areas or
items answer 404 with a JSON error, bad parameters 422. Responses are cached per release (cache.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from barometer.diff import diff_releases
from barometer.exports import Export, Table, renderer_names
from barometer.exports.release import area_record as _area_record
from barometer.exports.release import item_ids
from barometer.exports.release import item_record as _item_record
from barometer.periods import PeriodError, validate_code
from barometer.store import Status, list_releases
from barometer.view import ReleaseIndex
from barometer.web.holder import ReleaseHolder, Snapshot
from barometer.web.openapi import answers, array_of, ref
from barometer.web.render import (
    NotFound,
    ParamError,
    common_headers,
    export_meta,
    export_response,
    json_response,
)
from barometer.web.stream import STREAM_FORMATS, streamed

# The formats each kind of list answers in, from the export registry (cube formats need observations).
# FastAPI reads the Literal (a 422 naming the parameter, and an enum in the OpenAPI document); a type checker
# cannot evaluate a Literal built at run time, so it sees plain text.
if TYPE_CHECKING:
    ObsFmt = str
    TableFmt = str
else:
    ObsFmt = Literal[tuple(renderer_names())]
    TableFmt = Literal[tuple(renderer_names(observations=False))]
OBS_FORMATS = ", ".join(renderer_names())
TABLE_FORMATS = ", ".join(renderer_names(observations=False))
INLINE_ROWS = 500  # JSON/CSV rows rendered on the event loop (~1 ms); more stream, other formats use a thread


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


def area_record(snap: Snapshot, code: str) -> dict[str, Any]:
    return _area_record(snap.catalogue, code)


def item_record(snap: Snapshot, item_id: str) -> dict[str, Any]:
    return _item_record(snap.catalogue, item_id, snap.index.periods.get(item_id, ()), snap.release.edition)


def _answer(snap: Snapshot, rows: list[dict[str, Any]], name: str, fmt: str) -> Response:
    if fmt == "json":
        return json_response(snap, rows)
    return export_response(snap, Export(export_meta(snap, name), [Table(name, rows)], data=rows), fmt)


SINGLE_VALUED = ("format", "kind", "lang")  # FastAPI would quietly take the last of repeated values


async def single_values(request: Request) -> None:
    """A repeated single-valued parameter (`?format=csv&format=json`) is refused, as on the pages, instead of
    answering in whichever value came last. A coroutine: FastAPI would run a plain function in its threadpool
    on every API request, a thread hop costing more than the whole answer."""
    for name in SINGLE_VALUED:
        if len(request.query_params.getlist(name)) > 1:
            raise ParamError(name, "give at most one value")


def router(holder: ReleaseHolder) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(single_values)])

    @api.get("/releases", summary="Releases in the store (oldest first), the current one and the one served",
             responses=answers(array_of("Release")))
    async def releases() -> Response:
        snap = holder.get()
        current = snap.id
        data = [{"id": r.id, "edition": r.edition, "created": r.manifest.get("created"),
                 "observations": r.manifest.get("observations", {}).get("rows"), "served": r.id == current,
                 "synthetic": r.synthetic, "publisher": r.publisher}
                for r in list_releases(holder.settings.store)]
        return json_response(snap, data)

    # A plain function: FastAPI runs it in the threadpool (loading two releases takes a moment).
    @api.get("/releases/{old}/diff/{new}", summary="What changed between two releases (cells, goal movements, "
             "provenance)", responses=answers({"type": "object"}, not_found="release"))
    def release_diff(old: Annotated[str, Path(description="Id of the earlier release")],
                     new: Annotated[str, Path(description="Id of the release to compare with it")]) -> Response:
        snap = holder.get()
        known = {r.id: r for r in list_releases(holder.settings.store)}
        for release_id in (old, new):
            if release_id not in known:
                raise NotFound(f"unknown release {release_id!r}")

        def index(release_id: str) -> ReleaseIndex:
            return snap.index if release_id == snap.id else ReleaseIndex.load(known[release_id])

        result = diff_releases(known[old], known[new], snap.catalogue,
                               None if old == new else (index(old), index(new)))
        return json_response(snap, result.as_json(snap.catalogue))

    @api.get("/areas", summary="Areas: Hele landet, regions and municipalities",
             responses=answers(array_of("Area"), renderer_names(observations=False)))
    async def areas(kind: Annotated[Literal["country", "region", "municipality"] | None,
                                    Query(description="Only areas of this kind")] = None,
                    format: Annotated[TableFmt, Query(description=TABLE_FORMATS)] = "json") -> Response:
        snap = holder.get()
        rows = [area_record(snap, a.code) for a in snap.catalogue.areas if kind is None or a.kind == kind]
        return _answer(snap, rows, "areas", format)

    @api.get("/areas/{code}", summary="One area", responses=answers(ref("Area"), not_found="area"))
    async def area(code: Annotated[str, Path(description="Area code, e.g. 000, 084, 851")]) -> Response:
        snap = holder.get()
        if not snap.catalogue.has_area(code):
            raise NotFound(f"unknown area {code!r}")
        return json_response(snap, area_record(snap, code))

    @api.get("/items", summary="Items of the catalogue: the indicators and the key figures",
             responses=answers(array_of("Item"), renderer_names(observations=False)))
    async def items(kind: Annotated[Literal["indicator", "key_figure"] | None,
                                    Query(description="Only items of this kind")] = None,
                    format: Annotated[TableFmt, Query(description=TABLE_FORMATS)] = "json") -> Response:
        snap = holder.get()
        rows = [r for r in (item_record(snap, i) for i in item_ids(snap.catalogue))
                if kind is None or r["kind"] == kind]
        if format != "json":  # a table cell holds text, not a list
            rows = [r | {"periods": " ".join(r["periods"])} for r in rows]
        return _answer(snap, rows, "items", format)

    @api.get("/items/{item_id}", summary="One indicator or key figure",
             responses=answers(ref("Item"), not_found="item"))
    async def item(item_id: Annotated[str, Path(description="Item id, e.g. 1.2 or N5")]) -> Response:
        snap = holder.get()
        if not snap.catalogue.has_item(item_id):
            raise NotFound(f"unknown item {item_id!r}")
        recorded = snap.release.meta.definitions.get(item_id)
        definition = recorded.model_dump(mode="json") if recorded else None
        return json_response(snap, item_record(snap, item_id) | {"definition": definition})

    @api.get("/release", summary="How the served release was made: its manifest (catalogue snapshot, definitions, "
             "engine and disclosure settings, code and library versions), without local folders",
             responses=answers({"type": "object", "required": ["id"]}))
    async def release() -> Response:
        snap = holder.get()
        return json_response(snap, snap.cached(("public-manifest",), snap.release.meta.public))

    # Indexed (obsindex.py): a query touches only its rows, so a small answer is rendered on the event loop; a
    # large one is streamed (json, csv) or rendered in the threadpool (the other formats), never on the loop.
    @api.get("/observations", summary="Observations filtered by area, item, period and status",
             responses=answers(array_of("Observation"), renderer_names(), not_found="area or item"))
    async def observations(
        area: Annotated[list[str] | None, Query(description="Area codes (repeat or comma-separate)")] = None,
        item: Annotated[list[str] | None, Query(description="Item ids (repeat or comma-separate)")] = None,
        period: Annotated[list[str] | None, Query(description="Period codes, e.g. 2022, 2024Q2, 2024-08-31")] = None,
        status: Annotated[list[Status] | None, Query(description="ok, suppressed, not_computed, missing")] = None,
        format: Annotated[ObsFmt, Query(description=OBS_FORMATS)] = "json",
    ) -> Response:
        snap = holder.get()
        areas_, items_, periods = set(_split(area)), set(_split(item)), set(_split(period))
        for code in areas_:
            if not snap.catalogue.has_area(code):
                raise NotFound(f"unknown area {code!r}")
        for item_id in items_:
            if not snap.catalogue.has_item(item_id):
                raise NotFound(f"unknown item {item_id!r}")
        for p in periods:
            try:
                validate_code(p)
            except PeriodError as exc:
                raise ParamError("period", str(exc)) from exc
        statuses = {s.value for s in status or []}
        index = snap.observations
        rows = (index.rows if not (areas_ or items_ or periods or statuses)
                else list(index.select(areas_, items_, periods, statuses)))
        if format in STREAM_FORMATS and len(rows) <= INLINE_ROWS:
            return _answer(snap, rows, "observations", format)
        if format in STREAM_FORMATS:  # too large to render on the loop: streamed in chunks from the threadpool
            return streamed(Export(export_meta(snap, "observations"), [Table("observations", rows)], data=rows),
                            rows, format, common_headers(snap))
        return await run_in_threadpool(_answer, snap, rows, "observations", format)

    @api.get("/barometer/{code}", summary="The barometer of an area (goals, indicators, movements, key figures)",
             responses=answers({"type": "object"}, not_found="area"))
    def barometer(code: Annotated[str, Path(description="Area code, e.g. 000 or 851")],
                        lang: Annotated[Literal["da", "en"], Query(description="Language of texts")] = "da"
                        ) -> Response:
        snap = holder.get()
        if not snap.catalogue.has_area(code):
            raise NotFound(f"unknown area {code!r}")
        return json_response(snap, snap.view(code, lang).show_json())

    return api
