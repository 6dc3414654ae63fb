"""Datasette as an ASGI app for uvicorn, so benchmarks/web.py can run it with as many worker processes as our
server: `datasette serve` has a single process. The SQLite file is named by BENCH_SQLITE and opened immutable
(a release never changes, so Datasette may skip its change checks, as our server does); facet suggestions are
off, so it answers the rows only."""

from __future__ import annotations

import os

from datasette.app import Datasette

app = Datasette(immutables=[os.environ["BENCH_SQLITE"]],
                settings={"suggest_facets": False, "allow_facet": False, "num_sql_threads": 3}).app()
