"""Accounts and sign-in helpers for the tests of staff editing."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import accounts, editing

PASSWORD = "mật-khẩu-thử-nghiệm"
# Points inside known districts (ward centroids of data/boundaries/kien-giang-wards-2020.csv).
IN_RACH_GIA = (105.083232, 10.009516)      # 899, Phường Vĩnh Thanh Vân
IN_RACH_GIA_2 = (105.069098, 10.026058)    # 899, Phường Vĩnh Quang
IN_PHU_QUOC = (103.966612, 10.230453)      # 911, Phường Dương Đông
IN_VINH_THONG = (105.095377, 10.036169)    # 899, but the 2025 commune 30760, not 30742


def make_users(engine) -> dict[str, accounts.Actor]:
    """admin, planner, staff of Rạch Giá (899), staff of Phú Quốc (911), staff of the 2025 commune 30742."""
    with Session(engine) as session, session.begin():
        return {
            "admin": accounts.create_user(session, "admin", PASSWORD, "admin"),
            "planner": accounts.create_user(session, "planner", PASSWORD, "planner"),
            "staff_899": accounts.create_user(session, "staff_899", PASSWORD, "district_staff", "899"),
            "staff_911": accounts.create_user(session, "staff_911", PASSWORD, "district_staff", "911"),
            "staff_30742": accounts.create_user(session, "staff_30742", PASSWORD, "district_staff", "30742"),
        }


def csrf_token(client, path: str = "/staff/login") -> str:
    html = client.get(path).data.decode()
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/staff/login", data={"username": username, "password": password,
                                              "csrf_token": csrf_token(client)})


def site_input(name: str = "Điểm thử", lon: float = IN_RACH_GIA[0], lat: float = IN_RACH_GIA[1], **extra) -> dict:
    data = {"name": name, "category": "waste_sorting", "status": "active", "lon": lon, "lat": lat,
            "plan_task": "VI.2", "source": "Phòng TN&MT huyện (thử nghiệm)", "measures": {"households": 120}}
    data.update(extra)
    return data


def feature(name: str = "Điểm thử", lon: float = IN_RACH_GIA[0], lat: float = IN_RACH_GIA[1], **properties) -> dict:
    props = {"name": name, "category": "waste_sorting", "status": "active", "plan_task": "VI.2",
             "source": "API (thử nghiệm)", "measures": {"households": 80}}
    props.update(properties)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


# Fixtures and helpers of the HTTP tests of staff pages and the write API (import the fixtures by name).

@pytest.fixture
def users(db, app):
    return make_users(db)


@pytest.fixture
def tokens(db, users):
    with Session(db) as session, session.begin():
        return {name: accounts.create_token(session, name) for name in users}


@pytest.fixture
def approved(client, tokens):
    """A site in Rạch Giá approved by a planner through the API: (id, version)."""
    body = api(client, "POST", "/api/sites", tokens["planner"], feature("Điểm Rạch Giá")).get_json()
    return body["id"], body["properties"]["version"]


def api(client, method: str, path: str, token: str | None, body: dict | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, headers=headers, json=body)


def site_count(db, where: str = "true") -> int:
    with db.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM site WHERE {where}")).scalar_one()


def public_names(client) -> list[str]:
    return [f["properties"]["name"] for f in client.get("/api/sites").get_json()["features"]]


def queued(db) -> int:
    """A review queue of two: an approved solar site in Rạch Giá moved and changed by its district staff, and a
    new site of Phú Quốc's staff; returns the moved site's id."""
    users = make_users(db)
    with Session(db) as session, session.begin():
        solar = editing.create_site(session, users["planner"], site_input(
            "Điện mặt trời Rạch Giá", category="solar", plan_task="VI.5", start_date="15/03/2024",
            measures={"kwp": "45,5", "solar_kind": "rooftop"}))
        editing.update_site(session, users["staff_899"], solar["id"], {
            "lon": IN_RACH_GIA_2[0], "lat": IN_RACH_GIA_2[1], "measures": {"kwp": "1250,75", "solar_kind": "farm"}},
            solar["version"])
        editing.create_site(session, users["staff_911"], site_input("Điểm mới Phú Quốc", *IN_PHU_QUOC))
    return solar["id"]
