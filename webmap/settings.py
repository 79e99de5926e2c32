"""The app's settings: one table (SETTINGS) of every setting with its default and its check, read through one
checker by production (the environment) and by the tests (a mapping given to create_app).

A value may come as the environment gives it (text) or typed (a number, true/false, a list of origins, None for
unset): a typed value is first written as the environment would write it, so both take the same check.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """A missing or malformed setting; the message names it."""


def _text(name: str, raw: str) -> str:
    return raw


def _optional(name: str, raw: str) -> str | None:
    return raw or None


def _whole(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _positive(name: str, raw: str) -> int:
    value = _whole(name, raw)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1")
    return value


def _port(name: str, raw: str) -> int:
    value = _positive(name, raw)
    if value > 65535:
        raise ConfigError(f"{name} must be a port number up to 65535, got {value}")
    return value


def _bool(name: str, raw: str) -> bool:
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _postgresql_url(name: str, raw: str) -> str:
    if not raw:
        raise ConfigError(f"{name} is not set: a postgresql:// URL of a PostGIS database "
                          "(scripts/serve and scripts/test set one up when it is unset)")
    if not raw.startswith("postgresql"):
        raise ConfigError(f"{name} must start with postgresql://, got {raw.split(':')[0]}://")
    return raw


def _optional_postgresql_url(name: str, raw: str) -> str | None:
    return _postgresql_url(name, raw) if raw else None


def _secret(name: str, raw: str) -> str:
    if len(raw) < 16:
        raise ConfigError(f"{name} must be set to a random string of at least 16 characters")
    return raw


def _origins(name: str, raw: str) -> list[str]:
    origins = [o.rstrip("/") for o in raw.split()]
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ConfigError(f"{name}: {origin!r} is not an origin like https://portal.example.vn")
    return origins


@dataclass(frozen=True)
class Setting:
    """One setting: its default as the environment would write it (None: it must be set, its check says so)."""

    default: str | None
    check: Callable[[str, str], Any]


# Every setting of the app, its server and its command line, with its default: the one place a default is written.
SETTINGS: dict[str, Setting] = {
    "DATABASE_URL": Setting(None, _postgresql_url),
    "SECRET_KEY": Setting(None, _secret),
    # A streaming replica for the public reads (see webmap.db); unset, everything reads DATABASE_URL.
    "DATABASE_REPLICA_URL": Setting("", _optional_postgresql_url),
    "EMBED_ALLOWED_ORIGINS": Setting("", _origins),
    "EMBED_CACHE_SECONDS": Setting("300", _whole),
    # How long a shared cache (nginx) may keep a vector tile; browsers keep it a minute and revalidate.
    "TILE_CACHE_SECONDS": Setting("300", _whole),
    "SESSION_COOKIE_SECURE": Setting("true", _bool),
    "TILE_URL": Setting("", _optional),
    # The staff's bulk import: the most rows read from a file, and its largest size in bytes.
    "IMPORT_MAX_ROWS": Setting("2000", _positive),
    "IMPORT_MAX_BYTES": Setting(str(5 * 1024 * 1024), _positive),
    # The bulk import is the largest upload; a district office's list is far below this.
    "MAX_CONTENT_LENGTH": Setting(str(10 * 1024 * 1024), _whole),
    # A site Feature nests four deep (measures inside properties); 32 leaves room and stops a 50 000-deep body.
    "MAX_JSON_DEPTH": Setting("32", _whole),
    # gunicorn (deploy/gunicorn.conf.py): where it listens and its pool of gthread workers.
    "HOST": Setting("127.0.0.1", _text),
    "PORT": Setting("5000", _port),
    "WEB_WORKERS": Setting("2", _positive),
    "WEB_THREADS": Setting("8", _positive),
    # How many proxies (nginx) stand in front, whose X-Forwarded-For/-Proto/-Host are believed (0: none, the
    # socket's address is the visitor's). Set it only where clients cannot reach gunicorn directly.
    "TRUSTED_PROXIES": Setting("0", _whole),
}

# Flask's and Flask-WTF's switches a test may set beside the settings (production never sets them).
TEST_SWITCHES = ("TESTING", "WTF_CSRF_ENABLED")


def _as_environment_text(name: str, value: Any) -> str:
    """A value as the environment would give it: typed values written out, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    if isinstance(value, str):
        return value.strip()
    raise ConfigError(f"{name} must be text, a whole number, true or false, or a list of text; "
                      f"got a {type(value).__name__}")


def read(values: Mapping[str, Any], names: Iterable[str] = SETTINGS) -> dict[str, Any]:
    """The settings of names read from values, each checked, a missing or blank one taking its default."""
    out = {}
    for name in names:
        setting = SETTINGS[name]
        out[name] = setting.check(name, _as_environment_text(name, values.get(name)) or (setting.default or ""))
    return out


def _app_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting read from values, and what follows from them, checked together."""
    settings = read(values)
    # The fields of one form (its files apart): the import preview's and the review queue's choices for thousands
    # of rows fit well within a third more than the largest import file (Flask's own cap is 500 kB).
    settings["MAX_FORM_MEMORY_SIZE"] = max(500_000, settings["IMPORT_MAX_BYTES"] * 4 // 3 + 65_536)
    if settings["MAX_CONTENT_LENGTH"] < settings["MAX_FORM_MEMORY_SIZE"]:
        raise ConfigError(f"MAX_CONTENT_LENGTH must be at least {settings['MAX_FORM_MEMORY_SIZE']} bytes, the form "
                          "size that follows from IMPORT_MAX_BYTES")
    return settings


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The app's settings read from the environment; raises ConfigError naming a bad one."""
    return _app_settings(os.environ if environ is None else environ)


def from_mapping(config: Mapping[str, Any]) -> dict[str, Any]:
    """The app's settings read from a test's mapping by the environment's checker, with the test's switches;
    a name that is neither a setting nor a switch is refused, naming it."""
    unknown = sorted(set(config) - set(SETTINGS) - set(TEST_SWITCHES))
    if unknown:
        raise ConfigError(f"unknown setting {', '.join(unknown)}: the settings are {', '.join(SETTINGS)}"
                          f" (and, in tests, {', '.join(TEST_SWITCHES)})")
    switches = {name: _bool(name, _as_environment_text(name, config[name])) for name in TEST_SWITCHES if name in config}
    return {**_app_settings(config), **switches}


def database_url(environ: Mapping[str, str] | None = None, *, name: str = "DATABASE_URL") -> str:
    """The URL of the database in the variable name (DATABASE_URL, TEST_DATABASE_URL…), checked."""
    return _postgresql_url(name, (os.environ if environ is None else environ).get(name, "").strip())


# What gunicorn needs before the app is built (deploy/gunicorn.conf.py, scripts/serve).
SERVER = ("HOST", "PORT", "WEB_WORKERS", "WEB_THREADS")


def server(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """HOST, PORT, WEB_WORKERS and WEB_THREADS read from the environment, checked."""
    return read(os.environ if environ is None else environ, SERVER)

