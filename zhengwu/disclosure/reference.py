"""The exact names of 政府信息公开条例 (国务院令第711号) and of the annual report format
(国办公开办函〔2021〕30号), as data: REFERENCE §6.

Everything that shows or exports a report (the web page, the .docx, the PDF, the JSON of
``GET /api/disclosure/reports/{body_code}/{year}``) takes its keys, labels and order from
here, so the four outputs cannot drift apart. A key is the short name of REFERENCE §6
(``"国家秘密"``); a label is the text printed in the national table (``"1.属于国家秘密"``).
"""

from __future__ import annotations

from dataclasses import dataclass

# -- applicants (table 三 columns) ----------------------------------------------------------------

PERSON = "自然人"
LEGAL = "法人或其他组织"
TOTAL = "总计"

#: sub-kinds of 法人或其他组织: (code stored on a request, key/label in table 三)
LEGAL_SUBKINDS: list[tuple[str, str]] = [
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other", "其他"),
]
LEGAL_SUBKIND_NAMES = dict(LEGAL_SUBKINDS)

#: the seven columns of table 三, in order
TABLE3_COLUMNS: list[str] = [PERSON, *(name for _, name in LEGAL_SUBKINDS), TOTAL]


def table3_column(applicant_kind: str, legal_subkind: str) -> str:
    """The table 三 column of an applicant (``person`` or ``legal`` + sub-kind)."""
    if applicant_kind == "person":
        return PERSON
    return LEGAL_SUBKIND_NAMES[legal_subkind or "other"]


# -- reply types (table 三 rows of 三、本年度办理结果) -------------------------------------------------


@dataclass(frozen=True)
class ResultType:
    code: str  # stored on a request
    group: str  # 予以公开 / 部分公开 / 不予公开 / 无法提供 / 不予处理 / 其他处理
    name: str  # the REFERENCE §6 key, unique among table 三 rows
    label: str  # as printed in the national table
    basis: str  # the legal basis quoted in the 答复书; empty where the 条例 has no article for the case


GROUP_LABELS: dict[str, str] = {
    "予以公开": "（一）予以公开",
    "部分公开": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "不予公开": "（三）不予公开",
    "无法提供": "（四）无法提供",
    "不予处理": "（五）不予处理",
    "其他处理": "（六）其他处理",
}

_R = "《中华人民共和国政府信息公开条例》"

# Each basis checked against the text of the 条例 as revised in 2019 (国务院令第711号):
# 第十四条 国家秘密 / 法律、行政法规禁止公开 / 三安全一稳定; 第十五条 商业秘密、个人隐私 (第三方);
# 第十六条第一款 内部事务信息, 第二款 过程性信息和行政执法案卷信息; 第二十九条、第三十条 内容不明确与补正;
# 第三十五条 数量、频次明显超过合理范围; 第三十六条 (一) 已主动公开 (二) 可以公开 (四) 不存在 (五) 不属于本机关
# 负责公开 (六) 重复申请 (七) 工商、不动产登记资料等法律、行政法规对获取有特别规定的信息; 第三十七条 区分处理;
# 第三十八条 提供的信息应当是已制作或者获取的政府信息，需要加工、分析的可以不予提供; 第三十九条第一款 以申请
# 形式进行信访、投诉、举报, 第二款 政府公报、报刊、书籍等公开出版物; 第四十二条 信息处理费.
# 要求确认或重新出具已获取信息 has no article of its own: 第三十九条 (信访/出版物) does not cover it; what the
# 条例 says is 第三十八条 — what is provided is information already made or obtained, so a confirmation or a
# re-issued document (a new document) is not owed. 其他 (e.g. the applicant withdrew) has no article at all;
# its 答复书 says so instead of quoting one.

