"""The yearly housing-area lists (from 2018): synthetic areas in municipalities with many non-Western residents.

Each area has a severity that improves at its own pace; each year the most severe areas fill the lists to the
calibrated counts (udsatte, parallelsamfund among them, omdannelsesområder among the first year's parallel
societies). The lists are lists of areas, so they are the same at every --scale.
"""

from __future__ import annotations

import numpy as np

from barometer.synth.frames import Codes, Frame
from barometer.synth.params import Setting, profiles, target_series

CATEGORIES = ("udsat", "parallelsamfund", "omdannelsesomraade")
_SUFFIXES = ("Vest", "Parken", "Syd", "Nord", "Øst", "Vænge", "Bakke", "Gårdene", "Høje", "Strand", "Ager", "Eng")
N_AREAS = 60


def housing_lists(st: Setting) -> Frame:
    rng = np.random.default_rng([st.seed, 5_151])
    weight = st.population * st.nw_share**2
    muni = rng.choice(st.n_muni, size=N_AREAS, p=weight / weight.sum())
    names = [p["name"] for p in profiles()]
    suffix = rng.permutation(np.resize(np.arange(len(_SUFFIXES)), N_AREAS))
    area_names = [f"{names[m]} {_SUFFIXES[s]}" for m, s in zip(muni, suffix, strict=True)]
    area_ids = [f"{st.codes[m]}-{i:03d}" for i, m in enumerate(muni)]
    # Unique names: a municipality drawn twice with the same suffix gets a number.
    seen: dict[str, int] = {}
    for i, name in enumerate(area_names):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            area_names[i] = f"{name} {seen[name]}"
    severity = rng.normal(0, 1, N_AREAS)
    pace = rng.uniform(0.0, 0.35, N_AREAS)
    ethnic = rng.normal(0, 0.7, N_AREAS)
    counts = {
        c: target_series(t)
        for c, t in (
            ("udsat", "udsatte_boligomraader"),
            ("parallelsamfund", "parallelsamfund"),
            ("omdannelsesomraade", "omdannelsesomraader"),
        )
    }
    first_parallel: np.ndarray | None = None
    rows: list[tuple[int, int, int]] = []
    for year in (y for y in st.years if y >= 2018):
        score = severity - pace * (year - 2018)
        udsat = np.argsort(-score)[: int(counts["udsat"][year])]
        parallel = udsat[np.argsort(-(score + ethnic)[udsat])][: int(counts["parallelsamfund"][year])]
        if first_parallel is None:
            first_parallel = parallel
        transform = first_parallel[np.argsort(-score[first_parallel])][: int(counts["omdannelsesomraade"][year])]
        for cat, members in enumerate((udsat, parallel, transform)):
            rows.extend((year, int(a), cat) for a in members)
    if not rows:
        return {}
    arr = np.array(rows)
    area = arr[:, 1]
    return {
        "year": arr[:, 0].astype(np.int16),
        "area_id": Codes(area, tuple(area_ids)),
        "area_name": Codes(area, tuple(area_names)),
        "municipality": Codes(muni[area], st.codes),
        "category": Codes(arr[:, 2], CATEGORIES),
    }
