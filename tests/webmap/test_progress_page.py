"""/progress in words a reader knows: legend classes a value falls in once, plain descriptions with no field
names, the figures of another year as JSON for the slider, and the hand-entered indicator as a chart."""
from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy.orm import Session

from geo.catalogue import MEASURES
from geo.plan import INDICATORS
from geo.site_store import insert_site
from tests.sitedata import site
from tests.webmap.test_maps import DUONG_DONG, HA_TIEN, RACH_GIA, TAN_HIEP, read_csv, sites  # noqa: F401
from webmap.progress import classify
from webmap.progress_view import colour_of

# A field name on a page: a key with an underscore, or, in Vietnamese, a key quoted as "(households)".
KEYS = {*MEASURES, "eco_packaging", "solar_kind"}
FIELD_NAMES = sorted({k for k in KEYS if "_" in k} | {"= true", "= có"}, key=len)
QUOTED_KEYS = sorted(f"({k})" for k in KEYS)


def holds(item, value) -> bool:
    above_low = value > item["low"] if item["low_open"] else value >= item["low"]
    return above_low and value <= item["high"]


@pytest.mark.parametrize("values", [
    [0, 1, 2, 2, 3, 4, 5, 9, 12, None],          # counts: "1–2" must not be followed by "2–3"
    [1, 2, 3, 4, 5, 6, 7, 8],
    [0.5, 1.25, 2.0, 2.0, 3.75, 10.5, 11.0],     # sums with fractions
    [70.0, 85.5, 100.0, 0.0],                    # shares
    [7, 7, 7],
    [0, 0],
])
def test_every_value_falls_in_exactly_one_legend_class(app, values):
    with app.test_request_context("/progress"):
        classes = classify(values)
    present = [v for v in values if v is not None]
    for value in present:
        containing = [c for c in classes if holds(c, value)]
        assert len(containing) == 1, (value, classes)
        assert colour_of(value, classes) == containing[0]["colour"]
    labels = [c["label"] for c in classes]
    assert len(labels) == len(set(labels))
    for before, after in zip(classes, classes[1:]):
        assert before["high"] < after["low"] or (after["low_open"] and before["high"] == after["low"])


def test_count_classes_are_whole_numbers_that_do_not_touch(app):
    with app.test_request_context("/progress"):
        labels = [c["label"] for c in classify([1, 2, 3, 4, 5, 6, 7, 8, 20, 21])]
    for label in labels:
        assert re.fullmatch(r"\d+(–\d+)?", label), labels
    bounds = [tuple(int(n) for n in label.split("–")) for label in labels]
    for before, after in zip(bounds, bounds[1:]):
        assert after[0] == before[-1] + 1


def test_fraction_classes_say_where_a_boundary_belongs(app):
    with app.test_request_context("/progress?lang=en"):
        labels = [c["label"] for c in classify([0.5, 1.5, 2.0, 7.25, 9.0, 30.5])]
    assert labels[0].count("–") == 1 and all(label.startswith("over ") for label in labels[1:])


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_field_name_is_shown_and_each_figure_is_described(client, sites, lang):
    for figure in ["sites", *(spec.code for spec in INDICATORS)]:
        page = client.get(f"/progress?figure={figure}&year=2024&lang={lang}").data.decode()
        text = visible_text(page)
        shown = [name for name in FIELD_NAMES + (QUOTED_KEYS if lang == "vi" else []) if name in text]
        assert shown == [], (figure, shown)
        description = re.search(r'<p class="notice-small" id="figure-description">([^<]+)</p>', page).group(1)
        spec = next((s for s in INDICATORS if s.code == figure), None)
        if spec:
            assert html_lib.unescape(description) == (spec.plain_en if lang == "en" else spec.plain_vi)
        assert description.strip().endswith(".") and description.count(". ") == 0


def test_indicator_names_differ_from_the_site_measures(client):
    names = {spec.name_vi for spec in INDICATORS} | {spec.name_en for spec in INDICATORS}
    measures = {label for label_vi, label_en, _ in MEASURES.values() for label in (label_vi, label_en)}
    assert names.isdisjoint(measures)
    assert len({spec.name_vi for spec in INDICATORS}) == len({spec.name_en for spec in INDICATORS}) == len(INDICATORS)


def test_the_json_of_another_year_matches_that_year_s_table(client, sites):
    state = client.get("/progress.json?figure=waste_sorting_households&year=2022&level=district").get_json()
    csv_rows = {r["Mã đơn vị"]: r["Giá trị"] for r in read_csv(
        client.get("/progress.csv?figure=waste_sorting_households&year=2022&level=district"))}
    units = {u["code"]: u for u in state["units"]}
    assert state["year"] == 2022 and len(units) == 15
    assert units["899"]["value_text"] == "1.200" and csv_rows["899"] == "1200"
    assert units["911"]["value_text"] == "2.100" and units["904"]["value_text"] == "—"
    assert "year=2022" in units["899"]["link"] and "unit=899" in units["899"]["link"]
    assert state["title"].endswith("— 2022") and state["summary_heading"].endswith("2022 so với chỉ tiêu")
    colours = {item["colour"] for item in state["legend"]}
    assert units["899"]["colour"] in colours and units["904"]["colour"] in colours
    assert "2022" in state["links"]["report_xlsx"] and "year=2022" in state["links"]["csv"]


@pytest.mark.parametrize("query", ["figure=sites&level=district", "figure=sites&level=commune",
                                   "figure=waste_sorting_households&level=district"])
def test_the_legend_keeps_its_classes_while_the_years_play(client, sites, query):
    # A colour means the same in every year: the slider's legend does not change under the reader's eyes, and
    # every year's values fall in it.
    states = {year: client.get(f"/progress.json?{query}&year={year}&lang=en").get_json() for year in (2021, 2025, 2030)}
    legends = {year: [(item["colour"], item["label"]) for item in state["legend"]] for year, state in states.items()}
    assert legends[2021] == legends[2025] == legends[2030] and len(legends[2021]) >= 3
    assert "the same for every year 2021–2030" in states[2021]["legend_heading"]
    for state in states.values():
        assert {unit["colour"] for unit in state["units"]} <= {colour for colour, _ in legends[2021]}
    # The years differ (sites start and end), so a legend of one year's values alone would not have held them all.
    assert len({tuple(u["value_text"] for u in state["units"]) for state in states.values()}) > 1


def test_a_hand_entered_indicator_is_a_chart_of_its_sectors_not_a_map(client, sites):
    page = client.get("/progress?figure=material_fuel_cut&year=2025&lang=en").data.decode()
    assert 'class="folium-map"' not in page and 'id="sector-chart"' in page
    labels = re.findall(r'<span class="bar-label">([^<]+)</span>', page)
    assert labels == ["Textile and leather", "Cement", "Beverages", "Seafood processing"]
    assert "Target for the year: 5–8 %" in page


@pytest.mark.parametrize(("query", "field"), [("year=abc", "year"), ("figure=nope", "figure"), ("level=xx", "level")])
def test_a_bad_query_of_the_sliders_json_is_a_json_400_naming_the_field(client, query, field):
    # The year slider reads this answer as JSON: an error page in HTML would leave it with nothing to show.
    response = client.get(f"/progress.json?{query}&lang=en")
    assert response.status_code == 400 and response.is_json
    assert field in response.get_data(as_text=True)
