"""The public map in a real Chromium: the view kept in the URL, popups, the print view, readable clusters, legends."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import screenshot, wait_until
from tests.browser.test_maps import wait_for_sites

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
# The map object Folium names map_<hex>, found in the page (the CSP allows page.evaluate of a function).
MAP = "Object.values(window).find(v => v && v._container && v.getCenter && v.latLngToContainerPoint)"


def new_page(browser, viewport, locale="vi-VN"):
    from tests.browser.conftest import _local_only

    context = browser.new_context(viewport=viewport, locale=locale)
    context.route("**/*", _local_only)
    page = context.new_page()
    page.set_default_timeout(45_000)
    return page


def view_of(page) -> dict:
    return page.evaluate(f"() => {{ const m = {MAP}; const c = m.getCenter(); "
                         "return {lat: c.lat, lon: c.lng, zoom: m.getZoom()}; }")


def checked_base_map(page) -> str:
    return page.evaluate("() => { const r = [...document.querySelectorAll('.leaflet-control-layers-base input')]"
                         ".find(i => i.checked); return r ? r.closest('label').textContent.trim() : ''; }")


def set_view(page, lat: float, lon: float, zoom: int) -> None:
    page.evaluate(f"() => {MAP}.setView([{lat}, {lon}], {zoom}, {{animate: false}})")


def test_a_copied_link_reopens_the_same_view(browser, live_server, seeded):
    page = new_page(browser, DESKTOP)
    page.goto(live_server + "/")
    assert wait_for_sites(page) == 73
    set_view(page, 10.05, 104.02, 11)
    wait_until(page, "location.search.includes('zoom=11')")
    # The base map: the layer control's radio, as a person would pick it.
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-base label", has_text="Nền trống").click()
    wait_until(page, "location.search.includes('basemap=blank')")
    # A filter from the panel: the page reloads with the filter and keeps the view.
    page.select_option("select[name=status]", "active")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**status=active**")
    wait_for_sites(page)
    set_view(page, 10.1, 104.1, 12)
    wait_until(page, "location.search.includes('zoom=12')")
    # A category switched off in the layer box goes into the link as the categories left on.
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text="Điện mặt trời").locator("input").uncheck()
    wait_until(page, "location.search.includes('category=')")
    before, link = view_of(page), page.evaluate("() => location.href")
    query = parse_qs(urlsplit(link).query)
    assert query["status"] == ["active"] and query["basemap"] == ["blank"] and query["lang"] == ["vi"]
    assert "solar" not in query["category"][0] and len(query["category"][0].split(",")) == 10
    assert not page.locator("#filters input[name=category][value=solar]").is_checked()
    assert page.evaluate("() => history.length") <= 3  # the moves rewrote the address, they added no entries

    other = new_page(browser, DESKTOP)
    other.goto(link)
    wait_for_sites(other)
    after = view_of(other)
    assert after["zoom"] == before["zoom"] == 12
    assert abs(after["lat"] - before["lat"]) < 1e-4 and abs(after["lon"] - before["lon"]) < 1e-4
    assert other.locator("select[name=status]").input_value() == "active"
    assert "Nền trống" in checked_base_map(other)
    assert other.locator("#legend li[data-category=solar]").count() == 0
    assert other.locator("#legend li[data-category]").count() == 10
    screenshot(other, "map-view-from-link")
    other.context.close()
    page.context.close()


@pytest.mark.parametrize("query, field", [("lat=999&lon=104", "Vĩ độ"), ("zoom=abc", "Mức thu phóng"),
                                          ("basemap=nope", "Bản đồ nền")])
def test_a_bad_view_in_the_link_is_a_400_naming_the_field(page, live_server, seeded, query, field):
    response = page.goto(live_server + "/?" + query)
    assert response.status == 400
    assert field in page.inner_text("body")


def open_popup_of(page, live_server, name: str) -> str:
    """Zoom to the site called name, click its point and return the popup's text."""
    sites = page.request.get(live_server + "/api/sites?limit=100").json()["features"]
    site = next(f for f in sites if f["properties"]["name"].startswith(name))
    lon, lat = site["geometry"]["coordinates"]
    page.evaluate(f"() => {MAP}.closePopup()")
    set_view(page, lat, lon, 16)
    page.locator(".site-point").first.wait_for()
    point = page.evaluate(f"() => {{ const m = {MAP}; const p = m.latLngToContainerPoint([{lat}, {lon}]);"
                          "const b = m.getContainer().getBoundingClientRect(); return {x: b.left + p.x, y: b.top + p.y}; }")
    page.mouse.click(point["x"], point["y"])
    page.locator(".site-popup .site-name").wait_for()
    assert name in page.inner_text(".site-popup .site-name")
    return page.inner_text(".leaflet-popup-content")


