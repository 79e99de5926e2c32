"""A site record's closed lists, text limits and impossible values, refused by name before anything is written."""
from __future__ import annotations

import pytest

from geo.errors import InvalidRecord
from geo.site_record import validate_site
from tests.staffkit import site_input

SOLAR = {"category": "solar", "plan_task": "I.1", "measures": {"kwp": 50}}
FARM = {"category": "organic_farm", "plan_task": "II.9", "measures": {"hectares": 3}}


def refused_fields(data: dict) -> dict[str, str]:
    with pytest.raises(InvalidRecord) as invalid:
        validate_site(data)
    return {field: reason % params if params else reason for field, (reason, params) in invalid.value.errors.items()}


@pytest.mark.parametrize(("base", "key", "typed"), [
    (SOLAR, "solar_kind", "áp mái"), (SOLAR, "solar_kind", "Rooftop "), (FARM, "certification", "hữu cơ"),
    (FARM, "certification", "vietgap")])
def test_free_text_for_a_closed_list_is_refused_by_name(base, key, typed):
    data = site_input(**{**base, "measures": {**base["measures"], key: typed}})
    errors = refused_fields(data)
    assert list(errors) == [f"measures.{key}"] and typed in errors[f"measures.{key}"]


@pytest.mark.parametrize(("base", "key", "code"), [(SOLAR, "solar_kind", "floating"),
                                                   (FARM, "certification", "sustainable_aquaculture")])
def test_a_code_of_the_list_is_kept(base, key, code):
    assert validate_site(site_input(**{**base, "measures": {**base["measures"], key: code}}))["measures"][key] == code


def test_the_plan_task_must_be_one_of_the_categorys():
    errors = refused_fields(site_input(category="solar", plan_task="VI.2", measures={}))
    assert list(errors) == ["plan_task"] and "I.1, VI.5" in errors["plan_task"]


@pytest.mark.parametrize(("field", "limit"), [("name", 200), ("name_en", 200), ("address", 500),
                                              ("description", 5000), ("source", 500), ("lead_agency", 200)])
def test_text_longer_than_its_limit_is_refused_by_name(field, limit):
    assert validate_site(site_input(**{field: "x" * limit}))[field] == "x" * limit
    errors = refused_fields(site_input(**{field: "x" * (limit + 1)}))
    assert list(errors) == [field] and str(limit) in errors[field]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "NaN", "Infinity", "1e309", True])
def test_impossible_numbers_in_measures_are_refused_by_name(value):
    assert list(refused_fields(site_input(measures={"households": value}))) == ["measures.households"]


@pytest.mark.parametrize("field", ["name", "description", "source"])
def test_a_lone_surrogate_in_text_is_refused_by_name(field):
    assert list(refused_fields(site_input(**{field: "Điểm \ud800 lạ"}))) == [field]


def test_a_lone_surrogate_in_a_measure_is_refused_by_name():
    assert "measures" in refused_fields(site_input(measures={"households\udc00": 1}))


# --- numbers that arrive as text (the JSON API), read by geo.reading with no locale ---------------------------

def test_a_count_as_text_that_reads_two_ways_is_refused_not_guessed():
    errors = refused_fields(site_input(measures={"households": "1.350"}))
    assert list(errors) == ["measures.households"] and "hai cách" in errors["measures.households"]


def test_a_count_must_be_whole_and_an_amount_may_have_a_decimal_comma():
    assert "số nguyên" in refused_fields(site_input(measures={"households": "12,5"}))["measures.households"]
    record = validate_site(site_input(measures={"households": "1350", "tonnes_sorted_per_month": "12,5"}))
    assert record["measures"] == {"households": 1350, "tonnes_sorted_per_month": 12.5}


def test_status_defaults_to_the_forms_and_the_task_to_the_categorys_own():
    record = validate_site({**site_input(category="solar", measures={}), "status": "", "plan_task": ""})
    assert (record["status"], record["plan_task"]) == ("active", "I.1")
    errors = refused_fields({**site_input(), "category": "", "plan_task": ""})
    assert errors["category"] == "Thiếu loại điểm" and errors["plan_task"] == "Thiếu nhiệm vụ của kế hoạch"
