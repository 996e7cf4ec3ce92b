"""A reviewer in a real browser: log in, clear the queue of flagged records by keyboard, look at the pages."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import open_page
from tests.service_reports import ReviewStore

# The flagged store: the fixtures filled_store and review_store.
pytest_plugins = ["tests.service_fixtures"]

# The most decisions one record can need here; more means the page is stuck.
_MAX_STEPS = 40
_MARK_CURRENT = (0xFF, 0xB8, 0x4D)  # --mark-current in review.css


def _api(base: str, store: ReviewStore, path: str) -> dict:
    answer = httpx.get(f"{base}/api{path}", headers={"Authorization": f"Bearer {store.token}"}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def _decide_current(page: Page) -> str:
    """Decide the chosen flag by keyboard the way its rule asks; return what was done."""
    current = page.locator("li.flag.current")
    expect(current).to_have_count(1)
    rule = current.locator(".rule").inner_text()
    with page.expect_response(lambda r: "/flags/" in r.url and r.request.method == "POST") as answer:
        if rule == "GROUNDING":
            page.keyboard.press("e")
            expect(current.locator("input.correct-value")).to_be_focused()
            page.keyboard.press("Enter")  # the value the source prints is offered already
            done = "corrected"
        elif current.locator(".badge.kind").inner_text() != "原文错误":
            page.keyboard.press("d")
            expect(current.locator("input.dismiss-reason")).to_be_focused()
            page.keyboard.type("核对原文，无误")
            page.keyboard.press("Enter")
            done = "dismissed"
        else:
            page.keyboard.press("c")
            done = "confirmed_source"
    assert answer.value.status == 200
    page.wait_for_load_state("networkidle")
    return done


def test_a_reviewer_clears_the_queue_by_keyboard(
    browser: Browser, served: tuple[str, ReviewStore], screenshots: Path, tmp_path: Path
) -> None:
    base, store = served
    page, problems = open_page(browser, base, "alice")
    expect(page.locator("#counts")).to_contain_text("其中待审 3 份")
    page.screenshot(path=screenshots / "queue.png", full_page=True)

    page.locator("a.record-link").first.click()
    done: Counter[str] = Counter()
    visited = []
    for _ in range(_MAX_STEPS * 3):
        expect(page.locator("#record")).to_be_visible()
        # Keys go to review.js, which listens once the page has loaded: on a busy
        # machine a key pressed before that is lost and no decision is posted.
        page.wait_for_load_state("load")
        record_id = int(page.url.rsplit("/", 1)[1])
        if not visited or visited[-1] != record_id:
            visited.append(record_id)
            page.screenshot(path=screenshots / f"record-{record_id}.png")
        if page.locator("li.flag.open").count():
            done[_decide_current(page)] += 1
        elif page.locator("a.next-record").count():
            page.keyboard.press("n")
            page.wait_for_url(lambda url, left=f"/records/{record_id}": not url.endswith(left))
        else:
            break
    assert sorted(visited) == sorted(store.ids.values())
    assert done["confirmed_source"] >= 3 and done["corrected"] >= 1

    page.goto(f"{base}/")
    expect(page.locator("#counts")).to_contain_text("其中待审 0 份")
    page.select_option("select[name=status]", "reviewed")
    page.click(".filters button[type=submit]")
    expect(page.locator("a.record-link")).to_have_count(3)
    page.screenshot(path=screenshots / "queue-cleared.png", full_page=True)
    assert problems == []

    # What the browser did is in the store: every record reviewed, each decision audited.
    for record_id in store.ids.values():
        record = _api(base, store, f"/records/{record_id}")
        assert record["review_status"] == "reviewed"
        assert all(flag["status"] != "open" for flag in record["flags"])
        assert record["audit"] and {a["reviewer"] for a in record["audit"]} == {"alice"}
    corrected = _api(base, store, f"/records/{store.ids['lianyun-gov-2024.unbalanced']}")
    assert corrected["record"]["section3"]["granted"]["total"] == 26
    assert ("section3.granted.total", 19, 26) in [(a["cell"], a["old"], a["new"]) for a in corrected["audit"]]

    # And the export carries the corrected values, each flag's review and the audit trail.
    out = tmp_path / "reviewed.jsonl"
    exported = subprocess.run(
        [sys.executable, "-m", "gxllm.cli", "export", "--db", store.url, "--format", "jsonl", "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert exported.returncode == 0, exported.stderr
    records = {line["document"]["sha256"]: line for line in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert len(records) == 3
    assert {r["review_status"] for r in records.values()} == {"reviewed"}
    assert all(flag["status"] in ("confirmed_source", "dismissed") and flag["decided_by"] == "alice"
               for r in records.values() for flag in r["flags"])
    lianyun = next(r for r in records.values() if r["agency"] == "连云区人民政府")
    assert lianyun["section3"]["granted"]["total"] == 26
    assert lianyun["version"]["kind"] == "correction"
    assert [(a["cell"], a["old_value"], a["new_value"], a["reviewer"]) for a in lianyun["audit"]
            if a["decision"] == "corrected"] == [("section3.granted.total", 19, 26, "alice")]
    assert sum(len(r["audit"]) for r in records.values()) == sum(done.values())


def test_the_record_page_shows_the_flag_in_the_source_and_the_table(
    browser: Browser, served: tuple[str, ReviewStore], screenshots: Path
) -> None:
    base, store = served
    page, problems = open_page(browser, base, "alice")
    page.goto(f"{base}/records/{store.ids['haian-kjj-2019.s4-total']}")
    current = page.locator("li.flag.current")
    expect(current.locator(".rule")).to_have_text("S4_TOTAL")
    # The chosen flag's cell is outlined in the table and its printed number marked in the source.
    cell = page.locator('td[data-path="section4.review.total"]')
    expect(cell).to_have_class("value flagged error current")
    expect(cell).to_have_text("3")
    mark = page.locator('mark[data-path="section4.review.total"]')
    expect(mark).to_have_class("flagged current")
    expect(mark).to_be_in_viewport()
    page.screenshot(path=screenshots / "record-haian.png")
    mark.screenshot(path=screenshots / "mark.png")
    colours = Image.open(screenshots / "mark.png").convert("RGB").getcolors(maxcolors=1 << 16)
    assert max(colours)[1] == _MARK_CURRENT  # the mark's own background, most of its pixels
    # j/k move the choice between flags.
    flags = page.locator("li.flag")
    if flags.count() > 1:
        page.keyboard.press("j")
        expect(flags.nth(1)).to_have_class("flag " + flags.nth(1).get_attribute("class").split(" ")[1] + " open current")
    assert problems == []


def test_hostile_report_text_stays_text(browser: Browser, served: tuple[str, ReviewStore]) -> None:
    base, store = served
    page, problems = open_page(browser, base, "alice")
    page.goto(f"{base}/records/{store.ids['yindu-kjj-2024.hostile']}")
    expect(page.locator("h1")).to_contain_text("<script>window.pwned=1</script>殷都区科学技术局")
    expect(page.locator(".source pre")).to_contain_text('<img src=x onerror="window.pwned=2"><b>粗体</b>&amp;')
    assert page.evaluate("() => window.pwned") is None
    assert page.locator(".source pre img, .source pre b, main script").count() == 0
    assert problems == []


def test_two_reviewers_the_second_sees_the_conflict(browser: Browser, served: tuple[str, ReviewStore], screenshots: Path) -> None:
    base, store = served
    url = f"{base}/records/{store.ids['haian-kjj-2019.s4-total']}"
    alice, _ = open_page(browser, base, "alice")
    bob, _ = open_page(browser, base, "bob")
    alice.goto(url)
    bob.goto(url)
    alice.keyboard.press("c")
    expect(alice.locator("#open-count")).to_have_text("待处理问题 0 个")
    with bob.expect_response(lambda r: "/flags/" in r.url) as answer:
        bob.keyboard.press("c")
    assert answer.value.status == 409
    expect(bob.locator("#conflict")).to_contain_text("此报告已被 alice 于")
    expect(bob.locator("#conflict")).to_contain_text("你的操作没有保存")
    expect(bob.locator("li.flag.decided .decision")).to_contain_text("确认为原文错误 · alice")
    bob.screenshot(path=screenshots / "conflict.png")
    audit = _api(base, store, f"/records/{store.ids['haian-kjj-2019.s4-total']}")["audit"]
    assert [a["reviewer"] for a in audit] == ["alice"]
