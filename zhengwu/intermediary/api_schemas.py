"""Schemas of the intermediary API (``/api/intermediary``). Every closed set of values is an ``Enum`` so that
the OpenAPI document lists it; every text field is bounded by its column (``zhengwu.api.column``) or a limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

from ninja import Field, Schema
from pydantic import field_validator

from zhengwu.api import column

from .models import (
    Agency,
    AgencyChange,
    AgencyKind,
    AgencyStatus,
    Appeal,
    BiddingRule,
    Certificate,
    CreditEvent,
    DepartmentScore,
    ExtensionState,
    FeeMode,
    Funding,
    LinkStage,
    MeritRule,
    Mode,
    Offering,
    OfferingStatus,
    Owner,
    OwnerKind,
    PriceMode,
    Purchase,
    PurchaseStatus,
    Rating,
    ServiceStatus,
    SignupStatus,
)
from .services.common import SHANGHAI
from .transitions import PURCHASE_ACTIONS


def _enum(name: str, values) -> type[Enum]:
    return Enum(name, {str(v): str(v) for v in values}, type=str)


IntermediaryAction = _enum("IntermediaryAction", PURCHASE_ACTIONS)
# The actions that carry a file: ``POST /purchases/{id}/uploads/{action}`` (multipart).
UPLOAD_ACTIONS = ["signup", "register_contract", "deliver"]
IntermediaryUploadAction = _enum("IntermediaryUploadAction", UPLOAD_ACTIONS)
IntermediaryFileKind = _enum("IntermediaryFileKind", ["proposal", "contract", "result"])
IntermediaryPurchaseStatus = _enum("IntermediaryPurchaseStatus", PurchaseStatus.values)
IntermediaryMode = _enum("IntermediaryMode", Mode.values)
IntermediaryBiddingRule = _enum("IntermediaryBiddingRule", BiddingRule.values)
IntermediaryMeritRule = _enum("IntermediaryMeritRule", MeritRule.values)
IntermediaryPriceMode = _enum("IntermediaryPriceMode", PriceMode.values)
IntermediaryFunding = _enum("IntermediaryFunding", Funding.values)
IntermediaryOwnerKind = _enum("IntermediaryOwnerKind", OwnerKind.values)
IntermediaryAgencyKind = _enum("IntermediaryAgencyKind", AgencyKind.values)
IntermediaryAgencyStatus = _enum("IntermediaryAgencyStatus", AgencyStatus.values)
IntermediaryAgencyStatusAction = _enum("IntermediaryAgencyStatusAction", ["suspend", "restore", "delist"])
IntermediaryOfferingStatus = _enum("IntermediaryOfferingStatus", OfferingStatus.values)
IntermediarySignupStatus = _enum("IntermediarySignupStatus", SignupStatus.values)
IntermediaryLinkStage = _enum("IntermediaryLinkStage", LinkStage.values)
IntermediaryFeeMode = _enum("IntermediaryFeeMode", FeeMode.values)
IntermediaryServiceStatus = _enum("IntermediaryServiceStatus", ServiceStatus.values)
IntermediaryExtensionState = _enum("IntermediaryExtensionState", ExtensionState.values)
IntermediaryAppealKind = _enum("IntermediaryAppealKind", Appeal.Kind.values)
IntermediaryAppealState = _enum("IntermediaryAppealState", Appeal.State.values)
IntermediaryChangeState = _enum("IntermediaryChangeState", AgencyChange.State.values)
IntermediaryCreditEventState = _enum("IntermediaryCreditEventState", CreditEvent.State.values)
IntermediaryRole = _enum("IntermediaryRole", ["owner", "agency", "admin", "supervisor", "candidate"])

INT32 = {"ge": 1, "le": 2**31 - 1}
MONEY = {"ge": 0, "max_digits": 14, "decimal_places": 2}
SCORE = {"ge": 0, "le": 100, "max_digits": 5, "decimal_places": 2}


def moment(value: dt.datetime | None) -> dt.datetime | None:
    """Beijing time when no offset is given; kept in UTC (PostgreSQL refuses offsets beyond ±15:59)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("时间超出可表示的范围") from None


