"""Headers every response carries: who may frame a page, and no content-type guessing."""
from __future__ import annotations

from flask import Flask, Response, request


def init_app(app: Flask) -> None:
    """Framing rules: /embed only by the configured origins, every other page by none."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        if request.path == "/embed":
            origins = " ".join(app.config.get("EMBED_ALLOWED_ORIGINS", [])) or "'none'"
            response.headers["Content-Security-Policy"] = f"frame-ancestors {origins}"
            response.headers.pop("X-Frame-Options", None)
        else:
            response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
            response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
