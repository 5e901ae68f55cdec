"""The shapes of the case API: enums for every value the code restricts, the columns' lengths on
every string bound for a CharField, and the case detail an API-only client works from.

Free text (notes, reasons, results) carries the hard ceiling here; the services apply the
policy's own figure (``text_max_chars``, default 2000) and name the field when it is exceeded.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from ninja import Field, Schema

from zhengwu.catalog.models import MAX_EXTENSION_CAP, Item, Material, SpecialProcedure
from zhengwu.joint.models import JointStatus, OpinionKind, RulingKind
from zhengwu.org.models import Hall

from .models import ApplicantKind, Case, Channel, Decision, Delivery, Status, SupplementItem
from .services import MISSING_MAX_ITEMS, TEXT_MAX_CEILING


def _enum(name: str, values) -> type[Enum]:
    """A str enum named for the OpenAPI (names are global there, hence the Case prefix)."""
    return Enum(name, {v: v for v in values}, type=str)


def _len(model, field: str) -> int:
    return model._meta.get_field(field).max_length


CaseStatus = _enum("CaseStatus", Status.values)
CaseStatusFilter = _enum("CaseStatusFilter", ["open", *Status.values])
CaseChannel = _enum("CaseChannel", Channel.values)
CaseApplicantKind = _enum("CaseApplicantKind", ApplicantKind.values)
CaseDecision = _enum("CaseDecision", Decision.values)
CaseDelivery = _enum("CaseDelivery", Delivery.values)
CaseSpecialProcedure = _enum("CaseSpecialProcedure", SpecialProcedure.values)
CaseMaterialNecessity = _enum("CaseMaterialNecessity", Material.Necessity.values)
CaseSupplementItemState = _enum("CaseSupplementItemState", SupplementItem.State.values)
JointOpinionKindIn = _enum("JointOpinionKind", OpinionKind.values)
JointRulingKindIn = _enum("JointRulingKind", RulingKind.values)
JointStatusOut = _enum("JointStatus", JointStatus.values)
CaseKind = _enum("CaseKind", ["single", "joint"])
CaseSupplementItemResolve = _enum("CaseSupplementItemResolve",
                                  [SupplementItem.State.RECEIVED, SupplementItem.State.WAIVED])

TEXT_HELP = f"最多{TEXT_MAX_CEILING}字；实际上限见办件规则设置 text_max_chars（默认2000字），超出时答复 422 并指明字段"


def text_field(description: str):
    return Field("", max_length=TEXT_MAX_CEILING, description=f"{description}（{TEXT_HELP}）")


# -- input ----------------------------------------------------------------------------------------------


class CaseApplicantIn(Schema):
    kind: CaseApplicantKind = Field(CaseApplicantKind("person"),
                                    description="person 自然人；legal 法人或其他组织（企业也用 legal）")
    name: str = Field(max_length=_len(Case, "applicant_name"), description="姓名或单位名称")
    phone: str = Field(max_length=_len(Case, "contact_phone"), description="联系电话（手机或带区号的固定电话）")
    id_number: str = Field("", max_length=_len(Case, "id_number"), description="自然人的身份证号（法人可填法定代表人的）")
    uscc: str = Field("", max_length=_len(Case, "uscc"), description="法人的统一社会信用代码")
    legal_rep: str = Field("", max_length=_len(Case, "legal_rep"), description="法人的法定代表人")
    address: str = Field("", max_length=_len(Case, "address"), description="联系地址")


class CaseIn(Schema):
    item_code: str | None = Field(None, max_length=_len(Item, "impl_code"),
                                  description="事项实施编码（与 bundle_code 二选一）")
    bundle_code: str | None = Field(None, max_length=64,
                                    description="联办事项编码（一件事）：申请后生成一个联办件和每个成员事项的子件（与 item_code 二选一）")
    channel: CaseChannel = Field(CaseChannel("online"),
                                 description="online 网上申请；window 窗口录入（窗口人员）；agent 代办（村站代办员）")
    applicant: CaseApplicantIn
    hall_code: str | None = Field(None, max_length=_len(Hall, "code"), description="网上申请的受理大厅编码（默认县政务服务中心）")
    note: str = text_field("申请说明")


MissingName = Annotated[str, Field(max_length=_len(SupplementItem, "name"))]


class ActionIn(Schema):
    note: str = text_field("办理意见或说明")
    reason: str = text_field("理由（不予受理、延期、不予许可、特别程序、撤回）")
    missing: list[MissingName] = Field(
        [], max_length=MISSING_MAX_ITEMS,
        description="request_supplement：需补正材料的名称（与清单材料同名的即为该材料，其余为清单外材料）")
    material_ids: list[int] = Field(
        [], max_length=MISSING_MAX_ITEMS,
        description="request_supplement：需补正的清单材料 id（见办件详情 materials[].material_id）")
    kind: CaseSpecialProcedure | None = Field(None, description="suspend：特别程序类型")
    result: str = text_field("resume：特别程序结果")
    days: int | None = Field(None, ge=1, le=MAX_EXTENSION_CAP,
                             description="extend：延长的工作日数，不超过该事项的延期上限（办件详情 extension_limit），默认取上限")
    decision: CaseDecision | None = Field(None, description="decide：approve 准予、deny 不予")
    method: CaseDelivery | None = Field(None, description="deliver：pickup 窗口领取、post 邮寄送达、electronic 电子送达")
    tracking_no: str = Field("", max_length=_len(Case, "tracking_no"), description="deliver：邮寄的快递单号")
    paper_materials: list[int] = Field(
        [], max_length=100, description="accept、supplement（工作人员）：已收纸质原件的清单材料 id")
    item_id: int | None = Field(None, description="supplement_item：补正材料 id（办件详情 supplement.items[].id）")
    opinion: JointOpinionKindIn | None = Field(
        None, description="opinion（子件）：agree 同意、disagree 不同意（reason 必填）、escalate 同意但需报上级审批")
    ruling: JointRulingKindIn | None = Field(
        None, description="ruling（联办件）：refuse 不予办理、suspend 中止办理、proceed 继续办理（reason 必填）")
    opinion_id: int | None = Field(None, description="ruling：所处理的不同意意见 id（默认最早一条待处理的）")
    lines: list[int] = Field([], max_length=MISSING_MAX_ITEMS,
                             description="request_supplement（联办件）：需补正的合并材料清单序号（见联办件详情 materials[].line）")
    paper_lines: list[int] = Field([], max_length=100,
                                   description="accept、supplement（联办件，工作人员）：已收纸质原件的合并材料清单序号")
    item_state: CaseSupplementItemResolve | None = Field(
        None, description="supplement_item：received 已收到、waived 不再需要")


# -- output ---------------------------------------------------------------------------------------------


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_name: str
    role: str
    note: str


class CaseFileOut(Schema):
    id: int
    name: str
    file_name: str = Field(description="提交人上传时的文件名；只收纸质原件时为空")
    size: int = Field(description="字节；只收纸质原件时为 0")
    paper_received: bool = Field(description="窗口或代办员已收纸质原件")
    uploaded_at: dt.datetime


class CaseMaterialOut(Schema):
    material_id: int = Field(description="清单材料 id：上传材料（POST /api/cases/{case_no}/materials 的 material_id）、"
                                         "受理时登记纸质原件（paper_materials）、补正告知（material_ids）都用它")
    seq: int
    name: str
    necessity: CaseMaterialNecessity = Field(description="required 必要、optional 非必要、conditional 容缺后补")
    required: bool = Field(description="受理前必须提交")
    received: bool = Field(description="已有电子文件或纸质原件")
    files: list[CaseFileOut]


class MissingOut(Schema):
    material_id: int
    name: str


class SupplementItemOut(Schema):
    id: int = Field(description="补正材料 id（办件操作 supplement_item 的 item_id）")
    seq: int
    name: str
    material_id: int | None = Field(description="对应的清单材料 id，上传该材料即为收到；空表示清单外材料，由窗口人员确认收到或不再需要")
    state: CaseSupplementItemState = Field(description="pending 待补正、received 已收到、waived 不再需要")
    resolved_on: dt.date | None


class SupplementOut(Schema):
    requested_on: dt.date
    during_review: bool = Field(description="审查中补正：补齐前办结期限暂停计时")
    note: str
    items: list[SupplementItemOut]
    remaining: list[str] = Field(description="尚未补齐的材料；全部收到或登记为不再需要后补正才算完成")


class CaseOut(Schema):
    kind: CaseKind = Field(CaseKind("single"), description="single 普通办件（含联办件的子件）；joint 联办件")
    joint_no: str | None = Field(None, description="子件所属联办件的编号")
    case_no: str
    status: CaseStatus
    status_label: str
    channel: CaseChannel
    item_code: str
    item_name: str
    item_version: int
    department: str
    hall_code: str
    applicant_kind: CaseApplicantKind
    applicant_name: str = Field(description="申请人姓名或单位名称；不办理本件的工作人员（领导、效能监察员、其他部门或大厅）"
                                            "看到的是部分隐藏的名称（见 docs/cases-access.md）")
    applicant_name_masked: bool = Field(description="applicant_name 是否部分隐藏")
    id_number: str = Field(description="身份证号（脱敏）")
    uscc: str
    submitted_at: dt.datetime
    accepted_on: dt.date | None
    due_date: dt.date | None
    due_provisional: bool
    current_step: int
    decision: CaseDecision | None
    completed_on: dt.date | None
    extension_days: int = Field(description="已延长的工作日数")
    extension_limit: int = Field(description="该事项最多可延长的工作日数（只能延期一次）")
    materials: list[CaseMaterialOut] = Field(description="事项材料清单及提交情况")
    extra_files: list[CaseFileOut] = Field(description="清单以外的补充材料")
    missing_required: list[MissingOut] = Field(
        description="受理前尚缺的必要材料：上传，或受理时在 paper_materials 中登记已收的纸质原件")
    supplement: SupplementOut | None = Field(description="尚未补齐的补正告知（待补正时）")
    events: list[EventOut]


class ActionOut(Schema):
    case_no: str
    status: CaseStatus
    status_label: str
    due_date: dt.date | None
    due_provisional: bool


class CaseChildBrief(Schema):
    case_no: str = Field(description="子件编号（联办件编号-序号）")
    item_name: str
    department: str
    status: CaseStatus
    due_date: dt.date | None
    deemed: bool = Field(description="部门逾期未办结，已由监察按超时默认视为同意")


class CaseBrief(Schema):
    kind: CaseKind = Field(CaseKind("single"), description="single 普通办件；joint 联办件（申请人的列表中一个联办件为"
                                                          "一项，其子件列在 children 中，不再单列）")
    case_no: str
    status: CaseStatus | JointStatusOut = Field(description="办件状态；联办件为由各子件派生的联办件状态")
    item_name: str = Field(description="事项名称；联办件为联办事项名称")
    applicant_name: str = Field(description="不办理本件的工作人员看到部分隐藏的名称")
    id_number: str
    due_date: dt.date | None = Field(description="办结期限；联办件为各子件办结期限中最晚者")
    children: list[CaseChildBrief] | None = Field(None, description="联办件的子件概要（仅 kind 为 joint 时）")


# -- 联办件 ---------------------------------------------------------------------------------------------------


class JointChildOut(Schema):
    case_no: str = Field(description="子件编号（联办件编号-序号），可用办件详情和办件操作接口")
    item_code: str
    item_name: str
    department: str
    status: CaseStatus
    due_date: dt.date | None
    decision: CaseDecision | None = Field(description="部门的决定：approve 准予、deny 不予；未决定为空")
    deemed: bool = Field(description="部门逾期未办结，已由监察按超时默认视为同意")
    opinion: JointOpinionKindIn | None = Field(description="协办意见（本部门或牵头部门可见；联合结果出具后全部可见）")
    opinion_deemed_absent: bool = Field(
        False, description="该意见是联合踏勘缺席默认视为同意（部门无正当理由未参加踏勘），不是部门自己签署的")


class JointMaterialOut(Schema):
    line: int = Field(description="合并材料清单序号（上传材料和补正告知用）")
    name: str
    required: bool
    departments: list[str] = Field(description="要求该材料的部门（共用材料只提交一份）")


class JointResultOut(Schema):
    result_no: str
    kind: str = Field(description="approval 联合审批决定书、completion 联办件办结通知书")
    issued_at: dt.datetime | None


class JointEventOut(Schema):
    action: str
    at: dt.datetime
    actor_name: str
    department: str
    from_status: str
    to_status: str
    note: str


class JointOut(Schema):
    kind: CaseKind = Field(description="joint 联办件")
    case_no: str
    bundle_code: str
    bundle_name: str
    lead_department: str
    status: JointStatusOut
    status_label: str
    submitted_at: dt.datetime
    accepted_on: dt.date | None
    promised_due: dt.date | None = Field(description="联办承诺期限（受理日加联办事项总时限）")
    due_date: dt.date | None = Field(description="办结期限：各子件办结期限中最晚者")
    children: list[JointChildOut]
    materials: list[JointMaterialOut]
    result: JointResultOut | None
    events: list[JointEventOut] = Field(description="联办件记录（协办部门只看到本部门的意见和处理，联合结果出具后全部可见）")


class JointActionOut(Schema):
    kind: CaseKind
    case_no: str
    status: JointStatusOut
    status_label: str
    due_date: dt.date | None
