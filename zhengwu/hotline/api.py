"""Work orders (12345工单) through the OpenAPI, at /api/hotline: list, take in, read, act, and the
knowledge-base search. Token auth for systems, the session for pages. The caller is shown only to
whoever may see them (a 保密 order never shows them to the handling unit)."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse
from ninja import File, Form, Query, Router
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from zhengwu.api import AUTH
from zhengwu.core import throttle
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.core.services import audit_record
from zhengwu.org.models import Department, Hall
from zhengwu.org.selectors import staff_for_user

from . import selectors, services
from .api_schemas import (
    ActionIn,
    ActionOut,
    KnowledgeOut,
    OrderAction,
    OrderBrief,
    OrderIn,
    OrderOut,
    OrderStatusFilter,
    ProgressIn,
    ProgressOut,
    ReplyFormIn,
    _errors,
)
from .models import (
    Extension,
    ExtensionState,
    Order,
    Status,
)
from .transitions import TRANSITIONS

router = Router(tags=["12345热线"], auth=AUTH)


def _user(request):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _staff(request):
    staff = staff_for_user(_user(request))
    if staff is None:
        raise PermissionDenied("仅限工作人员使用", code="not_staff")
    return staff


def _action_out(order: Order) -> dict:
    """An action's answer: the order as it now stands."""
    order = Order.objects.get(pk=order.pk)
    return {"no": order.no, "status": order.status, "status_label": Status(order.status).label,
            "due_on": order.due_on}


def _brief(order: Order, staff) -> dict:
    caller = selectors.caller_for(staff, order)
    return {
        "no": order.no,
        "status": order.status,
        "status_label": Status(order.status).label,
        "kind": order.kind,
        "category": order.category.code,
        "category_name": order.category.name,
        "region": order.region.code,
        "main_unit": selectors.main_unit_name(order),
        "created_at": order.created_at,
        "due_on": order.due_on,
        "caller_name": caller.name,
        "caller_phone": caller.phone,
    }


def _out(order: Order, staff) -> dict:
    data = _brief(order, staff)
    caller = selectors.caller_for(staff, order, full=True)
    data.update(caller_name=caller.name, caller_phone=caller.phone)
    data.update(
        channel=order.channel,
        source=order.source,
        urgency=order.urgency,
        address=order.address,
        lat=order.lat,
        lon=order.lon,
        text=order.text,
        confidential=order.confidential,
        anonymous=order.anonymous,
        reply_text=order.reply_text,
        reply_solved=order.reply_solved,
        callback_result=order.callback_result,
        closed_at=order.closed_at,
        merged_into=order.merged_into.no if order.merged_into_id else None,
        emergency=order.emergency,
        round=order.round,
        units=[
            {
                "role": u.role,
                "name": u.unit_name,
                "state": u.state,
                "sign_due_at": u.sign_due_at,
                "signed_at": u.signed_at,
            }
            for u in selectors.units_of(order)
        ],
        events=[
            {
                "action": e.action,
                "label": _label(e.action),
                "at": e.at,
                "actor_name": e.actor_name,
                "unit_name": e.unit_name,
                "note": e.note,
                "public": e.public,
            }
            for e in selectors.events_for(staff, order)
        ],
        attachments=[
            {
                "id": a.pk,
                "name": a.name,
                "size": a.size,
                "by_unit": a.by_unit,
                "uploaded_at": a.uploaded_at,
                "url": f"/hotline/orders/{order.no}/files/{a.pk}/",
            }
            for a in order.attachments.all()
            if a.by_unit or selectors.sees_caller(staff, order)
        ],
        actions=selectors.actions_for(staff, order),
    )
    return data


def _label(action: str) -> str:
    t = TRANSITIONS.get(action)
    return t.label if t else {"merge_in": "并入工单"}.get(action, action)


@router.get(
    "/orders",
    response={200: list[OrderBrief], **_errors(401, 403, 422)},
    summary="工单列表（热线中心：本辖区；承办单位：派给本单位的；领导、监察员：本辖区）",
)
def order_list(
    request,
    status: OrderStatusFilter | None = None,
    q: str = Query("", max_length=40),
    limit: int = page_limit(50),
    offset: int = page_offset(),
):
    staff = _staff(request)
    st = status.value if status else ""
    qs = selectors.order_list_for_staff(staff=staff, status="" if st == "open" else st, q=q)
    if st == "open":
        qs = qs.filter(status__in=[s for s in Status.values if s not in ("closed", "merged", "transferred")])
    return [_brief(o, staff) for o in page(qs.order_by("-created_at", "-id"), limit=limit, offset=offset)]


@router.post("/orders", response={201: OrderOut, **_errors(400, 401, 403, 422)}, summary="受理工单（话务员）")
def order_create(request, body: OrderIn):
    return _create(request, body, ())


