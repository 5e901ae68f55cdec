"""Cases through the OpenAPI: submit, act, read; the public progress query; 认领; the audited full ID.

Token auth for systems, session for pages. Documents and fees are in ``api_docs.py``, mounted
on this router.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, File, Form, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from zhengwu.api import AUTH
from zhengwu.catalog.models import Item
from zhengwu.core import throttle
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.core.validators import mask_id_number
from zhengwu.org.models import Hall
from zhengwu.org.selectors import staff_for_user

from . import claims, selectors, services
from .api_docs import _errors
from .api_docs import router as docs_router
from .api_schemas import (
    ActionIn,
    ActionOut,
    CaseBrief,
    CaseIn,
    CaseOut,
    CaseStatusFilter,
    JointActionOut,
    JointOut,
)
from .models import CLAIM_CODE_TRIES, Case, CaseEvent, Channel, Status
from .plan import plan_for
from .progress import answer as progress_answer
from .transitions import TRANSITIONS

router = Router(tags=["办件"], auth=AUTH)
router.add_router("", docs_router)


def _case_out(case: Case, *, user, staff) -> dict:
    events = [
        {"action": e.action, "label": TRANSITIONS[e.action].label if e.action in TRANSITIONS else e.action,
         "from_status": e.from_status, "to_status": e.to_status, "at": e.at, "actor_name": e.actor_name,
         "role": e.role, "note": e.note}
        for e in CaseEvent.objects.filter(case=case).order_by("id")
    ]
    name, masked = selectors.applicant_name_for(case=case, user=user, staff=staff)
    return {
        "kind": "single", "joint_no": case.joint.case_no if case.joint_id else None,
        "case_no": case.case_no, "status": case.status, "status_label": Status(case.status).label,
        "channel": case.channel, "item_code": case.item.impl_code, "item_name": case.item_version.name,
        "item_version": case.item_version.version, "department": case.department.name,
        "hall_code": case.hall.code, "applicant_kind": case.applicant_kind, "applicant_name": name,
        "applicant_name_masked": masked,
        "id_number": mask_id_number(case.id_number), "uscc": case.uscc, "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on, "due_date": case.due_date, "due_provisional": case.due_provisional,
        "current_step": case.current_step, "decision": case.decision or None, "completed_on": case.completed_on,
        "extension_days": case.extension_days, "extension_limit": plan_for(case.item_version_id).extension_limit,
        **selectors.case_materials(case),
        "events": events,
    }


def _action_out(case: Case) -> dict:
    return {"case_no": case.case_no, "status": case.status, "status_label": Status(case.status).label,
            "due_date": case.due_date, "due_provisional": case.due_provisional}


def _user(request):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _readable_case(request, case_no: str) -> Case:
    user = _user(request)
    case = selectors.case_get(case_no=case_no)
    staff = staff_for_user(user)
    if staff is not None and selectors.staff_can_read_case(staff, case):
        return case
    if case.applicant_user_id == user.pk:
        return case
    raise NotFound("未找到该办件")


def _case_for_action(request, case_no: str) -> Case:
    """The case an action names. Someone who is neither staff nor its applicant gets the same 404
    as for a number that does not exist, before any state is checked: the answer must not tell a
    stranger walking case numbers which exist or where they stand. (Staff get the services' own
    scope refusals.)"""
    user = _user(request)
    case = selectors.case_get(case_no=case_no)
    if staff_for_user(user) is None and case.applicant_user_id != user.pk:
        raise NotFound("未找到该办件")
    return case


def _submit_joint(request, payload: CaseIn, kwargs: dict):
    from zhengwu.catalog.models import Bundle
    from zhengwu.joint import api as joint_api
    from zhengwu.joint.services import joint_submit

    bundle = Bundle.objects.select_related("current").filter(code=payload.bundle_code).first()
    if bundle is None:
        raise NotFound(f"未找到联办事项 {payload.bundle_code}")
    kwargs.pop("item")
    return HttpStatus(201, joint_api.action_out(joint_submit(bundle=bundle, **kwargs)))


@router.post("", response={201: ActionOut | JointActionOut, **_errors(400, 403, 404, 422)},
             summary="提交申请（网上申请、窗口录入或代办员代办；item_code 单个事项，bundle_code 联办事项）",
             description="item_code 与 bundle_code 必须且只能填一个。bundle_code 生成一个联办件（kind: joint）和每个成员事项的子件；"
                         "联办件的材料按合并清单上传一次（POST /api/cases/{联办件编号}/materials 带 line），共用材料自动关联到各子件。")
def submit(request, payload: CaseIn):
    user = _user(request)
    if bool(payload.item_code) == bool(payload.bundle_code):
        raise DomainError("item_or_bundle", "请填写事项编码 item_code 或联办事项编码 bundle_code（二者只能填一个）",
                          status=422)
    item = None
    if payload.item_code:
        item = (Item.objects.select_related("current", "department__region").filter(impl_code=payload.item_code)
                .first())
        if item is None:
            raise NotFound(f"未找到事项 {payload.item_code}")
    hall = None
    if payload.hall_code:
        hall = Hall.objects.select_related("region").filter(code=payload.hall_code).first()
        if hall is None:
            raise NotFound(f"未找到大厅 {payload.hall_code}")
    staff = staff_for_user(user)
    applicant = services.Applicant(**{**payload.applicant.dict(), "kind": payload.applicant.kind.value})
    channel = payload.channel.value
    kwargs = {"item": item, "applicant": applicant, "channel": channel, "note": payload.note}
    if channel == Channel.WINDOW:
        kwargs["officer"] = staff
    elif channel == Channel.AGENT:
        kwargs["agent"] = staff
    else:
        kwargs.update(user=user, hall=hall)
    if channel in (Channel.WINDOW, Channel.AGENT) and staff is None:
        raise PermissionDenied("窗口录入和代办须使用工作人员账号")
    if payload.bundle_code:
        return _submit_joint(request, payload, kwargs)
    case = services.case_submit(**kwargs)
    return HttpStatus(201, _action_out(case))


@router.post("/{case_no}/materials", response=ActionOut | JointActionOut,
             summary="上传申请材料（受理前；联办件按合并材料清单序号 line 上传一次）")
def upload_material(request, case_no: str, file: File[UploadedFile], material_id: Form[int | None] = None,
                    line: Form[int | None] = None):
    user = _user(request)
    from zhengwu.joint import api as joint_api

    if (joint := joint_api.joint_for(case_no)) is not None:
        return joint_api.add_materials(request, joint, user=user, line=line, file=file)
    case = _case_for_action(request, case_no)
    services.case_add_materials(case=case, files=[(material_id, file)], user=user, officer=staff_for_user(user))
    return _action_out(case)


def _value(choice) -> str:
    return choice.value if choice is not None else ""


def _dispatch(action: str, case: Case, body: ActionIn, user, staff):
    if action in ("supplement", "withdraw"):
        if action == "supplement":
            return services.case_supplement(case=case, user=user, officer=staff, paper_materials=body.paper_materials,
                                            note=body.note)
        return services.case_withdraw(case=case, user=user, officer=staff, reason=body.reason or body.note)
    if staff is None:
        raise PermissionDenied("该操作须使用工作人员账号")
    window = staff.windows.filter(hall_id=case.hall_id).first()
    common = {"case": case, "officer": staff}
    calls = {
        "prereview": lambda: services.case_prereview(**common, window=window, note=body.note),
        "accept": lambda: services.case_accept(**common, window=window, paper_materials=body.paper_materials,
                                               note=body.note),
        "request_supplement": lambda: services.case_request_supplement(
            **common, window=window, missing=body.missing, material_ids=body.material_ids, note=body.note),
        "supplement_item": lambda: services.case_supplement_item(
            **common, window=window, item_id=body.item_id or 0, state=_value(body.item_state), note=body.note),
        "reject": lambda: services.case_reject(**common, window=window, reason=body.reason),
        "review": lambda: services.case_review(**common, window=window, note=body.note),
        "suspend": lambda: services.case_suspend(**common, window=window, kind=_value(body.kind),
                                                 reason=body.reason),
        "resume": lambda: services.case_resume(**common, window=window, result=body.result),
        "extend": lambda: services.case_extend(case=case, head=staff, reason=body.reason, days=body.days),
        "decide": lambda: services.case_decide(**common, window=window, decision=_value(body.decision),
                                               reason=body.reason),
        "complete": lambda: services.case_complete(**common, window=window, note=body.note),
        "deliver": lambda: services.case_deliver(**common, window=window, method=_value(body.method),
                                                 tracking_no=body.tracking_no),
    }
    if action == "opinion":  # a co-department's answer on its 子件 of a 联办件
        from zhengwu.joint.services import joint_opinion

        joint_opinion(case=case, officer=staff, kind=_value(body.opinion), reason=body.reason)
        return case
    if action not in calls:
        raise DomainError("unknown_action", f"未知的办件操作：{action}", status=404)
    return calls[action]()


def _joint_actions_doc() -> str:
    from zhengwu.joint.actions import JOINT_ACTIONS

    return "；".join(f"{code} {label}" for code, (label, _h) in sorted(JOINT_ACTIONS.items()))


@router.post("/{case_no}/actions/{action}",
             response={200: ActionOut | JointActionOut, **_errors(400, 403, 404, 409, 422)},
             summary="办件操作：accept、request_supplement、supplement、supplement_item、reject、review、suspend、"
                     "resume、extend、decide、complete、deliver、withdraw、prereview、opinion（子件）；联办件另见说明",
             description="补正：request_supplement 用 material_ids（清单材料 id）和/或 missing（材料名称）一次性列明；"
                         "申请人上传清单材料（POST …/materials 带 material_id）后发送 supplement，全部材料收到后补正才完成、"
                         "办件回到待受理（审查中补正则恢复计时），否则仍为待补正；清单外材料由窗口人员用 supplement_item"
                         "（item_id、item_state）登记已收到或不再需要。延期 extend 只能在办结期限届满前、一次，"
                         "且不超过该事项的延期上限（办件详情 extension_limit）。\n\n"
                         "联办件（case_no 为联办件编号，答复 kind: joint）的操作：accept 统一受理（一门受理，paper_lines）；"
                         "request_supplement 一次性告知补正（lines 合并清单序号、missing）；supplement 补正；reject 统一不予受理；"
                         "withdraw 整体撤回；ruling 牵头部门处理不同意意见（ruling、reason、opinion_id）；resume 恢复中止；"
                         "result 出具联合审批结果；联合踏勘的操作见各自说明。子件保留上述各项办件操作（受理、补正告知、不予受理、"
                         "撤回须在联办件上统一办理），协办部门在子件上用 opinion（opinion: agree / disagree / escalate，"
                         "不同意须填 reason）签署意见。")
def act(request, case_no: str, action: str, body: ActionIn | None = None):
    user = _user(request)
    from zhengwu.joint import api as joint_api

    if (joint := joint_api.joint_for(case_no)) is not None:
        return joint_api.act(request, joint, action, user=user)
    case = _case_for_action(request, case_no)
    case = _dispatch(action, case, body or ActionIn(), user, staff_for_user(user))
    return _action_out(case)


# -- the public progress query ----------------------------------------------------------------------------
# Declared before GET /{case_no}: Django tries the routes in order and "progress" would match {case_no}.


class ProgressIn(Schema):
    case_no: str = Field("", max_length=40, description="办件编号，如 SFXZW-20261126-00001")
    credential: str = Field("", max_length=20,
                            description="申请时留的联系电话；自然人也可用身份证号（统一社会信用代码是公开信息，不能用于查询）")


class StageOut(Schema):
    name: str
    at: dt.datetime | None
    state: str = Field(description="done 已完成、current 办理中、todo 未开始")


class ProgressEventOut(Schema):
    action: str
    label: str
    at: dt.datetime


class ProgressOut(Schema):
    case_no: str
    item_name: str
    department: str
    hall: str
    applicant_name: str = Field(description="申请人姓名（部分隐藏）")
    status: str
    status_label: str
    submitted_at: dt.datetime
    accepted_on: dt.date | None
    due_date: dt.date | None = Field(description="办结期限（受理后确定）")
    due_provisional: bool = Field(description="办结期限为暂定（当年节假日安排公布后可能调整）")
    clock_stopped: bool = Field(description="暂停计时中（补正或特别程序）")
    completed_on: dt.date | None
    stages: list[StageOut]
    events: list[ProgressEventOut]


@router.post("/progress", auth=None, response={200: ProgressOut, **_errors(400, 404, 429)},
             summary="办件进度公开查询（办件编号 + 联系电话或身份证号；无需登录）",
             description="编号与凭证不匹配时与办件不存在时的答复完全相同（404）。同一客户端十分钟内失败十次后暂停查询（429），"
                         "与门户的进度查询页共用计数。只返回办理进度，不含个人信息。")
def progress(request, body: ProgressIn):
    case_no, credential = body.case_no.strip(), body.credential.strip()
    if not case_no or not credential or len(case_no) > 40 or len(credential) > 20:
        raise DomainError("progress_input", "请输入办件编号（40字以内）和联系电话或身份证号（20字以内）")
    return progress_answer(who=throttle.client_key(request), case_no=case_no, credential=credential, form="api")


# -- 认领办件: linking a window or agent case to the caller's account (also before GET /{case_no}) ------------


class ClaimIn(Schema):
    case_no: str = Field("", max_length=40, description="办件编号")
    id_number: str = Field("", max_length=18, description="个人办件：申请时登记的身份证号")
    uscc: str = Field("", max_length=18, description="企业办件：统一社会信用代码（与 legal_rep 一起，代替 id_number）")
    legal_rep: str = Field("", max_length=50, description="企业办件：法定代表人姓名")
    phone: str = Field("", max_length=20,
                       description="企业办件：申请时登记的联系电话（信用代码和法定代表人是公开信息，须加上电话）")


class ClaimSentOut(Schema):
    case_no: str
    phone: str = Field(description="验证码发送到的手机号（办件登记的联系电话，部分隐藏）")
    expires_at: dt.datetime = Field(description="验证码失效时间")
    related: int = Field(description="同一证件号码、同一联系电话、尚未认领的其他办件数（确认时可一并认领）")


class ClaimConfirmIn(Schema):
    case_no: str = Field("", max_length=40, description="办件编号（与发送验证码时相同）")
    code: str = Field("", max_length=20, description="短信中的6位数字验证码")
    include_related: bool = Field(False, description="同时认领同一证件号码、同一联系电话的其他办件")


class ClaimedOut(Schema):
    claimed: list[str] = Field(description="已关联到本账号的办件编号")


@router.post("/claims", response={202: ClaimSentOut, **_errors(400, 404, 409, 429)},
             summary="认领办件：核对办件编号和证件信息，向办件登记的手机发送验证码",
             description="用于把窗口受理或代办员代办的办件关联到调用者的网上账号。个人办件填身份证号，企业办件填统一社会信用代码、"
                         "法定代表人姓名和申请时登记的联系电话。编号与证件信息不匹配时与办件不存在时的答复完全相同（404）。"
                         f"验证码发送到办件登记的联系电话，{claims.CLAIM_CODE_MINUTES}分钟内有效，只能使用一次。"
                         f"同一账号每小时最多{claims.CLAIM_SENDS_PER_USER}次、同一客户端{claims.CLAIM_SENDS_PER_CLIENT}次"
                         f"（不论是否匹配），同一办件每小时最多发送{claims.CLAIM_SENDS_PER_CASE}条（429）。"
                         "已关联其他账号的办件不能认领（409），请到受理窗口办理。")
def claim_start(request, body: ClaimIn):
    sent = claims.case_claim_start(user=_user(request), case_no=body.case_no, id_number=body.id_number,
                                   uscc=body.uscc, legal_rep=body.legal_rep, phone=body.phone,
                                   client=throttle.client_key(request))
    return HttpStatus(202, {"case_no": sent.case_no, "phone": sent.phone, "expires_at": sent.expires_at,
                            "related": sent.related})


@router.post("/claims/confirm", response={200: ClaimedOut, **_errors(400, 409, 429)},
             summary="认领办件：输入短信验证码，把办件关联到本账号",
             description=f"验证码输错{CLAIM_CODE_TRIES}次即失效（429），过期、已使用的验证码答复 400，需重新获取。"
                         "成功后办件出现在“我的办件”中，可补正、撤回、评价、下载文书；办件记录和审计日志各记一条，"
                         "并短信告知办件登记的手机。")
def claim_confirm(request, body: ClaimConfirmIn):
    linked = claims.case_claim_confirm(user=_user(request), case_no=body.case_no, code=body.code,
                                       include_related=body.include_related, request=request)
    return {"claimed": [c.case_no for c in linked]}


class IdentityOut(Schema):
    case_no: str
    id_number: str = Field(description="完整身份证号")
    uscc: str = Field(description="统一社会信用代码")
    contact_phone: str = Field(description="完整联系电话")


@router.post("/{case_no}/identity", response={200: IdentityOut, **_errors(403, 404)},
             summary="查看申请人完整证件号码（限办理该办件的窗口人员、首席代表、部门负责人；每次查看记入审计）")
def reveal_identity(request, case_no: str):
    staff = staff_for_user(_user(request))
    if staff is None or not staff.is_active:
        raise PermissionDenied("只有在岗工作人员可以查看完整证件号码", code="no_pii_access")
    case = selectors.case_get_for_staff(case_no=case_no, staff=staff)
    return {"case_no": case.case_no, **selectors.case_reveal_identity(case=case, staff=staff, request=request)}


@router.get("/{case_no}", response={200: CaseOut | JointOut, **_errors(404)},
            summary="办件详情（材料清单及提交情况、补正进度、办理记录；证件号码脱敏）",
            description="materials 列出事项的全部清单材料（material_id 用于上传、受理时登记纸质原件和补正告知），"
                        "missing_required 是受理前尚缺的必要材料，supplement 是待补正时尚未补齐的补正告知。"
                        "申请人姓名对不办理本件的工作人员部分隐藏（见 docs/cases-access.md）。"
                        "联办件编号答复 kind: joint：派生状态、办结期限（各子件最晚者）、牵头部门、children 各子件"
                        "（case_no、item_code、department、status、decision、deemed 超时默认）、合并材料清单和联合审批结果。")
def detail(request, case_no: str):
    user = _user(request)
    from zhengwu.joint import api as joint_api

    if (joint := joint_api.joint_for(case_no)) is not None:
        return joint_api.detail(joint, user=user, staff=staff_for_user(user))
    case = _readable_case(request, case_no)
    return _case_out(case, user=user, staff=staff_for_user(user))


_STATUS_QUERY = Query(None, description="办件状态，或 open 表示未办结（对工作人员和代办员生效）")


@router.get("", response={200: list[CaseBrief], **_errors(400, 422)},
            summary="我的办件（工作人员：权限范围内；代办员：本人代办的；申请人：本人）",
            description="申请人姓名对不办理该办件的工作人员（领导、效能监察员、中心管理员、其他部门或大厅）部分隐藏。")
def list_cases(request,
               status: CaseStatusFilter | None = _STATUS_QUERY,
               q: str = Query("", max_length=100, description="按办件编号、申请人、事项名称查找（对工作人员和代办员生效）"),
               limit: int = page_limit(50),
               offset: int = page_offset()):
    user = _user(request)
    staff = staff_for_user(user)
    if staff is None:  # an applicant: a 联办件 is one entry with its 子件 under it, as on 我的办件
        return _applicant_rows(user, limit=limit, offset=offset)
    # a village agent's scope is the cases they submitted (in the same selector)
    qs = selectors.case_list_for_staff(staff=staff, status=status.value if status else "", q=q.strip())
    rows = []
    for c in page(qs.select_related("hall__region"), limit=limit, offset=offset):
        name, _ = selectors.applicant_name_for(case=c, user=user, staff=staff)
        rows.append({"case_no": c.case_no, "status": c.status, "item_name": c.item.name, "applicant_name": name,
                     "id_number": mask_id_number(c.id_number), "due_date": c.due_date})
    return rows


def _applicant_rows(user, *, limit: int, offset: int) -> list[dict]:
    """The applicant's ordinary cases and 联办件 (not their 子件 one by one), newest first: each list read up to
    ``offset + limit`` rows, merged, then the page cut (an applicant has a handful of cases)."""
    from django.db.models import Prefetch

    from zhengwu.joint.selectors import joint_list_for_applicant
    from zhengwu.joint.services.refresh import deemed_case_ids

    end = offset + limit
    singles = list(selectors.case_list_for_applicant(user=user).filter(joint__isnull=True)[:end])
    kids = Case.objects.select_related("item", "department").order_by("joint_seq")
    joints = list(joint_list_for_applicant(user=user).prefetch_related(Prefetch("children", queryset=kids))[:end])
    merged = sorted([(c.submitted_at, c) for c in singles] + [(j.submitted_at, j) for j in joints],
                    key=lambda r: r[0], reverse=True)[offset:end]
    deemed = deemed_case_ids(k.pk for _at, j in merged if not isinstance(j, Case) for k in j.children.all())
    rows = []
    for _at, obj in merged:
        if isinstance(obj, Case):
            name, _ = selectors.applicant_name_for(case=obj, user=user, staff=None)
            rows.append({"kind": "single", "case_no": obj.case_no, "status": obj.status, "item_name": obj.item.name,
                         "applicant_name": name, "id_number": mask_id_number(obj.id_number),
                         "due_date": obj.due_date})
            continue
        children = list(obj.children.all())
        rows.append({
            "kind": "joint", "case_no": obj.case_no, "status": obj.status, "item_name": obj.bundle_version.name,
            "applicant_name": obj.applicant_name,
            "id_number": mask_id_number(children[0].id_number) if children else "",
            "due_date": obj.due_date,
            "children": [{"case_no": k.case_no, "item_name": k.item.name, "department": k.department.name,
                          "status": k.status, "due_date": k.due_date, "deemed": k.pk in deemed} for k in children]})
    return rows
