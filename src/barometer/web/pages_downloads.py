"""/downloads: every release in the store with its bulk zip, and /downloads/{release}.zip serving it.

A zip is built on the first request for it (or ahead of time by `barometer bundle`) and then served from disk
(barometer.bundle); requests that arrive while it is being built wait for that one build. These responses are
not kept by the response cache (cache.py): the page changes when a bundle is built, and a zip is streamed from
its file rather than held in memory.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from barometer.bundle import ensure_bundle, read_bundle
from barometer.formatting import format_size
from barometer.notice import SYNTHETIC_HEADER, attribution
from barometer.store import list_releases
from barometer.web.holder import ReleaseHolder
from barometer.web.i18n import texts
from barometer.web.render import Ctx, NotFound, Page, page_route

BUILD_JOBS = max(1, min(4, os.cpu_count() or 1))  # processes rendering the PDFs of a bundle built on request


def release_rows(ctx: Ctx) -> list[dict[str, Any]]:
    """The releases, newest first, with their bundle's size and sha256 once it is built."""
    snap, lang = ctx.snap, ctx.lang
    store = snap.settings.store
    rows = []
    for release in reversed(list_releases(store)):
        info = read_bundle(store, release.id)
        try:
            edition = snap.catalogue.edition(release.edition)
            label = edition.label_en if lang == "en" else edition.label_da
        except KeyError:  # an edition this catalogue no longer declares: its id is still a fine label
            label = release.edition
        rows.append({
            "id": release.id, "edition": release.edition, "edition_label": label,
            "created": release.manifest.get("created"), "kind": release.manifest.get("kind"),
            "observations": release.manifest.get("observations", {}).get("rows"),
            "served": release.id == snap.id, "synthetic": release.synthetic, "url": f"/downloads/{release.id}.zip",
            "built": info is not None, "size": info.size if info else None,
            "size_text": format_size(info.size, lang) if info else "",
            "sha256": info.sha256 if info else None,
        })
    return rows


def downloads_page(ctx: Ctx) -> Page:
    rows = release_rows(ctx)
    return Page("downloads.html", texts(ctx.lang)["downloads_heading"], {"rows": rows}, data=rows, table=rows)


def routes(holder: ReleaseHolder) -> list[Route]:
    async def download(request: Request) -> Response:
        release_id = request.path_params["release"]
        store = holder.settings.store
        known = {r.id: r for r in list_releases(store)}
        if release_id not in known:
            raise NotFound(f"unknown release {release_id!r}", code="unknown_release")
        release = known[release_id]
        info = await run_in_threadpool(ensure_bundle, store, release_id, jobs=BUILD_JOBS)
        # The zip's own release, which need not be the one the site serves.
        headers = {"ETag": f'"{info.sha256}"', "X-Barometer-Release": info.release_id,
                   "X-Licence": attribution(release.publisher), "Cache-Control": "public, max-age=3600"}
        if release.synthetic:
            headers[SYNTHETIC_HEADER] = "true"
        wanted = request.headers.get("if-none-match", "")
        if headers["ETag"] in [tag.strip() for tag in wanted.split(",")] or wanted.strip() == "*":
            return Response(status_code=304, headers=headers)
        return FileResponse(info.path, media_type="application/zip", filename=info.filename, headers=headers)

    return [*page_route(holder, "/downloads", downloads_page, "downloads"),
            Route("/downloads/{release}.zip", download, name="download")]
