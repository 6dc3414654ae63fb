"""The funnel plot of an indicator page: municipalities' published figures against their group size, with
control limits widened for overdispersion (Spiegelhalter 2005; docs/uncertainty.md).

Everything drawn is published: the limits' parameters and the rounded group sizes come from the release's
uncertainty record (computed in the build from the published cells only), the points are the release's own
values of cells with status "ok". A suppressed or missing cell is never drawn, whatever the record says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import altair as alt

from barometer.catalogue import Indicator
from barometer.formatting import format_number
from barometer.overdispersion import funnel_limits
from barometer.uncertainty_model import item_model
from barometer.web.charts import _svg
from barometer.web.holder import Snapshot

GRID = 80  # points per limit curve


@dataclass(frozen=True)
class Funnel:
    period: str
    target: float  # percent (points for gaps), published orientation
    factor: float  # max(1, phi): multiplies the binomial variance
    phi: float
    unit_variance: float
    levels: tuple[float, ...]
    points: list[dict[str, Any]]  # code, name, size, value, outside (the widest limit it lies outside, or None)

    def limits(self, size: float, level: float) -> tuple[float, float]:
        low, high = funnel_limits(self.target / 100, self.unit_variance, size, self.factor, level)
        return 100 * low, 100 * high

    def as_data(self) -> dict[str, Any]:
        """The chart's published numbers for the page's JSON twin (model-based limits as parameters)."""
        return {"period": self.period, "target": self.target, "phi": self.phi, "factor": self.factor,
                "unit_variance": self.unit_variance, "levels": list(self.levels), "basis": "model-based",
                "points": [{"area_code": p["code"], "size": p["size"], "value": p["value"]} for p in self.points]}

    def outside(self, level: float) -> int:
        return sum(1 for p in self.points if not self.limits(p["size"], level)[0] <= p["value"]
                   <= self.limits(p["size"], level)[1])


def funnel_for(snap: Snapshot, ind: Indicator, period: str | None, lang: str) -> Funnel | None:
    """The indicator's funnel for the ranked period, from published figures only; None when the release has no
    funnel for it (no model, too few municipalities, another period, imported figures)."""
    model = item_model(snap.release.manifest, ind.id)
    record = (model or {}).get("funnel")
    if not record or period is None or record.get("period") != period:
        return None
    levels = tuple((snap.release.manifest.get("uncertainty") or {}).get("funnel_levels", (0.95, 0.998)))
    points = []
    for area in snap.catalogue.municipalities:
        size = record["sizes"].get(area.code)
        row = snap.index.get(area.code, ind.id, period)
        if size is None or size <= 0 or not row or row["status"] != "ok" or row["value"] is None:
            continue
        points.append({"code": area.code, "name": area.display_name(lang), "size": float(size),
                       "value": float(row["value"])})
    if not points:
        return None
    return Funnel(period, record["target"], record["factor"], record["phi"], record["unit_variance"], levels,
                  points)


def _level_label(level: float, lang: str) -> str:
    text = f"{100 * level:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} %" if lang == "da" else f"{text}%"


def funnel_chart(funnel: Funnel, y_title: str, unit: str, lang: str, selected: tuple[str, ...] = ()) -> str:
    """SVG: points, the centre line, and the lower/upper limits at each level (dashed: the wider one)."""
    low = min(p["size"] for p in funnel.points) * 0.8
    high = max(p["size"] for p in funnel.points) * 1.25
    grid = [low * (high / low) ** (i / (GRID - 1)) for i in range(GRID)]
    clip = (0.0, 100.0) if unit == "pct" else (-100.0, 100.0)
    curves = []
    for level in funnel.levels:
        label = _level_label(level, lang)
        for size in grid:
            lo, hi = funnel.limits(size, level)
            curves += [{"size": size, "y": max(clip[0], lo), "limit": label, "side": "low"},
                       {"size": size, "y": min(clip[1], hi), "limit": label, "side": "high"}]
    x_title = "Gruppens størrelse (log-skala)" if lang == "da" else "Group size (log scale)"
    limit_title = "Kontrolgrænse" if lang == "da" else "Control limit"
    x = alt.X("size:Q", title=x_title, scale=alt.Scale(type="log", domain=[low, high], nice=False))
    # Lines carry no ARIA label (so no hover title): only the municipalities' dots are named.
    lines = alt.Chart(alt.Data(values=curves)).mark_line(color="#6b6b6b", strokeWidth=1.5, aria=False).encode(
        x=x, y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)), detail="side:N",
        strokeDash=alt.StrokeDash("limit:N", title=limit_title, sort=None,
                                  legend=alt.Legend(orient="bottom"),
                                  scale=alt.Scale(range=[[1, 0], [6, 4]])))
    centre = alt.Chart(alt.Data(values=[{"size": low, "y": funnel.target}, {"size": high, "y": funnel.target}])) \
        .mark_line(color="#111111", strokeWidth=1, aria=False).encode(x=x, y="y:Q")
    chosen = set(selected)
    values = [p | {"chosen": p["code"] in chosen,
                   "label": f"{p['name']}: {format_number(p['value'], lang, 1)} ({format_number(p['size'], lang)})"}
              for p in funnel.points]
    dots = alt.Chart(alt.Data(values=values)).mark_circle(opacity=0.85, stroke="#ffffff", strokeWidth=0.5).encode(
        x=x, y="value:Q", description="label:N",
        size=alt.condition("datum.chosen", alt.value(140), alt.value(45)),
        color=alt.condition("datum.chosen", alt.value("#d95f02"), alt.value("#1b6fa8")))
    return _svg((lines + centre + dots).properties(width=620, height=380), lang, titles=True)


def funnel_numbers(funnel: Funnel, lang: str) -> dict[str, Any]:
    """What the caption says in words (the chart's text alternative)."""
    wide = max(funnel.levels)
    narrow = min(funnel.levels)
    return {"municipalities": len(funnel.points), "target": funnel.target, "phi": funnel.phi,
            "factor": funnel.factor, "narrow": _level_label(narrow, lang), "wide": _level_label(wide, lang),
            "outside_narrow": funnel.outside(narrow), "outside_wide": funnel.outside(wide),
            "widening": math.sqrt(funnel.factor)}
