"""Table readers: template-anchored reading of sections 二, 三 and 四."""

from gxllm.tables.reader import TablesResult, read_tables

__all__ = ["TablesResult", "read_tables"]
