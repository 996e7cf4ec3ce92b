"""The themes a problem or remedy is about, as data: names, what each covers, the words that name it.

Like the templates (:mod:`gxllm.template`), the taxonomy is one table: the
rules, the model's prompt, the store, the exports and the review app all
read it from here, so a new theme or a new word is a change to this file.

``cues`` are the words that say an item is about a theme. ``weak_cues`` name
it only when no theme's ``cues`` occur in the item: any item about 公开 is
about disclosure's depth and breadth unless it names something narrower.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    cues: str  # a regular expression over the item's text
    weak_cues: str | None = None


THEMES: tuple[Theme, ...] = (
    Theme("政策解读", "policy interpretation: 解读, 图解, 政策宣传解读", r"解读|图解"),
    Theme(
        "依申请公开办理",
        "handling disclosure requests: 依申请, 答复, 办理规范",
        r"依申请|公开申请|申请公开|申请量|申请人|答复",
    ),
    Theme(
        "主动公开深度与广度",
        "depth, breadth, timeliness and quality of proactive disclosure: 公开内容, 及时性, 全面性, 公开力度",
        r"主动公开|主动性|公开内容|内容|公开质量|发布质量|信息发布|及时|时效|全面|公开力度|公开范围|尽公开|形式|可读性"
        r"|覆盖|表面|深度|数量|质效|信息(?:较少|偏少)",
        weak_cues=r"公开",
    ),
    Theme(
        "重点领域公开",
        "key areas: 财政预决算, 重大项目, 民生, 行政执法, 双随机, 权责清单",
        r"重点领域|财政|预决算|预算|决算|重大项目|民生|行政执法|执法|双随机|权责清单|审计结果|行政权力|权力运行"
        r"|建议和提案|重大事项|行政处罚|规范性文件",
    ),
    Theme(
        "平台与政务新媒体",
        "websites, columns, 政务新媒体, 平台建设, channels and means of disclosure",
        r"网站|栏目|专栏|新媒体|微信|微博|平台|渠道|门户|目录|查阅场所|政府公报|公开栏|网络安全|运维",
    ),
    Theme("队伍与培训", "staff and training: 培训, 业务能力, 人员, 专业化", r"培训|学习|队伍|人员|业务能力|专业|业务水平|干部职工|能力"),
    Theme(
        "制度机制与考核",
        "rules, mechanisms, responsibility, supervision, 考核, 组织领导, 认识与重视",
        r"制度|机制|考核|监督|监管|督查|责任|组织领导|认识|重视|意识|审核|协调|统筹|保障|配合|三审",
    ),
    Theme(
        "公众参与与回应关切",
        "public participation and responding to concerns: 互动, 回应, 意见征集",
        r"互动|回应|关切|意见征集|征集|民意|参与度|留言|服务社会公众",
    ),
    Theme("决策公开", "disclosure of decision-making: 重大行政决策, 决策预公开, 公众参与决策", r"决策"),
    Theme("基层政务公开", "grassroots open government: 基层, 标准化规范化", r"基层|标准化|规范化"),
)
OTHER = Theme("其他", "none of the above", cues=r"(?!)")

THEME_NAMES: tuple[str, ...] = (*(theme.name for theme in THEMES), OTHER.name)
BY_NAME: dict[str, Theme] = {theme.name: theme for theme in (*THEMES, OTHER)}
