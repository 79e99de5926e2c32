"""What a visitor's browser pays for a map page: headless Chromium (Playwright) loads / and /embed from a running
server and counts every byte it downloads, the time until the first site or cluster is drawn and the tab's JS heap."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from webmap.bench import load_average

CHROMIUM = "/usr/bin/chromium"
# No request leaves this machine: the base map's tile servers resolve to nothing and fail at once, so they are
# neither counted nor waited for (a visitor pays for them too, whatever the number of sites).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
# Rạch Giá, the province's capital: the district a visitor of the portal most likely picks.
DISTRICT = "899"
VIEWS = (("/", "province", ""), ("/", "district", f"?district={DISTRICT}"),
         ("/embed", "province", ""), ("/embed", "district", f"?district={DISTRICT}"))

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


def load_page(browser, base: str, path: str, view: str, query: str, timeout_s: float = 120) -> PageLoad:
    """Load path + query in a fresh context (empty cache) and measure it."""
    out = PageLoad(path, view)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
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


def page_loads(base: str, views=VIEWS) -> list[PageLoad]:
    """Each view of / and /embed loaded cold in Chromium from the server at base."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            out = []
            for path, view, query in views:
                # One view that does not settle (at 1 000 000 sites, say) still leaves the others' figures.
                try:
                    out.append(load_page(browser, base, path, view, query))
                except (PlaywrightError, RuntimeError) as error:
                    out.append(PageLoad(path, view, error=str(error).splitlines()[0], load=load_average()))
            return out
        finally:
            browser.close()
