"""API tokens expire: tokens issued before expire 90 days after they were issued.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The lifetime `gxllm users token` gives a token by default (gxllm.service.auth), as it was then.
_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("id", sa.Integer()), sa.column("created_at", sa.DateTime(timezone=True)),
                      sa.column("expires_at", sa.DateTime(timezone=True)))
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        connection.execute(tokens.update().where(tokens.c.id == token_id).values(expires_at=created_at + _LIFETIME))
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("expires_at")
