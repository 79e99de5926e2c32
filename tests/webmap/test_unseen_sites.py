"""District staff cannot tell a site that does not exist from another district's: the same status and words."""
from __future__ import annotations

import pytest

from tests.staffkit import api, approved, sign_in, tokens, users  # noqa: F401 - fixtures

MISSING = 999_999


def _without_id(text: str, site_id: int) -> str:
    return text.replace(f"số {site_id}", "số ID").replace(f"/sites/{site_id}/", "/sites/ID/")


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_api_answers_another_districts_site_as_a_missing_one(client, tokens, approved, method):
    site_id, version = approved
    body = {"type": "Feature", "properties": {"name": "Dò", "version": version}}
    theirs = api(client, method, f"/api/sites/{site_id}?version={version}", tokens["staff_911"], body)
    missing = api(client, method, f"/api/sites/{MISSING}?version={version}", tokens["staff_911"], body)
    assert theirs.status_code == missing.status_code == 404
    expected = {"field": "id", "parameter": "id", "reason": "Không có điểm số ID", "status": 404}
    for response, asked in ((theirs, site_id), (missing, MISSING)):
        error = response.get_json()["error"]
        assert {**error, "reason": _without_id(error["reason"], asked)} == expected


@pytest.mark.parametrize("page", ["edit", "history"])
def test_staff_pages_answer_another_districts_site_as_a_missing_one(client, users, approved, page):
    site_id, _version = approved
    sign_in(client, "staff_911")
    theirs = client.get(f"/staff/sites/{site_id}/{page}")
    missing = client.get(f"/staff/sites/{MISSING}/{page}")
    assert theirs.status_code == missing.status_code == 404
    assert _without_id(theirs.data.decode(), site_id) == _without_id(missing.data.decode(), MISSING)
    assert "Không có điểm số ID" in _without_id(theirs.data.decode(), site_id)


def test_the_sites_own_district_still_sees_it(client, users, approved):
    site_id, _version = approved
    sign_in(client, "staff_899")
    assert client.get(f"/staff/sites/{site_id}/edit").status_code == 200
