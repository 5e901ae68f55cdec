"""Schemas of the trading API (``/api/trading``). Every closed set of values is an ``Enum`` so that the
OpenAPI document lists it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

from ninja import Field, Schema
from pydantic import field_validator

from zhengwu.api import column
from zhengwu.trading.services.common import SHANGHAI

from .models import (
    Amendment,
    AwardStatus,
    BidStatus,
    Category,
    Contract,
    DepositForm,
    FlagKind,
    FlagStatus,
    Method,
    NotFirstReason,
    ObjectionStage,
    Project,
    Regime,
    RejectReason,
    TenderStatus,
    TieKind,
)
from .transitions import TENDER_ACTIONS


def _enum(name: str, values) -> type[Enum]:
    return Enum(name, {str(v): str(v) for v in values}, type=str)


TradingRegime = _enum("TradingRegime", Regime.values)
TradingCategory = _enum("TradingCategory", Category.values)
TradingMethod = _enum("TradingMethod", Method.values)
TradingTenderStatus = _enum("TradingTenderStatus", TenderStatus.values)
TradingDepositForm = _enum("TradingDepositForm", DepositForm.values)
TradingObjectionStage = _enum("TradingObjectionStage", ObjectionStage.values)
TradingNotFirstReason = _enum("TradingNotFirstReason", NotFirstReason.values)
TradingRejectReason = _enum("TradingRejectReason", RejectReason.values)
TradingBidStatus = _enum("TradingBidStatus", BidStatus.values)
TradingAwardStatus = _enum("TradingAwardStatus", AwardStatus.values)
TradingFlagKind = _enum("TradingFlagKind", FlagKind.values)
TradingFlagReview = _enum("TradingFlagReview", [FlagStatus.CONFIRMED, FlagStatus.DISMISSED])
TradingFlagStatus = _enum("TradingFlagStatus", FlagStatus.values)
TradingTieKind = _enum("TradingTieKind", TieKind.values)
TradingAction = _enum("TradingAction", TENDER_ACTIONS)

MONEY = {"ge": 0, "max_digits": 16, "decimal_places": 2}


# -- in ----------------------------------------------------------------------------------------------------


class ProjectIn(Schema):
    hall: str = Field(max_length=32, description="交易中心（大厅）编码")
    regime: TradingRegime = Field(description="engineering 工程建设招标投标；procurement 政府采购")
    category: TradingCategory = Field(description="works 工程；goods 货物；services 服务")
    name: str = column(Project, "name", description="项目名称")
    buyer: str = Field(max_length=18, description="招标人/采购人的统一社会信用代码")
    agency: str = Field("", max_length=18, description="招标代理机构的统一社会信用代码（自行招标可不填）")
    supervisor: str = Field(max_length=32, description="行政监督部门编码")
    estimate: Decimal = Field(gt=0, max_digits=16, decimal_places=2, description="估算价/预算金额（元）")
    state_fund_percent: int = Field(100, ge=0, le=100, description="国有资金占比（%）")
    funding: str = column(Project, "funding", "财政资金", description="资金来源")
    description: str = column(Project, "description", "", description="项目概况")


class TenderIn(Schema):
    method: TradingMethod = Field(description="open 公开招标；invited 邀请招标；negotiation 竞争性谈判；inquiry 询价；"
                                              "consultation 竞争性磋商；single 单一来源")
    title: str = Field(max_length=200, description="公告标题")
    notice: str = Field("", max_length=20000, description="公告正文")


class ActionIn(Schema):
    """The body of ``POST /tenders/{id}/actions/{action}``: the fields the action needs (others ignored)."""

    # publish
    documents_from: dt.datetime | None = Field(None, description="publish：招标文件发出/发售开始时间")
    documents_until: dt.datetime | None = Field(None, description="publish：招标文件发售截止时间")
    bid_deadline: dt.datetime | None = Field(None, description="publish：投标截止（开标）时间")
    opening_place: str = Field("", max_length=200, description="publish：开标地点")
    bid_deposit: Decimal = Field(Decimal("0"), description="publish：投标保证金（元），不得超过估算价的2%", **MONEY)
    deposit_form: TradingDepositForm = Field(TradingDepositForm("none"),
                                             description="publish：保证金形式（政府采购不得收取现金）")
    bid_validity_days: int = Field(90, ge=1, le=365, description="publish：投标有效期（日）")
    max_price: Decimal | None = Field(None, description="publish：最高投标限价（元）", **MONEY)
    invitees: list[str] = Field([], max_length=100, description="publish：邀请招标的受邀投标人统一社会信用代码")
    prequalification: bool = Field(False, description="publish：资格预审（须先 publish_prequal 发布资格预审公告，"
                                                      "资格预审结果确定后再 publish 发出招标文件）")
    # publish_prequal (documents_from / documents_until are the 资格预审文件's sale) / prequal_result
    application_deadline: dt.datetime | None = Field(None, description="publish_prequal：资格预审申请文件提交截止时间")
    passed: list[str] = Field([], max_length=100, description="prequal_result：通过资格预审的申请人统一社会信用代码")
    # obtain / object
    bidder: str = Field("", max_length=18, description="obtain、object：代表的投标人统一社会信用代码（只代表一家时可不填）")
    # amend
    summary: str = Field("", max_length=Amendment._meta.get_field("summary").max_length,
                         description="amend：澄清/修改内容")
    affects_bids: bool = Field(False, description="amend：是否可能影响投标文件编制")
    new_deadline: dt.datetime | None = Field(None, description="amend：顺延后的投标截止时间")
    # object / answer
    stage: TradingObjectionStage | None = Field(None, description="object：异议对象")
    text: str = Field("", max_length=4000, description="object：异议/质疑内容")
    objection_id: int | None = Field(None, ge=1, le=2**31 - 1, description="answer：异议 id")
    answer: str = Field("", max_length=4000, description="answer：答复内容")
    upheld: bool = Field(False, description="answer：异议成立")
    # draw / replace_expert
    specialty: str = Field("", max_length=40, description="draw：抽取专业")
    size: int | None = Field(None, ge=3, le=25, description="draw：评标委员会人数（不填按规则）")
    buyer_reps: int | None = Field(None, ge=0, le=8, description="draw：招标人代表人数")
    member_id: int | None = Field(None, ge=1, le=2**31 - 1, description="replace_expert：被替换的成员 id；"
                                                                         "assign_rep：招标人代表席位的成员 id")
    rep_username: str = Field("", max_length=150, description="assign_rep：招标人代表的登录账号（招标人的经办人）")
    # publish_candidates
    publicity_days: int = Field(3, ge=3, le=30, description="publish_candidates：公示期（日），不少于3日")
    # award
    rank: int = Field(1, ge=1, le=3, description="award：确定的中标候选人排名")
    not_first_reason: TradingNotFirstReason | None = Field(
        None, description="award：国有资金控股项目未确定排名第一的理由（实施条例第五十五条）")
    # sign_contract
    contract_no: str = column(Contract, "contract_no", "", description="sign_contract：合同编号")
    amount: Decimal | None = Field(None, description="sign_contract、pay：金额（元）", **MONEY)
    signed_on: dt.date | None = Field(None, description="sign_contract：签订日期")
    performance_bond: Decimal = Field(Decimal("0"), description="sign_contract：履约保证金（元），不得超过合同金额的10%",
                                      **MONEY)
    period_end: dt.date | None = Field(None, description="sign_contract：履约期限")
    # refund
    refund_id: int | None = Field(None, ge=1, le=2**31 - 1, description="refund：保证金退还 id")
    refunded_on: dt.date | None = Field(None, description="refund：退还日期")
    interest: Decimal = Field(Decimal("0"), description="refund：银行同期存款利息（元）", **MONEY)
    keep: bool = Field(False, description="refund：依法不予退还（须填写 reason）")
    # pay / accept
    paid_on: dt.date | None = Field(None, description="pay：支付日期")
    accepted_on: dt.date | None = Field(None, description="accept：验收日期")
    note: str = Field("", max_length=500, description="pay、accept：说明")
    # fail / cancel / replace_expert / refund keep
    reason: str = Field("", max_length=500, description="fail、cancel、replace_expert、refund（不予退还）：原因")


    @field_validator("documents_from", "documents_until", "bid_deadline", "new_deadline")
    @classmethod
    def _moment(cls, value: dt.datetime | None) -> dt.datetime | None:
        """Beijing time when no offset is given; kept in UTC (PostgreSQL refuses offsets beyond ±15:59)."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        try:
            return value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValueError("时间超出可表示的范围") from None

