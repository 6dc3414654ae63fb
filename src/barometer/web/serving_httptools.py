"""The header timeout and connection cap (serving.py) on uvicorn's httptools protocol (the C parser)."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from barometer.web.serving import HeaderGuard


class GuardedHttpToolsProtocol(HeaderGuard, HttpToolsProtocol):
    """httptools calls on_message_begin at a request's first byte and on_headers_complete after its headers."""

    def on_message_begin(self) -> None:
        self._headers_begin()
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._headers_done()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)
