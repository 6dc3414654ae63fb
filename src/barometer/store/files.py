"""File operations of the release store: permissions, clear errors for a read-only or full store, and the
leftovers of interrupted writes.

Releases are immutable and meant to be read by a server that may run as another user, so every folder the
store creates is mode 0755 and every file 0644, whatever the umask (a umask of 077 would otherwise make them
unreadable to anyone else). Nothing in a release is ever written twice, so nobody needs write access but the
publisher.

Writes go to names that say who made them: ``releases/.tmp-<host>-<pid>-<random>/`` and
``.CURRENT.<pid>.<host>``. A process killed in the middle leaves them behind; the next publish (or roll-back)
removes those of processes that are gone — on this machine: the pid is not running — and any older than
``GRACE_SECONDS`` (a store shared between machines: another machine's pids cannot be checked, but no write takes
that long). A concurrent writer's temporary files are never touched.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DIR_MODE = 0o755
FILE_MODE = 0o644
GRACE_SECONDS = 3600.0
TMP_PREFIX = ".tmp-"
POINTER_PREFIX = ".CURRENT."

_CAUSES = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EIO: "input/output error",
}


def describe_os_error(exc: OSError) -> str:
    """The cause of an OSError in words, with the file it concerns (no traceback needed to act on it)."""
    cause = _CAUSES.get(exc.errno or 0) or (exc.strerror or str(exc))
    return f"{cause} ({exc.filename})" if exc.filename else cause


def _host() -> str:
    return socket.gethostname().replace("-", "_").replace(".", "_") or "localhost"


def make_dirs(path: Path) -> None:
    """Create ``path`` and missing parents readable by everybody (0755); existing folders are left as they are."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        os.chmod(folder, DIR_MODE)


def make_temp_dir(parent: Path) -> Path:
    """A new, empty temporary folder in ``parent`` named after this host and process, mode 0755."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{_host()}-{os.getpid()}-", dir=parent))
    os.chmod(tmp, DIR_MODE)
    return tmp


def pointer_temp(store: Path) -> Path:
    """Where this process writes the next CURRENT before renaming it into place."""
    return store / f"{POINTER_PREFIX}{os.getpid()}.{_host()}"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def write_small_file(path: Path, text: str) -> None:
    """Write a small text file (0644) and force it to disk; an incomplete file is removed on failure."""
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(path, FILE_MODE)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Leftover:
    """A temporary folder or pointer file left by an interrupted write."""

    path: Path
    pid: int | None
    host: str | None
    age_seconds: float
    stale: bool  # safe to remove: its process is gone, or it is older than any write takes

    @property
    def kind(self) -> str:
        return "folder" if self.path.name.startswith(TMP_PREFIX) else "pointer"


def _owner(name: str) -> tuple[str | None, int | None]:
    """(host, pid) encoded in a leftover's name; (None, None) for names of older versions (age decides)."""
    try:
        if name.startswith(TMP_PREFIX):
            host, pid, _random = name[len(TMP_PREFIX):].rsplit("-", 2)
            return host, int(pid)
        pid, _, host = name[len(POINTER_PREFIX):].partition(".")
        return host or None, int(pid)
    except ValueError:
        return None, None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # somebody else's live process
    return True


def leftovers(store: Path, now: float | None = None, grace: float = GRACE_SECONDS) -> list[Leftover]:
    """Temporary folders and pointer files of writes that did not finish (or are going on now), oldest first."""
    now = time.time() if now is None else now
    found = []
    candidates = [p for p in (store / "releases").glob(f"{TMP_PREFIX}*")] if (store / "releases").is_dir() else []
    candidates += list(store.glob(f"{POINTER_PREFIX}*")) if store.is_dir() else []
    for path in candidates:
        try:
            age = now - path.lstat().st_mtime
        except FileNotFoundError:
            continue  # finished or removed meanwhile
        host, pid = _owner(path.name)
        gone = pid is not None and host == _host() and pid != os.getpid() and not _running(pid)
        found.append(Leftover(path, pid, host, age, gone or age > grace))
    return sorted(found, key=lambda item: (-item.age_seconds, item.path.name))


def remove_stale(store: Path, now: float | None = None, grace: float = GRACE_SECONDS) -> list[Path]:
    """Remove the leftovers of writes whose process is gone (or that are older than ``grace``); returns them.

    Best effort: a leftover that cannot be removed (a read-only store) stays and is listed again next time.
    """
    removed = []
    for item in leftovers(store, now, grace):
        if not item.stale:
            continue
        try:
            if item.path.is_dir() and not item.path.is_symlink():
                shutil.rmtree(item.path)
            else:
                item.path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            continue
        removed.append(item.path)
    return removed
