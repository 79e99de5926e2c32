"""Languages: Vietnamese by default, English one click away; the choice is kept in the URL or a cookie."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import Babel

from webmap import labels

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"
# Where clients of a standard (GDAL, QGIS, OWSLib) ask for a language by Accept-Language and expect it honoured.
# Pages do not: a browser set up in English would otherwise hide the Vietnamese the province's staff expect.
ACCEPT_LANGUAGE_PATHS = ("/ogc",)


def select_locale() -> str:
    """?lang= wins, then the cookie, then Accept-Language on the OGC API, then Vietnamese."""
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    if request.path.startswith(ACCEPT_LANGUAGE_PATHS):
        return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and remember a language chosen in the URL."""
    # One catalogue (domain) per area of the app, so each area keeps its own .po file.
    directory = Path(app.root_path) / "translations"
    domains = sorted({po.stem for po in directory.glob("*/LC_MESSAGES/*.po")}) or ["messages"]
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT_LANGUAGE,
          default_domain=";".join(domains),
          default_translation_directories=";".join(str(directory) for _ in domains))

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        # The public embed is cached by the portal's proxy: it answers by its URL alone and sets no cookie.
        if request.path.startswith("/embed") and not request.path.startswith("/embed/builder"):
            return response
        if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                                secure=app.config.get("SESSION_COOKIE_SECURE", True))
        return response

    app.add_template_filter(labels.moment, "moment")

    @app.template_filter("merge_lang")
    def merge_lang(args: dict[str, str], code: str) -> str:
        """The query string of this page with the language replaced: a view keeps its filters."""
        return urlencode({**args, "lang": code})

    @app.context_processor
    def language_helpers():
        return {"current_language": select_locale(), "languages": LANGUAGES}
