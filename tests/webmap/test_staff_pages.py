"""Staff pages in plain words: the review queue, history, staff list and accounts show labels and names, not
column names and codes; the edit form shows dates as the form asks; hand-entered figures are saved a table at once."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import text

from tests.staffkit import (IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, PASSWORD, api, csrf_token,  # noqa: F401
                            feature, sign_in, tokens, users)

COLUMN_NAMES = ("district_code", "commune_code", "measures", "solar_kind", "plan_task", "location_precision",
                "start_date", "{'")


class FormValues(HTMLParser):
    """What a browser would send back of one form, untouched: inputs, the selected options, textareas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
            self.values.setdefault(self._select, None)
        elif tag == "option" and self._select and ("selected" in a or self.values[self._select] is None):
            if "selected" in a or self.values[self._select] is None:
                self.values[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, form_id: str = "site-form") -> dict[str, str]:
    parser = FormValues(form_id)
    parser.feed(html)
    return {k: v or "" for k, v in parser.values.items()}


def solar_site(client, tokens) -> tuple[int, int]:
    """A rooftop solar site in Rạch Giá, approved, with a start date: (id, version)."""
    body = feature("Điện mặt trời Rạch Giá", category="solar", plan_task="VI.5",
                   measures={"kwp": 45.5, "solar_kind": "rooftop"}, start_date="2024-03-15")
    created = api(client, "POST", "/api/sites", tokens["planner"], body)
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"], created.get_json()["properties"]["version"]


def test_the_review_queue_shows_labels_names_and_the_move_on_a_map(client, users, tokens):
    site_id, version = solar_site(client, tokens)
    moved = api(client, "PATCH", f"/api/sites/{site_id}", tokens["staff_899"], {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": list(IN_RACH_GIA_2)},
        "properties": {"version": version, "measures": {"kwp": 1250.75, "solar_kind": "farm"},
                       "end_date": "31/12/2026"}})
    assert moved.status_code == 200, moved.get_json()
    api(client, "POST", "/api/sites", tokens["staff_911"], feature("Điểm mới Phú Quốc", *IN_PHU_QUOC))
    sign_in(client, "planner")
    page = client.get("/staff/review").data.decode()
    for column in COLUMN_NAMES:
        assert column not in re.sub(r"<[^>]+>", " ", page), column
    assert "Công suất lắp đặt (kWp)" in page and "45,5 kWp" in page and "1.250,75 kWp" in page
    assert "Loại điện mặt trời" in page and "Áp mái" in page and "Trang trại trên đất nông nghiệp" in page
    assert "Ngày kết thúc" in page and "31/12/2026" in page
    assert "Huyện, thành phố: Thành phố Rạch Giá" in page and "Huyện, thành phố: Thành phố Phú Quốc" in page
    assert "staff_899 (Thành phố Rạch Giá)" in page
    assert re.search(r"staff_911 \(Thành phố Phú Quốc\), \d\d/\d\d/\d{4} \d\d:\d\d", page)
    # One outline per district, used by every item there; the moved site has its old and new position.
    assert page.count('<path id="outline-') == 2
    moved_item = page[page.index(f'data-id="{site_id}"'):]
    assert 'class="old-position"' in moved_item.split("</section>")[0]
    assert "Vị trí cũ" in page and "Vị trí mới" in page
    english = client.get("/staff/review?lang=en").data.decode()
    assert "Installed capacity (kWp)" in english and "1,250.75 kWp" in english and "On farmland" in english


def test_an_unchanged_save_of_the_edit_form_makes_no_review_item(client, users, tokens):
    site_id, _version = solar_site(client, tokens)
    sign_in(client, "staff_899")
    html = client.get(f"/staff/sites/{site_id}/edit").data.decode()
    form = form_values(html)
    assert form["start_date"] == "15/03/2024"  # as the new-site form asks, not 2024-03-15
    assert form["measure_solar_kind"] == "rooftop" and form["status"] == "active"
    saved = client.post(f"/staff/sites/{site_id}/edit", data=form)
    assert saved.status_code == 302
    assert "Không có gì thay đổi" in client.get("/staff/").data.decode()
    sign_in(client, "planner")
    assert "Không có gì chờ duyệt" in client.get("/staff/review").data.decode()
    changed = client.post(f"/staff/sites/{site_id}/edit", data={**form, "start_date": "16/03/2024",
                                                                "csrf_token": csrf_token(client, "/staff/")})
    assert changed.status_code == 302
    history = client.get(f"/staff/sites/{site_id}/history").data.decode()
    assert "Ngày bắt đầu</strong>: 15/03/2024 → 16/03/2024" in history
    assert "start_date" not in re.sub(r"<[^>]+>", " ", history)


def test_the_staff_list_names_districts_and_communes(client, users, tokens):
    solar_site(client, tokens)
    sign_in(client, "staff_899")
    page = client.get("/staff/").data.decode()
    assert '<td data-label="Địa bàn">Thành phố Rạch Giá<br><small>Phường Rạch Giá</small></td>' in page
    assert "<td>899</td>" not in page
    assert re.search(r'<td data-label="Cập nhật">\d\d/\d\d/\d{4} \d\d:\d\d</td>', page)


