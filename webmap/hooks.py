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

# Public reads another site's page may fetch (a portal's MapLibre map, a GIS tool in a browser): the tiles and
# their TileJSON, the read API (sites, boundaries, indicators, search, its OpenAPI document), OGC API, the year
# slider's figures. None of them reads a session, so any origin may read them, without credentials.
CORS_PATHS = ("/tiles/", "/ogc", "/api/sites", "/api/districts", "/api/communes", "/api/indicators",
              "/api/progress", "/api/search", "/api/openapi.json", "/progress.json")
CORS_METHODS = ("GET", "HEAD")
# What a cross-origin script may read besides the simple headers: paging, revalidation, the CRS of an answer.
CORS_EXPOSED = "ETag, Link, Content-Crs, Content-Language, X-Total-Count"
CORS_MAX_AGE = 24 * 3600


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
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def public_read(path: str, method: str, requested_method: str | None) -> bool:
    """Whether a request (or the preflight of one) reads something public that any origin may fetch."""
    if method == "OPTIONS":
        method = requested_method or ""
    return method in CORS_METHODS and path.startswith(CORS_PATHS)


def cors_headers(response: Response) -> None:
    """Access-Control-* on public reads: any origin, no credentials; a preflight learns the methods allowed."""
    if not public_read(request.path, request.method, request.headers.get("Access-Control-Request-Method")):
        return
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ", ".join((*CORS_METHODS, "OPTIONS"))
        asked = request.headers.get("Access-Control-Request-Headers")
        if asked:
            # Reads carry no credentials, so the headers a client asks to send change nothing it may see.
            response.headers["Access-Control-Allow-Headers"] = asked
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)


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
        cors_headers(response)
        if request.path.startswith("/staff"):
            # Staff pages show unpublished sites and accounts: no browser or proxy may keep them.
            response.headers["Cache-Control"] = "no-store"
        return response
