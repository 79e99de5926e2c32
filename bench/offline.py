"""What the staff's installable app costs a phone (issue 18): the site form's page weight with its service worker
(the bytes of a first visit, and what the worker keeps at install, as the server sends them), and the time to send
the site form with a 5 MB photo on Chromium's "Fast 3G" (the DevTools preset), in headless Chromium at 390 × 844
against gunicorn on a scratch database."""
from __future__ import annotations

import io
import os
import time

import requests
from sqlalchemy.orm import Session

from bench import Say, figure, load
from bench.browser import CHROMIUM, CHROMIUM_ARGS, PHONE
from bench.scale import scratch_database
from geo import accounts, admin

# Chromium DevTools' "Fast 3G": 562.5 ms of latency, 1.44 Mbit/s down (180 000 B/s), 675 kbit/s up (84 375 B/s).
FAST_3G = {"offline": False, "latency": 150 * 3.75, "downloadThroughput": 1.6e6 / 8 * 0.9,
           "uploadThroughput": 750e3 / 8 * 0.9}
PHOTO_BYTES = 5 * 1024 * 1024
# A shared machine is slow, not wrong: each page step may take this long (the upload has its own ten minutes).
TIMEOUT_MS = 120_000
USER, PASSWORD = "bench-staff", "bench-password-135"
# In Rạch Giá (899), the staff member's district: Phường Vĩnh Thanh Vân.
PLACE = ("10.009516", "105.083232")
# What the page reads from the worker's cache: every URL it keeps.
KEPT_URLS = """async () => {
  const names = await caches.keys();
  const cache = await caches.open(names.find((name) => name.startsWith("scp-staff-")));
  return (await cache.keys()).map((request) => request.url);
}"""


def sign_in(page, base: str) -> None:
    """Sign in as the benchmark's staff member through the sign-in page."""
    page.goto(base + "/staff/login")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_url("**/staff/")


def wire_bytes(page, path: str) -> tuple[int, int]:
    """Requests and bytes over the network (headers and compressed bodies) of opening path in page."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    page.goto(path, wait_until="networkidle")
    cdp.detach()
    return len(sizes), int(sum(sizes.values()))


def kept_bytes(page, base: str) -> tuple[int, int]:
    """The worker's kept URLs and the bytes the server sends for them (compressed as a browser asks)."""
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    urls = page.evaluate(KEPT_URLS)
    total = 0
    for url in urls:
        with requests.get(url, cookies=cookies, headers={"Accept-Encoding": "br, gzip"}, stream=True,
                          timeout=60) as response:
            total += len(response.raw.read(decode_content=False))
            total += sum(len(name) + len(value) + 4 for name, value in response.headers.items())
    worker = requests.get(base + "/staff/sw.js", cookies=cookies, headers={"Accept-Encoding": "br, gzip"},
                          stream=True, timeout=60)
    return len(urls) + 1, total + len(worker.raw.read(decode_content=False))


def page_weight(browser, base: str, say: Say) -> None:
    """The site form's first visit (no worker yet), and what the worker keeps at install: each kept URL asked of the
    server once more (an upper bound: the worker's own requests may find the versioned files in the HTTP cache)."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True,
                                  service_workers="block")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        sign_in(page, base)
        count, size = wire_bytes(page, base + "/staff/sites/new")
        figure(say, f"staff form, first visit at 390x844: {count} requests, {size:,} bytes over the network")
    finally:
        context.close()
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        sign_in(page, base)
        _wait(page, "async () => Boolean(await caches.match('/staff/sites/new'))")
        entries, size = kept_bytes(page, base)
        figure(say, f"staff worker keeps at install: {entries} files (the worker, the form, the list, their "
                    f"scripts, styles and images), {size:,} bytes over the network at most")
    finally:
        context.close()


def phone_photo(size_bytes: int) -> bytes:
    """A JPEG of about size_bytes, 4:3, of random pixels (which JPEG cannot shrink much): a real image, so a server
    that checks its photos takes it."""
    from PIL import Image

    pixels = size_bytes / 1.2  # a noisy JPEG at quality 95 is about 1.2 bytes a pixel
    for _attempt in range(2):
        width = max(8, round((pixels * 4 / 3) ** 0.5))
        height = max(6, round(width * 3 / 4))
        out = io.BytesIO()
        Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "JPEG", quality=95)
        pixels *= size_bytes / len(out.getvalue())  # one correction brings it within a few per cent
    return out.getvalue()


def upload_time(browser, base: str, say: Say, photo_bytes: int = PHOTO_BYTES) -> None:
    """Seconds to send the site form with a JPEG of about photo_bytes on Fast 3G, and until the next page shows.

    The worker is blocked here: DevTools' throttling applies to the page, and the worker would send the form
    itself, unthrottled. Until the photos are stored, the server reads the form's fields and ignores the photo.
    """
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True,
                                  service_workers="block")
    try:
        page = context.new_page()
        page.set_default_timeout(600_000)
        sign_in(page, base)
        page.goto(base + "/staff/sites/new")
        page.fill("input[name=name]", "Điểm đo thời gian gửi ảnh")
        page.select_option("#category", "waste_sorting")
        page.fill("input[name=source]", "bench")
        page.fill("#lat", PLACE[0])
        page.fill("#lon", PLACE[1])
        if page.locator("#site-form input[name=photo]").count() == 0:
            page.evaluate("""() => { const input = document.createElement("input");
                input.type = "file"; input.name = "photo"; document.getElementById("site-form").append(input); }""")
        photo = phone_photo(photo_bytes)
        page.set_input_files("#site-form input[name=photo]",
                             {"name": "anh-hien-truong.jpg", "mimeType": "image/jpeg", "buffer": photo})
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
        started = time.perf_counter()
        # The post's answer (a redirect to the list when saved), then the page it leads to, loaded.
        with page.expect_navigation(), page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.click("#save")
        shown = time.perf_counter() - started
        answer = posted.value
        sent = answer.request.timing["responseEnd"] / 1000
        figure(say, f"site form with a {len(photo) / 1024 / 1024:.1f} MB photo on Fast 3G (562.5 ms, 1.44 Mbit/s "
                    f"down, 675 kbit/s up): {sent:.1f} s to send (answer {answer.status}), {shown:.1f} s until the "
                    f"next page shows (the upload alone at 84 375 B/s: {len(photo) / FAST_3G['uploadThroughput']:.1f} s)")
    finally:
        context.close()


def _wait(page, predicate: str, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    """Poll an async JavaScript predicate from here (the page's CSP refuses Playwright's wait_for_function)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the staff worker kept nothing within {timeout_s:.0f} s")
        page.wait_for_timeout(100)


def run(url: str, *, say: Say = print, photo_bytes: int = PHOTO_BYTES, keep: bool = False) -> None:
    """The staff app's figures, in a scratch database <db>_bench_offline with one district staff member."""
    from playwright.sync_api import sync_playwright

    scratch, engine = scratch_database(url, "_bench_offline")
    try:
        with Session(engine) as session, session.begin():
            accounts.create_user(session, USER, PASSWORD, "district_staff", "899")
        with load.gunicorn("webmap:create_app()", scratch, {"SESSION_COOKIE_SECURE": "false"}) as base, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page_weight(browser, base, say)
                upload_time(browser, base, say, photo_bytes)
            finally:
                browser.close()
    finally:
        engine.dispose()
        if not keep:
            admin.drop_database(scratch)
