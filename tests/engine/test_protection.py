"""Protecting the items batch by batch (barometer.engine.protection) publishes what protecting them all at once
does: the same rows, the same suppression summary, the same uncertainty record; coupled items are decided
together, which matters (deciding them apart publishes cells it must not)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from barometer import disclosure, uncertainty, uncertainty_model
from barometer.catalogue import load_catalogue
from barometer.disclosure import DisclosureConfig
from barometer.engine import assemble, build
from barometer.engine.build import compute
from barometer.engine.definitions import DEFINITIONS
from barometer.engine.protection import BATCHES, Protection, plan

EDITION = "2024-11"
build_module = importlib.import_module("barometer.engine.build")


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """Raw observations of a small synthetic Denmark: many small cells, so secondary suppression has work,
    linked and nested items included."""
    generate = pytest.importorskip("barometer.synth.generate").generate
    out = tmp_path_factory.mktemp("protection") / "registers"
    generate(out, 0.005, range(2012, 2025), 1, workers=1)
    return compute(out, EDITION, validate=False)


def _all_at_once(raw: pa.Table, config: DisclosureConfig) -> tuple[pa.Table, Any, dict[str, Any]]:
    """The steps after computing, on the whole table at once (as the build ran them before batches)."""
    decisions = disclosure.decide(raw, config, edition=EDITION)
    decided, _ = disclosure.protect(raw, config, edition=EDITION, decisions=decisions)
    model = uncertainty_model.assess(raw, decided, EDITION, {d.id: d.gap_sign for d in DEFINITIONS})
    phi = uncertainty_model.factors(model)
    with_ci = assemble.flip_gap_intervals(uncertainty.add_intervals(raw, phi=phi),
                                          {d.id for d in DEFINITIONS if d.gap_sign < 0})
    protected, summary = disclosure.protect(with_ci, config, edition=EDITION, phi=phi, decisions=decisions)
    return assemble.finalize(protected), summary, model


def _in_batches(raw: pa.Table, config: DisclosureConfig, runs: list[list[str]]):
    protection = Protection(config, EDITION, load_catalogue(), DEFINITIONS)
    for run in runs:
        protection.add(raw.filter(pc.is_in(raw.column("item_id"), pa.array(run, pa.string()))))
    return protection.result()


def test_coupled_groups_follow_the_linked_groups_and_nested_pairs():
    config = DisclosureConfig(linked={"groups": [["a", "b"], ["c", "d", "x"]]}, nested={"pairs": [["b", "e"]]})
    assert config.coupled(["e", "a", "f", "c", "b", "d"]) == [["e", "a", "b"], ["f"], ["c", "d"]]
    assert DisclosureConfig().coupled(["1", "2"]) == [["1"], ["2"]]
    packaged = disclosure.load_config()
    groups = packaged.coupled([d.id for d in DEFINITIONS])
    assert [g for g in groups if len(g) > 1] == [["1.1", "1.2"], ["3.3", "N15"], ["7.1", "7.2"]]


def test_the_plan_lists_every_item_once_with_coupled_items_in_one_batch():
    config = disclosure.load_config()
    runs = plan(DEFINITIONS, config)
    assert 2 <= len(runs) <= BATCHES
    assert sorted(i for run in runs for i in run) == sorted(d.id for d in DEFINITIONS)
    where = {item: k for k, run in enumerate(runs) for item in run}
    for group in config.coupled([d.id for d in DEFINITIONS]):
        assert len({where[i] for i in group}) == 1, group
    assert plan(DEFINITIONS, config, batches=1) == [[i for g in config.coupled([d.id for d in DEFINITIONS])
                                                     for i in g]]


def test_batches_publish_what_all_at_once_publishes(raw):
    config = disclosure.load_config()
    whole, summary, model = _all_at_once(raw, config)
    assert summary.secondary > 0  # the test data make secondary suppression work
    runs = plan(DEFINITIONS, config)
    batched, batched_summary, batched_model = _in_batches(raw, config, runs)
    assert batched.equals(whole)
    assert batched_summary == summary
    assert list(batched_summary.by_period) == list(summary.by_period)
    assert batched_model == model
    assert list(batched_model) == list(model) and list(batched_model["items"]) == list(model["items"])
    one_by_one = config.coupled([d.id for d in DEFINITIONS])
    assert _in_batches(raw, config, one_by_one)[0].equals(whole)  # any cut between coupled groups does


def test_deciding_coupled_items_apart_would_publish_other_cells(raw):
    """The reason for the coupled groups: each item apart leaves a linked or nested partner's cell published."""
    config = disclosure.load_config()
    whole, summary, _ = _all_at_once(raw, config)
    apart, apart_summary, _ = _in_batches(raw, config, [[d.id] for d in DEFINITIONS])
    assert not apart.equals(whole)
    assert apart_summary.secondary < summary.secondary


def test_an_empty_batch_adds_nothing(raw):
    config = disclosure.load_config()
    runs = plan(DEFINITIONS, config)
    with_empty = _in_batches(raw, config, [["no-such-item"], *runs])
    assert with_empty[0].equals(_in_batches(raw, config, runs)[0])


def test_the_build_protects_while_computing_and_publishes_the_same(tmp_path: Path, monkeypatch):
    """The build hands each batch over as soon as its items are computed, in the plan's order."""
    from tests.engine import hand_fixture

    registers = hand_fixture.write(tmp_path / "registers")
    seen: list[list[str]] = []
    original = Protection.add

    def add(self, table: pa.Table) -> None:
        seen.append(sorted(set(table.column("item_id").to_pylist())))
        original(self, table)

    monkeypatch.setattr(Protection, "add", add)
    result = build(registers, EDITION)
    runs = plan(DEFINITIONS, disclosure.load_config())
    assert len(seen) == len(runs)
    assert all(set(items) <= set(run) for items, run in zip(seen, runs, strict=True))
    assert len({i for items in seen for i in items}) > len(runs)
    expected, _, _ = _all_at_once(compute(registers, EDITION, validate=False), disclosure.load_config())
    assert result.observations.equals(expected)


def test_a_plan_that_misses_an_item_is_refused(tmp_path: Path):
    from tests.engine import hand_fixture

    class Short:
        def __init__(self) -> None:
            self.plan = [[d.id for d in DEFINITIONS[1:]]]

        def add(self, raw: pa.Table) -> None:
            raise AssertionError("nothing is handed over")

    registers = hand_fixture.write(tmp_path / "registers")
    with pytest.raises(ValueError, match="does not list every item once"):
        build_module.compute_with_coverage(registers, EDITION, validate=False, batches=Short())


def test_the_backend_closes_aside_and_the_build_waits_for_it(tmp_path: Path, monkeypatch):
    """The backend is closed in a thread of its own while the last batch is protected; with ``aside`` the compute
    returns the wait for it, and the build waits before it returns: no thread is left."""
    import threading

    from tests.engine import hand_fixture

    registers = hand_fixture.write(tmp_path / "registers")
    aside: list = []
    protection = Protection(disclosure.load_config(), EDITION, load_catalogue(), DEFINITIONS)
    build_module.compute_with_coverage(registers, EDITION, validate=False, batches=protection, aside=aside)
    assert len(aside) == 1
    aside[0]()
    assert not [t for t in threading.enumerate() if t.name == "barometer-close"]
    build(registers, EDITION)
    assert not [t for t in threading.enumerate() if t.name == "barometer-close"]
