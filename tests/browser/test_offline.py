"""The staff's app without a connection, on a phone (390 × 844): the site form opens from the service worker, a
site saved offline waits on the device ("Đang chờ gửi: 1") and arrives once the connection returns; a stale
edit comes back as the conflict of two versions; sign-out clears what the device kept."""
from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import editing
from tests.browser.conftest import local_pages, screenshot, wait_until
from tests.browser.test_staff_flow import sign_in
from tests.staffkit import IN_RACH_GIA, make_users, site_input
from webmap.labels import moment

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Whether this page's service worker has kept the site form: the promise of caches.match, awaited by Playwright.
FORM_KEPT = "async () => Boolean(await caches.match('/staff/sites/new', {ignoreSearch: true}))"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from local_pages(browser, viewport=PHONE, is_mobile=True, has_touch=True)


def wait_for(page: Page, predicate: str, timeout_s: float = 45) -> None:
    """Poll an async JavaScript predicate from here until it answers true (the CSP refuses wait_for_function)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {predicate}")
        page.wait_for_timeout(100)  # the poll's step, not a wait for something to happen


def signed_in_with_worker(page: Page, base: str, username: str) -> BrowserContext:
    """Sign in, and wait until the staff's worker controls the page and has kept the site form."""
    sign_in(page, base, username)
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_for(page, FORM_KEPT)
    return page.context


def waiting(page: Page) -> str:
    """The count of sites waiting as the page shows it, once the queue is drawn."""
    wait_until(page, "document.querySelector('#offline-queue').dataset.waiting !== undefined")
    return page.get_attribute("#offline-queue", "data-waiting")


def fill_site(page: Page, name: str, lon: float, lat: float) -> None:
    page.fill("input[name=name]", name)
    page.select_option("#category", "waste_sorting")
    page.select_option("select[name=plan_task]", "VI.2")
    page.fill("input[name=source]", "Phòng Tài nguyên và Môi trường TP. Rạch Giá")
    page.fill("input[name=measure_households]", "120")
    page.fill("#lat", f"{lat:.6f}")
    page.fill("#lon", f"{lon:.6f}")


def jpeg(width: int = 64, height: int = 48) -> bytes:
    """A small real JPEG, as a phone's camera gives (a server that checks its photos takes it)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (27, 94, 32)).save(out, "JPEG")
    return out.getvalue()


PHOTO = {"name": "diem-tap-ket.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}


def attach_photo(page: Page) -> None:
    """A photo in the form's file box (the photos' own field, or one like it where the form has none yet)."""
    if page.locator("#site-form input[name=photo]").count() == 0:
        page.evaluate("""() => { const input = document.createElement("input");
            input.type = "file"; input.name = "photo"; document.getElementById("site-form").append(input); }""")
    page.set_input_files("#site-form input[name=photo]", PHOTO)


def site_row(db, name: str) -> dict | None:
    with db.connect() as connection:
        row = connection.execute(text("SELECT id, moderation, version FROM site WHERE name = :name"),
                                 {"name": name}).mappings().first()
    return dict(row) if row else None


def test_site_saved_offline_waits_then_arrives_in_the_review_queue(browser, phone, live_server, db):
    make_users(db)
    context = signed_in_with_worker(phone, live_server, "staff_899")
    phone.goto(live_server + "/staff/sites/new")  # once online, as staff do before going to the field

    context.set_offline(True)
    phone.goto(live_server + "/staff/sites/new")
    assert phone.locator("#site-form").is_visible()  # the form opens with the network off
    assert phone.locator("#category option").count() == 11  # its choice lists came with it
    fill_site(phone, "Điểm phân loại rác ấp Tà Lóc (ngoại tuyến)", *IN_RACH_GIA)
    attach_photo(phone)
    before = moment(dt.datetime.now(dt.timezone.utc))
    phone.click("#save")
    phone.wait_for_url("**/staff/")
    assert waiting(phone) == "1"
    assert "Đang chờ gửi: 1" in phone.inner_text("#offline-queue")
    assert "Điểm phân loại rác ấp Tà Lóc (ngoại tuyến)" in phone.inner_text("#offline-queue")
    # When it was kept, on the province's clock as every staff page writes times.
    shown = re.search(r"lưu lúc (\d\d/\d\d/20\d\d \d\d:\d\d)", phone.inner_text("#offline-queue")).group(1)
    assert shown in (before, moment(dt.datetime.now(dt.timezone.utc)))
    assert site_row(db, "Điểm phân loại rác ấp Tà Lóc (ngoại tuyến)") is None
    screenshot(phone, "offline-waiting")

    with phone.expect_request(lambda request: request.method == "POST") as sent:
        context.set_offline(False)  # the online event sends it
    # The photo went with it, as the file it was (the form is multipart).
    assert PHOTO["buffer"] in sent.value.post_data_buffer
    assert f'name="photo"; filename="{PHOTO["name"]}"'.encode() in sent.value.post_data_buffer
    wait_until(phone, "document.querySelector('#offline-queue').dataset.waiting === '0'")
    assert "Đã gửi 1 điểm lưu khi không có mạng." in phone.inner_text("#offline-queue")
    assert site_row(db, "Điểm phân loại rác ấp Tà Lóc (ngoại tuyến)")["moderation"] == "submitted"
    phone.reload()
    assert phone.locator("#sites tr", has_text="ấp Tà Lóc").count() == 1

    # A planner, on a phone of their own, finds it in the review queue with its photo.
    pages = local_pages(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    planner = next(pages)
    try:
        sign_in(planner, live_server, "planner")
        planner.goto(live_server + "/staff/review")
        photos = planner.locator(".review-item", has_text="ấp Tà Lóc").locator(".review-photos img")
        assert photos.count() == 1
        photos.scroll_into_view_if_needed()
        wait_until(planner, "document.querySelector('.review-photos img').complete "
                            "&& document.querySelector('.review-photos img').naturalWidth === 64")
    finally:
        next(pages, None)


def saved_offline(phone: Page, live_server: str, db, username: str, name: str) -> BrowserContext:
    """Sign username in with the worker, go offline and save a new site named name; the phone's context."""
    make_users(db)
    context = signed_in_with_worker(phone, live_server, username)
    context.set_offline(True)
    phone.goto(live_server + "/staff/sites/new")
    fill_site(phone, name, *IN_RACH_GIA)
    phone.click("#save")
    phone.wait_for_url("**/staff/")
    return context