def _create(request, body: OrderIn, attachments):
    staff = _staff(request)
    order = services.order_create(
        channel=body.channel.value,
        source=body.source.value,
        kind=body.kind.value,
        category=body.category,
        region=body.region,
        text=body.text,
        caller_phone=body.caller_phone,
        caller_name=body.caller_name,
        anonymous=body.anonymous,
        confidential=body.confidential,
        publish_consent=body.publish_consent,
        address=body.address,
        lat=body.lat,
        lon=body.lon,
        urgency=body.urgency.value if body.urgency else "",
        actor=staff,
        attachments=attachments,
    )
    return HttpStatus(201, _out(selectors.order_get_for_staff(no=order.no, staff=staff), staff))


_FILES = File(
    None,
    description="附件（可重复，最多5个；PDF、JPG、PNG、Word；每个不超过平台的单个文件上限，内容须能按其类型打开）",
)


@router.post(
    "/orders/upload",
    response={201: OrderOut, **_errors(400, 401, 403, 413, 422)},
    summary="受理工单并上传附件（话务员；multipart 表单，字段与受理工单相同，文件字段 attachments）",
    description="附件类型不允许、内容与扩展名不符、超过大小上限或超过5个的，整单不受理（中文说明），不写入任何记录。",
)
def order_create_upload(request, body: Form[OrderIn], attachments: list[UploadedFile] | None = _FILES):
    return _create(request, body, attachments or ())


@router.get("/orders/{no}", response={200: OrderOut, **_errors(401, 403, 404)}, summary="工单详情")
def order_get(request, no: str):
    staff = _staff(request)
    return _out(selectors.order_get_for_staff(no=no[:24], staff=staff), staff)


def _department(code: str) -> Department:
    d = Department.objects.filter(code=code).first()
    if d is None:
        raise DomainError("unknown_department", f"没有编码为“{code}”的部门", status=422)
    return d


def _hall(code: str) -> Hall:
    h = Hall.objects.filter(code=code).first()
    if h is None:
        raise DomainError("unknown_hall", f"没有编码为“{code}”的便民服务中心或站", status=422)
    return h


def _main(body: ActionIn):
    if body.main_department and body.main_hall:
        raise DomainError("one_main_unit", "主办单位只能是一个部门或一个属地", status=422)
    if body.main_department:
        return _department(body.main_department)
    if body.main_hall:
        return _hall(body.main_hall)
    return None


def _extension(order: Order) -> Extension:
    ext = order.extensions.filter(state=ExtensionState.PENDING).first()
    if ext is None:
        raise DomainError("no_extension", "该工单没有待审批的延期申请", status=409)
    return ext


@router.post(
    "/orders/{no}/actions/{action}",
    response={200: ActionOut, **_errors(400, 401, 403, 404, 409, 422)},
    summary="工单操作",
    description="dispatch 派单、answer 直接答复、transfer 转警、merge 并单、sign 签收、return 退单、"
    "reassign 改派、reject_return 驳回退单、extend_request 延期申请、extend_decide 延期审批、"
    "reply 办结反馈、approve 审核通过、send_back 审核退回、urge 催办、supervise 督办、callback 回访",
)
def order_act(request, no: str, action: OrderAction, body: ActionIn | None = None):
    staff = _staff(request)
    body = body or ActionIn()
    order = selectors.order_get_for_staff(no=no[:24], staff=staff)
    a = action.value
    s = services
    if a == "dispatch":
        order = s.order_dispatch(
            order=order,
            staff=staff,
            main=_main(body),
            assist=[_department(c) for c in body.assist_departments],
            note=body.note,
        )
    elif a == "reassign":
        order = s.order_reassign(
            order=order,
            staff=staff,
            main=_main(body),
            assist=[_department(c) for c in body.assist_departments],
            note=body.note,
        )
    elif a == "answer":
        order = s.order_answer(order=order, staff=staff, answer=body.note or body.text)
    elif a == "transfer":
        if body.to is None:
            raise DomainError("invalid_emergency", "请选择转警去向：110、119、120或122", status=422)
        order = s.order_transfer(order=order, staff=staff, to=body.to.value, reason=body.reason)
    elif a == "merge":
        into = Order.objects.filter(no=body.into).first()
        if into is None or not selectors.may_read(staff, into):
            raise NotFound("主工单不存在或您无权查看")
        order = s.order_merge(order=order, into=into, staff=staff, note=body.note)
    elif a == "sign":
        order = s.order_sign(order=order, staff=staff)
    elif a == "return":
        order = s.order_return(order=order, staff=staff, reason=body.reason)
    elif a == "reject_return":
        order = s.order_reject_return(order=order, staff=staff, note=body.note)
    elif a == "extend_request":
        s.order_extend_request(order=order, staff=staff, days=body.days, reason=body.reason)
    elif a == "extend_decide":
        s.order_extend_decide(extension=_extension(order), staff=staff, approve=body.approve, note=body.note)
    elif a == "reply":
        order = s.order_reply(order=order, staff=staff, text=body.text, solved=body.solved)
    elif a == "approve":
        order = s.order_approve(order=order, staff=staff, note=body.note)
    elif a == "send_back":
        order = s.order_send_back(order=order, staff=staff, note=body.note)
    elif a == "urge":
        order = s.order_urge(order=order, staff=staff, note=body.note)
    elif a == "supervise":
        order = s.order_supervise(order=order, staff=staff, note=body.note)
    elif a == "callback":
        if body.result is None:
            raise DomainError("invalid_callback", "请填写回访结果：满意、基本满意或不满意", status=422)
        order = s.order_callback(
            order=order,
            staff=staff,
            result=body.result.value,
            solved=body.solved,
            unit_fault=body.unit_fault,
            note=body.note,
        )
    return _action_out(order)


