"""A report whose page came out as one line (a crawler that dropped every line break).

Headings stand mid-line, a row's label is followed by a space and then all
its cells' digits run together, and the next row's label follows the last
digit directly: ``一、本年新收政府信息公开申请数量 3000003二、上年结转…``. The
gold is what the table's sums can restore: every way of cutting each row's
digits back into cells is tried, and a cell is null where the cuts that keep
every sum disagree.
"""

from __future__ import annotations

from gxllm.fixturegen.grid import SECTIONS, Grid
from gxllm.fixturegen.repeats import gold_the_sums_allow, printed_lines
from gxllm.record import Number, Record


class NotPrintable(ValueError):
    """A value that cannot run into its neighbours unambiguously (a sign, a decimal point)."""


def cuts(digits: str, count: int) -> list[tuple[int, ...]]:
    """Every way to cut ``digits`` into ``count`` numbers, none with a leading zero."""
    if count == 1:
        return [(int(digits),)] if digits == "0" or not digits.startswith("0") else []
    found = []
    for i in range(1, len(digits) - count + 2):
        head = digits[:i]
        if head != "0" and head.startswith("0"):
            continue
        found += [(int(head), *rest) for rest in cuts(digits[i:], count - 1)]
    return found


def run_together(cells: Grid) -> str:
    """A table's rows with no line breaks: each label, a space, its digits, and the next label."""
    parts = []
    for row in cells:
        labels = "".join(cell.text for cell in row if cell.kind != "value" and cell.text)
        digits = "".join(cell.text for cell in row if cell.kind == "value" and cell.text)
        parts.append(f"{labels} {digits}" if digits else labels)
    return "".join(parts)


def check_printable(record: Record) -> None:
    if any(value is not None and (value < 0 or not float(value).is_integer()) for _, value in record.cells()):
        raise NotPrintable("a negative or fractional value cannot run into its neighbours")


def one_line_gold(record: Record) -> Record:
    """``record`` with null wherever the sums cannot cut the run-together digits apart."""
    options: dict[tuple[str, ...], list[dict[str, Number]]] = {}
    for section in SECTIONS:
        for line in printed_lines(record, section):
            digits = "".join(str(int(record.cell(p))) for p in line)  # type: ignore[arg-type]
            options[line] = [dict(zip(line, numbers, strict=True)) for numbers in cuts(digits, len(line))]
    return gold_the_sums_allow(record, options)


def one_line(text: str) -> str:
    """The report with its first line (the title) kept and every other line run into one."""
    title, _, rest = text.partition("\n")
    return title + "\n" + "".join(line.strip() for line in rest.split("\n"))