def test_planners_site_saved_offline_arrives_on_the_public_map(phone, live_server, db):
    context = saved_offline(phone, live_server, db, "planner", "Mái nhà điện mặt trời chợ Rạch Sỏi (ngoại tuyến)")
    assert waiting(phone) == "1"

    context.set_offline(False)
    wait_until(phone, "document.querySelector('#offline-queue').dataset.waiting === '0'")
    public = phone.request.get(live_server + "/api/sites?district=899").json()
    assert "Mái nhà điện mặt trời chợ Rạch Sỏi (ngoại tuyến)" in [f["properties"]["name"] for f in public["features"]]


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def test_a_site_sent_again_after_its_answer_was_lost_is_made_once(phone, live_server, db):
    name = "Điểm thu gom pin cũ chợ Rạch Sỏi (ngoại tuyến)"
    context = saved_offline(phone, live_server, db, "staff_899", name)
    assert waiting(phone) == "1"
    # The kept form carries the key its page made when it opened (static/site_form.js).
    key = phone.evaluate("""async () => {
        const [item] = await ScpQueue.all();
        window.keptCopy = item;
        const field = item.fields.find((f) => f[0] === "submission");
        return field ? field[1] : null; }""")
    assert re.fullmatch(UUID, key)

    context.set_offline(False)
    wait_until(phone, "document.querySelector('#offline-queue').dataset.waiting === '0'")
    assert site_row(db, name)["moderation"] == "submitted"
    # The server saved it, but its answer never reached the phone: the form is still kept there, and goes again.
    phone.evaluate("""async () => {
        const copy = Object.assign({}, window.keptCopy);
        delete copy.id;
        await ScpQueue.add(copy); }""")
    phone.reload()
    wait_until(phone, "document.querySelector('#offline-queue').innerText.includes('Đã gửi 1 điểm')")
    assert waiting(phone) == "0"
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM site WHERE name = :name"),
                                  {"name": name}).scalar_one() == 1


def test_stale_edit_made_offline_comes_back_as_a_conflict(phone, live_server, db):
    users = make_users(db)
    with Session(db) as session, session.begin():
        site = editing.create_site(session, users["planner"], site_input("Điểm thu gom rác chợ Vĩnh Thanh Vân"))
    context = signed_in_with_worker(phone, live_server, "staff_899")
    phone.goto(live_server + f"/staff/sites/{site['id']}/edit")

    context.set_offline(True)
    phone.fill("input[name=name]", "Điểm thu gom rác chợ Vĩnh Thanh Vân (sửa ngoài hiện trường)")
    phone.click("#save")
    phone.wait_for_url("**/staff/")
    assert waiting(phone) == "1"
    # Meanwhile a planner changes the site: the version the offline edit was based on is gone.
    with Session(db) as session, session.begin():
        editing.update_site(session, users["planner"], site["id"], {"description": "Đã kiểm tra"}, site["version"])

    context.set_offline(False)
    wait_until(phone, "document.querySelector('#offline-queue').dataset.refused === '1'")
    item = phone.locator("#offline-queue .offline-item.refused")
    assert "Người khác đã lưu điểm này trong lúc bạn không có mạng" in item.inner_text()
    assert site_row(db, "Điểm thu gom rác chợ Vĩnh Thanh Vân (sửa ngoài hiện trường)") is None
    screenshot(phone, "offline-refused")
    # The form with the staff's own values, beside the version saved meanwhile.
    item.locator("button.offline-open").click()
    phone.wait_for_url(f"**/staff/sites/{site['id']}/edit")
    assert phone.locator("#conflict").is_visible()
    assert phone.input_value("input[name=name]") == "Điểm thu gom rác chợ Vĩnh Thanh Vân (sửa ngoài hiện trường)"
    assert "(sửa ngoài hiện trường)" in phone.inner_text("#conflict")
    # Kept until the staff member drops it.
    phone.goto(live_server + "/staff/")
    # The queue is drawn from IndexedDB after the page loads: wait for it to be drawn, not for a time.
    wait_until(phone,
               "document.querySelector('#offline-queue').innerText.includes('Đã mở lại trong biểu mẫu')")


