"""`gxllm batch --executor ray`: the same pipeline, with the caller's settings, on a local Ray; the same records in the store."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from gxllm.batch import run_batch
from gxllm.errors import ConfigError
from gxllm.settings import Settings
from gxllm.store import Failure, Run, StoredDocument, open_store
from tests.conftest import SEEDS


def _require_ray() -> None:
    """Ray is an optional extra; where CI is set it must be there, so its absence fails instead of skipping."""
    if os.environ.get("CI"):
        import ray  # noqa: F401
    else:
        pytest.importorskip("ray")


def _stored(url: str) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    with open_store(url)() as session:
        records = {d.sha256: d.current_version.record for d in session.scalars(select(StoredDocument)) if d.current_version}
        failures = [(Path(f.path).name, f.error_type) for f in session.scalars(select(Failure))]
    return records, failures


def test_the_ray_executor_stores_the_records_the_local_one_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_ray()
    monkeypatch.delenv("RAY_ADDRESS", raising=False)  # a local Ray, started and stopped by the batch
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, folder)
    (folder / "letter.txt").write_text("尊敬的各位同事：明天上午九点开会，请准时参加。", encoding="utf-8")
    local_url, ray_url = f"sqlite:///{tmp_path / 'local.db'}", f"sqlite:///{tmp_path / 'ray.db'}"
    settings = Settings()
    # The environment the workers inherit refuses every file: they must extract with the caller's settings.
    monkeypatch.setenv("GXLLM_MAX_FILE_BYTES", "10")

    local = run_batch([folder], settings=settings, db_url=local_url, workers=1, show_progress=False)
    on_ray = run_batch([folder], settings=settings, db_url=ray_url, executor="ray", workers=2, show_progress=False)

    assert (on_ray.extracted, on_ray.pages, len(on_ray.failures)) == (local.extracted, local.pages, 1) == (5, 5, 1)
    ray_records, ray_failures = _stored(ray_url)
    local_records, local_failures = _stored(local_url)
    assert ray_records == local_records and len(ray_records) == 5
    assert ray_failures == local_failures == [("letter.txt", "NotAReport")]
    # The file's bytes travelled to the actor; the record still names the file, not the actor's scratch copy.
    with open_store(ray_url)() as session:
        sources = {d.current_version.source["path"] for d in session.scalars(select(StoredDocument)) if d.current_version}
    assert sources == {str(folder / path.name) for path in SEEDS.glob("*.txt")}


def test_a_ray_batch_set_up_wrong_stops_with_the_reason_and_fails_no_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_ray()
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    url = f"sqlite:///{tmp_path / 'ray.db'}"
    settings = Settings(llm_runtime="llamacpp", llm_model="qwen-7b")  # no such model: each actor fails to open it
    with pytest.raises(ConfigError, match=r"^no model named 'qwen-7b': use one of"):
        run_batch([SEEDS], settings=settings, db_url=url, executor="ray", workers=2, show_progress=False)
    records, failures = _stored(url)
    assert (records, failures) == ({}, [])
    with open_store(url)() as session:
        assert [run.status for run in session.scalars(select(Run))] == ["failed"]