def test_popups_print_years_as_years_and_mau_once(page, live_server, seeded):
    page.goto(live_server + "/?basemap=blank")
    wait_for_sites(page)
    text = open_popup_of(page, live_server, "Khu công nghiệp Thạnh Lộc")
    assert "2022" in text and "2.022" not in text
    heading = text.split("\n")[0]  # the name and its badge
    assert heading.count("mẫu") == 1 and heading.endswith("mẫu")
    assert "250 ha" in text


def test_english_popups_and_counts_speak_english(browser, live_server, seeded):
    page = new_page(browser, DESKTOP, locale="en-GB")
    page.goto(live_server + "/?basemap=blank&lang=en")
    assert wait_for_sites(page) == 73
    assert page.inner_text("#site-count") == "Showing 73 sites"
    text = open_popup_of(page, live_server, "Khu công nghiệp Thạnh Lộc")
    assert "2022" in text and "2,022" not in text
    text = open_popup_of(page, live_server, next(
        f["properties"]["name"] for f in page.request.get(live_server + "/api/sites?limit=100").json()["features"]
        if f["properties"].get("measures", {}).get("households") == 1200))
    assert "1,200 households" in text
    assert "t/month" in text and "tấn" not in text
    one = page.request.get(live_server + "/api/sites?limit=100&category=eco_industrial_park").json()["features"][0]
    page.goto(live_server + f"/?lang=en&basemap=blank&commune={one['properties']['commune_code']}"
              "&category=eco_industrial_park")
    assert wait_for_sites(page) == 1
    assert page.inner_text("#site-count") == "Showing 1 site"
    page.context.close()


def test_the_print_view_shows_the_current_map_with_title_legend_date_and_source(browser, live_server, seeded):
    page = new_page(browser, DESKTOP)
    page.goto(live_server + "/?basemap=blank&category=solar,retail")
    wait_for_sites(page)
    set_view(page, 10.0, 104.5, 10)
    wait_until(page, "document.querySelector('a.print-link').href.includes('zoom=10')")
    with page.context.expect_page() as opened:
        page.click("a.print-link")
    sheet = opened.value
    wait_for_sites(sheet)
    assert view_of(sheet)["zoom"] == 10
    assert abs(view_of(sheet)["lat"] - 10.0) < 1e-3 and abs(view_of(sheet)["lon"] - 104.5) < 1e-3
    assert sheet.inner_text("h1") == "Bản đồ các điểm thực hiện Kế hoạch 135/KH-UBND"
    assert sheet.locator("#legend li[data-category]").count() == 2  # the chosen categories only
    assert sheet.inner_text("#print-date") == datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
    assert "Nguồn" in sheet.inner_text("#print-source") and "gần đúng" in sheet.inner_text("#print-source")
    assert "mẫu" in sheet.inner_text("#print-sample")
    assert sheet.locator("#print-now").is_visible()
    sheet.emulate_media(media="print")
    wait_until(sheet, "!document.getElementById('print-now').offsetParent")
    assert not sheet.locator(".leaflet-control-zoom").is_visible()
    assert not sheet.locator(".leaflet-control-layers").is_visible()
    assert sheet.locator(".print-map .leaflet-container").is_visible()
    # The map is redrawn at the printed page's size, not left at the screen's (its tiles would stop short).
    wait_until(sheet, "(() => { const box = document.querySelector('.print-map .folium-map'), size = window[box.id]"
                      ".getSize(); return size.x === box.clientWidth && size.y === box.clientHeight; })()")
    screenshot(sheet, "print-view")
    page.context.close()


