"""A store that cannot be written (read-only, full disk) or holds leftovers of killed writes, and releases that do
not match their manifest.

The tests run as root in CI, where chmod does not make anything read-only; the errors of a read-only file system
(EROFS) or a full disk (ENOSPC) are injected at each step of a write instead, as the operating system would raise
them there.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometer.cli import app
from barometer.store import StoreError, current_release_id, list_releases, observation_table, open_release, publish
from barometer.store import files as files_module
from barometer.store import releases as releases_module
from barometer.store.files import leftovers, remove_stale
from tests.store.test_releases import _rows

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _fail_on_call(target, name: str, number: int, code: int, monkeypatch) -> None:
    """Make ``target.name`` raise OSError(code) on its ``number``-th call (1-based); other calls go through."""
    real = getattr(target, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            path = next((a for a in args if isinstance(a, (str, Path))), None)
            raise OSError(code, os.strerror(code), str(path) if path is not None else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)


def _assert_untouched(store: Path, first_id: str) -> None:
    """The previous release is current and intact; nothing of the failed write is left."""
    assert current_release_id(store) == first_id
    assert [r.id for r in list_releases(store)] == [first_id]
    assert sorted(p.name for p in (store / "releases").iterdir()) == [first_id]
    assert not list(store.glob(".CURRENT*"))
    assert open_release(store).observations().to_pylist()[1]["value"] == 61.0


# Every step of a publish at which the disk can be full (or the store read-only): writing the observations,
# the manifest, the temporary pointer; renaming the release and the pointer into place; syncing the folder.
WRITE_STEPS = [
    (releases_module, "_write_parquet", 1),
    (releases_module, "write_small_file", 1),  # the manifest
    (releases_module, "write_small_file", 2),  # the temporary pointer: the release is complete and renamed
    (releases_module.os, "rename", 1),
    (releases_module.os, "replace", 1),
    (releases_module, "fsync_dir", 1),  # after renaming the release folder
]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize(("target", "name", "number"), WRITE_STEPS)
def test_a_failed_write_leaves_the_previous_release_and_nothing_else(tmp_path, monkeypatch, code, target, name,
                                                                     number):
    first = publish(tmp_path, observation_table(_rows(61.0)), "2024-11", {})
    _fail_on_call(target, name, number, code, monkeypatch)
    with pytest.raises(StoreError) as info:
        publish(tmp_path, observation_table(_rows(99.0)), "2024-11", {})
    message = str(info.value)
    assert info.value.code == "store_unwritable" and info.value.exit_code == 1
    assert message.startswith(f"store {tmp_path}: cannot ")
    assert {errno.ENOSPC: "no space left on the device", errno.EROFS: "read-only"}[code] in message
    monkeypatch.undo()
    _assert_untouched(tmp_path, first.id)


def test_a_full_disk_while_writing_the_pointer_after_the_switch_keeps_the_new_release(tmp_path, monkeypatch):
    """If CURRENT was replaced and only syncing the store folder failed, the new release is current: it stays."""
    publish(tmp_path, observation_table(_rows(61.0)), "2024-11", {})
    _fail_on_call(releases_module, "fsync_dir", 2, errno.EIO, monkeypatch)  # the store folder, after the switch
    with pytest.raises(StoreError, match="input/output error"):
        publish(tmp_path, observation_table(_rows(99.0)), "2024-11", {})
    monkeypatch.undo()
    current = current_release_id(tmp_path)
    assert [r.id for r in list_releases(tmp_path)][-1] == current
    assert open_release(tmp_path).observations().to_pylist()[1]["value"] == 99.0
    assert not list(tmp_path.glob(".CURRENT*"))


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_use_on_a_store_that_cannot_be_written(tmp_path, monkeypatch, code):
    first = publish(tmp_path, observation_table(_rows(61.0)), "2024-11", {})
    second = publish(tmp_path, observation_table(_rows(62.0)), "2024-11", {})
    _fail_on_call(releases_module, "write_small_file", 1, code, monkeypatch)
    result = CliRunner().invoke(app, ["--store", str(tmp_path), "use", first.id])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: store {tmp_path}: cannot make {first.id} current: ")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 2
    assert current_release_id(tmp_path) == second.id and not list(tmp_path.glob(".CURRENT*"))


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC])
def test_import_published_on_a_store_that_cannot_be_written(tmp_path, monkeypatch, code):
    first = publish(tmp_path, observation_table(_rows(61.0)), "2024-11", {})
    _fail_on_call(releases_module, "_write_parquet", 1, code, monkeypatch)
    result = CliRunner().invoke(app, ["--store", str(tmp_path), "import-published",
                                      str(FIXTURES / "published-2024-11.csv"), "--edition", "2024-11"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: store {tmp_path}: cannot write a release: ")
    assert "Nothing was written; the current release is unchanged." in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    monkeypatch.undo()
    _assert_untouched(tmp_path, first.id)


def test_build_refuses_a_read_only_store_before_computing(tmp_path, monkeypatch):
    first = publish(tmp_path / "store", observation_table(_rows(61.0)), "2024-11", {})
    registers = tmp_path / "registers"
    registers.mkdir()  # never read: the store is checked first

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / "store" / "releases"))

    monkeypatch.setattr(files_module.tempfile, "mkdtemp", read_only)
    computed = []
    monkeypatch.setattr(importlib.import_module("barometer.engine.build"), "compute_with_coverage",
                        lambda *a, **k: computed.append(1))
    result = CliRunner().invoke(app, ["--store", str(tmp_path / "store"), "build", "--registers", str(registers),
                                      "--edition", "2024-11"])
    assert result.exit_code == 1, result.output
    assert f"error: store {tmp_path / 'store'}: cannot write a release: the file system is read-only" in result.output
    assert "Nothing was written; the current release is unchanged." in result.output
    assert "Traceback" not in result.output
    assert computed == []
    monkeypatch.undo()
    _assert_untouched(tmp_path / "store", first.id)


def test_build_on_a_full_disk_publishes_nothing(tmp_path, monkeypatch):
    from tests.engine import hand_fixture

    registers = hand_fixture.write(tmp_path / "registers")
    first = publish(tmp_path / "store", observation_table(_rows(61.0)), "2024-11", {})
    _fail_on_call(releases_module, "write_small_file", 2, errno.ENOSPC, monkeypatch)  # release complete, pointer
    result = CliRunner().invoke(app, ["--store", str(tmp_path / "store"), "build", "--registers", str(registers),
                                      "--edition", "2024-11"])
    assert result.exit_code == 1, result.output
    assert f"error: store {tmp_path / 'store'}: cannot make " in result.output
    assert "current: no space left on the device" in result.output
    assert "Traceback" not in result.output
    monkeypatch.undo()
    _assert_untouched(tmp_path / "store", first.id)


# --- permissions ------------------------------------------------------------------------------------------------


def test_releases_are_readable_by_others_whatever_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        release = publish(tmp_path / "store", observation_table(_rows()), "2024-11", {})
    finally:
        os.umask(old)
    for folder in (tmp_path / "store", tmp_path / "store" / "releases", release.path):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755, folder
    for file in (release.path / "manifest.json", release.path / "observations.parquet",
                 tmp_path / "store" / "CURRENT"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o644, file


# --- leftovers of killed writes ---------------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # exited and reaped: no process has it (pids are not reused this quickly)


def test_leftovers_of_dead_processes_are_removed_at_the_next_publish(tmp_path):
    store = tmp_path
    first = publish(store, observation_table(_rows()), "2024-11", {})
    host = files_module._host()
    dead, alive = _dead_pid(), os.getppid()
    (store / "releases" / f".tmp-{host}-{dead}-abc123").mkdir()
    (store / "releases" / f".tmp-{host}-{dead}-abc123" / "observations.parquet").write_bytes(b"partial")
    (store / "releases" / f".tmp-{host}-{alive}-def456").mkdir()  # a concurrent build: kept
    (store / f".CURRENT.{dead}.{host}").write_text(first.id + "\n")
    (store / f".CURRENT.{alive}.{host}").write_text(first.id + "\n")  # kept
    old = store / "releases" / ".tmp-oldstyle"  # an older version's name: its age decides
    old.mkdir()
    os.utime(old, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    recent = store / "releases" / ".tmp-recentstyle"
    recent.mkdir()
    listed = {item.path.name: item.stale for item in leftovers(store)}
    assert listed == {f".tmp-{host}-{dead}-abc123": True, f".tmp-{host}-{alive}-def456": False,
                      f".CURRENT.{dead}.{host}": True, f".CURRENT.{alive}.{host}": False,
                      ".tmp-oldstyle": True, ".tmp-recentstyle": False}
    listing = CliRunner().invoke(app, ["--store", str(store), "releases"])
    assert listing.exit_code == 0 and "6 leftovers of interrupted writes" in listing.output
    second = publish(store, observation_table(_rows(62.0)), "2024-11", {})
    assert {item.path.name for item in leftovers(store)} == {
        f".tmp-{host}-{alive}-def456", f".CURRENT.{alive}.{host}", ".tmp-recentstyle"}
    assert [r.id for r in list_releases(store)] == [first.id, second.id]
    # an hour later, nothing of those writes can still be going on
    assert len(remove_stale(store, now=time.time() + 2 * 3600)) == 3 and leftovers(store) == []


def test_kill_9_at_any_moment_leaves_a_readable_current_release(tmp_path):
    """A process publishing in a loop is killed (SIGKILL) at random moments; after each kill the current release
    opens and verifies, every listed release verifies, and the next publish cleans what the killed one left."""
    store = tmp_path / "store"
    first = publish(store, observation_table(_rows(61.0)), "2024-11", {})
    script = ("import sys; from barometer.store import publish, observation_table; "
              "from tests.store.test_releases import _rows\n"
              "print('ready', flush=True)\n"
              "for i in range(10_000): publish(__import__('pathlib').Path(sys.argv[1]), "
              "observation_table(_rows(62.0 + i)), '2024-11', {})\n")
    root = Path(__file__).parents[2]
    for delay in (0.05, 0.13, 0.21, 0.34, 0.55, 0.8):
        proc = subprocess.Popen([sys.executable, "-c", script, str(store)], cwd=root, stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.kill()
        proc.wait()
        current = open_release(store)  # verifies size, rows, checksum, no stray file
        for release in list_releases(store):
            open_release(store, release.id)
        assert current.id in {r.id for r in list_releases(store)}
    publish(store, observation_table(_rows(61.5)), "2024-11", {})
    assert leftovers(store) == []
    assert first.id in {r.id for r in list_releases(store)}


# --- a release folder that does not match its manifest ----------------------------------------------------------


@pytest.fixture
def release(tmp_path):
    return publish(tmp_path, observation_table(_rows()), "2024-11", {})


def test_manifest_records_size_rows_and_checksum(release):
    entry = release.manifest["observations"]
    assert entry["bytes"] == (release.path / "observations.parquet").stat().st_size
    assert entry["rows"] == 3 and len(entry["sha256"]) == 64
    assert open_release(release.path.parents[1]).id == release.id


def _tamper_manifest(release, **changes) -> None:
    manifest = json.loads((release.path / "manifest.json").read_text())
    manifest["observations"].update(changes)
    (release.path / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(("change", "message"), [
    ({"rows": 4}, "3 rows, the manifest records 4"),
    ({"bytes": 10}, "bytes, the manifest records 10 (truncated or replaced)"),
    ({"sha256": "0" * 64}, "differs from the manifest's 000000000000"),
    ({"file": "../CURRENT"}, "does not name the observations file"),
])
def test_a_release_that_does_not_match_its_manifest_is_refused(release, change, message):
    _tamper_manifest(release, **change)
    with pytest.raises(StoreError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        open_release(release.path.parents[1])
    assert info.value.code == "release_damaged"


def test_a_truncated_observations_file_is_refused(release):
    data = release.path / "observations.parquet"
    data.write_bytes(data.read_bytes()[:-10])
    with pytest.raises(StoreError, match=f"{data}: .* bytes, the manifest records"):
        open_release(release.path.parents[1])


@pytest.mark.parametrize("stray", ["notes.txt", "sub/", "up->..", "manifest.json->elsewhere"])
def test_stray_files_and_links_in_a_release_folder_are_refused(release, tmp_path, stray):
    store = release.path.parents[1]
    if stray.endswith("/"):
        (release.path / stray.rstrip("/")).mkdir()
        expected = "unexpected folder"
    elif "->" in stray:
        name, target = stray.split("->")
        if name == "manifest.json":
            (tmp_path / "elsewhere").write_text((release.path / name).read_text())
            (release.path / name).unlink()
            target = str(tmp_path / "elsewhere")
        (release.path / name).symlink_to(target)
        expected = "a symbolic link inside release folder"
    else:
        (release.path / stray).write_text("x")
        expected = "unexpected file"
    with pytest.raises(StoreError, match=expected) as info:
        open_release(store)
    assert str(release.path) in str(info.value)
    result = CliRunner().invoke(app, ["--store", str(store), "show", "--area", "851"])
    assert result.exit_code == 1 and expected in result.output and "Traceback" not in result.output


def test_a_release_id_cannot_leave_the_store(release, tmp_path):
    for wanted in ("../releases/" + release.id, "/etc", ".tmp-x"):
        with pytest.raises(StoreError, match="not a release id"):
            open_release(release.path.parents[1], wanted)
