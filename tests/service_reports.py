"""A store of flagged fixture records for the service's API and browser tests.

Three seed reports re-printed (gxllm.fixturegen, layout ``rows``) with one
number changed in the printed table, so the document itself does not add up
(``source`` flags); one of them also misread on purpose (a ``GROUNDING``
extraction flag); and one carrying hostile markup in its text and agency.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from gxllm.fixturegen.seeds import load_seeds
from gxllm.fixturegen.text_layouts import render
from gxllm.pipeline import extract, read_normalized
from gxllm.record import Extraction
from gxllm.service.auth import hash_password, issue_api_token
from gxllm.settings import Settings
from gxllm.store import add_user, open_store, store_extraction
from gxllm.validate import validate

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
HOSTILE_AGENCY = "<script>window.pwned=1</script>殷都区科学技术局"
HOSTILE_PROSE = '<img src=x onerror="window.pwned=2"><b>粗体</b>&amp;'
PASSWORD = "correct horse battery staple"
STORE_FILE = "review.db"


@dataclass(frozen=True)
class Report:
    name: str
    seed: str
    # The printed table's one wrong number: (cell, value printed instead of the seed's).
    printed: tuple[str, int]
    # A value read wrong on purpose after extraction: (cell, value), or None.
    misread: tuple[str, int] | None = None
    hostile: bool = False


REPORTS = (
    Report("lianyun-gov-2024.unbalanced", "lianyun-gov-2024", ("section3.new.natural_person", 66),
           misread=("section3.granted.total", 19)),
    Report("haian-kjj-2019.s4-total", "haian-kjj-2019", ("section4.review.total", 3)),
    Report("yindu-kjj-2024.hostile", "yindu-kjj-2024", ("section3.granted.total", 5), hostile=True),
)


def write_reports(folder: Path) -> dict[str, Path]:
    """Each report's text under ``folder``, by name."""
    seeds = load_seeds(SEEDS)
    paths = {}
    for report in REPORTS:
        seed = seeds[report.seed]
        record = seed.gold.model_copy(deep=True)
        record.set_cell(*report.printed)
        text = render("rows", seed.text, record, random.Random(report.name)).text
        if report.hostile:
            first_paragraph = text.index("一、总体情况") + len("一、总体情况")
            text = text[:first_paragraph] + "\n" + HOSTILE_PROSE + "\n" + text[first_paragraph:]
        paths[report.name] = folder / f"{report.name}.txt"
        paths[report.name].write_text(text, encoding="utf-8")
    return paths


def extraction_of(report: Report, path: Path) -> tuple[Extraction, str]:
    """The pipeline's extraction of ``path`` with the report's misreading and hostile agency, and its text."""
    extraction = extract(path, settings=Settings())
    text = read_normalized(path, Settings()).text
    record = extraction.record.model_copy(deep=True)
    if report.misread:
        record.set_cell(*report.misread)
    if report.hostile:
        record.agency = HOSTILE_AGENCY
    flags = validate(record, evidence=extraction.evidence, source_text=text)
    return extraction.model_copy(update={"record": record, "flags": flags}), text


@dataclass(frozen=True)
class ReviewStore:
    url: str
    ids: dict[str, int]  # report name -> record (document) id
    token: str  # API token of alice


def fill_store(folder: Path, url: str | None = None) -> ReviewStore:
    """The store at ``url`` (default: a SQLite file under ``folder``) holding the flagged reports,
    written under ``folder``, and reviewers alice and bob."""
    url = url or f"sqlite:///{folder / STORE_FILE}"
    paths = write_reports(folder)
    sessions = open_store(url)
    with sessions() as session:
        documents = {}
        for report in REPORTS:
            extraction, text = extraction_of(report, paths[report.name])
            documents[report.name] = store_extraction(session, extraction, path=str(paths[report.name]), text=text)
        alice = add_user(session, "alice", hash_password(PASSWORD))
        add_user(session, "bob", hash_password(PASSWORD))
        token = issue_api_token(session, alice, "tests")
        session.commit()
        ids = {name: document.id for name, document in documents.items()}
    # Closed, so the file is whole without its write-ahead log and can be copied.
    sessions.kw["bind"].dispose()
    return ReviewStore(url, ids, token)


def copy_store(store: ReviewStore, folder: Path) -> ReviewStore:
    """The same store in a file of its own under ``folder``, for a test that changes it."""
    source = Path(store.url.removeprefix("sqlite:///"))
    shutil.copyfile(source, folder / STORE_FILE)
    return ReviewStore(f"sqlite:///{folder / STORE_FILE}", store.ids, store.token)
