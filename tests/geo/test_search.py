"""Search over published sites and unit names, accents ignored; the extent a map zooms to."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from geo import search
from geo.errors import BadParameter
from geo.site_store import insert_site
from tests.sitedata import HA_TIEN, PHU_QUOC_DUONG_DONG, RACH_GIA, site


@pytest.fixture
def sites(db):
    with Session(db) as session, session.begin():
        insert_site(session, site("Tổ phân loại rác Vĩnh Thanh Vân", *RACH_GIA, address="Đường Lâm Quang Ky"))
        insert_site(session, site("Điện mặt trời chợ Hà Tiên", *HA_TIEN, address="Phường Đông Hồ"))
        insert_site(session, site("Bản nháp Vĩnh Thanh Vân", *RACH_GIA, moderation="draft"))
    return db


def names(db, q: str) -> list[str]:
    with Session(db) as session:
        return [r["name"] for r in search.search(session, q)]


def test_typing_without_accents_finds_the_site_and_the_ward(sites):
    found = names(sites, "Vinh Thanh Van")
    assert "Tổ phân loại rác Vĩnh Thanh Vân" in found
    assert "Phường Vĩnh Thanh Vân" in found          # the ward of 2009–2025
    assert "Bản nháp Vĩnh Thanh Vân" not in found     # a draft is not public


def test_an_address_and_a_district_are_found(sites):
    assert names(sites, "lam quang ky") == ["Tổ phân loại rác Vĩnh Thanh Vân"]
    with Session(sites) as session:
        found = search.search(session, "phu quoc")
    district = [r for r in found if r["kind"] == "district"]
    assert district and district[0]["code"] == "911"
    (south, west), (north, east) = district[0]["bounds"]
    assert south < 10.2 < north and west < 104.0 < east


def test_a_query_of_one_letter_is_refused_by_name(sites):
    with Session(sites) as session, pytest.raises(BadParameter) as refused:
        search.search(session, " v ")
    assert refused.value.field == "q"


def test_the_province_bounds_hold_phu_quoc_and_tho_chau(db):
    with Session(db) as session:
        (south, west), (north, east) = search.unit_bounds(session)
        assert south < 9.3 and west < 103.6 and north > 10.4 and east > 105.3
        (s, w), (n, e) = search.unit_bounds(session, "899")
        assert s < RACH_GIA[1] < n and w < RACH_GIA[0] < e



def test_every_word_is_found_across_name_category_and_district(db):
    with Session(db) as session, session.begin():
        village = {"category": "craft_village", "plan_task": "II.4"}
        insert_site(session, site("Nước mắm Dương Đông", *PHU_QUOC_DUONG_DONG, **village))
        insert_site(session, site("Nón lá Vĩnh Thanh Vân", *RACH_GIA, **village))
        insert_site(session, site("Chợ Dương Đông", 103.963, 10.219))
    # "làng nghề" names the first site's category and "Phú Quốc" its district; each word alone finds more.
    assert names(db, "làng nghề Phú Quốc") == ["Nước mắm Dương Đông"]
    assert names(db, "lang nghe phu quoc") == ["Nước mắm Dương Đông"]
    assert {"Nước mắm Dương Đông", "Nón lá Vĩnh Thanh Vân"} <= set(names(db, "làng nghề"))
    assert "Chợ Dương Đông" in names(db, "Dương Đông Phú Quốc")


def test_a_ward_is_found_by_its_name_and_its_districts(db):
    found = names(db, "Dương Tơ Phú Quốc")
    assert found[0] == "Xã Dương Tơ"
