"""How many SQL statements a page costs: /progress reads the units once and calls geo/ once; a warm tile is one
statement: its filters are checked against the units held in memory, the data version is read with the tile."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import event

from tests.geo.test_tiles import tile_of
from tests.sitedata import RACH_GIA
from tests.webmap.test_maps import sites  # noqa: F401

PROGRESS_MOST = 8
TILE_MOST = 1


@contextmanager
def counting(app) -> Iterator[list[str]]:
    """The statements the app's engine runs inside the block."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def cost(app, client, url: str) -> list[str]:
    """The statements of a request for url once the app has served it before (its units and layout read)."""
    assert client.get(url).status_code in (200, 204)
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code in (200, 204), url
    return statements


@pytest.mark.parametrize("url", ["/progress?figure=solar_kwp", "/progress", "/progress?figure=waste_sorting_pilots",
                                 "/progress?figure=scp_awareness_share&year=2024&level=commune",
                                 "/progress?figure=material_fuel_cut"])
def test_progress_reads_the_database_a_few_times(app, client, sites, url):  # noqa: F811
    statements = cost(app, client, url)
    assert len(statements) <= PROGRESS_MOST, "\n\n".join(statements)
    # The units and the province's name are read once per data version, not once a year of the legend.
    assert sum("FROM admin_unit ORDER BY" in s for s in statements) <= 1


def test_a_filtered_tile_is_one_statement(app, client, sites):  # noqa: F811
    z, x, y = tile_of(*RACH_GIA, 14)
    url = f"/tiles/sites/{z}/{x}/{y}.pbf?district=899&category=waste_sorting&commune=30742"
    statements = cost(app, client, url)
    assert len(statements) == TILE_MOST, "\n\n".join(statements)
    assert not any("admin_unit" in s for s in statements)


def test_a_tile_the_client_holds_is_a_304_in_one_statement_without_the_tile(app, client, sites):  # noqa: F811
    url = "/tiles/sites/{}/{}/{}.pbf?district=899".format(*tile_of(*RACH_GIA, 6))
    first = client.get(url)
    assert first.status_code == 200 and first.data
    with counting(app) as statements:
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert len(statements) == 1, "\n\n".join(statements)


def test_a_moved_data_version_reads_the_units_once_for_a_good_unit(app, client, sites):  # noqa: F811
    url = "/tiles/sites/{}/{}/{}.pbf?district=899".format(*tile_of(*RACH_GIA, 6))
    before = client.get(url)
    with app.extensions["engine"].begin() as connection:
        connection.exec_driver_sql("UPDATE data_version SET version = version + 1")
    with counting(app) as statements:
        after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    # The old ETag names the old version: the new tile is sent, with the same sites and a new ETag.
    assert after.status_code == 200 and after.data == before.data
    assert after.headers["ETag"] != before.headers["ETag"]
    assert sum("FROM admin_unit" in s for s in statements) == 1
    assert len(statements) == 2, "\n\n".join(statements)


def test_a_new_data_version_reads_the_units_again_and_a_bad_unit_is_still_named(app, client, sites):  # noqa: F811
    z, x, y = tile_of(*RACH_GIA, 6)
    assert client.get(f"/tiles/sites/{z}/{x}/{y}.pbf?district=899").status_code == 200
    with app.extensions["engine"].begin() as connection:
        connection.exec_driver_sql("UPDATE data_version SET version = version + 1")
    with counting(app) as statements:
        response = client.get(f"/tiles/sites/{z}/{x}/{y}.pbf?district=999")
    assert response.status_code == 400 and "district" in response.get_data(as_text=True)
    assert sum("FROM admin_unit" in s for s in statements) == 1
