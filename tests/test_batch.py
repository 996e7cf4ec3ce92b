"""`gxllm batch`: every report once, resumable by content, one bad file never stops the rest."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from gxllm.batch import run_batch
from gxllm.batch.inputs import content_hash, discover
from gxllm.batch.work import Worker
from gxllm.cli import app
from gxllm.pipeline import extract, read_normalized
from gxllm.read import Source
from gxllm.settings import Settings
from gxllm.store import Failure, RecordVersion, Run, StoredDocument, Task, open_store
from tests.conftest import SEEDS
from tests.generated_reports import generate_reports

SEED_NAMES = sorted(path.stem for path in SEEDS.glob("*.txt"))


def _inputs(tmp_path: Path) -> Path:
    """The five seeds, one of them twice (another folder, same bytes), two bad files and a gold file."""
    folder = tmp_path / "in"
    (folder / "more").mkdir(parents=True)
    for name in SEED_NAMES:
        shutil.copy(SEEDS / f"{name}.txt", folder / f"{name}.txt")
    shutil.copy(SEEDS / "yindu-kjj-2024.txt", folder / "more" / "copy.txt")
    shutil.copy(SEEDS / "yindu-kjj-2024.gold.json", folder / "more" / "yindu.gold.json")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "letter.txt").write_text("尊敬的各位同事：明天上午九点开会，请准时参加。", encoding="utf-8")
    return folder


def _count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_discovery_walks_folders_for_reports_only_and_keeps_named_files(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.txt").write_text("x", encoding="utf-8")
    named = tmp_path / "notes.docx"
    named.write_bytes(b"PK")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([folder, named])]
    folder_reports = ["empty.txt", "letter.txt", "more/copy.txt", *[f"{name}.txt" for name in SEED_NAMES]]
    assert found == [f"in/{name}" for name in sorted(folder_reports)] + ["notes.docx"]


def _no_scratch(*args: object, **kwargs: object) -> None:
    raise AssertionError("a scratch file or folder was made")


def test_a_worker_given_the_bytes_reads_them_under_the_tasks_path_and_writes_no_file(monkeypatch) -> None:
    data = (SEEDS / "lianyun-gov-2024.txt").read_bytes()
    monkeypatch.setattr("tempfile.mkdtemp", _no_scratch)
    monkeypatch.setattr("tempfile.mkstemp", _no_scratch)
    task = Task(path="/on/another/machine/lianyun-gov-2024.txt", sha256=Source("", data).sha256, size_bytes=len(data))
    outcome = Worker(Settings()).process(task, content=data)
    extraction = outcome.extraction()
    assert extraction is not None and extraction.source.path == task.path and extraction.source.sha256 == task.sha256
    assert extraction.record == extract(SEEDS / "lianyun-gov-2024.txt", settings=Settings()).record


def test_a_batch_stores_each_content_once_and_lists_its_failures(tmp_path: Path) -> None:
    folder, url = _inputs(tmp_path), f"sqlite:///{tmp_path / 'gxllm.db'}"
    summary = run_batch([folder], settings=Settings(), db_url=url, workers=2, show_progress=False)
    assert (summary.found, summary.extracted, summary.skipped, summary.pages) == (7, 5, 0, 5)
    assert sorted((Path(f.path).name, f.stage, f.error_type) for f in summary.failures) == [
        ("empty.txt", "extract", "EmptyInput"),
        ("letter.txt", "extract", "NotAReport"),
    ]
    sessions = open_store(url)
    with sessions() as session:
        for name in SEED_NAMES:
            path = folder / f"{name}.txt"
            document = session.scalar(select(StoredDocument).where(StoredDocument.sha256 == content_hash(path)[0]))
            expected = extract(path, settings=Settings())
            assert document.current_version.record == expected.record.to_json()
            assert [f.fingerprint for f in document.current_version.flags] == [f.fingerprint for f in expected.flags]
            assert document.text == read_normalized(path, Settings()).text
            assert str(path) in [p.path for p in document.paths]
            assert document.current_version.source["path"] == document.paths[0].path
        copy = session.scalar(select(StoredDocument).where(StoredDocument.sha256 == content_hash(folder / "more" / "copy.txt")[0]))
        assert sorted(p.path for p in copy.paths) == [str(folder / "more" / "copy.txt"), str(folder / "yindu-kjj-2024.txt")]
        run = session.get(Run, summary.run_id)
        assert (run.status, run.documents, run.extracted, run.failed, run.pages) == ("finished", 7, 5, 2, 5)


def test_a_rerun_skips_what_is_done_and_retries_failures_only_when_asked(tmp_path: Path) -> None:
    folder, url = _inputs(tmp_path), f"sqlite:///{tmp_path / 'gxllm.db'}"
    run_batch([folder], settings=Settings(), db_url=url, workers=1, show_progress=False)
    again = run_batch([folder], settings=Settings(), db_url=url, workers=1, show_progress=False)
    assert (again.extracted, again.skipped, again.skipped_failed, again.failures) == (0, 5, 2, [])
    retried = run_batch([folder], settings=Settings(), db_url=url, workers=1, retry_failed=True, show_progress=False)
    assert (retried.extracted, retried.skipped, retried.skipped_failed) == (0, 5, 0)
    assert sorted(Path(f.path).name for f in retried.failures) == ["empty.txt", "letter.txt"]
    sessions = open_store(url)
    assert _count(sessions, RecordVersion) == 5
    assert _count(sessions, StoredDocument) == 7
    assert _count(sessions, Failure) == 4


def test_a_document_over_the_time_limit_fails_alone_and_a_retry_finishes_it(tmp_path: Path) -> None:
    folder, url = tmp_path / "in", f"sqlite:///{tmp_path / 'gxllm.db'}"
    folder.mkdir()
    for name in SEED_NAMES[:2]:
        shutil.copy(SEEDS / f"{name}.txt", folder)
    # A report printed 200 times over takes seconds to read, where one takes a twentieth of a second.
    (folder / "long.txt").write_text((SEEDS / "lianyun-gov-2024.txt").read_text(encoding="utf-8") * 200, encoding="utf-8")
    hurried = run_batch([folder], settings=Settings(), db_url=url, workers=2, timeout=1, show_progress=False)
    assert hurried.extracted == 2
    assert [(Path(f.path).name, f.stage, f.error_type) for f in hurried.failures] == [("long.txt", "extract", "Timeout")]
    patient = run_batch([folder], settings=Settings(), db_url=url, workers=2, retry_failed=True, show_progress=False)
    assert (patient.extracted, patient.skipped, patient.failures) == (1, 2, [])


def test_the_command_names_failed_files_and_exits_1(tmp_path: Path) -> None:
    folder, url = _inputs(tmp_path), f"sqlite:///{tmp_path / 'gxllm.db'}"
    result = CliRunner().invoke(app, ["batch", str(folder), "--db", url, "--workers", "2", "--no-llm"])
    assert result.exit_code == 1
    assert f"{folder / 'letter.txt'}: NotAReport" in result.stderr
    assert "7 found, 5 extracted (5 pages), 0 done before, 2 failed" in result.stderr
    result = CliRunner().invoke(app, ["batch", str(folder / "more"), "--db", url])
    assert result.exit_code == 0, result.stderr
    assert "1 found, 0 extracted (0 pages), 1 done before, 0 failed" in result.stderr


def test_a_batch_set_up_wrong_stops_with_one_line_and_fails_no_document(tmp_path: Path, monkeypatch) -> None:
    folder, url = _inputs(tmp_path), f"sqlite:///{tmp_path / 'gxllm.db'}"
    monkeypatch.setenv("GXLLM_LLM_RUNTIME", "llamacpp")
    monkeypatch.setenv("GXLLM_LLM_MODEL", "qwen-7b")  # no such model: every worker fails to open it
    result = CliRunner().invoke(app, ["batch", str(folder), "--db", url, "--workers", "2"])
    assert result.exit_code == 1
    reason = "gxllm: batch: no model named 'qwen-7b': use one of qwen2.5-coder-0.5b, qwen2.5-coder-1.5b, or the path of a .gguf file or a safetensors model folder"
    assert [line for line in result.stderr.splitlines() if line.startswith("gxllm:")] == [reason]
    assert "Traceback" not in result.output
    sessions = open_store(url)
    assert (_count(sessions, StoredDocument), _count(sessions, Failure), _count(sessions, RecordVersion)) == (0, 0, 0)
    with sessions() as session:
        assert [run.status for run in session.scalars(select(Run))] == ["failed"]
    # The same environment with --no-llm asks for no model, and the batch runs.
    result = CliRunner().invoke(app, ["batch", str(folder), "--db", url, "--workers", "2", "--no-llm"])
    assert "7 found, 5 extracted (5 pages), 0 done before, 2 failed" in result.stderr


def test_a_setting_not_allowed_stops_a_command_before_it_starts(tmp_path: Path, monkeypatch) -> None:
    folder, url = _inputs(tmp_path), f"sqlite:///{tmp_path / 'gxllm.db'}"
    monkeypatch.setenv("GXLLM_OCR_ENGINE", "tesseract")
    result = CliRunner().invoke(app, ["batch", str(folder), "--db", url])
    assert result.exit_code == 1
    assert result.stderr == "gxllm: batch: GXLLM_OCR_ENGINE='tesseract': Input should be 'rapidocr' or 'paddleocr'\n"
    assert not (tmp_path / "gxllm.db").exists()


def test_a_batch_killed_with_sigkill_shows_as_interrupted_not_running(tmp_path: Path) -> None:
    generate_reports(tmp_path / "reports", 200, ("year",))
    url = f"sqlite:///{tmp_path / 'gxllm.db'}"
    command = [sys.executable, "-m", "gxllm.cli", "batch", str(tmp_path / "reports"), "--db", url, "--no-llm"]
    batch = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "gxllm.db").exists() or _count(open_store(url), RecordVersion) == 0:
            assert batch.poll() is None and time.monotonic() < deadline, "the batch stored nothing"
            time.sleep(0.1)
    finally:
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait()
    status = CliRunner().invoke(app, ["batch", "--status", "--db", url])
    assert status.exit_code == 0, status.output
    assert status.stdout.startswith("run 1 (batch): interrupted, started ")
    with open_store(url)() as session:
        run = session.get_one(Run, 1)
        assert run.status == "interrupted" and run.finished_at is not None
