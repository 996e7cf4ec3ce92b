"""The store on SQLite and on a real PostgreSQL server that these tests start themselves."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gxllm.pipeline import extract
from gxllm.record import Extraction
from gxllm.settings import Settings
from gxllm.store import (
    BadCorrection,
    Failure,
    RecordVersion,
    ReviewDecision,
    StaleRecord,
    StoredDocument,
    add_user,
    correct,
    decide,
    done_and_failed,
    find_document,
    flag_states,
    item_themes,
    open_flags,
    open_store,
    record_failure,
    start_run,
    store_extraction,
    theme_counts,
    to_extraction,
)
from gxllm.store.engine import alembic_config, make_engine, upgrade
from gxllm.validate import validate

# The store_url fixture: SQLite, and PostgreSQL on a server the tests start.
pytest_plugins = ["tests.store_fixtures"]

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "lianyun-gov-2024.txt"


@pytest.fixture(scope="module")
def seed_extraction() -> Extraction:
    return extract(SEED, settings=Settings())


def _misread(extraction: Extraction) -> Extraction:
    """The seed with 三、新收 read as 69 where the source prints 68: one extraction error, flagged."""
    record = extraction.record.model_copy(deep=True)
    record.set_cell("section3.new.total", 69)
    flags = validate(record, evidence=extraction.evidence, source_text=extract_text())
    return extraction.model_copy(update={"record": record, "flags": flags})


def extract_text() -> str:
    from gxllm.pipeline import read_normalized

    return read_normalized(SEED, Settings()).text


def test_migrations_create_the_models_schema_and_nothing_else(store_url: str) -> None:
    open_store(store_url)
    engine = make_engine(store_url)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.check(config)  # raises if the models and the migrated schema differ
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar() if "sqlite" in store_url else "wal"
    engine.dispose()
    assert version == "0004"
    assert journal == "wal"


def test_item_themes_are_stored_kept_by_a_correction_and_counted_across_the_store(
    store_url: str, seed_extraction: Extraction
) -> None:
    sessions = open_store(store_url)
    last_year = _year_before(seed_extraction, other_column_off_by=0)
    alice = _store_both_years(sessions, seed_extraction, last_year)
    with sessions.begin() as session:
        document = find_document(session, seed_extraction.source.sha256)
        assert to_extraction(document.current_version).themes == seed_extraction.themes
        correct(session, document.id, expected_version=document.version, cell="section3.new.total", value=68, reviewer=alice)
    with sessions() as session:
        document = find_document(session, seed_extraction.source.sha256)
        assert document.current_version.number == 2
        assert to_extraction(document.current_version).themes == seed_extraction.themes
        counts = {(c.list_name, c.theme): (c.items, c.main, c.documents) for c in theme_counts(session)}
    # Counted over current records only: the seed's correction, not its first version, and last year's record.
    expected: dict[tuple[str, str], list[int]] = {}
    for extraction in (seed_extraction, last_year):
        for name, items in extraction.themes.items():
            for themes in items:
                for rank, theme in enumerate(themes):
                    count = expected.setdefault((name, theme), [0, 0, 0])
                    count[0] += 1
                    count[1] += rank == 0
    for extraction in (seed_extraction, last_year):
        for key in {(name, theme) for name, items in extraction.themes.items() for themes in items for theme in themes}:
            expected[key][2] += 1
    assert counts == {key: tuple(value) for key, value in expected.items()}
    assert counts[("problems", "基层政务公开")] == (1, 1, 1)


def test_the_themes_migration_reads_the_themes_of_records_stored_before(tmp_path: Path, seed_extraction: Extraction) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    record = json.dumps(seed_extraction.record.to_json(), ensure_ascii=False)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO documents (id, sha256, first_seen_at, updated_at, review_status, version)"
            " VALUES (1, 'a', '2026-01-01', '2026-01-01', 'clean', 1)"
        )
        connection.exec_driver_sql(
            "INSERT INTO record_versions (id, document_id, number, kind, record, evidence, source, timings, created_at)"
            " VALUES (1, 1, 1, 'extraction', ?, '{}', '{}', '{}', '2026-01-01')",
            (record,),
        )
    engine.dispose()
    sessions = open_store(url)
    with sessions() as session:
        assert item_themes(session.get(RecordVersion, 1)) == seed_extraction.themes


def test_an_extraction_is_stored_once_with_its_flags_and_paths(store_url: str, seed_extraction: Extraction) -> None:
    sessions = open_store(store_url)
    flagged = _misread(seed_extraction)
    with sessions.begin() as session:
        run = start_run(session, inputs=[str(SEED)], executor="local", workers=1)
        store_extraction(session, flagged, path=str(SEED), size_bytes=SEED.stat().st_size, text=extract_text(), run=run)
    with sessions.begin() as session:
        # The same content under another path: a second path, never a second record.
        store_extraction(session, flagged, path="/elsewhere/copy.txt")
    with sessions() as session:
        document = find_document(session, flagged.source.sha256)
        assert document is not None
        assert [p.path for p in document.paths] == [str(SEED), "/elsewhere/copy.txt"]
        assert session.scalar(select(func.count()).select_from(RecordVersion)) == 1
        assert (document.agency, document.year, document.template) == ("连云区人民政府", 2024, "2021")
        assert document.kind == "text" and document.pages == 1 and document.size_bytes == SEED.stat().st_size
        assert document.review_status == "open"
        stored = to_extraction(document.current_version)
        assert stored.record == flagged.record
        assert stored.evidence == flagged.evidence
        assert stored.flags == flagged.flags
        assert {f.rule for f in stored.flags} >= {"GROUNDING"}
        assert document.current_version.run_id == run.id


def test_a_second_document_with_the_same_content_breaks_the_unique_constraint(store_url: str) -> None:
    sessions = open_store(store_url)
    with sessions() as session:
        session.add_all([StoredDocument(sha256="a" * 64), StoredDocument(sha256="a" * 64)])
        with pytest.raises(IntegrityError):
            session.commit()


def test_failures_are_stored_and_resume_sees_done_and_failed(store_url: str, seed_extraction: Extraction) -> None:
    sessions = open_store(store_url)
    with sessions.begin() as session:
        run = start_run(session)
        store_extraction(session, seed_extraction, path=str(SEED))
        record_failure(session, path="bad.txt", stage="extract", error_type="NotAReport", message="no sections",
                       sha256="b" * 64, size_bytes=10, run=run)
        record_failure(session, path="gone.txt", stage="read", error_type="FileNotFoundError", message="gone", run=run)
    with sessions() as session:
        done, failed = done_and_failed(session, [seed_extraction.source.sha256, "b" * 64, "c" * 64])
        assert done == {seed_extraction.source.sha256}
        assert failed == {"b" * 64}
        failures = session.scalars(select(Failure).order_by(Failure.id)).all()
        assert [(f.path, f.stage, f.error_type, f.run_id) for f in failures] == [
            ("bad.txt", "extract", "NotAReport", run.id),
            ("gone.txt", "read", "FileNotFoundError", run.id),
        ]
        assert failures[0].document.review_status == "unread" and failures[1].document_id is None


def _stored_flagged(store_url: str, seed_extraction: Extraction):
    sessions = open_store(store_url)
    with sessions.begin() as session:
        store_extraction(session, _misread(seed_extraction), path=str(SEED), text=extract_text())
        alice = add_user(session, "alice", "hash-a")
        bob = add_user(session, "bob", "hash-b")
    with sessions() as session:
        document = find_document(session, seed_extraction.source.sha256)
        return sessions, document.id, document.version, alice, bob


def test_a_correction_is_a_new_version_revalidated_with_its_audit_trail(store_url: str, seed_extraction: Extraction) -> None:
    sessions, document_id, version, alice, _ = _stored_flagged(store_url, seed_extraction)
    with sessions() as session:
        grounding = next(f for f in open_flags(session, session.get(StoredDocument, document_id)) if f.rule == "GROUNDING")
        assert grounding.cells == ["section3.new.total"] and grounding.suggestion == 68
    with sessions.begin() as session:
        correct(session, document_id, expected_version=version, cell="section3.new.total", value=68,
                reviewer=alice, fingerprint=grounding.fingerprint, reason="原文印的是68")
    with sessions() as session:
        document = session.get(StoredDocument, document_id)
        assert document.version == version + 1
        current = document.current_version
        assert (current.number, current.kind, current.parent.number) == (2, "correction", 1)
        assert current.record["section3"]["new"]["total"] == 68
        assert current.created_by.username == "alice"
        assert current.flags == []  # the validator ran again on the corrected record
        assert document.review_status == "reviewed"
        assert document.versions[0].record["section3"]["new"]["total"] == 69  # nothing overwritten
        (decision,) = document.decisions
        assert (decision.decision, decision.cell, decision.old_value, decision.new_value) == (
            "corrected", "section3.new.total", 69, 68)
        assert (decision.rule, decision.reviewer.username, decision.result_version_id) == ("GROUNDING", "alice", current.id)
        assert decision.reason == "原文印的是68"


def test_dismissed_and_confirmed_flags_close_by_fingerprint(store_url: str, seed_extraction: Extraction) -> None:
    sessions, document_id, version, alice, _ = _stored_flagged(store_url, seed_extraction)
    with sessions() as session:
        flags = open_flags(session, session.get(StoredDocument, document_id))
    assert len(flags) >= 2
    with sessions.begin() as session, pytest.raises(ValueError, match="reason"):
        decide(session, document_id, expected_version=version, fingerprint=flags[0].fingerprint,
               decision="dismissed", reviewer=alice)
    with sessions.begin() as session:
        for step, flag in enumerate(flags):
            decide(session, document_id, expected_version=version + step, fingerprint=flag.fingerprint,
                   decision="confirmed_source" if step == 0 else "dismissed", reviewer=alice, reason="见原文")
    with sessions() as session:
        document = session.get(StoredDocument, document_id)
        states = flag_states(session, document)
        assert [d.decision for _, d in states] == ["confirmed_source"] + ["dismissed"] * (len(flags) - 1)
        assert document.review_status == "reviewed" and document.version == version + len(flags)


def test_two_reviewers_from_the_same_version_cannot_both_write(store_url: str, seed_extraction: Extraction) -> None:
    sessions, document_id, version, alice, bob = _stored_flagged(store_url, seed_extraction)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def review(reviewer, value: int) -> None:
        start.wait()
        try:
            with sessions.begin() as session:
                correct(session, document_id, expected_version=version, cell="section3.new.total", value=value,
                        reviewer=reviewer)
            outcomes[reviewer.username] = "written"
        except StaleRecord:
            outcomes[reviewer.username] = "stale"

    threads = [threading.Thread(target=review, args=(alice, 68)), threading.Thread(target=review, args=(bob, 70))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["stale", "written"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "written")
    with sessions() as session:
        document = session.get(StoredDocument, document_id)
        assert len(document.versions) == 2 and document.version == version + 1
        assert document.current_version.record["section3"]["new"]["total"] == (68 if winner == "alice" else 70)
        assert session.scalar(select(func.count()).select_from(ReviewDecision)) == 1


def _year_before(extraction: Extraction, *, other_column_off_by: int) -> Extraction:
    """The same agency's report of the year before, whose 结转下年度 equals this
    year's 上年结转 except in the ``other`` column (off by ``other_column_off_by``),
    and whose section 五 this year's neither repeats nor answers."""
    record = extraction.record.model_copy(deep=True)
    record.year = extraction.record.year - 1  # type: ignore[operator]
    record.problems, record.remedies = ["基层政务公开标准化有待推进"], ["推进基层政务公开标准化"]
    for column in ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other", "total"):
        carried = extraction.record.cell(f"section3.carried_over.{column}")
        record.set_cell(f"section3.carried_forward.{column}", carried + (other_column_off_by if column == "other" else 0))
    source = extraction.source.model_copy(update={"sha256": "0" * 64, "path": "last-year.txt"})
    themes = {"problems": [["基层政务公开"]], "remedies": [["基层政务公开"]]}
    return extraction.model_copy(update={"record": record, "themes": themes, "source": source, "flags": []})


