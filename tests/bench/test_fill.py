"""The benchmark's generated sites: about as many as asked, every one approved, spread over the categories."""
from __future__ import annotations

from sqlalchemy import text

from bench import scale
from bench.scale import fill_sites


def test_generated_sites_are_numbered_one_by_one_and_spread_over_the_categories(db):
    fill_sites(db, 44)
    with db.connect() as connection:
        sites, names, categories, approved = connection.execute(text(
            "SELECT count(*), count(DISTINCT name), count(DISTINCT category_code), "
            "count(*) FILTER (WHERE moderation = 'approved') FROM site")).one()
    # ST_GeneratePoints over the districts' union may fall a point or two short of the count asked.
    assert 40 <= sites <= 44 and names == approved == sites
    assert categories == 11


def test_a_fill_in_several_batches_numbers_on_and_reports_each_batch(db, monkeypatch):
    monkeypatch.setattr(scale, "FILL_BATCH", 20)
    lines: list[str] = []
    scale.fill_sites(db, 50, lines.append)
    with db.connect() as connection:
        sites, names, categories = connection.execute(text(
            "SELECT count(*), count(DISTINCT name), count(DISTINCT category_code) FROM site")).one()
    assert 45 <= sites <= 50 and names == sites and categories == 11
    assert [line.split("|")[1].split(" in ")[0].strip() for line in lines] == [
        "filling: 20 inserted", "filling: 40 inserted", "filling: 50 inserted"]
