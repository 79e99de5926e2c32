"""Schemathesis against both OpenAPI documents, with the app in-process (WSGI): no input makes a 5xx."""
from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from sqlalchemy.orm import Session

from geo.site_store import load_seed_sites
from geo.sites import SEED_FILE

# Reproducible: the same examples on every run, so a failure found once is found again.
FUZZ = settings(max_examples=25, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])


@pytest.fixture
def seeded_app(app, db):
    with Session(db) as session, session.begin():
        load_seed_sites(session, SEED_FILE)
    return app


def _fuzz(app, path: str) -> list[str]:
    """Every operation of the document at path, called with valid and invalid generated input; those tried."""
    schema = schemathesis.openapi.from_wsgi(path, app)
    tried = []
    for result, mode in itertools.product(schema.get_all_operations(), GenerationMode):
        operation = result.ok()
        if mode is GenerationMode.NEGATIVE and not (len(operation.query) or len(operation.path_parameters)):
            continue  # nothing to get wrong in /ogc or /ogc/conformance

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case) -> None:
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400 and path.startswith("/ogc"):
                body = response.json()  # the OGC exception beside the app's error body
                assert body["code"] and body["description"] == body["error"]["reason"]
            elif response.status_code >= 400:
                assert response.json()["error"]["status"] == response.status_code

        call()
        tried.append(f"{operation.method.upper()} {operation.path} {mode.value}")
    return tried


def test_the_json_api_answers_any_input_without_a_server_error(seeded_app):
    # POST /api/imports has no query or path parameter to get wrong: it is fuzzed with valid input only.
    assert len(_fuzz(seeded_app, "/api/openapi.json")) == 12 * 2 - 1


def test_the_ogc_api_answers_any_input_without_a_server_error(seeded_app):
    # 11 operations (Features and Tiles), and the 5 that take parameters also with malformed ones
    assert len(_fuzz(seeded_app, "/ogc/api")) == 11 + 5


def test_both_documents_list_their_paths(client):
    json_paths = set(client.get("/api/openapi.json").get_json()["paths"])
    assert json_paths == {"/api/sites", "/api/sites/{id}", "/api/districts", "/api/communes", "/api/progress",
                          "/api/progress/summary", "/api/progress/sites", "/api/indicators", "/api/imports",
                          "/api/imports/{id}/confirm", "/api/sites/{id}/photos", "/api/sites/{id}/photos/{photo_id}"}
    ogc_paths = set(client.get("/ogc/api").get_json()["paths"])
    assert "/ogc/collections/{collectionId}/queryables" in ogc_paths