# -- in: purchases ---------------------------------------------------------------------------------------------


class PurchaseIn(Schema):
    """登记采购需求 (待发布): the owner's purchase of one service of the list."""

    owner_id: int | None = Field(None, description="代表的项目业主 id（只代表一个业主时可不填）", **INT32)
    service: str = Field(max_length=32, description="中介服务事项编码（须在清单内）")
    title: str = column(Purchase, "title", description="项目名称")
    content: str = Field(max_length=4000, description="服务内容")
    service_days: int = Field(ge=1, le=365, description="服务时限（工作日），不超过该事项的服务时限")
    funding: IntermediaryFunding = Field(description="state 财政性资金；private 自有资金")
    for_approval: bool = Field(True, description="为办理行政审批事项委托（机关不得为申请人直接选取中介机构）")
    mode: IntermediaryMode = Field(description="direct 直接选取；random 随机选取（摇号）；bidding 竞价选取；merit 择优选取")
    bidding_rule: IntermediaryBiddingRule | None = Field(None, description="竞价规则：lowest 最低价；average 合理均价")
    merit_rule: IntermediaryMeritRule | None = Field(None, description="择优规则：credit 信用择优；proposal 方案择优")
    long_list: int | None = Field(None, ge=1, le=100, description="信用择优：入围名单数")
    short_list: int | None = Field(None, ge=1, le=100, description="信用择优：短名单数")
    price_mode: IntermediaryPriceMode = Field(description="fixed 固定价格；range 价格区间；discount 下浮率")
    price_fixed: Decimal | None = Field(None, description="固定价格（元）", **MONEY)
    price_min: Decimal | None = Field(None, description="最低限价（元）", **MONEY)
    price_max: Decimal | None = Field(None, description="最高限价（元）", **MONEY)
    base_amount: Decimal | None = Field(None, description="下浮基数（元）", **MONEY)
    discount_max: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2,
                                         description="最大下浮率（%）")
    signup_deadline: dt.datetime = Field(description="报名截止时间（不带时区按北京时间）")
    select_at: dt.datetime = Field(description="选取时间（不早于报名截止时间）")
    qualification: str = Field("", max_length=32, description="资质要求（资质代码；不填按事项要求）")
    item: str = Field("", max_length=64, description="关联审批事项实施编码")
    case: str = Field("", max_length=40, description="关联办件编号")
    contact_name: str = column(Purchase, "contact_name", "", description="联系人")
    contact_phone: str = column(Purchase, "contact_phone", "", description="联系电话")

    _moments = field_validator("signup_deadline", "select_at")(moment)


class ActionIn(Schema):
    """The body of ``POST /purchases/{id}/actions/{action}``: the fields the action needs (others ignored)."""

    # signup
    quote: Decimal | None = Field(None, description="signup：报价（元），竞价时在最低、最高限价之间", **MONEY)
    discount: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2,
                                     description="signup：下浮率（%），不超过最大下浮率")
    # select (direct, proposal) / pick (credit short list)
    agency_id: int | None = Field(None, description="select（直接选取、方案择优）、pick（信用择优）：选定的中介机构 id；"
                                                    "signup、withdraw_signup：代表的中介机构 id（只代表一家时可不填）",
                                  **INT32)
    # decline / terminate / cancel / request_extension
    reason: str = Field("", max_length=300, description="decline、terminate、cancel、request_extension：理由")
    # register_contract
    amount: Decimal | None = Field(None, description="register_contract：合同金额（元）", **MONEY)
    signed_on: dt.date | None = Field(None, description="register_contract：合同签订日期")
    service_start: dt.date | None = Field(None, description="register_contract：服务开始日期")
    # request_extension / decide_extension
    days: int | None = Field(None, ge=1, le=365, description="request_extension：延长的工作日数")
    approve: bool | None = Field(None, description="decide_extension：true 同意延期；false 不同意")
    # deliver
    note: str = Field("", max_length=300, description="deliver：成果说明")
    # rate
    quality: int | None = Field(None, ge=1, le=5, description="rate：服务质量（1–5）")
    timeliness: int | None = Field(None, ge=1, le=5, description="rate：服务时效（1–5）")
    price: int | None = Field(None, ge=1, le=5, description="rate：收费规范（1–5）")
    attitude: int | None = Field(None, ge=1, le=5, description="rate：服务态度（1–5）")
    comment: str = column(Rating, "comment", "", description="rate：评价意见")
    # republish
    signup_deadline: dt.datetime | None = Field(None, description="republish：新的报名截止时间")
    select_at: dt.datetime | None = Field(None, description="republish：新的选取时间")

    _moments = field_validator("signup_deadline", "select_at")(moment)


