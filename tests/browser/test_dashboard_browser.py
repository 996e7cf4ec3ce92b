"""The dashboard in a real browser: the store's figures drawn, every printed value read back from the
screenshot by OCR and checked against the page's data, bars and filters leading to the queue."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from gxllm.ocr import get_engine
from gxllm.settings import Settings
from tests.browser.conftest import open_page
from tests.service_reports import HOSTILE_AGENCY, ReviewStore

# The flagged store: the fixtures filled_store and review_store.
pytest_plugins = ["tests.service_fixtures"]

# Screenshots at twice the CSS pixels: sharp enough for OCR to read a lone digit.
SCALE = 2
# Where ECharts printed each value: the bounding box of every bar's label, in the chart's CSS pixels.
LABEL_BOXES = """key => {
  const chart = echarts.getInstanceByDom(document.querySelector(`.chart[data-chart="${key}"]`));
  const boxes = [];
  chart.getModel().eachSeries((series) => {
    const data = series.getData();
    data.each((index) => {
      const label = data.getItemGraphicEl(index)?.getTextContent();
      if (!label || label.ignore || label.invisible || !label.style.text) return;
      const box = label.getBoundingRect().clone();
      box.applyTransform(label.getComputedTransform());
      boxes.push({series: series.seriesIndex, index, x: box.x, y: box.y, width: box.width, height: box.height});
    });
  });
  return boxes;
}"""
# The fill pattern ECharts gave each series.
PATTERNS = """key => {
  const chart = echarts.getInstanceByDom(document.querySelector(`.chart[data-chart="${key}"]`));
  const patterns = [];
  chart.getModel().eachSeries((series) => patterns.push(JSON.stringify(series.getData().getVisual("decal"))));
  return patterns;
}"""


def _api(base: str, store: ReviewStore, path: str) -> dict:
    answer = httpx.get(f"{base}/api{path}", headers={"Authorization": f"Bearer {store.token}"}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def _printed(value: float, unit: str) -> str:
    """A value as dashboard.js prints it: JavaScript writes 25.0 as 25."""
    number = str(int(value)) if float(value).is_integer() else str(value)
    return number + ("%" if unit == "%" else "")


def _drawn(page: Page) -> dict:
    """The figures of the dashboard page, once every chart is drawn."""
    # A locator, not wait_for_function: the page's CSP forbids the eval that polling a script needs.
    expect(page.locator(".chart[data-drawn]")).to_have_count(page.locator(".chart").count())
    return json.loads(page.locator("#dashboard-data").text_content() or "")


def _read_labels(page: Page, chart: dict, screenshot: Path) -> list[tuple[str, str]]:
    """(printed, read by OCR) for every value label of the chart in its screenshot."""
    page.locator(f'.chart[data-chart="{chart["key"]}"]').screenshot(path=screenshot)
    image = np.asarray(Image.open(screenshot).convert("RGB"))[:, :, ::-1]  # BGR, as the OCR engines take it
    boxes = page.evaluate(LABEL_BOXES, chart["key"])
    crops = [
        np.ascontiguousarray(image[
            round((box["y"] - 2) * SCALE):round((box["y"] + box["height"] + 2) * SCALE),
            round((box["x"] - 2) * SCALE):round((box["x"] + box["width"] + 2) * SCALE),
        ])
        for box in boxes
    ]
    read = get_engine(Settings()).recognize(crops) if crops else []
    printed = [_printed(chart["series"][box["series"]]["values"][box["index"]], chart["unit"]) for box in boxes]
    return [(expected, text.replace(" ", "")) for expected, (text, _confidence) in zip(printed, read, strict=True)]


def test_the_dashboard_draws_the_stores_figures_and_prints_every_value(
    browser: Browser, served: tuple[str, ReviewStore], screenshots: Path
) -> None:
    base, store = served
    page, problems = open_page(browser, base, "alice", scale=SCALE)
    page.click("nav >> text=统计")
    page.wait_for_url(f"{base}/dashboard")
    figures = _drawn(page)
    assert figures == _api(base, store, "/dashboard")
    expect(page.locator("#dashboard-counts")).to_contain_text("共 3 份报告")

    # The figures are the store's: summed here from each record the API gives.
    records = [_api(base, store, f"/records/{i}")["record"] for i in store.ids.values()]
    charts = {chart["key"]: chart for chart in figures["charts"]}
    requests = {(s["name"], year): v for s in charts["requests"]["series"] for year, v in zip(charts["requests"]["categories"], s["values"], strict=True)}
    assert {key: v for key, v in requests.items() if v is not None} == {
        (r["agency"], str(r["year"])): r["section3"]["new"]["total"] for r in records
    }
    appeals = charts["appeals"]
    assert appeals["categories"] == ["行政复议", "行政诉讼·未经复议直接起诉", "行政诉讼·复议后起诉"]
    assert [s["values"] for s in appeals["series"]] == [
        [sum(r["section4"][row][column] for r in records) for row in ("review", "litigation_direct", "litigation_after_review")]
        for column in ("upheld", "corrected", "other", "pending")
    ]
    errors = {s["name"]: s["values"] for s in charts["agencies"]["series"]}["待处理错误"]
    assert dict(zip(charts["agencies"]["categories"], errors, strict=True)) == {
        "连云区人民政府": 5, HOSTILE_AGENCY: 2, "科技局": 1,
    }

    # Every value the page's data holds is printed on its bar, and the screenshot shows it.
    checked = 0
    for key, chart in charts.items():
        patterns = page.evaluate(PATTERNS, key)  # a fill pattern of its own per series, not colour alone
        assert len(set(patterns)) == len(chart["series"]) and "null" not in patterns, key
        labels = _read_labels(page, chart, screenshots / f"dashboard-{key}.png")
        shown = [v for s in chart["series"] for v in s["values"] if v is not None and (v != 0 or not chart["stacked"])]
        assert len(labels) == len(shown), key
        assert [expected for expected, _ in labels] == [read for _, read in labels], key
        checked += len(labels)
    assert checked == 25  # the fixture store's values other than nulls and the 0 segments of stacked bars
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)
    assert page.evaluate("() => window.pwned") is None
    assert problems == [], problems


def test_a_bar_and_the_filters_lead_to_the_queue_filtered_the_same_way(
    browser: Browser, served: tuple[str, ReviewStore]
) -> None:
    base, store = served
    page, problems = open_page(browser, base, "alice")
    page.goto(f"{base}/dashboard")
    figures = _drawn(page)
    flags = next(chart for chart in figures["charts"] if chart["key"] == "flags")
    rule, count = flags["categories"][0], flags["series"][0]["values"][0]
    assert (rule, count) == ("S3_ROW_TOTAL", 2)

    # A click on the chart's first bar (原文错误 of its first rule) opens the queue on those flags.
    label = page.evaluate(LABEL_BOXES, "flags")[0]
    page.locator('.chart[data-chart="flags"]').click(position={"x": label["x"] - 8, "y": label["y"] + label["height"] / 2})
    page.wait_for_url(f"{base}/?rule=S3_ROW_TOTAL&kind=source&status=open")
    expect(page.locator("select[name=rule]")).to_have_value("S3_ROW_TOTAL")
    expect(page.locator("select[name=kind]")).to_have_value("source")
    expect(page.locator("a.record-link")).to_have_count(count)

    # The filters narrow every chart, and the chart's own link keeps them.
    page.goto(f"{base}/dashboard")
    page.select_option("select[name=template]", "2019")
    page.click(".filters button[type=submit]")
    page.wait_for_url(f"{base}/dashboard?agency=&year=&template=2019")
    narrowed = _drawn(page)
    expect(page.locator("#dashboard-counts")).to_contain_text("共 1 份报告")
    assert narrowed == _api(base, store, "/dashboard?template=2019")
    assert narrowed["charts"][0]["categories"] == ["2019"]
    page.locator("#chart-appeals a.queue-link").click()
    page.wait_for_url(f"{base}/?template=2019&status=")
    expect(page.locator("a.record-link")).to_have_count(1)
    expect(page.locator("a.record-link")).to_have_text("科技局")
    assert problems == [], problems
