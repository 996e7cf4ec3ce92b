"""The report record (the contract in docs/record.md), with evidence and flags.

The section models are built from :mod:`gxllm.template`, so the record, the
reader and the validator can never disagree about which rows and cells exist.
A row or cell that the record lacks is simply unset: ``model_fields_set``
tells the validator's MISSING rule what the input did not contain, while the
dump always writes every cell (``null`` where unread).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    create_model,
    model_validator,
)

from gxllm.template import TEMPLATES, CellPath, Column, Table, Template, TemplateVersion

Number = int | float

# Numbers as I-JSON (RFC 7493) allows them, so every JSON reader (a browser, a spreadsheet, PostgreSQL)
# reads back exactly the value written: integers within ±(2^53 − 1), no NaN or Infinity. A count is such
# an integer, never a string, a boolean or a fraction; an amount may also be a finite decimal.
MAX_SAFE_INTEGER = 2**53 - 1
Count = Annotated[int, Strict(), Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
Amount = Count | Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
# What the validator computes from counts (a sum may pass 2^53 − 1 when its cells are near it).
Computed = int | FiniteFloat
Year = Annotated[int, Strict(), Field(ge=1, le=9999)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _cell_type(column: Column) -> Any:
    return Amount | None if column.kind == "money" else Count | None


def _row_model(table: Table, row_key: str, columns: tuple[Column, ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {c.key: (_cell_type(c), None) for c in columns}
    name = f"{table.section.title()}{''.join(p.title() for p in row_key.split('_'))}Row"
    return create_model(name, __base__=_Strict, **fields)


def _table_model(table: Table, version: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for row in table.rows:
        fields[row.key] = (_row_model(table, row.key, row.columns) | None, None)
    return create_model(f"{table.section.title()}V{version}", __base__=_Strict, **fields)


SECTION_MODELS: dict[str, dict[str, type[BaseModel]]] = {
    version: {table.section: _table_model(table, version) for table in template.tables}
    for version, template in TEMPLATES.items()
}
Section2V2021 = SECTION_MODELS["2021"]["section2"]
Section2V2019 = SECTION_MODELS["2019"]["section2"]
Section3V2021 = SECTION_MODELS["2021"]["section3"]
Section3V2019 = SECTION_MODELS["2019"]["section3"]
Section4 = SECTION_MODELS["2021"]["section4"]
SECTION_MODELS["2019"]["section4"] = Section4


class Fee(_Strict):
    charged: bool | None = None
    amount_yuan: Amount | None = None
    text: str | None = None


class Record(_Strict):
    """One report, in exactly the shape of docs/record.md §2."""

    agency: str | None = None
    year: Year | None = None
    template: TemplateVersion | None = None
    section2: Section2V2021 | Section2V2019 | None = None  # type: ignore[valid-type]
    section3: Section3V2021 | Section3V2019 | None = None  # type: ignore[valid-type]
    section4: Section4 | None = None  # type: ignore[valid-type]
    problems: list[str] = Field(default_factory=list)
    remedies: list[str] = Field(default_factory=list)
    fee: Fee = Field(default_factory=Fee)

    @model_validator(mode="before")
    @classmethod
    def _sections_follow_template(cls, data: Any) -> Any:
        """Parse each section with the models of the record's own template."""
        if not isinstance(data, dict) or data.get("template") not in TEMPLATES:
            return data
        models = SECTION_MODELS[data["template"]]
        data = dict(data)
        for section, model in models.items():
            if isinstance(data.get(section), dict):
                try:
                    data[section] = model.model_validate(data[section])
                except ValidationError as error:
                    # Keep the section in the error's location: "section3.new.total".
                    details = [
                        {"type": e["type"], "loc": (section, *e["loc"]), "input": e["input"], "ctx": e.get("ctx", {})}
                        for e in error.errors()
                    ]
                    raise ValidationError.from_exception_data(cls.__name__, details) from None  # type: ignore[arg-type]
        return data

    @property
    def spec(self) -> Template | None:
        return TEMPLATES.get(self.template) if self.template else None

    @classmethod
    def empty(cls, template: TemplateVersion, **fields: Any) -> Record:
        """A record of ``template`` with every row present and every cell null."""
        spec = TEMPLATES[template]
        sections = {
            table.section: {row.key: {c.key: None for c in row.columns} for row in table.rows}
            for table in spec.tables
        }
        return cls.model_validate({"template": template, **sections, **fields})

    def cell(self, path: str) -> Number | None:
        cell = CellPath.parse(path)
        row = getattr(getattr(self, cell.section), cell.row)
        return None if row is None else getattr(row, cell.column)

    def set_cell(self, path: str, value: Number | None) -> None:
        cell = CellPath.parse(path)
        table = getattr(self, cell.section)
        row = getattr(table, cell.row)
        if row is None:
            row_model = type(table).model_fields[cell.row].annotation.__args__[0]
            setattr(table, cell.row, row_model())
            row = getattr(table, cell.row)
        setattr(row, cell.column, value)

    def cells(self) -> Iterator[tuple[str, Number | None]]:
        """Every numeric cell the template has, as (path, value)."""
        if self.spec is None:
            return
        for path in self.spec.cell_paths():
            try:
                yield path, self.cell(path)
            except AttributeError:
                yield path, None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Evidence(_Strict):
    """Where a value was read: a span of the normalised text, or page + box."""

    token: str | None = Field(None, description="the value as printed, before parsing")
    span: tuple[Count, Count] | None = Field(None, description="[start, end) in the normalised text")
    page: Count | None = None
    box: tuple[FiniteFloat, FiniteFloat, FiniteFloat, FiniteFloat] | None = None
    method: Literal["text", "html", "ocr", "model", "rule"] = "text"
    confidence: FiniteFloat | None = None
    note: str | None = Field(None, description="why a value is null, or how it was resolved")


