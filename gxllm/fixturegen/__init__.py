"""Fixture generator: seed reports re-printed in the layouts real reports arrive in.

``python -m gxllm.fixturegen fixtures`` rewrites the gold cases under fixtures/
(see fixtures/README.md). :func:`gxllm.fixturegen.grid.table_rows` is the piece
other renderers (PDF, scans) build on: a record's table as rows of strings.
"""
