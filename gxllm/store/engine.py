"""Where the store lives: database URLs, engines, migrations and sessions.

SQLite in the working folder unless a URL is given; PostgreSQL by
``postgresql://user:pass@host/db`` (driven by psycopg 3). Migrations are
Alembic's, shipped inside the package and run from code, so an installed
gxllm can create or upgrade its store without an ``alembic.ini``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gxllm.errors import GxllmError, one_line

DEFAULT_FILE = "gxllm.db"
MIGRATIONS = Path(__file__).parent / "migrations"
# How long a SQLite writer waits for another one before giving up.
_SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option that marks a connection whose transaction will write (see begin_write).
_WRITER = "gxllm_writer"
# Beside a store in WAL mode SQLite keeps a shared-memory file of this size: a disk with less free is full.
_SQLITE_SHM_BYTES = 32 * 1024


class StoreUnavailable(GxllmError):
    """The database itself failed: it cannot be opened, read or written (a damaged file, a read-only
    folder, a full disk, a server out of reach, a lock held past the busy timeout)."""

    def __init__(self, store: str, reason: str) -> None:
        super().__init__(f"{store}: {reason}")
        self.store = store
        self.reason = reason


def default_url() -> str:
    return f"sqlite:///{Path.cwd() / DEFAULT_FILE}"


def is_store_fault(error: BaseException) -> bool:
    """Whether ``error`` is the database failing rather than what was asked of it (a broken
    constraint, a bad statement): an operational error, or the driver finding a damaged file."""
    return type(error) in (OperationalError, DatabaseError)


def store_unavailable(url: str | None, error: DatabaseError) -> StoreUnavailable:
    """``error`` of the store at ``url`` in one line: the driver's reason, and for a SQLite file
    what is wrong around it when that is the cause (a read-only folder, a full disk)."""
    parsed = make_url(url or default_url())
    reason = one_line(error.orig) if error.orig is not None else one_line(error)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        folder = Path(parsed.database).absolute().parent
        if folder.is_dir() and not os.access(folder, os.W_OK):
            reason += f" (its folder {folder} is read-only)"
        elif folder.is_dir() and shutil.disk_usage(folder).free < _SQLITE_SHM_BYTES:
            reason += f" (the disk holding {folder} is full)"
    return StoreUnavailable(parsed.render_as_string(hide_password=True), reason)


@contextmanager
def store_errors(url: str | None) -> Iterator[None]:
    """Faults of the store at ``url`` (see :func:`is_store_fault`) raised as :class:`StoreUnavailable`."""
    try:
        yield
    except DatabaseError as error:
        if not is_store_fault(error):
            raise
        raise store_unavailable(url, error) from error


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url``: SQLite gets WAL mode, a busy timeout and foreign keys."""
    parsed = make_url(url or default_url())
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    engine = create_engine(parsed)
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off (it commits before DDL and
    # defers BEGIN unpredictably); SQLAlchemy's "begin" event below emits BEGIN instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode a commit is then safe from any crash of the process (kill -9 included) and the
    # file is never corrupted; only a power cut may undo the last commits, which a re-run redoes.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    writer = connection.get_execution_options().get(_WRITER, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def begin_write(session: Session) -> None:
    """Begin ``session``'s next transaction as one that writes (a transaction it holds is committed first).

    On SQLite the transaction takes the store's write lock at once (``BEGIN
    IMMEDIATE``), waiting for another writer up to the busy timeout. Begun the
    default way, a transaction that reads and then writes is refused at its
    first write, with no wait, whenever another writer committed in between
    ("database is locked"): its snapshot is already stale. PostgreSQL locks
    rows as they are written and needs nothing here.
    """
    session.commit()
    session.connection(execution_options={_WRITER: True})


@contextmanager
def writing(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose one transaction writes (see :func:`begin_write`): committed at the end of the
    block, rolled back if it raises. Keep it short: on SQLite it holds the store's one write lock."""
    with sessions() as session:
        begin_write(session)
        yield session
        session.commit()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Create the store at ``url`` or bring it up to ``revision``."""
    engine = make_engine(url)
    try:
        # A writer from the start: two processes opening a new store at once create it once.
        with engine.execution_options(**{_WRITER: True}).begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def open_store(url: str | None = None) -> sessionmaker[Session]:
    """Migrate the store at ``url`` to the newest schema and return a session factory for it."""
    upgrade(url)
    return sessionmaker(make_engine(url), expire_on_commit=False)
