"""The store's tables, as SQLAlchemy 2.x declarative models.

A *document* is a file's content, known by its sha256: the same bytes under
two paths are one document with two ``DocumentPath`` rows. What gxllm read
from it is kept as numbered ``RecordVersion`` rows: version 1 is the
extraction, each reviewer correction adds the next one (its ``parent`` is the
version it corrected), and ``StoredDocument.current_version`` points at the newest.
Nothing is updated in place, so every value a record ever had stays in the
store; ``ReviewDecision`` rows are the audit trail of who decided what.

``StoredDocument.version`` is the optimistic lock a reviewer's edit is checked
against: every change to a document's reviewable state increments it (see
:func:`gxllm.store.review.claim`), so two reviewers working from the same
page cannot overwrite each other silently.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Constraint names are fixed so that migrations can name what they alter (SQLite's batch mode needs it).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonValue = JSON().with_variant(JSONB(), "postgresql")

Decision = Literal["confirmed_source", "corrected", "dismissed"]
RunStatus = Literal["queued", "running", "finished", "failed", "interrupted"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonValue, list[Any]: JsonValue, Any: JsonValue}


class User(Base):
    """A reviewer (or admin). Users are deactivated, never deleted: the audit trail names them."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="reviewer")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A logged-in browser session; only the token's hash is stored."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A token for the HTTP API, acting as its user until it expires or is revoked; only the token's hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class Run(Base):
    """One ``gxllm batch`` invocation, or one upload job of the web app (``kind`` says which).

    ``owner`` names the process running it (:mod:`gxllm.store.owners`): a run
    left queued or running by a process that died is found by it and marked
    ``interrupted``.
    """

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="batch")
    status: Mapped[str] = mapped_column(String(16), default="running")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    inputs: Mapped[list[Any]] = mapped_column(default=list)
    executor: Mapped[str | None] = mapped_column(String(16))
    workers: Mapped[int | None]
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    documents: Mapped[int] = mapped_column(default=0)
    extracted: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    owner: Mapped[str | None] = mapped_column(String(255))


class StoredDocument(Base):
    """One input content, by sha256, with the fields of its current record copied for filtering."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    size_bytes: Mapped[int | None]
    pages: Mapped[int | None]
    # The normalised text evidence spans index into (what the review page shows and GROUNDING re-checks).
    text: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    agency: Mapped[str | None] = mapped_column(String(255), index=True)
    year: Mapped[int | None] = mapped_column(index=True)
    template: Mapped[str | None] = mapped_column(String(8))
    review_status: Mapped[str] = mapped_column(String(16), default="unread", index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_versions.id", use_alter=True, name="fk_documents_current_version_id_record_versions")
    )
    version: Mapped[int] = mapped_column(default=1)

    current_version: Mapped[RecordVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    paths: Mapped[list[DocumentPath]] = relationship(back_populates="document", order_by="DocumentPath.id")
    versions: Mapped[list[RecordVersion]] = relationship(
        foreign_keys="RecordVersion.document_id", back_populates="document", order_by="RecordVersion.number"
    )
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="document", order_by="ReviewDecision.id"
    )


class DocumentPath(Base):
    """A path a document's content was found under."""

    __tablename__ = "document_paths"
    __table_args__ = (UniqueConstraint("document_id", "path", name="uq_document_paths_document_id_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    path: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[StoredDocument] = relationship(back_populates="paths")


class RecordVersion(Base):
    """One version of a document's record: the extraction (number 1) or a correction of its parent."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_record_versions_document_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    record: Mapped[dict[str, Any]]
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("record_versions.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    document: Mapped[StoredDocument] = relationship(foreign_keys=[document_id], back_populates="versions")
    parent: Mapped[RecordVersion | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship()
    flags: Mapped[list[FlagRow]] = relationship(
        back_populates="record_version", order_by="FlagRow.position", cascade="all, delete-orphan"
    )
    themes: Mapped[list[ItemTheme]] = relationship(
        back_populates="record_version",
        order_by="(ItemTheme.list_name, ItemTheme.item, ItemTheme.rank)",
        cascade="all, delete-orphan",
    )


class ItemTheme(Base):
    """One theme of one problem or remedy of a record version (:mod:`gxllm.narrative.taxonomy`).

    ``item`` is the item's position in its list, ``rank`` 0 its main theme. A
    table of its own so the review queue can filter by theme and the store
    count items by theme in one query.
    """

    __tablename__ = "item_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_version_id: Mapped[int] = mapped_column(ForeignKey("record_versions.id"), index=True)
    list_name: Mapped[str] = mapped_column(String(16))
    item: Mapped[int]
    rank: Mapped[int]
    theme: Mapped[str] = mapped_column(String(32), index=True)

    record_version: Mapped[RecordVersion] = relationship(back_populates="themes")


class FlagRow(Base):
    """One validator finding on one record version (the fields of :class:`gxllm.record.Flag`)."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_version_id: Mapped[int] = mapped_column(ForeignKey("record_versions.id"), index=True)
    position: Mapped[int]
    rule: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    cells: Mapped[list[Any]] = mapped_column(default=list)
    expected: Mapped[Any | None]
    found: Mapped[Any | None]
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    message: Mapped[str] = mapped_column(Text)
    suspect: Mapped[str | None] = mapped_column(String(128))
    suggestion: Mapped[Any | None]
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)

    record_version: Mapped[RecordVersion] = relationship(back_populates="flags")


class ReviewDecision(Base):
    """The audit trail: a reviewer's decision on one flag, with the value before and after."""

    __tablename__ = "review_decisions"
    __table_args__ = (Index("ix_review_decisions_document_fingerprint", "document_id", "flag_fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    record_version_id: Mapped[int] = mapped_column(ForeignKey("record_versions.id"))
    # The correction this decision created (decision "corrected" only).
    result_version_id: Mapped[int | None] = mapped_column(ForeignKey("record_versions.id"))
    flag_fingerprint: Mapped[str | None] = mapped_column(String(64))
    rule: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    cell: Mapped[str | None] = mapped_column(String(128))
    old_value: Mapped[Any | None]
    new_value: Mapped[Any | None]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[StoredDocument] = relationship(back_populates="decisions")
    reviewer: Mapped[User] = relationship()
    record_version: Mapped[RecordVersion] = relationship(foreign_keys=[record_version_id])
    result_version: Mapped[RecordVersion | None] = relationship(foreign_keys=[result_version_id])


class Failure(Base):
    """An input that could not be processed: the batch goes on, the error stays here."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    # Null when the file could not even be read, so its content is unknown.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16))
    error_type: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[StoredDocument | None] = relationship()
