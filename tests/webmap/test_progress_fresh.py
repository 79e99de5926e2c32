"""/progress and /api/progress/summary show a change to the sites or a hand-entered value at once (the figures
are kept by the database, never a stale copy)."""
from __future__ import annotations

from tests.staffkit import (IN_RACH_GIA, api, csrf_token, feature, sign_in, tokens, users)  # noqa: F401

PAGE = "/progress?figure=waste_sorting_households&year=2025"


def summary_of(client, code: str) -> dict:
    body = client.get("/api/progress/summary?year=2025").get_json()
    return next(item for item in body["indicators"] if item["code"] == code)


def households(client) -> tuple[float | None, int | None]:
    """The province's households in the pilots (2025) and the number of pilots, as the summary gives them."""
    return summary_of(client, "waste_sorting_households")["value"], summary_of(client, "waste_sorting_pilots")["value"]


def test_a_site_approved_edited_and_deleted_changes_the_summary_and_the_page_at_once(client, users, tokens):  # noqa: F811
    assert households(client) == (0, 0)
    created = api(client, "POST", "/api/sites", tokens["staff_899"],
                  feature("Thí điểm chờ duyệt", *IN_RACH_GIA, measures={"households": 1234})).get_json()
    # Submitted, not yet approved: not counted.
    assert households(client) == (0, 0)
    assert "1.234" not in client.get(PAGE).data.decode()

    sign_in(client, "planner")
    approved = client.post(f"/staff/sites/{created['id']}/approve",
                           data={"csrf_token": csrf_token(client, "/staff/review"),
                                 "version": created["properties"]["version"]})
    assert approved.status_code == 302
    assert households(client) == (1234, 1)
    assert "1.234" in client.get(PAGE).data.decode()

    version = client.get(f"/api/sites/{created['id']}").get_json()["properties"]["version"]
    edited = api(client, "PATCH", f"/api/sites/{created['id']}", tokens["planner"],
                 {"type": "Feature", "properties": {"measures": {"households": 4321}, "version": version}})
    assert edited.status_code == 200
    assert households(client) == (4321, 1)
    page = client.get(PAGE).data.decode()
    assert "4.321" in page and "1.234" not in page

    version = edited.get_json()["properties"]["version"]
    assert api(client, "DELETE", f"/api/sites/{created['id']}?version={version}",
               tokens["planner"]).status_code in (200, 204)
    assert households(client) == (0, 0)
    assert "4.321" not in client.get(PAGE).data.decode()


def test_a_site_count_by_district_follows_a_new_site_at_once(client, users, tokens):  # noqa: F811
    def rach_gia() -> str:
        csv = client.get("/progress.csv?figure=sites&year=2025").data.decode("utf-8-sig")
        return next(line for line in csv.splitlines() if line.startswith("899,"))

    assert rach_gia().split(",")[3] == "0"
    api(client, "POST", "/api/sites", tokens["planner"], feature("Điểm mới", *IN_RACH_GIA))
    assert rach_gia().split(",")[3] == "1"


def test_a_hand_entered_value_changes_the_summary_at_once(client, users):  # noqa: F811
    assert summary_of(client, "material_fuel_cut")["value"] is None
    sign_in(client, "planner")
    form = {"csrf_token": csrf_token(client, "/staff/indicators?year=2025"), "year": "2025", "unit_code": "91",
            "sector": "cement", "value": "6,5", "note": "", "version": ""}
    assert client.post("/staff/indicators", data=form).status_code == 302
    item = summary_of(client, "material_fuel_cut")
    assert item["value"] == 6.5
    assert item["path"][-1]["value"] == 6.5
    assert "6,5" in client.get("/progress?figure=material_fuel_cut&year=2025").data.decode()
