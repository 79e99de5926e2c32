"""Times on the staff pages are on the province's clock (UTC+7), whatever the database's or the server's zone."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from tests.staffkit import approved, sign_in, tokens, users  # noqa: F401
from webmap import labels


def test_a_stored_time_is_shown_on_the_provinces_clock():
    late_evening_utc = dt.datetime(2025, 6, 30, 17, 30, tzinfo=dt.timezone.utc)
    assert labels.moment(late_evening_utc) == "01/07/2025 00:30"  # already 1 July in Rạch Giá
    assert labels.moment(None) == ""


def test_staff_list_and_history_show_times_in_vietnam(client, db, approved):
    site_id, _version = approved
    with db.begin() as connection:
        connection.execute(text("UPDATE site SET updated_at = '2025-06-30 17:30+00' WHERE id = :id"), {"id": site_id})
        connection.execute(text("UPDATE site_history SET changed_at = '2025-06-30 17:30+00' WHERE site_id = :id"),
                           {"id": site_id})
    sign_in(client, "planner")
    assert "01/07/2025 00:30" in client.get("/staff/").data.decode()
    history = client.get(f"/staff/sites/{site_id}/history").data.decode()
    assert "01/07/2025 00:30" in history and "30/06/2025 17:30" not in history
