"""The two State Council report templates, written once as data.

Everything that depends on the format (the record models, the table reader,
the validator, the exports) is driven from these tables, so a new template
year is a data change here and nowhere else.

Row ``pattern`` is a regular expression matched against the report text with
all whitespace removed; it names the shortest phrase that identifies the row
label and nothing else in the same table. Section headings carry the patterns
that find them as reports word them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

TemplateVersion = Literal["2019", "2021"]
CellKind = Literal["count", "signed", "money"]


class CellPath(NamedTuple):
    """A cell of the tables: its table's section, its row and its column.

    The record, its evidence and its flags name a cell as one string,
    ``section3.new.total``; it is written (``str``) and read (:meth:`parse`) here alone.
    """

    section: str
    row: str
    column: str

    @classmethod
    def parse(cls, path: str) -> CellPath:
        section, row, column = path.split(".")
        return cls(section, row, column)

    def __str__(self) -> str:
        return f"{self.section}.{self.row}.{self.column}"

    @property
    def row_path(self) -> str:
        """The cell's row, as flags and labels name a whole row: ``section3.new``."""
        return f"{self.section}.{self.row}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: CellKind = "count"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    pattern: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Table:
    section: Literal["section2", "section3", "section4"]
    title: str
    rows: tuple[Row, ...]

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(f"{self.section} has no row {key!r}")

    @property
    def row_keys(self) -> tuple[str, ...]:
        return tuple(row.key for row in self.rows)


@dataclass(frozen=True)
class Template:
    version: TemplateVersion
    report_years: str
    section2: Table
    section3: Table
    section4: Table
    # Section-3 rows whose sum is the 三（七）总计 row (S3_OUTCOME_TOTAL).
    outcome_rows: tuple[str, ...]
    # Labels printed only in this version: they decide the template from the
    # table itself rather than from the year.
    signature_patterns: tuple[str, ...] = field(default=())

    @property
    def tables(self) -> tuple[Table, Table, Table]:
        return (self.section2, self.section3, self.section4)

    def cell_paths(self) -> list[str]:
        """Every numeric cell of sections 2-4 as ``section.row.column``."""
        return [
            str(CellPath(table.section, row.key, column.key))
            for table in self.tables
            for row in table.rows
            for column in row.columns
        ]

    def column(self, path: str) -> Column:
        cell = CellPath.parse(path)
        table = {t.section: t for t in self.tables}[cell.section]
        for column in table.row(cell.row).columns:
            if column.key == cell.column:
                return column
        raise KeyError(path)


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class SectionHeading:
    """A section's heading: the title the templates print, and the words reports print.

    ``pattern`` matches the heading's words at the start of a line, after the
    section's numeral or without one; ``loose`` is a looser wording, taken
    only after a numeral.
    """

    title: str
    pattern: str
    loose: str


# A numbered heading may open with a few words of its own ("二、行政机关主动
# 公开…", "五、政府信息公开工作存在的主要问题…").
_PREFIX = r"[^\n。，,]{0,10}?"
SECTION_HEADINGS: dict[int, SectionHeading] = {
    1: SectionHeading("一、总体情况", r"总体情况", r"总体情况|概述"),
    2: SectionHeading(
        "二、主动公开政府信息情况", r"主动公开政府信息(?:的)?情况", _PREFIX + r"主动公开[^\n。]{0,10}情况"
    ),
    3: SectionHeading(
        "三、收到和处理政府信息公开申请情况",
        r"收到和处理政府信息公开申请(?:的)?情况",
        _PREFIX + r"(?:收到和处理|依申请公开)[^\n。]{0,16}情况",
    ),
    4: SectionHeading(
        "四、政府信息公开行政复议、行政诉讼情况",
        r"[^\n。]{0,16}行政复议[^\n。]{0,12}行政诉讼[^\n。]{0,4}情况",
        r"[^\n。]{0,16}行政复议[^\n。]{0,12}行政诉讼[^\n。]{0,4}",
    ),
    5: SectionHeading(
        "五、存在的主要问题及改进情况",
        r"存在的?(?:主要)?(?:问题|不足)(?:及|和|与)?(?:改进|整改)(?:情况|措施)?|存在的?主要问题",
        _PREFIX + r"(?:存在的?)?(?:主要)?(?:问题|不足)[^\n。]{0,12}",
    ),
    6: SectionHeading(
        "六、其他需要报告的事项",
        r"其他需要?(?:报告|说明)的?事项|其他应说明的?事项",
        r"其他(?:需要?|应)?(?:报告|说明)?的?事项|其他需(?:要)?报告[^\n。]{0,4}",
    ),
}

# ---------------------------------------------------------------- section 3

APPLICANT_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social_welfare", "社会公益组织"),
    Column("legal_service", "法律服务机构"),
    Column("other", "其他"),
    Column("total", "总计"),
)


def _s3(key: str, label: str, pattern: str) -> Row:
    return Row(key, label, pattern, APPLICANT_COLUMNS)