def test_the_print_view_in_english_on_a_phone(browser, live_server, seeded):
    page = new_page(browser, PHONE, locale="en-GB")
    page.goto(live_server + "/print?lang=en&basemap=blank")
    wait_for_sites(page)
    assert "Plan 135" in page.inner_text("h1")
    assert "Source" in page.inner_text("#print-source") and "sample" in page.inner_text("#print-sample")
    assert page.locator("#legend li[data-category]").count() == 11
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".print-map .leaflet-container").bounding_box()["width"] >= 0.9 * PHONE["width"]
    screenshot(page, "print-view-390-en")
    page.context.close()


def test_the_embed_links_to_the_full_map_and_the_print_view_at_its_view(page, live_server, seeded):
    page.goto(live_server + "/embed?basemap=blank&lang=en&category=solar")
    wait_for_sites(page)
    set_view(page, 10.0, 104.6, 10)
    wait_until(page, "document.querySelector('.embed-bar a.print-link').href.includes('zoom=10')")
    for link in page.eval_on_selector_all(".embed-bar a[data-keeps-view]", "els => els.map(a => a.href)"):
        query = parse_qs(urlsplit(link).query)
        assert query["zoom"] == ["10"] and query["lang"] == ["en"] and query["category"] == ["solar"]
        assert query["basemap"] == ["blank"] and abs(float(query["lat"][0]) - 10.0) < 1e-4
    page.goto(page.get_attribute(".embed-bar a.print-link", "href"))
    wait_for_sites(page)
    assert view_of(page)["zoom"] == 10 and "Print" in page.inner_text("#print-now")