class OwnerIn(Schema):
    """登记项目业主: the caller becomes its first 经办人 (a 机关事业单位 by a staff member of that department)."""

    kind: IntermediaryOwnerKind = Field(description="person 自然人；enterprise 企业；government 机关事业单位")
    name: str = column(Owner, "name", description="业主名称（自然人填姓名）")
    uscc: str = Field("", max_length=18, description="统一社会信用代码（企业、机关事业单位）")
    id_number: str = Field("", max_length=18, description="身份证号（自然人）")
    contact_name: str = column(Owner, "contact_name", description="联系人")
    contact_phone: str = column(Owner, "contact_phone", description="联系电话")


class OwnerOut(Schema):
    id: int
    kind: IntermediaryOwnerKind
    name: str
    uscc: str
    id_number: str = Field(description="身份证号（脱敏）")
    contact_name: str
    contact_phone: str


# -- in: agencies ----------------------------------------------------------------------------------------------


class AgencyIn(Schema):
    """填报入驻信息 (营业执照、承诺书 are uploaded afterwards: ``POST /agencies/{id}/files``)."""

    name: str = column(Agency, "name", description="机构名称")
    uscc: str = Field(max_length=18, description="统一社会信用代码")
    kind: IntermediaryAgencyKind = Field(IntermediaryAgencyKind("legal"),
                                         description="legal 法人；unincorporated 非法人组织；individual 个体工商户")
    legal_rep: str = column(Agency, "legal_rep", description="法定代表人")
    contact_name: str = column(Agency, "contact_name", description="业务授权人")
    contact_id_number: str = Field(max_length=18, description="授权人身份证号")
    contact_phone: str = column(Agency, "contact_phone", description="联系电话")
    home_region: str = column(Agency, "home_region", "", description="注册地（外地机构可入驻）")
    address: str = column(Agency, "address", "", description="地址")
    intro: str = Field("", max_length=2000, description="机构简介")
    region: str = Field("", max_length=12, description="入驻超市区划代码（不填为平台唯一的超市区划）")


class AgencyUpdateIn(Schema):
    """修改入驻信息 before admission, or the content of a 信息变更 of an admitted agency (filled fields only)."""

    name: str | None = column(Agency, "name", None)
    kind: IntermediaryAgencyKind | None = None
    legal_rep: str | None = column(Agency, "legal_rep", None)
    address: str | None = column(Agency, "address", None)
    contact_name: str | None = column(Agency, "contact_name", None)
    contact_id_number: str | None = Field(None, max_length=18)
    contact_phone: str | None = column(Agency, "contact_phone", None)
    home_region: str | None = column(Agency, "home_region", None)
    intro: str | None = Field(None, max_length=2000)


class PractitionerIn(Schema):
    name: str = Field(max_length=32, description="姓名")
    id_number: str = Field(max_length=18, description="身份证号")
    title: str = Field(max_length=64, description="执业资格/职称")
    certificate_no: str = Field("", max_length=64, description="执业证书编号")


