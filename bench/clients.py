"""The clients of the load runs: each of CLIENTS visitors holds one keep-alive connection and asks its part of the
paths one after the other, and every request's time is taken on the client's own clock (aiohttp).

wrk (Debian's 4.1.0), which the runs used before, reports latencies no server gave: against a server answering
97 % of requests at once and 3 % after exactly 2 s, one connection, it printed a median of 129 ms, a 75th
percentile of 1.10 s and a mean of 536 ms where 107 requests in 8 s allow a mean of at most 75 ms. Its counts of
requests were right; its latencies were not. Here each figure can be checked: by Little's law the mean of a run's
latencies is its clients divided by its requests per second, and the run prints both.
"""
from __future__ import annotations

import asyncio
import resource
import statistics
import time

import aiohttp

TIMEOUT_SECONDS = 30


async def _visitor(session: aiohttp.ClientSession, base: str, paths: list[str], first: int, deadline: float,
                   times: list[float], failures: dict[str, int]) -> None:
    """One client: from paths[first] on, one request after the other until deadline; a request asked before the
    deadline is waited for and counted."""
    n = first
    while time.perf_counter() < deadline:
        path = paths[n % len(paths)]
        n += 1
        start = time.perf_counter()
        try:
            async with session.get(base + path) as response:
                await response.read()
                if response.status >= 400:
                    failures["status"] += 1
        except asyncio.TimeoutError:
            failures["timeouts"] += 1
            continue
        except aiohttp.ClientError:
            failures["connection"] += 1
            continue
        times.append(time.perf_counter() - start)


async def _load(base: str, paths: list[str], seconds: float, clients: int, encoding: str | None,
                ) -> tuple[list[float], dict[str, int], float]:
    times: list[float] = []
    failures = {"status": 0, "timeouts": 0, "connection": 0}
    connector = aiohttp.TCPConnector(limit=clients, ttl_dns_cache=None)
    headers = {"Accept-Encoding": encoding} if encoding else {"Accept-Encoding": "identity"}
    async with aiohttp.ClientSession(connector=connector, headers=headers, auto_decompress=False,
                                     timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as session:
        started = time.perf_counter()
        deadline = started + seconds
        # Each client starts at its own place in the paths, so that they do not ask the same paths together.
        await asyncio.gather(*(_visitor(session, base, paths, i * len(paths) // clients, deadline, times, failures)
                               for i in range(clients)))
        return times, failures, time.perf_counter() - started


def run(base: str, paths: list[str], seconds: float, clients: int, encoding: str | None) -> dict[str, float]:
    """CLIENTS clients on base + paths for seconds (the requests asked by then are waited for): rps, mean, p50,
    p95, p99 (ms), requests, errors (of which status ≥ 400, timeouts and failed connections), elapsed seconds,
    little_ms (the mean Little's law gives: clients / rps) and client_cpu (the cores this process used)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    times, failures, elapsed = asyncio.run(_load(base, paths, seconds, clients, encoding))
    after = resource.getrusage(resource.RUSAGE_SELF)
    ms = sorted(t * 1000 for t in times) or [0.0]
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    rps = len(times) / elapsed
    return {"rps": rps, "mean": statistics.fmean(ms), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98],
            "requests": len(times), "errors": sum(failures.values()), **failures, "elapsed": elapsed,
            "little_ms": 1000 * clients / rps if rps else 0.0,
            "client_cpu": (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / elapsed}


def described(result: dict[str, float]) -> str:
    """A run's figures as the benchmark prints them."""
    return (f"{result['rps']:.1f} req/s, p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, "
            f"p99 {result['p99']:.0f} ms, mean {result['mean']:.0f} ms (Little's law: {result['little_ms']:.0f} ms), "
            f"errors {result['errors']:.0f} of {result['requests']:.0f} (status {result['status']:.0f}, timeouts "
            f"{result['timeouts']:.0f}, connections {result['connection']:.0f}), the clients' own CPU "
            f"{result['client_cpu']:.2f} cores")
