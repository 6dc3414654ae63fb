"""A response cache in front of the app: a repeated GET costs a dictionary lookup and two ASGI messages.

Responses are immutable for a release (a release never changes), so successful GET responses are kept in the
served release's snapshot keyed by (path, query) — the query carries the language — and die with it when a new
release is published. The query is first reduced to the parameters that some route reads (others are dropped
before the app sees them), so junk parameters cannot multiply the entries; the cache is bounded by bytes
(settings.py), not by a count. Only complete 200 responses are stored; errors, static files and the interactive docs
pass through, and so do the downloads (pages_downloads.py). Text bodies are also kept gzip-compressed (once,
when stored) and sent so to clients that accept gzip, as browsers do: a municipality page shrinks from ~35 kB
to ~5 kB. Compressing happens in a worker thread after the answer has been sent (zlib lets go of the GIL), so a
large first answer does not stall the event loop and the other clients; an answer larger than an eighth of the
cache's budget is not buffered at all (streamed answers stay streamed: the whole release's observations).
"""

from __future__ import annotations

import gzip
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from barometer.web.holder import NoRelease, ReleaseHolder

# downloads: the page changes as bundles are built; zips stream
SKIP = ("/static/", "/swagger-ui/", "/docs", "/downloads")
COMPRESSIBLE = (b"text/", b"application/json")
MIN_COMPRESS = 1024


def _worth_compressing(headers: list[tuple[bytes, bytes]], body: bytes) -> bool:
    return len(body) >= MIN_COMPRESS and dict(headers).get(b"content-type", b"").startswith(COMPRESSIBLE)


def _compressed(headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    rest = [(k, v) for k, v in headers if k not in (b"content-length", b"vary")]
    return [*rest, (b"content-length", str(len(packed)).encode()), (b"content-encoding", b"gzip"),
            (b"vary", b"Accept-Encoding")], packed


def _accepts_gzip(scope: Scope) -> bool:
    return any(k == b"accept-encoding" and b"gzip" in v for k, v in scope["headers"])


def canonical_query(raw: bytes, known: frozenset[str]) -> bytes:
    """The query with only the parameters some route reads (`known`), in their order, `lang` in lower case:
    `?q=1`, `?q=2` … are all the unfiltered call, one cache entry, and the app never sees the junk."""
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    kept = [(k, v.strip().lower() if k == "lang" else v) for k, v in pairs if k in known]
    return urlencode(kept).encode("latin-1")


class ResponseCache:
    """`known` names every query parameter a page or API route reads (app.py collects them; Ctx refuses to read
    any other), so dropping the rest can never change an answer."""

    def __init__(self, app: ASGIApp, holder: ReleaseHolder, known: frozenset[str]) -> None:
        self.app, self.holder, self.known = app, holder, known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(SKIP):
            await self.app(scope, receive, send)
            return
        scope = dict(scope, query_string=canonical_query(scope["query_string"], self.known))
        try:
            snap = self.holder.get()
        except NoRelease:
            await self.app(scope, receive, send)
            return
        key = ("response", scope["path"], scope["query_string"])
        hit = snap.pages.get(key)
        if hit is not None:
            headers, body = hit[1] if hit[1] is not None and _accepts_gzip(scope) else hit[0]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size, limit = 0, entry_limit(snap.pages.max_bytes)
        done: list[tuple[list[tuple[bytes, bytes]], bytes]] = []

        async def capture(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and size <= limit:
                body = message.get("body", b"")
                size += len(body)
                chunks.append(body)
                if size > limit:
                    chunks.clear()  # too large to keep: passed on as it comes, never held whole
                elif not message.get("more_body") and start.get("status") == 200:
                    headers = [(bytes(k), bytes(v)) for k, v in start["headers"]]
                    release = dict(headers).get(b"x-barometer-release", b"").decode()
                    if release == snap.id:  # answered from the same release it is filed under
                        done.append((headers, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, capture)
        if done:  # the client has its answer; compress it off the event loop, then keep both versions
            headers, body = done[0]
            vary = [(b"vary", b"Accept-Encoding")]
            plain = ([(k, v) for k, v in headers if k != b"vary"] + vary, body)
            # a small answer (one observation: some hundred bytes) is kept as it is, without a thread's round trip
            packed = await run_in_threadpool(_compressed, headers, body) if _worth_compressing(headers, body) else None
            snap.pages.put(key, (plain, packed))


def entry_limit(max_bytes: int | None) -> int:
    """The largest answer the cache buffers to keep: an eighth of its budget, so one answer cannot evict most
    others (and the plain and compressed bodies of it fit together)."""
    return (max_bytes if max_bytes is not None else 2**62) // 8
