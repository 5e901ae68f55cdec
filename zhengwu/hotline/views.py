"""Hotline pages: the call-taker's 坐席 intake, the units' workbench, the centre's queues, the order page
with its actions, the KPI dashboard and the public 曝光台.

Thin views: reads through ``selectors`` (scope checked there), each change through one ``services``
function; a refused change is a ``DomainError`` whose Chinese message is shown as it is.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.formerrors import FieldErrors
from zhengwu.core.models import AuditEvent
from zhengwu.core.pages import staff_pages
from zhengwu.core.services import audit_record
from zhengwu.org.models import Department, Hall, Region, Role

from . import selectors, services
from .models import (
    Callback,
    Category,
    Channel,
    Emergency,
    ExtensionState,
    Kind,
    Order,
    Source,
    Status,
    Urgency,
)
from .services import common
from .transitions import TRANSITIONS

PAGE = 50
QUEUES = {
    "pending": ("待派单", [Status.PENDING]),
    "returned": ("退单审核", [Status.RETURNED]),
    "callback": ("待回访", [Status.CALLBACK]),
    "open": ("在办", [Status.DISPATCHED, Status.HANDLING, Status.REVIEWING]),
    "closed": ("已办结", [Status.CLOSED]),
    "all": ("全部", []),
}


hotline_staff = staff_pages("hotline/message.html", "12345热线工作页面仅限在岗工作人员使用。")


def _ctx(request, **extra) -> dict:
    staff = request.staff
    return {
        "staff": staff,
        "is_centre": common.is_centre(staff),
        "is_admin": common.is_centre(staff, admin=True),
        "is_unit": selectors.is_unit_reader(staff),
        "can_kpi": common.is_centre(staff) or staff.has_role(Role.LEADER, Role.SUPERVISOR),
        **extra,
    }


@hotline_staff
def home(request):
    if common.is_centre(request.staff):
        return redirect("hotline:intake")
    if request.staff.has_role(Role.LEADER, Role.SUPERVISOR):
        return redirect("hotline:kpi")
    return redirect("hotline:orders")


# -- 坐席 intake --------------------------------------------------------------------------------------------


INTAKE_FIELDS = [
    "channel",
    "source",
    "kind",
    "category",
    "region",
    "address",
    "text",
    "caller_phone",
    "caller_name",
    "urgency",
    "main_department",
    "main_hall",
    "answer",
    "to",
    "reason",
]


def _regions(staff) -> list[Region]:
    juris = services.setting_get().jurisdiction or staff.region
    return list(Region.objects.filter(code__startswith=juris.code_prefix).order_by("code"))


INTAKE_LABELS = {
    "caller_phone": "联系电话",
    "caller_name": "姓名",
    "channel": "渠道",
    "source": "来源热线",
    "kind": "诉求类型",
    "category": "派单目录",
    "urgency": "紧急程度",
    "region": "所在区划",
    "address": "详细地址",
    "text": "诉求内容",
    "attachments": "附件",
    "main_department": "主办部门",
    "main_hall": "属地承办",
    "answer": "答复内容",
    "to": "转至",
    "reason": "原因",
}


def add_service_errors(errors: FieldErrors, exc: DomainError, labels: dict[str, str]) -> None:
    """A service's refusal beside its fields: this app's services name them in ``details`` as a list of
    ``{field, message}`` (``services.orders.fields_done``); anything else is a general error."""
    named = [d for d in exc.details if isinstance(d, dict) and d.get("field") in labels] if isinstance(
        exc.details, list) else []
    if not named:
        errors.add_domain(exc, labels=labels)
        return
    for d in exc.details:
        if isinstance(d, dict) and d.get("field") in labels:
            errors.add(d["field"], labels[d["field"]], d.get("message") or exc.message)
        else:
            errors.add_general(d.get("message") if isinstance(d, dict) and d.get("message") else exc.message)


def _intake_form(post) -> dict:
    return {f: (post.get(f) or "").strip() for f in INTAKE_FIELDS} | {
        "anonymous": bool(post.get("anonymous")),
        "confidential": bool(post.get("confidential")),
        "publish_consent": bool(post.get("publish_consent")),
    }


@hotline_staff
def intake(request):
    staff = request.staff
    if not common.is_centre(staff):
        raise PermissionDenied("坐席受理页面仅限热线中心话务员和热线管理员使用")
    q = (request.GET.get("q") or "").strip()[:40]
    form = _intake_form(request.POST) if request.method == "POST" else {"channel": "phone", "source": "12345"}
    found = selectors.knowledge_search(q=q) if q else None
    dupes, suggest, errors = [], None, FieldErrors()
    if request.method == "POST":
        op = request.POST.get("op", "check")
        cat = Category.objects.filter(code=form["category"], active=True).first()
        region = Region.objects.filter(code=form["region"]).first()
        dupes = selectors.duplicates(phone=form["caller_phone"], address=form["address"], category=cat)
        if cat and region:
            suggest = services.dispatch_suggest(category=cat, region=region)
        if op != "check":
            try:
                order = _intake_submit(request, form, op)
            except DomainError as exc:
                add_service_errors(errors, exc, INTAKE_LABELS)
            else:
                return redirect("hotline:order", no=order.no)
    return render(
        request,
        "hotline/intake.html",
        _ctx(
            request,
            q=q,
            found=found,
            form=form,
            dupes=dupes,
            suggest=suggest,
            errors=errors,
            categories=Category.objects.filter(active=True).order_by("sort", "code"),
            regions=_regions(staff),
            departments=Department.objects.filter(is_active=True).order_by("code"),
            halls=Hall.objects.filter(is_active=True).exclude(kind__in=[Hall.Kind.CENTER, Hall.Kind.TRADING_CENTER]).order_by("code"),
            channels=Channel.choices,
            sources=Source.choices,
            kinds=Kind.choices,
            urgencies=Urgency.choices,
            emergencies=Emergency.choices,
        ),
        status=422 if errors else 200,  # a refused call wrote nothing: its one-time form token is not kept
    )


def _unit_from(form) -> object | None:
    if form.get("main_department"):
        d = Department.objects.filter(code=form["main_department"], is_active=True).first()
        if d is None:
            raise DomainError("unknown_department", "请选择有效的主办部门")
        return d
    if form.get("main_hall"):
        h = Hall.objects.filter(code=form["main_hall"], is_active=True).first()
        if h is None:
            raise DomainError("unknown_hall", "请选择有效的属地承办单位")
        return h
    return None


def _intake_submit(request, form: dict, op: str) -> Order:
    """One call: create the order and, in the same request, dispatch, answer or transfer it."""
    staff = request.staff
    if op not in ("dispatch", "answer", "transfer", "save"):
        raise DomainError("invalid_op", "请选择派单、直接答复、转警或暂存")
    with transaction.atomic():
        order = services.order_create(
            channel=form["channel"],
            source=form["source"],
            kind=form["kind"],
            category=form["category"],
            region=form["region"],
            text=form["text"],
            caller_phone=form["caller_phone"],
            caller_name=form["caller_name"],
            anonymous=form["anonymous"],
            confidential=form["confidential"],
            publish_consent=form["publish_consent"],
            address=form["address"],
            urgency=form["urgency"],
            actor=staff,
            attachments=request.FILES.getlist("attachments"),
        )
        if op == "dispatch":
            order = services.order_dispatch(order=order, staff=staff, main=_unit_from(form))
        elif op == "answer":
            order = services.order_answer(order=order, staff=staff, answer=form["answer"])
        elif op == "transfer":
            order = services.order_transfer(order=order, staff=staff, to=form["to"], reason=form["reason"])
    messages.success(request, f"工单{order.no}已{Status(order.status).label}")
    return order


# -- lists ----------------------------------------------------------------------------------------------------


@hotline_staff
def orders(request):
    staff = request.staff
    queue = request.GET.get("queue", "")
    q = (request.GET.get("q") or "").strip()[:40]
    extensions, overdue = [], []
    if common.is_centre(staff):
        queue = queue if queue in QUEUES or queue in ("extensions", "overdue") else "pending"
        qs = selectors.order_list_for_centre(staff=staff, q=q)
        if queue in QUEUES and QUEUES[queue][1]:
            qs = qs.filter(status__in=QUEUES[queue][1])
        if queue == "extensions":
            extensions = list(selectors.extension_queue(staff=staff))
            qs = qs.filter(extensions__state=ExtensionState.PENDING).distinct()
        if queue == "overdue":
            qs = selectors.overdue_orders(staff=staff)
    else:
        queue = queue if queue in ("todo", "all") else "todo"
        qs = selectors.order_list_for_staff(staff=staff)
        if queue == "todo":
            qs = qs.filter(status__in=[Status.DISPATCHED, Status.HANDLING, Status.REVIEWING])
    qs = (
        qs.order_by("due_on", "-created_at")
        if queue in ("todo", "open", "overdue")
        else qs.order_by("-created_at")
    )
    if request.GET.get("export") == "csv":
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.EXPORT,
                object_type="hotline.order",
                request=request,
                summary=f"导出12345工单列表（{queue or '全部'}）",
            )
        return _export(staff, qs[:5000])
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    rows = [(o, selectors.caller_for(staff, o)) for o in page]
    return render(
        request,
        "hotline/orders.html",
        _ctx(
            request,
            page=page,
            rows=rows,
            queue=queue,
            q=q,
            queues=QUEUES,
            extensions=extensions,
            overdue=overdue,
            today=clock.today(),
        ),
    )


def _export(staff, qs) -> HttpResponse:
    """The list as CSV: the caller exactly as this reader may see them (保密 stays 保密)."""
    resp = HttpResponse(content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="hotline-orders.csv"'
    resp.write("\ufeff")
    out = csv.writer(resp)
    out.writerow(
        ["工单编号", "状态", "类型", "目录", "区划", "来电人", "联系电话", "主办单位", "受理时间", "办结期限"]
    )
    for o in qs:
        c = selectors.caller_for(staff, o)
        out.writerow(
            [
                o.no,
                Status(o.status).label,
                Kind(o.kind).label,
                o.category.name,
                o.region.name,
                c.name,
                c.phone,
                selectors.main_unit_name(o),
                f"{o.created_at:%Y-%m-%d %H:%M}",
                o.due_on or "",
            ]
        )
    return resp


# -- one order ------------------------------------------------------------------------------------------------


@hotline_staff
def order_detail(request, no):
    staff = request.staff
    order = selectors.order_get_for_staff(no=no, staff=staff)
    ext = order.extensions.filter(state=ExtensionState.PENDING).first()
    return render(
        request,
        "hotline/order.html",
        _ctx(
            request,
            order=order,
            caller=selectors.caller_for(staff, order, full=True),
            units=selectors.units_of(order),
            events=selectors.events_for(staff, order),
            actions=[TRANSITIONS[a] for a in selectors.actions_for(staff, order)],
            pending_ext=ext,
            attachments=[
                a for a in order.attachments.all() if a.by_unit or selectors.sees_caller(staff, order)
            ],
            departments=Department.objects.filter(is_active=True).order_by("code"),
            halls=Hall.objects.filter(is_active=True).exclude(kind__in=[Hall.Kind.CENTER, Hall.Kind.TRADING_CENTER]).order_by("code"),
            emergencies=Emergency.choices,
            callbacks=Callback.choices,
            merged=list(order.merged.all()),
            suggest=services.dispatch_suggest(category=order.category, region=order.region)
            if order.status in (Status.PENDING, Status.RETURNED)
            else None,
        ),
    )


@require_POST
@hotline_staff
def order_act(request, no, action):
    staff = request.staff
    order = selectors.order_get_for_staff(no=no, staff=staff)
    if action not in TRANSITIONS or action == "create":
        raise NotFound("没有这个操作")
    p = request.POST
    note = (p.get("note") or "").strip()
    s = services
    try:
        if action in ("dispatch", "reassign"):
            unit = _unit_from(
                {"main_department": p.get("main_department", ""), "main_hall": p.get("main_hall", "")}
            )
            assist = [d for d in Department.objects.filter(code__in=p.getlist("assist")) if d.is_active]
            fn = s.order_dispatch if action == "dispatch" else s.order_reassign
            fn(order=order, staff=staff, main=unit, assist=assist, note=note)
        elif action == "answer":
            s.order_answer(order=order, staff=staff, answer=note)
        elif action == "transfer":
            s.order_transfer(order=order, staff=staff, to=p.get("to", ""), reason=p.get("reason", ""))
        elif action == "merge":
            into = Order.objects.filter(no=(p.get("into") or "").strip()).first()
            if into is None or not selectors.may_read(staff, into):
                raise DomainError("merge_target", "请填写有效的主工单编号")
            s.order_merge(order=order, into=into, staff=staff, note=note)
        elif action == "sign":
            s.order_sign(order=order, staff=staff)
        elif action == "return":
            s.order_return(order=order, staff=staff, reason=p.get("reason", ""))
        elif action == "reject_return":
            s.order_reject_return(order=order, staff=staff, note=note)
        elif action == "extend_request":
            try:
                days = int(p.get("days") or 0)
            except ValueError:
                days = 0
            s.order_extend_request(order=order, staff=staff, days=days, reason=p.get("reason", ""))
        elif action == "extend_decide":
            ext = order.extensions.filter(state=ExtensionState.PENDING).first()
            if ext is None:
                raise DomainError("no_extension", "该工单没有待审批的延期申请")
            s.order_extend_decide(extension=ext, staff=staff, approve=p.get("approve") == "1", note=note)
        elif action == "reply":
            s.order_reply(
                order=order,
                staff=staff,
                text=p.get("text", ""),
                solved=p.get("solved") == "1",
                attachments=request.FILES.getlist("attachments"),
            )
        elif action == "approve":
            s.order_approve(order=order, staff=staff, note=note)
        elif action == "send_back":
            s.order_send_back(order=order, staff=staff, note=note)
        elif action == "urge":
            s.order_urge(order=order, staff=staff, note=note)
        elif action == "supervise":
            s.order_supervise(order=order, staff=staff, note=note)
        elif action == "callback":
            s.order_callback(
                order=order,
                staff=staff,
                result=p.get("result", ""),
                solved=p.get("solved") == "1",
                unit_fault=p.get("unit_fault") == "1",
                note=note,
            )
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{TRANSITIONS[action].label}已完成")
    back = reverse("hotline:order", args=[order.no])
    try:
        selectors.order_get_for_staff(no=order.no, staff=staff)
    except NotFound:  # 改派 elsewhere: the unit no longer reads the order
        back = reverse("hotline:orders")
    return redirect(back)


@hotline_staff
def attachment(request, no, pk):
    """A file of the order, to whoever may read it: the caller's files only to those who may see the
    caller (never to a 保密 order's unit); every download is in the audit trail."""
    staff = request.staff
    order = selectors.order_get_for_staff(no=no, staff=staff)
    att = order.attachments.filter(pk=pk).first()
    if att is None or not (att.by_unit or selectors.sees_caller(staff, order)):
        raise NotFound("附件不存在或您无权查看")
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            obj=att,
            request=request,
            summary=f"下载12345工单{order.no}的附件“{att.name}”",
        )
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@hotline_staff
def supervise_notice(request, no):
    """The printable 督办通知 of the order's latest 督办."""
    order = selectors.order_get_for_staff(no=no, staff=request.staff)
    ev = order.events.filter(action="supervise").order_by("-id").first()
    if ev is None:
        raise NotFound("该工单尚未督办")
    return render(request, "hotline/notice.html", _ctx(request, order=order, ev=ev))
