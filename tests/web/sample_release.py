"""A seeded, synthetic multi-year release for the web tests and benchmark (never committed as data); its manifest
marks it synthetic, so every page and download of it says so.

Every area gets every register indicator for 2012-2024 (survey indicators only for Hele landet), every key
figure at its 2024-11 reference period, confidence intervals and — for a few seeded cells — status
"suppressed" (no value, as the disclosure step leaves it). Values are random but plausible: shares in 5-95,
gaps in 0-40, housing-area counts in 0-6.
"""

from __future__ import annotations

import random
from pathlib import Path

from barometer.catalogue import load_catalogue
from barometer.store import Release, observation_table, publish

YEARS = range(2012, 2025)
EDITION = "2024-11"


def sample_rows(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    cat = load_catalogue()
    rows: list[dict] = []
    for area in cat.areas:
        national = area.kind == "country"
        population = 5_900_000 if national else rng.randint(2_000, 600_000)
        target_share = 0.09 if national else rng.uniform(0.02, 0.30)
        for ind in cat.indicators:
            if not (national or ind.local):
                continue
            level = {"pct": rng.uniform(20, 80), "pct_point": rng.uniform(5, 35), "count": rng.randint(0, 4)}[ind.unit]
            for year in YEARS:
                if ind.goal == "8" and year < 2018:
                    continue
                drift = (year - 2012) * rng.uniform(-0.6, 1.0)
                value = max(0.0, level + drift) if ind.unit != "count" else float(max(0, level + rng.randint(-1, 1)))
                row = {"area_code": area.code, "item_id": ind.id, "period": str(year), "source": "sample"}
                if not national and rng.random() < 0.02:
                    row["status"] = "suppressed"
                else:
                    denominator = round(population * target_share * 0.5)
                    half = 0 if ind.unit == "count" else 1.96 * 100 * (0.25 / max(denominator, 1)) ** 0.5
                    row.update(status="ok", value=round(value, 3), ci_low=round(value - half, 3),
                               ci_high=round(value + half, 3))
                    if ind.unit != "count":
                        row.update(denominator=float(denominator),
                                   numerator=float(round(denominator * min(value, 100) / 100)))
                    if ind.unit == "pct_point":
                        ref_den = round(population * (1 - target_share) * 0.6)
                        row.update(ref_denominator=float(ref_den), ref_numerator=float(round(ref_den * 0.5)))
                rows.append(row)
        for kf in cat.key_figures:
            if not (national or kf.local):
                continue
            period = kf.reference_period.get(EDITION)
            if period is None:
                continue
            row = {"area_code": area.code, "item_id": kf.id, "period": period, "source": "sample"}
            if not national and rng.random() < 0.05:
                row["status"] = "suppressed"
            else:
                value = rng.uniform(5, 90) if kf.unit == "pct" else float(rng.randint(10, 5000))
                row.update(status="ok", value=round(value, 1))
            rows.append(row)
    return rows


def publish_sample(store: Path, seed: int = 7) -> Release:
    """Publish the sample release into `store` and make it current, with the uncertainty record a build makes
    (overdispersion and funnel from the sample's published cells) and the definitions (words and SQL digests)."""
    from barometer.disclosure import load_config
    from barometer.engine.definitions import DEFINITIONS
    from barometer.provenance import provenance
    from barometer.uncertainty_model import assess

    table = observation_table(sample_rows(seed))
    config = load_config()
    return publish(store, table, EDITION, provenance(
        {}, synthetic=True, definitions=DEFINITIONS, kind="sample", seed=seed,
        uncertainty=assess(table, table, EDITION),
        disclosure={"config": config.model_dump(mode="json"), "digest": config.digest(),
                    "source": "packaged defaults"}))
