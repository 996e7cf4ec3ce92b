"""The review pages over HTTP: log-in, sessions and CSRF, escaping of report text, decisions, conflicts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from gxllm.pipeline import extract, read_normalized
from gxllm.service.app import create_app
from gxllm.service.pages import RENDER_SCALE, render_page
from gxllm.service.throttle import LoginThrottle
from gxllm.settings import Settings
from gxllm.store import open_store, store_extraction
from gxllm.validate import validate
from tests.conftest import FIXTURES
from tests.service_reports import (
    HOSTILE_AGENCY,
    HOSTILE_PROSE,
    PASSWORD,
    ReviewStore,
)

# The flagged store: the fixtures filled_store and review_store.
pytest_plugins = ["tests.service_fixtures"]

HAIAN = "haian-kjj-2019.s4-total"
YINDU = "yindu-kjj-2024.hostile"


@pytest.fixture
def app(review_store: ReviewStore, tmp_path: Path) -> FastAPI:
    return create_app(review_store.url, uploads=tmp_path / "uploads")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _logged_in(app: FastAPI, name: str) -> TestClient:
    client = TestClient(app)
    form = client.get("/login")
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": _csrf(form.text), "next": "/"})
    assert answer.status_code == 200 and answer.url.path == "/"
    return client


@pytest.fixture
def alice(app: FastAPI) -> Iterator[TestClient]:
    with _logged_in(app, "alice") as client:
        yield client


def _decide(client: TestClient, record_id: int, fingerprint: str, page: str, **form: str) -> object:
    data = {"csrf_token": _csrf(page), "version": re.search(r'name="version" value="(\d+)"', page).group(1), **form}  # type: ignore[union-attr]
    return client.post(f"/records/{record_id}/flags/{fingerprint}", data=data, follow_redirects=False)


def _fingerprints(page: str) -> list[str]:
    return re.findall(r'<li class="flag [a-z]+ open" id="flag-([0-9a-f]+)"', page)


def test_pages_need_a_log_in(app: FastAPI) -> None:
    with TestClient(app) as client:
        answer = client.get("/records/1", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].endswith("/login?next=%2Frecords%2F1")
        htmx = client.get("/", headers={"HX-Request": "true"}, follow_redirects=False)
        assert htmx.status_code == 401 and "/login" in htmx.headers["hx-redirect"]


def test_a_wrong_password_or_a_forged_form_does_not_log_in(app: FastAPI) -> None:
    with TestClient(app) as client:
        token = _csrf(client.get("/login").text)
        wrong = client.post("/login", data={"username": "alice", "password": "nope", "csrf_token": token})
        assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
        forged = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": "forged"})
        assert forged.status_code == 401 and "登录表单已失效" in forged.text
        assert client.get("/", follow_redirects=False).status_code == 303


def test_repeated_wrong_passwords_lock_that_name_out_for_a_while(app: FastAPI) -> None:
    with TestClient(app) as client:
        token = _csrf(client.get("/login").text)
        for _ in range(5):
            wrong = client.post("/login", data={"username": "alice", "password": "guess", "csrf_token": token})
            assert wrong.status_code == 401
        # Locked: even the right password is not checked now.
        locked = client.post("/login", data={"username": "Alice", "password": PASSWORD, "csrf_token": token})
        assert locked.status_code == 429 and "登录失败次数过多，请 15 分钟后再试" in locked.text
        assert client.get("/", follow_redirects=False).status_code == 303
        other = client.post("/login", data={"username": "bob", "password": PASSWORD, "csrf_token": token})
        assert other.status_code == 200 and other.url.path == "/"


def test_the_login_throttle_forgets_failures_outside_its_window_and_after_a_success() -> None:
    now = [0.0]
    throttle = LoginThrottle(max_failures=2, window_s=60, clock=lambda: now[0])
    throttle.failed("alice", "10.0.0.1")
    now[0] = 30.0
    throttle.failed("alice", "10.0.0.1")
    assert throttle.wait_s("ALICE", "10.0.0.1") == 30.0
    assert throttle.wait_s("alice", "10.0.0.2") == 0.0
    now[0] = 60.0
    assert throttle.wait_s("alice", "10.0.0.1") == 0.0  # the first failure left the window
    throttle.failed("alice", "10.0.0.1")
    throttle.succeeded("alice", "10.0.0.1")
    assert throttle.wait_s("alice", "10.0.0.1") == 0.0


def test_log_in_goes_back_only_to_this_site(app: FastAPI) -> None:
    with TestClient(app) as client:
        token = _csrf(client.get("/login").text)
        answer = client.post("/login", follow_redirects=False,
                             data={"username": "alice", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"})
        assert answer.headers["location"] == "/"
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_the_queue_lists_flagged_records_with_counts(alice: TestClient, review_store: ReviewStore) -> None:
    page = alice.get("/").text
    assert "共 <strong>3</strong> 份报告，其中待审 <strong>3</strong> 份" in page
    links = re.findall(r'class="record-link" href="/records/(\d+)"', page)
    assert links == [str(review_store.ids[n]) for n in ("lianyun-gov-2024.unbalanced", YINDU, HAIAN)]
    filtered = alice.get("/", params={"year": "2019"}).text
    assert re.findall(r'/records/(\d+)"', filtered) == [str(review_store.ids[HAIAN])]
    assert '<option value="2019" selected>2019（1）</option>' in filtered
    # The themes of the records' problems and remedies filter too, each counted over the records left.
    assert '<option value="队伍与培训">队伍与培训（2）</option>' in page
    themed = alice.get("/", params={"theme": "决策公开"}).text
    assert re.findall(r'/records/(\d+)"', themed) == [str(review_store.ids["lianyun-gov-2024.unbalanced"])]
    assert '<option value="决策公开" selected>决策公开（1）</option>' in themed


def test_report_text_is_escaped_everywhere(alice: TestClient, review_store: ReviewStore) -> None:
    for url in ("/", f"/records/{review_store.ids[YINDU]}"):
        answer = alice.get(url)
        assert "<script>window.pwned" not in answer.text
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;殷都区科学技术局" in answer.text
        assert "script-src 'self'" in answer.headers["content-security-policy"]
    record = alice.get(f"/records/{review_store.ids[YINDU]}").text
    assert "<img src=x" not in record and "<b>粗体" not in record
    assert "&lt;img src=x onerror=&#34;window.pwned=2&#34;&gt;&lt;b&gt;粗体&lt;/b&gt;&amp;amp;" in record
    assert HOSTILE_AGENCY not in record and HOSTILE_PROSE not in record


def test_a_decision_without_the_session_csrf_token_is_refused(alice: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    page = alice.get(f"/records/{record_id}").text
    fingerprint = _fingerprints(page)[0]
    answer = alice.post(f"/records/{record_id}/flags/{fingerprint}", data={"version": "1", "action": "confirm", "csrf_token": "x"})
    assert answer.status_code == 403
    assert _fingerprints(alice.get(f"/records/{record_id}").text) == [fingerprint]


def test_decisions_by_form_and_by_htmx(alice: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[YINDU]
    page = alice.get(f"/records/{record_id}").text
    first, second, *_ = _fingerprints(page)
    plain = _decide(alice, record_id, first, page, action="confirm")
    assert plain.status_code == 303  # without JavaScript: back to the page
    page = alice.get(f"/records/{record_id}").text
    swapped = alice.post(
        f"/records/{record_id}/flags/{second}",
        data={"version": re.search(r'name="version" value="(\d+)"', page).group(1), "action": "dismiss", "reason": "<i>见附表</i>"},  # type: ignore[union-attr]
        headers={"HX-Request": "true", "X-CSRF-Token": _csrf(page)},
    )
    assert swapped.status_code == 200
    assert swapped.text.startswith('<div id="record"')  # only the record part, for htmx to swap
    assert "驳回 · alice" in swapped.text and "&lt;i&gt;见附表&lt;/i&gt;" in swapped.text
    assert first not in _fingerprints(swapped.text) and second not in _fingerprints(swapped.text)


def test_a_correction_shows_the_new_value_and_the_audit_trail(alice: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids["lianyun-gov-2024.unbalanced"]
    page = alice.get(f"/records/{record_id}").text
    grounding = re.search(r'id="flag-([0-9a-f]+)"[^>]*>\s*<header>\s*<span class="badge error">错误</span>\s*<span class="rule">GROUNDING', page)
    assert grounding is not None
    answer = _decide(alice, record_id, grounding.group(1), page, action="correct", path="section3.granted.total", value="26")
    assert answer.status_code == 303
    page = alice.get(f"/records/{record_id}").text
    assert "第 2 版" in page
    assert re.search(r'class="value corrected" data-path="section3.granted.total"[^>]*>26<', page)
    audit = re.search(r'<table class="grid audit" id="audit">.*?</table>', page, re.DOTALL).group(0)  # type: ignore[union-attr]
    assert "alice" in audit and "更正数值" in audit and "三（一）予以公开·总计" in audit
    assert "<td>19</td><td>26</td>" in audit


def test_a_value_that_is_no_number_is_refused(alice: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    page = alice.get(f"/records/{record_id}").text
    answer = _decide(alice, record_id, _fingerprints(page)[0], page, action="correct", path="section4.review.total", value="三")
    assert answer.status_code == 422
    assert "“三”不是数值" in answer.text and "第 1 版" in answer.text


def test_two_reviewers_on_one_record_the_second_is_told(app: FastAPI, alice: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    with _logged_in(app, "bob") as bob:
        alice_page = alice.get(f"/records/{record_id}").text
        bob_page = bob.get(f"/records/{record_id}").text
        fingerprint = _fingerprints(alice_page)[0]
        assert _decide(alice, record_id, fingerprint, alice_page, action="confirm").status_code == 303
        late = _decide(bob, record_id, fingerprint, bob_page, action="dismiss", reason="不是错误")
        assert late.status_code == 409
        assert "此报告已被 alice 于" in late.text and "你的操作没有保存" in late.text
        assert "已确认为原文错误" in late.text  # the page shows alice's decision
    audit = re.search(r'<table class="grid audit" id="audit">.*?</table>', alice.get(f"/records/{record_id}").text, re.DOTALL)
    assert audit is not None and "bob" not in audit.group(0)


def test_logging_out_ends_the_session(alice: TestClient) -> None:
    page = alice.get("/").text
    answer = alice.post("/logout", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert answer.status_code == 303
    assert alice.get("/", follow_redirects=False).status_code == 303


def test_a_pdf_record_shows_its_page_with_the_flagged_box(alice: TestClient, review_store: ReviewStore) -> None:
    pdf = FIXTURES / "pdf" / "lianyun-gov-2024.grid.pdf"
    extraction = extract(pdf, settings=Settings())
    text = read_normalized(pdf, Settings()).text
    record = extraction.record.model_copy(deep=True)
    record.set_cell("section3.new.total", 69)  # the page prints 68
    flags = validate(record, evidence=extraction.evidence, source_text=text)
    with open_store(review_store.url)() as session:
        document = store_extraction(
            session, extraction.model_copy(update={"record": record, "flags": flags}), path=str(pdf), text=text
        )
        session.commit()
        record_id = document.id
    evidence = extraction.evidence["section3.new.total"]
    page = alice.get(f"/records/{record_id}").text
    image_url = re.search(rf'<img src="(/records/{record_id}/pages/{evidence.page}\.png[^"]*)"', page)
    assert image_url is not None
    answer = alice.get(image_url.group(1).replace("&amp;", "&"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(answer.content)).convert("RGB")
    x0, y0, x1, _y1 = (v * RENDER_SCALE for v in evidence.box)  # type: ignore[union-attr]
    assert image.getpixel((round((x0 + x1) / 2), round(y0 - 3))) == (179, 38, 30)  # the box's top edge
    assert image.getpixel((round((x0 + x1) / 2), round(y0 - 30))) != (179, 38, 30)
    assert alice.get(f"/records/{record_id}/pages/99.png").status_code == 404
    assert alice.get(f"/records/{review_store.ids[HAIAN]}/pages/1.png").status_code == 404  # a text report has no pages


def test_a_scanned_image_page_is_drawn_with_the_box_where_its_value_is(tmp_path: Path) -> None:
    # Boxes of an image's evidence are in its own pixels; a 300-dpi scan wider
    # than the review page is shrunk, and its box with it.
    scan = tmp_path / "scan.png"
    Image.new("RGB", (2800, 1000), "white").save(scan, dpi=(300, 300))
    box = (1400.0, 500.0, 1600.0, 560.0)
    png = render_page(scan, "image", 1, [box], max_pixels=60_000_000)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    shrink = 1400 / 2800
    assert image.size == (1400, 500)
    assert image.getpixel((round(1500 * shrink), round(500 * shrink) - 3)) == (179, 38, 30)  # the box's top edge
    assert image.getpixel((round(1500 * shrink), round(500 * shrink) + 10)) == (255, 255, 255)


def test_an_upload_from_the_page_is_followed_to_its_record(alice: TestClient, app: FastAPI) -> None:
    form = alice.get("/upload").text
    data = (FIXTURES / "seeds" / "yindu-kjj-2024.txt").read_bytes()
    answer = alice.post("/upload", data={"csrf_token": _csrf(form)}, files={"file": ("殷都.txt", data, "text/plain")},
                        follow_redirects=False)
    assert answer.status_code == 303
    job_url = answer.headers["location"]
    assert app.state.jobs.wait_idle(timeout=60)
    page = alice.get(job_url).text
    assert "已完成" in page and "hx-trigger" not in page  # finished: the page stops polling
    record_url = re.search(r'<a href="(/records/\d+)">打开抽取结果</a>', page)
    assert record_url is not None
    assert "殷都区科学技术局" in alice.get(record_url.group(1)).text
    refused = alice.post("/upload", data={"csrf_token": _csrf(form)}, files={"file": ("x.docx", b"PK\x03\x04", "application/zip")})
    assert refused.status_code == 415 and "不支持的文件类型" in refused.text
    forged = alice.post("/upload", data={"csrf_token": "forged"}, files={"file": ("y.txt", data, "text/plain")})
    assert forged.status_code == 403


@pytest.mark.parametrize("url", [f"/records/{2**63}", f"/records/1/pages/{2**63}.png", f"/jobs/{2**63}", f"/?page={2**63}"])
def test_integers_past_what_the_store_holds_are_refused_as_bad_input(alice: TestClient, url: str) -> None:
    assert alice.get(url).status_code == 422


@pytest.mark.parametrize("year", ["²", str(2**63), "２０２４x"])
def test_a_year_filter_that_is_no_year_filters_nothing(alice: TestClient, year: str) -> None:
    answer = alice.get("/", params={"year": year, "status": ""})
    assert answer.status_code == 200
    assert len(re.findall(r'<tr class="(?:open|done)">', answer.text)) == 3


def test_a_decision_on_a_version_past_what_the_store_holds_is_refused(alice: TestClient, review_store: ReviewStore) -> None:
    record_id = review_store.ids[HAIAN]
    page = alice.get(f"/records/{record_id}").text
    answer = alice.post(f"/records/{record_id}/flags/{_fingerprints(page)[0]}",
                        data={"csrf_token": _csrf(page), "version": str(2**63), "action": "confirm"})
    assert answer.status_code == 422
