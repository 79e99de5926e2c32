"""DATABASE_REPLICA_URL with a real streaming replica of the test cluster: the public API reads the replica,
writes and signed-in requests the primary.

The replica is made here: pg_basebackup -R of the test cluster into a temporary directory, started with pg_ctl
on a free port, as the postgres user (the tests run as root, as in CI), and removed afterwards.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import mapbox_vector_tile
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from geo import accounts
from geo.site_store import insert_site
from tests.sitedata import RACH_GIA, site
from tests.staffkit import IN_RACH_GIA, api, feature, make_users
from tests.webmap.test_tiles import path as tile_path


def _as_postgres(*command: str) -> str:
    done = subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"
    return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Replica:
    """A running replica: the test database's URL on it, and its superuser's psql."""

    url: str
    data: Path
    port: int

    def sql(self, statement: str) -> str:
        return _as_postgres("psql", "-h", str(self.data), "-p", str(self.port), "-Atqc", statement, "postgres")


@pytest.fixture
def replica(database_url: str) -> Iterator[Replica]:
    """A hot-standby replica of the test cluster, on a free port, removed afterwards."""
    primary_port = str(make_url(database_url).port or 5432)

    def primary(sql: str) -> str:
        return _as_postgres("psql", "-p", primary_port, "-Atqc", sql)

    major = primary("SHOW server_version_num")[:2]
    bin_dir = Path(f"/usr/lib/postgresql/{major}/bin")
    # Debian allows the postgres user to replicate over the local socket; add the line if this cluster does not.
    hba_file = Path(primary("SHOW hba_file"))
    added_hba = None
    if primary("SELECT count(*) FROM pg_hba_file_rules WHERE type = 'local' AND 'replication' = ANY(database) "
               "AND ('postgres' = ANY(user_name) OR 'all' = ANY(user_name))") == "0":
        added_hba = "local replication postgres peer  # test_replica.py\n"
        with hba_file.open("a") as f:
            f.write(added_hba)
        primary("SELECT pg_reload_conf()")
    data = Path(tempfile.mkdtemp(prefix="scp-map-replica-"))
    shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    port = _free_port()
    try:
        _as_postgres(str(bin_dir / "pg_basebackup"), "-p", primary_port, "-D", str(data), "-R",
                     "--checkpoint=fast", "-X", "stream")
        # Debian keeps the configuration outside the data directory: the replica gets its own, small one.
        # A hot standby needs at least the primary's max_connections.
        settings = {name: primary(f"SHOW {name}") for name in ("max_connections", "max_worker_processes",
                                                               "max_locks_per_transaction", "max_wal_senders",
                                                               "max_prepared_transactions")}
        conf = "\n".join([f"port = {port}", "listen_addresses = '127.0.0.1'", f"unix_socket_directories = '{data}'",
                          "hot_standby = on", "shared_buffers = 32MB", "wal_receiver_status_interval = 1s",
                          *(f"{k} = {v}" for k, v in settings.items())])
        _as_postgres("sh", "-c", f"cat > {data}/postgresql.conf <<'EOF'\n{conf}\nEOF")
        _as_postgres("sh", "-c", f"printf 'local all postgres peer\\nhost all all 127.0.0.1/32 scram-sha-256\\n' "
                                 f"> {data}/pg_hba.conf")
        _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(data / "replica.log"), "-w", "-t", "120",
                     "start")
        yield Replica(make_url(database_url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False),
                      data, port)
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(data, ignore_errors=True)
        if added_hba:
            hba_file.write_text(hba_file.read_text().replace(added_hba, ""))
            primary("SELECT pg_reload_conf()")


def _wait_for(check, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def _public_names(client) -> set[str]:
    return {f["properties"]["name"] for f in client.get("/api/sites").get_json()["features"]}


def _tile_ids(client) -> set[int]:
    """The ids of the sites in the z16 tile around the staff kit's Rạch Giá point, as the public map gets them."""
    response = client.get(tile_path(*IN_RACH_GIA, 16))
    if response.status_code == 204:
        return set()
    return {f["properties"]["id"] for f in mapbox_vector_tile.decode(response.data)["sites"]["features"]}


def test_public_api_reads_the_replica_and_writes_go_to_the_primary(db, database_url, replica):
    from webmap import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "DATABASE_REPLICA_URL": replica.url,
                      "SECRET_KEY": "test-secret-key-not-for-production", "SESSION_COOKIE_SECURE": False})
    replica_engine = app.extensions["replica_engine"]
    client = app.test_client()
    try:
        with replica_engine.connect() as connection:
            assert connection.execute(text("SELECT pg_is_in_recovery()")).scalar() is True
        with app.extensions["engine"].connect() as connection:
            assert connection.execute(text("SELECT pg_is_in_recovery()")).scalar() is False

        # A site written on the primary reaches the public API through replication.
        with Session(db) as session, session.begin():
            insert_site(session, site("Điểm trên bản sao", *RACH_GIA))
        assert _wait_for(lambda: "Điểm trên bản sao" in _public_names(client))

        # With replay paused on the replica, the public API cannot see a new write; its writer and the
        # primary can, at once.
        users = make_users(db)
        with Session(db) as session, session.begin():
            token = accounts.create_token(session, users["planner"].username)
        replica.sql("SELECT pg_wal_replay_pause()")
        created = api(client, "POST", "/api/sites", token, feature("Điểm mới ghi"))
        assert created.status_code == 201, created.get_json()
        site_id = created.get_json()["id"]
        assert api(client, "GET", f"/api/sites/{site_id}", token).status_code == 200
        assert client.get(f"/api/sites/{site_id}").status_code == 404
        assert "Điểm mới ghi" not in _public_names(client)
        assert site_id not in _tile_ids(client)  # the map's tiles read the replica too

        # Replay resumed: the public API shows the write within seconds.
        replica.sql("SELECT pg_wal_replay_resume()")
        assert _wait_for(lambda: "Điểm mới ghi" in _public_names(client))
        assert client.get(f"/api/sites/{site_id}").status_code == 200
        assert site_id in _tile_ids(client)
    finally:
        app.extensions["engine"].dispose()
        replica_engine.dispose()
