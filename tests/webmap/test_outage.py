"""A database that cannot be reached: 503 with Retry-After (a JSON body for the API, a page for pages, in the
user's language), then 200 as soon as it answers again. The test's own TCP proxy stands between the app and the
test database and is closed and opened again: the shared PostgreSQL is never stopped."""
from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest
from sqlalchemy import make_url

from tests.conftest import SECRET
from tests.serverkit import free_port
from webmap import create_app


class TcpProxy:
    """Bytes passed both ways between clients on a port of 127.0.0.1 and an upstream address, until closed."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream, self.port = upstream, free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def open(self) -> None:
        """Listen again: new connections reach the upstream."""
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def close(self) -> None:
        """Stop listening and cut every open connection, as a stopped server does."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _cut(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _cut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        _cut(target)


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    url = make_url(database_url)
    tcp = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    tcp.open()
    yield tcp
    tcp.close()


@pytest.fixture
def app_via_proxy(db, database_url: str, proxy: TcpProxy):
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": False})
    yield app
    app.extensions["engine"].dispose()


def test_a_database_outage_is_a_503_with_retry_after_until_it_answers_again(app_via_proxy, proxy):
    client = app_via_proxy.test_client()
    assert client.get("/api/sites").status_code == 200
    assert client.get("/progress?year=2025").status_code == 200

    proxy.close()
    api = client.get("/api/sites")
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.get_json()["error"]["reason"].startswith("Cơ sở dữ liệu tạm thời không trả lời")
    english = client.get("/api/sites?lang=en")
    assert english.status_code == 503 and english.get_json()["error"]["reason"].startswith(
        "The database is not answering for now")
    page = client.get("/progress?year=2025&lang=vi")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert page.mimetype == "text/html" and "hãy thử lại sau 30 giây" in page.get_data(as_text=True)

    proxy.open()
    again = client.get("/api/sites")
    assert again.status_code == 200 and again.get_json()["type"] == "FeatureCollection"
    assert client.get("/progress?year=2025").status_code == 200
