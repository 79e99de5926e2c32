"""The review queue's batch: approve or reject (with one reason) several submissions in one click, each checked
against the version the planner saw, all or none."""
from __future__ import annotations

from sqlalchemy import text

from tests.staffkit import csrf_token, queued, sign_in


def queue_items(db) -> list[str]:
    with db.connect() as connection:
        return [f"{r.id}:{r.version}" for r in connection.execute(text(
            "SELECT id, version FROM site WHERE moderation = 'submitted' OR pending IS NOT NULL ORDER BY id"))]


def waiting(db) -> int:
    with db.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM site WHERE deleted_at IS NULL AND "
                                       "(moderation = 'submitted' OR pending IS NOT NULL)")).scalar_one()


def batch(client, **form):
    return client.post("/staff/review/batch", data={"csrf_token": csrf_token(client, "/staff/review"), **form},
                       follow_redirects=True)


def test_every_submission_is_approved_in_one_click(client, db, app):
    queued(db)
    sign_in(client, "planner")
    page = client.get("/staff/review").data.decode()
    assert "Duyệt tất cả 2 điểm đang hiện" in page
    done = batch(client, action="approve_all", shown=queue_items(db))
    assert "Đã duyệt 2 điểm" in done.data.decode() and waiting(db) == 0


def test_the_ticked_submissions_are_rejected_with_one_reason(client, db, app):
    queued(db)
    sign_in(client, "planner")
    items = queue_items(db)
    done = batch(client, action="reject", item=items, reason="Thiếu nguồn")
    assert "Đã từ chối 2 điểm" in done.data.decode() and waiting(db) == 0
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM site_history WHERE action = 'reject' "
                                       "AND note = 'Thiếu nguồn'")).scalar_one() == 2


def test_a_stale_item_makes_the_batch_change_nothing_and_names_it(client, db, app):
    moved = queued(db)
    sign_in(client, "planner")
    items = [f"{moved}:1" if item.startswith(f"{moved}:") else item for item in queue_items(db)]
    refused = batch(client, action="approve", item=items).data.decode()
    assert f"Chưa duyệt hay từ chối điểm nào: điểm số {moved}" in refused
    assert waiting(db) == 2


def test_a_batch_with_nothing_ticked_or_no_reason_is_refused(client, db, app):
    queued(db)
    sign_in(client, "planner")
    assert "Chưa chọn điểm nào" in batch(client, action="approve").data.decode()
    assert "Cần ghi lý do từ chối" in batch(client, action="reject", item=queue_items(db)).data.decode()
    assert waiting(db) == 2
