"""1,000 generated reports: a batch killed with SIGKILL in the middle, then re-run, loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from gxllm.store import RecordVersion, Run, StoredDocument, open_store
from tests.generated_reports import generate_reports

REPORTS = 1000
KILL_AFTER = 400
SECTIONS = ("agency", "year", "template", "section2", "section3", "section4")


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as connection:
            return connection.execute("SELECT count(*) FROM record_versions").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def _group_gone(group: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_a_batch_killed_midway_resumes_without_losing_or_duplicating_a_record(tmp_path: Path) -> None:
    golds = generate_reports(tmp_path / "reports", REPORTS, SECTIONS)
    db = tmp_path / "gxllm.db"
    command = [sys.executable, "-m", "gxllm.cli", "batch", str(tmp_path / "reports"), "--db", f"sqlite:///{db}",
               "--workers", "2", "--no-llm"]

    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 150
    while _stored(db) < KILL_AFTER:
        if first.poll() is not None or time.monotonic() > deadline:
            os.killpg(first.pid, signal.SIGKILL)
            pytest.fail(f"the first run ended or stalled before {KILL_AFTER} records: {first.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    os.kill(first.pid, signal.SIGKILL)  # the parent only, as `kill -9 PID` does
    assert first.wait() == -signal.SIGKILL
    first.stderr.close()
    # Its workers notice their parent is gone and leave: nothing keeps running or writing.
    if not _group_gone(first.pid, within=15):
        os.killpg(first.pid, signal.SIGKILL)
        pytest.fail("worker processes outlived the killed batch")
    done_before = _stored(db)
    assert KILL_AFTER <= done_before < REPORTS

    second = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "160"})
    assert second.returncode == 0, second.stderr[-2000:]
    remaining = REPORTS - done_before
    assert f"{remaining}/{remaining}" in second.stderr  # the progress bar, finished
    assert f"{REPORTS} found, {remaining} extracted ({remaining} pages), {done_before} done before, 0 failed" in second.stderr

    sessions = open_store(f"sqlite:///{db}")
    with sessions() as session:
        documents = session.scalars(select(StoredDocument)).all()
        versions = session.scalars(select(RecordVersion)).all()
        assert len(documents) == len(versions) == REPORTS
        assert {d.sha256 for d in documents} == set(golds)
        for document in documents:
            record = document.current_version.record
            assert {key: record[key] for key in SECTIONS} == golds[document.sha256], document.paths[0].path
        killed, finished = session.scalars(select(Run).order_by(Run.id)).all()
        # The killed run's counts were committed with its documents, so they are exact.
        # The second run found the first one's process gone.
        assert (killed.status, killed.extracted) == ("interrupted", done_before)
        assert sum(v.run_id == killed.id for v in versions) == done_before
        assert (finished.status, finished.extracted, finished.skipped) == ("finished", remaining, done_before)
