"""What keeps the map pages quick on a phone: no script that blocks the page, nothing they do not use (jQuery,
Bootstrap, Font Awesome's font), the icons of / and /embed from a few SVGs, and static files browsers may keep a
year."""
from __future__ import annotations

import re

import pytest

from webmap import assets
from webmap.caching import STATIC_MAX_AGE

SITE_PAGES = ["/", "/embed", "/embed?category=solar,retail&lang=en"]
# Every public page with a map; the staff's site form is checked in tests/webmap/test_staff_pages.py.
MAP_PAGES = [*SITE_PAGES, "/progress", "/progress?figure=solar_kwp&level=commune&lang=en"]


def _head(page: str) -> str:
    return page.split("</head>", 1)[0]


@pytest.mark.parametrize("path", MAP_PAGES)
def test_no_script_in_the_head_blocks_the_page(client, path):
    head = _head(client.get(path).data.decode())
    files = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", head)
    assert len(files) >= 4, "Leaflet, the full-screen control and the page's own scripts load from the head"
    assert [tag for tag in files if not re.search(r"\s(defer|async)\b", tag)] == []
    # The map's own script is inline at the end of the body: without Leaflet yet, it waits for the deferred files.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", head)


@pytest.mark.parametrize("path", MAP_PAGES)
def test_the_map_script_waits_for_the_deferred_files_and_keeps_the_nonce(client, path):
    response = client.get(path)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.data.decode()
    script = re.search(r'<script nonce="([^"]+)">(.*?)</script>', page, re.DOTALL)
    assert script.group(1) == nonce
    code = script.group(2)
    assert code.startswith('document.addEventListener("DOMContentLoaded", function () {')
    name = re.search(r'class="folium-map" id="(map_\w+)"', page).group(1)
    assert f"var {name} = L.map(" in code and f"window.{name} = {name};" in code
    assert code.index("L_NO_TOUCH") < code.index("L.map(")
    # Built once the page is painted, so the title, legend and count show before the map's work; then it says so.
    assert code.index('getEntriesByName("first-contentful-paint")') < code.index("L.map(")
    assert code.index(f"window.{name} = {name};") < code.index('dispatchEvent(new Event("scp:map-ready"))')


@pytest.mark.parametrize("path", MAP_PAGES)
def test_one_viewport_that_lets_a_phone_zoom(client, path):
    head = _head(client.get(path).data.decode())
    viewports = re.findall(r'<meta name="viewport"[^>]*>', head)
    assert len(viewports) == 1 and "user-scalable=no" not in viewports[0] and "maximum-scale" not in viewports[0]


@pytest.mark.parametrize("path", ["/?district=899", "/embed?district=899", "/embed/builder?district=899"])
def test_the_chosen_unit_is_fitted_before_any_tile_is_asked(client, path):
    page = client.get(path).data.decode()
    code = re.search(r'<script nonce="[^"]+">(.*?)</script>', page, re.DOTALL).group(1)
    fit = code.index(".fitBounds(")
    assert code.index("L.map(") < fit < code.index("L.tileLayer(")
    assert code[fit:code.index(";", fit)].endswith('{"animate": false})')


@pytest.mark.parametrize("path", MAP_PAGES)
def test_nothing_the_page_does_not_use(client, path):
    page = client.get(path).data.decode()
    asked = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert asked, "the page loads its files from the app"
    unused = ("jquery", "bootstrap", "fontawesome", "awesome-markers")
    assert [url for url in asked if any(word in url for word in unused)] == []


@pytest.mark.parametrize("path", SITE_PAGES)
def test_every_icon_on_the_page_has_its_drawing(client, path):
    page = client.get(path).data.decode()
    head, body = page.split("</head>", 1)
    shown = set(re.findall(r'class="fa fa-([a-z0-9-]+)"', body))
    assert len(shown) >= 2
    assert {name for name in shown if f".fa-{name}{{--fa-svg:url(\"data:image/svg+xml," not in head} == set()


def test_icons_by_their_older_names_too():
    css = assets.icon_css(("home", "cogs", "leaf"))
    # "home" and "cogs" are older names of "house" and "gears": drawn from those icons' SVG.
    house = assets.icon_css(("house",)).split(".fa-house{", 1)[1]
    assert css.split(".fa-home{", 1)[1].split("\n")[0] == house.split("\n")[0]
    assert ".fa-cogs{" in css and ".fa-leaf{" in css and "CC BY 4.0" in css
    assert "<!--" not in css and '"data:image/svg+xml,%3Csvg' in css


@pytest.mark.parametrize("name", ["no-such-icon", "leaf}body{display:none", ""])
def test_an_unknown_icon_is_refused(name):
    with pytest.raises(ValueError):
        assets.icon_css((name,))


def test_static_files_have_versioned_urls_kept_a_year(client):
    page = client.get("/embed").data.decode()
    urls = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css)[^"]*)"', page)
    assert urls and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in urls), urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == f"public, max-age={STATIC_MAX_AGE}, immutable", url


def test_an_unversioned_or_stale_static_url_is_checked_again(client):
    assert "max-age" not in client.get("/static/sites.js").headers.get("Cache-Control", "")
    stale = client.get("/static/sites.js?v=000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_version(tmp_path):
    from webmap.caching import file_version

    path = tmp_path / "a.js"
    path.write_text("var a = 1;")
    first = file_version(path)
    path.write_text("var a = 22;")
    assert file_version(path) != first and file_version(tmp_path / "missing.js") is None
