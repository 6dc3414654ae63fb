"""Render a BarometerView to the Udviklingsrapport's HTML and, through WeasyPrint, to PDF.

Both outputs come from one Jinja2 template. The HTML file carries its stylesheet inline so it stands alone;
the PDF path renders the same template without the inline copy and hands WeasyPrint a stylesheet parsed once
per process (parsing CSS and setting up fonts is a large share of a small report's rendering time).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from barometer.catalogue import load_catalogue
from barometer.notice import synthetic_label, synthetic_note

if TYPE_CHECKING:
    from barometer.view import BarometerView, GoalView

TEMPLATE = "udviklingsrapport.html.j2"
STYLESHEET = "report.css"
MOVEMENT_SYMBOL = {"positive": "▲", "negative": "▼", "unchanged": "►"}
# Tagged PDF (structure, reading order, language): public bodies must publish accessible documents. It costs
# about 12 % more CPU per report (0.34 → 0.38 s, measured interleaved); None gives an untagged PDF.
PDF_VARIANT: str | None = "pdf/ua-1"


@cache
def report_strings(lang: str) -> dict[str, str]:
    """The report's own labels in one language (strings.toml); texts of goals and figures come from the view."""
    data = tomllib.loads(files("barometer.reports").joinpath("strings.toml").read_text(encoding="utf-8"))
    if lang not in data:
        raise ValueError(f"no report strings for language {lang!r} (have: {', '.join(sorted(data))})")
    return data[lang]


@cache
def stylesheet_text() -> str:
    return files("barometer.reports").joinpath("templates", STYLESHEET).read_text(encoding="utf-8")


def page_rule(lang: str) -> str:
    """The @page rule with "Side X af Y" in the report's language (counters only exist in CSS)."""
    before, rest = report_strings(lang)["page"].split("{page}")
    middle, after = rest.split("{pages}")
    parts = [f'"{before}"' if before else "", "counter(page)", f'"{middle}"', "counter(pages)",
             f'"{after}"' if after else ""]
    return "@page { @bottom-right { content: " + " ".join(p for p in parts if p) + "; } }\n"


@dataclass(frozen=True)
class Title:
    """The report title in its parts (styled separately) and as the one sentence the ministry prints."""

    report: str
    barometer: str
    place: str

    @property
    def text(self) -> str:
        return f"{self.report}: {self.barometer}. {self.place}"


def report_title(view: BarometerView) -> Title:
    t = report_strings(view.lang)
    kind = view.area.kind if view.area.kind in ("country", "region") else "municipality"
    return Title(t["report"], t[f"barometer_{kind}"], f"{view.area.name}. {view.edition_label}.")


@cache
def _environment(lang: str) -> Environment:
    """One Jinja environment per language and process: templates compile once."""
    env = Environment(loader=PackageLoader("barometer.reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    strings = report_strings(lang)

    def movement_badge(movement: str | None) -> Markup:
        if movement is None:
            return Markup("")
        return Markup('<span class="movement movement-{0}"><span class="symbol" aria-hidden="true">{1}</span> '
                      "{2}</span>").format(movement, MOVEMENT_SYMBOL[movement], strings[f"movement_{movement}"])

    def goal_title(goal: GoalView) -> Markup:
        """The goal's theme ("Arbejde") stands out from the rest of its sentence."""
        prefix = f"{goal.theme} - "
        if goal.theme and goal.title.startswith(prefix):
            rest = goal.title[len(prefix):]
            return Markup('<span class="theme">{0}</span> - {1}').format(goal.theme, rest)
        return escape(goal.title)

    env.filters["movement_badge"] = movement_badge
    env.filters["goal_title"] = goal_title
    return env


def _context(view: BarometerView, inline_css: bool, significance: bool) -> dict[str, Any]:
    t = report_strings(view.lang)
    url = t["footnote_url"]
    link = Markup('<a href="{0}">{0}</a>').format(url)
    figures = view.key_figures
    has_suppressed = any(i.value_status == "suppressed" for g in view.goals for i in g.indicators if i.computed) \
        or any("suppressed" in (k.value_status, k.national_status) for k in figures)
    title = report_title(view)
    return {
        "view": view,
        "t": t,
        "title": title,
        # the document's (and PDF metadata's) title says "Syntetiske data" first, so a tab or file list does too
        "document_title": f"{synthetic_label(view.lang)}: {title.text}" if view.synthetic else title.text,
        "synthetic_label": synthetic_label(view.lang),
        "synthetic_note": synthetic_note(view.lang),
        "footnote": Markup(escape(t["footnote"])).format(url=link),
        "local_column": view.area.kind != "country",
        "country_name": load_catalogue().country.display_name(view.lang),
        "has_suppressed": has_suppressed,
        # Verdicts only on request (flag or setting): by default the report reads exactly like the ministry's.
        "significance": significance,
        "has_significant": significance and any(i.significant for g in view.goals for i in g.indicators),
        "css": (stylesheet_text() + page_rule(view.lang)) if inline_css else None,
    }


def _render(view: BarometerView, inline_css: bool, significance: bool) -> str:
    return _environment(view.lang).get_template(TEMPLATE).render(_context(view, inline_css, significance))


def render_html(view: BarometerView, significance: bool = False) -> str:
    """The report as one self-contained HTML page (stylesheet inline); ``significance`` adds the model-based
    "S" marks and their note."""
    return _render(view, inline_css=True, significance=significance)


@cache
def _weasy(lang: str) -> tuple[Any, list[Any]]:
    """WeasyPrint's font configuration and parsed stylesheets, built once per process and language."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    sheets = [CSS(string=stylesheet_text(), font_config=fonts), CSS(string=page_rule(lang), font_config=fonts)]
    return fonts, sheets


def render_pdf(view: BarometerView, significance: bool = False) -> bytes:
    """The report as an A4 PDF: the same HTML as render_html, laid out by WeasyPrint.

    The PDF is tagged as PDF/UA-1 (see PDF_VARIANT).
    """
    from weasyprint import HTML

    fonts, sheets = _weasy(view.lang)
    html = HTML(string=_render(view, inline_css=False, significance=significance), base_url=None)
    return html.write_pdf(stylesheets=sheets, font_config=fonts, pdf_variant=PDF_VARIANT)
