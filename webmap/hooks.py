"""Headers every response carries: the Content-Security-Policy (with a per-request nonce), framing, referrer,
no content-type guessing, HSTS over HTTPS, and no caching of staff pages.

Styles keep 'unsafe-inline': Folium writes <style> blocks into every map page and Leaflet, branca's legends and
the templates use style attributes (a legend swatch's colour); a nonce cannot cover attributes, and a nonce in
style-src would make browsers ignore 'unsafe-inline'. Scripts are strict: files from this site, and inline code
only with the request's nonce.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

# Inline event handlers the templates still use (<select onchange="this.form.submit()">, the staff list's delete
# confirmation, the report's print button): allowed by their hash alone ('unsafe-hashes'), so no other handler
# text runs. Moving them into static scripts would let this list go.
EVENT_HANDLERS = ("this.form.submit()", "return confirm(this.dataset.ask)", "window.print()")


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def csp_nonce() -> str:
    """This request's nonce for inline scripts, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str, frame_ancestors: str, tile_url: str | None) -> str:
    """The policy of a page: scripts from this site or carrying the nonce; images also from tile servers."""
    # Base-map tiles come from several hosts (and {s} subdomains); a province server may lack TLS.
    tiles = "https: http:" if tile_url and urlsplit(tile_url).scheme == "http" else "https:"
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-hashes' {' '.join(_sha256(h) for h in EVENT_HANDLERS)}",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def init_app(app: Flask) -> None:
    """Register the nonce for templates and the headers of every response."""

    @app.context_processor
    def nonce() -> dict[str, str]:
        return {"csp_nonce": csp_nonce()}

    @app.after_request
    def security_headers(response: Response) -> Response:
        if request.path == "/embed":
            # The portal's origins, and this site itself for the embed builder's preview.
            ancestors = " ".join(["'self'", *app.config.get("EMBED_ALLOWED_ORIGINS", [])])
            response.headers.pop("X-Frame-Options", None)
        else:
            ancestors = "'none'"
            response.headers["X-Frame-Options"] = "DENY"
        if response.status_code != 304:
            # A 304's headers replace the cached ones: a fresh nonce there would no longer match the cached page.
            response.headers["Content-Security-Policy"] = content_security_policy(
                csp_nonce(), ancestors, app.config.get("TILE_URL"))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith("/staff"):
            # Staff pages show unpublished sites and accounts: no browser or proxy may keep them.
            response.headers["Cache-Control"] = "no-store"
        return response
