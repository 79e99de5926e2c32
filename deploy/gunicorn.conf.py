"""gunicorn's settings for scripts/serve: gthread workers, sized by WEB_WORKERS and WEB_THREADS (checked by
webmap.settings, so a bad value stops the server with its name).

A slow request (a report built for the first time, a big export) holds one thread, not a whole worker, so the
map keeps answering meanwhile. Each thread may hold a database connection: WEB_WORKERS x WEB_THREADS must stay
below PostgreSQL's max_connections (per app server).
"""
import os

from webmap import settings

_scale = settings.scale()
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
worker_class = "gthread"
workers = _scale["WEB_WORKERS"]
threads = _scale["WEB_THREADS"]
# A report built for the first time may take several seconds at provincial scale.
timeout = 120
keepalive = 5
accesslog = "-"
# Behind nginx on the same machine (deploy/nginx.conf): trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