_S3_HEAD = (
    _s3("new", "一、本年新收政府信息公开申请数量", r"本年新收"),
    _s3("carried_over", "二、上年结转政府信息公开申请数量", r"上年结转"),
    _s3("granted", "（一）予以公开", r"予以公开"),
    _s3("partial", "（二）部分公开", r"部分公开"),
    _s3("withheld_state_secret", "1.属于国家秘密", r"国家秘密"),
    _s3("withheld_law_prohibited", "2.其他法律行政法规禁止公开", r"法规禁止公开"),
    _s3("withheld_three_safety", "3.危及“三安全一稳定”", r"三安全一稳定"),
    _s3("withheld_third_party", "4.保护第三方合法权益", r"第三方合法权益"),
    _s3("withheld_internal_affairs", "5.属于三类内部事务信息", r"内部事务信息"),
    _s3("withheld_process_info", "6.属于四类过程性信息", r"过程性信息"),
    _s3("withheld_enforcement_file", "7.属于行政执法案卷", r"行政执法案卷"),
    _s3("withheld_query_item", "8.属于行政查询事项", r"行政查询事项"),
    _s3("unavailable_not_held", "1.本机关不掌握相关政府信息", r"不掌握相关"),
    _s3("unavailable_needs_creation", "2.没有现成信息需要另行制作", r"另行制作"),
    _s3("unavailable_unclear", "3.补正后申请内容仍不明确", r"仍不明确"),
    _s3("rejected_petition", "1.信访举报投诉类申请", r"信访举报投诉"),
    _s3("rejected_duplicate", "2.重复申请", r"(?<!反复)重复申请"),
    _s3("rejected_publication", "3.要求提供公开出版物", r"公开出版物"),
    _s3("rejected_excessive", "4.无正当理由大量反复申请", r"大量反复申请"),
    _s3("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息", r"重新出具"),
)
_S3_TAIL = (
    _s3("total", "（七）总计", r"总计"),
    _s3("carried_forward", "四、结转下年度继续办理", r"结转下年"),
)
_S3_OTHER_2019 = (_s3("other", "（六）其他处理", r"其他处理"),)
_S3_OTHER_2021 = (
    _s3(
        "other_overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        r"逾期不补正",
    ),
    _s3(
        "other_overdue_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        r"收费通知",
    ),
    # "其他" alone is also a column header and part of other labels: the
    # reader only looks for it after the row before it.
    _s3("other_other", "3.其他", r"(?<!不计)其他(?!处理|法律|情形|结果|对外)"),
)


@dataclass(frozen=True)
class Group:
    """A heading section 三 prints over numbered sub-rows (（三）不予公开 over
    1.属于国家秘密 …): a label of the table, not a row of the record."""

    key: str  # its sub-rows' keys start with this and "_"
    numeral: str
    name: str  # the group's own words, as prose names it too

    @property
    def label(self) -> str:
        return f"（{self.numeral}）{self.name}"

    def holds(self, row_key: str) -> bool:
        return row_key.startswith(self.key + "_")


# 三（六） is one row in the 2019 template (key "other") and a group of three in 2021.
OTHER_GROUP = Group("other", "六", "其他处理")
SECTION3_GROUPS = (
    Group("withheld", "三", "不予公开"),
    Group("unavailable", "四", "无法提供"),
    Group("rejected", "五", "不予处理"),
    OTHER_GROUP,
)

# ---------------------------------------------------------------- section 4

OUTCOME_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)

SECTION4 = Table(
    "section4",
    SECTION_HEADINGS[4].title,
    (
        Row("review", "行政复议", r"行政复议", OUTCOME_COLUMNS),
        Row("litigation_direct", "行政诉讼·未经复议直接起诉", r"未经复议直接起诉", OUTCOME_COLUMNS),
        Row("litigation_after_review", "行政诉讼·复议后起诉", r"复议后起诉", OUTCOME_COLUMNS),
    ),
)

# ---------------------------------------------------------------- section 2

_DOC_COLUMNS_2021 = (
    Column("issued", "本年制发件数"),
    Column("repealed", "本年废止件数"),
    Column("in_force", "现行有效件数"),
)
_DECISIONS_2021 = (Column("decisions", "本年处理决定数量"),)

SECTION2_2021 = Table(
    "section2",
    SECTION_HEADINGS[2].title,
    (
        Row("rules", "规章", r"规章", _DOC_COLUMNS_2021),
        Row("normative_docs", "行政规范性文件", r"规范性文件", _DOC_COLUMNS_2021),
        Row("licensing", "行政许可", r"行政许可", _DECISIONS_2021),
        Row("penalty", "行政处罚", r"行政处罚", _DECISIONS_2021),
        Row("coercion", "行政强制", r"行政强制", _DECISIONS_2021),
        Row(
            "fees",
            "行政事业性收费",
            r"行政事业性收费",
            (Column("amount_wan_yuan", "本年收费金额（单位：万元）", "money"),),
        ),
    ),
)

_DOC_COLUMNS_2019 = (
    Column("new_made", "本年新制作数量"),
    Column("new_published", "本年新公开数量"),
    Column("total_published", "对外公开总数量"),
)
_ITEMS_2019 = (
    Column("prev_items", "上一年项目数量"),
    Column("change", "本年增/减", "signed"),
    Column("decisions", "处理决定数量"),
)

