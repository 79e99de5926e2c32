"""The Content-Security-Policy in a real Chromium: every page works and logs no violation."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from geo.site_store import load_seed_sites
from geo.sites import SEED_FILE
from tests.staffkit import PASSWORD, users  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

# Every violation is also a console message ("Refused to execute inline script because it violates ...").
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture
def seeded(db):
    with Session(db) as session, session.begin():
        return load_seed_sites(session, SEED_FILE)


def _violations(page, console: list[str]) -> list[str]:
    return [m for m in console if "Content Security Policy" in m] + page.evaluate("window.__csp")


def _open(page, url: str, console: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.fixture
def watched(page):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH)
    return page, console


@pytest.mark.parametrize(("path", "ready"), [
    ("/", "body[data-sites-loaded='73']"),
    ("/?lang=en", "body[data-sites-loaded='73']"),
    ("/embed", "body[data-sites-loaded='73']"),
    ("/progress?figure=sites&year=2025", "path.leaflet-interactive"),
    ("/embed/builder", "body"),
    ("/staff/login", "form#login"),
    ("/report/2025", "body"),
])
def test_public_pages_work_under_the_policy_and_log_no_violation(watched, live_server, seeded, path, ready):
    page, console = watched
    _open(page, live_server + path, console)
    page.wait_for_selector(ready, state="attached")
    violations = _violations(page, console)
    # The embed builder's preview frames /embed from this site, which frame-ancestors allows ('self').
    assert violations == []


def test_the_map_script_runs_with_the_nonce(watched, live_server, seeded):
    page, console = watched
    _open(page, live_server + "/", console)
    page.wait_for_selector("body[data-sites-loaded='73']", state="attached")
    assert page.locator(".leaflet-control-layers").count() == 1
    page.locator(".site-point, .site-cluster").first.wait_for()
    # Folium's own settings (moved out of the head into the nonced script) ran too.
    assert page.evaluate("typeof L_NO_TOUCH") == "boolean"
    assert _violations(page, console) == []


def test_a_select_submits_its_form_by_the_allowed_handler(watched, live_server, seeded):
    page, console = watched
    _open(page, live_server + "/progress?figure=sites&year=2025", console)
    page.select_option("select[name=year]", "2024")
    page.wait_for_url("**year=2024**")
    assert _violations(page, console) == []


def test_an_injected_inline_script_is_refused(watched, live_server, seeded):
    """What the policy is for: a script without the nonce does not run, and the browser says so."""
    page, console = watched
    _open(page, live_server + "/", console)
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                             document.body.appendChild(s); }""")
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in _violations(page, console))


def test_the_site_form_map_works_for_staff(watched, live_server, seeded, users):
    page, console = watched
    _open(page, live_server + "/staff/login", console)
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", PASSWORD)
    page.click("form#login button[type=submit]")
    page.wait_for_url("**/staff/**")
    page.wait_for_load_state("networkidle")
    assert _violations(page, console) == []  # the list of sites, with its delete buttons' confirmation
    _open(page, live_server + "/staff/sites/new", console)
    page.wait_for_selector(".leaflet-container")
    assert page.locator(".leaflet-control-zoom").count() == 1
    assert _violations(page, console) == []
