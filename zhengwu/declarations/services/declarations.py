"""Declaring an activity that touches enterprises, and its lifecycle: ``declaration_create`` (a draft) and
``declaration_act`` (submit, approve, refuse, withdraw, record, close). Each is one transaction that locks the
declaration, checks the transition table, writes its event and audit row and starts or ends the approval clock;
a refusal (Chinese ``DomainError``) writes nothing.

The per-enterprise limit (``Policy.max_inspections_per_year``) and the “无事不扰” 免检期 (``QuietPeriod``) apply
to 检查 and 抽查. Exceeding them is decided at submission: with ``Policy.over_limit == "reason"`` (the default)
the department must give a reason (超限理由: 投诉举报、上级交办、案件线索 …) which the office sees when it
decides; with ``"refuse"`` such a declaration cannot be submitted at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldChecks, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.core.notify import Message, notify
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_uscc
from zhengwu.supervision.clocks import clock_finish, clock_start

from .. import clocks
from ..models import (
    LIMITED_TYPES,
    ActivityType,
    Declaration,
    DeclarationStatus,
    Inspector,
    OverLimitMode,
    QuietPeriod,
    Target,
)
from ..transitions import TRANSITIONS
from . import common

__all__ = ["declaration_act", "declaration_create", "limit_problems"]

S = DeclarationStatus
MAX_TARGETS = 500
MAX_INSPECTORS = 20
NO_BASIS = "请填写法律依据：未列明法律、法规、规章依据的涉企活动不予申报"


def _as_date(value, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError("declarations_date", f"请填写{label}（格式 2026-12-31）") from None


def _targets(rows: Iterable, *, is_random: bool) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for row in rows or []:
        uscc, name = (row.get("uscc"), row.get("name")) if isinstance(row, dict) else row
        code = validate_uscc(uscc)
        name = common.required(name, "declarations_target_name", f"请填写统一社会信用代码为 {code} 的企业名称", 100)
        if code in seen:
            raise DomainError("declarations_target_twice", f"企业 {code} 重复列入")
        seen[code] = name
    if len(seen) > MAX_TARGETS:
        raise DomainError("declarations_targets", f"一次申报涉及企业不超过{MAX_TARGETS}家")
    if not seen and not is_random:
        raise DomainError("declarations_targets", "请列明涉及的企业（统一社会信用代码和名称），双随机抽查请填写抽查范围")
    return list(seen.items())


def _inspectors(rows: Iterable, *, activity_type: str) -> list[tuple[str, str]]:
    out = []
    for row in rows or []:
        name, cert = (row.get("name"), row.get("cert_no")) if isinstance(row, dict) else row
        name = common.required(name, "declarations_inspector", "请填写执法（检查）人员姓名", 32)
        cert = common.required(cert, "declarations_inspector", f"请填写{name}的执法证号", 32)
        out.append((name, cert))
    if len(out) > MAX_INSPECTORS:
        raise DomainError("declarations_inspectors", f"执法（检查）人员不超过{MAX_INSPECTORS}人")
    if activity_type in LIMITED_TYPES and len(out) < 2:
        raise DomainError("declarations_inspectors", "检查、抽查须列明不少于两名执法人员的姓名和执法证号")
    return out


def declaration_create(*, user, activity_type: str, title: str, legal_basis: str, start_date, end_date,
                       targets: Iterable = (), inspectors: Iterable = (), content: str = "", is_random: bool = False,
                       scope: str = "", is_joint: bool = False, joint_departments: str = "",
                       over_limit_reason: str = "") -> Declaration:
    """A draft declaration of the user's department; every field checked here, a refusal writes nothing."""
    staff = common.active_staff(user)
    if staff is None or staff.department_id is None:
        raise PermissionDenied("只有部门在岗工作人员可以申报涉企活动")
    checks = FieldChecks()  # every field checked, all refusals at once (the page shows each beside its field)
    start = end = None
    rows: list = []
    people: list = []
    with checks.field("activity_type"):
        if activity_type not in ActivityType.values:
            raise DomainError("declarations_type", "请选择活动类型：检查、抽查、考核评比、会议、培训、收费或其他")
    with checks.field("legal_basis"):
        legal_basis = common.required(legal_basis, "declarations_legal_basis", NO_BASIS, 500)
    with checks.field("title"):
        title = common.required(title, "declarations_title", "请填写活动事项", 200)
    with checks.field("content"):
        content = common.optional(content, "declarations_content", "活动内容", 2000)
    with checks.field("scope"):
        scope = common.optional(scope, "declarations_scope", "抽查范围", 200)
        if is_random and not scope:
            raise DomainError("declarations_scope", "双随机抽查请填写抽查范围（行业或区域）")
    with checks.field("joint_departments"):
        joint_departments = common.optional(joint_departments, "declarations_joint", "联合部门", 200)
        if is_joint and not joint_departments:
            raise DomainError("declarations_joint", "联合检查请填写参加的部门")
    with checks.field("over_limit_reason"):
        over_limit_reason = common.optional(over_limit_reason, "declarations_reason", "超限理由", 500)
    with checks.field("start_date"):
        start = _as_date(start_date, "计划开始日期")
        if start < clock.today():
            raise DomainError("declarations_dates", "计划开始日期已过：涉企活动须事前申报")
    with checks.field("end_date"):
        end = _as_date(end_date, "计划结束日期")
        if start is not None and start > end:
            raise DomainError("declarations_dates", "计划开始日期不能晚于结束日期")
    with checks.field("targets"):
        rows = _targets(targets, is_random=is_random)
    with checks.field("inspectors"):
        people = _inspectors(inspectors, activity_type=activity_type)
    checks.done()
    with transaction.atomic():
        d = Declaration.objects.create(
            department_id=staff.department_id, region=staff.department.region, created_by=staff,
            activity_type=activity_type, title=title, legal_basis=legal_basis, content=content,
            is_random=bool(is_random), scope=scope, is_joint=bool(is_joint), joint_departments=joint_departments,
            start_date=start, end_date=end, over_limit_reason=over_limit_reason)
        Target.objects.bulk_create([Target(declaration=d, uscc=u, name=n) for u, n in rows])
        Inspector.objects.bulk_create([Inspector(declaration=d, name=n, cert_no=c) for n, c in people])
        common.event_record(declaration=d, action="create", actor=user, from_status="", note=title)
        audit_record(actor=user, action=AuditEvent.Action.CREATE, obj=d, summary=f"登记涉企活动申报：{title}")
    return d


