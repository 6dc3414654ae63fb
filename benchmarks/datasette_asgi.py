"""Datasette as an ASGI app for uvicorn, so benchmarks/web.py can run it with as many worker processes as our
server: `datasette serve` has a single process. The SQLite file is named by BENCH_SQLITE and opened immutable
(a release never changes, so Datasette may skip its change checks, as our server does); facet suggestions are
off, so it answers the rows only.

uvicorn's listening socket for several workers has protocol number 0, so asyncio leaves Nagle's algorithm on
for the connections it accepts and every answer waits ~40 ms for the client's delayed ACK. Our server sets
TCP_NODELAY itself (barometer.web.serving.no_delay); Datasette runs with the same fix (`--http
datasette_asgi:NoDelayHttpToolsProtocol`), so the comparison measures the applications, not that socket option."""

from __future__ import annotations

import asyncio
import os

from datasette.app import Datasette
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from barometer.web.serving import no_delay

app = Datasette(immutables=[os.environ["BENCH_SQLITE"]],
                settings={"suggest_facets": False, "allow_facet": False, "num_sql_threads": 3}).app()


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with TCP_NODELAY on every connection, as our server's."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        no_delay(transport)
