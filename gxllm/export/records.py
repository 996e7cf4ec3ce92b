"""What every export writes: each document's current record, its flags with their review state, its audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gxllm.record import ItemThemes, Record
from gxllm.store import (
    FlagRow,
    RecordVersion,
    ReviewDecision,
    StoredDocument,
    flag_states,
    item_themes,
)

# Documents loaded per query: enough to keep the round trips few, few enough to keep memory flat.
_PAGE = 200


@dataclass(frozen=True)
class ExportedRecord:
    document: StoredDocument
    version: RecordVersion
    record: Record
    themes: ItemThemes
    flags: list[tuple[FlagRow, ReviewDecision | None]]

    @property
    def path(self) -> str | None:
        return self.document.paths[0].path if self.document.paths else None

    def flag_ids(self, cell: str) -> list[str]:
        """Fingerprints of the flags that name ``cell``."""
        return [flag.fingerprint for flag, _ in self.flags if cell in flag.cells]

    def items(self) -> Iterator[tuple[str, int, str, list[str]]]:
        """Each problem and remedy: (list, position, text, themes main first)."""
        for name in ("problems", "remedies"):
            themes = self.themes.get(name, [])  # type: ignore[call-overload]
            for i, text in enumerate(getattr(self.record, name)):
                yield name, i, text, themes[i] if i < len(themes) else []


def exported_records(session: Session) -> Iterator[ExportedRecord]:
    """Every document with a record, in the order they were first stored."""
    query = (
        select(StoredDocument)
        .where(StoredDocument.current_version_id.is_not(None))
        .order_by(StoredDocument.id)
        .options(
            selectinload(StoredDocument.paths),
            selectinload(StoredDocument.current_version).selectinload(RecordVersion.flags),
            selectinload(StoredDocument.current_version).selectinload(RecordVersion.themes),
            selectinload(StoredDocument.decisions).selectinload(ReviewDecision.reviewer),
        )
    )
    last_id = 0
    while True:
        page = session.scalars(query.where(StoredDocument.id > last_id).limit(_PAGE)).all()
        if not page:
            return
        for document in page:
            version = document.current_version
            assert version is not None
            yield ExportedRecord(
                document, version, Record.model_validate(version.record), item_themes(version), flag_states(session, document)
            )
        last_id = page[-1].id
        session.expunge_all()