def limit_problems(d: Declaration) -> list[str]:
    """Why ``d`` exceeds the policy (per-enterprise yearly limit, 免检期), in Chinese; empty when it does not."""
    if d.activity_type not in LIMITED_TYPES:
        return []
    policy = common.policy_for(d.region)
    problems = []
    counted = (S.SUBMITTED, S.APPROVED, S.CARRIED_OUT, S.CLOSED)
    codes = list(d.targets.values_list("uscc", "name"))
    if codes:
        year = d.start_date.year
        rows = (Target.objects.filter(uscc__in=[c for c, _ in codes], declaration__department_id=d.department_id,
                                      declaration__activity_type__in=LIMITED_TYPES,
                                      declaration__status__in=counted, declaration__start_date__year=year)
                .exclude(declaration_id=d.pk).values_list("uscc", flat=True))
        seen: dict[str, int] = {}
        for u in rows:
            seen[u] = seen.get(u, 0) + 1
        for code, name in codes:
            if seen.get(code, 0) >= policy.max_inspections_per_year:
                problems.append(f"本部门{year}年已对{name}检查{seen[code]}次，达到每年{policy.max_inspections_per_year}次的上限")
    region_ids = [d.region_id] + [r.pk for r in d.region.ancestors()]
    for q in QuietPeriod.objects.filter(region_id__in=region_ids, start__lte=d.end_date, end__gte=d.start_date):
        problems.append(f"计划日期与免检期“{q.name}”（{q.start:%m月%d日}～{q.end:%m月%d日}）重叠")
    return problems


def _submit(d: Declaration, user, data: dict) -> dict:
    if not d.legal_basis.strip():
        raise DomainError("declarations_legal_basis", NO_BASIS)
    today = clock.today()
    if d.start_date < today:
        raise DomainError("declarations_dates", "计划开始日期已过：涉企活动须事前申报，请撤回后重新登记")
    policy = common.policy_for(d.region)
    if policy.min_lead_days and (d.start_date - today).days < policy.min_lead_days:
        raise DomainError("declarations_lead", f"涉企活动须至少提前{policy.min_lead_days}天申报")
    reason = common.optional(data.get("over_limit_reason"), "declarations_reason", "超限理由", 500) or d.over_limit_reason
    problems = limit_problems(d)
    if problems:
        if policy.over_limit == OverLimitMode.REFUSE:
            raise DomainError("declarations_over_limit", "；".join(problems) + "。按规定不予申报")
        if not reason:
            raise DomainError("declarations_over_limit", "；".join(problems) + "。如确需开展，请填写超限理由（如投诉举报、上级交办）")
    d.over_limit_reason = reason if problems else d.over_limit_reason
    d.status, d.submitted_at = S.SUBMITTED, clock.now()
    d.save(update_fields=["status", "submitted_at", "over_limit_reason"])
    due = common.workday_due(today, policy.approval_workdays, region=d.region)
    clock_start(kind=clocks.APPROVAL.code, subject=common.declaration_subject(d), region=d.region, due_date=due,
                head=None)
    return {"due": due.isoformat(), "over_limit": problems}


