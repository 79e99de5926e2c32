"""deploy/gunicorn.conf.py as gunicorn reads it: its server settings, and a control socket of each server's own
inside the checkout, so that two servers on one machine do not remove each other's."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"
# What gunicorn makes of the file (its own Config, loaded as the command line loads it), printed as lines.
EFFECTIVE = ("import sys; from gunicorn.app.wsgiapp import WSGIApplication; "
             "sys.argv = ['gunicorn', '--config', sys.argv[1], 'webmap:create_app()']; cfg = WSGIApplication().cfg; "
             "print(cfg.control_socket, cfg.control_socket_disable, *cfg.bind, cfg.workers, cfg.threads, sep='\\n')")


def effective(**env: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", EFFECTIVE, str(CONF)], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_control_socket_is_in_the_checkout_named_by_the_port():
    control, disabled, bind, workers, threads = effective(PORT="8123", WEB_WORKERS="3", WEB_THREADS="4")
    assert Path(control) == ROOT / ".local" / "gunicorn-8123.ctl"
    assert (disabled, bind, workers, threads) == ("False", "127.0.0.1:8123", "3", "4")


def test_a_bad_server_setting_stops_gunicorn_naming_it():
    done = subprocess.run([sys.executable, "-c", EFFECTIVE, str(CONF)], cwd=ROOT,
                          env={**os.environ, "WEB_WORKERS": "many"}, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "WEB_WORKERS must be a whole number, got 'many'" in done.stderr


def answers(path: Path) -> bool:
    """Whether a server listens on the Unix socket at path."""
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True


@contextmanager
def server(database_url: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    """gunicorn with deploy/gunicorn.conf.py on a free port, once its control socket answers: (process, socket)."""
    port = free_port()
    control = ROOT / ".local" / f"gunicorn-{port}.ctl"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(CONF), "--access-logfile", "/dev/null",
         "webmap:create_app()"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "PORT": str(port), "WEB_WORKERS": "1",
             "WEB_THREADS": "1"})
    try:
        # Waits for the socket (the control server starts after the workers), for at most 60 s.
        for _ in range(600):
            if answers(control):
                break
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                pass
        assert answers(control), f"no control socket at {control} after 60 s"
        yield process, control
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_two_servers_keep_their_own_control_sockets_when_one_stops(database_url):
    with server(database_url) as (first, first_socket), server(database_url) as (second, second_socket):
        assert first_socket != second_socket
        first.terminate()
        first.wait(timeout=60)
        assert not first_socket.exists()
        assert answers(second_socket), "stopping one server removed the other's control socket"
