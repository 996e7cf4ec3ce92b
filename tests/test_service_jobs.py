"""Upload jobs: run on a small pool of worker processes with the batch's per-document timeout, never
left running after their server died, never failing on an identical upload, their errors one line."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gxllm.batch.work import Worker
from gxllm.service.app import create_app
from gxllm.settings import Settings
from gxllm.store import Failure, StoredDocument, Task, open_store, start_run, writing
from tests.live_server import live_server
from tests.service_reports import SEEDS, ReviewStore

# The flagged store: the fixtures filled_store and review_store.
pytest_plugins = ["tests.service_fixtures"]

REPORT = SEEDS / "lianyun-kjj-2024.txt"


def _blank_pdf(path: Path, pages: int) -> Path:
    """A PDF of blank pages: every page goes to OCR, about half a second each, and no text is found."""
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    pdf.save(path)
    return path


def _client(review_store: ReviewStore, tmp_path: Path, settings: Settings) -> TestClient:
    app = create_app(review_store.url, uploads=tmp_path / "uploads", settings=settings)
    return TestClient(app, headers={"Authorization": f"Bearer {review_store.token}"}, raise_server_exceptions=False)


def _upload(client: TestClient | httpx.Client, path: Path, name: str | None = None) -> httpx.Response:
    return client.post("/api/documents", files={"file": (name or path.name, path.read_bytes(), "application/octet-stream")})


def test_identical_uploads_at_once_all_become_jobs_of_one_record(review_store: ReviewStore, tmp_path: Path) -> None:
    with _client(review_store, tmp_path, Settings()) as client:
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda _: _upload(client, REPORT), range(16)))
        assert Counter(answer.status_code for answer in answers) == {202: 16}
        assert client.app.state.jobs.wait_idle(timeout=120)
        jobs = [client.get(f"/api/jobs/{answer.json()['id']}").json() for answer in answers]
    assert {job["state"] for job in jobs} == {"finished"}
    assert len({job["record_id"] for job in jobs}) == 1
    kept = [path for path in (tmp_path / "uploads").rglob("*") if path.is_file()]
    assert [path.read_bytes() for path in kept] == [REPORT.read_bytes()]


def test_a_slow_upload_times_out_alone_while_the_next_one_finishes(review_store: ReviewStore, tmp_path: Path) -> None:
    settings = Settings(document_timeout_s=3, upload_workers=2)
    slow = _blank_pdf(tmp_path / "blank.pdf", pages=40)  # some 20 s of OCR
    started = time.monotonic()
    with _client(review_store, tmp_path, settings) as client:
        slow_job = _upload(client, slow).json()
        quick_job = _upload(client, REPORT).json()
        assert client.app.state.jobs.wait_idle(timeout=60)
        took = time.monotonic() - started
        slow_job = client.get(f"/api/jobs/{slow_job['id']}").json()
        quick_job = client.get(f"/api/jobs/{quick_job['id']}").json()
    assert (quick_job["state"], quick_job["error"]) == ("finished", None)
    assert (slow_job["state"], slow_job["error"]) == ("failed", "took longer than 3 s")
    assert took < 15


def test_an_unexpected_error_is_one_line_for_the_user_and_a_traceback_in_the_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("maximum recursion depth exceeded\nwhile calling a Python object")

    monkeypatch.setattr("gxllm.batch.work.extract", broken)
    with caplog.at_level(logging.ERROR, logger="gxllm.batch.work"):
        outcome = Worker(Settings()).process(Task(path=str(REPORT), sha256="0" * 64, size_bytes=1))
    assert (outcome.error_type, outcome.message) == ("RuntimeError", "maximum recursion depth exceeded")
    assert "Traceback" in caplog.text and "broken" in caplog.text


def test_a_job_of_a_killed_server_is_shown_interrupted_then_taken_up_again(review_store: ReviewStore, tmp_path: Path) -> None:
    slow = _blank_pdf(tmp_path / "blank.pdf", pages=8)
    headers = {"Authorization": f"Bearer {review_store.token}"}
    with live_server(review_store.url, tmp_path) as (base, server), httpx.Client(base_url=base, headers=headers) as client:
        job = _upload(client, slow).json()
        deadline = time.monotonic() + 30
        while client.get(f"/api/jobs/{job['id']}").json()["state"] != "running":
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.1)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()

    status = subprocess.run([sys.executable, "-m", "gxllm.cli", "batch", "--status", "--db", review_store.url],
                            capture_output=True, text=True, check=True)
    assert f"run {job['id']} (upload): interrupted" in status.stdout

    with live_server(review_store.url, tmp_path) as (base, _server), httpx.Client(base_url=base, headers=headers) as client:
        deadline = time.monotonic() + 60
        while (state := client.get(f"/api/jobs/{job['id']}").json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the job was not taken up again"
            time.sleep(0.2)
    assert state["state"] == "failed"
    assert state["error"] == "no text on any of the 8 pages, by text layer or OCR"


def test_a_job_on_an_app_set_up_wrong_fails_with_the_reason_and_fails_no_document(
    review_store: ReviewStore, tmp_path: Path
) -> None:
    # The app's settings, not the workers' environment: they name a model that is not there.
    settings = Settings(llm_runtime="llamacpp", llm_model="qwen-7b")
    report = tmp_path / "report.txt"
    report.write_bytes(REPORT.read_bytes() + b"\n")  # content the store does not hold yet
    with _client(review_store, tmp_path, settings) as client:
        job = _upload(client, report).json()
        assert client.app.state.jobs.wait_idle(timeout=60)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "failed" and job["error"].startswith("no model named 'qwen-7b': use one of")
    with open_store(review_store.url)() as session:
        assert session.scalar(select(StoredDocument).where(StoredDocument.sha256 == hashlib.sha256(report.read_bytes()).hexdigest())) is None
        failure = session.scalar(select(Failure).where(Failure.run_id == job["id"]))
        assert (failure.error_type, failure.document_id) == ("ConfigError", None)


def test_a_job_whose_upload_went_away_fails_with_the_reason_not_the_server_path(review_store: ReviewStore, tmp_path: Path) -> None:
    gone = tmp_path / "uploads" / ("0" * 64) / "report.txt"
    with writing(open_store(review_store.url)) as session:
        run = start_run(session, kind="upload", inputs=[str(gone)])
        run.status, run.owner = "interrupted", None  # its server died; the file was cleaned away since
        run_id = run.id
    with _client(review_store, tmp_path, Settings()) as client:
        assert client.app.state.jobs.wait_idle(timeout=60)
        job = client.get(f"/api/jobs/{run_id}").json()
    assert (job["state"], job["error"]) == ("failed", "No such file or directory")
