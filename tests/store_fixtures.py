"""The store on SQLite and on a real PostgreSQL server that these fixtures start themselves (``pytest_plugins``)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import psycopg
import pytest

from tests.live_server import free_port

_databases = count(1)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free port; yields its admin URL (no database part)."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # initdb refuses to run as root: the cluster then belongs to the postgres account.
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    root = Path(tempfile.mkdtemp(prefix="gxllm-pg-"))
    os.chown(root, owner.pw_uid, owner.pw_gid)
    data, port = root / "data", free_port()
    as_owner = {"user": owner.pw_uid, "group": owner.pw_gid, "cwd": root, "capture_output": True}
    subprocess.run(
        [bin_dir / "initdb", "-D", data, "-U", "gxllm", "--auth=trust", "-E", "UTF8", "--no-locale"], check=True, **as_owner
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start"], check=True, **as_owner)
    try:
        yield f"postgresql://gxllm@127.0.0.1:{port}"
    finally:
        subprocess.run([bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"], check=True, **as_owner)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store: a SQLite file, or a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gxllm.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"store_{next(_databases)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
