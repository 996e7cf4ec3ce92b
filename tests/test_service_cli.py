"""``gxllm users add`` and ``gxllm users token``: accounts that log in, tokens that open the API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.service.app import create_app
from gxllm.service.auth import authenticate
from gxllm.store import find_user, open_store

runner = CliRunner()


def test_users_add_stores_a_hash_that_logs_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gxllm.db'}"
    added = runner.invoke(app, ["users", "add", "carol", "--db", url, "--password-stdin"], input="s3cret pass\n")
    assert added.exit_code == 0, added.output
    with open_store(url)() as session:
        user = find_user(session, "carol")
        assert user is not None and user.role == "reviewer"
        assert user.password_hash.startswith("$argon2id$") and "s3cret" not in user.password_hash
        assert authenticate(session, "carol", "s3cret pass") is not None
        assert authenticate(session, "carol", "s3cret") is None
    again = runner.invoke(app, ["users", "add", "carol", "--db", url, "--password-stdin"], input="other\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_users_add_asks_twice_for_the_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gxllm.db'}"
    added = runner.invoke(app, ["users", "add", "dave", "--db", url, "--admin"], input="pw-1\npw-1\n")
    assert added.exit_code == 0, added.output
    with open_store(url)() as session:
        assert find_user(session, "dave").role == "admin"  # type: ignore[union-attr]
    empty = runner.invoke(app, ["users", "add", "erin", "--db", url, "--password-stdin"], input="\n")
    assert empty.exit_code == 2


def test_users_token_prints_a_token_the_api_accepts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gxllm.db'}"
    runner.invoke(app, ["users", "add", "carol", "--db", url, "--password-stdin"], input="pw\n")
    issued = runner.invoke(app, ["users", "token", "carol", "--db", url, "--label", "script"])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert token.startswith("gx_")
    with TestClient(create_app(url, uploads=tmp_path / "uploads")) as client:
        assert client.get("/api/records", headers={"Authorization": f"Bearer {token}"}).json()["records"] == 0
        assert client.get("/api/records", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    unknown = runner.invoke(app, ["users", "token", "nobody", "--db", url])
    assert unknown.exit_code == 1
