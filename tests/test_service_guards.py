"""What the service trusts and what it spends: proxy headers only from configured proxies, only allowed
hosts, log-in attempts limited per client before any password is hashed, hashing memory bounded,
security headers on every answer (500 and 413 included)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gxllm.service import auth
from gxllm.service.app import create_app
from gxllm.service.throttle import LoginThrottle
from gxllm.settings import Settings
from gxllm.store import open_store
from tests.live_server import live_server
from tests.service_reports import PASSWORD, ReviewStore

# The flagged store: the fixtures filled_store and review_store.
pytest_plugins = ["tests.service_fixtures"]

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _log_in(client: httpx.Client | TestClient, name: str, password: str, **headers: str) -> int:
    token = _csrf(client.get("/login").text)
    form = {"username": name, "password": password, "csrf_token": token}
    return client.post("/login", data=form, headers=headers, follow_redirects=False).status_code


def _peak_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def test_forwarded_headers_are_ignored_unless_their_proxy_is_configured(review_store: ReviewStore, tmp_path: Path) -> None:
    with live_server(review_store.url, tmp_path) as (base, _server), httpx.Client(base_url=base) as client:
        statuses = [_log_in(client, "alice", "guess", **{"X-Forwarded-For": f"10.0.0.{i}"}) for i in range(6)]
    assert statuses == [401] * 5 + [429]  # one client, whatever it says it forwards

    (tmp_path / "proxied").mkdir()
    with live_server(review_store.url, tmp_path / "proxied", "--forwarded-allow-ips", "127.0.0.1") as (base, _server), \
            httpx.Client(base_url=base) as client:
        statuses = [_log_in(client, "bob", "guess", **{"X-Forwarded-For": f"10.0.0.{i}"}) for i in range(6)]
    assert statuses == [401] * 6  # six clients behind the configured proxy


def test_only_allowed_hosts_are_answered_and_urls_never_name_the_host(review_store: ReviewStore, tmp_path: Path) -> None:
    with live_server(review_store.url, tmp_path) as (base, _server), httpx.Client(base_url=base) as client:
        assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
        login = client.get("/login", headers={"Host": "localhost"})
        assert login.status_code == 200 and "evil" not in login.text and "http://" not in login.text
        redirect = client.get("/records/1", follow_redirects=False)
        assert redirect.headers["location"] == "/login?next=%2Frecords%2F1"
    (tmp_path / "named").mkdir()
    with live_server(review_store.url, tmp_path / "named", "--allowed-host", "review.example") as (base, _server), \
            httpx.Client(base_url=base) as client:
        assert client.get("/login", headers={"Host": "review.example"}).status_code == 200
        assert client.get("/login").status_code == 400  # 127.0.0.1 is no longer among the allowed


def test_concurrent_log_ins_with_unknown_names_hash_a_few_at_a_time(review_store: ReviewStore, tmp_path: Path) -> None:
    with live_server(review_store.url, tmp_path) as (base, server):
        with httpx.Client(base_url=base) as client:
            assert _log_in(client, "alice", PASSWORD) == 303  # every import and the first hash done
        before = _peak_mib(server.pid)

        def attempt(number: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as client:
                return _log_in(client, f"nobody-{number}", "guess")

        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(attempt, range(16)))
        peak = _peak_mib(server.pid)
    assert statuses == [401] * 16
    # Argon2id takes 64 MiB per hash: two at a time, not sixteen (some 1 GiB).
    assert peak - before < 200, (before, peak)


def test_hashing_runs_at_most_two_at_once(review_store: ReviewStore, monkeypatch: pytest.MonkeyPatch) -> None:
    running, most = 0, 0
    lock = threading.Lock()
    verify = PasswordHasher.verify

    def counted(hasher: PasswordHasher, *args: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return verify(hasher, *args)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    sessions = open_store(review_store.url)

    def attempt(number: int) -> object:
        with sessions() as session:
            return auth.authenticate(session, f"nobody-{number}", "guess")

    with ThreadPoolExecutor(8) as pool:
        users = list(pool.map(attempt, range(8)))
    assert users == [None] * 8
    assert most == auth.CONCURRENT_HASHES == 2


def test_one_client_trying_many_names_is_refused_before_any_hash(
    review_store: ReviewStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(review_store.url, uploads=tmp_path / "uploads")
    throttle: LoginThrottle = app.state.login_throttle
    with TestClient(app) as client:
        statuses = [_log_in(client, f"name-{n}", "guess") for n in range(throttle.max_client_failures)]
        assert statuses == [401] * throttle.max_client_failures

        def no_hashing(*_args: object) -> bool:
            raise AssertionError("a refused log-in must not be hashed")

        monkeypatch.setattr(PasswordHasher, "verify", no_hashing)
        assert _log_in(client, "alice", PASSWORD) == 429
        assert _log_in(client, "another-name", "guess") == 429


def test_the_throttle_holds_a_bounded_number_of_clients() -> None:
    now = [0.0]
    throttle = LoginThrottle(window_s=60, max_tracked=100, clock=lambda: now[0])
    for client in range(1000):
        throttle.failed("alice", f"10.0.{client // 256}.{client % 256}")
        now[0] += 0.01
    assert len(throttle) <= 100
    # The latest clients are still counted.
    throttle.failed("alice", "10.0.3.231")
    assert throttle.wait_s("alice", "10.0.3.231") == 0.0 and len(throttle) <= 100


@pytest.fixture
def app_with_a_bug(review_store: ReviewStore, tmp_path: Path) -> FastAPI:
    app = create_app(review_store.url, uploads=tmp_path / "uploads", settings=Settings(max_file_bytes=1000))

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    return app


@pytest.mark.parametrize(
    ("method", "path", "body_bytes", "status"),
    [
        ("get", "/login", 0, 200),
        ("get", "/broken", 0, 500),
        ("post", "/api/documents", 200_000, 413),
        ("get", "/nowhere", 0, 404),
        ("get", "/api/records", 0, 401),
        ("get", "/", 0, 303),
        ("get", "/static/review.css", 0, 200),
    ],
)
def test_every_answer_carries_the_security_headers(
    app_with_a_bug: FastAPI, method: str, path: str, body_bytes: int, status: int
) -> None:
    with TestClient(app_with_a_bug, raise_server_exceptions=False) as client:
        answer = client.request(method, path, content=b"x" * body_bytes or None, follow_redirects=False)
    assert answer.status_code == status
    assert all(header in answer.headers for header in SECURITY_HEADERS), dict(answer.headers)
    if status == 500:
        assert answer.text == "Internal Server Error"
