"""Pages about one item: an indicator (time series, map, ranking), key figures, and definitions."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from barometer.catalogue import Indicator, KeyFigure
from barometer.formatting import unit_text
from barometer.web import charts
from barometer.web.data import latest_year, observation, ranking, series
from barometer.web.definitions import definition_of
from barometer.web.funnel import funnel_chart, funnel_for, funnel_numbers
from barometer.web.holder import ReleaseHolder, Snapshot
from barometer.web.i18n import texts
from barometer.web.pages_area import picker
from barometer.web.render import (
    ALL_FORMATS,
    Ctx,
    NotFound,
    Page,
    ParamError,
    data_route,
    export_meta,
    page_route,
)

MAX_COMPARE = 12


def check_indicator(snap: Snapshot, item_id: str) -> Indicator:
    try:
        return snap.catalogue.indicator(item_id)
    except KeyError:
        raise NotFound(f"unknown indicator {item_id!r}: see /api/v1/items") from None


def check_key_figure(snap: Snapshot, item_id: str) -> KeyFigure:
    try:
        return snap.catalogue.key_figure(item_id)
    except KeyError:
        raise NotFound(f"unknown key figure {item_id!r}: see /api/v1/items?kind=key_figure") from None


def _areas(ctx: Ctx) -> tuple[str | None, list[str]]:
    area = ctx.query_one("area")
    compare = list(dict.fromkeys(ctx.query_list("compare")))
    for code in ([area] if area else []) + compare:
        if not ctx.snap.catalogue.has_area(code):
            raise NotFound(f"unknown area {code!r} in parameter {'area' if code == area else 'compare'}")
    if len(compare) > MAX_COMPARE:
        raise ParamError("compare", f"at most {MAX_COMPARE} areas")
    return area, compare


def _matrix(rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Series rows as a year × area table (the chart's data-table alternative)."""
    names = list(dict.fromkeys(r["area_name"] for r in rows))
    years: dict[str, dict[str, Any]] = {}
    for r in rows:
        years.setdefault(r["period"], {})[r["area_name"]] = r
    return names, [{"period": p, "cells": [cells.get(n) for n in names]} for p, cells in sorted(years.items())]


def _metadata_url(ctx: Ctx) -> str:
    query = f"?{ctx.request.url.query}" if ctx.request.url.query else ""
    return f"{ctx.request.url.path}.metadata.json{query}"


def indicator_page(ctx: Ctx) -> Page:
    snap, lang = ctx.snap, ctx.lang
    ind = check_indicator(snap, ctx.params["item"])
    area, compare = _areas(ctx)
    country = snap.catalogue.country.code
    codes = list(dict.fromkeys(([area] if area else []) + [country] + compare))
    if not ind.local:
        codes = [country]
    rows = series(snap, ind, codes, lang)
    unit = unit_text(ind.unit, ind.count_noun(lang), lang)
    line = snap.cached(("line", ind.id, tuple(codes), lang), lambda: charts.line_chart(rows, unit, lang))
    ranked = ranking(snap, ind, lang) if ind.local else []
    reverse = ind.direction == "lower"
    chosen = tuple(sorted({*([area] if area else []), *compare}))
    map_svg, map_kind = (charts.area_map(snap, ("map", ind.id), ranked, unit, reverse, lang, chosen) if ranked
                         else (None, None))
    names, matrix = _matrix(rows)
    year = latest_year(snap, ind)
    found = funnel_for(snap, ind, str(year) if year else None, lang) if ranked else None
    funnel_svg = (snap.cached(("funnel", ind.id, lang, chosen),
                              lambda: funnel_chart(found, unit, ind.unit, lang, chosen)) if found else None)
    title = f"{ind.id} {ind.title(lang)}"
    return Page("indicator.html", title,
                {"ind": ind, "goal": snap.catalogue.goal(ind.goal), "unit": unit, "line": line, "names": names,
                 "matrix": matrix, "ranked": ranked, "map_svg": map_svg, "map_kind": map_kind, "year": year,
                 "area": area, "compare": compare, "municipalities": picker(snap, lang), "t_unit": unit,
                 "max_compare": MAX_COMPARE, "metadata_url": _metadata_url(ctx), "funnel_svg": funnel_svg,
                 "funnel": funnel_numbers(found, lang) if found else None},
                data={"indicator": ind.id, "unit": ind.unit, "direction": ind.direction, "series": rows,
                      "ranking": {"period": str(year) if year else None, "rows": ranked},
                      "funnel": found.as_data() if found else None},
                table=[{"table": "series", **r} for r in rows]
                + [{"table": "ranking", **r} for r in ranked])


