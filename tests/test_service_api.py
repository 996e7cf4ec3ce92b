"""The HTTP API: tokens, the queue, records, decisions with optimistic locking, uploads and their jobs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gxllm.service.app import create_app
from gxllm.settings import Settings
from tests.service_reports import (
    SEEDS,
    ReviewStore,
)

# The flagged store: the fixtures filled_store and review_store.
pytest_plugins = ["tests.service_fixtures"]

LIANYUN = "lianyun-gov-2024.unbalanced"
HAIAN = "haian-kjj-2019.s4-total"
YINDU = "yindu-kjj-2024.hostile"


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def client(review_store: ReviewStore, tmp_path: Path, settings: Settings) -> Iterator[TestClient]:
    app = create_app(review_store.url, uploads=tmp_path / "uploads", settings=settings)
    with TestClient(app, headers={"Authorization": f"Bearer {review_store.token}"}) as test_client:
        yield test_client


def _flag(record: dict, rule: str) -> dict:
    return next(item for item in record["flags"] if item["flag"]["rule"] == rule)


def test_the_spec_names_every_call(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/documents", "/api/jobs/{job_id}", "/api/records", "/api/records/{record_id}",
            "/api/records/{record_id}/decisions", "/api/themes"} <= set(spec["paths"])
    # The review pages are not part of the API.
    assert "/records/{record_id}" not in spec["paths"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer gx_not-a-token", "Basic YWxpY2U6eA=="])
def test_calls_without_a_valid_token_are_refused(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    client.headers.pop("Authorization")
    answer = client.get("/api/records", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_the_queue_puts_the_worst_and_most_flagged_first(client: TestClient, review_store: ReviewStore) -> None:
    queue = client.get("/api/records").json()
    ids = review_store.ids
    assert [item["id"] for item in queue["items"]] == [ids[LIANYUN], ids[YINDU], ids[HAIAN]]
    lianyun = queue["items"][0]
    assert lianyun["open_flags"]["error"] >= 3
    assert {"S3_BALANCE", "S3_ROW_TOTAL", "GROUNDING"} <= set(lianyun["rules"])
    assert lianyun["kinds"] == ["source", "extraction"]
    assert queue["items"][2]["open_flags"] == {"error": 1}
    assert queue["records"] == queue["open_records"] == 3
    assert queue["open_flags"] == sum(sum(item["open_flags"].values()) for item in queue["items"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": 2019}, [HAIAN]),
        ({"rule": "S4_TOTAL"}, [HAIAN]),
        ({"kind": "extraction"}, [LIANYUN]),
        ({"agency": "殷都"}, [YINDU]),
        ({"agency": "%"}, []),
        ({"status": "reviewed"}, []),
        ({"status": "all", "year": 2024}, [LIANYUN, YINDU]),
        ({"theme": "决策公开"}, [LIANYUN]),
        ({"theme": "依申请公开办理", "status": "all"}, [HAIAN]),
    ],
)
def test_the_queue_filters(client: TestClient, review_store: ReviewStore, query: dict, expected: list[str]) -> None:
    items = client.get("/api/records", params=query).json()["items"]
    assert [item["id"] for item in items] == [review_store.ids[name] for name in expected]


def test_problems_and_remedies_are_counted_by_theme_across_the_store(client: TestClient, review_store: ReviewStore) -> None:
    records = [client.get(f"/api/records/{record_id}").json()["record"] for record_id in review_store.ids.values()]
    expected: dict[tuple[str, str], list[int]] = {}
    for record in records:
        for name, items in record["themes"].items():
            assert len(items) == len(record[name])
            for themes in items:
                for rank, theme in enumerate(themes):
                    count = expected.setdefault((name, theme), [0, 0, 0])
                    count[0] += 1
                    count[1] += rank == 0
        for key in {(name, t) for name, items in record["themes"].items() for themes in items for t in themes}:
            expected[key][2] += 1
    counts = client.get("/api/themes").json()
    assert {(c["list"], c["theme"]): [c["items"], c["main"], c["documents"]] for c in counts} == expected
    assert counts[0]["list"] == "problems" and counts[0]["items"] == max(c["items"] for c in counts if c["list"] == "problems")


def test_a_record_comes_with_its_flags_evidence_and_lock(client: TestClient, review_store: ReviewStore) -> None:
    record = client.get(f"/api/records/{review_store.ids[LIANYUN]}").json()
    assert record["version"] == 1 and record["record_version"] == 1
    assert record["review_status"] == "open"
    assert record["record"]["agency"] == "连云区人民政府"
    assert record["record"]["section3"]["granted"]["total"] == 19  # misread on purpose
    assert record["record"]["evidence"]["section3.granted.total"]["token"] == "26"
    grounding = _flag(record, "GROUNDING")
    assert grounding["status"] == "open"
    assert grounding["flag"]["suggestion"] == 26
    assert record["audit"] == []
    assert client.get("/api/records/999").status_code == 404


def test_confirming_a_source_error_closes_the_flag_and_is_audited(client: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    fingerprint = _flag(client.get(f"/api/records/{record_id}").json(), "S4_TOTAL")["flag"]["fingerprint"]
    answer = client.post(f"/api/records/{record_id}/decisions",
                         json={"version": 1, "fingerprint": fingerprint, "decision": "confirmed_source"})
    assert answer.status_code == 200
    record = answer.json()
    assert record["version"] == 2
    assert record["review_status"] == "reviewed"
    flag = _flag(record, "S4_TOTAL")
    assert (flag["status"], flag["decided_by"]) == ("confirmed_source", "alice")
    assert [(a["decision"], a["reviewer"], a["rule"]) for a in record["audit"]] == [("confirmed_source", "alice", "S4_TOTAL")]
    assert record_id not in [item["id"] for item in client.get("/api/records").json()["items"]]


def test_a_dismissal_needs_a_reason(client: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    fingerprint = _flag(client.get(f"/api/records/{record_id}").json(), "S4_TOTAL")["flag"]["fingerprint"]
    decision = {"version": 1, "fingerprint": fingerprint, "decision": "dismissed"}
    refused = client.post(f"/api/records/{record_id}/decisions", json={**decision, "reason": "  "})
    assert refused.status_code == 422
    assert client.get(f"/api/records/{record_id}").json()["version"] == 1  # nothing written
    answer = client.post(f"/api/records/{record_id}/decisions", json={**decision, "reason": "复议案件另表统计"})
    assert answer.status_code == 200
    assert _flag(answer.json(), "S4_TOTAL")["reason"] == "复议案件另表统计"


def test_a_correction_makes_a_new_version_and_is_validated_at_once(client: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[LIANYUN]
    before = client.get(f"/api/records/{record_id}").json()
    grounding = _flag(before, "GROUNDING")["flag"]
    answer = client.post(
        f"/api/records/{record_id}/decisions",
        json={"version": 1, "fingerprint": grounding["fingerprint"], "decision": "corrected",
              "cell": "section3.granted.total", "value": 26},
    )
    assert answer.status_code == 200
    after = answer.json()
    assert after["record_version"] == 2
    assert after["record"]["section3"]["granted"]["total"] == 26
    # Re-validated: the misreading's flags are gone; the document's own imbalance stays.
    rules = {item["flag"]["rule"] for item in after["flags"]}
    assert "GROUNDING" not in rules
    assert {"S3_BALANCE", "S3_ROW_TOTAL"} <= rules
    assert [(a["decision"], a["cell"], a["old"], a["new"]) for a in after["audit"]] == [
        ("corrected", "section3.granted.total", 19, 26)
    ]


def test_a_correction_of_a_cell_the_record_lacks_is_refused(client: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    fingerprint = _flag(client.get(f"/api/records/{record_id}").json(), "S4_TOTAL")["flag"]["fingerprint"]
    answer = client.post(f"/api/records/{record_id}/decisions", json={
        "version": 1, "fingerprint": fingerprint, "decision": "corrected", "cell": "section9.x.y", "value": 1})
    assert answer.status_code == 422
    assert client.get(f"/api/records/{record_id}").json()["record_version"] == 1


def test_the_second_of_two_reviewers_gets_a_conflict_not_an_overwrite(client: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[YINDU]
    loaded = client.get(f"/api/records/{record_id}").json()
    first, second = (item["flag"]["fingerprint"] for item in loaded["flags"][:2])
    assert client.post(f"/api/records/{record_id}/decisions", json={
        "version": loaded["version"], "fingerprint": first, "decision": "confirmed_source"}).status_code == 200
    late = client.post(f"/api/records/{record_id}/decisions", json={
        "version": loaded["version"], "fingerprint": second, "decision": "dismissed", "reason": "看错了"})
    assert late.status_code == 409
    assert "alice" in late.json()["detail"]["message"]
    assert late.json()["detail"]["version"] == loaded["version"] + 1
    audit = client.get(f"/api/records/{record_id}").json()["audit"]
    assert [a["fingerprint"] for a in audit] == [first]


def _upload(client: TestClient, name: str, data: bytes) -> object:
    return client.post("/api/documents", files={"file": (name, data, "application/octet-stream")})


def test_an_upload_becomes_a_job_then_a_record(client: TestClient, tmp_path: Path) -> None:
    data = (SEEDS / "lianyun-kjj-2024.txt").read_bytes()
    answer = _upload(client, "../../连云区科技局 2024.txt", data)
    assert answer.status_code == 202
    job = answer.json()
    assert job["state"] in ("queued", "running", "finished")
    assert job["filename"] == "连云区科技局 2024.txt"  # no path parts kept
    assert client.app.state.jobs.wait_idle(timeout=60)
    job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "finished" and job["error"] is None
    record = client.get(f"/api/records/{job['record_id']}").json()
    assert record["record"]["agency"] == "连云区科学技术局"
    stored = list((tmp_path / "uploads").rglob("*.txt"))
    assert [p.read_bytes() for p in stored] == [data]
    assert stored[0].stat().st_mode & 0o777 == 0o600


def test_an_upload_that_is_no_report_fails_its_job_with_the_reason(client: TestClient) -> None:
    job = _upload(client, "notice.txt", "关于召开会议的通知\n请各单位准时参加。\n".encode()).json()
    assert client.app.state.jobs.wait_idle(timeout=60)
    job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "failed"
    assert job["record_id"] is None
    assert "政府信息公开工作年度报告" in job["error"]


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("report.exe", b"MZ\x90\x00", 415),
        ("report.docx", b"PK\x03\x04", 415),
        ("report.pdf", "一、总体情况".encode(), 415),
        ("report.txt", b"%PDF-1.7\n", 415),
        ("report.png", b"GIF89a", 415),
        ("report.txt", b"", 415),
    ],
)
def test_uploads_of_the_wrong_type_are_refused_and_not_kept(
    client: TestClient, tmp_path: Path, name: str, data: bytes, status: int
) -> None:
    answer = _upload(client, name, data)
    assert answer.status_code == status
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


@pytest.mark.parametrize("settings", [Settings(max_file_bytes=1000)])
def test_uploads_over_the_size_limit_are_refused(client: TestClient, tmp_path: Path) -> None:
    assert _upload(client, "big.txt", "年".encode() * 400).status_code == 413  # 1200 bytes: past the upload check
    assert _upload(client, "huge.txt", b"x" * 200_000).status_code == 413  # past the request body limit
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


def test_uploads_are_never_served_back(client: TestClient, tmp_path: Path) -> None:
    job = _upload(client, "page.html", b"<html><script>alert(1)</script>").json()
    client.app.state.jobs.wait_idle(timeout=60)
    stored = next(p for p in (tmp_path / "uploads").rglob("*.html"))
    for url in (f"/uploads/{stored.parent.name}/{stored.name}", f"/static/../uploads/{stored.name}",
                f"/static/{stored.name}", f"/api/jobs/{job['id']}/file"):
        assert client.get(url).status_code == 404, url


def test_a_flag_is_decided_once(client: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    fingerprint = _flag(client.get(f"/api/records/{record_id}").json(), "S4_TOTAL")["flag"]["fingerprint"]
    confirm = {"fingerprint": fingerprint, "decision": "confirmed_source"}
    assert client.post(f"/api/records/{record_id}/decisions", json={"version": 1, **confirm}).status_code == 200
    again = client.post(f"/api/records/{record_id}/decisions", json={"version": 2, **confirm})
    assert again.status_code == 422 and "已经处理过" in again.json()["detail"]
    unknown = client.post(f"/api/records/{record_id}/decisions", json={"version": 2, "fingerprint": "0" * 16,
                                                                      "decision": "confirmed_source"})
    assert unknown.status_code == 404
    assert len(client.get(f"/api/records/{record_id}").json()["audit"]) == 1


@pytest.mark.parametrize(
    ("cell", "literal"),
    [
        ("section3.granted.total", "NaN"),
        ("section3.granted.total", "Infinity"),
        ("section3.granted.total", str(2**63)),
        ("section3.granted.total", str(10**20 + 1)),
        ("section3.granted.total", '"26"'),
        ("section3.granted.total", "true"),
        ("section2.fees.amount_wan_yuan", "NaN"),
        ("section2.fees.amount_wan_yuan", "-Infinity"),
        ("year", str(2**63)),
    ],
)
def test_a_correction_to_a_value_json_cannot_carry_exactly_is_refused(
    client: TestClient, review_store: ReviewStore, cell: str, literal: str
) -> None:
    record_id = review_store.ids[LIANYUN]
    fingerprint = _flag(client.get(f"/api/records/{record_id}").json(), "GROUNDING")["flag"]["fingerprint"]
    body = f'{{"version": 1, "fingerprint": "{fingerprint}", "decision": "corrected", "cell": "{cell}", "value": {literal}}}'
    answer = client.post(f"/api/records/{record_id}/decisions", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    after = client.get(f"/api/records/{record_id}").json()
    assert (after["version"], after["audit"]) == (1, [])


def test_a_correction_to_a_large_integer_is_audited_exactly(client: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[LIANYUN]
    fingerprint = _flag(client.get(f"/api/records/{record_id}").json(), "GROUNDING")["flag"]["fingerprint"]
    value = 2**53 - 1
    answer = client.post(f"/api/records/{record_id}/decisions", json={
        "version": 1, "fingerprint": fingerprint, "decision": "corrected", "cell": "section3.granted.total", "value": value})
    assert answer.status_code == 200, answer.text
    assert answer.json()["audit"][0]["new"] == value
    assert answer.json()["record"]["section3"]["granted"]["total"] == value


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", f"/api/records/{2**63}", None),
        ("get", f"/api/records/{2**31}", None),
        ("get", f"/api/jobs/{2**63}", None),
        ("get", f"/api/records?year={2**63}", None),
        ("get", f"/api/records?page={2**63}", None),
        ("post", f"/api/records/{2**63}/decisions", {"version": 1, "fingerprint": "0", "decision": "confirmed_source"}),
        ("post", "/api/records/1/decisions", {"version": 2**63, "fingerprint": "0", "decision": "confirmed_source"}),
    ],
)
def test_integers_past_what_the_store_holds_are_refused_as_bad_input(client: TestClient, method: str, url: str, body: dict | None) -> None:
    answer = client.request(method, url, json=body)
    assert answer.status_code == 422, answer.text
