"""Pages about one area: the front page (Hele landet), an area's barometer, and similar municipalities."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from barometer.view import BarometerView, IndicatorView
from barometer.web.data import similar
from barometer.web.holder import ReleaseHolder, Snapshot
from barometer.web.i18n import texts
from barometer.web.render import Ctx, Moved, NotFound, Page, ParamError, lang_of, link, page_route
from barometer.web.security import local_path


def check_area(snap: Snapshot, code: str, municipality: bool = False) -> str:
    """The code if the area exists; raises Moved for the 4-digit form of a known code (0851 → 851)."""
    cat = snap.catalogue
    if len(code) == 4 and code.startswith("0") and not cat.has_area(code) and cat.has_area(code[1:]):
        raise Moved(code, code[1:])
    if not cat.has_area(code) or (municipality and cat.area(code).kind != "municipality"):
        kind = "municipality" if municipality else "area"
        raise NotFound(f"unknown {kind} {code!r}: use a code from /api/v1/areas (e.g. 851 Aalborg)")
    return code


def barometer_rows(view: BarometerView, national: BarometerView | None) -> list[dict[str, Any]]:
    """One flat row per indicator (the .csv twin), the area's figures beside the whole country's."""
    rows = []
    nat = {i.id: i for g in national.goals for i in g.indicators} if national else {}
    for goal in view.goals:
        for ind in goal.indicators:
            row = {"area_code": view.area.code, "goal": goal.id, "goal_movement": goal.movement,
                   "goal_indicators_used": goal.indicators_used, "goal_indicators_total": goal.indicators_total,
                   "status_year": goal.status_year, "baseline_year": goal.baseline_year, "indicator": ind.id,
                   "status": ind.status, "development": ind.development, "unit": ind.unit,
                   "outcome": ind.outcome, "value_status": ind.value_status, "ci_low": ind.ci_low,
                   "ci_high": ind.ci_high, "significant": getattr(ind, "significant", None)}
            if national and view.area.code != national.area.code:
                n = nat[ind.id]
                # national_status is a status flag as in every other CSV; the number is national_value
                row |= {"national_value": n.status, "national_status": n.value_status,
                        "national_development": n.development, "national_outcome": n.outcome}
            rows.append(row)
    return rows


def key_figure_rows(view: BarometerView) -> list[dict[str, Any]]:
    return [{"area_code": view.area.code, "key_figure": k.id, "section": k.section, "period": k.period,
             "value": k.value, "value_status": k.value_status, "national_value": k.national_value,
             "national_status": k.national_status, "unit": k.unit} for k in view.key_figures]


def picker(snap: Snapshot, lang: str) -> list[dict[str, str]]:
    return [{"code": a.code, "name": a.display_name(lang)}
            for a in sorted(snap.catalogue.municipalities, key=lambda a: a.display_name(lang))]


def front(ctx: Ctx) -> Page:
    cat = ctx.snap.catalogue
    view = ctx.snap.view(cat.country.code, ctx.lang)
    t = texts(ctx.lang)
    return Page("front.html", t["front_heading"],
                {"view": view, "municipalities": picker(ctx.snap, ctx.lang)},
                data=view.show_json(), table=barometer_rows(view, None))


def area_page(ctx: Ctx) -> Page:
    code = check_area(ctx.snap, ctx.params["code"])
    view = ctx.snap.view(code, ctx.lang)
    country = ctx.snap.catalogue.country.code
    national = ctx.snap.view(country, ctx.lang)
    national_ind = {i.id: i for g in national.goals for i in g.indicators}
    national_goal = {g.id: g for g in national.goals}
    data = view.show_json() | {"national": national.show_json() if code != country else None}
    return Page("area.html", view.area.name,
                {"view": view, "national": national, "national_ind": national_ind,
                 "national_goal": national_goal, "is_country": code == country,
                 "has_significance": "significant" in IndicatorView.model_fields,
                 "municipalities": picker(ctx.snap, ctx.lang)},
                data=data, table=barometer_rows(view, national) + [
                    {"area_code": code, "indicator": r["key_figure"], **r} for r in key_figure_rows(view)])


def similar_page(ctx: Ctx) -> Page:
    code = check_area(ctx.snap, ctx.params["code"], municipality=True)
    result = similar(ctx.snap, code, ctx.lang)
    cat = ctx.snap.catalogue
    area = cat.area(code)
    t = texts(ctx.lang)
    groups = {g.id: g.display_name(ctx.lang) for g in cat.municipality_groups}
    variables = [{"id": v.id, "measure": v.measure, "item": v.item, "weight": v.weight, "log": v.log}
                 for v in result["variables"]]
    unavailable = [{"id": v.id, "item": v.item} for v in result["unavailable"]]
    return Page("similar.html", f"{t['similar_heading']}: {area.display_name(ctx.lang)}",
                {"area": area, "result": result, "groups": groups, "group_source": cat.group_source},
                data={"area_code": code, "variables": variables, "unavailable": unavailable,
                      "own": result["own"], "neighbours": result["neighbours"],
                      "group_source": cat.group_source.model_dump() if cat.group_source else None},
                table=result["neighbours"])


def routes(holder: ReleaseHolder) -> list[Route]:
    async def pick(request: Request) -> Response:
        """The picker form (GET /kommune?area=851) answers with a redirect, so it works without JavaScript."""
        code = request.query_params.get("area", "").strip()
        lang = lang_of(request)
        snap = holder.get()
        if not code:
            raise ParamError("area", "choose a municipality")
        try:
            check_area(snap, code)
        except Moved as moved:
            code = moved.canonical
        return RedirectResponse(link(lang, f"/kommune/{code}"), status_code=303)

    async def english(request: Request) -> Response:
        """/en/… is the English site: the same page with ?lang=en (one set of URLs, so one cache entry each)."""
        rest = request.path_params.get("rest", "")
        items = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", "en")]
        return RedirectResponse(f"{local_path(rest)}?{urlencode(items)}", status_code=307)

    return [
        Route("/en", english, name="english-root"),
        Route("/en/{rest:path}", english, name="english"),
        *page_route(holder, "/", front, "front"),
        Route("/kommune", pick, name="pick"),
        *page_route(holder, "/kommune/{code}/lignende", similar_page, "similar"),
        *page_route(holder, "/kommune/{code}", area_page, "area"),
    ]