RESULT_TYPES: list[ResultType] = [
    ResultType("open", "予以公开", "予以公开", "（一）予以公开", f"{_R}第三十六条第（一）项、第（二）项"),
    ResultType("partial", "部分公开", "部分公开", GROUP_LABELS["部分公开"], f"{_R}第三十七条"),
    ResultType("withhold_secret", "不予公开", "国家秘密", "1.属于国家秘密", f"{_R}第十四条"),
    ResultType("withhold_law", "不予公开", "其他法律法规禁止", "2.其他法律行政法规禁止公开", f"{_R}第十四条"),
    ResultType("withhold_security", "不予公开", "三安全一稳定", "3.危及“三安全一稳定”", f"{_R}第十四条"),
    ResultType("withhold_third_party", "不予公开", "第三方合法权益", "4.保护第三方合法权益", f"{_R}第十五条"),
    ResultType("withhold_internal", "不予公开", "三类内部事务", "5.属于三类内部事务信息", f"{_R}第十六条第一款"),
    ResultType("withhold_process", "不予公开", "四类过程性信息", "6.属于四类过程性信息", f"{_R}第十六条第二款"),
    ResultType("withhold_enforcement", "不予公开", "行政执法案卷", "7.属于行政执法案卷", f"{_R}第十六条第二款"),
    ResultType("withhold_query", "不予公开", "行政查询事项", "8.属于行政查询事项", f"{_R}第三十六条第（七）项"),
    ResultType("none_not_held", "无法提供", "本机关不掌握", "1.本机关不掌握相关政府信息",
               f"{_R}第三十六条第（四）项、第（五）项"),
    ResultType("none_need_making", "无法提供", "没有现成信息需另行制作", "2.没有现成信息需要另行制作",
               f"{_R}第三十八条"),
    ResultType("none_unclear", "无法提供", "补正后仍不明确", "3.补正后申请内容仍不明确", f"{_R}第二十九条、第三十条"),
    ResultType("refuse_petition", "不予处理", "信访举报投诉", "1.信访举报投诉类申请", f"{_R}第三十九条第一款"),
    ResultType("refuse_repeat", "不予处理", "重复申请", "2.重复申请", f"{_R}第三十六条第（六）项"),
    ResultType("refuse_publication", "不予处理", "公开出版物", "3.要求提供公开出版物", f"{_R}第三十九条第二款"),
    ResultType("refuse_excessive", "不予处理", "无正当理由大量反复申请", "4.无正当理由大量反复申请",
               f"{_R}第三十五条"),
    ResultType("refuse_confirm", "不予处理", "要求确认或重新出具", "5.要求行政机关确认或重新出具已获取信息",
               f"{_R}第三十八条"),
    ResultType("other_no_supplement", "其他处理", "逾期不补正",
               "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", f"{_R}第三十条"),
    ResultType("other_unpaid", "其他处理", "逾期不缴费",
               "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
               f"{_R}第四十二条和《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"),
    ResultType("other", "其他处理", "其他", "3.其他", ""),
]
RESULTS: dict[str, ResultType] = {r.code: r for r in RESULT_TYPES}
RESULT_CHOICES: list[tuple[str, str]] = [
    (r.code, r.name if r.group == r.name else f"{r.group}—{r.name}") for r in RESULT_TYPES
]
#: groups in table order, each with its leaf rows
RESULT_GROUPS: list[tuple[str, list[ResultType]]] = [
    (g, [r for r in RESULT_TYPES if r.group == g]) for g in GROUP_LABELS
]

# -- table 三 rows ------------------------------------------------------------------------------------

NEW = "本年新收"
CARRIED_IN = "上年结转"
RESULT_TOTAL = "总计"
CARRIED_OUT = "结转下年度"

#: the rows of table 三, in order: keys of the JSON ``rows`` object
TABLE3_ROWS: list[str] = [NEW, CARRIED_IN, *(r.name for r in RESULT_TYPES), RESULT_TOTAL, CARRIED_OUT]

ROW_LABELS: dict[str, str] = {
    NEW: "一、本年新收政府信息公开申请数量",
    CARRIED_IN: "二、上年结转政府信息公开申请数量",
    **{r.name: r.label for r in RESULT_TYPES},
    RESULT_TOTAL: "（七）总计",
    CARRIED_OUT: "四、结转下年度继续办理",
}
RESULTS_HEADING = "三、本年度办理结果"

