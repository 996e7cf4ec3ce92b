"""Small synthetic reports for table-reader tests, built from the template's own labels."""

from __future__ import annotations

from collections.abc import Callable

from gxllm.document import Segmented
from gxllm.normalize import normalize
from gxllm.read.source import Source
from gxllm.read.text import read_text
from gxllm.record import Record
from gxllm.segment import segment
from gxllm.settings import Settings
from gxllm.template import TEMPLATES

RowPrinter = Callable[[str, list[str]], str]


def spaced(label: str, cells: list[str]) -> str:
    return " ".join([label, *cells])


def cell_text(value: int | float | None) -> str:
    return "" if value is None else str(value)


def section3_rows(record: Record) -> list[tuple[str, list[str]]]:
    spec = TEMPLATES[record.template]
    return [
        (row.label, [cell_text(record.cell(f"section3.{row.key}.{c.key}")) for c in row.columns])
        for row in spec.section3.rows
    ]


def section2_rows(record: Record) -> list[tuple[str, list[str]]]:
    spec = TEMPLATES[record.template]
    return [
        (row.label, [cell_text(record.cell(f"section2.{row.key}.{c.key}")) for c in row.columns])
        for row in spec.section2.rows
    ]


def section4_cells(record: Record) -> list[str]:
    spec = TEMPLATES[record.template]
    return [cell_text(record.cell(f"section4.{r.key}.{c.key}")) for r in spec.section4.rows for c in r.columns]


def report(section2: str, section3: str, section4: str, year: int = 2024) -> str:
    return "\n".join(
        [
            f"测试区科学技术局{year}年政府信息公开工作年度报告",
            f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            "一、总体情况",
            "我局认真落实政府信息公开工作。",
            "二、主动公开政府信息情况",
            section2,
            "三、收到和处理政府信息公开申请情况",
            "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他",
            section3,
            "四、政府信息公开行政复议、行政诉讼情况",
            "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
            section4,
            "五、存在的主要问题及改进情况",
            "一是公开意识不强。下一步，一是加强培训。",
            "六、其他需要报告的事项",
            "本年度未收取信息处理费。",
        ]
    )


def render(record: Record, printer: RowPrinter = spaced) -> str:
    s2 = "\n".join(printer(label, cells) for label, cells in section2_rows(record))
    s3 = "\n".join(printer(label, cells) for label, cells in section3_rows(record))
    return report(s2, s3, " ".join(section4_cells(record)), year=2024 if record.template == "2021" else 2019)


def segmented(text: str) -> Segmented:
    data = text.encode("utf-8")
    return segment(normalize(read_text(Source("t.txt", data)), Settings()))
