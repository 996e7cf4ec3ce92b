"""Reviewer accounts: hashing a password is the web app's business, keeping the account the store's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gxllm.errors import GxllmError
from gxllm.store.models import User


class BadUsername(GxllmError):
    """A user name no one could log in with (empty, spaces around it, unprintable, too long)."""


def add_user(session: Session, username: str, password_hash: str, role: str = "reviewer") -> User:
    """A new account; hashing the password is the caller's (the web app's) business.

    A user name is typed to log in: one to as many printable characters as the
    store keeps, with no space or tab at either end (else :class:`BadUsername`).
    """
    limit = User.__table__.c.username.type.length
    if not (0 < len(username) <= limit and username.isprintable() and username == username.strip()):
        raise BadUsername(
            f"the user name {username!r} cannot be typed to log in: 1 to {limit} printable characters, no space at either end"
        )
    user = User(username=username, password_hash=password_hash, role=role)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
