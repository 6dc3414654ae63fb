"""What goes into a release's bulk zip, and the README that explains it (Danish first, then English).

Everything comes from the release (its observations, already protected by disclosure control, and its
manifest: the catalogue and definitions it was made with) and from the code that publishes it (report
templates): nothing is read from registers, so the zip publishes exactly what the website and the API publish.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path

from barometer.catalogue import load_catalogue
from barometer.catalogue.load import DATA_FILES
from barometer.notice import attribution, synthetic_label, synthetic_note
from barometer.store import Release
from barometer.store.releases import OBSERVATIONS

Progress = Callable[[str], None]
def report_areas(release: Release) -> list[str]:
    """Areas with at least one observation in the release, in catalogue order (a release imported from the
    ministry's figures may cover only a few; a built release covers all 104)."""
    present = set(release.observations().column("area_code").to_pylist())
    return [a.code for a in load_catalogue().areas if a.code in present]


def readme(release: Release, reports: list[str], files: list[str]) -> str:
    m = release.manifest
    cat = load_catalogue()
    edition = cat.edition(release.edition)
    listing = "\n".join(f"- `{name}`" for name in files)
    warning = (f"**{synthetic_label('da')}: {synthetic_note('da')}**\n\n"
               f"**{synthetic_label('en')}: {synthetic_note('en')}**\n\n") if release.synthetic else ""
    mark = f"{synthetic_label('da')} — " if release.synthetic else ""
    return f"""# {mark}Integrationsbarometeret — {edition.label_da} / {edition.label_en}

{warning}Udgivelse / release: `{release.id}`
Udgivet af / published by: {release.publisher}
Oprettet / created: {m.get("created", "")}
Lavet af / made from: {m.get("kind", "")}
Observationer / observations: {m.get("observations", {}).get("rows", "")} (sha256 of {OBSERVATIONS}:
{m.get("observations", {}).get("sha256", "")})

## Dansk

Pakken er en Frictionless Data Package (`datapackage.json` beskriver hver tabel, kolonne og nøgle). Alle tal i
udgivelsen står i `observations.csv` (UTF-8, komma-separeret; samme tal i `observations.parquet`): én række pr.
område, tal (indikator eller nøgletal) og periode. Små tal er diskretioneret, før noget offentliggøres: et
udeladt tal har status `suppressed` og er tomt — det er aldrig 0, og hverken tæller eller nævner findes.
`not_computed` betyder, at tallet ikke opgøres for området; `missing`, at data mangler (`status.csv`).
`ci_low`/`ci_high` er et 95 %-konfidensinterval. Områder og tal står i `areas.csv` og `items.csv`, kataloget,
som de er erklæret, i `catalogue/`, definitionerne (population, tæller, nævner, referencetidspunkter) i
`definitions/indicators.md`, udgivelsens proveniens (input-checksummer, indstillinger, kode- og
katalogversion) i `provenance/manifest.json` og udviklingsrapporten for hvert område ({len(reports)} områder)
som PDF i `reports/`. Data: {release.publisher}. Frit til genbrug med kildeangivelse.

## English

The bundle is a Frictionless Data Package (`datapackage.json` describes every table, column and key). Every
figure of the release is in `observations.csv` (UTF-8, comma-separated; the same figures in
`observations.parquet`): one row per area, item (indicator or key figure) and period. Small numbers are
protected before anything is published: a withheld figure has status `suppressed` and is empty — never 0, and
neither its numerator nor its denominator is given. `not_computed` means the figure is not computed for the
area; `missing` that data are missing (`status.csv`). `ci_low`/`ci_high` is a 95 % confidence interval. Areas
and items are in `areas.csv` and `items.csv`, the catalogue as declared in `catalogue/`, the definitions
(population, numerator, denominator, reference dates) in `definitions/indicators.md`, the release's provenance
(input checksums, settings, code and catalogue version) in `provenance/manifest.json`, and each area's
development report ({len(reports)} areas) as PDF in `reports/`. {attribution(release.publisher)}.

## Files

{listing}
"""


def public_manifest(release: Release) -> bytes:
    """The release manifest as published: input files by name and checksum, without the folders they were read
    from on the machine that built the release (``ReleaseManifest.public``)."""
    return (json.dumps(release.meta.public(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _entry(zf: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...], compress: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compresslevel=6 if compress else None)


def catalogue_files(release: Release) -> dict[str, tuple[bytes, bool]]:
    """The catalogue the release was made with: the packaged data files when they are the same (same version),
    else the release's snapshot of them, as JSON (the parsed files; comments are not part of a snapshot)."""
    snapshot = release.meta.catalogue
    if snapshot is None or snapshot.version == load_catalogue().version:
        return {f"catalogue/{name}": (resources.files("barometer.catalogue").joinpath("data", name).read_bytes(),
                                      True) for name in DATA_FILES}
    return {f"catalogue/{name.removesuffix('.toml')}.json":
            ((json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), True)
            for name, doc in snapshot.files.items()}


def write_contents(store: Path, release: Release, zip_path: Path, workdir: Path, *, jobs: int = 1,
                   progress: Progress | None = None) -> list[str]:
    """Write the bundle of ``release`` to ``zip_path`` (reports are rendered into ``workdir`` first); returns
    the names in the zip. Entries carry the release's creation time, not the time of the build."""
    from barometer.bundle.definitions import render_release_definitions
    from barometer.exports.formats.datapackage import write_datapackage
    from barometer.reports.batch import write_reports

    tick = progress or (lambda _step: None)
    areas = report_areas(release)
    tick("reports")
    pdfs = write_reports(store, areas, ["pdf"], workdir / "reports", "da", jobs, release=release.id)
    tick("data")
    package = write_datapackage(release, workdir / "datapackage")  # the descriptor first, then its CSVs
    created = datetime.fromisoformat(release.manifest.get("created", "1980-01-01T00:00:00"))
    stamp = (max(created.year, 1980), created.month, created.day, created.hour, created.minute, created.second)
    files: dict[str, tuple[bytes, bool]] = {
        **{path.name: (path.read_bytes(), True) for path in package},
        OBSERVATIONS: ((release.path / OBSERVATIONS).read_bytes(), False),
        **catalogue_files(release),
        "definitions/indicators.md": (render_release_definitions(release).encode("utf-8"), True),
        "provenance/manifest.json": (public_manifest(release), True),
        **{f"reports/{pdf.name}": (pdf.read_bytes(), False) for pdf in pdfs},
    }
    names = ["README.md", *files]
    with zipfile.ZipFile(zip_path, "w") as zf:
        _entry(zf, "README.md", readme(release, areas, names).encode("utf-8"), stamp)
        for name, (data, compress) in files.items():
            _entry(zf, name, data, stamp, compress)
    tick("zip")
    return names

