"""Checks of a remote register folder (``hdfs://``, ``s3a://`` …) through Spark, before anything is computed.

A local folder gets the full validation (``barometer.registers.validate``: manifest with checksums and row
counts, schemas, every value). Of a remote folder Spark checks what can be had without a second pass over the
data: the manifest (contract version), that every listed part exists with the listed size in bytes (a truncated
or replaced upload shows up there), that no part is unlisted, that every required table is there and that each
table's columns have the contract's names and types. Value checks (codes, ranges, keys, references) need a scan
of every value and are left to ``barometer registers validate`` where the extract is written (docs/engine.md).
"""

from __future__ import annotations

from typing import Any

from barometer.engine.engines import Registers
from barometer.engine.spark_io import list_parts
from barometer.registers.check_files import type_matches
from barometer.registers.contract import CONTRACT, CONTRACT_VERSION
from barometer.registers.layout import MANIFEST_NAME
from barometer.registers.manifest import ManifestError, read_manifest
from barometer.registers.report import Problem, ValidationReport


def _arrow_type(spark_type: Any) -> Any:
    from pyspark.sql.pandas.types import to_arrow_type

    try:
        return to_arrow_type(spark_type)
    except Exception:  # a type Arrow has no equivalent for: reported as the Spark type's name
        return spark_type.simpleString()


def _file_sizes(spark: Any, root: str, table: str) -> dict[str, int]:
    from barometer.engine.spark_io import _filesystem

    out = {}
    for uri in list_parts(spark, root, table):
        fs, path = _filesystem(spark, uri)
        out[f"{table}/{uri.rsplit('/', 1)[-1]}"] = int(fs.getFileStatus(path).getLen())
    return out


def validate_remote(where: Registers, spark_master: str | None = None) -> ValidationReport:
    """The checks above, as a ``ValidationReport`` like local validation's."""
    from barometer.engine.spark import spark_session

    spark = spark_session(spark_master)
    root = str(where.location)
    report = ValidationReport(directory=root, contract_version=CONTRACT_VERSION)
    problems = report.problems
    try:
        manifest = read_manifest(where.folder)
    except ManifestError as exc:
        problems.append(Problem(file=MANIFEST_NAME, kind="invalid_manifest", message=str(exc)))
        return report
    if manifest.contract_version.split(".")[0] != CONTRACT_VERSION.split(".")[0]:
        problems.append(Problem(file=MANIFEST_NAME, kind="contract_version_mismatch", value=manifest.contract_version,
                                message=f"data written for contract {manifest.contract_version}, this code expects "
                                        f"{CONTRACT_VERSION}"))
    listed = {f.path: (name, f) for name, entry in manifest.tables.items() for f in entry.files}
    for table in CONTRACT.tables.values():
        sizes = _file_sizes(spark, root, table.name)
        for rel, size in sorted(sizes.items()):
            if rel not in listed:
                problems.append(Problem(table=table.name, file=rel, kind="file_not_in_manifest",
                                        message="file is not listed in the manifest (unverified data)"))
            elif listed[rel][1].bytes != size:
                problems.append(Problem(table=table.name, file=rel, kind="checksum_mismatch", value=str(size),
                                        message=f"file has {size} bytes, the manifest says {listed[rel][1].bytes}"))
        for rel, (name, _) in sorted(listed.items()):
            if name == table.name and rel not in sizes:
                problems.append(Problem(table=name, file=rel, kind="manifest_file_missing",
                                        message="file listed in the manifest does not exist"))
        if not sizes:
            if table.required:
                problems.append(Problem(table=table.name, file=table.name, kind="missing_table",
                                        message="required table: no Parquet parts"))
            continue
        schema = spark.read.parquet(*[f"{root}/{rel}" for rel in sorted(sizes)]).schema
        actual = {f.name: f.dataType for f in schema.fields}
        for column in table.columns:
            if column.name not in actual:
                problems.append(Problem(table=table.name, column=column.name, file=table.name, kind="missing_column",
                                        message=f"column {column.name} is missing"))
            elif not type_matches(column, arrow := _arrow_type(actual[column.name])):
                problems.append(Problem(table=table.name, column=column.name, file=table.name, kind="wrong_type",
                                        value=str(arrow), message=f"type {arrow}, the contract says "
                                                                  f"{column.arrow_type}"))
    return report
