"""`barometer export`: write a whole release in one of the registry's formats into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometer.cliapp import State, fail
from barometer.cliapp import out as console
from barometer.exports.registry import writers

# The choices come from the registry, so a new format module shows up here (and in docs/cli.md) by itself.
FORMAT_HELP = "; ".join(f"{w.name}: {w.description}" for w in writers())


def export(
    format: Annotated[str, typer.Option("--format", help=f"Format — {FORMAT_HELP}.")],
    out: Annotated[Path, typer.Option(help="Folder to write the files to (created if missing).")] = Path("out"),
    release: Annotated[str | None, typer.Option(help="Release id (default: the current release).")] = None,
) -> None:
    """Export a release's published figures (docs/exports.md): every observation, the areas and the items,
    with the release id, licence and source in every format."""
    from barometer.exports import UnknownFormat, writer
    from barometer.store import open_release

    try:
        chosen = writer(format)
    except UnknownFormat as exc:
        raise UnknownFormat(format, exc.known, f"--format {format!r} is not one of {', '.join(exc.known)}") from exc
    resolved = open_release(State.store, release)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".barometer-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise fail(f"--out {out}: cannot write there ({exc.strerror or exc})") from exc
    written = chosen.write(resolved, out)
    for path in written:
        console.print(str(path), highlight=False, soft_wrap=True)
    console.print(f"{len(written)} file(s) in format {chosen.name} from release {resolved.id} in {out}",
                  highlight=False, soft_wrap=True)
