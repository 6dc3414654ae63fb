"""The compare page (any set of areas side by side, shareable URL), the method page, and the SDMX structure
that the SDMX-CSV downloads refer to."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from barometer.web.holder import ReleaseHolder
from barometer.web.i18n import texts
from barometer.web.pages_area import barometer_rows, picker
from barometer.web.render import (
    Ctx,
    NotFound,
    Page,
    ParamError,
    common_headers,
    export_meta,
    page_route,
)

MAX_AREAS = 104  # every area at once is allowed; more would only repeat codes


def compare_page(ctx: Ctx) -> Page:
    snap, lang, t = ctx.snap, ctx.lang, texts(ctx.lang)
    codes = list(dict.fromkeys(ctx.query_list("area")))
    if len(codes) > MAX_AREAS:
        raise ParamError("area", f"at most {MAX_AREAS} areas")
    for code in codes:
        if not snap.catalogue.has_area(code):
            raise NotFound(f"unknown area {code!r} in parameter 'area'")
    views = [snap.view(code, lang) for code in codes]
    goals: list[dict[str, Any]] = []
    for n, goal in enumerate(views[0].goals if views else []):
        goals.append({"goal": goal, "goal_views": [v.goals[n] for v in views],
                      "indicators": [{"ind": ind, "cells": [v.goals[n].indicators[k] for v in views]}
                                     for k, ind in enumerate(goal.indicators)]})
    table = [row for v in views for row in barometer_rows(v, None)]
    return Page("compare.html", t["compare_heading"],
                {"views": views, "goals": goals, "codes": codes, "municipalities": picker(snap, lang)},
                data=[v.show_json() for v in views], table=table)


def release_settings(snap: Any) -> dict[str, Any]:
    """How the served release was made, from its manifest: the disclosure rules it was protected with (None for
    a release that records none, e.g. the ministry's published figures), engine, code and library versions."""
    meta = snap.release.meta
    disclosure = meta.disclosure
    levels = (meta.uncertainty or {}).get("funnel_levels")
    return {"kind": meta.kind, "disclosure": disclosure.config.model_dump(mode="json") if disclosure else None,
            "disclosure_source": disclosure.source if disclosure else None,
            "disclosure_digest": disclosure.digest if disclosure else None,
            "funnel_levels": list(levels) if levels else None, "engine": meta.engine,
            "engine_settings": meta.engine_settings, "code_version": meta.code_version,
            "catalogue_version": meta.catalogue_version, "libraries": meta.libraries,
            "schema_version": meta.schema_version}


def method_page(ctx: Ctx) -> Page:
    """The method: the barometer rules this site applies, and the disclosure rules and settings the served
    release was made with (read from its manifest, never from the code or settings in force now)."""
    snap, t = ctx.snap, texts(ctx.lang)
    made = release_settings(snap)
    data = {"two_indicator_rule": snap.settings.two_rule, "min_indicators": snap.settings.min_indicators,
            **made, "confidence_level": 0.95}
    disclosure = made["disclosure"] or {}
    table: list[dict[str, Any]] = [{"setting": "two_indicator_rule", "value": snap.settings.two_rule},
                                   {"setting": "min_indicators", "value": snap.settings.min_indicators}]
    table += [{"setting": f"disclosure.{k}.{k2}", "value": v2} for k, v in disclosure.items() for k2, v2 in v.items()]
    table += [{"setting": k, "value": made[k]} for k in ("disclosure_source", "disclosure_digest", "code_version",
                                                         "catalogue_version")]
    return Page("method.html", t["method_heading"], {"m": data}, data=data, table=table)


def sdmx_structure_route(holder: ReleaseHolder) -> Route:
    """The SDMX-ML 2.1 structure (code lists, DSD, dataflow) the `sdmx-csv` downloads are read with."""

    async def structure(request: Request) -> Response:
        from barometer.exports.formats.sdmx import STRUCTURE_MEDIA_TYPE, render_structure

        snap = holder.get()
        meta = export_meta(snap, "sdmx-structure")
        body = await run_in_threadpool(snap.cached, ("sdmx-structure",),
                                       lambda: render_structure(meta.release, meta.source, meta.licence))
        return Response(body, media_type=STRUCTURE_MEDIA_TYPE, headers=common_headers(snap) | {
            "Content-Disposition": 'inline; filename="integrationsbarometer-structure.xml"'})

    return Route("/sdmx/structure.xml", structure, name="sdmx-structure")


def routes(holder: ReleaseHolder) -> list[Route]:
    return [*page_route(holder, "/sammenlign", compare_page, "compare"),
            *page_route(holder, "/metode", method_page, "method"),
            sdmx_structure_route(holder)]
