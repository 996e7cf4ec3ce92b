"""Numbers in paths and queries, bounded to what the store can hold.

The store's integer columns (ids, versions, years) are 32 bits on
PostgreSQL, and SQLite takes no integer past 64 bits: a number past those is
no row of the store, so it is refused as bad input (422) before it reaches
the database, where it would be an error of the database itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_STORED_INT = 2**31 - 1

RowId = Annotated[int, Path(ge=1, le=MAX_STORED_INT)]
PageNumber = Annotated[int, Path(ge=1, le=MAX_STORED_INT, description="a page of the source, from 1")]
ListPage = Annotated[int, Query(ge=0, le=MAX_STORED_INT, description="a page of the list, from 0")]
YearFilter = Annotated[int | None, Query(ge=1, le=9999)]
