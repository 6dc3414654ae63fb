"""A small synthetic Denmark generated once per test process for the synth tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from synth_reference import SMALL_SCALE

from barometer.synth.generate import generate


@pytest.fixture(scope="session")
def small_registers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Registers at scale 0.01 (about 60,000 persons), 2012-2024, seed 7."""
    out = tmp_path_factory.mktemp("synth") / "registers"
    generate(out, SMALL_SCALE, range(2012, 2025), seed=7, workers=1)
    return out
