"""The load runs' clients (bench.clients) report the times the server took: against a server that answers one path
in twenty after a second and the others at once, the median is a quick answer, the slow answers are the slowest
percent, and every answer the server gave is counted once."""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import clients

SLOW_SECONDS = 1.0


class _Answers(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as nginx and gunicorn answer
    answered = 0
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.startswith("/slow"):
            time.sleep(SLOW_SECONDS)
        body = b"x" * 1000
        with self.lock:  # counted before the answer leaves, so the client cannot finish before the count
            type(self).answered += 1
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


@contextlib.contextmanager
def server() -> Iterator[tuple[str, type[_Answers]]]:
    answers = type("Answers", (_Answers,), {"answered": 0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), answers)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", answers
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_clients_report_the_servers_own_times_and_count_every_answer():
    paths = ["/slow"] + [f"/quick/{i}" for i in range(19)]
    with server() as (base, answers):
        result = clients.run(base, paths, 3, 4, "gzip, br")
        answered = answers.answered
    assert result["requests"] == answered > 20
    assert result["errors"] == 0
    # The quick answers: the middle of the distribution, far below the slow one.
    assert result["p50"] < SLOW_SECONDS * 1000 / 2
    # One path in twenty waits a second: they are the slowest percent, and none is shorter than the wait.
    assert result["p99"] >= SLOW_SECONDS * 1000
    # Every client was busy at most the whole run (Little's law).
    assert result["mean"] <= result["little_ms"] * 1.0001


def test_refusals_are_counted_as_errors_of_their_kind():
    with server() as (base, _):
        result = clients.run(base, ["/missing", "/quick"], 1, 2, None)
    assert result["status"] > 0 and result["errors"] == result["status"]
    assert result["timeouts"] == 0 and result["connection"] == 0
