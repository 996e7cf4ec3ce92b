"""Who is asking: reviewers' passwords, browser sessions with CSRF tokens, API tokens.

Passwords are hashed with Argon2id. A browser session is a random token in
an HttpOnly cookie; the store keeps only its SHA-256 (a stolen database opens
no session), with the session's CSRF token, which every form and htmx request
must send back. The log-in form, before any session exists, is protected by a
double-submit cookie. API clients send ``Authorization: Bearer TOKEN``; API
tokens, too, are stored as hashes only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request, Response
from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from gxllm.store import ApiToken, User, WebSession, begin_write, find_user

SESSION_COOKIE = "gxllm_session"
LOGIN_CSRF_COOKIE = "gxllm_login_csrf"
SESSION_LIFETIME = timedelta(hours=12)
API_TOKEN_LIFETIME = timedelta(days=90)
# A session's last_seen_at is written at most this often (not on every request).
_SEEN_RESOLUTION = timedelta(minutes=5)

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name and a wrong
# password take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
# Each Argon2id hash takes memory_cost (64 MiB): a few at a time bound what log-ins can take,
# however many arrive at once; the others wait their turn.
CONCURRENT_HASHES = 2
_hashing = threading.BoundedSemaphore(CONCURRENT_HASHES)


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> None:
    with _hashing:
        _hasher.verify(password_hash, password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes them in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _mark_used(session: Session, row: WebSession | ApiToken, field: str, now: datetime) -> None:
    """Set ``row``'s last-use time, at most every few minutes, in a short write of its own (committed)."""
    last = getattr(row, field)
    if last is not None and now - _aware(last) <= _SEEN_RESOLUTION:
        return
    model = type(row)
    begin_write(session)
    session.execute(update(model).where(model.id == row.id).values({field: now}))
    session.commit()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None."""
    user = find_user(session, username)
    try:
        _verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        new_hash = hash_password(password)
        begin_write(session)
        user.password_hash = new_hash
        session.commit()
    return user


# ---------------------------------------------------------------- browser sessions


def start_session(session: Session, user: User, response: Response, *, secure: bool) -> WebSession:
    """A new session for ``user``, its token set as the cookie on ``response``."""
    token = secrets.token_urlsafe(32)
    now = _now()
    web = WebSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(web)
    # Expired sessions of anyone are dropped here rather than by a timer.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True, samesite="lax", secure=secure, path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return web


def current_session(session: Session, request: Request) -> WebSession | None:
    """The unexpired session of an active user that the request's cookie names."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    web = session.scalar(select(WebSession).where(WebSession.token_hash == _token_hash(token)))
    now = _now()
    if web is None or _aware(web.expires_at) < now or not web.user.active:
        return None
    _mark_used(session, web, "last_seen_at", now)
    return web


def end_session(session: Session, request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_matches(expected: str | None, submitted: str | None) -> bool:
    return bool(expected) and bool(submitted) and hmac.compare_digest(expected, submitted)  # type: ignore[arg-type]


def login_csrf(request: Request) -> str:
    """The log-in form's CSRF token: the browser's cookie, or a new one (set it with :func:`set_login_csrf`)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_login_csrf(response: Response, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")


# ---------------------------------------------------------------- API tokens


def issue_api_token(session: Session, user: User, name: str, lifetime: timedelta | None = None) -> str:
    """A new API token for ``user``, valid for ``lifetime`` (default 90 days); the only time the token itself is seen."""
    token = "gx_" + secrets.token_urlsafe(32)
    expires_at = _now() + (lifetime or API_TOKEN_LIFETIME)
    session.add(ApiToken(token_hash=_token_hash(token), user_id=user.id, name=name, expires_at=expires_at))
    session.flush()
    return token


def _in_use(user: User) -> Select[tuple[ApiToken]]:
    return select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > _now())


def tokens_in_use(session: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens neither revoked nor expired, oldest first."""
    return list(session.scalars(_in_use(user).order_by(ApiToken.id)))


def revoke_api_tokens(session: Session, user: User, name: str | None = None) -> int:
    """Revoke ``user``'s tokens in use (those named ``name``, or all); how many were."""
    tokens = session.scalars(_in_use(user).where(ApiToken.name == name) if name is not None else _in_use(user)).all()
    for token in tokens:
        token.revoked_at = _now()
    return len(tokens)


def api_user(session: Session, authorization: str | None) -> User | None:
    """The active user of an unrevoked, unexpired ``Bearer`` token, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token.strip())))
    now = _now()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now or not row.user.active:
        return None
    _mark_used(session, row, "last_used_at", now)
    return row.user
