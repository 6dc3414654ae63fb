"""File-level checks: the manifest (version, checksums, row counts) and each part's readability and schema.

These run before any value is read, so that value checks (check_values.py) only scan files and columns whose
layout matches the contract; a file that fails here is reported once, not as thousands of row errors.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from barometer.registers.contract import CONTRACT, CONTRACT_VERSION
from barometer.registers.layout import MANIFEST_NAME, PART_GLOB, part_files
from barometer.registers.manifest import FileEntry, ManifestError, read_manifest, sha256_of
from barometer.registers.report import Problem
from barometer.registers.schema import Column, Table


@dataclass
class TableFiles:
    """What value checks may scan for one table."""

    table: Table
    files: list[Path] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: int = 0
    complete: bool = True
    """False when a part was left out (unreadable or missing columns): references into it are not checked."""
    metadata: dict[Path, pq.FileMetaData] = field(default_factory=dict)
    """Each readable part's footer, read once (statistics, dictionaries and proofs read it again otherwise)."""


class Footers:
    """Each part's Parquet footer read once per validation: the manifest, schema, statistics, dictionary and proof
    steps all need it. Raises as ``pyarrow.parquet.read_metadata`` does (a failure is not kept)."""

    def __init__(self) -> None:
        self._read: dict[Path, pq.FileMetaData] = {}

    def __call__(self, path: Path) -> pq.FileMetaData:
        if path not in self._read:
            self._read[path] = pq.read_metadata(path)
        return self._read[path]


Metadata = Callable[[Path], pq.FileMetaData]

_HASH_WORKERS = 2
"""Files hashed at a time: reading a file and hashing it release the GIL, so two threads use two cores."""


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def check_manifest(root: Path, problems: list[Problem], metadata: Metadata = pq.read_metadata) -> None:
    """Compare manifest.json with the files on disk: version, presence, checksum and row count of each part."""
    try:
        manifest = read_manifest(root)
    except ManifestError as exc:
        kind = "missing_manifest" if not (root / MANIFEST_NAME).exists() else "invalid_manifest"
        problems.append(Problem(file=MANIFEST_NAME, kind=kind, message=str(exc)))
        return
    if manifest.contract_version != CONTRACT_VERSION:
        same_major = _major(manifest.contract_version) == _major(CONTRACT_VERSION)
        problems.append(
            Problem(
                file=MANIFEST_NAME,
                kind="contract_version_mismatch",
                severity="warning" if same_major else "error",
                value=manifest.contract_version,
                message=f"data written for contract {manifest.contract_version}, this code expects {CONTRACT_VERSION}",
            )
        )
    listed: set[str] = set()
    present: list[tuple[str, FileEntry, Path, Future[str]]] = []
    inside = root.resolve()
    # Files are hashed in the pool while the footers are read here.
    with ThreadPoolExecutor(max_workers=_HASH_WORKERS) as pool:
        for table_name, entry in manifest.tables.items():
            if (total := sum(f.rows for f in entry.files)) != entry.rows:
                problems.append(
                    Problem(
                        table=table_name,
                        file=MANIFEST_NAME,
                        kind="row_count_mismatch",
                        value=str(total),
                        message=f"table {table_name}: the manifest says {entry.rows} rows, its files {total}",
                    )
                )
            for f in entry.files:
                listed.add(f.path)
                path = root / f.path
                if not _inside(inside, path):
                    problems.append(
                        Problem(
                            table=table_name,
                            file=f.path,
                            kind="unexpected_file",
                            message="the manifest lists a path outside the register folder",
                        )
                    )
                    continue
                if not path.is_file():
                    problems.append(
                        Problem(
                            table=table_name,
                            file=f.path,
                            kind="manifest_file_missing",
                            message="file listed in the manifest does not exist",
                        )
                    )
                    continue
                present.append((table_name, f, path, pool.submit(sha256_of, path)))
        for table_name, f, path, digest in present:
            _check_listed_file(table_name, f, path, digest, problems, metadata)
    for table_name in CONTRACT.tables:
        for path in part_files(root, table_name):
            if _rel(root, path) not in listed:
                problems.append(
                    Problem(
                        table=table_name,
                        file=_rel(root, path),
                        kind="file_not_in_manifest",
                        message="file is not listed in the manifest (unverified data)",
                    )
                )


