"""The optional municipal boundary file (TopoJSON): checked when the app starts and again when a map is drawn.

A boundary file that is not what the maps need (no `objects`, no geometries, geometries without the property
KOMKODE) must never turn an indicator page into a 500: `barometer serve` refuses to start with a message naming
the file and what is missing, and if the file changes under a running server the maps fall back to the tile grid.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from barometer.errors import BarometerError


class TopoJSONError(BarometerError, ValueError):
    """The configured boundary file cannot be used for the maps (message names the file and the problem)."""

    code = "topojson_invalid"
    exit_code = 2


def load_topojson(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed file and the name of its first object; raises TopoJSONError saying what is wrong."""
    try:
        topo = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopoJSONError(f"topojson {path}: cannot read the file ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TopoJSONError(f"topojson {path}: not valid JSON ({exc})") from exc
    objects = topo.get("objects") if isinstance(topo, dict) else None
    if not isinstance(objects, dict) or not objects:
        raise TopoJSONError(f"topojson {path}: no \"objects\" (a TopoJSON file has an \"objects\" table with the "
                            "municipal boundaries)")
    name = next(iter(objects))
    geometries = objects[name].get("geometries") if isinstance(objects[name], dict) else None
    if not isinstance(geometries, list) or not geometries:
        raise TopoJSONError(f"topojson {path}: object {name!r} has no \"geometries\"")
    for n, geometry in enumerate(geometries):
        props = geometry.get("properties") if isinstance(geometry, dict) else None
        if not isinstance(props, dict) or not props.get("KOMKODE"):
            raise TopoJSONError(f"topojson {path}: object {name!r}, geometry {n}: no property \"KOMKODE\" (the "
                                "4-digit municipality code, e.g. 0851)")
    return topo, name


@lru_cache(maxsize=4)
def _cached(path: str, stamp: tuple[int, int]) -> tuple[dict[str, Any], str]:
    return load_topojson(Path(path))


def current_topojson(path: Path) -> tuple[dict[str, Any], str]:
    """The file as it is now (re-read when its mtime or size changes); raises TopoJSONError."""
    try:
        st = Path(path).stat()
    except OSError as exc:
        raise TopoJSONError(f"topojson {path}: cannot read the file ({exc.strerror or exc})") from exc
    return _cached(str(path), (st.st_mtime_ns, st.st_size))
