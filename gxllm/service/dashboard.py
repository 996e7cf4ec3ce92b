"""The dashboard: what the store's current records add up to, and where their open flags are.

Six charts over the documents that the filters (agency, year, template) leave:
the queue's own filters, so each chart links to the review queue showing the
same documents, and each bar to the queue narrowed to that bar. The sums are
taken in the database over the records' JSON cells; a ``null`` cell (not
printed, or not read) adds nothing. The review page draws the charts
(``dashboard.html``, ``static/dashboard.js``); ``/api/dashboard`` returns the
same figures.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gxllm.service.names import KIND_NAMES
from gxllm.service.queue import KINDS, QueueFilters, document_conditions, flag_is_open
from gxllm.store import FlagRow, RecordVersion, StoredDocument
from gxllm.template import OUTCOME_COLUMNS, SECTION4, TEMPLATES, CellPath

# 三（一）…（六）: the group heading printed above each outcome row of section 3,
# told by the row key's prefix (docs/record.md §2).
OUTCOME_GROUPS = {
    "予以公开": "granted",
    "部分公开": "partial",
    "不予公开": "withheld_",
    "无法提供": "unavailable_",
    "不予处理": "rejected_",
    "其他处理": "other",
}
REFUSED = "不予公开"
OUTCOME_ROWS = sorted({row for template in TEMPLATES.values() for row in template.outcome_rows})
APPEAL_OUTCOMES = tuple(column for column in OUTCOME_COLUMNS if column.key != "total")
# Agencies drawn one by one in the requests chart; the rest are summed into one bar.
REQUEST_AGENCIES = 5
RANKED_AGENCIES = 15
UNNAMED_AGENCY = "（未识别机构）"


class Series(BaseModel):
    name: str
    values: list[int | float | None] = Field(description="one per category; null where there is nothing to count")
    links: list[str] = Field(description="for each category, the review queue narrowed to it")


class Chart(BaseModel):
    key: str
    title: str
    note: str = Field(description="what is counted, and how")
    unit: str
    categories: list[str]
    series: list[Series]
    link: str = Field(description="the review queue filtered as the chart is")
    horizontal: bool = False
    stacked: bool = True


class Dashboard(BaseModel):
    agency: str | None
    year: int | None
    template: str | None
    records: int = Field(description="documents with a record that the filters leave")
    years: list[int] = Field(description="every year the store holds, for the filter")
    link: str = Field(description="the review queue filtered as the dashboard is, every status")
    charts: list[Chart]


def group_of(row: str) -> str:
    """The outcome group (三（一）…（六）) of a section-3 outcome row."""
    return next(name for name, prefix in OUTCOME_GROUPS.items() if row.startswith(prefix))


def _cell(path: str) -> object:
    """The integer at ``path`` of each current record (NULL where null or absent)."""
    return RecordVersion.record[tuple(CellPath.parse(path))].as_integer()


def _total(path: str) -> object:
    return func.coalesce(func.sum(_cell(path)), 0)


class _Figures:
    """The queries of one dashboard: the filtered documents, and links to the queue."""

    def __init__(self, session: Session, filters: QueueFilters, queue_url: str) -> None:
        self.session = session
        self.filters = filters
        self.queue_url = queue_url
        self.conditions = document_conditions(filters)

    def link(self, **narrower: str | int | None) -> str:
        """The queue filtered as the dashboard, then by ``narrower``; status "" is every status."""
        params = {"agency": self.filters.agency, "year": self.filters.year, "template": self.filters.template}
        params.update(narrower)
        return f"{self.queue_url}?{urlencode({k: v for k, v in params.items() if v is not None})}"

    def _over_records(self, *columns: object) -> Select:
        return (
            select(*columns)
            .select_from(StoredDocument)
            .join(RecordVersion, RecordVersion.id == StoredDocument.current_version_id)
            .where(*self.conditions)
        )

    def totals(self, *columns: object) -> tuple:
        """``columns`` over every filtered document's current record."""
        return tuple(self.session.execute(self._over_records(*columns)).one())

    def per_year(self, *columns: object, by: tuple[object, ...] = ()) -> list[tuple]:
        """Rows of (year, *by, *columns), grouped by year and ``by``; documents of no known year are left out."""
        groups = (StoredDocument.year, *by)
        query = self._over_records(*groups, *columns).where(StoredDocument.year.is_not(None)).group_by(*groups)
        return [tuple(row) for row in self.session.execute(query)]

    def open_flags(self, *group_by: object, severity: str | None = None) -> list[tuple]:
        query = (
            select(*group_by, func.count(FlagRow.id))
            .select_from(FlagRow)
            .join(StoredDocument, FlagRow.record_version_id == StoredDocument.current_version_id)
            .where(*self.conditions, flag_is_open())
            .group_by(*group_by)
        )
        if severity:
            query = query.where(FlagRow.severity == severity)
        return [tuple(row) for row in self.session.execute(query)]

    def requests(self) -> Chart:
        rows = self.per_year(_total("section3.new.total"), by=(StoredDocument.agency,))
        years = sorted({year for year, _, _ in rows})
        by_agency: dict[str | None, dict[int, int]] = defaultdict(dict)
        for year, agency, received in rows:
            by_agency[agency][year] = received
        ranked = sorted(by_agency, key=lambda agency: (-sum(by_agency[agency].values()), agency or ""))
        series = [
            Series(
                name=agency or UNNAMED_AGENCY,
                values=[by_agency[agency].get(year) for year in years],
                links=[self.link(agency=agency, year=year, status="") for year in years],
            )
            for agency in ranked[:REQUEST_AGENCIES]
        ]
        rest = ranked[REQUEST_AGENCIES:]
        if rest:
            sums = [sum(by_agency[agency].get(year, 0) for agency in rest) for year in years]
            series.append(
                Series(
                    name=f"其他{len(rest)}个机构",
                    values=sums,
                    links=[self.link(year=year, status="") for year in years],
                )
            )
        return Chart(
            key="requests",
            title="本年新收申请",
            note=f"三、一（本年新收政府信息公开申请）的总计，按年度与发布机构；收到最多的{REQUEST_AGENCIES}个机构分列",
            unit="件",
            categories=[str(year) for year in years],
            series=series,
            link=self.link(status=""),
        )

    def outcomes_by_year(self) -> dict[int, dict[str, int]]:
        """Per year, the requests answered in each outcome group (总计 column)."""
        rows = self.per_year(*(_total(str(CellPath("section3", row, "total"))) for row in OUTCOME_ROWS))
        groups: dict[int, dict[str, int]] = {}
        for year, *sums in rows:
            groups[year] = dict.fromkeys(OUTCOME_GROUPS, 0)
            for row, value in zip(OUTCOME_ROWS, sums, strict=True):
                groups[year][group_of(row)] += value
        return dict(sorted(groups.items()))

    def yearly_chart(
        self, by_year: dict[int, dict[str, int]], values: dict[str, list[int | float | None]], **chart: Any
    ) -> Chart:
        """A chart of ``values`` (series name -> one value per year of ``by_year``), each bar linking to its year."""
        links = [self.link(year=year, status="") for year in by_year]
        return Chart(
            categories=[str(year) for year in by_year],
            series=[Series(name=name, values=series, links=links) for name, series in values.items()],
            link=self.link(status=""),
            **chart,
        )

    def outcomes(self, by_year: dict[int, dict[str, int]]) -> Chart:
        return self.yearly_chart(
            by_year,
            {group: [groups[group] for groups in by_year.values()] for group in OUTCOME_GROUPS},
            key="outcomes",
            title="申请办理结果",
            note="三、三（一）至（六）各组的总计之和，按年度",
            unit="件",
        )

    def refused(self, by_year: dict[int, dict[str, int]]) -> Chart:
        shares: list[int | float | None] = []
        for groups in by_year.values():
            answered = sum(groups.values())
            shares.append(round(100 * groups[REFUSED] / answered, 1) if answered else None)
        return self.yearly_chart(
            by_year,
            {"不予公开占比": shares},
            key="refused",
            title="不予公开占比",
            note="三（三）不予公开占三（一）至（六）办理结果之和的百分比，按年度；没有办理结果的年度不计",
            unit="%",
            stacked=False,
        )

    def appeals(self) -> Chart:
        paths = [str(CellPath("section4", row.key, column.key)) for row in SECTION4.rows for column in APPEAL_OUTCOMES]
        sums = dict(zip(paths, self.totals(*(_total(path) for path in paths)), strict=True))
        return Chart(
            key="appeals",
            title="行政复议、行政诉讼结果",
            note="四、各行的结果维持、结果纠正、其他结果、尚未审结之和",
            unit="件",
            categories=[row.label for row in SECTION4.rows],
            series=[
                Series(
                    name=column.label,
                    values=[sums[str(CellPath("section4", row.key, column.key))] for row in SECTION4.rows],
                    links=[self.link(status="") for _ in SECTION4.rows],
                )
                for column in APPEAL_OUTCOMES
            ],
            link=self.link(status=""),
            horizontal=True,
        )

    def flags(self) -> Chart:
        counts = {(rule, kind): count for rule, kind, count in self.open_flags(FlagRow.rule, FlagRow.kind)}
        rules = sorted({rule for rule, _ in counts}, key=lambda rule: (-sum(n for (r, _), n in counts.items() if r == rule), rule))
        return Chart(
            key="flags",
            title="待处理问题：按规则与类别",
            note="当前记录上尚未确认或驳回的问题数，按规则与类别（原文错误、抽取错误、缺失）",
            unit="个",
            categories=rules,
            series=[
                Series(
                    name=KIND_NAMES[kind],
                    values=[counts.get((rule, kind)) for rule in rules],
                    links=[self.link(rule=rule, kind=kind, status="open") for rule in rules],
                )
                for kind in KINDS
            ],
            link=self.link(status="open"),
            horizontal=True,
        )

    def agencies(self) -> Chart:
        counts = sorted(self.open_flags(StoredDocument.agency, severity="error"), key=lambda row: (-row[1], row[0] or ""))
        ranked = counts[:RANKED_AGENCIES]
        return Chart(
            key="agencies",
            title=f"待处理错误最多的发布机构（前{RANKED_AGENCIES}）",
            note="严重程度为“错误”的待处理问题数，按发布机构",
            unit="个",
            categories=[agency or UNNAMED_AGENCY for agency, _ in ranked],
            series=[
                Series(
                    name="待处理错误",
                    values=[count for _, count in ranked],
                    links=[self.link(agency=agency, status="open") for agency, _ in ranked],
                )
            ],
            link=self.link(status="open"),
            horizontal=True,
            stacked=False,
        )


def load_dashboard(
    session: Session, *, agency: str | None, year: int | None, template: str | None, queue_url: str
) -> Dashboard:
    """Every chart over the documents whose agency contains ``agency`` and whose year and template are
    the ones given (None: any), linking to the review queue at ``queue_url``."""
    filters = QueueFilters(agency=agency, year=year, template=template, status=None)
    figures = _Figures(session, filters, queue_url)
    by_year = figures.outcomes_by_year()
    years = session.scalars(
        select(StoredDocument.year).where(StoredDocument.year.is_not(None), StoredDocument.current_version_id.is_not(None)).distinct().order_by(StoredDocument.year)
    )
    return Dashboard(
        agency=agency,
        year=year,
        template=template,
        records=figures.totals(func.count(StoredDocument.id))[0],
        years=list(years),
        link=figures.link(status=""),
        charts=[
            figures.requests(),
            figures.outcomes(by_year),
            figures.refused(by_year),
            figures.appeals(),
            figures.flags(),
            figures.agencies(),
        ],
    )
