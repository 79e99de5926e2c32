"""Writes by role and area, checked by geo.editing and, beneath it, by the database itself."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo import editing
from geo.coordinates import parse_coordinate
from geo.errors import BadParameter, Conflict, Forbidden, InvalidRecord, NotFound
from tests.staffkit import IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, IN_VINH_THONG, make_users, site_input


@pytest.fixture
def users(db):
    return make_users(db)


def run(engine, action, *args):
    with Session(engine) as session, session.begin():
        return action(session, *args)


def counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (connection.execute(text("SELECT count(*) FROM site")).scalar_one(),
                connection.execute(text("SELECT count(*) FROM site_history")).scalar_one())


@pytest.fixture
def approved_site(db, users):
    """A site in Rạch Giá (899) created and so approved by a planner."""
    return run(db, editing.create_site, users["planner"], site_input("Điểm đã duyệt"))


@pytest.mark.parametrize(("who", "where", "moderation"), [
    ("admin", IN_RACH_GIA, "approved"), ("planner", IN_PHU_QUOC, "approved"),
    ("staff_899", IN_RACH_GIA, "submitted"), ("staff_30742", IN_RACH_GIA, "submitted"),
])
def test_create_allowed(db, users, who, where, moderation):
    site = run(db, editing.create_site, users[who], site_input(lon=where[0], lat=where[1]))
    assert site["moderation"] == moderation
    assert counts(db) == (1, 1)


@pytest.mark.parametrize(("who", "where"), [
    ("staff_911", IN_RACH_GIA), ("staff_899", IN_PHU_QUOC), ("staff_30742", IN_VINH_THONG), (None, IN_RACH_GIA),
])
def test_create_refused_outside_area_or_signed_out(db, users, who, where):
    with pytest.raises(Forbidden):
        run(db, editing.create_site, users.get(who), site_input(lon=where[0], lat=where[1]))
    assert counts(db) == (0, 0)


def test_staff_change_to_an_approved_site_waits_and_the_public_keeps_the_old(db, users, approved_site):
    changed = run(db, editing.update_site, users["staff_899"], approved_site["id"],
                  {"name": "Tên mới", "lon": IN_RACH_GIA_2[0], "lat": IN_RACH_GIA_2[1]}, approved_site["version"])
    assert changed["name"] == "Điểm đã duyệt" and changed["pending"]["name"] == "Tên mới"
    assert changed["moderation"] == "approved"
    approved = run(db, editing.approve_site, users["planner"], approved_site["id"], changed["version"])
    assert approved["name"] == "Tên mới" and approved["pending"] is None
    assert round(approved["lon"], 6) == IN_RACH_GIA_2[0]


# Another area's site is refused as a missing one is: district staff cannot probe which ids exist.
@pytest.mark.parametrize(("who", "refusal"), [("staff_911", NotFound), (None, Forbidden)])
def test_edit_and_delete_refused_for_other_area_and_signed_out(db, users, approved_site, who, refusal):
    with pytest.raises(refusal):
        run(db, editing.update_site, users.get(who), approved_site["id"], {"name": "x"}, approved_site["version"])
    with pytest.raises(refusal):
        run(db, editing.delete_site, users.get(who), approved_site["id"], approved_site["version"])
    assert counts(db) == (1, 1)


def test_moving_a_site_out_of_ones_district_is_refused(db, users):
    site = run(db, editing.create_site, users["staff_899"], site_input())
    with pytest.raises(Forbidden) as refused:
        run(db, editing.update_site, users["staff_899"], site["id"],
            {"lon": IN_PHU_QUOC[0], "lat": IN_PHU_QUOC[1]}, site["version"])
    assert refused.value.field == "location"
    assert counts(db) == (1, 1)  # nothing written, no history row either


def test_the_database_refuses_a_crafted_write_that_skips_the_checks(db, users, approved_site):
    """SQL that never went through geo.editing, run as district staff of Phú Quốc, is refused by the trigger."""
    with Session(db) as session:
        session.execute(text("SELECT set_config('scp.actor_unit', '911', true), "
                             "set_config('scp.actor_role', 'district_staff', true)"))
        with pytest.raises(DBAPIError) as refused:
            session.execute(text("UPDATE site SET name = 'chiếm quyền' WHERE id = :id"), {"id": approved_site["id"]})
        assert refused.value.orig.pgcode == "SC010"
        session.rollback()
    with Session(db) as session:
        session.execute(text("SELECT set_config('scp.actor_unit', '899', true), "
                             "set_config('scp.actor_role', 'district_staff', true)"))
        with pytest.raises(DBAPIError) as refused:
            session.execute(text("UPDATE site SET moderation = 'approved' WHERE id = :id"), {"id": 0})
            session.execute(text("""INSERT INTO site (name, category_code, status, geom, plan_task, lead_agency,
                                    source, moderation) VALUES ('tự duyệt', 'solar', 'active',
                                    ST_SetSRID(ST_MakePoint(105.0832, 10.0095), 4326), 'I.1', 'x', 'x', 'approved')"""))
        assert refused.value.orig.pgcode == "SC011"
        session.rollback()


def test_optimistic_locking_refuses_the_second_save(db, users, approved_site):
    run(db, editing.update_site, users["planner"], approved_site["id"], {"name": "Lưu trước"}, approved_site["version"])
    with pytest.raises(Conflict) as conflict:
        run(db, editing.update_site, users["planner"], approved_site["id"], {"name": "Lưu sau"},
            approved_site["version"])
    assert conflict.value.field == "version"
    assert run(db, editing.get_site, approved_site["id"])["name"] == "Lưu trước"


def test_delete_is_soft_and_only_planners_restore(db, users):
    # A site not yet approved is not public: its own district's staff delete it at once.
    submitted = run(db, editing.create_site, users["staff_899"], site_input("Điểm chưa duyệt"))
    deleted = run(db, editing.delete_site, users["staff_899"], submitted["id"], submitted["version"])
    assert deleted["deleted"]
    with pytest.raises(Forbidden):
        run(db, editing.restore_site, users["staff_899"], submitted["id"])
    restored = run(db, editing.restore_site, users["planner"], submitted["id"])
    assert not restored["deleted"]
    history = run(db, editing.site_history, users["planner"], submitted["id"])
    assert [h["action"] for h in history] == ["restore", "delete", "create"]
    assert history[1]["username"] == "staff_899" and history[1]["after"]["deleted"] is True


def test_staff_deletion_of_an_approved_site_waits_for_review(db, users, approved_site):
    asked = run(db, editing.delete_site, users["staff_899"], approved_site["id"], approved_site["version"])
    assert not asked["deleted"] and asked["moderation"] == "approved" and asked["pending"] == {"deleted": True}
    with Session(db) as session:
        assert [item["id"] for item in editing.review_queue(session)] == [approved_site["id"]]
    rejected = run(db, editing.reject_site, users["planner"], approved_site["id"], asked["version"], "còn hoạt động")
    assert not rejected["deleted"] and rejected["pending"] is None
    asked = run(db, editing.delete_site, users["staff_899"], approved_site["id"], rejected["version"])
    approved = run(db, editing.approve_site, users["planner"], approved_site["id"], asked["version"])
    assert approved["deleted"] and approved["pending"] is None
    history = run(db, editing.site_history, users["planner"], approved_site["id"])
    assert [(h["action"], h["username"]) for h in history] == [
        ("delete", "planner"), ("submit_delete", "staff_899"), ("reject", "planner"),
        ("submit_delete", "staff_899"), ("create", "planner")]


def test_only_planners_approve_and_rejection_needs_a_reason(db, users):
    site = run(db, editing.create_site, users["staff_899"], site_input())
    with pytest.raises(Forbidden):
        run(db, editing.approve_site, users["staff_899"], site["id"], site["version"])
    with pytest.raises(BadParameter) as no_reason:
        run(db, editing.reject_site, users["planner"], site["id"], site["version"], "  ")
    assert no_reason.value.field == "reason"
    rejected = run(db, editing.reject_site, users["planner"], site["id"], site["version"], "Thiếu số hộ")
    assert rejected["moderation"] == "rejected" and rejected["review_note"] == "Thiếu số hộ"


def test_history_is_for_signed_in_people_of_the_area(db, users, approved_site):
    with pytest.raises(Forbidden):
        run(db, editing.site_history, None, approved_site["id"])
    with pytest.raises(NotFound):
        run(db, editing.site_history, users["staff_911"], approved_site["id"])
    assert len(run(db, editing.site_history, users["staff_899"], approved_site["id"])) == 1


def test_invalid_input_names_every_field(db, users):
    with pytest.raises(InvalidRecord) as invalid:
        run(db, editing.create_site, users["planner"], site_input(
            name="", lat="91", category="bakery", start_date="31/02/2024", measures={"households": "nhiều"}))
    assert set(invalid.value.errors) == {"name", "lat", "category", "start_date", "measures.households"}
    assert counts(db) == (0, 0)


@pytest.mark.parametrize(("raw", "axis", "expected"), [
    ("10.0125", "lat", 10.0125), ("10,0125", "lat", 10.0125), ("10°00'45\" B", "lat", 10.0125),
    ("10°00′45″N", "lat", 10.0125), ("105°04'50\" Đ", "lon", 105.0805556), ("105 4 50 E", "lon", 105.0805556),
    ("9° 18' N", "lat", 9.3), ("103°28'34\" Đ", "lon", 103.4761111),
])
def test_coordinates_as_written_in_vietnamese_documents(raw, axis, expected):
    assert parse_coordinate(raw, axis) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(("raw", "axis", "words"), [
    ("abc", "lat", "Không đọc được"), ("10°75'", "lat", "nhỏ hơn 60"), ("105°04'50\" Đ", "lat", "trục khác"),
    ("200", "lon", "±180"),
])
def test_bad_coordinates_say_why(raw, axis, words):
    with pytest.raises(BadParameter) as bad:
        parse_coordinate(raw, axis)
    assert bad.value.field == axis and words in str(bad.value)


def test_nul_character_in_a_field_is_named(db, users):
    with pytest.raises(InvalidRecord) as invalid:
        run(db, editing.create_site, users["planner"], site_input(name="a\x00b", measures={"households": "1\x00"}))
    assert {"name", "measures"} <= set(invalid.value.errors)
    assert counts(db) == (0, 0)


def test_fields_of_the_wrong_json_type_are_refused_by_name(db, users):
    with pytest.raises(InvalidRecord) as invalid:
        run(db, editing.create_site, users["planner"], site_input(name=["a"], category={"x": 1}, plan_task=7,
                                                                  measures=[1, 2]))
    assert {"name", "category", "plan_task", "measures"} <= set(invalid.value.errors)


def _as_district_staff(session: Session, unit: str) -> None:
    session.execute(text("SELECT set_config('scp.actor_unit', :unit, true), "
                         "set_config('scp.actor_role', 'district_staff', true)"), {"unit": unit})


@pytest.mark.parametrize(("unit", "sql", "pgcode"), [
    # Publishing a change without review: the approved row itself, not site.pending.
    ("899", "UPDATE site SET name = 'không qua duyệt' WHERE id = :id", "SC012"),
    ("899", "UPDATE site SET moderation = 'rejected' WHERE id = :id", "SC012"),
    # A district staff transaction that names no area has none.
    ("", "UPDATE site SET pending = '{}'::jsonb WHERE id = :id", "SC010"),
])
def test_the_database_keeps_published_sites_for_review(db, users, approved_site, unit, sql, pgcode):
    with Session(db) as session:
        _as_district_staff(session, unit)
        with pytest.raises(DBAPIError) as refused:
            session.execute(text(sql), {"id": approved_site["id"]})
        assert refused.value.orig.pgcode == pgcode
        session.rollback()
    assert run(db, editing.get_site, approved_site["id"])["name"] == "Điểm đã duyệt"


def test_the_database_lets_only_planners_restore(db, users, approved_site):
    run(db, editing.delete_site, users["planner"], approved_site["id"], approved_site["version"])
    with Session(db) as session:
        _as_district_staff(session, "899")
        with pytest.raises(DBAPIError) as refused:
            session.execute(text("UPDATE site SET deleted_at = NULL WHERE id = :id"), {"id": approved_site["id"]})
        assert refused.value.orig.pgcode == "SC013"
        session.rollback()
    assert run(db, editing.get_site, approved_site["id"])["deleted"] is True


def test_district_staff_accounts_need_an_area_in_the_database(db):
    with Session(db) as session:
        with pytest.raises(DBAPIError) as refused:
            session.execute(text("INSERT INTO app_user (username, password_hash, role) "
                                 "VALUES ('khong_dia_ban', 'x', 'district_staff')"))
        assert refused.value.orig.pgcode == "23514"  # check_violation
        session.rollback()


def test_an_actor_without_an_area_matches_no_site(users):
    nowhere = editing.Actor(id=0, username="x", role="district_staff", area_code=None)
    assert not editing.in_area(nowhere, {"district_code": "899", "commune_code": None})


def test_json_numbers_as_coordinates_get_the_same_checks_as_text(db, users):
    with pytest.raises(InvalidRecord) as invalid:
        run(db, editing.create_site, users["planner"], site_input(lon=1000, lat=True, ward_code="30742; DROP"))
    assert set(invalid.value.errors) == {"lon", "lat", "ward_code"}
    site = run(db, editing.create_site, users["planner"], site_input(ward_code="30742"))
    assert (site["lon"], site["lat"], site["ward_code"]) == (*IN_RACH_GIA, "30742")


def test_the_review_queue_shows_a_new_site_whole_and_a_change_by_what_it_changes(db, users, approved_site):
    new = run(db, editing.create_site, users["staff_899"], site_input("Điểm mới của huyện"))
    run(db, editing.update_site, users["staff_899"], approved_site["id"], {"name": "Tên mới"},
        approved_site["version"])
    with Session(db) as session:
        queue = editing.review_queue(session)
    assert [item["id"] for item in queue] == [new["id"], approved_site["id"]]
    assert [item["has_pending"] for item in queue] == [False, True]
    assert [item["submitted_by"] for item in queue] == ["staff_899", "staff_899"]
    whole = {key: (before, after) for key, before, after in queue[0]["changes"]}
    assert whole["name"] == (None, "Điểm mới của huyện") and whole["district_code"] == (None, "899")
    assert whole["measures"] == (None, {"households": 120})
    assert queue[1]["changes"] == [("name", "Điểm đã duyệt", "Tên mới")]
    with Session(db) as session:
        assert editing.queue_length(session) == 2


def test_seed_sites_are_written_with_their_history_row(db, tmp_path):
    from geo.site_store import load_seed_sites

    seeds = tmp_path / "seeds.geojson"
    seeds.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(IN_RACH_GIA)},
         "properties": {**site_input("Điểm mẫu"), "lead_agency": "Sở TN&MT", "is_sample": True, "ref": "KG-1"}}]}),
        encoding="utf-8")
    with Session(db) as session, session.begin():
        assert load_seed_sites(session, seeds) == 1
    with db.connect() as connection:
        row = connection.execute(text("SELECT s.ref, s.moderation, s.is_sample, s.district_code, h.action, h.version "
                                      "FROM site s JOIN site_history h ON h.site_id = s.id")).one()
    assert tuple(row) == ("KG-1", "approved", True, "899", "create", 1)


# --- a pending change cannot vanish; an unchanged save writes nothing ------------------------------------------

def test_a_partial_change_is_laid_on_the_pending_change_and_keeps_it(db, users, approved_site):
    first = run(db, editing.update_site, users["staff_899"], approved_site["id"], {"name": "Tên của A"},
                approved_site["version"])
    second = run(db, editing.update_site, users["staff_899"], approved_site["id"], {"description": "Mô tả của B"},
                 first["version"])
    assert second["name"] == "Điểm đã duyệt"  # the public keeps the approved version meanwhile
    assert (second["pending"]["name"], second["pending"]["description"]) == ("Tên của A", "Mô tả của B")
    with Session(db) as session:
        [item] = editing.review_queue(session)
    assert [key for key, _before, _after in item["changes"]] == ["description", "name"]


def test_a_planners_partial_change_publishes_the_pending_one_and_is_recorded_as_approval(db, users, approved_site):
    pending = run(db, editing.update_site, users["staff_899"], approved_site["id"], {"name": "Tên của A"},
                  approved_site["version"])
    saved = run(db, editing.update_site, users["planner"], approved_site["id"], {"description": "Ghi chú"},
                pending["version"])
    assert (saved["name"], saved["description"], saved["pending"]) == ("Tên của A", "Ghi chú", None)
    history = run(db, editing.site_history, users["planner"], approved_site["id"])
    assert [(h["action"], h["username"]) for h in history] == [
        ("approve", "planner"), ("submit_change", "staff_899"), ("create", "planner")]


def test_a_planners_save_of_a_submitted_site_is_recorded_as_approval(db, users):
    submitted = run(db, editing.create_site, users["staff_899"], site_input("Điểm gửi lên"))
    saved = run(db, editing.update_site, users["planner"], submitted["id"], {}, submitted["version"])
    assert saved["moderation"] == "approved"
    assert run(db, editing.site_history, users["planner"], submitted["id"])[0]["action"] == "approve"


def test_an_edit_of_a_site_whose_deletion_waits_is_refused_and_keeps_the_request(db, users, approved_site):
    asked = run(db, editing.delete_site, users["staff_899"], approved_site["id"], approved_site["version"])
    for who in ("staff_899", "planner"):
        with pytest.raises(Conflict) as refused:
            run(db, editing.update_site, users[who], approved_site["id"], {"name": "x"}, asked["version"])
        assert refused.value.field == "pending"
    assert run(db, editing.get_site, approved_site["id"])["pending"] == {"deleted": True}


@pytest.mark.parametrize("who", ["staff_899", "planner"])
def test_an_unchanged_save_makes_no_review_item_and_no_history_row(db, users, approved_site, who):
    site = run(db, editing.get_site, approved_site["id"])
    # What the form sends back untouched: every field as text.
    form = {key: "" if site[key] is None else str(site[key]) for key in editing.EDITABLE if key != "measures"}
    form["measures"] = {key: str(value) for key, value in site["measures"].items()}
    saved = run(db, editing.update_site, users[who], site["id"], form, site["version"])
    assert saved["version"] == site["version"] and saved["pending"] is None
    assert counts(db) == (1, 1)
    with Session(db) as session:
        assert editing.review_queue(session) == []


def test_an_unchanged_save_over_a_pending_change_keeps_it_as_it_was(db, users, approved_site):
    pending = run(db, editing.update_site, users["staff_899"], approved_site["id"], {"name": "Tên của A"},
                  approved_site["version"])
    again = run(db, editing.update_site, users["staff_899"], approved_site["id"], {"name": "Tên của A"},
                pending["version"])
    assert again["version"] == pending["version"] and counts(db) == (1, 2)
