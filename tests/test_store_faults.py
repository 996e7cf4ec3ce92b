"""A store that is damaged, on a read-only folder or on a full disk: batch, export, serve and users say
so in one line naming the store (no traceback), and what the store held is still there, whole.

The read-only folder and the full disk are real: small tmpfs mounts (the tests need to be allowed to
mount; they are skipped, saying so, where they are not)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEEDS
from tests.live_server import free_port, live_server
from tests.service_reports import ReviewStore, copy_store

# The flagged store: the fixtures filled_store and review_store.
pytest_plugins = ["tests.service_fixtures"]

DISK_BYTES = 2 * 1024 * 1024

COMMANDS = {
    "batch": ["batch", str(SEEDS), "--no-llm"],
    "batch --status": ["batch", "--status"],
    "export": ["export", "--format", "jsonl", "--out", "{out}/records.jsonl"],
    "users list": ["users", "list"],
    "users add": ["users", "add", "zed", "--password-stdin"],
    "users token": ["users", "token", "alice"],
    "users disable": ["users", "disable", "bob"],
    "serve": ["serve", "--port", "{port}", "--uploads", "{out}/uploads"],
}


def _contents(db: Path) -> dict[str, list[tuple]]:
    """Every row the store holds that matters, read without writing anything (immutable)."""
    with closing(sqlite3.connect(f"file:{db}?immutable=1", uri=True)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("documents", "record_versions", "flags", "review_decisions", "users", "api_tokens", "runs")
        }


def _run(command: list[str], store_url: str, out: Path) -> subprocess.CompletedProcess[str]:
    argv = [part.format(out=out, port=free_port()) for part in command]
    return subprocess.run([sys.executable, "-m", "gxllm.cli", *argv, "--db", store_url], input="pw\n",
                          capture_output=True, text=True, timeout=120, check=False)


def _one_line(result: subprocess.CompletedProcess[str], store_url: str, reason: str) -> None:
    assert result.returncode == 1, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("batch ")]
    assert lines == [f"gxllm: {store_url}: {reason}"], result.stderr[-3000:]
    assert "Traceback" not in result.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB file system (tmpfs) mounted for one test."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mount_point)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _store_on(folder: Path, review_store: ReviewStore) -> tuple[ReviewStore, Path]:
    store = copy_store(review_store, folder)
    return store, Path(store.url.removeprefix("sqlite:///"))


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_damaged_store_file_is_named_in_one_line_and_left_as_it_was(
    review_store: ReviewStore, tmp_path: Path, command: str
) -> None:
    (tmp_path / "damaged").mkdir()
    store, db = _store_on(tmp_path / "damaged", review_store)
    damaged = b"this is no SQLite file " * 10 + db.read_bytes()[230:]
    db.write_bytes(damaged)
    result = _run(COMMANDS[command], store.url, tmp_path)
    _one_line(result, store.url, "file is not a database")
    assert db.read_bytes() == damaged


def _read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


def _fill(disk: Path) -> Path:
    """Take every free byte of ``disk``."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as stream:
        for chunk in (65536, 4096, 1):  # then what is left, down to the last byte
            try:
                while stream.write(b"\0" * chunk):
                    pass
            except OSError:
                continue
    return filler


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("fault", "reason"),
    [(_read_only, "unable to open database file (its folder {disk} is read-only)"),
     (_fill, "disk I/O error (the disk holding {disk} is full)")],
    ids=["read-only-folder", "full-disk"],
)
def test_a_store_on_a_read_only_or_full_disk_is_named_in_one_line_and_kept(
    review_store: ReviewStore, small_disk: Path, tmp_path: Path, command: str, fault: Callable[[Path], object], reason: str
) -> None:
    store, db = _store_on(small_disk, review_store)
    before = _contents(db)
    fault(small_disk)
    result = _run(COMMANDS[command], store.url, tmp_path)
    _one_line(result, store.url, reason.format(disk=small_disk))
    assert _contents(db) == before


def test_a_disk_filling_under_a_running_server_gives_503_then_works_again(
    review_store: ReviewStore, small_disk: Path, tmp_path: Path
) -> None:
    store, db = _store_on(small_disk, review_store)
    before = _contents(db)
    record_id = store.ids["haian-kjj-2019.s4-total"]
    headers = {"Authorization": f"Bearer {store.token}"}
    with live_server(store.url, tmp_path) as (base, server), httpx.Client(base_url=base, headers=headers) as client:
        record = client.get(f"/api/records/{record_id}").json()
        decision = {"version": record["version"], "fingerprint": record["flags"][0]["flag"]["fingerprint"],
                    "decision": "corrected", "cell": "section2.licensing.decisions", "value": 7}
        filler = _fill(small_disk)
        refused = client.post(f"/api/records/{record_id}/decisions", json=decision)
        assert refused.status_code == 503
        assert refused.json()["detail"].startswith("存储暂不可用：database or disk is full")
        assert "content-security-policy" in refused.headers
        assert client.get(f"/api/records/{record_id}").json()["version"] == record["version"]
        filler.unlink()
        saved = client.post(f"/api/records/{record_id}/decisions", json=decision)
        assert saved.status_code == 200, saved.text
        assert server.poll() is None
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" in log and "database or disk is full" in log  # the details are the server's
    after = _contents(db)  # the server has stopped: everything is in the file
    assert after["documents"][0][:3] == before["documents"][0][:3]
    assert len(after["record_versions"]) == len(before["record_versions"]) + 1
    assert len(after["review_decisions"]) == len(before["review_decisions"]) + 1
