"""What a visitor's browser pays for a map page: headless Chromium (Playwright) loads / and /embed from a running
server and counts every byte it downloads, the time until the first site or cluster is drawn and the tab's JS heap."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench import ROOT, load_average

CHROMIUM = "/usr/bin/chromium"
# No request leaves this machine: the base map's tile servers resolve to nothing and fail at once, so they are
# neither counted nor waited for (a visitor pays for them too, whatever the number of sites).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
# Rạch Giá, the province's capital: the district a visitor of the portal most likely picks.
DISTRICT = "899"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# page, view, query, screen: the province and Rạch Giá on a desktop, and the province on a phone.
VIEWS = (("/", "province", "", DESKTOP), ("/", "district", f"?district={DISTRICT}", DESKTOP),
         ("/", "phone", "", PHONE), ("/embed", "province", "", DESKTOP),
         ("/embed", "district", f"?district={DISTRICT}", DESKTOP), ("/embed", "phone", "", PHONE))
# Where each view's screenshot goes, to be looked at: the map with the count shown, at its screen's size.
SHOTS = ROOT / "test-output" / "bench"

# Runs before the page's own scripts (injected by the DevTools protocol, which the page's CSP does not govern):
# notes the time since navigation start at which the first site point or cluster enters the page, and at which
# the page marks its count shown (body[data-sites-loaded], set with the count's text).
_WATCH_SITES = """
(() => {
  const observer = new MutationObserver(() => {
    if (window.__benchSitesDrawn === undefined && document.querySelector('.site-point, .site-cluster')) {
      window.__benchSitesDrawn = performance.now();
    }
    if (window.__benchCountShown === undefined && document.body && document.body.hasAttribute('data-sites-loaded')) {
      window.__benchCountShown = performance.now();
    }
    if (window.__benchSitesDrawn !== undefined && window.__benchCountShown !== undefined) observer.disconnect();
  });
  observer.observe(document, {childList: true, subtree: true, attributes: true,
                              attributeFilter: ['data-sites-loaded']});
})();
"""
_SETTLED = ("window.__benchSitesDrawn !== undefined && window.__benchCountShown !== undefined"
            " && window.scpSiteLayer && !window.scpSiteLayer.isLoading()")


@dataclass
class PageLoad:
    """One cold load of a map page: what went over the network, and when the sites showed."""
    path: str
    view: str
    requests: int = 0
    bytes: int = 0
    tiles: int = 0
    tile_bytes: int = 0
    api_bytes: int = 0
    sites_drawn_s: float = 0.0
    count_shown_s: float = 0.0
    heap_bytes: int = 0
    screen_width: int = 0
    map_width: int = 0
    page_width: int = 0
    screenshot: str = ""
    load: str = ""
    error: str = ""
    urls: dict[str, str] = field(default_factory=dict)


def _wait(page, condition: str, timeout_s: float) -> None:
    """Poll a JavaScript condition from here (the page's CSP refuses Playwright's wait_for_function)."""
    for _ in range(int(timeout_s * 10)):
        if page.evaluate(f"() => Boolean({condition})"):
            return
        page.wait_for_timeout(100)
    raise RuntimeError(f"the page did not show its sites within {timeout_s:.0f} s: {page.url}")


def load_page(browser, base: str, path: str, view: str, query: str, screen: dict[str, int] = DESKTOP,
              timeout_s: float = 120, shot: Path | None = None) -> PageLoad:
    """Load path + query in a fresh context (empty cache) on a screen of that size and measure it; with shot, save
    a screenshot there once the sites and the count show."""
    out = PageLoad(path, view, screen_width=screen["width"])
    phone = screen["width"] < 600
    context = browser.new_context(viewport=screen, locale="vi-VN", is_mobile=phone, has_touch=phone)
    try:
        page = context.new_page()
        page.add_init_script(_WATCH_SITES)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Performance.enable")
        cdp.on("Network.requestWillBeSent", lambda e: out.urls.setdefault(e["requestId"], e["request"]["url"]))
        sizes: dict[str, int] = {}
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        page.goto(base + path + query, wait_until="commit", timeout=timeout_s * 1000)
        _wait(page, _SETTLED, timeout_s)
        page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
        out.sites_drawn_s = page.evaluate("() => window.__benchSitesDrawn") / 1000
        out.count_shown_s = page.evaluate("() => window.__benchCountShown") / 1000
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        out.heap_bytes = int(metrics["JSHeapUsedSize"])
        # What a visitor would see break on a small screen: the map narrower than the screen, or a page that scrolls
        # sideways.
        out.map_width = round(page.evaluate("() => document.querySelector('.folium-map').getBoundingClientRect().width"))
        out.page_width = page.evaluate("() => document.documentElement.scrollWidth")
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
            out.screenshot = str(shot.relative_to(SHOTS.parents[1]))
        for request_id, size in sizes.items():
            url = urlsplit(out.urls.get(request_id, ""))
            out.requests += 1
            out.bytes += int(size)
            if url.path.startswith("/tiles/"):
                out.tiles += 1
                out.tile_bytes += int(size)
            elif url.path.startswith("/api/"):
                out.api_bytes += int(size)
        out.load = load_average()
    finally:
        context.close()
    return out


def page_loads(base: str, views=VIEWS, shots: str = "") -> list[PageLoad]:
    """Each view of / and /embed loaded cold in Chromium from the server at base; with shots, a name for the
    screenshots (in SHOTS, one per view)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            out = []
            for path, view, query, screen in views:
                shot = SHOTS / f"{shots}{path.strip('/') or 'map'}-{view}.png" if shots else None
                # One view that does not settle (at 1 000 000 sites, say) still leaves the others' figures.
                try:
                    out.append(load_page(browser, base, path, view, query, screen, shot=shot))
                except (PlaywrightError, RuntimeError) as error:
                    out.append(PageLoad(path, view, error=str(error).splitlines()[0], load=load_average()))
            return out
        finally:
            browser.close()