def _store_both_years(sessions, this_year: Extraction, last_year: Extraction):
    """Both years stored, and a reviewer: alice."""
    with sessions.begin() as session:
        for extraction in (this_year, last_year):
            store_extraction(session, extraction, path=extraction.source.path, text=extract_text())
        alice = add_user(session, "alice", "hash-a")
    return alice


def _cross_year_cells(session, sha256: str) -> list[list[str]]:
    document = find_document(session, sha256)
    return [flag.cells for flag in document.current_version.flags if flag.rule == "CROSS_YEAR"]


@pytest.mark.parametrize("last_year_first", [True, False], ids=["last-year-first", "this-year-first"])
def test_cross_year_is_checked_in_the_store_whichever_year_arrives_first(
    store_url: str, seed_extraction: Extraction, last_year_first: bool
) -> None:
    sessions = open_store(store_url)
    last_year = _year_before(seed_extraction, other_column_off_by=2)
    order = [last_year, seed_extraction] if last_year_first else [seed_extraction, last_year]
    for extraction in order:
        with sessions.begin() as session:
            store_extraction(session, extraction, path=extraction.source.path, text=extract_text())
    with sessions() as session:
        assert _cross_year_cells(session, seed_extraction.source.sha256) == [["section3.carried_over.other"]]
        assert _cross_year_cells(session, last_year.source.sha256) == []
        this_year = find_document(session, seed_extraction.source.sha256)
        assert this_year.review_status == "open"
        # Told of a change it did not make itself only when it was there first.
        assert this_year.version == (1 if last_year_first else 2)