def _check_listed_file(table_name: str, f: FileEntry, path: Path, digest: Future[str], problems: list[Problem],
                       metadata: Metadata) -> None:
    """Size, checksum and row count of one file the manifest lists and that exists."""

    def differs(kind: str, value: str, message: str) -> None:
        problems.append(Problem(table=table_name, file=f.path, kind=kind, value=value, message=message))

    if (size := path.stat().st_size) != f.bytes:
        differs("size_mismatch", str(size), f"file has {size} bytes, the manifest says {f.bytes}")
    try:
        rows = metadata(path).num_rows
    except (pa.ArrowException, OSError):
        rows = None  # reported as unreadable_file by the schema check
    if (sha := digest.result()) != f.sha256:
        differs("checksum_mismatch", sha, f"sha256 {sha[:12]}… differs from the manifest's {f.sha256[:12]}…")
    if rows is not None and rows != f.rows:
        differs("row_count_mismatch", str(rows), f"file has {rows} rows, the manifest says {f.rows}")


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path`` stays inside ``root`` (resolved) once links and ``..`` are resolved."""
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def check_table_folders(root: Path, problems: list[Problem]) -> None:
    """Entries of a contract table folder other than its Parquet parts: a symbolic link is an error (a part could
    be read from anywhere, and a link to ``..`` loops), anything else a warning (it is not read)."""
    for table_name in CONTRACT.tables:
        folder = root / table_name
        if folder.is_symlink():
            problems.append(Problem(table=table_name, file=table_name, kind="unexpected_file",
                                    message="the table folder is a symbolic link; register folders hold plain "
                                            "folders and files"))
            continue
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            rel = _rel(root, entry)
            if entry.is_symlink():
                problems.append(Problem(table=table_name, file=rel, kind="unexpected_file",
                                        message="a symbolic link in a table folder; register parts must be plain "
                                                "files"))
            elif not (entry.is_file() and entry.match(PART_GLOB)):
                what = "folder" if entry.is_dir() else "file"
                problems.append(Problem(table=table_name, file=rel, kind="unexpected_file", severity="warning",
                                        message=f"a {what} that is not a Parquet part; it is not read"))


def check_unknown_tables(root: Path, problems: list[Problem]) -> None:
    """Folders holding Parquet files that the contract does not know (a typo in a table name, usually)."""
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name not in CONTRACT.tables and any(folder.glob(PART_GLOB)):
            problems.append(
                Problem(
                    table=folder.name,
                    file=folder.name,
                    kind="unknown_table",
                    severity="warning",
                    message="folder with Parquet files is not a table of the contract; it is ignored",
                )
            )


def type_matches(column: Column, actual: pa.DataType) -> bool:
    """Strings may be plain, large, view or dictionary-encoded; every other type must match exactly."""
    if column.type == "string":
        if pa.types.is_dictionary(actual):
            actual = actual.value_type
        return pa.types.is_string(actual) or pa.types.is_large_string(actual) or pa.types.is_string_view(actual)
    return actual == column.arrow_type


def check_table_files(root: Path, table: Table, problems: list[Problem],
                      metadata: Metadata = pq.read_metadata) -> TableFiles:
    """Presence, readability and schema of every part of ``table``; returns what value checks may scan."""
    result = TableFiles(table)
    files = part_files(root, table.name)
    if not files:
        if table.required:
            where = "folder is missing" if not (root / table.name).is_dir() else "folder has no Parquet parts"
            problems.append(
                Problem(table=table.name, file=table.name, kind="missing_table", message=f"required table: {where}")
            )
        return result
    wrong: set[str] = set()
    for path in files:
        rel = _rel(root, path)
        try:
            meta = metadata(path)
            schema = meta.schema.to_arrow_schema()
        except (pa.ArrowException, OSError) as exc:
            problems.append(
                Problem(
                    table=table.name, file=rel, kind="unreadable_file", message=f"not a readable Parquet file: {exc}"
                )
            )
            continue
        result.rows += meta.num_rows
        missing = [c for c in table.column_names if c not in schema.names]
        for name in missing:
            problems.append(
                Problem(
                    table=table.name, column=name, file=rel, kind="missing_column", message=f"column {name} is missing"
                )
            )
        for name in schema.names:
            if not table.has_column(name):
                problems.append(
                    Problem(
                        table=table.name,
                        column=name,
                        file=rel,
                        kind="unexpected_column",
                        severity="warning",
                        message=f"column {name} is not in the contract",
                    )
                )
                continue
            column = table.column(name)
            actual = schema.field(name).type
            if not type_matches(column, actual):
                wrong.add(name)
                problems.append(
                    Problem(
                        table=table.name,
                        column=name,
                        file=rel,
                        kind="wrong_type",
                        value=str(actual),
                        message=f"type {actual}, the contract says {column.arrow_type}",
                    )
                )
        if not missing:
            result.files.append(path)
            result.metadata[path] = meta
    result.columns = [c for c in table.column_names if c not in wrong]
    result.complete = len(result.files) == len(files)
    if result.rows == 0 and table.rows_required and len(result.files) == len(files):
        problems.append(
            Problem(
                table=table.name,
                file=table.name,
                kind="empty_table",
                message="table has no rows; the contract requires rows",
            )
        )
    return result
