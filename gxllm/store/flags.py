"""Which flags of a document's current record are still open, and the review status that follows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gxllm.store.models import FlagRow, ReviewDecision, StoredDocument

# Decisions that settle a flag for good; a correction instead makes a new version, re-validated.
CLOSING_DECISIONS = ("confirmed_source", "dismissed")


def flag_states(session: Session, document: StoredDocument) -> list[tuple[FlagRow, ReviewDecision | None]]:
    """Each flag of the current record with the decision that closed it (None: still open).

    Decisions follow the flag's fingerprint, so a flag dismissed on one version
    stays dismissed on the corrections that still raise it.
    """
    if document.current_version is None:
        return []
    closing: dict[str, ReviewDecision] = {}
    for decision in session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.document_id == document.id, ReviewDecision.decision.in_(CLOSING_DECISIONS))
        .order_by(ReviewDecision.id)
    ):
        if decision.flag_fingerprint:
            closing[decision.flag_fingerprint] = decision
    return [(flag, closing.get(flag.fingerprint)) for flag in document.current_version.flags]


def open_flags(session: Session, document: StoredDocument) -> list[FlagRow]:
    return [flag for flag, decision in flag_states(session, document) if decision is None]


def refresh_review_status(session: Session, document: StoredDocument) -> None:
    """unread (no record) · clean (no flags, never reviewed) · open (a flag awaits a decision) · reviewed."""
    states = flag_states(session, document)
    if document.current_version is None:
        document.review_status = "unread"
    elif not states:
        decided = session.scalar(select(ReviewDecision.id).where(ReviewDecision.document_id == document.id).limit(1))
        document.review_status = "clean" if decided is None else "reviewed"
    elif any(decision is None for _, decision in states):
        document.review_status = "open"
    else:
        document.review_status = "reviewed"
