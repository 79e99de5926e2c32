"""The one reader of numbers, dates and coordinates: by the page's or the file's locale, never guessing."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from geo.errors import BadParameter
from geo.reading import TWO_WAYS, Unreadable, file_locale, read_coordinate, read_date, read_number, read_whole


@pytest.mark.parametrize(("typed", "locale", "number"), [
    ("1.350", "vi", Decimal(1350)), ("1.350", "en", Decimal("1.350")), ("12,5", "vi", Decimal("12.5")),
    ("1.234,5", "vi", Decimal("1234.5")), ("1,234.5", "en", Decimal("1234.5")), ("12.5", None, Decimal("12.5")),
    ("12,5", None, Decimal("12.5")), ("1 200", "vi", Decimal(1200)), (7, None, Decimal(7)), (2.5, "vi", Decimal("2.5")),
])
def test_a_number_is_read_by_its_locale(typed, locale, number):
    assert read_number(typed, locale) == number


@pytest.mark.parametrize("typed", ["1.350", "1,200", "12.500"])
def test_a_number_that_reads_two_ways_with_no_locale_is_refused_with_both_readings(typed):
    with pytest.raises(Unreadable) as doubt:
        read_number(typed)
    assert doubt.value.reason == TWO_WAYS and {"vi", "en"} <= set(doubt.value.params)


@pytest.mark.parametrize(("typed", "locale"), [("1.5", "vi"), ("1,5", "en"), ("abc", None), ("NaN", None),
                                               ("1e309", None), (float("inf"), None), (True, None)])
def test_what_is_no_number_that_way_is_refused_saying_so(typed, locale):
    with pytest.raises(Unreadable):
        read_number(typed, locale)


def test_a_count_is_whole():
    assert read_whole("1.350", "vi") == 1350
    assert read_whole(Decimal("30"), None) == 30
    with pytest.raises(Unreadable, match="số nguyên"):
        read_whole("12,5", "vi")


def test_empty_reads_as_none():
    assert read_number("  ") is None and read_whole(None) is None and read_date("") is None


@pytest.mark.parametrize(("typed", "day"), [
    ("01/03/2024", dt.date(2024, 3, 1)), ("2024-03-01", dt.date(2024, 3, 1)), ("1-3-2024", dt.date(2024, 3, 1)),
    (dt.datetime(2024, 3, 1, 8, 30), dt.date(2024, 3, 1)), (dt.date(2024, 3, 1), dt.date(2024, 3, 1)),
    ("2024-03-01 00:00:00", dt.date(2024, 3, 1)), (45352, dt.date(2024, 3, 1)), ("45352", dt.date(2024, 3, 1)),
])
def test_a_date_is_read_as_offices_write_it(typed, day):
    assert read_date(typed) == day


@pytest.mark.parametrize("typed", ["31/02/2024", "March 2024", 12, 3.5])
def test_a_date_that_is_none_is_refused(typed):
    with pytest.raises(Unreadable, match="dd/mm/yyyy"):
        read_date(typed)


@pytest.mark.parametrize(("typed", "axis", "value"), [
    ("10,0125", "lat", 10.0125), ("105.08", "lon", 105.08), (105.083232, "lon", 105.083232),
    ("10°00'45\" B", "lat", 10.0125)])
def test_a_coordinate_takes_a_point_or_a_comma(typed, axis, value):
    assert read_coordinate(typed, axis) == pytest.approx(value)


def test_a_coordinate_out_of_range_is_refused_naming_its_axis():
    with pytest.raises(BadParameter) as refused:
        read_coordinate(105.1, "lat")
    assert refused.value.field == "lat"


@pytest.mark.parametrize(("separator", "texts", "locale"), [(";", [], "vi"), (",", [], "en"), (None, ["2,5"], "vi"),
                                                            (None, ["2.5"], "en"), (None, ["1.200"], None),
                                                            (None, ["2,5", "2.5"], None)])
def test_a_files_locale_is_what_its_own_writing_says(separator, texts, locale):
    assert file_locale(separator, texts) == locale
