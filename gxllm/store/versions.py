"""Record versions: the pipeline's data as a version's rows and back, the version a document
shows, and the themes its items count to across the store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gxllm.record import Evidence, Extraction, Flag, ItemThemes, Record
from gxllm.store.models import FlagRow, ItemTheme, RecordVersion, StoredDocument, utcnow


def evidence_json(evidence: dict[str, Evidence]) -> dict[str, Any]:
    return {path: item.model_dump(mode="json", exclude_none=True) for path, item in evidence.items()}


def stored_evidence(version: RecordVersion) -> dict[str, Evidence]:
    return {path: Evidence.model_validate(item) for path, item in version.evidence.items()}


def flag_rows(flags: Iterable[Flag], first_position: int = 0) -> list[FlagRow]:
    return [FlagRow(position=first_position + i, **flag.model_dump(mode="json")) for i, flag in enumerate(flags)]


def theme_rows(themes: ItemThemes) -> list[ItemTheme]:
    return [
        ItemTheme(list_name=name, item=item, rank=rank, theme=theme)
        for name, items in themes.items()
        for item, names in enumerate(items)
        for rank, theme in enumerate(names)
    ]


def item_themes(version: RecordVersion) -> ItemThemes:
    """Each item's themes, main first, by list, as the extraction gave them."""
    themes: dict[str, list[list[str]]] = {}
    for row in version.themes:  # ordered by list, item, rank
        items = themes.setdefault(row.list_name, [])
        while len(items) <= row.item:
            items.append([])
        items[row.item].append(row.theme)
    return themes  # type: ignore[return-value]


def to_flag(row: FlagRow) -> Flag:
    return Flag.model_validate({name: getattr(row, name) for name in Flag.model_fields})


def to_extraction(version: RecordVersion) -> Extraction:
    """A stored record version as the pipeline's :class:`Extraction`."""
    return Extraction(
        record=Record.model_validate(version.record),
        themes=item_themes(version),
        evidence=stored_evidence(version),
        flags=[to_flag(row) for row in version.flags],
        source=version.source,
        timings=version.timings,
    )


def make_current(document: StoredDocument, version: RecordVersion) -> None:
    """Make ``version`` the document's current record, with the fields the queue filters on."""
    document.current_version = version
    document.agency = version.record.get("agency")
    document.year = version.record.get("year")
    document.template = version.record.get("template")
    document.updated_at = utcnow()


@dataclass(frozen=True)
class ThemeCount:
    list_name: str
    theme: str
    items: int  # items of current records with this theme
    main: int  # of those, items whose main theme it is
    documents: int  # current records with such an item


def theme_counts(session: Session) -> list[ThemeCount]:
    """Problems and remedies by theme over every document's current record, most items first."""
    query = (
        select(
            ItemTheme.list_name,
            ItemTheme.theme,
            func.count(ItemTheme.id),
            func.sum(case((ItemTheme.rank == 0, 1), else_=0)),
            func.count(func.distinct(StoredDocument.id)),
        )
        .join(StoredDocument, ItemTheme.record_version_id == StoredDocument.current_version_id)
        .group_by(ItemTheme.list_name, ItemTheme.theme)
        .order_by(ItemTheme.list_name, func.count(ItemTheme.id).desc(), ItemTheme.theme)
    )
    return [ThemeCount(name, theme, items, int(main), documents) for name, theme, items, main, documents in session.execute(query)]
