"""A theme for each problem and remedy: the taxonomy as data, read from each item's own words."""

from __future__ import annotations

import json
import re

import pytest

from gxllm.narrative import extract_narrative
from gxllm.narrative.taxonomy import OTHER, THEME_NAMES, THEMES
from gxllm.narrative.themes import NO_THEME_NOTE, themes_named
from gxllm.settings import Settings
from tests.report_text import segmented
from tests.test_narrative_lists import report


def test_the_taxonomy_is_the_issue_s_list_in_its_order():
    assert THEME_NAMES == (
        "政策解读",
        "依申请公开办理",
        "主动公开深度与广度",
        "重点领域公开",
        "平台与政务新媒体",
        "队伍与培训",
        "制度机制与考核",
        "公众参与与回应关切",
        "决策公开",
        "基层政务公开",
        "其他",
    )
    assert all(theme.description and re.compile(theme.cues) for theme in (*THEMES, OTHER))


@pytest.mark.parametrize(
    ("item", "themes"),
    [
        ("政策解读形式不够多样化", ["政策解读", "主动公开深度与广度"]),
        ("提高依申请公开办理质量", ["依申请公开办理"]),
        ("及时公开财政预决算信息", ["主动公开深度与广度", "重点领域公开"]),
        ("政务新媒体日常监管不够", ["平台与政务新媒体", "制度机制与考核"]),
        ("加强业务培训", ["队伍与培训"]),
        ("考核机制不够健全", ["制度机制与考核"]),
        ("政民互动留言回复效率有待提高", ["公众参与与回应关切"]),
        ("重大行政决策预公开不够", ["决策公开"]),
        ("推进基层政务公开标准化", ["基层政务公开"]),
    ],
)
def test_each_theme_is_named_by_its_words_and_the_first_named_is_the_main(item, themes):
    assert [cue.theme for cue in themes_named(item)] == themes


def test_a_weak_cue_names_a_theme_only_when_no_theme_is_named():
    assert [cue.theme for cue in themes_named("可公开事项不多")] == ["主动公开深度与广度"]
    assert [cue.theme for cue in themes_named("公开栏目不多")] == ["平台与政务新媒体"]
    assert themes_named("公文格式需进一步规范") == []


def test_every_item_gets_its_themes_with_the_words_that_named_them():
    source = segmented(report("一是政策解\n读形式单一。二是公文格式不规范。\n下一步，我局将加强业务培训。"))
    narrative = extract_narrative(source)
    assert narrative.themes == {
        "problems": [["政策解读", "主动公开深度与广度"], [OTHER.name]],
        "remedies": [["队伍与培训"]],
    }
    main = narrative.evidence["themes.problems.0.0"]
    assert (main.token, main.note, main.method) == ("解\n读", "政策解读", "rule")
    assert source.text.text[slice(*main.span)] == "解\n读"
    assert narrative.evidence["themes.problems.0.1"].token == "形式"
    assert narrative.evidence["themes.problems.1.0"].note == NO_THEME_NOTE


def test_the_extraction_output_has_themes_beside_the_record_keys(tmp_path):
    from gxllm.pipeline import extract

    path = tmp_path / "report.txt"
    path.write_text(report("一是政策解读形式单一。\n下一步，我局将加强业务培训。"), encoding="utf-8")
    output = extract(path, settings=Settings()).to_output()
    assert output["themes"] == {"problems": [["政策解读", "主动公开深度与广度"]], "remedies": [["队伍与培训"]]}
    assert list(output)[: list(output).index("themes")] == [
        "agency", "year", "template", "section2", "section3", "section4", "problems", "remedies", "fee"
    ]
    assert json.loads(json.dumps(output, ensure_ascii=False))["themes"] == output["themes"]
