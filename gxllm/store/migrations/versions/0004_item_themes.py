"""Item themes: one row per theme of each problem and remedy of a record version.

Versions stored before have their items' themes read now, by the rules
(gxllm.narrative.themes), as an extraction with no model would read them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gxllm.narrative.taxonomy import OTHER
from gxllm.narrative.themes import themes_named

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    item_themes = op.create_table(
        "item_themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_version_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=16), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_version_id"],
            ["record_versions.id"],
            name=op.f("fk_item_themes_record_version_id_record_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_themes")),
    )
    with op.batch_alter_table("item_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_themes_record_version_id"), ["record_version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_themes_theme"), ["theme"], unique=False)

    versions = sa.table("record_versions", sa.column("id", sa.Integer()), sa.column("record", sa.JSON()))
    rows = []
    for version_id, record in op.get_bind().execute(sa.select(versions.c.id, versions.c.record)):
        for list_name in ("problems", "remedies"):
            for item, text in enumerate(record.get(list_name) or []):
                themes = [cue.theme for cue in themes_named(text)] or [OTHER.name]
                rows += [
                    {"record_version_id": version_id, "list_name": list_name, "item": item, "rank": rank, "theme": theme}
                    for rank, theme in enumerate(themes)
                ]
    if rows:
        op.bulk_insert(item_themes, rows)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("item_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_themes_theme"))
        batch_op.drop_index(batch_op.f("ix_item_themes_record_version_id"))
    op.drop_table("item_themes")
