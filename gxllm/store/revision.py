"""Write a new migration: ``python -m gxllm.store.revision "what changed"``.

Alembic compares the models with a scratch SQLite store at the newest
revision and writes the difference into ``migrations/versions/``; read it and
edit it before committing (autogenerate cannot see renames).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from gxllm.store.engine import alembic_config, make_engine, upgrade


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'scratch.db'}"
        upgrade(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.revision(config, message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
