"""Build a release from a register folder: validate, derive views, compute every item, decide what is published
(disclosure control), add uncertainty (from the published cells at full precision), cut every cell to what is
published (disclosure control again, now with the intervals), publish.

``compute`` gives the raw observations (numerators and denominators before disclosure control), which tests
compare with an independent implementation; ``build`` runs the whole chain and publishes through the store,
whose atomic switch leaves the previous release current when anything fails (bad input, crash, Ctrl-C).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from barometer.catalogue import Catalogue, load_catalogue
from barometer.engine import assemble, coverage, items
from barometer.engine.definitions import DEFINITIONS, definition
from barometer.engine.engines import ENGINES, Registers, locate, open_backend
from barometer.engine.overlap import Cancel, alongside, apart, validate_apart
from barometer.engine.periods import key_figure_periods
from barometer.engine.settings import EngineSettings
from barometer.engine.sql import render
from barometer.engine.views import VIEWS
from barometer.errors import BarometerError
from barometer.registers.contract import countries
from barometer.registers.report import ValidationReport
from barometer.registers.validate import validate_registers

Progress = Callable[[str], None]


class EngineError(BarometerError, RuntimeError):
    """The build cannot run (unknown engine or edition); nothing was published."""

    code = "build_refused"
    exit_code = 2


class RegisterInputError(EngineError):
    """The registers failed validation; ``report`` says what is wrong (nothing was computed or published)."""

    code = "registers_refused"

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        first = "; ".join(p.message for p in report.errors[:3])
        super().__init__(f"{report.directory}: the registers do not follow the contract ({len(report.errors)} "
                         f"validation error(s), e.g. {first}); nothing was built (the current release is "
                         "unchanged)")


@functools.cache
def _reads(sql: str) -> frozenset[str]:
    """The views an SQL text reads, directly or through the lazy (not materialised) views it reads (found once
    per text: ``finished_views`` asks for every declaration after each view)."""
    found: set[str] = set()
    pending = [sql]
    while pending:
        text = pending.pop()
        for v in VIEWS:
            if v.name not in found and re.search(rf"\b{v.name}\b", text):
                found.add(v.name)
                if not v.materialize:
                    pending.append(v.sql)
    return frozenset(found)


def _read_after(index: int) -> set[str]:
    """The views read by any item or by any view after ``VIEWS[index]``."""
    return set().union(*(_reads(d.sql) for d in DEFINITIONS), *(_reads(v.sql) for v in VIEWS[index + 1:]))


def finished_views(created: str) -> list[str]:
    """Materialised views that ``created`` was the last to read: no item reads them, nor any view after it
    (directly or through a lazy view). Dropped then, their memory serves the views still to come (the status
    population and full-time support once the status cells are counted)."""
    index = [v.name for v in VIEWS].index(created)
    before, after = _read_after(index - 1), _read_after(index)
    return [v.name for v in VIEWS[:index] if v.materialize and v.name in before and v.name not in after]


def step_names() -> list[str]:
    """The progress steps of a build, in order (the CLI sizes its progress bar with this)."""
    groups = list(dict.fromkeys(d.group for d in DEFINITIONS))
    return ["validate", "derive views", *groups, "disclosure", "uncertainty", "publish"]


@dataclass
class BuildResult:
    observations: pa.Table
    release: Any = None
    disclosure_summary: Any = None
    provenance: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. indicators whose baseline year is not computed


def _area_map(catalogue: Catalogue) -> pa.Table:
    country = catalogue.country.code
    rows = [("", country, "country")]
    for m in catalogue.municipalities:
        rows += [(m.code, m.code, "municipality"), (m.code, m.region, "region"), (m.code, country, "country")]
    cols = list(zip(*rows, strict=True))
    return pa.table({"municipality": cols[0], "area_code": cols[1], "level": cols[2]})


def _country_table() -> pa.Table:
    cs = sorted(countries().values(), key=lambda c: c.code)
    return pa.table({"code": [c.code for c in cs], "western": [c.western for c in cs]})


def _year_table(first: int, last: int) -> pa.Table:
    years = range(first, last + 1)
    return pa.table({"year": pa.array(years, pa.int32()),
                     "y_start": pa.array([date(y, 1, 1) for y in years], pa.date32()),
                     "y_end": pa.array([date(y, 12, 31) for y in years], pa.date32()),
                     "days": pa.array([(date(y + 1, 1, 1) - date(y, 1, 1)).days for y in years], pa.int32())})


def _kf_periods(catalogue: Catalogue, edition: str, first: int, last: int, series: bool) -> pa.Table:
    rows = [(kf.id, code, start, end) for kf in catalogue.key_figures
            for code, start, end in key_figure_periods(kf, edition, first, last, series)]
    schema = pa.schema([("item_id", pa.string()), ("period", pa.string()), ("p_start", pa.date32()),
                        ("p_end", pa.date32())])
    return pa.Table.from_pylist([dict(zip(schema.names, r, strict=True)) for r in rows], schema=schema)


def _column_range(backend: Any, table: str, column: str) -> tuple[Any, Any]:
    """MIN and MAX of a register column (None, None for no rows): from the Parquet footers' statistics where the
    backend reads them (``column_range``), else by a scan."""
    found = backend.column_range(table, column) if hasattr(backend, "column_range") else None
    if found is not None:
        return found
    sql = render(f"SELECT MIN(QUOTE({column})) AS f, MAX(QUOTE({column})) AS l FROM QUOTE({table})", backend.dialect,
                 {})
    row = backend.query(sql).to_pylist()[0]
    return row["f"], row["l"]


def prepare(backend: Any, where: Registers, catalogue: Catalogue, edition: str, settings: EngineSettings
            ) -> tuple[set[str], dict[str, object]]:
    """Register the registers and the reference tables with ``backend``; returns the tables present and the SQL
    parameters."""
    present = backend.register_registers(where.location)
    backend.register_reference("ref_country", _country_table())
    backend.register_reference("ref_area_map", _area_map(catalogue))
    first, last = _column_range(backend, "residence", "year")
    if first is None:
        raise EngineError(f"{where}: the residence table is empty; no year can be computed")
    backend.register_reference("ref_year", _year_table(first, last))
    backend.register_reference("ref_kf_period",
                               _kf_periods(catalogue, edition, first, last, settings.key_figure_series))
    return present, settings.sql_params()


def derive_views(backend: Any, params: dict[str, object], until: str | None = None) -> None:
    """Create the derived views in order (up to and including ``until``), dropping each materialised one as soon
    as nothing after it reads it."""
    drop = getattr(backend, "drop_view", None)  # a backend whose materialised views hold memory frees them
    for view in VIEWS:
        backend.create_view(view, params)
        if drop is not None:
            for done in finished_views(view.name):
                drop(done)
        if view.name == until:
            return


def compute(registers: Path | str, edition: str, engine: str = "duckdb", settings: EngineSettings | None = None,
            *, validate: bool = True, progress: Progress | None = None, threads: int | None = None,
            spark_master: str | None = None) -> pa.Table:
    """Raw observations (working schema, before uncertainty and disclosure) for every item, area and period."""
    return compute_with_coverage(registers, edition, engine, settings, validate=validate, progress=progress,
                                 threads=threads, spark_master=spark_master)[0]


def compute_with_coverage(registers: Path | str | Registers, edition: str, engine: str = "duckdb",
                          settings: EngineSettings | None = None, *, validate: bool = True,
                          progress: Progress | None = None, threads: int | None = None,
                          spark_master: str | None = None, batches: items.Batches | None = None,
                          aside: list[Callable[[], None]] | None = None
                          ) -> tuple[pa.Table, dict[str, dict[str, str | None]]]:
    """``compute``, plus how far each needed register reaches (barometer.engine.coverage) for the provenance.

    Periods a needed register does not fully cover get no observation; a key figure's edition period gets
    ``not_computed`` rows instead, so the report says why it is blank. ``batches``: the items are computed in the
    order of its ``plan`` and each run's rows handed to its ``add`` as soon as they are computed (the build protects
    them while the next items are computed, barometer.engine.protection); the table returned has every row.
    ``aside``: the backend, still being closed when the rows are returned, appends the wait for that, which the
    caller must call (else it is waited for before returning)."""
    settings = settings or EngineSettings()
    catalogue = load_catalogue()
    if engine not in ENGINES:
        raise EngineError(f"--engine {engine!r} is not available (available: {', '.join(ENGINES)})")
    if edition not in {e.id for e in catalogue.editions}:
        known = ", ".join(e.id for e in catalogue.editions)
        raise EngineError(f"--edition {edition!r} is not a known edition ({known})")
    tick = progress or (lambda _step: None)
    where = locate(registers, engine, spark_master)

    overlap = validate and engine == "duckdb" and not where.remote
    elsewhere = overlap and apart(where.folder)

    def validated() -> None:
        if validate:
            _validate(where, spark_master, apart=elsewhere)
        tick("validate")

    def run(cancel: Cancel | None) -> tuple[pa.Table, dict[str, dict[str, str | None]]]:
        return _compute(where, edition, engine, settings, catalogue, tick, threads, spark_master, cancel, batches,
                        aside)

    if overlap:  # both at once (barometer.engine.overlap)
        return alongside(validated, run)
    validated()
    return run(None)


def _validate(where: Registers, spark_master: str | None, apart: bool = False) -> None:
    """Raise ``RegisterInputError`` with the report unless the registers pass validation (``apart``: in a process
    of its own, barometer.engine.overlap)."""
    if where.remote:
        from barometer.engine.spark_validate import validate_remote

        report = validate_remote(where, spark_master)
    elif apart:
        report = validate_apart(where.folder)
    else:
        report = validate_registers(where.folder)
        pa.default_memory_pool().release_unused()  # what validation's proofs read goes back before DuckDB's turn
    if not report.ok:
        raise RegisterInputError(report)


def _compute(where: Registers, edition: str, engine: str, settings: EngineSettings, catalogue: Catalogue,
             tick: Progress, threads: int | None, spark_master: str | None, cancel: Cancel | None,
             batches: items.Batches | None = None, aside: list[Callable[[], None]] | None = None
             ) -> tuple[pa.Table, dict[str, dict[str, str | None]]]:
    """Every item's raw rows and the registers' coverage: views derived, each item evaluated (``cancel``: see
    barometer.engine.overlap)."""
    backend = open_backend(engine, threads=threads, spark_master=spark_master, cancel=cancel)
    results: items.Results | None = None
    closing: _Closing | None = None
    try:
        present, params = prepare(backend, where, catalogue, edition, settings)
        derive_views(backend, params)
        tick("derive views")
        national = {d.id: not catalogue.item(d.id).local for d in DEFINITIONS}
        absent = {d.id for d in DEFINITIONS if any(t not in present for t in d.optional_tables)}
        plan = items.runs(batches)
        results = items.start(backend, [(definition(i), national[i]) for run in plan for i in run if i not in absent],
                              params)
        try:  # while the first items are computed
            declared = coverage.declared_coverage(where.folder)
        except ValueError as exc:
            raise EngineError(str(exc)) from exc
        cover = coverage.table_coverage(
            DEFINITIONS, present, declared,
            lambda t, c: _column_range(backend, t, c)[1])

        def queried() -> None:  # every query has ended: the backend's memory goes back while the last run is handed
            nonlocal closing
            closing = _Closing(results, backend)

        rows = items.collect(plan, results, absent, national, catalogue, edition, cover, params, tick, batches,
                             queried)
    except BaseException:
        if closing is None:
            if results is not None:
                results.close()  # no item's query outlives the backend
            backend.close()
        else:
            closing.join()
        raise
    if closing is None:  # no batches: every table has come, nothing is left to compute
        results.close()
        backend.close()
    elif aside is not None:
        aside.append(closing.join)
    else:
        closing.join()
    return assemble.to_table(rows), coverage.provenance_record(cover)


class _Closing:
    """Closes the items' evaluation and the backend in a thread of its own (freeing the derived tables takes
    DuckDB a tenth of a second at full scale) while the caller goes on; ``join`` waits for it and raises what it
    raised."""

    def __init__(self, results: items.Results | None, backend: Any) -> None:
        self.error: BaseException | None = None

        def close() -> None:
            try:
                if results is not None:
                    results.close()
            except BaseException as exc:  # raised by join, in the caller's thread
                self.error = exc
            finally:
                try:
                    backend.close()
                except BaseException as exc:
                    self.error = self.error or exc

        self.thread = threading.Thread(target=close, name="barometer-close")
        self.thread.start()

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def build(registers: Path | str | Registers, edition: str, engine: str = "duckdb",
          settings: EngineSettings | None = None, *, store: Path | None = None,
          disclosure_config: Path | None = None, progress: Progress | None = None,
          threads: int | None = None, spark_master: str | None = None) -> BuildResult:
    """Compute, add intervals, protect and (when ``store`` is given) publish a release."""
    from barometer import disclosure
    from barometer.engine.protection import Protection

    settings = settings or EngineSettings()
    tick = progress or (lambda _step: None)
    config = disclosure.load_config(disclosure_config)  # read before computing: a bad config fails fast
    if engine not in ENGINES:
        raise EngineError(f"--engine {engine!r} is not available (available: {', '.join(ENGINES)})")
    where = locate(registers, engine, spark_master)  # a remote folder's manifest, staged locally
    # Disclosure control decides which cells are published (it does not look at intervals); the overdispersion
    # is estimated from the full-precision numbers of exactly those cells; intervals are computed at full
    # precision with it; and disclosure control runs again on them, with the same decisions, to publish each
    # interval widened over every value that prints the same (docs/disclosure.md §0). Each batch of items goes
    # through these steps as soon as it is computed, while the next items are (barometer.engine.protection); the
    # disclosure and uncertainty steps end with the last batch.
    protection = Protection(config, edition, load_catalogue(), DEFINITIONS)
    aside: list[Callable[[], None]] = []  # the backend's closing, waited for once the release is published
    try:
        return _build(where, edition, engine, settings, store, config, disclosure_config, tick, progress, threads,
                      spark_master, protection, aside)
    finally:
        for wait in aside:
            wait()


def _build(where: Registers, edition: str, engine: str, settings: EngineSettings, store: Path | None,
           config: Any, disclosure_config: Path | None, tick: Progress, progress: Progress | None,
           threads: int | None, spark_master: str | None, protection: Any, aside: list[Callable[[], None]]
           ) -> BuildResult:
    """``build`` once its arguments are checked: ``aside`` collects what the compute left to finish."""
    from barometer.provenance import disclosure_record, provenance
    from barometer.publication import publication_declaration
    from barometer.registers.layout import MANIFEST_NAME
    from barometer.registers.manifest import is_synthetic, read_manifest
    from barometer.store import publish

    raw, cover = compute_with_coverage(where, edition, engine, settings, progress=progress, threads=threads,
                                       spark_master=spark_master, batches=protection, aside=aside)
    warnings = baseline_warnings(raw, load_catalogue())
    observations, summary, model = protection.result()
    tick("disclosure")
    tick("uncertainty")
    prov = provenance(
        {"registers_manifest": where.folder / MANIFEST_NAME},
        synthetic=is_synthetic(read_manifest(where.folder)),  # validated above: the manifest is readable
        definitions=DEFINITIONS, kind="engine", engine=engine, engine_settings=settings.model_dump(),
        disclosure=disclosure_record(config, disclosure_config),
        register_files=_register_checksums(where.folder),
        register_coverage=cover,
        warnings=warnings,
        suppression={item: {"primary": s.primary, "secondary": s.secondary, "empty": s.empty,
                            "municipal_share": s.municipal_share}
                     for item, s in sorted(summary.by_item.items())},
        uncertainty=model,
        suppression_latest=summary.latest(load_catalogue(), edition),
        publication=publication_declaration(load_catalogue(), config),
    )
    if where.remote:  # the staged copy's checksum, under the name it was read from
        prov["inputs"]["registers_manifest"]["path"] = f"{where.location}/{MANIFEST_NAME}"
    release = publish(Path(store), observations, edition, prov) if store is not None else None
    tick("publish")
    return BuildResult(observations, release, summary, prov, warnings)


def baseline_warnings(raw: pa.Table, catalogue: Catalogue) -> list[str]:
    """Indicators without a whole-country figure for their goal's baseline year: their development (latest −
    baseline) cannot be computed — e.g. 3.3's 2012 baseline needs the 2007 course cohort, which data starting in
    2012 lack."""
    country = catalogue.country.code
    national_ok = pc.and_(pc.equal(raw.column("area_code"), pa.scalar(country)),
                          pc.equal(raw.column("status"), pa.scalar("ok")))
    have = {(r["item_id"], r["period"]) for r in raw.filter(national_ok).select(["item_id", "period"]).to_pylist()}
    out = []
    for indicator in catalogue.indicators:
        base = str(catalogue.goal(indicator.goal).baseline_year)
        if (indicator.id, base) not in have:
            out.append(f"indicator {indicator.id}: no figure for its baseline year {base}, so it has no "
                       "development (barometer movement) in this release")
    return out


def _register_checksums(root: Path) -> dict[str, list[dict[str, str]]]:
    """Per table, each file's path and sha256 as the (already validated) registers manifest records them."""
    from barometer.registers.manifest import read_manifest

    manifest = read_manifest(root)
    return {name: [{"path": f.path, "sha256": f.sha256} for f in entry.files]
            for name, entry in sorted(manifest.tables.items())}