class OfferingIn(Schema):
    service: str = Field(max_length=32, description="中介服务事项编码")
    price_min: Decimal | None = Field(None, description="收费下限（元）", **MONEY)
    price_max: Decimal | None = Field(None, description="收费上限（元）", **MONEY)
    price_note: str = column(Offering, "price_note", "", description="收费说明")


class AppealIn(Schema):
    kind: IntermediaryAppealKind = Field(description="appeal 异议申诉；repair 信用修复")
    reason: str = Field(min_length=1, max_length=2000, description="理由")
    event_id: int | None = Field(None, description="所涉失信记录 id（信用修复必填）", **INT32)


# -- in: the administrator and the supervisor --------------------------------------------------------------------


class ReviewIn(Schema):
    approve: bool = Field(description="true 通过；false 退回（须填写意见）")
    note: str = Field("", max_length=300, description="审核意见")


class ReasonIn(Schema):
    reason: str = Field("", max_length=300, description="理由（暂停、清退必填）")


class ScoreIn(Schema):
    month: dt.date = Field(description="月份（该月任一日，如 2026-03-01）")
    score: Decimal = Field(description="评分（0–100）", **SCORE)
    note: str = column(DepartmentScore, "note", "", description="说明")


class CreditEventIn(Schema):
    rule_code: str = Field(max_length=32, description="失信行为（扣分规则代码，如 price_violation、false_materials、"
                                                       "collusion；系统自动认定的不能手工记录）")
    note: str = column(CreditEvent, "note", description="失信行为的事实")
    purchase: str = Field("", max_length=32, description="所涉采购项目编号")


class AppealDecideIn(Schema):
    upheld: bool = Field(description="true 成立；false 不成立")
    decision: str = Field(max_length=300, description="处理意见")


class ComputeIn(Schema):
    month: dt.date = Field(description="计算的月份（该月任一日）")


# -- out: the service list -----------------------------------------------------------------------------------


class QualificationOut(Schema):
    code: str
    name: str


class ServiceOut(Schema):
    code: str
    name: str
    category: str
    basis: str = Field(description="设定依据")
    region: str
    region_code: str
    department: str = Field(description="实施（行业主管）部门")
    department_code: str
    qualifications: list[QualificationOut] = Field(description="资质要求（具备其一）")
    time_limit: int = Field(description="服务时限（工作日）")
    time_limit_note: str
    fee_mode: IntermediaryFeeMode
    fee_mode_label: str
    fee_standard: str
    status: IntermediaryServiceStatus
    status_label: str


class LinkOut(Schema):
    item_id: int
    item_code: str
    item_name: str
    basis: str = Field(description="作为审批条件的依据")
    stage: IntermediaryLinkStage = Field(description="precondition 受理条件；review 审查中委托（特别程序）")
    stage_label: str
    review_limit: int | None = Field(description="特别程序时限（工作日）")


class OfferingAgencyOut(Schema):
    id: int
    name: str
    credit_grade: str
    agency_status: IntermediaryAgencyStatus
    agency_status_label: str
    price_min: Decimal | None
    price_max: Decimal | None
    price_note: str
    status: IntermediaryOfferingStatus
    status_label: str
    status_reason: str


class ItemServiceOut(Schema):
    service: ServiceOut
    basis: str = Field(description="作为该审批事项条件的依据")
    stage: IntermediaryLinkStage = Field(description="precondition 受理条件；review 审查中委托（特别程序）")
    stage_label: str
    review_limit: int | None = Field(description="特别程序时限（工作日）")


class ServiceDetailOut(ServiceOut):
    conditions: str
    process: str
    items: list[LinkOut] = Field(description="需要该中介服务的审批事项")
    agencies: list[OfferingAgencyOut] = Field(description="承接该服务的已入驻中介机构")


# -- out: agencies -------------------------------------------------------------------------------------------


class OfferingOut(Schema):
    service_code: str
    service_name: str
    price_min: Decimal | None
    price_max: Decimal | None
    price_note: str
    status: IntermediaryOfferingStatus
    status_label: str
    status_reason: str