def test_a_correction_of_last_year_settles_this_years_cross_year_flag(store_url: str, seed_extraction: Extraction) -> None:
    sessions = open_store(store_url)
    last_year = _year_before(seed_extraction, other_column_off_by=2)
    alice = _store_both_years(sessions, seed_extraction, last_year)
    with sessions.begin() as session:
        document = find_document(session, last_year.source.sha256)
        value = seed_extraction.record.cell("section3.carried_over.other")
        correct(session, document.id, expected_version=document.version, cell="section3.carried_forward.other",
                value=value, reviewer=alice, reason="原文为此数")
    with sessions() as session:
        assert _cross_year_cells(session, seed_extraction.source.sha256) == []
        assert find_document(session, seed_extraction.source.sha256).review_status == "clean"


@pytest.mark.parametrize("last_year_first", [True, False], ids=["last-year-first", "this-year-first"])
def test_what_repeats_from_last_year_is_flagged_in_the_store_whichever_year_arrives_first(
    store_url: str, last_year_first: bool
) -> None:
    """三明市 2022 and 2023, real reports of consecutive years: 2023 names a problem 2022 promised to fix."""
    from gxllm.pipeline import read_normalized
    from gxllm.service.queue import QueueFilters, load_queue

    real = SEED.parent.parent / "real"
    reports = [real / "sanming-gov-2022.txt", real / "sanming-gov-2023.txt"]
    sessions = open_store(store_url)
    for path in reports if last_year_first else reports[::-1]:
        with sessions.begin() as session:
            store_extraction(session, extract(path, settings=Settings()), path=str(path), text=read_normalized(path, Settings()).text)
    with sessions() as session:
        by_year = {d.year: d for d in session.scalars(select(StoredDocument))}
        repeats = [(f.rule, f.severity, f.cells) for f in by_year[2023].current_version.flags if f.rule != "CROSS_YEAR"]
        assert repeats == [("REMEDY_NOT_EFFECTIVE", "info", ["problems.2"])]
        assert not [f for f in by_year[2022].current_version.flags if f.rule == "REMEDY_NOT_EFFECTIVE"]
        assert by_year[2023].review_status == "open"
        # The review queue lists it under its rule.
        queue = load_queue(session, QueueFilters(rule="REMEDY_NOT_EFFECTIVE"))
        assert [row.record_id for row in queue.rows] == [by_year[2023].id]
        assert "REMEDY_NOT_EFFECTIVE" in queue.rows[0].rules


def test_a_correction_must_name_a_real_cell_and_a_value_of_its_type(store_url: str, seed_extraction: Extraction) -> None:
    sessions, document_id, version, alice, _ = _stored_flagged(store_url, seed_extraction)
    for cell, value in (("section3.nope.total", 1), ("section3.new.total", "many")):
        with pytest.raises(BadCorrection), sessions.begin() as session:
            correct(session, document_id, expected_version=version, cell=cell, value=value, reviewer=alice)
    with sessions() as session:
        assert session.get(StoredDocument, document_id).version == version  # nothing of the failed tries stayed


def test_a_batch_resumes_on_either_database(store_url: str, tmp_path: Path) -> None:
    from gxllm.batch import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(SEED.parent.glob("*.txt"))[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    first = run_batch([folder], settings=Settings(), db_url=store_url, workers=2, show_progress=False)
    again = run_batch([folder], settings=Settings(), db_url=store_url, workers=2, show_progress=False)
    assert (first.extracted, first.failures, again.extracted, again.skipped) == (3, [], 0, 3)
    with open_store(store_url)() as session:
        assert session.scalar(select(func.count()).select_from(RecordVersion)) == 3
        assert {d.review_status for d in session.scalars(select(StoredDocument))} <= {"clean", "open"}
