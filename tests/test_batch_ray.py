"""`gxllm batch --executor ray`: the same pipeline on a local Ray, the same records in the store."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from gxllm.batch import run_batch
from gxllm.store import Document, Failure, open_store
from tests.conftest import SEEDS


def _require_ray() -> None:
    """Ray is an optional extra; where CI is set it must be there, so its absence fails instead of skipping."""
    if os.environ.get("CI"):
        import ray  # noqa: F401
    else:
        pytest.importorskip("ray")


def _stored(url: str) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    with open_store(url)() as session:
        records = {d.sha256: d.current_version.record for d in session.scalars(select(Document)) if d.current_version}
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

    local = run_batch([folder], db_url=local_url, workers=1, show_progress=False)
    on_ray = run_batch([folder], db_url=ray_url, executor="ray", workers=2, show_progress=False)

    assert (on_ray.extracted, on_ray.pages, len(on_ray.failures)) == (local.extracted, local.pages, 1) == (5, 5, 1)
    ray_records, ray_failures = _stored(ray_url)
    local_records, local_failures = _stored(local_url)
    assert ray_records == local_records and len(ray_records) == 5
    assert ray_failures == local_failures == [("letter.txt", "NotAReport")]
    # The file's bytes travelled to the actor; the record still names the file, not the actor's scratch copy.
    with open_store(ray_url)() as session:
        sources = {d.current_version.source["path"] for d in session.scalars(select(Document)) if d.current_version}
    assert sources == {str(folder / path.name) for path in SEEDS.glob("*.txt")}
