"""The indicator engine: declared definitions (SQL over derived views) evaluated on DuckDB for every area and year.

    from barometer.engine import build, compute, EngineSettings
    result = build("registers/", "2024-11", store=Path("data"))
"""

from barometer.engine.build import BuildResult, EngineError, RegisterInputError, build, compute, step_names
from barometer.engine.settings import EngineSettings

__all__ = ["BuildResult", "EngineError", "EngineSettings", "RegisterInputError", "build", "compute", "step_names"]
