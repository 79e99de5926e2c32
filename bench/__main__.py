"""The command line of the measuring tools, called by scripts/bench and scripts/lighthouse:

    python -m bench figures [--sites] [COUNTS…]   (scripts/bench)
    python -m bench lighthouse [--runs N] [URL…]  (scripts/lighthouse)
    python -m bench imports [--rows N] [COUNTS…]  (scripts/bench-imports)
    python -m bench writes [--writes N] [COUNTS…] (scripts/bench-writes)
    python -m bench offline [--photo-mb 5]        (the staff app: page weight with its worker, upload on Fast 3G)
"""
from __future__ import annotations

import click

from bench.scale import PARTS
from webmap.settings import ConfigError, database_url


def _served_database() -> str:
    """DATABASE_URL, checked by the app's own checker; a bad one stops the command with its message."""
    try:
        return database_url()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Figures of the Kiên Giang SCP map measured from outside."""


@cli.command("figures")
@click.option("--sites", "_sites", is_flag=True, help="the site counts follow (default 60 10000)")
@click.option("--scale", is_flag=True, help="the same figures; without counts, 100000 and 1000000 sites")
@click.option("--load-seconds", default=60, show_default=True, help="how long the clients load the server")
@click.option("--clients", default=200, show_default=True, help="how many clients load the server at once")
@click.option("--keep", is_flag=True, help="keep the scratch database <db>_bench (dropped by default)")
@click.option("--only", multiple=True, type=click.Choice(PARTS),
              help="only these parts of the figures (repeatable; default all)")
@click.argument("counts", nargs=-1, type=int)
def figures(_sites: bool, scale: bool, load_seconds: int, clients: int, keep: bool, only: tuple[str, ...],
            counts: tuple[int, ...]) -> None:
    """Every benchmark figure of the map, for each count of generated sites, in a scratch database <db>_bench.

    For each count: the HTML of / and /embed and the size and time of /api/sites?limit=10000 in the app; a z8,
    z11 and z15 tile (median of 20, warm); /progress and /api/progress/summary (median of 5); the throughput of
    /api/sites?bbox=…&limit=10000 beside a bare Flask + psycopg2 app; in headless Chromium, for / and /embed at
    the province and at Rạch Giá on a desktop and at the province on a 390 px phone, the bytes downloaded, the
    time until the first site is drawn and the count shown, the JS heap, the map's and the page's width and a
    screenshot (test-output/bench/); CLIENTS clients on /embed, /api/districts, /api/sites and tiles straight to
    gunicorn and through nginx (deploy/nginx.conf) with its cache HIT ratio; the realistic mix (thousands of
    distinct tiles z8-z16, bboxes, /embed, /progress drawn with a Zipf skew, bench/traffic.py) through nginx after
    a warm-up and straight to gunicorn, with the app's time per kind of path. Every figure line ends with the load
    average. Needs chromium and nginx (Debian packages).
    """
    from bench import scale as harness

    harness.run(_served_database(), list(counts) or ([100_000, 1_000_000] if scale else [60, 10_000]),
                say=click.echo, load_seconds=load_seconds, clients=clients, keep=keep, only=only)


@cli.command("imports")
@click.option("--rows", default=2000, show_default=True, help="rows of the office workbook imported (its title and heading rows included)")
@click.option("--keep", is_flag=True, help="keep the scratch database <db>_bench_import (dropped by default)")
@click.argument("counts", nargs=-1, type=int)
def imports(rows: int, keep: bool, counts: tuple[int, ...]) -> None:
    """The preview and the confirm of an office's workbook of ROWS rows with COUNTS sites already stored
    (default 1 000 000), in a scratch database <db>_bench_import."""
    from bench import imports as harness

    harness.run(_served_database(), list(counts) or [1_000_000], rows, say=click.echo, keep=keep)


@cli.command("writes")
@click.option("--writes", default=200, show_default=True, help="writes of each kind timed")
@click.option("--keep", is_flag=True, help="keep the scratch database <db>_bench_writes (dropped by default)")
@click.argument("counts", nargs=-1, type=int)
def writes(writes: int, keep: bool, counts: tuple[int, ...]) -> None:
    """An insert, a move, a deletion and an approval with COUNTS sites stored (default 1 000 000), with and without
    the summary tables' triggers, and the plans of the statements the triggers run, in a scratch database
    <db>_bench_writes."""
    from bench import writes as harness

    harness.run(_served_database(), list(counts) or [1_000_000], writes, say=click.echo, keep=keep)


@cli.command("offline")
@click.option("--photo-mb", default=5.0, show_default=True, help="size of the random photo sent with the site form")
@click.option("--keep", is_flag=True, help="keep the scratch database <db>_bench_offline (dropped by default)")
def offline(photo_mb: float, keep: bool) -> None:
    """The staff app in headless Chromium at 390x844: the site form's bytes on a first visit, what its service
    worker keeps, and the time to send the form with a photo on DevTools' "Fast 3G", in a scratch database."""
    from bench import offline as harness

    harness.run(_served_database(), say=click.echo, photo_bytes=int(photo_mb * 1024 * 1024), keep=keep)


@cli.command("lighthouse")
@click.option("--runs", default=3, show_default=True, help="runs of each URL; the run of median performance is shown")
@click.argument("urls", nargs=-1)
def lighthouse(runs: int, urls: tuple[str, ...]) -> None:
    """Lighthouse (mobile preset, headless Chromium) of each URL; without one, / and /embed of the app served on
    the served database by gunicorn (deploy/gunicorn.conf.py) on a free port."""
    from bench import lighthouse as audit

    if urls:
        audit.measure(list(urls), runs)
    else:
        audit.measure_served(_served_database(), runs)


if __name__ == "__main__":
    cli(prog_name="python -m bench")
