"""A response cache in front of the app: a repeated GET costs a dictionary lookup and two ASGI messages.

Responses are immutable for a release (a release never changes), so successful GET responses are kept in the
served release's snapshot keyed by (path, query) — the query carries the language — and die with it when a new
release is published. Only complete 200 responses are stored; errors, static files and the interactive docs
pass through.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from barometer.web.holder import NoRelease, ReleaseHolder

SKIP = ("/static/", "/docs")


class ResponseCache:
    def __init__(self, app: ASGIApp, holder: ReleaseHolder) -> None:
        self.app, self.holder = app, holder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(SKIP):
            await self.app(scope, receive, send)
            return
        try:
            snap = self.holder.get()
        except NoRelease:
            await self.app(scope, receive, send)
            return
        key = ("response", scope["path"], scope["query_string"])
        hit = snap.pages.get(key)
        if hit is not None:
            await send({"type": "http.response.start", "status": 200, "headers": hit[0]})
            await send({"type": "http.response.body", "body": hit[1]})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    release = dict(start["headers"]).get(b"x-barometer-release", b"").decode()
                    if release == snap.id:  # answered from the same release it is filed under
                        snap.pages.put(key, (list(start["headers"]), b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, capture)
