"""The catalogue: every goal, indicator, key figure, area and edition, declared once as data."""

from barometer.catalogue.load import Catalogue, CatalogueError, load_catalogue
from barometer.catalogue.models import Area, Edition, Goal, Indicator, KeyFigure, KeyFigureSection

__all__ = [
    "Area",
    "Catalogue",
    "CatalogueError",
    "Edition",
    "Goal",
    "Indicator",
    "KeyFigure",
    "KeyFigureSection",
    "load_catalogue",
]