SECTION2_2019 = Table(
    "section2",
    SECTION_HEADINGS[2].title,
    (
        Row("rules", "规章", r"规章", _DOC_COLUMNS_2019),
        Row("normative_docs", "规范性文件", r"规范性文件", _DOC_COLUMNS_2019),
        Row("licensing", "行政许可", r"行政许可", _ITEMS_2019),
        Row("other_services", "其他对外管理服务事项", r"其他对外管理服务事项", _ITEMS_2019),
        Row("penalty", "行政处罚", r"行政处罚", _ITEMS_2019),
        Row("coercion", "行政强制", r"行政强制", _ITEMS_2019),
        Row("fees", "行政事业性收费", r"行政事业性收费", _ITEMS_2019[:2]),
        Row(
            "procurement",
            "政府集中采购",
            r"政府集中采购",
            (Column("items", "采购项目数量"), Column("amount", "采购总金额", "money")),
        ),
    ),
)

# ---------------------------------------------------------------- templates

TEMPLATE_2021 = Template(
    version="2021",
    report_years="2021 and later",
    section2=SECTION2_2021,
    section3=Table("section3", SECTION_HEADINGS[3].title, _S3_HEAD + _S3_OTHER_2021 + _S3_TAIL),
    section4=SECTION4,
    outcome_rows=tuple(r.key for r in _S3_HEAD[2:] + _S3_OTHER_2021),
    signature_patterns=(
        r"本年制发件数",
        r"本年废止件数",
        r"现行有效件数",
        r"行政规范性文件",
        r"逾期不补正",
        r"收费通知",
    ),
)

TEMPLATE_2019 = Template(
    version="2019",
    report_years="2019 and 2020",
    section2=SECTION2_2019,
    section3=Table("section3", SECTION_HEADINGS[3].title, _S3_HEAD + _S3_OTHER_2019 + _S3_TAIL),
    section4=SECTION4,
    outcome_rows=tuple(r.key for r in _S3_HEAD[2:] + _S3_OTHER_2019),
    signature_patterns=(
        r"本年新制作数量",
        r"本年新公开数量",
        r"对外公开总数量",
        r"上一年项目数量",
        r"本年增/?减",
        r"其他对外管理服务事项",
        r"政府集中采购",
    ),
)

TEMPLATES: dict[str, Template] = {"2019": TEMPLATE_2019, "2021": TEMPLATE_2021}

# Where each table begins when its section heading is missing: the first
# header every version prints (matched on the text as it stands).
TABLE_OPENINGS: dict[int, str] = {
    2: r"第二十条第\s*[（(]\s*一\s*[)）]\s*项",
    3: r"[（(]\s*本列数据的勾稽关系|申请人情况",
}


def template_for_year(year: int) -> TemplateVersion:
    """The template a report on ``year`` should use (the TEMPLATE_YEAR rule)."""
    return "2019" if year < 2021 else "2021"


# ---------------------------------------------------------------- the sums


@dataclass(frozen=True)
class SumRule:
    """``sum(left) == sum(right)``: one of the table's own 勾稽关系.

    ``left`` holds the total(s) as printed, ``right`` the parts they sum.

    ``rule`` is the docs/record.md §3 rule id; ``scope`` names the column (for
    S3_BALANCE, S3_OUTCOME_TOTAL), the row (S3_ROW_TOTAL) or the group
    (S4_TOTAL) the equation is about.
    """

    rule: str
    scope: str
    left: tuple[str, ...]
    right: tuple[str, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return self.left + self.right


def sum_rules(template: Template) -> tuple[SumRule, ...]:
    """Every arithmetic identity the template's tables must satisfy."""
    s3 = template.section3
    applicant = [c.key for c in APPLICANT_COLUMNS]
    rules: list[SumRule] = []
    for column in applicant:
        rules.append(
            SumRule(
                "S3_BALANCE",
                column,
                (str(CellPath("section3", "total", column)), str(CellPath("section3", "carried_forward", column))),
                (str(CellPath("section3", "new", column)), str(CellPath("section3", "carried_over", column))),
            )
        )
    for row in s3.rows:
        rules.append(
            SumRule(
                "S3_ROW_TOTAL",
                row.key,
                (str(CellPath("section3", row.key, "total")),),
                tuple(str(CellPath("section3", row.key, c)) for c in applicant if c != "total"),
            )
        )
    for column in applicant:
        rules.append(
            SumRule(
                "S3_OUTCOME_TOTAL",
                column,
                (str(CellPath("section3", "total", column)),),
                tuple(str(CellPath("section3", r, column)) for r in template.outcome_rows),
            )
        )
    for row in template.section4.rows:
        parts = [c.key for c in row.columns if c.key != "total"]
        rules.append(
            SumRule(
                "S4_TOTAL",
                row.key,
                (str(CellPath("section4", row.key, "total")),),
                tuple(str(CellPath("section4", row.key, c)) for c in parts),
            )
        )
    return tuple(rules)