def test_accounts_show_role_names_and_pick_the_area_from_a_list(client, users, db):
    sign_in(client, "admin")
    page = client.get("/staff/users").data.decode()
    assert "<td>Cán bộ huyện</td>" in page and "<td>Cán bộ kế hoạch</td>" in page and "<td>Quản trị</td>" in page
    assert "Thành phố Rạch Giá (899)" in page
    assert '<optgroup label="Thành phố Rạch Giá">' in page and '<option value="30742"' in page
    assert "district_staff</td>" not in page
    english = client.get("/staff/users?lang=en").data.decode()
    assert "<td>District staff</td>" in english
    token = csrf_token(client, "/staff/users")
    refused = client.post("/staff/users", data={"csrf_token": token, "action": "add", "username": "ngoai",
                                                "role": "district_staff", "area_code": "12345", "password": PASSWORD})
    assert refused.status_code == 400
    added = client.post("/staff/users", data={"csrf_token": token, "action": "add", "username": "xa_rach_gia",
                                              "role": "district_staff", "area_code": "30742", "password": PASSWORD})
    assert added.status_code == 302
    with db.connect() as connection:
        assert connection.execute(text("SELECT unit_code FROM app_user WHERE username = 'xa_rach_gia'")).scalar() \
            == "30742"


def _table(client, year: int = 2025) -> dict[str, list[str]]:
    """The figures form of a year as the browser sends it: parallel lists, one entry per cell."""
    html = client.get(f"/staff/indicators?year={year}").data.decode()
    parser = _ListForm()
    parser.feed(html)
    return parser.values


class _ListForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside, self.values = False, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == "values-form"
        elif self.inside and tag == "input" and a.get("name"):
            self.values.setdefault(a["name"], []).append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def _cell(form: dict[str, list[str]], unit: str, sector: str) -> int:
    return next(i for i, (u, s) in enumerate(zip(form["unit_code"], form["sector"])) if (u, s) == (unit, sector))


def _saved(db) -> dict[tuple[str, str], float]:
    with db.connect() as connection:
        rows = connection.execute(text("SELECT unit_code, sector, value FROM indicator_value")).all()
    return {(u, s): float(v) for u, s, v in rows}


def test_hand_entered_figures_are_saved_a_table_at_once_or_not_at_all(client, users, db):
    sign_in(client, "planner")
    form = _table(client)
    cells = len(form["unit_code"])
    assert cells == 4 * len(set(form["unit_code"])) and cells > 40  # the province and each unit, four sectors
    form["value"][_cell(form, "91", "cement")] = "5,5"
    form["value"][_cell(form, "899", "textile_leather")] = "12"
    form["note"][_cell(form, "899", "textile_leather")] = "báo cáo của Sở Công Thương"
    assert client.post("/staff/indicators", data=form).status_code == 302
    assert _saved(db) == {("91", "cement"): 5.5, ("899", "textile_leather"): 12.0}
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM indicator_value_history")).scalar() == 2
    stale = _table(client)
    fresh = _table(client)
    fresh["value"][_cell(fresh, "91", "cement")] = "6,25"
    assert client.post("/staff/indicators", data=fresh).status_code == 302
    # The stale form changes two cells; one was changed by someone else since: neither is saved.
    stale["value"][_cell(stale, "91", "cement")] = "7"
    stale["value"][_cell(stale, "899", "cement")] = "3"
    refused = client.post("/staff/indicators", data=stale)
    page = refused.data.decode()
    assert refused.status_code == 422
    assert "Chưa lưu gì" in page and "Kiên Giang, Xi măng — Phiên bản:" in page
    assert 'value="7"' in page and 'value="3"' in page  # what was typed is kept to correct
    assert _saved(db) == {("91", "cement"): 6.25, ("899", "textile_leather"): 12.0}
    bad = _table(client)
    bad["value"][_cell(bad, "899", "cement")] = "nhiều"
    bad["value"][_cell(bad, "900", "cement")] = "4"
    page = client.post("/staff/indicators?lang=en", data=bad).data.decode()
    assert "Cement — Value:" in page and "nhiều" in page
    assert _saved(db) == {("91", "cement"): 6.25, ("899", "textile_leather"): 12.0}
    shown = client.get("/staff/indicators?year=2025&lang=vi").data.decode()
    assert 'value="6,25"' in shown and "5,5 → 6,25" in shown


def test_a_queue_of_fifty_stays_light(client, users, tokens, db):
    sites = [(IN_RACH_GIA, "staff_899"), (IN_PHU_QUOC, "staff_911")]
    for n in range(50):
        (lon, lat), who = sites[n % 2]
        assert api(client, "POST", "/api/sites", tokens[who], feature(f"Điểm {n}", lon, lat)).status_code == 201
    sign_in(client, "planner")
    page = client.get("/staff/review").data
    html = page.decode()
    assert html.count('class="review-item"') == 50
    assert html.count('<path id="outline-') == 2  # each district's outline once, whatever the number of items
    print(f"review queue of 50: {len(page)} bytes")
    assert len(page) < 400_000