def indicator_metadata(ctx: Ctx) -> dict[str, Any]:
    """What a downloaded table of the indicator page needs beside it: definition, source, unit, release and
    licence, and the page's downloads (the same query, so the same figures)."""
    snap, lang = ctx.snap, ctx.lang
    ind = check_indicator(snap, ctx.params["item"])
    _areas(ctx)  # the same parameters as the page, checked the same way
    meta = export_meta(snap, f"indikator-{ind.id}", lang)
    page = ctx.request.url.path.removesuffix(".metadata.json")
    query = f"?{ctx.request.url.query}" if ctx.request.url.query else ""
    definition = definition_of(snap, ind, lang)
    return {"item": ind.id, "definition": definition,
            "unit": ind.unit, "unit_text": unit_text(ind.unit, ind.count_noun(lang), lang),
            "decimals": ind.decimals, "source": definition["data_source"] or ind.source_text(lang),
            "release": meta.release, "edition": meta.edition,
            "release_created": meta.created, "licence": meta.licence, "publisher_source": meta.source,
            "page": page + query,
            "downloads": {fmt: f"{page}.{fmt}{query}" for fmt in ALL_FORMATS}}


def key_figures_page(ctx: Ctx) -> Page:
    snap, lang, t = ctx.snap, ctx.lang, texts(ctx.lang)
    view = snap.view(snap.catalogue.country.code, lang)
    rows = [{"key_figure": k.id, "section": k.section, "period": k.period, "value": k.value,
             "value_status": k.value_status, "unit": k.unit} for k in view.key_figures]
    return Page("key_figures.html", t["key_figures_heading"], {"view": view}, data=rows, table=rows)


def key_figure_page(ctx: Ctx) -> Page:
    snap, lang = ctx.snap, ctx.lang
    kf = check_key_figure(snap, ctx.params["item"])
    view = snap.view(snap.catalogue.country.code, lang)
    kview = next(k for k in view.key_figures if k.id == kf.id)
    areas = [snap.catalogue.country, *snap.catalogue.regions, *sorted(
        snap.catalogue.municipalities, key=lambda a: a.display_name(lang))]
    rows = []
    for a in areas:
        obs = observation(snap, a.code, kf.id, kview.period)
        if a.kind == "municipality" and not kf.local:
            obs |= {"status": "not_computed"}
        rows.append({"area_name": a.display_name(lang), "kind": a.kind, **obs})
    unit = unit_text(kf.unit, kf.count_noun(lang), lang)
    munis = [r for r in rows if r["kind"] == "municipality"]
    map_svg, map_kind = (charts.area_map(snap, ("kfmap", kf.id), munis, unit, False, lang) if kf.local
                         else (None, None))
    decimals = kf.decimals  # as the ministry prints it (catalogue), in every output
    return Page("key_figure.html", f"{kview.number}. {kf.title(lang)}",
                {"kf": kf, "kview": kview, "rows": rows, "unit": unit, "map_svg": map_svg, "map_kind": map_kind,
                 "decimals": decimals},
                data={"key_figure": kf.id, "period": kview.period, "unit": kf.unit, "rows": rows}, table=rows)


def definitions_page(ctx: Ctx) -> Page:
    snap, lang, t = ctx.snap, ctx.lang, texts(ctx.lang)
    rows = [{"id": i.id, "goal": i.goal, "title": i.title(lang), "unit": i.unit,
             "unit_text": unit_text(i.unit, i.count_noun(lang), lang), "direction": i.direction,
             "local": i.local, "source": i.source} for i in snap.catalogue.indicators]
    return Page("definitions.html", t["definitions_heading"], {"rows": rows}, data=rows, table=rows)


def definition_page(ctx: Ctx) -> Page:
    snap, lang = ctx.snap, ctx.lang
    item_id = ctx.params["item"]
    if not snap.catalogue.has_item(item_id):
        raise NotFound(f"unknown item {item_id!r}: see /api/v1/items")
    item = snap.catalogue.item(item_id)
    record = definition_of(snap, item, lang)
    return Page("definition.html", f"{item.id} {item.title(lang)}", {"item": item, "d": record},
                data=record, table=[record])


def routes(holder: ReleaseHolder) -> list[Route]:
    return [
        data_route(holder, "/indikator/{item}.metadata.json", indicator_metadata, "indicator-metadata"),
        *page_route(holder, "/indikator/{item}", indicator_page, "indicator", observations=True),
        *page_route(holder, "/noegletal", key_figures_page, "key-figures"),
        *page_route(holder, "/noegletal/{item}", key_figure_page, "key-figure", observations=True),
        *page_route(holder, "/definitioner", definitions_page, "definitions"),
        *page_route(holder, "/definitioner/{item}", definition_page, "definition"),
    ]


