"""The benchmark's generated sites: about as many as asked, every one approved, spread over the categories."""
from __future__ import annotations

from sqlalchemy import text

from webmap.benchmark import fill_sites


def test_generated_sites_are_numbered_one_by_one_and_spread_over_the_categories(db):
    fill_sites(db, 44)
    with db.connect() as connection:
        sites, names, categories, approved = connection.execute(text(
            "SELECT count(*), count(DISTINCT name), count(DISTINCT category_code), "
            "count(*) FILTER (WHERE moderation = 'approved') FROM site")).one()
    # ST_GeneratePoints over the districts' union may fall a point or two short of the count asked.
    assert 40 <= sites <= 44 and names == approved == sites
    assert categories == 11