# -- table 二 (主动公开) -------------------------------------------------------------------------------

ISSUED, REPEALED, IN_FORCE = "本年制发件数", "本年废止件数", "现行有效件数"
DECISIONS = "本年处理决定数量"
FEE_AMOUNT = "本年收费金额（单位：万元）"


@dataclass(frozen=True)
class Table2Block:
    article: str  # 第二十条第（一）项
    columns: list[str]
    rows: list[str]


TABLE2_BLOCKS: list[Table2Block] = [
    Table2Block("第二十条第（一）项", [ISSUED, REPEALED, IN_FORCE], ["规章", "行政规范性文件"]),
    Table2Block("第二十条第（五）项", [DECISIONS], ["行政许可"]),
    Table2Block("第二十条第（六）项", [DECISIONS], ["行政处罚", "行政强制"]),
    Table2Block("第二十条第（八）项", [FEE_AMOUNT], ["行政事业性收费"]),
]
#: JSON keys of table 二 cells use the short column names
TABLE2_KEYS: dict[str, str] = {ISSUED: "本年制发", REPEALED: "本年废止", IN_FORCE: "现行有效",
                               DECISIONS: "本年处理决定数量", FEE_AMOUNT: "本年收费金额"}

# -- table 四 (行政复议、行政诉讼) ------------------------------------------------------------------------

REVIEW, DIRECT_SUIT, SUIT_AFTER_REVIEW = "行政复议", "未经复议直接起诉", "复议后起诉"
TABLE4_GROUPS: list[str] = [REVIEW, DIRECT_SUIT, SUIT_AFTER_REVIEW]
TABLE4_COLUMNS: list[str] = ["维持", "纠正", "其他", "尚未审结", "总计"]
TABLE4_COLUMN_LABELS: dict[str, str] = {"维持": "结果维持", "纠正": "结果纠正", "其他": "其他结果",
                                        "尚未审结": "尚未审结", "总计": "总计"}
TABLE4_GROUP_LABELS: dict[str, str] = {REVIEW: "行政复议", DIRECT_SUIT: "未经复议直接起诉",
                                       SUIT_AFTER_REVIEW: "复议后起诉"}

# -- report sections ------------------------------------------------------------------------------------

SECTIONS: list[tuple[str, str]] = [
    ("overview", "一、总体情况"),
    ("proactive", "二、主动公开政府信息情况"),
    ("requests", "三、收到和处理政府信息公开申请情况"),
    ("appeals", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
]
SECTION_TITLES = dict(SECTIONS)

# -- receipt of a request by channel (条例第三十一条) ------------------------------------------------------

CHANNEL_RULES: dict[str, str] = {
    "in_person": "当面提交的，以提交之日为收到申请之日",
    "post_signed": "以邮寄方式提交的，以行政机关签收之日为收到申请之日",
    "post_plain": "以平常信函等无需签收的邮寄方式提交的，以与申请人确认之日为收到申请之日",
    "online": "通过互联网渠道提交的，以双方确认之日为收到申请之日",
    "fax": "通过传真提交的，以双方确认之日为收到申请之日",
}

# -- 信息处理费 (国办函〔2020〕109号): (lower, upper or None, yuan per unit, step, increase per step) -----------

FEE_BANDS_DEFAULT: dict[str, list[tuple[int, int | None, int, int, int]]] = {
    # 按件计收: the n-th request of the same applicant in a natural month
    "per_request": [(1, 10, 0, 0, 0), (11, 30, 100, 0, 0), (31, None, 200, 10, 100)],
    # 按量计收: the pages of one request, progressively
    "per_page": [(1, 30, 0, 0, 0), (31, 100, 10, 0, 0), (101, 200, 20, 0, 0), (201, None, 40, 0, 0)],
}
FEE_METHODS: list[tuple[str, str]] = [("per_request", "按件计收"), ("per_page", "按量计收")]
