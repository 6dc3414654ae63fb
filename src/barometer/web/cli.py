"""`barometer serve`: run the website for the store's current (or a pinned) release with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from barometer.cliapp import State, fail


def serve(
    release: Annotated[str | None, typer.Option(help="Serve this release id and never switch "
                                                     "(default: follow the store's current release).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    topojson: Annotated[Path | None, typer.Option(help="TopoJSON with municipal boundaries (property "
                                                       "KOMKODE) [env BAROMETER_TOPOJSON].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [env BAROMETER_WORKERS, [web] workers; "
                                                     "default: 2, or 1 on a single core].")] = None,
    header_timeout: Annotated[float | None, typer.Option(help="Seconds a client has to send its request headers "
                                                              "[[web] header_timeout; default 10].")] = None,
    keep_alive: Annotated[float | None, typer.Option(help="Seconds an idle keep-alive connection is kept "
                                                          "[[web] keep_alive; default 5].")] = None,
    max_connections: Annotated[int | None, typer.Option(help="Open connections per worker "
                                                             "[[web] max_connections; default 1000].")] = None,
) -> None:
    """Serve the website and API; a newly published release is picked up without a restart.

    For production, run it behind a reverse proxy (docs/deployment.md)."""
    import os

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
    from dataclasses import replace

    from barometer.web.serving import run
    from barometer.web.settings import ServeLimits

    given: dict[str, Any] = {"workers": workers, "header_timeout": header_timeout, "keep_alive": keep_alive,
                             "max_connections": max_connections}
    for name, value in given.items():
        if value is not None and value <= 0:
            raise fail(f"--{name.replace('_', '-')}: must be positive, got {value}", 2)
    limits = ServeLimits.resolve(workers)  # SettingsError (a bad [web] value or variable): exit 2, key named
    limits = replace(limits, **{k: v for k, v in given.items() if v is not None})
    typer.echo(f"serving release {opened.id} from {State.store} at http://{host}:{port}/ "
               f"({limits.workers} worker{'s' if limits.workers > 1 else ''})")
    run("barometer.web.asgi:app", host, port, limits)
