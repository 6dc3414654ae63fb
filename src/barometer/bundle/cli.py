"""`barometer bundle`: build a release's bulk zip ahead of the first download (rendering every PDF takes a while)."""

from __future__ import annotations

from typing import Annotated

import typer

from barometer.cliapp import State, existing_store, fail, out


def bundle(
    release: Annotated[str | None, typer.Option(help="Release id (default: the current release).")] = None,
    all_releases: Annotated[bool, typer.Option("--all", help="Every release in the store.")] = False,
    jobs: Annotated[int, typer.Option(help="Processes to render the PDF reports with.", min=1)] = 1,
    rebuild: Annotated[bool, typer.Option(help="Build again even if the bundle exists.")] = False,
) -> None:
    """Build the bulk download of a release: a zip with README, every observation (CSV and Parquet), the
    catalogue, the definitions, the provenance and every area's PDF report, kept in STORE/downloads/ and
    served at /downloads/<release-id>.zip. A bundle that exists is left as it is (unless --rebuild)."""
    from barometer.bundle.build import ensure_bundle
    from barometer.formatting import format_size
    from barometer.store import list_releases, open_release

    if release is not None and all_releases:
        raise fail("give either --release ID or --all, not both")
    store = existing_store()
    ids = [r.id for r in list_releases(store)] if all_releases else [open_release(store, release).id]
    if not ids:
        raise fail(f"no releases in {State.store}", 1)
    for release_id in ids:
        info = ensure_bundle(State.store, release_id, jobs=jobs, rebuild=rebuild)
        out.print(f"{info.path}  {format_size(info.size, 'en')}  sha256 {info.sha256}", highlight=False,
                  soft_wrap=True)