def test_sign_out_clears_the_kept_sites_and_pages(phone, live_server, db):
    make_users(db)
    context = signed_in_with_worker(phone, live_server, "staff_899")
    context.set_offline(True)
    phone.goto(live_server + "/staff/sites/new")
    phone.click("#save")  # nothing typed: the server will refuse it, and it stays kept
    phone.wait_for_url("**/staff/")
    context.set_offline(False)
    wait_until(phone, "document.querySelector('#offline-queue').dataset.refused === '1'")
    assert "Có ô chưa đúng" in phone.inner_text("#offline-queue")

    asked = []
    phone.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    phone.click(".menu-toggle")  # the phone's menu holds the sign-out button
    phone.click("header form.inline button")
    phone.wait_for_url(live_server + "/")
    assert asked == ["Còn 1 điểm chưa gửi trên máy này; đăng xuất sẽ xoá chúng. Vẫn đăng xuất?"]
    assert phone.evaluate("async () => (await caches.keys()).length") == 0
    assert phone.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0
    assert phone.evaluate("async () => (await indexedDB.databases()).map(d => d.name)") == []
    # Signed out, no copy of a staff page is left to open.
    context.set_offline(True)
    with pytest.raises(PlaywrightError):
        phone.goto(live_server + "/staff/sites/new")


def test_an_ended_session_keeps_the_sites_waiting_but_no_page_for_the_next_visitor(phone, live_server, db):
    context = saved_offline(phone, live_server, db, "staff_899",
                            "Điểm thu hồi bao bì thuốc bảo vệ thực vật (ngoại tuyến)")
    context.clear_cookies()  # the session ends while the phone is offline

    context.set_offline(False)
    wait_until(phone, "document.querySelector('#offline-queue').innerText.includes('Phiên đăng nhập đã hết')")
    assert waiting(phone) == "1"
    # Whoever opens the phone next meets the sign-in page, and no kept staff page, even offline.
    phone.goto(live_server + "/staff/sites/new")
    phone.wait_for_url("**/staff/login?next=*")
    wait_for(phone, "async () => !(await caches.match('/staff/sites/new', {ignoreSearch: true}))")
    context.set_offline(True)
    phone.goto(live_server + "/staff/sites/new")
    assert "trang này chưa được lưu trên máy" in phone.inner_text("body")
    assert phone.locator("#site-form").count() == 0

    context.set_offline(False)
    sign_in(phone, live_server, "staff_899")  # the same person again: the site is sent
    wait_until(phone, "document.querySelector('#offline-queue').dataset.waiting === '0'")
    assert site_row(db, "Điểm thu hồi bao bì thuốc bảo vệ thực vật (ngoại tuyến)")["moderation"] == "submitted"


def test_chromium_reads_the_staff_apps_manifest_without_error(phone, live_server, db):
    make_users(db)
    signed_in_with_worker(phone, live_server, "staff_899")
    manifest = phone.context.new_cdp_session(phone).send("Page.getAppManifest")
    assert manifest["url"] == live_server + "/staff/manifest.webmanifest"
    assert manifest["errors"] == []
    assert '"name": "Bản đồ SXTD bền vững – cán bộ"' in manifest["data"]


def test_another_person_on_the_same_phone_never_sends_or_sees_the_first_ones_pages(phone, live_server, db):
    make_users(db)
    context = signed_in_with_worker(phone, live_server, "staff_899")
    first_cache = phone.evaluate("async () => (await caches.keys()).join()")
    context.set_offline(True)
    phone.goto(live_server + "/staff/sites/new")
    fill_site(phone, "Điểm của cán bộ Rạch Giá (ngoại tuyến)", *IN_RACH_GIA)
    phone.click("#save")
    phone.wait_for_url("**/staff/")
    context.clear_cookies()
    context.set_offline(False)

    sign_in(phone, live_server, "planner")  # a planner borrows the phone
    # The worker is the planner's now: the first person's kept pages are gone.
    wait_for(phone, f"async () => {{ const names = await caches.keys();"
                    f" return names.length === 1 && names[0] !== {first_cache!r}; }}")
    # The first person's site waits for them: never sent as the planner's.
    wait_until(phone, "document.querySelector('#offline-queue .offline-item') !== null")
    assert "Lưu bởi một tài khoản khác" in phone.inner_text("#offline-queue")
    assert waiting(phone) == "1"
    assert site_row(db, "Điểm của cán bộ Rạch Giá (ngoại tuyến)") is None
