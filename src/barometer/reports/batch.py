"""Write many areas' reports: one indexed release shared by all areas, optionally across processes."""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path

from barometer.catalogue import load_catalogue
from barometer.reports.formats import REPORT_FORMATS
from barometer.store import open_release
from barometer.view import ReleaseIndex, build_view

FORMATS = tuple(f.name for f in REPORT_FORMATS)  # pdf, html
_BY_NAME = {f.name: f for f in REPORT_FORMATS}
_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})


def slug(name: str) -> str:
    """A file-name-safe lower-case name: "Lyngby-Taarbæk" → "lyngby-taarbaek"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(_DANISH_LETTERS)).strip("-")


def report_filename(area_code: str, edition: str, fmt: str, lang: str = "da") -> str:
    """udviklingsrapport-851-aalborg-2024-11.pdf (an English report ends in -en)."""
    name = slug(load_catalogue().area(area_code).name)
    suffix = "" if lang == "da" else f"-{lang}"
    return f"udviklingsrapport-{area_code}-{name}-{edition}{suffix}.{fmt}"


def _write_area(index: ReleaseIndex, code: str, formats: Sequence[str], out_dir: Path, lang: str,
                today: date | None, significance: bool = False) -> list[Path]:
    view = build_view(index, code, lang=lang, today=today)  # type: ignore[arg-type]
    written = []
    for fmt in formats:
        path = out_dir / report_filename(code, view.edition, fmt, lang)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(_BY_NAME[fmt].render(view, significance))
        tmp.replace(path)  # a reader never sees half a file
        written.append(path)
    return written


# Per-worker state: each process loads the release index once and renders many areas with it.
_worker: dict[str, object] = {}


def _init_worker(store: Path, release_id: str, lang: str, today: date | None, significance: bool) -> None:
    _worker.update(index=ReleaseIndex.load(open_release(store, release_id)), lang=lang, today=today,
                   significance=significance)


def _worker_write(code: str, formats: Sequence[str], out_dir: Path) -> list[Path]:
    return _write_area(_worker["index"], code, formats, out_dir, _worker["lang"], _worker["today"],  # type: ignore[arg-type]
                       bool(_worker["significance"]))


def write_reports(store: Path, area_codes: Sequence[str], formats: Sequence[str], out_dir: Path, lang: str = "da",
                  jobs: int = 1, *, release: str | None = None, today: date | None = None,
                  index: ReleaseIndex | None = None, significance: bool = False,
                  on_area_done: Callable[[str, list[Path]], None] | None = None) -> list[Path]:
    """Render each area's report in each format into out_dir; returns the paths in area × format order.

    The release (default: the store's current one) is resolved once, so every report of a run comes from the
    same release even if another is published meanwhile. An already loaded ``index`` of that release is reused
    in-process; worker processes load their own. ``significance`` adds the model-based "S" marks (off: the
    report reads like the ministry's). ``on_area_done`` lets a caller show progress.
    """
    catalogue = load_catalogue()
    unknown = [c for c in area_codes if not catalogue.has_area(c)]
    if unknown:
        raise ValueError(f"unknown area code(s): {', '.join(unknown)}")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {', '.join(bad) or 'none'}")
    if lang not in ("da", "en"):
        raise ValueError(f"lang must be da or en, got {lang!r}")
    # raises StoreError naming the store and release
    resolved = index.release if index is not None else open_release(store, release)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[Path]] = {}
    if jobs <= 1 or len(area_codes) <= 1:
        index = index or ReleaseIndex.load(resolved)
        for code in area_codes:
            results[code] = _write_area(index, code, formats, out_dir, lang, today, significance)
            if on_area_done:
                on_area_done(code, results[code])
    else:
        # forkserver, not fork: the caller may run threads (Rich's progress bar), which fork would copy mid-state.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("forkserver"),
                                 initializer=_init_worker,
                                 initargs=(store, resolved.id, lang, today, significance)) as pool:
            futures = {pool.submit(_worker_write, code, tuple(formats), out_dir): code for code in area_codes}
            for future in as_completed(futures):
                code = futures[future]
                results[code] = future.result()
                if on_area_done:
                    on_area_done(code, results[code])
    return [path for code in area_codes for path in results[code]]
