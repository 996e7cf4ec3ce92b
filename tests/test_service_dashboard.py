"""The dashboard's figures: the store's records summed by the queue's filters, on SQLite and PostgreSQL;
the page and the API give the same figures, and each link opens the queue on the documents counted."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from gxllm.fixturegen.records import random_record
from gxllm.record import Extraction, Record, SourceInfo
from gxllm.service.app import create_app
from gxllm.service.dashboard import Dashboard, group_of, load_dashboard
from gxllm.service.queue import QueueFilters, load_queue
from gxllm.store import (
    StoredDocument,
    add_user,
    decide,
    find_document,
    open_flags,
    open_store,
    store_extraction,
)
from gxllm.template import TEMPLATES
from gxllm.validate import validate
from tests.service_reports import PASSWORD, ReviewStore
from tests.test_record_doc import _table

pytest_plugins = ["tests.service_fixtures", "tests.store_fixtures"]

STATIC = Path(__file__).resolve().parent.parent / "gxllm" / "service" / "static"
QUEUE = "/"
# (agency, year): seven agencies, some in several years, both templates.
REPORTS = [
    ("甲县人民政府", 2020), ("甲县人民政府", 2021), ("甲县人民政府", 2022), ("乙市教育局", 2021), ("乙市教育局", 2022),
    ("丙区人民政府", 2022), ("丁县公安局", 2022), ("戊县卫健委", 2022), ("己区财政局", 2022), ("庚市人民政府", 2019),
]
UNREAD = 1  # this report's 予以公开 total is null: it adds nothing
UNBALANCED = 3  # this report prints one more 保护第三方合法权益 than its totals hold


def _sha256(index: int) -> str:
    return hashlib.sha256(str(index).encode()).hexdigest()


def _records() -> list[Record]:
    rng = random.Random(15)
    records = []
    for agency, year in REPORTS:
        record = random_record("2019" if year < 2021 else "2021", rng)
        record.agency, record.year = agency, year
        records.append(record)
    records[UNREAD].set_cell("section3.granted.total", None)
    third_party = "section3.withheld_third_party.total"
    records[UNBALANCED].set_cell(third_party, records[UNBALANCED].cell(third_party) + 3)
    return records


@pytest.fixture
def filled(store_url: str) -> Iterator[tuple[object, list[Record]]]:
    """The store with the reports above, one source flag dismissed; its session factory and the records by id order."""
    sessions = open_store(store_url)
    records = _records()
    with sessions() as session:
        for i, record in enumerate(records):
            source = SourceInfo(path=f"r{i}.txt", sha256=_sha256(i), kind="text")
            store_extraction(session, Extraction(record=record, flags=validate(record), source=source), path=source.path)
        reviewer = add_user(session, "alice", "not a real hash")
        unbalanced = find_document(session, _sha256(UNBALANCED))
        first = next(flag for flag in open_flags(session, unbalanced) if flag.kind == "source")
        decide(session, unbalanced.id, expected_version=unbalanced.version, fingerprint=first.fingerprint,
               decision="dismissed", reviewer=reviewer, reason="核对原文")
        session.commit()
    yield sessions, records
    sessions.kw["bind"].dispose()


def _doc_groups() -> dict[str, str]:
    """Outcome row -> its group, as docs/record.md prints it (三（三）不予公开 -> 不予公开)."""
    return {row[0]: re.sub(r"^三（.）", "", row[3]) for row in _table("template-table: section3 rows") if row[3]}


def _chart(dashboard: Dashboard, key: str) -> dict[tuple[str, str], object]:
    chart = next(chart for chart in dashboard.charts if chart.key == key)
    return {(series.name, category): value for series in chart.series for category, value in zip(chart.categories, series.values, strict=True)}


def _query(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))


def test_outcome_groups_are_those_docs_record_md_prints() -> None:
    rows = {row for template in TEMPLATES.values() for row in template.outcome_rows}
    assert {row: group_of(row) for row in rows} == _doc_groups()


def test_the_figures_are_the_sums_of_the_current_records(filled: tuple[object, list[Record]]) -> None:
    sessions, records = filled
    with sessions() as session:
        dashboard = load_dashboard(session, agency=None, year=None, template=None, queue_url=QUEUE)
        documents = {document.id: document for document in session.query(StoredDocument)}
        open_by_document = {i: open_flags(session, document) for i, document in documents.items()}
    assert dashboard.records == len(records) and dashboard.years == [2019, 2020, 2021, 2022]

    received = Counter({(r.agency, str(r.year)): r.section3.new.total for r in records})
    agencies = sorted({r.agency for r in records}, key=lambda a: (-sum(n for (b, _), n in received.items() if b == a), a))
    top = agencies[:5]
    requests = _chart(dashboard, "requests")
    assert {key: value for key, value in requests.items() if key[0] in top and value is not None} == {
        key: n for key, n in received.items() if key[0] in top
    }
    assert len(agencies) == 7
    rest = Counter()
    for (agency, year), n in received.items():
        rest[year] += n if agency not in top else 0
    assert {year: value for (name, year), value in requests.items() if name == "其他2个机构"} == {
        year: rest[year] for year in ("2019", "2020", "2021", "2022")
    }

    groups = _doc_groups()
    outcomes: dict[tuple[str, str], int] = defaultdict(int)
    for record in records:
        for row in record.spec.outcome_rows:
            outcomes[(groups[row], str(record.year))] += record.cell(f"section3.{row}.total") or 0
    assert _chart(dashboard, "outcomes") == dict(outcomes)
    refused = _chart(dashboard, "refused")
    for year in ("2019", "2020", "2021", "2022"):
        answered = sum(n for (_, y), n in outcomes.items() if y == year)
        assert refused[("不予公开占比", year)] == round(100 * outcomes[("不予公开", year)] / answered, 1)

    appeals = _chart(dashboard, "appeals")
    for row in TEMPLATES["2021"].section4.rows:
        for column in row.columns[:4]:
            assert appeals[(column.label, row.label)] == sum(r.cell(f"section4.{row.key}.{column.key}") for r in records)

    by_rule_kind = Counter((flag.rule, flag.kind) for flags in open_by_document.values() for flag in flags)
    kind_names = {"原文错误": "source", "抽取错误": "extraction", "缺失": "missing"}
    flags = {(rule, kind_names[name]): n for (name, rule), n in _chart(dashboard, "flags").items() if n is not None}
    assert flags == dict(by_rule_kind)
    assert ("S3_OUTCOME_TOTAL", "source") in flags and ("MISSING", "missing") in flags
    errors = Counter(documents[i].agency for i, flags_ in open_by_document.items() for f in flags_ if f.severity == "error")
    ranked = sorted(errors.items(), key=lambda item: (-item[1], item[0]))
    assert ranked
    assert [(agency, n) for (_, agency), n in _chart(dashboard, "agencies").items()] == ranked


def test_each_link_opens_the_queue_on_the_documents_counted(filled: tuple[object, list[Record]]) -> None:
    sessions, _ = filled
    with sessions() as session:
        dashboard = load_dashboard(session, agency="甲县", year=None, template="2021", queue_url=QUEUE)
        assert dashboard.records == 2  # 甲县 in 2021 and 2022; its 2020 report is on the 2019 template
        assert _query(dashboard.link) == {"agency": "甲县", "template": "2021", "status": ""}
        outcomes = next(chart for chart in dashboard.charts if chart.key == "outcomes")
        assert outcomes.categories == ["2021", "2022"]
        for year, link in zip(outcomes.categories, outcomes.series[0].links, strict=True):
            query = _query(link)
            assert query == {"agency": "甲县", "template": "2021", "year": year, "status": ""}
            filters = QueueFilters(agency=query["agency"], year=int(query["year"]), template=query["template"], status=None)
            linked = load_queue(session, filters).rows
            assert [(row.agency, row.year, row.template) for row in linked] == [("甲县人民政府", int(year), "2021")]
        flags = next(chart for chart in dashboard.charts if chart.key == "flags")
        for series in flags.series:
            for rule, value, link in zip(flags.categories, series.values, series.links, strict=True):
                query = _query(link)
                assert query["rule"] == rule and query["status"] == "open" and query["agency"] == "甲县"
                if value:
                    filters = QueueFilters(agency="甲县", template="2021", rule=rule, kind=query["kind"])
                    assert load_queue(session, filters).counts.open_flags >= value


@pytest.fixture
def client(review_store: ReviewStore, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(review_store.url, uploads=tmp_path / "uploads")
    with TestClient(app) as test_client:
        yield test_client


def test_the_page_carries_the_figures_the_api_gives(client: TestClient, review_store: ReviewStore) -> None:
    page = client.get("/dashboard?year=2024")
    assert page.url.path == "/login"  # reviewers only
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token, "next": "/"})
    page = client.get("/dashboard?year=2024&template=")
    assert page.status_code == 200
    data = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page.text, re.DOTALL).group(1)  # type: ignore[union-attr]
    assert "<script>window.pwned" not in data and "&lt;script&gt;window.pwned=1&lt;/script&gt;殷都区科学技术局" in page.text
    api = client.get("/api/dashboard", params={"year": 2024}, headers={"Authorization": f"Bearer {review_store.token}"})
    assert json.loads(data) == api.json()
    figures = api.json()
    assert figures["records"] == 2 and figures["link"] == "http://testserver/?year=2024&status="
    requests = {series["name"]: series["values"] for series in figures["charts"][0]["series"]}
    assert requests == {"连云区人民政府": [68], "<script>window.pwned=1</script>殷都区科学技术局": [0]}
    assert re.findall(r'class="queue-link" href="([^"]+)"', page.text)[0] == "http://testserver/?year=2024&amp;status="


def test_the_queue_filters_by_template(client: TestClient, review_store: ReviewStore) -> None:
    answer = client.get("/api/records", params={"template": "2019", "status": "all"},
                        headers={"Authorization": f"Bearer {review_store.token}"})
    assert [item["id"] for item in answer.json()["items"]] == [review_store.ids["haian-kjj-2019.s4-total"]]


def test_the_charting_library_is_the_pinned_build_served_with_its_licence() -> None:
    folder = STATIC / "echarts"
    pinned = re.search(r"`([0-9a-f]{64})`", (folder / "README.md").read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
    assert hashlib.sha256((folder / "echarts.common.min.js").read_bytes()).hexdigest() == pinned
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "Apache ECharts" in (folder / "NOTICE").read_text(encoding="utf-8")