class AgencyBrief(Schema):
    id: int
    name: str
    uscc: str
    kind: IntermediaryAgencyKind
    kind_label: str
    home_region: str
    status: IntermediaryAgencyStatus
    status_label: str
    status_reason: str
    credit_grade: str = Field(description="信用等级（A 最高，E 最低；尚未评价为空）")
    credit_score: Decimal | None
    completed_count: int = Field(description="已完成的中介服务数")
    rating_avg: Decimal | None = Field(description="业主评价平均分（百分制）")
    qualifications: list[str] = Field(description="持有的有效资质")
    offerings: list[OfferingOut] = Field(description="承接的服务及收费区间")


class CertificatePublic(Schema):
    qualification: str
    number: str
    level: str
    issuer: str
    valid_until: dt.date
    expired: bool


class PractitionerPublic(Schema):
    name: str
    id_number: str = Field(description="身份证号（部分隐藏）")
    title: str
    certificate_no: str


class PurchaseLink(Schema):
    code: str
    title: str
    service: str
    status: IntermediaryPurchaseStatus
    status_label: str


class CreditRecordOut(Schema):
    month: dt.date
    owner_score: Decimal | None = Field(description="项目业主评价得分")
    department_score: Decimal | None = Field(description="行业主管部门得分")
    market_score: Decimal | None = Field(description="超市管理机构得分")
    weighted: Decimal = Field(description="加权得分")
    deductions: Decimal = Field(description="扣分")
    vetoed: bool = Field(description="触发否决项")
    score: Decimal
    grade: str
    explanation: list[str] = Field(description="计算说明（逐行）")
    computed_at: dt.datetime


class CreditMonthOut(Schema):
    month: dt.date
    score: Decimal
    grade: str


class CreditEventOut(Schema):
    id: int
    rule_code: str
    rule: str
    points: Decimal
    veto: bool
    on: dt.date
    note: str
    state: IntermediaryCreditEventState
    state_label: str
    purchase: str


class CreditOut(Schema):
    agency_id: int
    agency: str
    status: IntermediaryAgencyStatus
    status_label: str
    credit_score: Decimal | None
    credit_grade: str
    record: CreditRecordOut | None = Field(description="所查月份（默认最近一个月）的信用评价")
    history: list[CreditMonthOut] = Field(description="各月信用分与等级（最近24个月）")
    events: list[CreditEventOut] = Field(description="失信记录")


class AgencyDetail(AgencyBrief):
    legal_rep: str
    address: str
    intro: str
    contact_phone: str
    certificates: list[CertificatePublic]
    practitioners: list[PractitionerPublic]
    purchases: list[PurchaseLink] = Field(description="中选的采购项目（最近20个）")
    credit: CreditOut


class CertificateOut(Schema):
    id: int
    qualification: str
    qualification_code: str
    number: str
    level: str
    issuer: str
    valid_until: dt.date


class PractitionerOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="身份证号（部分隐藏）")
    title: str
    certificate_no: str


class PendingChangeOut(Schema):
    id: int
    data: dict
    submitted_at: dt.datetime


class AgencyPrivate(AgencyBrief):
    """The agency's own view of its registration."""

    legal_rep: str
    address: str
    intro: str
    contact_name: str
    contact_id_number: str = Field(description="授权人身份证号（部分隐藏）")
    contact_phone: str
    region: str
    has_licence: bool
    pledge_signed_at: dt.datetime | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_note: str
    certificates: list[CertificateOut]
    practitioners: list[PractitionerOut]
    pending_change: PendingChangeOut | None


class ChangeOut(Schema):
    id: int
    agency_id: int
    agency: str
    data: dict = Field(description="变更内容（身份证号部分隐藏）")
    state: IntermediaryChangeState
    state_label: str
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    note: str


class AppealOut(Schema):
    id: int
    agency_id: int
    agency: str
    kind: IntermediaryAppealKind
    kind_label: str
    event_id: int | None
    event: str
    reason: str
    state: IntermediaryAppealState
    state_label: str
    filed_at: dt.datetime
    decided_at: dt.datetime | None
    decision: str


