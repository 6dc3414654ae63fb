"""The catalogue: every goal, indicator, key figure, area and edition, declared once as data."""

from barometer.catalogue.load import Catalogue, CatalogueError, load_catalogue
from barometer.catalogue.models import (
    Area,
    ClassificationSource,
    Edition,
    Goal,
    Indicator,
    KeyFigure,
    KeyFigureSection,
    MunicipalityGroupInfo,
)

__all__ = [
    "Area",
    "Catalogue",
    "CatalogueError",
    "ClassificationSource",
    "Edition",
    "Goal",
    "Indicator",
    "KeyFigure",
    "KeyFigureSection",
    "MunicipalityGroupInfo",
    "load_catalogue",
]