Severity = Literal["error", "warning", "info"]
FlagKind = Literal["source", "extraction", "missing"]


class Flag(_Strict):
    """One finding of the validator, stable across re-runs."""

    rule: str
    severity: Severity
    kind: FlagKind
    cells: list[str] = Field(default_factory=list)
    expected: Computed | str | None = None
    found: Computed | str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    message: str
    suspect: str | None = Field(None, description="the one cell that alone explains the failures")
    suggestion: Computed | None = Field(None, description="another reading of the suspect cell")
    fingerprint: str = ""

    @model_validator(mode="after")
    def _fingerprint(self) -> Flag:
        if not self.fingerprint:
            key = "|".join([self.rule, self.kind, ",".join(sorted(self.cells)), str(self.found)])
            object.__setattr__(self, "fingerprint", hashlib.sha256(key.encode()).hexdigest()[:16])
        return self


class SourceInfo(_Strict):
    path: str
    sha256: str
    kind: Literal["text", "html", "markdown", "pdf", "image"]
    encoding: str | None = None
    pages: int = 1


ItemThemes = dict[Literal["problems", "remedies"], list[list[str]]]


class Extraction(_Strict):
    """What ``gxllm extract`` produces: the record, its evidence, and flags."""

    record: Record
    themes: ItemThemes = Field(
        default_factory=dict,
        description="per list, each item's themes (gxllm.narrative.taxonomy), main first, parallel to the record's items",
    )
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    flags: list[Flag] = Field(default_factory=list)
    source: SourceInfo
    timings: dict[str, float] = Field(default_factory=dict)
    text: str | None = Field(
        None, exclude=True, description="the normalised source text evidence spans index into; not written out"
    )

    def to_output(self) -> dict[str, Any]:
        """The record's shape (docs/record.md §2) at top level (comparable with gold), then the rest."""
        return {
            **self.record.to_json(),
            "themes": self.themes,
            "evidence": {k: v.model_dump(mode="json", exclude_none=True) for k, v in self.evidence.items()},
            "flags": [f.model_dump(mode="json", exclude_none=True) for f in self.flags],
            "source": self.source.model_dump(mode="json"),
            "timings": self.timings,
        }

    @classmethod
    def from_output(cls, data: dict[str, Any]) -> Extraction:
        record_keys = set(Record.model_fields)
        return cls.model_validate(
            {
                "record": {k: v for k, v in data.items() if k in record_keys},
                "themes": data.get("themes", {}),
                "evidence": data.get("evidence", {}),
                "flags": data.get("flags", []),
                "source": data["source"],
                "timings": data.get("timings", {}),
            }
        )
