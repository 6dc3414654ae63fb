"""How `barometer serve` runs uvicorn: several worker processes, and clients bounded in time and number.

uvicorn bounds an idle keep-alive connection (`timeout_keep_alive`) but not the time a client may take to send
its request headers: a connection that sends half a header and stops is held for ever, and some thousands of
them exhaust the file descriptors (every `accept()` then fails and logs a traceback) and lock everyone else
out. uvicorn's `limit_concurrency` does not help: it counts those idle connections too and answers every real
request 503 once they reach it. gunicorn's uvicorn workers run the same protocol code. So the server runs
uvicorn's own HTTP/1.1 protocol classes (httptools, the C parser, or h11 where it is missing: `[web] http`),
passed through uvicorn's `http` option (a documented extension point), with two additions:

- **header timeout**: from a connection's first moment (or a kept-alive connection's next first byte) the
  request headers must be complete within `header_timeout` seconds, else the connection is closed;
- **connection cap**: a worker holds at most `max_connections` connections (fewer when its file descriptor
  limit, raised to the hard limit at start, would not leave room for them, a reserve and one `backlog` of
  connections accepted at once: descriptors never run out); a connection beyond that closes the oldest one
  still waiting for its headers — a real client sends its headers at once, so under a flood of half-open
  connections it still gets in — or itself when none is waiting.

In production the server sits behind a reverse proxy that buffers requests (docs/deployment.md); these bounds
keep a directly exposed server usable too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import socket
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from barometer.web.settings import ServeLimits

log = logging.getLogger("barometer.web")
FD_RESERVE = 64  # descriptors kept for the release files, logs and the listening socket


def descriptor_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def connection_cap(configured: int, backlog: int) -> int:
    """The configured cap, lowered so the worker never runs out of file descriptors: asyncio accepts up to
    `backlog` connections in one go before any of them reaches the protocol (and the cap), so those come on top."""
    return max(1, min(configured, descriptor_limit() - FD_RESERVE - backlog))


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send each answer at once (TCP_NODELAY). asyncio sets it only on sockets whose protocol number is TCP, and
    the listening socket uvicorn makes for several workers has protocol number 0, as have the connections it
    accepts: without this, Nagle's algorithm holds the last segment of an answer until the client's delayed ACK,
    about 40 ms on Linux, and a worker answers one request per connection per 40 ms whatever its speed."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # the connection is already gone
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HeaderGuard:
    """The header timeout and the connection cap (module docstring), mixed into uvicorn's protocol classes: the
    protocol calls `_headers_begin` when a request's first byte arrives and `_headers_done` once its headers are
    complete."""

    limits: ClassVar[ServeLimits | None] = None
    cap: ClassVar[int] = 0
    waiting: ClassVar[dict[HeaderGuard, None]] = {}  # awaiting headers, oldest first (per process)
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    connections: set[Any]
    client: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if HeaderGuard.limits is None:
            HeaderGuard.limits = ServeLimits.resolve(1)
            HeaderGuard.cap = connection_cap(HeaderGuard.limits.max_connections, HeaderGuard.limits.backlog)
        self.header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]  # the protocol class mixed with
        no_delay(transport)
        self._admit()

    def _admit(self) -> bool:
        """Called once the connection is made: False when it was closed at once (over the cap, none to evict)."""
        if len(self.connections) > self.cap:
            oldest = next(iter(self.waiting), None)
            victim = oldest if oldest is not None else self
            victim.drop("connection cap reached")
            if victim is self:
                return False
        self._headers_begin()
        return True

    def _headers_begin(self) -> None:
        if self.header_timer is None and not self.transport.is_closing():
            assert self.limits is not None
            self.header_timer = self.loop.call_later(self.limits.header_timeout, self.drop, "header timeout")
            self.waiting[self] = None

    def _headers_done(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
        self.waiting.pop(self, None)

    def drop(self, reason: str) -> None:
        """Drop the connection without an answer (a client that sends no request gets none)."""
        self._headers_done()
        if not self.transport.is_closing():
            log.debug("closing connection from %s: %s", self.client, reason)
            self.transport.close()


class GuardedH11Protocol(HeaderGuard, H11Protocol):
    """uvicorn's pure-Python protocol (h11) with the header timeout and the connection cap."""

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._headers_begin()  # the next request on a kept-alive connection: its headers are timed too
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._headers_done()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is not h11.IDLE:  # a pipelined request was parsed at once
            self._headers_done()
        elif self.conn.trailing_data[0]:
            self._headers_begin()  # part of the next request arrived while this answer was being sent

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)


PROTOCOLS = {"h11": "barometer.web.serving:GuardedH11Protocol",
             "httptools": "barometer.web.serving_httptools:GuardedHttpToolsProtocol"}


def protocol(parser: str) -> str:
    """The protocol class `serve` runs (`[web] http`): `auto` is httptools (uvicorn's C parser: about 40 % less
    CPU per request than h11, measured with benchmarks/web.py) when it is installed, else h11."""
    if parser == "auto":
        try:
            import httptools  # noqa: F401
        except ImportError:
            parser = "h11"
        else:
            parser = "httptools"
    return PROTOCOLS[parser]


def run(app: str, host: str, port: int, limits: ServeLimits) -> None:
    """Serve the ASGI app `app` (import string) with uvicorn under `limits`; the workers read the limits from
    BAROMETER_* environment variables (ServeLimits.resolve), set here."""
    import uvicorn

    os.environ.update({"BAROMETER_WORKERS": str(limits.workers), "BAROMETER_HEADER_TIMEOUT": str(limits.header_timeout),
                       "BAROMETER_KEEP_ALIVE": str(limits.keep_alive),
                       "BAROMETER_MAX_CONNECTIONS": str(limits.max_connections),
                       "BAROMETER_BACKLOG": str(limits.backlog), "BAROMETER_HTTP": limits.http})
    uvicorn.run(app, host=host, port=port, workers=limits.workers, log_level="warning", proxy_headers=False,
                http=protocol(limits.http), timeout_keep_alive=int(limits.keep_alive),
                backlog=limits.backlog, access_log=False,
                # a worker loading a large release on a busy machine answers the supervisor's ping late: not hung
                timeout_worker_healthcheck=30)
