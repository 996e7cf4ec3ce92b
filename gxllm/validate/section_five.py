"""NARRATIVE_EMPTY: section 五 says what is wrong and what will be done, concretely.

The 2021 notice on the annual reports faults a section 五 that is empty,
says one sentence, or is boilerplate naming no concrete problem. A problem
is concrete when it names something of the taxonomy (政策解读, 栏目, 培训, …),
as the rules read themes (the validator never calls a model).
"""

from __future__ import annotations

from gxllm.narrative.themes import themes_named
from gxllm.record import Flag
from gxllm.validate.context import Context

_CELLS = ["problems", "remedies"]
_NOT_FOUND = "not found"  # the reader's note when it found no section 五


def check(ctx: Context) -> list[Flag]:
    record = ctx.record
    items = record.problems + record.remedies
    if not items:
        why = "没有列出任何问题或改进措施"
    elif len(items) == 1:
        why = f"只有一句：“{items[0]}”"
    elif not any(themes_named(problem) for problem in record.problems):
        why = "没有指出具体问题" if not record.problems else "所列问题都是套话，没有指出具体问题"
    else:
        return []
    unread = any(_NOT_FOUND in (ctx.evidence[c].note or "") for c in _CELLS if c in ctx.evidence)
    lead = "缺少数据：没有找到第五部分“存在的主要问题及改进情况”" if unread else "报告第五部分“存在的主要问题及改进情况”内容空泛"
    return [
        Flag(
            rule="NARRATIVE_EMPTY",
            severity="warning",
            kind="missing" if unread else "source",
            cells=_CELLS,
            evidence=ctx.evidence_of(_CELLS + [f"{c}.{i}" for c in _CELLS for i in range(len(getattr(record, c)))]),
            message=f"{lead}：{why}。",
        )
    ]
