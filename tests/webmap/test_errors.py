"""The one table of refusal statuses (webmap.errors.STATUS): every kind, and a kind the table does not list."""
from __future__ import annotations

from geo.errors import BadParameter, Conflict, DomainError, Forbidden, InvalidRecord, NotFound, OutsideProvince
from webmap.errors import STATUS, TooManyAttempts, Unauthorized, status_for, status_of


def test_each_kind_of_refusal_has_its_status_and_a_new_kind_its_parents():
    assert [status_for(kind) for kind in (BadParameter, Unauthorized, Forbidden, NotFound, Conflict, InvalidRecord,
                                          OutsideProvince, TooManyAttempts, DomainError)] == [
        400, 401, 403, 404, 409, 422, 422, 429, 400]

    class StaleVersion(Conflict):
        """A kind the table does not list."""

    assert StaleVersion not in STATUS and status_of(StaleVersion("version", "stale")) == 409
