"""The catalogue: every goal, indicator, key figure, area and edition, declared once as data."""

from barometer.catalogue.load import Catalogue, CatalogueError, build_catalogue, load_catalogue
from barometer.catalogue.models import (
    Area,
    ClassificationSource,
    DefinitionText,
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
    "DefinitionText",
    "Edition",
    "Goal",
    "Indicator",
    "KeyFigure",
    "KeyFigureSection",
    "MunicipalityGroupInfo",
    "build_catalogue",
    "load_catalogue",
]
