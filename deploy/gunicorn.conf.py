"""gunicorn's settings for scripts/serve: gthread workers, sized by WEB_WORKERS and WEB_THREADS, listening on
HOST:PORT (all checked by webmap.settings, so a bad value stops the server with its name).

A slow request (a report built for the first time, a big export) holds one thread, not a whole worker, so the
map keeps answering meanwhile. Each thread may hold a database connection: WEB_WORKERS x WEB_THREADS must stay
below PostgreSQL's max_connections (per app server).
"""
import os
from pathlib import Path

from webmap import settings

_server = settings.server()
bind = f"{_server['HOST']}:{_server['PORT']}"
worker_class = "gthread"
workers = _server["WEB_WORKERS"]
threads = _server["WEB_THREADS"]
# gunicorn's control socket (gunicornc) is one per user by default ($HOME/.gunicorn/gunicorn.ctl), and a server
# that stops removes it: another checkout's server, or this one's on another port, would lose its own. Each
# server keeps its own in this checkout's .local/, named by its port.
control_socket = str(Path(__file__).resolve().parent.parent / ".local" / f"gunicorn-{_server['PORT']}.ctl")
# A report built for the first time may take several seconds at provincial scale.
timeout = 120
keepalive = 5
accesslog = "-"
# Behind nginx on the same machine (deploy/nginx.conf): trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
