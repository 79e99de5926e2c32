"""/progress in Chromium at a phone's 390×844 and a laptop's 1366×768: the year slider redraws the map, legend
and URL without reloading; the whole province is in view; full screen; the panel is a drawer on a phone."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from geo import manual_values
from geo.catalogue import PROVINCE_CODE

from tests.browser.conftest import screenshot, wait_until
from tests.browser.test_pages_layout import LAPTOP, PHONE, SIZES, map_width, no_sideways_scroll, open_page  # noqa: F401

pytestmark = pytest.mark.browser

FILLS = "Array.from(document.querySelectorAll('path.leaflet-interactive')).map(e => e.getAttribute('fill'))"
MAP = "window[document.querySelector('.folium-map').id]"


def legend_classes(page) -> list[str]:
    return [t.strip() for t in page.locator("#progress-legend .legend-label").all_inner_texts()]


def whole_number_classes_do_not_overlap(labels: list[str]) -> bool:
    bounds = [tuple(int(n.replace(".", "")) for n in label.split("–")) for label in labels
              if re.fullmatch(r"[\d.]+(–[\d.]+)?", label)]
    return all(after[0] > before[-1] for before, after in zip(bounds, bounds[1:]))


@SIZES
def test_the_slider_moves_the_map_legend_and_url_to_another_year(open_page, live_server, seeded, size):
    page = open_page(size)
    page.goto(live_server + "/progress?figure=sites&year=2025&level=district")
    page.wait_for_selector("path.leaflet-interactive")
    assert no_sideways_scroll(page)
    before, legend_before = page.evaluate(FILLS), legend_classes(page)
    assert whole_number_classes_do_not_overlap(legend_before), legend_before
    if size is PHONE:
        assert map_width(page) >= 0.9 * size["width"]
        page.click(".panel-toggle")
        assert page.locator("#panel").is_visible()
    page.evaluate("window.sameDocument = true")
    page.locator("#year-range").fill("2021")
    wait_until(page, "document.documentElement.dataset.year === '2021'")
    assert page.evaluate("window.sameDocument === true")  # redrawn in place, not reloaded
    assert "year=2021" in page.url and page.locator("#year-shown").inner_text() == "2021"
    assert page.locator("#figure-title").inner_text().endswith("2021")
    assert page.input_value("#year-select") == "2021" and page.locator("#map-year").inner_text() == "2021"
    assert page.evaluate(FILLS) != before
    assert whole_number_classes_do_not_overlap(legend_classes(page))
    assert "2021" in page.locator("#summary-heading").inner_text()
    screenshot(page, f"progress-slider-{size['width']}")
    if size is PHONE:
        page.click(".panel-close")
        page.locator("#panel").wait_for(state="hidden")
    if size is LAPTOP:  # the tooltip of a district tells its 2021 figure, as the table does
        point = page.evaluate("""() => {
            const config = JSON.parse(document.getElementById('progress-config').textContent);
            const map = window[config.map];
            let centre = null;
            window[config.layer].eachLayer(l => { if (l.feature.properties.code === '904') centre = l.getCenter(); });
            const p = map.latLngToContainerPoint(centre), box = map.getContainer().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""")
        page.mouse.move(point["x"], point["y"])
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for()
        value = page.locator('#progress-table tr[data-code="904"] td.num').inner_text()
        assert "Tân Hiệp" in tooltip.inner_text() and value in tooltip.inner_text()
    # The link of a district now asks for 2021 too.
    assert "year=2021" in page.locator("#progress-table tbody tr a").first.get_attribute("href")


def test_play_runs_through_the_years_and_pause_stops(open_page, live_server, seeded):
    page = open_page(LAPTOP)
    page.goto(live_server + "/progress?figure=sites&year=2028&level=district")
    page.wait_for_selector("path.leaflet-interactive")
    page.click("#year-play")
    assert page.get_attribute("#year-play", "aria-pressed") == "true"
    wait_until(page, "document.documentElement.dataset.year === '2030'", timeout_ms=10_000)
    wait_until(page, "document.getElementById('year-play').getAttribute('aria-pressed') === 'false'")
    assert "year=2030" in page.url
    page.click("#year-play")  # at the last year, play starts again from 2021
    wait_until(page, "document.documentElement.dataset.year === '2021'")
    page.click("#year-play")
    assert page.get_attribute("#year-play", "aria-pressed") == "false"


@SIZES
@pytest.mark.parametrize("query", ["figure=scp_awareness_share&year=2025", "figure=sites&year=2027"],
                         ids=["districts", "communes"])
def test_the_whole_province_is_in_view_and_the_map_goes_full_screen(open_page, live_server, seeded, size, query):
    page = open_page(size)
    page.goto(f"{live_server}/progress?{query}")
    page.wait_for_selector("path.leaflet-interactive")
    layer = "window[JSON.parse(document.getElementById('progress-config').textContent).layer]"
    assert page.evaluate(f"{MAP}.getBounds().contains({layer}.getBounds())")
    west, east = page.evaluate(f"(() => {{ const b = {MAP}.getBounds(); return [b.getWest(), b.getEast()]; }})()")
    assert west < 103.9 and east > 105.4  # Phú Quốc and the eastern districts (Giồng Riềng, Vĩnh Thuận)
    assert page.locator(".folium-map #map-year").is_visible()  # the year stays on the map at full screen
    page.click(".leaflet-control-zoom-fullscreen")
    wait_until(page, "document.fullscreenElement === document.querySelector('.folium-map')")
    box = page.locator(".folium-map").bounding_box()
    assert box["width"] == size["width"] and box["height"] == size["height"]
    assert page.locator("#map-year").is_visible()
    page.click(".leaflet-control-zoom-fullscreen")
    wait_until(page, "document.fullscreenElement === null")
    assert no_sideways_scroll(page)
    screenshot(page, f"progress-province-{query[7:12]}-{size['width']}")


def test_a_hand_entered_indicator_is_drawn_as_a_chart_by_sector(open_page, live_server, seeded, db):
    with Session(db) as session, session.begin():
        for year, sector, value in ((2025, "cement", 6.0), (2025, "beverages", 3.0), (2030, "cement", 9.0)):
            manual_values.record_manual_value(session, "material_fuel_cut", PROVINCE_CODE, year, value,
                                              sector=sector, reported_by=None)
    page = open_page(PHONE)
    page.goto(live_server + "/progress?figure=material_fuel_cut&year=2025&lang=en")
    chart = page.locator("#sector-chart")
    assert chart.is_visible() and page.locator(".folium-map").count() == 0
    assert chart.locator(".bar-label").all_inner_texts() == ["Textile and leather", "Cement", "Beverages",
                                                             "Seafood processing"]
    assert chart.locator(".bar-value").all_inner_texts() == ["—", "6", "3", "—"]
    widths = "Array.from(document.querySelectorAll('#sector-chart .bar')).map(b => b.getBoundingClientRect().width)"
    before = page.evaluate(widths)
    assert before[1] == pytest.approx(2 * before[2], rel=0.05) and before[0] == 0
    assert no_sideways_scroll(page)
    screenshot(page, "progress-chart-390")
    page.click(".panel-toggle")
    page.locator("#year-range").fill("2030")
    wait_until(page, "document.documentElement.dataset.year === '2030'")
    page.click(".panel-close")
    assert "7–10 %" in chart.inner_text() and "— 2030 — whole province, by sector (%)" in chart.inner_text()
    assert chart.locator(".bar-value").all_inner_texts() == ["—", "9", "—", "—"]
    assert page.evaluate(widths)[2] == 0
    screenshot(page, "progress-chart-390-2030")


def test_without_javascript_the_year_is_chosen_with_the_select(open_page, live_server, seeded):
    page = open_page(LAPTOP, java_script_enabled=False)
    page.goto(live_server + "/progress?figure=sites&year=2025")
    assert page.locator("#year-player").is_hidden()
    page.select_option("#year-select", "2022")
    page.click("#progress-form button[type=submit]")
    page.wait_for_url("**year=2022**")
    assert page.locator("#figure-title").inner_text().endswith("2022")
    assert page.locator("#progress-table tbody tr").count() == 15


INSIDE = """([inner, outer]) => {
    const a = document.querySelector(inner).getBoundingClientRect(), b = document.querySelector(outer).getBoundingClientRect();
    return a.width > 0 && a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
}"""
# The boxes of the map's controls that the open popup overlaps (none when it is placed clear of them).
UNDER_CONTROLS = """() => {
    const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
    return [...document.querySelectorAll('.leaflet-control')].map(c => [c.className, c.getBoundingClientRect()])
      .filter(([, c]) => c.width && c.left < p.right && p.left < c.right && c.top < p.bottom && p.top < c.bottom)
      .map(([name]) => name);
}"""


def unit_centre(page, code: str) -> dict[str, float]:
    """Where unit code's shape is on the screen: the middle of its polygon's label point, in page pixels."""
    return page.evaluate("""(code) => {
        const config = JSON.parse(document.getElementById('progress-config').textContent);
        const map = window[config.map];
        let centre = null;
        window[config.layer].eachLayer(l => { if (l.feature.properties.code === code) centre = l.getCenter(); });
        const p = map.latLngToContainerPoint(centre), box = map.getContainer().getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""", code)


def test_on_a_phone_the_map_names_the_chosen_figure_its_legend_and_a_tapped_district(open_page, live_server,
                                                                                    seeded):
    page = open_page(PHONE, has_touch=True, is_mobile=True)
    page.goto(live_server + "/progress?year=2025&level=district")
    page.wait_for_selector(".map-key .legend-label")
    page.click(".panel-toggle")
    with page.expect_navigation():
        page.select_option("#progress-form select[name=figure]", "scp_awareness_share")
    name = page.locator("#progress-form select[name=figure] option:checked").inner_text().strip()
    key = page.locator(".map-key")
    key.wait_for()
    assert page.evaluate(INSIDE, [".map-key", ".folium-map"])  # drawn on the map, the panel closed
    assert key.locator(".map-key-name").inner_text() == name
    assert "%" in key.locator(".map-key-heading").inner_text()  # the figure's unit
    sidebar_legend = page.locator("#progress-legend .legend-label")  # hidden in the closed panel: its text
    assert key.locator(".legend-label").all_inner_texts() == sidebar_legend.all_text_contents()
    colours = "(boxes) => boxes.map(b => getComputedStyle(b).backgroundColor)"
    assert key.locator(".legend-box").evaluate_all(colours) == \
        page.locator("#progress-legend .legend-box").evaluate_all(colours)
    # A district with a value this year (the rows are in the closed panel: their text).
    rows = page.locator("#progress-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.code, r.querySelector('a').textContent, "
        "r.querySelector('.num').textContent, r.querySelector('.status').textContent])")
    code, unit, value, status = next(row for row in rows if row[2] != "—")
    point = unit_centre(page, code)
    page.touchscreen.tap(point["x"], point["y"])
    popup = page.locator(".leaflet-popup .unit-popup")
    popup.wait_for()
    assert popup.locator(".unit-popup-name").inner_text() == unit
    assert f"Giá trị 2025: {value} %" in popup.inner_text() and status and status in popup.inner_text()
    assert "Chỉ tiêu của năm" in popup.inner_text()
    wait_until(page, f"!{MAP}._panAnim || !{MAP}._panAnim._inProgress")  # panned clear of the controls
    assert page.evaluate(INSIDE, [".leaflet-popup", ".folium-map"])
    assert page.evaluate(UNDER_CONTROLS) == []
    page.locator(".leaflet-tooltip").wait_for(state="detached", timeout=5_000)  # the box only, under the finger
    screenshot(page, "progress-phone-unit-popup")
    # Another year: the box closes (it told 2025's value) and the legend on the map follows.
    page.click(".panel-toggle")
    page.locator("#year-range").fill("2022")
    wait_until(page, "document.documentElement.dataset.year === '2022'")
    page.locator(".leaflet-popup").wait_for(state="detached")  # after its fade
    assert key.locator(".legend-label").all_inner_texts() == sidebar_legend.all_text_contents()
