"""Lighthouse figures of the map pages (scripts/lighthouse): mobile performance, accessibility, LCP, TBT, CLS and
the bytes a page transfers, with the machine's load. Prints figures; asserts nothing.

Lighthouse comes from npm into a cache directory of its own the first time (not into the front-end files the app
serves); Chromium is Debian's.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from bench import load

# The last Lighthouse that runs on Debian's Node.js 20 (13.x wants Node.js 22).
VERSION = "12.8.2"
CACHE = Path(os.environ.get("LIGHTHOUSE_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scp-map-lighthouse")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = ("/", "/embed")


def lighthouse_command() -> Path:
    """The lighthouse program of the cache, installed from npm when missing or of another version."""
    installed = CACHE / "node_modules" / "lighthouse" / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != VERSION:
        print(f"installing Lighthouse {VERSION} into {CACHE} (once)", flush=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--loglevel=error",
                        f"lighthouse@{VERSION}"], check=True)
    return CACHE / "node_modules" / ".bin" / "lighthouse"


def figures(report: dict) -> dict[str, float]:
    """The figures of one Lighthouse report (mobile preset): scores out of 100, times in ms, bytes."""
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "requests": len(audits["network-requests"]["details"]["items"]),
        "render_blocking": len((audits["render-blocking-resources"].get("details") or {}).get("items", [])),
    }


def run_once(program: Path, url: str) -> dict[str, float]:
    """One Lighthouse run of url, mobile (its default), headless."""
    done = subprocess.run(
        [str(program), url, "--output=json", "--output-path=stdout", "--quiet",
         "--only-categories=performance,accessibility",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"],
        env={**os.environ, "CHROME_PATH": CHROME}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"Lighthouse failed on {url}: {done.stderr.strip()[-600:]}")
    return figures(json.loads(done.stdout))


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run of median performance (Lighthouse's own advice for several runs)."""
    ordered = sorted(runs, key=lambda r: r["performance"])
    return ordered[len(ordered) // 2]


def line(url: str, f: dict[str, float], runs: list[dict[str, float]]) -> str:
    every = ", ".join(f"{r['performance']:.0f}" for r in runs)
    return (f"{url}: performance {f['performance']:.0f} (runs: {every}), accessibility {f['accessibility']:.0f}, "
            f"FCP {f['fcp_ms'] / 1000:.2f} s, LCP {f['lcp_ms'] / 1000:.2f} s, TBT {f['tbt_ms']:.0f} ms, "
            f"CLS {f['cls']:.3f}, {f['bytes']:,.0f} bytes in {f['requests']} requests, "
            f"{f['render_blocking']} render-blocking  (median of {len(runs)}; load {os.getloadavg()[0]:.2f})")


def measure(urls: list[str], runs: int) -> None:
    """Print the median figures of each URL."""
    program = lighthouse_command()
    for url in urls:
        done = [run_once(program, url) for _ in range(runs)]
        print(line(url, median_run(done), done), flush=True)


def measure_served(url: str, runs: int) -> None:
    """Print the median figures of / and /embed of the app on the database at url, served as scripts/serve does."""
    with load.gunicorn("webmap:create_app()", url) as base:
        measure([base + path for path in PAGES], runs)