def _approve(d: Declaration, user, data: dict) -> dict:
    if d.end_date < clock.today():
        raise DomainError("declarations_dates", "该活动的计划结束日期已过，不能备案，请不予备案并说明理由")
    staff = common.office_staff(user, d.region)
    for _ in range(5):
        code = common.code_make("SQ", clock.today())
        if not Declaration.objects.filter(code=code).exists():
            break
    else:  # pragma: no cover - 20 million codes a day
        raise DomainError("declarations_code", "备案码生成失败，请重试")
    d.status, d.code, d.decided_at, d.decided_by = S.APPROVED, code, clock.now(), staff
    d.save(update_fields=["status", "code", "decided_at", "decided_by"])
    clock_finish(subject=common.declaration_subject(d), kind=clocks.APPROVAL.code, reason="申报已审批")
    _tell(d, f"您部门申报的涉企活动“{d.title}”已备案，备案码 {code}。请执法人员入企时出示备案码。")
    return {"code": code}


def _refuse(d: Declaration, user, data: dict) -> dict:
    reason = common.required(data.get("reason"), "declarations_reason", "请填写不予备案的理由", 500)
    d.status, d.refuse_reason = S.REFUSED, reason
    d.decided_at, d.decided_by = clock.now(), common.office_staff(user, d.region)
    d.save(update_fields=["status", "refuse_reason", "decided_at", "decided_by"])
    clock_finish(subject=common.declaration_subject(d), kind=clocks.APPROVAL.code, reason="申报已审批")
    _tell(d, f"您部门申报的涉企活动“{d.title}”不予备案：{reason}")
    return {"reason": reason}


def _withdraw(d: Declaration, user, data: dict) -> dict:
    reason = common.optional(data.get("reason"), "declarations_reason", "撤回理由", 500)
    was = d.status
    d.status = S.WITHDRAWN
    d.save(update_fields=["status"])
    if was == S.SUBMITTED:
        clock_finish(subject=common.declaration_subject(d), kind=clocks.APPROVAL.code, reason="申报已撤回",
                     counts=False)
    return {"reason": reason}


def _record(d: Declaration, user, data: dict) -> dict:
    code = validate_uscc(data.get("uscc") or "")
    visited = _as_date(data.get("visited_on"), "执行日期")
    result = common.required(data.get("result"), "declarations_result", "请填写执行结果（检查情况、发现问题及处理）", 500)
    if visited > clock.today():
        raise DomainError("declarations_visit_date", "执行日期不能晚于今天")
    if not d.start_date <= visited <= d.end_date:
        raise DomainError("declarations_visit_date",
                          f"执行日期应在备案的计划日期内（{d.start_date:%Y-%m-%d} 至 {d.end_date:%Y-%m-%d}）")
    target = d.targets.select_for_update().filter(uscc=code).first()
    if target is None:
        if not d.is_random:
            raise DomainError("declarations_not_target", "该企业不在本次申报的企业名单内，不能登记")
        name = common.required(data.get("name"), "declarations_target_name", "请填写被抽中企业的名称", 100)
        try:
            with transaction.atomic():
                target = Target.objects.create(declaration=d, uscc=code, name=name)
        except IntegrityError:
            raise DomainError("declarations_target_twice", f"企业 {code} 已登记") from None
    target.visited_on, target.result = visited, result
    target.save(update_fields=["visited_on", "result"])
    d.status = S.CARRIED_OUT
    d.save(update_fields=["status"])
    return {"uscc": code, "name": target.name, "visited_on": visited.isoformat()}


def _close(d: Declaration, user, data: dict) -> dict:
    if not d.targets.filter(visited_on__isnull=False).exists():
        raise DomainError("declarations_close", "尚未登记任何企业的执行情况，不能办结")
    d.status, d.closed_at = S.CLOSED, clock.now()
    d.save(update_fields=["status", "closed_at"])
    return {}


def _tell(d: Declaration, text: str) -> None:
    staff = d.created_by
    notify(Message(to_phone=staff.phone or "", to_user_id=staff.user_id, text=text, kind="declarations",
                   data={"declaration": d.pk}))


_HANDLERS = {"submit": _submit, "approve": _approve, "refuse": _refuse, "withdraw": _withdraw,
             "record": _record, "close": _close}


def declaration_act(*, declaration_id: int, user, action: str, data: dict | None = None) -> dict:
    """Do ``action`` on the declaration (``transitions.TRANSITIONS``); the result's details as a dict."""
    data = data or {}
    handler = _HANDLERS.get(action)
    if handler is None:
        raise DomainError("declarations_action", f"未知操作：{action}")
    with transaction.atomic():
        d = common.declaration_lock(declaration_id)
        common.transition_check(d, action, user)
        was = d.status
        result = handler(d, user, data)
        note = str(result.get("reason") or result.get("code") or result.get("name") or "")
        common.event_record(declaration=d, action=action, actor=user, from_status=was, note=note)
        audit_record(actor=user, action=AuditEvent.Action.UPDATE, obj=d,
                     summary=f"{TRANSITIONS[action].label}：{d.title}" + (f"（{note}）" if note else ""))
    return result