@router.post(
    "/orders/{no}/uploads/reply",
    response={200: ActionOut, **_errors(400, 401, 403, 404, 409, 413, 422)},
    summary="办结反馈并上传附件（主办单位；multipart 表单：text、solved，文件字段 attachments）",
    description="附件的检查与受理工单相同；被拒绝时办结反馈不提交，工单不作任何改变。",
)
def order_reply_upload(
    request, no: str, body: Form[ReplyFormIn], attachments: list[UploadedFile] | None = _FILES
):
    staff = _staff(request)
    order = selectors.order_get_for_staff(no=no[:24], staff=staff)
    order = services.order_reply(
        order=order, staff=staff, text=body.text, solved=body.solved, attachments=attachments or ()
    )
    return _action_out(order)


@router.get(
    "/orders/{no}/files/{file_id}",
    response=_errors(401, 403, 404),
    openapi_extra={
        "responses": {
            200: {
                "description": "附件文件",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="下载工单附件（与页面相同：保密工单的来电人附件不对承办单位开放；每次下载记入审计）",
)
def order_file(request, no: str, file_id: int):
    staff = _staff(request)
    order = selectors.order_get_for_staff(no=no[:24], staff=staff)
    att = order.attachments.filter(pk=file_id).first()
    if att is None or not (att.by_unit or selectors.sees_caller(staff, order)):
        raise NotFound("附件不存在或您无权查看")
    with transaction.atomic():
        audit_record(
            actor=_user(request),
            action=AuditEvent.Action.VIEW,
            obj=att,
            request=request,
            summary=f"下载12345工单{order.no}的附件“{att.name}”",
        )
    return FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type="application/octet-stream"
    )


@router.get(
    "/knowledge",
    response={200: KnowledgeOut, **_errors(401, 403, 422)},
    summary="知识库检索（汉字、全拼或拼音首字母；含事项办事指南）",
)
def knowledge(
    request, q: str = Query(..., min_length=1, max_length=40), limit: int = page_limit(10, maximum=50)
):
    _staff(request)
    found = selectors.knowledge_search(q=q, limit=limit)
    return {
        "articles": [
            {
                "id": a.id,
                "title": a.title,
                "body": a.body,
                "category": a.category.name if a.category_id else "",
                "department": a.department.name if a.department_id else "",
            }
            for a in found["articles"]
        ],
        "items": [
            {
                "impl_code": i.impl_code,
                "name": i.name,
                "department": i.department.name,
                "url": f"/items/{i.impl_code}/",
            }
            for i in found["items"]
        ],
    }


@router.post(
    "/progress",
    auth=None,
    response={200: ProgressOut, **_errors(400, 404, 422, 429)},
    summary="12345工单进度查询（工单编号 + 来电号码；无需登录）",
    description="号码不匹配与工单不存在的答复完全相同（404），匿名来电的工单无法查询。同一客户端十分钟内失败十次后暂停查询"
    "（429），与办件进度查询共用计数。只返回办理进度和承办单位名称，不含工作人员姓名。",
)
def progress(request, body: ProgressIn):
    no, phone = body.no.strip(), body.phone.strip()
    if not no or not phone:
        raise DomainError("progress_input", "请输入工单编号（24字以内）和来电号码（20字以内）")
    who = throttle.client_key(request)
    throttle.attempt(
        selectors.PROGRESS_SCOPE, who, limit=selectors.PROGRESS_FAILURES, window=selectors.PROGRESS_WINDOW
    )
    order = selectors.order_progress_public(no=no, phone=phone)  # NotFound: the attempt stays counted
    throttle.forgive(selectors.PROGRESS_SCOPE, who)
    p = selectors.order_progress(order)
    return {
        "no": order.no,
        "category": order.category.name,
        "kind": order.kind,
        "status": order.status,
        "status_label": p.status_label,
        "created_at": order.created_at,
        "merged_into": p.merged_into,
        "main_unit": p.main_unit,
        "assist_units": p.assist_units,
        "sign_due_at": p.sign_due_at,
        "due_on": p.due_on,
        "reply_text": p.reply_text,
        "reply_solved": p.reply_solved,
        "replied_at": p.replied_at,
        "events": [{"action": e.action, "at": e.at, "note": e.note} for e in p.events],
    }
