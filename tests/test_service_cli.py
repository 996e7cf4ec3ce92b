"""``gxllm users``: accounts that log in, tokens that open the API, both listed, disabled, revoked, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from gxllm.cli import app
from gxllm.service.app import create_app
from gxllm.service.auth import authenticate
from gxllm.store import ApiToken, User, find_user, open_store

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


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gxllm.db'}"


def _add(url: str, name: str) -> None:
    added = runner.invoke(app, ["users", "add", name, "--db", url, "--password-stdin"], input="pw\n")
    assert added.exit_code == 0, added.output


def _token(url: str, name: str, *options: str) -> str:
    issued = runner.invoke(app, ["users", "token", name, "--db", url, *options])
    assert issued.exit_code == 0, issued.output
    return issued.stdout.strip()


@pytest.mark.parametrize("name", ["", "   ", " alice", "bob\n", "a" * 65, "tab\there"])
def test_users_add_refuses_a_name_no_one_could_log_in_with(tmp_path: Path, name: str) -> None:
    url = _url(tmp_path)
    refused = runner.invoke(app, ["users", "add", name, "--db", url, "--password-stdin"], input="pw\n")
    assert refused.exit_code == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and "user name" in refused.stderr
    with open_store(url)() as session:
        assert session.scalars(select(User)).all() == []


def test_users_list_shows_accounts_roles_states_and_tokens(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _add(url, "carol")
    _add(url, "dave")
    _token(url, "carol", "--label", "script")
    runner.invoke(app, ["users", "disable", "dave", "--db", url])
    listed = runner.invoke(app, ["users", "list", "--db", url])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["carol (reviewer, active)", "dave (reviewer, disabled)"]
    assert "1 API token in use: script, until " in lines[0]
    assert lines[1].endswith("no API token in use")


def test_a_disabled_user_can_neither_log_in_nor_use_a_token_until_enabled(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _add(url, "carol")
    token = _token(url, "carol")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(url, uploads=tmp_path / "uploads")) as client:
        assert client.get("/api/records", headers=headers).status_code == 200
        disabled = runner.invoke(app, ["users", "disable", "carol", "--db", url])
        assert disabled.exit_code == 0, disabled.output
        assert client.get("/api/records", headers=headers).status_code == 401
        with open_store(url)() as session:
            assert authenticate(session, "carol", "pw") is None
        assert runner.invoke(app, ["users", "enable", "carol", "--db", url]).exit_code == 0
        assert client.get("/api/records", headers=headers).status_code == 200
    unknown = runner.invoke(app, ["users", "disable", "nobody", "--db", url])
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "gxllm: users disable: no user named 'nobody'"


def test_revoked_tokens_are_refused_and_the_others_still_work(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _add(url, "carol")
    script, laptop = _token(url, "carol", "--label", "script"), _token(url, "carol", "--label", "laptop")
    with TestClient(create_app(url, uploads=tmp_path / "uploads")) as client:
        revoked = runner.invoke(app, ["users", "revoke-token", "carol", "--label", "script", "--db", url])
        assert revoked.exit_code == 0, revoked.output
        assert "revoked 1 API token of carol" in revoked.stderr
        assert client.get("/api/records", headers={"Authorization": f"Bearer {script}"}).status_code == 401
        assert client.get("/api/records", headers={"Authorization": f"Bearer {laptop}"}).status_code == 200
        assert runner.invoke(app, ["users", "revoke-token", "carol", "--db", url]).exit_code == 0
        assert client.get("/api/records", headers={"Authorization": f"Bearer {laptop}"}).status_code == 401


def test_tokens_expire(tmp_path: Path) -> None:
    url = _url(tmp_path)
    _add(url, "carol")
    token = _token(url, "carol", "--days", "30")
    with open_store(url)() as session:
        row = session.scalars(select(ApiToken)).one()
        expires_at = row.expires_at.replace(tzinfo=UTC)
        assert timedelta(days=29, hours=23) < expires_at - datetime.now(UTC) <= timedelta(days=30)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.commit()
    with TestClient(create_app(url, uploads=tmp_path / "uploads")) as client:
        assert client.get("/api/records", headers={"Authorization": f"Bearer {token}"}).status_code == 401
