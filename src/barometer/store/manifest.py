"""The release manifest: what a release says about itself, as a typed, versioned model.

Every output that explains a release — the definitions page, /metode, the reports, the API, the bundle — reads
this record of the served release, never the code or settings in force when it is read: a release built with
another disclosure config, or imported from the ministry's published figures, is described as it was made.

The manifest holds the catalogue as it was (a snapshot of the data files), every item's definition (its words in
Danish and English, and for computed items a digest of the SQL that computed it), the engine and its settings,
the disclosure config, the versions of the libraries and of the code, and the release id. The id is derived from
the content — the observations' checksum and everything in the manifest except the time it was written and the
local folders inputs were read from — so the same inputs, code and settings give the same id.

Schema versions: 2 is this model. Manifests written before it (a free dict without ``schema_version``) are read as
version 1: the fields they have are typed the same way, what they lack stays empty (pages then say "not recorded
in this release"), and keys this model does not know are kept under ``legacy``. A manifest from a newer version is
refused with a message naming the version, rather than half understood.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from barometer.catalogue import Catalogue, CatalogueError, build_catalogue, load_catalogue
from barometer.disclosure_config import DisclosureConfig

log = logging.getLogger("barometer.store")

SCHEMA_VERSION = 2
"""The manifest schema this code writes (and the newest it reads)."""

ID_HEX = 12
"""Hex digits of the content digest in a release id (``2024-11-3f9a…``): 48 bits, readable and unique enough."""

Lang = Literal["da", "en"]


class ManifestError(ValueError):
    """A manifest cannot be understood (malformed, or written by a newer version)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObservationsFile(_Strict):
    file: str
    rows: int = Field(ge=0)
    # Size in bytes, checked when the release is opened (releases written before it was recorded have none).
    bytes: int | None = Field(default=None, ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class InputFile(_Strict):
    """An input file: where it was read (a local path, left out of published copies) and its checksum."""

    path: str
    sha256: str


class CatalogueSnapshot(_Strict):
    """The catalogue data files as they were when the release was made (parsed TOML, by file name)."""

    version: str
    files: dict[str, dict[str, Any]]


class Words(_Strict):
    """An item's definition in one language, as the catalogue words it."""

    population: str
    numerator: str
    denominator: str
    reference: str
    source: str


class ItemDefinition(_Strict):
    """How one item of this release was defined.

    ``origin`` says who computed the figures: ``engine`` (this code, from registers: ``sql_sha256`` is the digest
    of the SQL that ran, ``tables`` the register tables it read) or ``published`` (the ministry's own figures,
    imported: the definitions are the published ones and there is no SQL).
    """

    origin: Literal["engine", "published"]
    words: dict[Lang, Words] = {}
    sql_sha256: str | None = None
    tables: tuple[str, ...] = ()
    optional_tables: tuple[str, ...] = ()

    def in_lang(self, lang: str) -> tuple[Words | None, str]:
        """The words in ``lang``, else in the other language (with the language they are in)."""
        other: Lang = "en" if lang == "da" else "da"
        if lang in self.words:
            return self.words[lang], lang
        return self.words.get(other), other


class DisclosureRecord(_Strict):
    """The disclosure rule set the release was protected with, where it came from, and its digest."""

    config: DisclosureConfig
    digest: str
    source: str


class ReleaseManifest(_Strict):
    schema_version: int = SCHEMA_VERSION
    id: str
    edition: str
    created: str
    kind: str | None = None  # engine | published (tests and samples use their own words)
    observations: ObservationsFile
    inputs: dict[str, InputFile] = {}
    synthetic: bool | None = None
    publisher: str | None = None
    # What the release was made with.
    catalogue_version: str | None = None
    catalogue: CatalogueSnapshot | None = None
    definitions: dict[str, ItemDefinition] = {}
    engine: str | None = None
    engine_settings: dict[str, Any] | None = None
    disclosure: DisclosureRecord | None = None
    publication: dict[str, dict[str, Any]] | None = None
    code_version: str | None = None
    libraries: dict[str, str] = {}
    seed: int | None = None
    # What the build found and decided.
    register_files: dict[str, list[dict[str, str]]] | None = None
    register_coverage: dict[str, Any] | None = None
    warnings: list[str] = []
    suppression: dict[str, dict[str, Any]] | None = None
    suppression_latest: Any = None
    uncertainty: dict[str, Any] | None = None
    # Keys of a version-1 manifest this model has no field for, kept as they were.
    legacy: dict[str, Any] = {}

    def as_dict(self) -> dict[str, Any]:
        """The manifest as JSON-ready data (what manifest.json holds)."""
        return self.model_dump(mode="json", exclude_defaults=False)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def public(self) -> dict[str, Any]:
        """The manifest as published (API, downloads): input files by name and checksum, without the folders they
        were read from on the machine that made the release."""
        data = self.as_dict()
        for spec in data["inputs"].values():
            spec["path"] = PurePath(spec["path"]).name
        if data["disclosure"]:  # "settings file /home/x/b.toml [disclosure], then /tmp/r.toml" → file names only
            data["disclosure"]["source"] = re.sub(r"(?:[^\s,\[\]]*/)+([^\s,/\[\]]+)", r"\1",
                                                  data["disclosure"]["source"])
        return data


IDENTITY_EXCLUDED = ("id", "created")
"""Manifest keys outside the content digest: the id itself and the moment of writing."""


def content_digest(manifest: dict[str, Any]) -> str:
    """The digest a release id is made from: every key but ``IDENTITY_EXCLUDED``, without the local folders of
    input files (the same file read from another folder is the same input), in canonical JSON."""
    content = {k: v for k, v in manifest.items() if k not in IDENTITY_EXCLUDED}
    content["inputs"] = {name: {"sha256": spec.get("sha256")} for name, spec in content.get("inputs", {}).items()}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def release_id(edition: str, digest: str) -> str:
    return f"{edition}-{digest[:ID_HEX]}"


def new_manifest(edition: str, created: str, observations: ObservationsFile,
                 provenance: dict[str, Any]) -> ReleaseManifest:
    """The manifest of a release about to be written, with its content-derived id.

    ``provenance`` holds the model's other fields (barometer.provenance makes them for builds and imports); an
    unknown key is a programming error and raises ValueError naming it.
    """
    if clash := {"id", "edition", "created", "observations", "schema_version"} & set(provenance):
        raise ValueError(f"provenance may not set {sorted(clash)}: publish sets them")
    try:
        draft = ReleaseManifest(id="", edition=edition, created=created, observations=observations, **provenance)
    except ValidationError as exc:
        raise ValueError(f"release manifest: {exc}") from exc
    data = draft.as_dict()
    return draft.model_copy(update={"id": release_id(edition, content_digest(data))})


KNOWN_KEYS = frozenset(ReleaseManifest.model_fields)


def parse_manifest(data: Any, where: str) -> ReleaseManifest:
    """A manifest read from ``where`` (for messages), migrated from version 1 when it has no schema version."""
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: not a release manifest (expected a JSON object)")
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise ManifestError(f"{where}: schema_version {version!r} is not a version number")
    if version > SCHEMA_VERSION:
        raise ManifestError(f"{where}: manifest schema {version} is newer than this version of barometer "
                            f"understands ({SCHEMA_VERSION}); upgrade barometer to read this release")
    if version == 1:
        unknown = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
        data = {**{k: v for k, v in data.items() if k in KNOWN_KEYS}, "schema_version": 1,
                "legacy": {**(data.get("legacy") or {}), **unknown}}
    try:
        return ReleaseManifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ManifestError(f"{where}: manifest field {field!r}: {first['msg']} "
                            f"({exc.error_count()} problem(s))") from exc


def read_manifest_text(text: str, where: str) -> ReleaseManifest:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{where}: not valid JSON: {exc}") from exc
    return parse_manifest(data, where)


@lru_cache(maxsize=8)
def _snapshot_catalogue(version: str, files_json: str) -> Catalogue:
    return build_catalogue(json.loads(files_json), version=version)


def catalogue_of(manifest: ReleaseManifest) -> Catalogue:
    """The catalogue a release was made with: its snapshot; the packaged catalogue for a release from before
    snapshots (schema 1), or whose snapshot this version's catalogue model can no longer read."""
    snap = manifest.catalogue
    if snap is None:
        return load_catalogue()
    try:
        return _snapshot_catalogue(snap.version, json.dumps(snap.files, sort_keys=True))
    except CatalogueError as exc:
        log.warning("release %s: its catalogue snapshot cannot be read (%s); using the packaged catalogue",
                    manifest.id, exc)
        return load_catalogue()
