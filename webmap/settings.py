"""Configuration from environment variables, checked at start-up."""
from __future__ import annotations

import os
from typing import Any, Mapping
from urllib.parse import urlsplit


# What create_app uses when neither the environment nor a test's config says otherwise.
DEFAULTS: dict[str, Any] = {
    "EMBED_ALLOWED_ORIGINS": [],
    "EMBED_CACHE_SECONDS": 300,
    "TILE_URL": None,
    # The bulk import is the largest upload; a district office's list is far below this.
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    # A site Feature nests four deep (measures inside properties); 32 leaves room and stops a 50 000-deep body.
    "MAX_JSON_DEPTH": 32,
}


class ConfigError(RuntimeError):
    """A missing or malformed setting; the message names it."""


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _origins(name: str, raw: str) -> list[str]:
    origins = [o.strip().rstrip("/") for o in raw.split() if o.strip()]
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ConfigError(f"{name}: {origin!r} is not an origin like https://portal.example.vn")
    return origins


def database_url(environ: Mapping[str, str] | None = None, *, name: str = "DATABASE_URL") -> str:
    """The URL of the database in the variable name, checked; raises ConfigError naming it."""
    env = os.environ if environ is None else environ
    url = env.get(name, "").strip()
    if not url:
        raise ConfigError(f"{name} is not set: a postgresql:// URL of a PostGIS database "
                          "(scripts/serve and scripts/test set one up when it is unset)")
    if not url.startswith("postgresql"):
        raise ConfigError(f"{name} must start with postgresql://, got {url.split(':')[0]}://")
    return url


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The app's settings read from the environment; raises ConfigError naming a bad one."""
    env = os.environ if environ is None else environ
    url = database_url(env)
    secret = env.get("SECRET_KEY", "")
    if len(secret) < 16:
        raise ConfigError("SECRET_KEY must be set to a random string of at least 16 characters")
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "EMBED_ALLOWED_ORIGINS": _origins("EMBED_ALLOWED_ORIGINS", env.get("EMBED_ALLOWED_ORIGINS", "")),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env.get("SESSION_COOKIE_SECURE", "true")),
        "EMBED_CACHE_SECONDS": _int("EMBED_CACHE_SECONDS", env.get("EMBED_CACHE_SECONDS", "300")),
        "TILE_URL": env.get("TILE_URL", "").strip() or None,
        **import_limits(env),
        **scale(env),
        **{name: _int(name, env.get(name, str(DEFAULTS[name]))) for name in ("MAX_CONTENT_LENGTH", "MAX_JSON_DEPTH")},
    }
    if settings["MAX_CONTENT_LENGTH"] < settings["MAX_FORM_MEMORY_SIZE"]:
        raise ConfigError(f"MAX_CONTENT_LENGTH must be at least {settings['MAX_FORM_MEMORY_SIZE']} bytes: the bulk "
                          "import's confirm step sends an IMPORT_MAX_BYTES file back in one form")
    return settings


# The staff's bulk import: the most rows read from a file, and its largest size in bytes.
IMPORT_DEFAULTS = {"IMPORT_MAX_ROWS": 2000, "IMPORT_MAX_BYTES": 5 * 1024 * 1024}


def import_limits(env: Mapping[str, str]) -> dict[str, int]:
    """IMPORT_MAX_ROWS and IMPORT_MAX_BYTES, checked, and the form size the import's confirm step needs."""
    limits = {name: _int(name, env.get(name, str(default))) for name, default in IMPORT_DEFAULTS.items()}
    for name, value in limits.items():
        if value < 1:
            raise ConfigError(f"{name} must be at least 1")
    # The confirm step sends the file back base64-encoded in one form field (Flask's default cap is 500 kB).
    limits["MAX_FORM_MEMORY_SIZE"] = max(500_000, limits["IMPORT_MAX_BYTES"] * 4 // 3 + 65_536)
    return limits


# Past one server: a streaming replica for the public reads, the gunicorn worker pool (deploy/), and how many
# proxies (nginx) stand in front, whose X-Forwarded-For/-Proto/-Host are believed (0: none, the socket's address).
def scale(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """DATABASE_REPLICA_URL (None when unset), WEB_WORKERS, WEB_THREADS and TRUSTED_PROXIES, checked."""
    env = os.environ if environ is None else environ
    replica = database_url(env, name="DATABASE_REPLICA_URL") if env.get("DATABASE_REPLICA_URL", "").strip() else None
    sizes = {name: _int(name, env.get(name, default)) for name, default in (("WEB_WORKERS", "2"), ("WEB_THREADS", "8"))}
    for name, value in sizes.items():
        if value < 1:
            raise ConfigError(f"{name} must be at least 1")
    return {"DATABASE_REPLICA_URL": replica, **sizes,
            "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", env.get("TRUSTED_PROXIES", "0"))}


def _int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value
