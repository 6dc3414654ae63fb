"""Run the generator: plan chunks, simulate them in worker processes, write Parquet parts and the manifest.

Each chunk is simulated and written by one worker from its own seeded Generator (seed, municipality, part), so
the output does not depend on the number of workers or the order they finish in, and memory stays bounded by
the largest chunk (~``CHUNK_PERSONS`` persons) per worker whatever the scale.
"""

from __future__ import annotations

import math
import multiprocessing
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from barometer.errors import UsageError
from barometer.registers.contract import CONTRACT
from barometer.registers.layout import MANIFEST_NAME, write_part
from barometer.registers.manifest import FileEntry, describe_file, write_manifest
from barometer.synth import addresses, crime, dates, housing, integration, labour, schooling, survey
from barometer.synth.context import Chunk
from barometer.synth.frames import Codes, Dates, Frame, concat, n_rows, sort_frame, to_table
from barometer.synth.params import Setting, country_table, make_setting
from barometer.synth.population import build_persons, concat_persons

CHUNK_PERSONS = 120_000
"""Target persons per batch at the municipalities' 2024 size (a batch holds ~20 % more: everyone ever resident).
Large municipalities are split into parts; small ones are simulated together in one batch."""
ORIGIN_TYPES = ("dansk", "indvandrer", "efterkommer")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ChunkSpec:
    muni: int
    part: int
    parts: int
    label: str
    chunk_id: int
    persons: float  # expected size, for ordering and progress


@dataclass(frozen=True)
class Batch:
    """Chunks simulated together by one worker and written as one part (labelled by its first chunk)."""

    chunks: tuple[ChunkSpec, ...]

    @property
    def label(self) -> str:
        return self.chunks[0].label

    @property
    def persons(self) -> float:
        return sum(c.persons for c in self.chunks)


def plan_chunks(st: Setting) -> list[ChunkSpec]:
    """Municipalities split into parts of at most ~CHUNK_PERSONS persons."""
    specs = []
    for m, code in enumerate(st.codes):
        size = st.population[m] * st.scale
        parts = max(1, math.ceil(size / CHUNK_PERSONS))
        for k in range(parts):
            specs.append(ChunkSpec(m, k, parts, f"{code}-{k:02d}", int(code) * 100 + k, size / parts))
    return specs


def plan_batches(st: Setting) -> list[Batch]:
    """Chunks packed in municipality order into batches of up to ~CHUNK_PERSONS, largest batch first.

    The packing depends only on the scale, so the output is the same whatever the number of workers.
    """
    batches: list[list[ChunkSpec]] = [[]]
    for spec in plan_chunks(st):
        if batches[-1] and sum(c.persons for c in batches[-1]) + spec.persons > CHUNK_PERSONS:
            batches.append([])
        batches[-1].append(spec)
    return sorted((Batch(tuple(b)) for b in batches), key=lambda b: -b.persons)


def persons_frame(c: Chunk) -> Frame:
    p = c.p
    return {
        "pnr": p.pnr,
        "birth_date": Dates(p.birth),
        "sex": Codes(p.sex, ("M", "K")),
        "origin_type": Codes(p.origin, ORIGIN_TYPES),
        "origin_country": Codes(p.country, country_table().codes),
        "immigration_date": Dates(p.imm, p.imm != dates.NOT_IMMIGRATED),
        "death_date": Dates(p.death, p.death != dates.NEVER),
    }


def residence_frame(c: Chunk) -> Frame:
    p = c.p
    frames = []
    for year in c.st.years:
        idx = np.flatnonzero(p.present(dates.day(year)))
        frames.append(
            {
                "pnr": p.pnr[idx],
                "year": np.full(len(idx), year, np.int16),
                "municipality": Codes(p.muni[idx, p.year_index(year)], c.st.codes),
            }
        )
    return concat(frames)


def simulate_batch(st: Setting, batch: Batch) -> dict[str, Frame]:
    """All register tables of one batch (the order of the model calls is part of the seeded stream)."""
    parts = []
    for spec in batch.chunks:
        rng = np.random.default_rng([st.seed, spec.chunk_id])
        parts.append(build_persons(rng, st, spec.muni, 1.0 / spec.parts, spec.chunk_id))
    rng = np.random.default_rng([st.seed, batch.chunks[0].chunk_id, 1])
    c = Chunk(concat_persons(parts), st, rng)
    out: dict[str, Frame] = {"persons": persons_frame(c), "residence": residence_frame(c)}
    # Its own random stream, so the address history leaves every other table as it was.
    out["addresses"] = addresses.addresses(c, np.random.default_rng([st.seed, batch.chunks[0].chunk_id, 2]))
    out["education"] = schooling.education(c)
    out["employment"] = labour.employment(c)
    out["benefits"] = concat([labour.benefits(c), schooling.student_grant_spells(c)])
    out["wage_employment"] = labour.wage_employment(c)
    out["grades"] = schooling.grades(c)
    out["enrolment"] = schooling.enrolment(c)
    out["convictions"] = crime.convictions(c)
    out["permits"] = integration.permits(c)
    out["visitations"] = integration.visitations(c)
    out["danish_courses"], out["danish_tests"] = integration.danish_education(c)
    out["programme_status"] = integration.programme_status(c)
    out["igu_courses"] = integration.igu_courses(c)
    out["migrations"], out["repatriations"] = integration.migrations(c)
    return out


