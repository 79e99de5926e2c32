"""The province path of an indicator, built in one statement grouped by year, against the year's own figure."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from geo import figures
from geo.plan import INDICATORS
from tests.geo.test_indicators import sites  # noqa: F401 - the fixture of sites built for the purpose


def test_path_equals_each_years_province_figure(db, sites):  # noqa: F811
    with Session(db) as session:
        for spec in INDICATORS:
            path = figures.province_path(session, spec.code, 2020, 2027)
            assert [p["year"] for p in path] == list(range(2020, 2028))
            for point in path:
                alone = figures.progress(session, spec.code, point["year"], "district")["province"]
                assert (point["value"], point["numerator"], point["denominator"]) == (
                    alone["value"], alone["numerator"], alone["denominator"]), (spec.code, point["year"])
                assert point["progress_status"] == alone["progress_status"]


def test_path_of_a_kind_equals_the_years_figure_of_that_kind(db, sites):  # noqa: F811
    with Session(db) as session:
        path = figures.province_path(session, "gap_farms", 2021, 2025, sector="VietGAP")
        assert [p["value"] for p in path] == [
            figures.progress(session, "gap_farms", y, "district", sector="VietGAP")["province"]["value"]
            for y in range(2021, 2026)]
        assert path[-1]["value"] == 1


def test_summary_reads_every_computed_indicator_in_one_statement_whatever_the_years(db, sites):  # noqa: F811
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db, "before_cursor_execute", seen)
    try:
        with Session(db) as session:
            figures.summary(session, 2030)
    finally:
        event.remove(db, "before_cursor_execute", seen)
    path_statements = [s for s in statements if "generate_series" in s]
    assert len(path_statements) == 1
    assert sum("indicator_value" in s for s in statements) == 1  # every year's hand-entered values at once
    assert not any("FROM site s" in s and "generate_series" not in s for s in statements)
