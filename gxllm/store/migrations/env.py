"""Alembic's entry point, driven from :func:`gxllm.store.engine.upgrade` (no alembic.ini).

The caller hands over an open connection in ``config.attributes["connection"]``;
new revisions are written with ``alembic`` pointed at this folder, e.g.
``python -m gxllm.store.revision "what changed"``.
"""

from __future__ import annotations

from alembic import context

from gxllm.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it; batch mode does that for every ALTER.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