class DecryptIn(Schema):
    passphrase: str = Field(min_length=1, max_length=200, description="投标人自行保管的解密口令")
    bidder: str = Field("", max_length=18, description="代表的投标人统一社会信用代码（只代表一家时可不填）")


class WithdrawIn(Schema):
    bidder: str = Field("", max_length=18, description="代表的投标人统一社会信用代码（只代表一家时可不填）")


class ScoreIn(Schema):
    bid_id: int = Field(ge=1, le=2**31 - 1, description="投标 id（开标记录中的 id）")
    score: Decimal | None = Field(None, ge=0, le=100, max_digits=6, decimal_places=2, description="得分（0–100）")
    reject_reason: TradingRejectReason | None = Field(None, description="否决投标的情形（实施条例第五十一条）")
    comment: str = Field("", max_length=500, description="评审意见")


class FlagReviewIn(Schema):
    status: TradingFlagReview = Field(description="confirmed 查实；dismissed 排除")
    note: str = Field("", max_length=500, description="核查意见")


class TieIn(Schema):
    party_uscc: str = Field(max_length=18, description="单位统一社会信用代码")
    party_name: str = Field(max_length=100, description="单位名称")
    kind: TradingTieKind = Field(description="employer 曾任职（三年内）；board 董事监事或控股；relative 近亲属；other 其他")
    ended_on: dt.date | None = Field(None, description="关系终止日期")
    note: str = Field("", max_length=200)


