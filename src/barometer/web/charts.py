"""Charts as SVG: declared as Vega-Lite through Altair, rendered by vl-convert (no browser), cached per release.

Each chart is rendered once per (release, chart, parameters, language) through Snapshot.cached; the pages show
the SVG inline inside a <figure> with a text alternative and a data table beside it.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from barometer.web.geo import TopoJSONError, current_topojson
from barometer.web.holder import Snapshot

log = logging.getLogger("barometer.web")
DATA = Path(__file__).parent / "data"
LOCALE: dict[str, Any] = {"da": "da-DK", "en": "en-US"}  # Vega locale names
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"


_MARK_LABEL = re.compile(r'<(path|text)([^>]*?) aria-label="([^"]*)"([^>]*?)(/?)>')
_ARIA = re.compile(r' (?:aria-label|aria-roledescription|role)="[^"]*"')


def _as_title(m: re.Match[str]) -> str:
    tag, before, label, after, empty = m.groups()
    return (f"<{tag}{before}{after}><title>{label}</title></{tag}>" if empty
            else f"<{tag}{before}{after}><title>{label}</title>")


def _svg(chart: alt.TopLevelMixin, lang: str, titles: bool = False) -> str:
    """SVG without Vega's generated ARIA texts: they are English whatever the page language ("X-axis titled …")
    and repeat the data table; the <figure> around the chart carries the name in the page's language. With
    `titles`, each mark's `description` becomes a <title> child, which browsers show as a tooltip on hover."""
    spec = (chart.configure(font=FONT).configure_view(stroke=None)
            .configure_axis(labelFontSize=13, titleFontSize=13).configure_legend(labelFontSize=13, titleFontSize=13,
                                                                                  titleLimit=400, labelLimit=300)
            .to_dict())
    svg = vlc.vegalite_to_svg(spec, format_locale=LOCALE[lang])
    if titles:
        svg = _MARK_LABEL.sub(_as_title, svg)
    svg = _ARIA.sub("", svg)
    # The figure carries the accessible name; the drawing itself is decorative for screen readers.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


@cache
def tile_positions() -> dict[str, tuple[int, int]]:
    doc = tomllib.loads((DATA / "tilegrid.toml").read_text(encoding="utf-8"))
    return {t["code"]: (t["col"], t["row"]) for t in doc["tile"]}


def line_chart(rows: list[dict[str, Any]], y_title: str, lang: str) -> str:
    """Values over years, one line per area; suppressed years are gaps, not zeros."""
    values = [{"year": int(r["period"]), "value": r["value"], "area": r["area_name"]} for r in rows]
    year_title = "År" if lang == "da" else "Year"
    chart = alt.Chart(alt.Data(values=values)).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("year:O", title=year_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("area:N", title=None, sort=None, legend=alt.Legend(orient="bottom", columns=3),
                        scale=alt.Scale(scheme="dark2")),
        strokeDash=alt.StrokeDash("area:N", sort=None, legend=None),
    ).properties(width=760, height=340)
    return _svg(chart, lang)


def _map_values(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"code": r["area_code"], "komkode": r["area_code"].zfill(4), "value": r["value"],
             "label": r["area_name"][:3], "name": r["area_name"]} for r in rows]


def _colour(legend_title: str, reverse: bool) -> alt.Color:
    return alt.Color("value:Q", title=legend_title, scale=alt.Scale(scheme="blues", reverse=reverse),
                     legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=300))


def tile_map(rows: list[dict[str, Any]], legend_title: str, reverse: bool, lang: str,
             selected: tuple[str, ...] = ()) -> str:
    """A square per municipality at its tile-grid position, coloured by value (grey: no figure).

    Three-letter labels are ambiguous ("Fre" is five municipalities), so every tile carries the full name as a
    tooltip (<title>); the municipalities chosen on the page get a dark outline.
    """
    pos = tile_positions()
    values = [v | {"col": pos[v["code"]][0], "row": pos[v["code"]][1]} for v in _map_values(rows)
              if v["code"] in pos]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None), description="name:N")
    chosen = f"indexof({json.dumps(list(selected))}, datum.code) >= 0"
    known = [v["value"] for v in values if v["value"] is not None]
    mid = (min(known) + max(known)) / 2 if known else 0.0
    dark = f"datum.value {'<' if reverse else '>'} {mid}"
    # Tiles without a figure are a separate grey layer: a colour condition on isValid() is not enough, Vega
    # maps null through the scale (a withheld figure was drawn in the darkest, "best" colour).
    missing = base.transform_filter("!isValid(datum.value)").mark_rect(stroke="white", strokeWidth=2,
                                                                       color="#d9d9d9")
    tiles = base.transform_filter("isValid(datum.value)").mark_rect(stroke="white", strokeWidth=2).encode(
        color=_colour(legend_title, reverse))
    labels = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition(f"isValid(datum.value) && {dark}", alt.value("#ffffff"), alt.value("#111111")))
    # Outlines of the chosen municipalities in their own layer on top, so neighbours' white borders do not cover them.
    outline = base.transform_filter(chosen).mark_rect(fill=None, stroke="#111111", strokeWidth=3)
    chart = (missing + tiles + labels + outline).properties(width=12 * 44, height=12 * 40)
    return _svg(chart, lang, titles=True)


def geo_map(rows: list[dict[str, Any]], legend_title: str, reverse: bool, topojson: Path, lang: str) -> str:
    """Municipal boundaries from a TopoJSON file (property KOMKODE, 4-digit), coloured by value."""
    topo, feature = current_topojson(topojson)
    shapes = alt.Chart(alt.Data(values=topo, format=alt.DataFormat(type="topojson", feature=feature)))
    # Every municipality grey underneath, those with a figure coloured on top (nulls never go through the scale).
    grey = shapes.mark_geoshape(stroke="white", strokeWidth=0.4, color="#d9d9d9")
    coloured = shapes.transform_lookup(
        lookup="properties.KOMKODE", from_=alt.LookupData(alt.Data(values=_map_values(rows)), "komkode", ["value"]),
    ).transform_filter("isValid(datum.value)").mark_geoshape(stroke="white", strokeWidth=0.4).encode(
        color=_colour(legend_title, reverse))
    chart = (grey + coloured).project("mercator").properties(width=560, height=460)
    return _svg(chart, lang)


def area_map(snap: Snapshot, key: tuple[Any, ...], rows: list[dict[str, Any]], legend_title: str, reverse: bool,
             lang: str, selected: tuple[str, ...] = ()) -> tuple[str, str]:
    """The configured map (boundaries when a TopoJSON path is set, else the tile grid) and its kind.

    A boundary file that became unusable after the start (checked in create_app) falls back to the tile grid,
    kind "tiles_fallback", so the page can say so; it is logged, never a 500.
    """
    topo = snap.settings.topojson
    if topo is not None:
        try:
            return snap.cached(("geo", *key, lang), lambda: geo_map(rows, legend_title, reverse, topo, lang)), "geo"
        except TopoJSONError as exc:
            log.error("map falls back to the tile grid: %s", exc)
            return snap.cached(("tiles", *key, lang, selected),
                               lambda: tile_map(rows, legend_title, reverse, lang, selected)), "tiles_fallback"
    return snap.cached(("tiles", *key, lang, selected),
                       lambda: tile_map(rows, legend_title, reverse, lang, selected)), "tiles"
