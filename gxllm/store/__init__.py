"""The store: documents, runs, versioned records, flags, review decisions and users.

SQLite (WAL mode) in ``./gxllm.db`` by default, PostgreSQL by URL
(``postgresql://user:pass@host/db``, driven by psycopg 3). The schema is
created and upgraded by Alembic migrations shipped in
``gxllm/store/migrations``; :func:`open_store` runs them, so no set-up step
is needed. New migrations: ``python -m gxllm.store.revision "what changed"``.

Tables (:mod:`gxllm.store.models`)::

    documents        one per content (sha256 unique): kind, size, pages, normalised text,
                     agency/year/template of the current record, review_status, current_version,
                     version (the optimistic lock)
    document_paths   every path a content was found under
    runs             a batch run or an upload job: status, settings, versions, counts, and the
                     process running it (owner), so a run whose process died is marked interrupted
    record_versions  number 1 = extraction, then one per correction (parent = the version corrected):
                     record JSON, evidence JSON, source, timings, created_by
    flags            the validator's findings on one record version (every field of gxllm.record.Flag)
    item_themes      each theme of each problem and remedy of a record version: list, item, rank (0 = main), theme
    review_decisions the audit trail: flag fingerprint, decision confirmed_source | corrected |
                     dismissed, reason, cell, old and new value, reviewer, time
    failures         inputs that could not be processed: path, stage, error, run
    users, sessions, api_tokens   reviewer accounts (hashes only, never secrets)

Functions (each takes a Session and leaves the commit to the caller, so one
document is one transaction), by module::

    engine.py    open_store(url=None) -> sessionmaker           migrate to head, then sessions
                 upgrade(url=None, revision="head")             migrations only
                 writing(sessions) -> Session (context)         one short transaction that writes
                 begin_write(session)                           the session's next transaction writes
    runs.py      start_run(session, *, kind, inputs, executor, workers, settings, versions, created_by) -> Run
                 finish_run(session, run, status="finished")
                 interrupt_orphaned_runs(session) -> [Run]      runs whose process died: interrupted
                 recent_runs(session, limit) -> [Run]           latest first (gxllm batch --status)
    ingest.py    done_and_failed(session, sha256s) -> (done, failed)      what a resumed batch skips
                 store_outcome(session, run, outcome, paths) -> pages     a worker's Outcome (outcomes.py)
                 store_extraction(session, extraction, *, path, size_bytes, text, run) -> StoredDocument
                 record_failure(session, *, path, stage, error_type, message, sha256, size_bytes, run) -> Failure
                 find_document(session, sha256) -> StoredDocument | None
    versions.py  to_extraction(record_version) -> Extraction              a stored version as pipeline data
                 item_themes(record_version) -> {list: [[theme, …], …]}   each item's themes, main first
                 theme_counts(session) -> [ThemeCount]                     items and documents by list and theme
    flags.py     flag_states(session, document) -> [(FlagRow, closing ReviewDecision | None)]
                 open_flags(session, document) -> [FlagRow]
                 refresh_review_status(session, document)
    review.py    claim(session, document_id, expected_version) -> StoredDocument   or StaleRecord
                 decide(session, document_id, *, expected_version, fingerprint, decision, reviewer, reason)
                 correct(session, document_id, *, expected_version, cell, value, reviewer, fingerprint, reason)
                                      new version, validator re-run on it, decision "corrected"
    users.py     add_user(session, username, password_hash, role) / find_user(session, username) / all_users(session)

A transaction that writes is begun as a writer (``writing``/``begin_write``):
on SQLite it takes the one write lock first, waiting up to the busy timeout
for another writer, instead of reading first and being refused at its first
write. Transactions that write are kept short (one document, one decision);
nothing slow (extracting, hashing files) happens inside one.

A flag is open until a ``confirmed_source`` or ``dismissed`` decision names
its fingerprint; fingerprints are stable across versions, so a correction
elsewhere does not reopen it. ``StoredDocument.review_status`` (unread, clean, open,
reviewed) is kept up to date by these functions, for the review queue.
"""

from gxllm.store.engine import (
    begin_write,
    default_url,
    make_engine,
    open_store,
    upgrade,
    writing,
)
from gxllm.store.flags import flag_states, open_flags, refresh_review_status
from gxllm.store.ingest import (
    add_path,
    done_and_failed,
    find_document,
    record_failure,
    store_extraction,
    store_outcome,
)
from gxllm.store.models import (
    ApiToken,
    DocumentPath,
    Failure,
    FlagRow,
    ItemTheme,
    RecordVersion,
    ReviewDecision,
    Run,
    StoredDocument,
    User,
    WebSession,
)
from gxllm.store.outcomes import Outcome, Task
from gxllm.store.review import BadCorrection, StaleRecord, claim, correct, decide
from gxllm.store.runs import finish_run, interrupt_orphaned_runs, recent_runs, start_run
from gxllm.store.users import BadUsername, add_user, all_users, find_user
from gxllm.store.versions import item_themes, theme_counts, to_extraction, to_flag

__all__ = [
    "ApiToken",
    "BadCorrection",
    "BadUsername",
    "DocumentPath",
    "Failure",
    "FlagRow",
    "ItemTheme",
    "Outcome",
    "RecordVersion",
    "ReviewDecision",
    "Run",
    "StaleRecord",
    "StoredDocument",
    "Task",
    "User",
    "WebSession",
    "add_path",
    "add_user",
    "all_users",
    "begin_write",
    "claim",
    "correct",
    "decide",
    "default_url",
    "done_and_failed",
    "find_document",
    "find_user",
    "finish_run",
    "flag_states",
    "interrupt_orphaned_runs",
    "item_themes",
    "make_engine",
    "open_flags",
    "open_store",
    "recent_runs",
    "record_failure",
    "refresh_review_status",
    "start_run",
    "store_extraction",
    "store_outcome",
    "theme_counts",
    "to_extraction",
    "to_flag",
    "upgrade",
    "writing",
]