LABEL_BOXES = """() => [...document.querySelectorAll('.site-cluster-count')]
    .filter(t => getComputedStyle(t).visibility !== 'hidden' && t.getBoundingClientRect().width > 0)
    .map(t => { const b = t.getBoundingClientRect();
                return {text: t.textContent, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom}; })"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_cluster_numbers_never_overlap_at_the_province_view(browser, live_server, seeded, viewport):
    page = new_page(browser, viewport)
    page.goto(live_server + "/?basemap=blank")
    assert wait_for_sites(page) == 73
    for zoom in (None, 9, 10, 11):
        if zoom is not None:
            set_view(page, 10.0, 104.8, zoom)
        wait_until(page, "document.body.hasAttribute('data-clusters-shown')")
        boxes = page.evaluate(LABEL_BOXES)
        assert boxes, zoom
        assert overlapping(boxes) == [], zoom
        if zoom is None:
            assert sum(int(b["text"]) for b in boxes) == 73  # merged clusters still add up to every site
    screenshot(page, f"clusters-{viewport['width']}")
    page.context.close()


@pytest.mark.parametrize("path", ["/", "/embed"])
@pytest.mark.parametrize("lang, solar", [("vi", "Điện mặt trời"), ("en", "Solar")])
def test_every_public_map_has_a_legend_with_icons_and_colours(page, live_server, seeded, path, lang, solar):
    page.goto(f"{live_server}{path}?lang={lang}&basemap=blank")
    wait_for_sites(page)
    items = page.locator("#legend li[data-category]")
    assert items.count() == 11
    assert items.filter(has_text=solar).count() == 1
    colours = page.eval_on_selector_all("#legend li[data-category] .legend-pin", "els => els.map(e => e.style.background)")
    assert len(set(colours)) == 11 and all(colours)
    assert page.locator("#legend li[data-category] .legend-pin i.fa").count() == 11


def test_embed_zooms_to_the_chosen_district_and_commune(page, live_server, seeded):
    page.goto(live_server + "/embed?basemap=blank")
    wait_for_sites(page)
    province = view_of(page)
    page.goto(live_server + "/embed?basemap=blank&district=899")  # Rạch Giá, a small city
    wait_for_sites(page)
    city = view_of(page)
    assert city["zoom"] >= province["zoom"] + 2
    assert 9.9 < city["lat"] < 10.1 and 105.0 < city["lon"] < 105.2
    page.goto(live_server + "/embed?basemap=blank&district=911")  # Phú Quốc, Thổ Châu included
    wait_for_sites(page)
    island = view_of(page)
    bounds = page.evaluate(f"() => {{ const b = {MAP}.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }}")
    for lat, lon in ((10.22, 103.96), (9.30, 103.48)):  # Dương Đông and Thổ Châu both in view
        assert bounds[0] <= lat <= bounds[2] and bounds[1] <= lon <= bounds[3]
    commune = page.request.get(live_server + "/api/sites?limit=100&district=911").json()["features"][0]
    code = commune["properties"]["commune_code"]
    page.goto(live_server + f"/embed?basemap=blank&commune={code}")
    wait_for_sites(page)
    ward = view_of(page)
    assert ward["zoom"] >= island["zoom"]
    lon, lat = commune["geometry"]["coordinates"]
    bounds = page.evaluate(f"() => {{ const b = {MAP}.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }}")
    assert bounds[0] <= lat <= bounds[2] and bounds[1] <= lon <= bounds[3]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_builder_picks_the_area_on_a_map_and_offers_the_2025_communes(browser, live_server, seeded, viewport):
    page = new_page(browser, viewport)
    page.goto(live_server + "/embed/builder")
    # The preview: this site may always frame its own embed, whatever EMBED_ALLOWED_ORIGINS lists.
    preview = page.frame_locator("#preview")
    preview.locator(".site-point, .site-cluster").first.wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    if viewport is PHONE:  # the picking map and the preview take the phone's width
        for box in (".builder-map .leaflet-container", "#preview"):
            assert page.locator(box).bounding_box()["width"] >= 0.9 * viewport["width"], box
    communes = page.locator("select[name=commune] option:not([value=''])")
    assert communes.count() == 48  # the loaded 2025 communes
    assert page.locator("select[name=commune] option", has_text="Phú Quốc").count() >= 1
    assert page.input_value("input[name=bounds]") == ""  # the first view is the province's, not a choice
    set_view(page, 10.2, 104.0, 11)
    wait_until(page, "document.querySelector('input[name=bounds]').value !== ''")
    west, south, east, north = (float(n) for n in page.input_value("input[name=bounds]").split(","))
    assert west < 104.0 < east and south < 10.2 < north and east - west < 0.5
    area = page.input_value("input[name=bounds]").replace(",", "%2C")
    wait_until(page, f"document.getElementById('preview').getAttribute('src').includes('bounds={area}')")
    assert f"bounds={area}" in page.input_value("#snippet")
    page.select_option("select[name=commune]", index=1)
    code = page.input_value("select[name=commune]")
    wait_until(page, f"document.getElementById('preview').getAttribute('src').includes('commune={code}')")
    assert f"commune={code}" in page.input_value("#snippet")
    assert "bounds=" not in page.input_value("#snippet")  # the commune is the area now
    preview.locator(".leaflet-container").wait_for()
    # The preview reloads at the new address: its document may be empty for a moment.
    wait_until(page, "(d => d && d.body && d.location.search.includes('commune=') && "
                     "d.body.hasAttribute('data-sites-loaded'))(document.getElementById('preview').contentDocument)")
    screenshot(page, f"embed-builder-{viewport['width']}")
    page.context.close()
