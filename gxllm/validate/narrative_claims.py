"""NARRATIVE_CLAIM: numbers the prose states about the tables (:mod:`gxllm.claims`),
checked against them; a claim is flagged only when it fits none of its
plausible readings."""

from __future__ import annotations

from gxllm.claims import claims
from gxllm.record import Evidence, Flag
from gxllm.validate.context import Context
from gxllm.validate.messages import show


def check(ctx: Context) -> list[Flag]:
    if ctx.spec is None or ctx.compact is None or ctx.source_text is None:
        return []
    flags = []
    for claim in claims(ctx.spec, ctx.compact.text):
        sums = [ctx.values(list(reading)) for reading in claim.quantity.readings]
        if any(s is None for s in sums) or any(sum(s) == claim.number for s in sums if s is not None):
            continue
        totals = [sum(s) for s in sums if s is not None]
        span = ctx.compact.span(claim.start, claim.end)
        printed = ctx.source_text[span[0] : span[1]]
        table = "，".join(f"{name}为{show(t)}" for name, t in zip(claim.quantity.names, totals, strict=True))
        flags.append(
            ctx.finding(
                "NARRATIVE_CLAIM",
                "warning",
                claim.quantity.cells,
                source_lead="正文与表格不符",
                body=f"正文称“{ctx.compact.text[claim.start : claim.end]}”，而表中{table}",
                printed=[Evidence(token=printed, span=span, method="text")],
                expected=claim.number,
                found=totals[0],
            )
        )
    return flags
