"""What keeps the site from being used against its visitors: redirects that stay on the site, and the security
headers on every response.

Redirects are relative paths built here, never from the Host header and never scheme-relative (`//host`, which a
browser follows to another site). The headers forbid framing, MIME sniffing and everything the pages do not
need: the pages use the site's own stylesheet and inline SVG charts, with no scripts, so the content security
policy allows only `'self'` for styles, images and forms, and nothing else. docs/web.md lists the headers.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import quote

from starlette.routing import Match, Mount, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The pages' policy: their own stylesheet, inline SVG and the favicon; no scripts, no plugins, no framing.
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
_SAFE_PATH = "/!$&'()*+,;=:@-._~%"


def local_path(path: str) -> str:
    """`path` as a Location on this site: percent-encoded (a tab, newline or backslash that a browser would drop
    or read as `/` cannot survive) and starting with exactly one slash (`//evil.example` would leave the site)."""
    return "/" + quote(path, safe=_SAFE_PATH).lstrip("/")


def style_csp(html: str) -> str:
    """The page policy widened by the hashes of the document's own `<style>` blocks (the report HTML carries
    its stylesheet inline, so it is also a self-contained file), still without 'unsafe-inline'."""
    hashes = [base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
              for block in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S)]
    sources = " ".join(f"'sha256-{h}'" for h in hashes)
    return PAGE_CSP.replace("style-src 'self'", f"style-src 'self' {sources}" if sources else "style-src 'self'")


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response (pages, API, errors, static files, cached answers) unless the
    route set its own value (the report HTML and the API docs widen the policy for what they need)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(k).lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in present]
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, with_headers)


def relative_slash_redirects(router: Router) -> None:
    """Starlette's own trailing-slash redirect builds an absolute URL from the Host header (`/kommune/851/` →
    `http://<any host>/kommune/851`) and redirects into mounts (`/static` → `/static/`, itself a 404). This
    one answers with a relative path, and only for routes."""
    router.redirect_slashes = False
    fallback = router.default

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and path not in ("", "/"):
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            for route in router.routes:
                if not isinstance(route, Mount) and route.matches(dict(scope, path=other))[0] is not Match.NONE:
                    query = scope.get("query_string", b"").decode("latin-1")
                    location = local_path(other) + (f"?{query}" if query else "")
                    await _redirect(location, send)
                    return
        await fallback(scope, receive, send)

    router.default = default


async def _redirect(location: str, send: Any) -> None:
    await send({"type": "http.response.start", "status": 307,
                "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
