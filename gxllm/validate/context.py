"""What every rule looks at: the record, its readings against the source, the source itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from gxllm.document import Compact
from gxllm.labels import cell_label
from gxllm.record import Evidence, Flag, FlagKind, Number, Record, Severity
from gxllm.template import Template
from gxllm.validate.readings import Reading, read_value


@dataclass
class Context:
    record: Record
    evidence: dict[str, Evidence] = field(default_factory=dict)
    source_text: str | None = None
    raw: dict[str, Any] | None = None
    previous: Record | None = None

    @property
    def spec(self) -> Template | None:
        return self.record.spec

    @property
    def last_year(self) -> Record | None:
        """``previous`` when it is the report of the year before (or a year is unknown); else None."""
        previous = self.previous
        if previous is not None and None not in (self.record.year, previous.year):
            return previous if previous.year == self.record.year - 1 else None  # type: ignore[operator]
        return previous

    @cached_property
    def readings(self) -> dict[str, Reading]:
        """Every numeric value of the record (template cells, year, fee amount), grounded."""
        values: dict[str, Number | None] = dict(self.record.cells())
        values["year"] = self.record.year
        values["fee.amount_yuan"] = self.record.fee.amount_yuan
        return {
            path: read_value(path, value, self.evidence.get(path), self.source_text) for path, value in values.items()
        }

    @cached_property
    def compact(self) -> Compact | None:
        return None if self.source_text is None else Compact.of(self.source_text)

    def value(self, path: str) -> Number | None:
        return self.readings[path].value

    def values(self, paths: tuple[str, ...] | list[str]) -> list[Number] | None:
        """The values of ``paths``, or None when one is null (a rule on them cannot be decided)."""
        values = [self.value(p) for p in paths]
        return None if any(v is None for v in values) else values  # type: ignore[return-value]

    def label(self, path: str) -> str:
        return cell_label(self.spec, path)

    def kind_of(self, paths: list[str]) -> FlagKind:
        """A failing rule is our misreading when one of its numbers is not what the source prints;
        otherwise it is the document's own (numbers without evidence are taken as printed)."""
        misread = any(p in self.readings and self.readings[p].status == "ungrounded" for p in paths)
        return "extraction" if misread else "source"

    def finding(
        self,
        rule: str,
        severity: Severity,
        cells: list[str],
        *,
        source_lead: str,
        body: str,
        kind: FlagKind | None = None,
        printed: list[Evidence] | None = None,
        **details: Any,
    ) -> Flag:
        """A flag on ``cells``, told apart as the source's or our error, with their evidence.

        ``body`` says what fails; the message leads with ``source_lead`` when the
        document itself is at fault, with 读取有误 when our reading is.
        """
        kind = kind or self.kind_of(cells)
        lead = source_lead if kind == "source" else "读取有误"
        return Flag(
            rule=rule,
            severity=severity,
            kind=kind,
            cells=cells,
            evidence=[*(printed or []), *self.evidence_of(cells)],
            message=f"{lead}：{body}。",
            **details,
        )

    def evidence_of(self, paths: list[str]) -> list[Evidence]:
        return [e for p in paths if (e := self.evidence.get(p)) is not None and (e.span or e.token)]

    def source_has(self, pattern: str) -> bool:
        """Whether the source, whitespace removed, matches ``pattern`` (False without a source)."""
        return self.compact is not None and re.search(pattern, self.compact.text) is not None
