"""What repeats from last year's report: NARRATIVE_REPEATED and REMEDY_NOT_EFFECTIVE (both info).

Against the same agency's report of the year before only: a promise is made
for the next year, and a report two years back is not the one whose promises
this year answers (a gap in the store compares nothing, as CROSS_YEAR does).

- NARRATIVE_REPEATED: a problem or remedy that repeats one of last year's
  items nearly word for word (the notice on the reports names 内容雷同 as a
  failing), naming that item.
- REMEDY_NOT_EFFECTIVE: a problem whose main theme is the main theme of a
  remedy promised last year: the promised fix did not remove the problem.
  Themes are read by rule (:func:`gxllm.narrative.themes.themes_named`), as
  everywhere in the validator: no model is asked.
"""

from __future__ import annotations

from gxllm.narrative.similarity import similarity
from gxllm.narrative.themes import themes_named
from gxllm.record import Flag
from gxllm.validate.context import Context

# "Nearly word for word": RECORD.md's item similarity, well above its 0.6 for a match.
REPEAT_SIMILARITY = 0.9
_LIST_NAMES = {"problems": "问题", "remedies": "改进措施"}


def check(ctx: Context) -> list[Flag]:
    last_year = ctx.last_year
    if last_year is None:
        return []
    return _repeated(ctx, last_year.problems, last_year.remedies) + _not_effective(ctx, last_year.remedies)


def _repeated(ctx: Context, problems: list[str], remedies: list[str]) -> list[Flag]:
    earlier = [(name, item) for name, items in (("problems", problems), ("remedies", remedies)) for item in items]
    flags = []
    for name in _LIST_NAMES:
        for i, item in enumerate(getattr(ctx.record, name)):
            score, (earlier_name, earlier_item) = max(
                ((similarity(item, old), (n, old)) for n, old in earlier), default=(0.0, ("", ""))
            )
            if score < REPEAT_SIMILARITY:
                continue
            message = (
                f"与上年报告内容雷同：本年{_LIST_NAMES[name]}“{item}”"
                f"与上年报告的{_LIST_NAMES[earlier_name]}“{earlier_item}”几乎逐字相同。"
            )
            flags.append(_note(ctx, "NARRATIVE_REPEATED", f"{name}.{i}", earlier_item, item, message))
    return flags


def _note(ctx: Context, rule: str, cell: str, last_year: str, this_year: str, message: str) -> Flag:
    """An info flag on this year's item ``cell``, naming last year's item."""
    return Flag(
        rule=rule,
        severity="info",
        kind="source",
        cells=[cell],
        expected=last_year,
        found=this_year,
        evidence=ctx.evidence_of([cell]),
        message=message,
    )


def _main_theme(text: str) -> str | None:
    named = themes_named(text)
    return named[0].theme if named else None


def _not_effective(ctx: Context, promised: list[str]) -> list[Flag]:
    flags = []
    for i, problem in enumerate(ctx.record.problems):
        theme = _main_theme(problem)
        same = [remedy for remedy in promised if theme is not None and _main_theme(remedy) == theme]
        if not same:
            continue
        remedy = max(same, key=lambda r: similarity(problem, r))
        message = (
            f"上年承诺的改进措施未见成效：本年问题“{problem}”（主题：{theme}）"
            f"与上年报告的改进措施“{remedy}”主题相同，上年承诺的改进未能消除这一问题。"
        )
        flags.append(_note(ctx, "REMEDY_NOT_EFFECTIVE", f"problems.{i}", remedy, problem, message))
    return flags
