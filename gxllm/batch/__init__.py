"""Batch extraction into the store: ``gxllm batch`` and :func:`run_batch`.

Inputs are files and folders (searched recursively for report files). Each
content is known by its sha256, so a re-run skips what the store already
holds, whatever the path; ``--retry-failed`` tries again what failed. Workers
only extract; the parent process stores each finished document in one
transaction of its own (record version, flags, paths, run counts), so a run
killed at any moment, even by ``kill -9``, loses only the documents in
flight, and unique constraints (content hash; version number per document)
make a duplicate impossible. Each run names its process; a run whose process
died is marked ``interrupted`` by the next batch (``gxllm batch --status``
lists the latest runs).

Executors: ``local`` (pebble process pool: per-document timeout, a crashed
worker fails only its document) and ``ray`` (an actor pool on the cluster at
``RAY_ADDRESS``, or a local Ray; file bytes travel with the task).
"""

from gxllm.batch.runner import BatchSummary, run_batch

__all__ = ["BatchSummary", "run_batch"]