def write_frames(out_dir: Path, frames: dict[str, Frame], label: str) -> tuple[dict[str, int], list[FileEntry]]:
    """Write every non-empty frame as part ``label`` of its table; returns rows written per table and the
    manifest entries of the parts (checksummed here, while the bytes are still in the page cache)."""
    rows, entries = {}, []
    for table, frame in frames.items():
        n = n_rows(frame)
        if n:
            data = to_table(table, sort_frame(table, frame))  # the layout the data contract recommends
            entries.append(describe_file(out_dir, write_part(out_dir, table, data, part=label)))
        rows[table] = n
    return rows, entries


def _run_batch(args: tuple[Path, Setting, Batch]) -> tuple[Batch, dict[str, int], list[FileEntry]]:
    out_dir, st, batch = args
    return batch, *write_frames(out_dir, simulate_batch(st, batch), batch.label)


class OutputNotEmptyError(UsageError, FileExistsError):
    """The output folder already holds register data and ``--force`` was not given: nothing is overwritten."""


def prepare_out_dir(out_dir: Path, force: bool) -> None:
    """Refuse to mix with an earlier run unless ``force``: then only the contract's folders and manifest go."""
    existing = [t for t in CONTRACT.tables if (out_dir / t).exists()]
    if (out_dir / MANIFEST_NAME).exists() or existing:
        if not force:
            raise OutputNotEmptyError(
                f"{out_dir} already holds register data ({', '.join(existing) or MANIFEST_NAME}); "
                "choose an empty folder or pass --force to replace it"
            )
        for t in existing:
            shutil.rmtree(out_dir / t)
        (out_dir / MANIFEST_NAME).unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def generate(
    out_dir: Path | str,
    scale: float,
    years: range | tuple[int, ...],
    seed: int,
    progress: Progress | None = None,
    workers: int = 2,
    force: bool = False,
) -> dict[str, int]:
    """Generate synthetic registers for ``years`` at ``scale`` (1 = whole population) into ``out_dir``.

    Returns rows per table. ``progress(done, total)`` is called with expected persons done so far.
    """
    out_dir = Path(out_dir)
    st = make_setting(scale, tuple(years), seed)
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    prepare_out_dir(out_dir, force)
    batches = plan_batches(st)
    total = sum(int(b.persons) for b in batches)
    done = 0
    rows: dict[str, int] = {t: 0 for t in CONTRACT.tables}
    known: dict[str, FileEntry] = {}

    def account(batch: Batch, counts: dict[str, int], entries: list[FileEntry]) -> None:
        nonlocal done
        for t, n in counts.items():
            rows[t] += n
        known.update((e.path, e) for e in entries)
        done += int(batch.persons)
        if progress:
            progress(done, total)

    def write_national() -> None:
        """The national tables (survey, housing lists): written by the parent while the workers simulate."""
        respondents, answers = survey.survey(seed, st.years, scale)
        national = {
            "survey_respondents": respondents,
            "survey_answers": answers,
            "housing_areas": housing.housing_lists(st),
        }
        counts, entries = write_frames(out_dir, national, "national")
        for t, n in counts.items():
            rows[t] += n
        known.update((e.path, e) for e in entries)

    if workers == 1 or len(batches) == 1:
        write_national()
        for batch in batches:
            account(*_run_batch((out_dir, st, batch)))
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(_run_batch, (out_dir, st, batch)) for batch in batches]
            try:
                write_national()
                for fut in as_completed(futures):
                    account(*fut.result())
            except BaseException:  # a failure or Ctrl-C: batches not yet started are dropped, not waited for
                pool.shutdown(cancel_futures=True)
                raise
    write_manifest(
        out_dir,
        generator="barometer.synth",
        synthetic=True,
        extra={"scale": scale, "years": [min(st.years), max(st.years)], "seed": seed},
        known=known,
    )
    return rows