class ExpertIn(Schema):
    name: str = Field(max_length=32, description="姓名")
    id_number: str = Field(max_length=18, description="身份证号")
    employer_name: str = Field(max_length=100, description="现工作单位")
    employer_uscc: str = Field("", max_length=18, description="现工作单位统一社会信用代码")
    specialties: list[str] = Field(min_length=1, max_length=20, description="评标专业")
    title: str = Field("高级工程师", max_length=32, description="职称")
    years: int = Field(8, ge=0, le=70, description="从业年限")
    phone: str = Field("", max_length=20, description="联系电话")
    ties: list[TieIn] = Field([], max_length=50, description="申报的利害关系")


# -- out ---------------------------------------------------------------------------------------------------


class ProjectBrief(Schema):
    code: str
    name: str
    regime: TradingRegime
    regime_label: str
    category: TradingCategory
    category_label: str
    buyer: str
    agency: str
    hall: str
    estimate: Decimal
    latest_status: TradingTenderStatus | None = Field(description="最新一轮已发布公告的状态")
    latest_status_label: str
    bid_deadline: dt.datetime | None


class DocumentOut(Schema):
    kind: str
    kind_label: str
    title: str
    url: str
    published_at: dt.datetime


class AmendmentOut(Schema):
    seq: int
    summary: str
    affects_bids: bool
    prequal: bool = Field(description="资格预审文件的澄清/修改（截止时间为资格预审申请文件提交截止）")
    old_deadline: dt.datetime
    new_deadline: dt.datetime
    created_at: dt.datetime


class OpeningRow(Schema):
    id: int
    bidder: str
    bidder_uscc: str
    status: TradingBidStatus
    status_label: str
    decrypted_at: dt.datetime | None
    price: Decimal | None
    duration_days: int | None
    project_manager: str
    quality: str


class CandidateOut(Schema):
    rank: int
    bidder: str
    bidder_uscc: str
    score: Decimal
    price: Decimal | None


class AwardOut(Schema):
    supplier: str
    supplier_uscc: str
    amount: Decimal
    status: TradingAwardStatus
    status_label: str
    decided_at: dt.datetime
    notice_no: str
    not_first_reason: str


class PaymentOut(Schema):
    paid_on: dt.date
    amount: Decimal
    note: str


class ContractOut(Schema):
    contract_no: str
    amount: Decimal
    signed_on: dt.date
    performance_bond: Decimal
    period_end: dt.date | None
    status: str
    status_label: str
    accepted_on: dt.date | None
    published_on: dt.date | None = Field(description="政府采购合同公告日期（政府采购法实施条例第五十条）")
    filed_on: dt.date | None = Field(description="合同副本备案日期（政府采购法第四十七条）")
    payments: list[PaymentOut]


class RoundOut(Schema):
    id: int
    round: int
    method: TradingMethod
    method_label: str
    status: TradingTenderStatus
    status_label: str
    title: str
    notice: str
    prequalification: bool
    prequal_from: dt.datetime | None = Field(description="资格预审文件发售开始")
    prequal_until: dt.datetime | None = Field(description="资格预审文件发售截止")
    prequal_deadline: dt.datetime | None = Field(description="资格预审申请文件提交截止")
    result_notice_on: dt.date | None = Field(description="中标（成交）结果公告日（政府采购）")
    documents_from: dt.datetime | None
    documents_until: dt.datetime | None
    bid_deadline: dt.datetime | None
    opening_place: str
    bid_deposit: Decimal
    deposit_form: TradingDepositForm
    deposit_form_label: str
    bid_validity_days: int
    max_price: Decimal | None
    published_at: dt.datetime | None
    paused: bool
    opened_at: dt.datetime | None
    candidates_published_on: dt.date | None
    publicity_ends_on: dt.date | None
    failure_reason: str
    documents: list[DocumentOut]
    amendments: list[AmendmentOut]
    opening_record: list[OpeningRow] = Field(description="开标记录（开标后公开；开标前恒为空）")
    candidates: list[CandidateOut] = Field(description="中标候选人（公示起公开）")
    awards: list[AwardOut] = Field(description="中标结果（定标后公开）")
    contract: ContractOut | None


