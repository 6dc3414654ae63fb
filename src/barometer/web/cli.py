"""`barometer serve`: run the website for the store's current (or a pinned) release with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometer.cliapp import State, fail


def serve(
    release: Annotated[str | None, typer.Option(help="Serve this release id and never switch "
                                                     "(default: follow the store's current release).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    topojson: Annotated[Path | None, typer.Option(help="TopoJSON with municipal boundaries (property "
                                                       "KOMKODE) [env BAROMETER_TOPOJSON].")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
) -> None:
    """Serve the website and API; a newly published release is picked up without a restart."""
    import os

    import uvicorn

    from barometer.store import open_release

    opened = open_release(State.store, release)
    from barometer.web.geo import load_topojson
    from barometer.web.settings import WebSettings

    if topojson is not None and not topojson.is_file():
        raise fail(f"--topojson {topojson}: no such file")
    configured = WebSettings.resolve(State.store, release, topojson).topojson  # option, env or settings file
    if configured is not None:
        load_topojson(configured)  # TopoJSONError: exit 2, the file and what is missing named
    os.environ["BAROMETER_STORE"] = str(State.store.resolve())
    if release:
        os.environ["BAROMETER_RELEASE"] = release
    if topojson:
        os.environ["BAROMETER_TOPOJSON"] = str(topojson.resolve())
    typer.echo(f"serving release {opened.id} from {State.store} at http://{host}:{port}/")
    uvicorn.run("barometer.web.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                proxy_headers=False)