class ScoreOut(Schema):
    agency_id: int
    month: dt.date
    score: Decimal
    note: str


class ComputeOut(Schema):
    month: dt.date
    agencies: int = Field(description="计算的机构数")


class QueueAgency(Schema):
    id: int
    name: str
    uscc: str
    home_region: str
    status: IntermediaryAgencyStatus
    status_label: str
    submitted_at: dt.datetime | None


class QueueOut(Schema):
    agencies: list[QueueAgency] = Field(description="待审核的入驻申请")
    changes: list[ChangeOut] = Field(description="待审核的信息变更")
    appeals: list[AppealOut] = Field(description="待处理的信用申诉与修复")


# -- out: purchases ------------------------------------------------------------------------------------------


class PurchaseBrief(Schema):
    id: int
    code: str
    title: str
    owner: str = Field(description="项目业主（自然人姓名部分隐藏）")
    owner_kind: IntermediaryOwnerKind
    owner_kind_label: str
    service_code: str
    service_name: str
    region: str
    mode: IntermediaryMode
    mode_label: str
    bidding_rule: IntermediaryBiddingRule | None
    merit_rule: IntermediaryMeritRule | None
    price_mode: IntermediaryPriceMode
    price_mode_label: str
    price_fixed: Decimal | None
    price_min: Decimal | None
    price_max: Decimal | None
    funding: IntermediaryFunding
    funding_label: str
    status: IntermediaryPurchaseStatus
    status_label: str
    published_at: dt.datetime | None
    signup_deadline: dt.datetime
    select_at: dt.datetime
    selected_agency: str = Field(description="中选机构（选取后公开）")


class SignupOut(Schema):
    id: int
    agency_id: int
    agency: str
    uscc: str
    at: dt.datetime
    quote: Decimal | None
    discount: Decimal | None
    credit_score: Decimal | None = Field(description="报名时的信用分")
    status: IntermediarySignupStatus
    status_label: str
    rank: int | None
    has_proposal: bool
    own: bool = Field(description="本机构自己的报名")


class DrawOut(Schema):
    code: str
    mode: IntermediaryMode
    mode_label: str
    bidding_rule: IntermediaryBiddingRule | None
    merit_rule: IntermediaryMeritRule | None
    status: IntermediaryPurchaseStatus
    status_label: str
    seed_hash: str = Field(description="随机种子的 SHA-256 承诺值（发布时公布）")
    committed_at: dt.datetime | None = Field(description="承诺值公布时间（即发布时间，早于报名截止）")
    revealed: bool = Field(description="已选取：种子与选取过程已公开")
    seed: str = Field(description="随机种子（选取后公布）")
    draw: dict = Field(description="选取过程（选取后公开）：候选名单、规则、随机系数、基准价、排序、结果")
    selected_at: dt.datetime | None
    selected_agency: str
    selected_uscc: str
    recomputed: str | list[str] | None = Field(
        description="按公开记录重新计算的结果（中选机构统一社会信用代码，信用择优为短名单）")
    recipe: list[str] = Field(description="验证方法")
    snippet: str = Field(description="验证用的 Python 代码示例")


class ContractOut(Schema):
    amount: Decimal
    signed_on: dt.date
    service_start: dt.date
    service_end: dt.date


class RatingOut(Schema):
    quality: int
    timeliness: int
    price: int
    attitude: int
    score: Decimal = Field(description="百分制：四项之和×5")
    late: bool
    comment: str
    at: dt.datetime


class PublicEventOut(Schema):
    action: str
    label: str
    at: dt.datetime


class PurchaseOut(PurchaseBrief):
    content: str
    contact_name: str
    contact_phone: str
    qualification: str
    service_days: int
    for_approval: bool
    item: str
    base_amount: Decimal | None
    discount_max: Decimal | None
    long_list: int | None
    short_list: int | None
    min_participants: int
    status_reason: str
    seed_hash: str
    selected_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    previous: str = Field(description="原采购公告编号（重新采购）")
    republished: list[str] = Field(description="重新采购的公告编号")
    signups: list[SignupOut] = Field(description="报名机构（选取后公开；选取前恒为空）")
    draw: DrawOut
    contract: ContractOut | None
    rating: RatingOut | None
    events: list[PublicEventOut]


