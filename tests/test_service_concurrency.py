"""One store under concurrent use, on SQLite and PostgreSQL, through a real ``gxllm serve``: two reviewers
racing on a record get 200 and 409 (API) or 303 and 409 (form); a burst of decisions from several clients
while a batch writes to the same store gives no 5xx, loses no decision and leaves the audit trail complete,
and the batch finishes."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from functools import partial
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from gxllm.store import StoredDocument, open_store
from tests.generated_reports import generate_reports
from tests.live_server import live_server
from tests.service_reports import PASSWORD, ReviewStore, fill_store

# The store_url fixture: SQLite, and PostgreSQL on a server the tests start.
pytest_plugins = ["tests.store_fixtures"]

# A cell no sum rule reads: correcting it again and again keeps the record's flags (and their fingerprints).
FREE_CELL = "section2.licensing.decisions"
RACES = 10
CLIENTS = 4
DECISIONS_PER_CLIENT = 50
BATCH_REPORTS = 60


@pytest.fixture
def served(store_url: str, tmp_path: Path) -> Iterator[tuple[str, ReviewStore]]:
    store = fill_store(tmp_path, store_url)
    with live_server(store.url, tmp_path) as (base, _server):
        yield base, store


def _api(base: str, store: ReviewStore) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {store.token}"}, timeout=60)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _logged_in(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/login")
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": _csrf(form.text), "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


def _at_once(*calls: Callable[[], int]) -> list[int]:
    """Run ``calls`` on threads released together; their answers' status codes, sorted."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], int]) -> int:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return sorted(pool.map(released, calls))


def _corrected_values(client: httpx.Client, record_id: int) -> list[int]:
    audit = client.get(f"/api/records/{record_id}").json()["audit"]
    return [entry["new"] for entry in audit if entry["decision"] == "corrected"]


def _correct(client: httpx.Client, record_id: int, fingerprint: str, version: int, value: int) -> int:
    decision = {"version": version, "fingerprint": fingerprint, "decision": "corrected", "cell": FREE_CELL, "value": value}
    return client.post(f"/api/records/{record_id}/decisions", json=decision).status_code


def _correct_by_form(client: httpx.Client, page: str, record_id: int, fingerprint: str, value: int) -> int:
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": _csrf(page), "version": version, "action": "correct", "path": FREE_CELL, "value": str(value)}
    return client.post(f"/records/{record_id}/flags/{fingerprint}", data=form).status_code


def test_two_reviewers_deciding_at_once_get_200_and_409(served: tuple[str, ReviewStore]) -> None:
    base, store = served
    record_id = next(iter(store.ids.values()))
    with _api(base, store) as client:
        fingerprint = client.get(f"/api/records/{record_id}").json()["flags"][0]["flag"]["fingerprint"]
        winners = []
        for race in range(RACES):
            version = client.get(f"/api/records/{record_id}").json()["version"]
            both = [partial(_correct, client, record_id, fingerprint, version, 2 * race + i) for i in (0, 1)]
            assert _at_once(*both) == [200, 409]
            winners.append(client.get(f"/api/records/{record_id}").json()["record"]["section2"]["licensing"]["decisions"])
        assert _corrected_values(client, record_id) == winners


def test_two_reviewers_deciding_at_once_by_form_get_303_and_409(served: tuple[str, ReviewStore]) -> None:
    base, store = served
    record_id = next(iter(store.ids.values()))
    with closing(_logged_in(base, "alice")) as alice, closing(_logged_in(base, "bob")) as bob, _api(base, store) as api:
        fingerprint = api.get(f"/api/records/{record_id}").json()["flags"][0]["flag"]["fingerprint"]
        for race in range(RACES):
            both = [partial(_correct_by_form, client, client.get(f"/records/{record_id}").text, record_id, fingerprint, 2 * race + i)
                    for i, client in enumerate((alice, bob))]
            assert _at_once(*both) == [303, 409]
        assert len(_corrected_values(api, record_id)) == RACES


def _batch(store_url: str, folder: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "gxllm.cli", "batch", str(folder), "--db", store_url, "--no-llm"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _documents(store_url: str) -> int:
    sessions = open_store(store_url)
    with sessions() as session:
        count = session.scalar(select(func.count()).select_from(StoredDocument).where(StoredDocument.current_version_id.is_not(None)))
    sessions.kw["bind"].dispose()
    return count or 0


def test_a_burst_of_decisions_beside_a_batch_loses_nothing(served: tuple[str, ReviewStore], tmp_path: Path) -> None:
    base, store = served
    generate_reports(tmp_path / "reports", BATCH_REPORTS, ("year",))
    before = _documents(store.url)
    batch = _batch(store.url, tmp_path / "reports")
    # The burst starts once the batch is writing.
    deadline = time.monotonic() + 60
    while (stored := _documents(store.url)) == before and batch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert before < stored < before + BATCH_REPORTS  # the batch is writing as the burst starts
    records = list(store.ids.values())
    with _api(base, store) as client:
        fingerprints = {i: client.get(f"/api/records/{i}").json()["flags"][0]["flag"]["fingerprint"] for i in records}

    def reviewer(number: int) -> tuple[Counter[int], dict[int, list[int]]]:
        """One client deciding on the records in turn; the status codes, and the values saved per record."""
        statuses: Counter[int] = Counter()
        saved: dict[int, list[int]] = {i: [] for i in records}
        versions = dict.fromkeys(records, 1)
        with _api(base, store) as client:
            for turn in range(DECISIONS_PER_CLIENT):
                record_id = records[turn % len(records)]
                value = number * 1000 + turn
                decision = {"version": versions[record_id], "fingerprint": fingerprints[record_id],
                            "decision": "corrected", "cell": FREE_CELL, "value": value}
                answer = client.post(f"/api/records/{record_id}/decisions", json=decision)
                statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    saved[record_id].append(value)
                    versions[record_id] = answer.json()["version"]
                elif answer.status_code == 409:
                    versions[record_id] = answer.json()["detail"]["version"]
        return statuses, saved

    with ThreadPoolExecutor(CLIENTS) as pool, _api(base, store) as uploader:
        # An upload too, extracted and stored while the decisions and the batch write.
        upload = (tmp_path / "reports" / "00" / "report-0000.txt").read_bytes().replace("。".encode(), "；".encode(), 1)
        job = uploader.post("/api/documents", files={"file": ("upload.txt", upload, "text/plain")}).json()
        results = list(pool.map(reviewer, range(CLIENTS)))
        deadline = time.monotonic() + 60
        while (job := uploader.get(f"/api/jobs/{job['id']}").json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the upload job never ended"
            time.sleep(0.1)
    assert (job["state"], job["error"]) == ("finished", None) and job["record_id"] is not None
    batch_error = batch.communicate(timeout=120)[1]

    statuses = sum((counts for counts, _ in results), Counter())
    assert set(statuses) <= {200, 409}, statuses
    assert statuses.total() == CLIENTS * DECISIONS_PER_CLIENT
    assert statuses[200] > len(records)
    with _api(base, store) as client:
        for record_id in records:
            saved = sorted(value for _, by_record in results for value in by_record[record_id])
            assert sorted(_corrected_values(client, record_id)) == saved
    assert batch.returncode == 0, batch_error[-3000:]
    assert f"{BATCH_REPORTS} found, {BATCH_REPORTS} extracted" in batch_error
    assert _documents(store.url) == before + BATCH_REPORTS + 1  # and the upload