class ProjectOut(Schema):
    code: str
    name: str
    regime: TradingRegime
    regime_label: str
    category: TradingCategory
    category_label: str
    buyer: str
    agency: str
    hall: str
    supervisor: str
    funding: str
    state_fund_percent: int
    estimate: Decimal
    description: str
    status: str
    status_label: str
    rounds: list[RoundOut]


class ProjectCreated(Schema):
    code: str
    name: str
    status: str


class TenderOut(Schema):
    id: int
    project: str
    round: int
    method: TradingMethod
    status: TradingTenderStatus
    status_label: str
    title: str
    paused: bool
    bid_deadline: dt.datetime | None


class ActionOut(TenderOut):
    action: TradingAction
    result: dict = Field(description="操作结果的要点（如中标通知书编号、合同编号、异议 id）")


class ReceiptOut(Schema):
    receipt: str = Field(description="递交回执号")
    at: dt.datetime = Field(description="递交时间")


class BidStatusOut(Schema):
    submitted: bool
    receipt: str | None = None
    at: dt.datetime | None = None
    status: str | None = Field(None, description="开标后：本投标人投标文件的状态")
    status_label: str | None = None
    detail: dict = Field(description="服务返回的其余内容（仅本投标人）")


class BidOut(Schema):
    id: int
    bidder: str
    status: TradingBidStatus
    status_label: str
    decrypted_at: dt.datetime | None
    price: Decimal | None


class ScoreOut(Schema):
    id: int
    bid_id: int
    score: Decimal | None
    reject_reason: str
    comment: str
    scored_at: dt.datetime


class CommitteeSigned(Schema):
    tender_id: int
    signed_at: dt.datetime | None
    report_signed_at: dt.datetime | None
    ranking: list


class FlagOut(Schema):
    id: int
    tender_id: int
    project: str
    project_name: str
    kind: TradingFlagKind
    kind_label: str
    bidders: list[str]
    evidence: dict
    created_at: dt.datetime
    status: TradingFlagStatus
    status_label: str
    review_note: str


class TieOut(Schema):
    party_uscc: str
    party_name: str
    kind: TradingTieKind
    ended_on: dt.date | None


class ExpertOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="身份证号（部分隐藏）")
    employer_name: str
    employer_uscc: str
    specialties: list[str]
    title: str
    years: int
    is_active: bool
    ties: list[TieOut]


# -- complaints (投诉) -------------------------------------------------------------------------------------

from .models import ComplaintMatter, ComplaintStatus  # noqa: E402

TradingComplaintMatter = _enum("TradingComplaintMatter", ComplaintMatter.values)
TradingComplaintStatus = _enum("TradingComplaintStatus", ComplaintStatus.values)
TradingComplaintAction = _enum("TradingComplaintAction", ["accept", "reject", "decide"])


class ComplaintIn(Schema):
    matter: TradingComplaintMatter = Field(description="documents 招标/采购文件；process 采购过程/开标；results 中标/成交结果")
    text: str = Field(min_length=1, max_length=4000, description="投诉内容（事实、理由和请求）")
    known_on: dt.date = Field(description="知道或者应当知道投诉事项之日")
    bidder: str = Field("", max_length=18, description="代表的投标人统一社会信用代码（只代表一家时可不填）")


class ComplaintActionIn(Schema):
    """The body of ``POST /complaints/{id}/actions/{action}`` (fields of other actions are ignored)."""

    suspend: bool = Field(False, description="accept：暂停采购活动（仅政府采购，最长不超过30日）")
    reason: str = Field("", max_length=4000, description="reject：不予受理的理由")
    decision: str = Field("", max_length=4000, description="decide：书面处理决定")
    upheld: bool = Field(False, description="decide：投诉成立")


class ComplaintOut(Schema):
    id: int
    tender_id: int
    project: str
    project_name: str
    complainant: str
    matter: TradingComplaintMatter
    matter_label: str
    text: str
    known_on: dt.date
    filed_at: dt.datetime
    status: TradingComplaintStatus
    status_label: str
    accept_due: dt.date
    decide_due: dt.date | None
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision: str
    upheld: bool
    suspended: bool
    tender_paused: bool