class ActionAvailable(Schema):
    action: IntermediaryAction
    label: str


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    state: IntermediaryExtensionState
    state_label: str
    asked_at: dt.datetime
    decided_at: dt.datetime | None
    new_end: dt.date | None


class EventOut(Schema):
    action: str
    label: str
    at: dt.datetime
    note: str
    actor: str


class WorkbenchOut(Schema):
    """A purchase as its owner, a signed-up agency, the administrator or the supervisor sees it."""

    roles: list[IntermediaryRole] = Field(description="您在该采购中的身份")
    actions: list[ActionAvailable] = Field(description="您现在可以进行的操作")
    purchase: PurchaseOut
    my_signup: SignupOut | None = Field(description="本机构的报名（选取前只能看到自己的）")
    signups: list[SignupOut] = Field(description="全部报名（选取后）")
    signup_count: int | None = Field(description="报名数（选取后）")
    extensions: list[ExtensionOut]
    events: list[EventOut]


class PurchaseCreated(Schema):
    id: int
    code: str
    status: IntermediaryPurchaseStatus
    status_label: str
    min_participants: int


class ActionOut(Schema):
    id: int
    code: str
    status: IntermediaryPurchaseStatus
    status_label: str
    action: IntermediaryAction
    result: dict = Field(description="操作结果的要点（如中选机构、新公告编号）")


class MySignupOut(Schema):
    id: int
    purchase_id: int
    purchase_code: str
    purchase_title: str
    purchase_status: IntermediaryPurchaseStatus
    purchase_status_label: str
    agency: str
    at: dt.datetime
    quote: Decimal | None
    discount: Decimal | None
    status: IntermediarySignupStatus
    status_label: str


class CertificateIn(Schema):
    """The form fields of ``POST /agencies/{id}/certificates`` (multipart, with the optional ``file``)."""

    qualification: str = Field(max_length=32, description="资质代码")
    number: str = column(Certificate, "number", description="证书编号")
    valid_until: dt.date = Field(description="有效期至")
    level: str = column(Certificate, "level", "", description="资质等级")
    issuer: str = column(Certificate, "issuer", "", description="发证机关")


class UploadActionIn(Schema):
    """The form fields of ``POST /purchases/{id}/uploads/{action}`` (multipart, with ``file``)."""

    quote: Decimal | None = Field(None, description="signup：报价（元）", **MONEY)
    discount: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2,
                                     description="signup：下浮率（%）")
    agency_id: int | None = Field(None, description="signup：代表的中介机构 id（只代表一家时可不填）", **INT32)
    amount: Decimal | None = Field(None, description="register_contract：合同金额（元）", **MONEY)
    signed_on: dt.date | None = Field(None, description="register_contract：合同签订日期")
    service_start: dt.date | None = Field(None, description="register_contract：服务开始日期")
    note: str = Field("", max_length=300, description="deliver：成果说明")


class ApprovalTimeRowOut(Schema):
    case_no: str
    item: str
    accepted_on: dt.date
    completed_on: dt.date
    approval_workdays: int = Field(description="审批用时：受理至办结的工作日，特别程序期间不计")
    intermediary_days: int = Field(description="中介服务用时（自然日）")
    started_on: dt.date = Field(description="申请或中介服务采购发布（取较早者）")
    elapsed_days: int = Field(description="含中介服务的总用时（自然日）")
    purchases: list[str]


class ApprovalTimeOut(Schema):
    region: str
    since: dt.date
    until: dt.date
    average_approval_workdays: float | None
    average_intermediary_days: float | None
    average_elapsed_days: float | None
    rows: list[ApprovalTimeRowOut]
