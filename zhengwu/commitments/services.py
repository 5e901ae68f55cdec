"""Every write of public commitments, each one transaction with its audit row.

Who may do what:
- write and submit a version: the department's 首席代表 or 部门负责人 (a department's or its window's
  commitment); for a 综合窗口 the hall's 中心管理员;
- sign (publish) or return it: the department's 部门负责人 (for a 综合窗口: the hall's 中心管理员) —
  the head signs what the public is promised;
- file a complaint against a commitment and decide it (属实/不属实): a 效能监察员 whose region covers
  the commitment's. Filing starts the supervised clock of the check; deciding finishes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from zhengwu.catalog.models import Item
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldChecks, NotFound, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_record
from zhengwu.org.models import Department, Role, Staff, Window
from zhengwu.supervision import clocks as sv
from zhengwu.workdays.engine import due_date

from . import clocks as kinds
from .models import (
    Breach,
    BreachSource,
    BreachStatus,
    Clause,
    ClauseKind,
    Commitment,
    CommitmentPolicy,
    CommitmentVersion,
    Scope,
    VersionStatus,
)

MAX_CLAUSES = 30
CLAUSE_MAX = 300
SUBJECT_TYPE = "commitment_breach"


@dataclass(frozen=True)
class ClauseIn:
    kind: str
    text: str


# -- who may ---------------------------------------------------------------------------------------------------


def region_of(c: Commitment):
    return c.window.hall.region if c.scope == Scope.WINDOW else c.department.region


def may_write(staff: Staff, c: Commitment) -> bool:
    codes = staff.role_codes()
    if c.department_id is None:  # a 综合窗口
        return Role.HALL_ADMIN in codes and staff.hall_id == c.hall_id
    if staff.department_id != c.department_id or not codes & {Role.CHIEF_REP, Role.DEPT_HEAD}:
        return False
    return region_of(c).code.startswith(staff.region.code_prefix)


def may_sign(staff: Staff, c: Commitment) -> bool:
    codes = staff.role_codes()
    if c.department_id is None:
        return Role.HALL_ADMIN in codes and staff.hall_id == c.hall_id
    return (Role.DEPT_HEAD in codes and staff.department_id == c.department_id
            and region_of(c).code.startswith(staff.region.code_prefix))


def may_supervise(staff: Staff, c: Commitment) -> bool:
    return staff.has_role(Role.SUPERVISOR) and region_of(c).code.startswith(staff.region.code_prefix)


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message, code="commitment_forbidden")


# -- versions ----------------------------------------------------------------------------------------------------


def _lock(commitment_id: int) -> Commitment:
    c = (Commitment.objects.select_for_update(of=("self",))
         .select_related("department__region", "window__hall__region", "hall", "current")
         .filter(pk=commitment_id).first())
    if c is None:
        raise NotFound("公开承诺不存在", code="commitment_not_found")
    return c


def _lock_version(version_id: int) -> CommitmentVersion:
    v = CommitmentVersion.objects.filter(pk=version_id).values_list("commitment_id", flat=True).first()
    if v is None:
        raise NotFound("承诺版本不存在", code="commitment_version_not_found")
    c = _lock(v)
    version = CommitmentVersion.objects.select_for_update().get(pk=version_id)
    version.commitment = c
    return version


def commitment_open(*, actor: Staff, department: Department | None = None, window: Window | None = None) -> CommitmentVersion:
    """Start a new version (草稿) of the department's or window's commitment — the first one, or a
    revision copying the version in force. Refused while another version is being written or signed."""
    if (department is None) == (window is None):
        raise DomainError("commitment_owner", "请指定一个部门或一个窗口")
    with transaction.atomic():
        if window is not None:
            window = Window.objects.select_related("hall__region", "department").get(pk=window.pk)
            c, _ = Commitment.objects.get_or_create(
                scope=Scope.WINDOW, window=window,
                defaults={"hall": window.hall, "department": window.department})
        else:
            c, _ = Commitment.objects.get_or_create(scope=Scope.DEPARTMENT, department=department)
        c = _lock(c.pk)
        _need(may_write(actor, c), "只有本部门（窗口）的首席代表或部门负责人可以起草公开承诺")
        if c.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.SUBMITTED]).exists():
            raise DomainError("commitment_open_version", "该承诺已有正在起草或待签发的版本，请先完成或退回")
        base = c.current
        last = c.versions.order_by("-version").values_list("version", flat=True).first() or 0
        v = CommitmentVersion.objects.create(
            commitment=c, version=last + 1, drafted_by=actor, drafted_at=clock.now(),
            standards=base.standards if base else "", service_hours=base.service_hours if base else "",
            supervision_phone=base.supervision_phone if base else "")
        if base is not None:
            Clause.objects.bulk_create([Clause(version=v, seq=k.seq, kind=k.kind, text=k.text)
                                        for k in base.clauses.all()])
        audit_record(actor=actor.user, action=AuditEvent.Action.CREATE, obj=v,
                     summary=f"起草公开承诺：{c.owner_name} 第{v.version}版")
    return v


def _clean_clauses(clauses: list[ClauseIn]) -> list[ClauseIn]:
    if len(clauses) > MAX_CLAUSES:
        raise DomainError("commitment_clauses", f"承诺条款不能超过 {MAX_CLAUSES} 条")
    out = []
    for i, k in enumerate(clauses, 1):
        text = (k.text or "").strip()
        if not text:
            continue
        if k.kind not in ClauseKind.values:
            raise DomainError("commitment_clause_kind", f"第 {i} 条承诺的类别不正确")
        if len(text) > CLAUSE_MAX:
            raise DomainError("commitment_clause_text", f"第 {i} 条承诺超过 {CLAUSE_MAX} 字")
        out.append(ClauseIn(k.kind, text))
    return out


def version_update(*, actor: Staff, version_id: int, standards: str, service_hours: str, supervision_phone: str,
                   change_note: str, clauses: list[ClauseIn]) -> CommitmentVersion:
    """Rewrite a draft: its texts and its whole list of clauses."""
    clauses = _clean_clauses(clauses)
    limits = {"standards": ("服务标准", 4000, standards), "service_hours": ("服务时间", 100, service_hours),
              "supervision_phone": ("监督电话", 40, supervision_phone), "change_note": ("修订说明", 300, change_note)}
    for label, limit, value in limits.values():
        if len(value or "") > limit:
            raise DomainError("commitment_field_length", f"{label}不能超过 {limit} 字")
    with transaction.atomic():
        v = _lock_version(version_id)
        _need(may_write(actor, v.commitment), "只有本部门（窗口）的首席代表或部门负责人可以修改公开承诺")
        if v.status != VersionStatus.DRAFT:
            raise DomainError("commitment_not_draft", "只有草稿可以修改")
        for field, (_label, _limit, value) in limits.items():
            setattr(v, field, (value or "").strip())
        v.save(update_fields=list(limits))
        v.clauses.all().delete()
        Clause.objects.bulk_create([Clause(version=v, seq=i, kind=k.kind, text=k.text)
                                    for i, k in enumerate(clauses, 1)])
        audit_record(actor=actor.user, action=AuditEvent.Action.UPDATE, obj=v,
                     summary=f"修改公开承诺草稿：{v.commitment.owner_name} 第{v.version}版（{len(clauses)} 条）")
    return v


def items_snapshot(c: Commitment) -> list[dict]:
    """The item limits (承诺时限) the commitment promises, as the catalog says today."""
    if c.scope == Scope.WINDOW:
        qs = Item.objects.filter(windows=c.window_id)
    else:
        qs = Item.objects.filter(department_id=c.department_id)
    qs = qs.filter(current__isnull=False, current__status="active").select_related("current").order_by("impl_code")
    out = []
    for item in qs:
        cur = item.current
        out.append({
            "impl_code": item.impl_code, "name": item.name,
            "legal": f"{cur.legal_limit}个{cur.get_legal_limit_unit_display()}" if cur.legal_limit else "—",
            "promised": "即办" if cur.promised_limit == 0 else
                        f"{cur.promised_limit}个{cur.get_promised_limit_unit_display()}",
        })
    return out


ACTIONS = {"submit": "提交签发", "sign": "签发公开", "return": "退回修改"}


def version_act(*, actor: Staff, version_id: int, action: str, reason: str = "") -> CommitmentVersion:
    """submit (草稿 → 待签发), sign (待签发 → 现行; the previous version is superseded and the item
    limits are copied from the catalog) or return (待签发 → 草稿, with a reason)."""
    if action not in ACTIONS:
        raise DomainError("commitment_action", "不支持的操作")
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise DomainError("commitment_reason_length", "退回理由不能超过 300 字")
    with transaction.atomic():
        v = _lock_version(version_id)
        c = v.commitment
        now = clock.now()
        if action == "submit":
            _need(may_write(actor, c), "只有本部门（窗口）的首席代表或部门负责人可以提交公开承诺")
            if v.status != VersionStatus.DRAFT:
                raise DomainError("commitment_not_draft", "只有草稿可以提交签发")
            if not v.clauses.exists():
                raise DomainError("commitment_no_clause", "请至少填写一条承诺再提交")
            if not v.standards.strip():
                raise DomainError("commitment_no_standards", "请填写服务标准再提交")
            v.status, v.submitted_at, v.returned_reason = VersionStatus.SUBMITTED, now, ""
            v.save(update_fields=["status", "submitted_at", "returned_reason"])
            summary = "提交签发"
        elif action == "return":
            _need(may_sign(actor, c), "只有部门负责人可以退回公开承诺")
            if v.status != VersionStatus.SUBMITTED:
                raise DomainError("commitment_not_submitted", "只有待签发的版本可以退回")
            if not reason:
                raise DomainError("commitment_reason_required", "请填写退回理由")
            v.status, v.returned_reason = VersionStatus.DRAFT, reason
            v.save(update_fields=["status", "returned_reason"])
            summary = f"退回修改：{reason}"
        else:
            _need(may_sign(actor, c), "只有部门负责人可以签发公开承诺")
            if v.status != VersionStatus.SUBMITTED:
                raise DomainError("commitment_not_submitted", "只有待签发的版本可以签发")
            old = c.current
            if old is not None:
                CommitmentVersion.objects.filter(pk=old.pk).update(status=VersionStatus.SUPERSEDED, superseded_at=now)
            v.status, v.signed_by, v.signed_at, v.items = VersionStatus.PUBLISHED, actor, now, items_snapshot(c)
            v.save(update_fields=["status", "signed_by", "signed_at", "items"])
            c.current = v
            c.save(update_fields=["current"])
            summary = "签发并公开"
        audit_record(actor=actor.user, action=AuditEvent.Action.PUBLISH if action == "sign" else AuditEvent.Action.UPDATE,
                     obj=v, summary=f"公开承诺 {c.owner_name} 第{v.version}版：{summary}")
    return v


# -- complaints that a commitment was broken ----------------------------------------------------------------------


def _source_check(source: str, source_no: str) -> None:
    """A hotline order or a rating must exist (by its number); the other sources are recorded as given."""
    if source == BreachSource.HOTLINE:
        from zhengwu.hotline.models import Order

        if not Order.objects.filter(no=source_no).exists():
            raise DomainError("commitment_source_missing", f"热线工单 {source_no} 不存在")
    elif source == BreachSource.RATING:
        from zhengwu.ratings.models import Rating

        if not source_no.isdigit() or not Rating.objects.filter(pk=int(source_no)).exists():
            raise DomainError("commitment_source_missing", f"好差评 {source_no} 不存在")


def breach_subject(b: Breach) -> sv.Subject:
    return sv.Subject(type=SUBJECT_TYPE, id=b.pk, no=f"WN{b.pk:06d}", title=f"违诺投诉：{b.commitment.owner_name}"[:200],
                      url=f"/commitments/work/breaches/{b.pk}/")


def breach_file(*, actor: Staff, commitment_id: int, clause_kind: str, clause_text: str = "", source: str,
                source_no: str = "", summary: str) -> Breach:
    """Record a complaint that the commitment in force was broken; the check's clock starts."""
    source_no, summary, clause_text = (source_no or "").strip(), (summary or "").strip(), (clause_text or "").strip()
    checks = FieldChecks()  # every field checked, all refusals at once
    with checks.field("clause_kind"):
        if clause_kind not in ClauseKind.values:
            raise DomainError("commitment_clause_kind", "所涉承诺的类别不正确")
        if len(clause_text) > 300:
            raise DomainError("commitment_field_length", "所涉承诺条款不超过 300 字")
    with checks.field("source"):
        if source not in BreachSource.values:
            raise DomainError("commitment_source", "投诉来源不正确")
    with checks.field("source_no"):
        if len(source_no) > 40:
            raise DomainError("commitment_field_length", "来源编号不超过 40 字")
        if source in (BreachSource.HOTLINE, BreachSource.RATING) and not source_no:
            raise DomainError("commitment_source_no_required", "热线工单和好差评须填写编号")
        if source in BreachSource.values:
            _source_check(source, source_no)
    with checks.field("summary"):
        if not summary:
            raise DomainError("commitment_summary_required", "请填写投诉内容摘要")
        if len(summary) > 500:
            raise DomainError("commitment_field_length", f"投诉内容摘要不超过 500 字（现为{len(summary)}字）")
    checks.done()
    with transaction.atomic():
        c = _lock(commitment_id)
        _need(may_supervise(actor, c), "只有本辖区的效能监察员可以登记违诺投诉")
        if c.current is None:
            raise DomainError("commitment_not_published", "该承诺尚未公开，不能登记违诺投诉")
        if not clause_text:
            match = c.current.clauses.filter(kind=clause_kind).order_by("seq").first()
            clause_text = match.text if match else ClauseKind(clause_kind).label
        if source_no and Breach.objects.filter(commitment=c, source=source, source_no=source_no).exists():
            raise DomainError("commitment_breach_duplicate", "该投诉已登记过")
        try:
            with transaction.atomic():
                b = Breach.objects.create(
                    commitment=c, version=c.current, clause_kind=clause_kind, clause_text=clause_text, source=source,
                    source_no=source_no, summary=summary, filed_by=actor, filed_at=clock.now())
        except IntegrityError as exc:
            raise DomainError("commitment_breach_duplicate", "该投诉已登记过") from exc
        region = region_of(c)
        days = CommitmentPolicy.get().verify_workdays
        sv.clock_start(kind=kinds.VERIFY.code, subject=breach_subject(b), region=region,
                       due_date=due_date(clock.today(), days, region=region).due, department=c.department,
                       hall=c.hall, officer=actor)
        audit_record(actor=actor.user, action=AuditEvent.Action.CREATE, obj=b,
                     summary=f"登记违诺投诉：{c.owner_name}（{b.get_source_display()} {source_no}）")
    return b


def breach_decide(*, actor: Staff, breach_id: int, upheld: bool, finding: str) -> Breach:
    """The supervisor's finding: 属实 (counted against the commitment on its public page) or 不属实."""
    finding = (finding or "").strip()
    if not finding:
        raise DomainError("commitment_finding_required", "请填写核实情况")
    if len(finding) > 500:
        raise DomainError("commitment_field_length", "核实情况不能超过 500 字")
    with transaction.atomic():
        cid = Breach.objects.filter(pk=breach_id).values_list("commitment_id", flat=True).first()
        if cid is None:
            raise NotFound("违诺投诉不存在", code="commitment_breach_not_found")
        c = _lock(cid)
        b = Breach.objects.select_for_update().get(pk=breach_id)
        b.commitment = c
        _need(may_supervise(actor, c), "只有本辖区的效能监察员可以核实违诺投诉")
        if b.status != BreachStatus.PENDING:
            raise DomainError("commitment_breach_decided", "该投诉已核实")
        b.status = BreachStatus.UPHELD if upheld else BreachStatus.DISMISSED
        b.finding, b.decided_by, b.decided_at = finding, actor, clock.now()
        b.save(update_fields=["status", "finding", "decided_by", "decided_at"])
        sv.clock_finish(subject=breach_subject(b), reason="违诺投诉已核实")
        audit_record(actor=actor.user, action=AuditEvent.Action.UPDATE, obj=b,
                     summary=f"核实违诺投诉 WN{b.pk:06d}：{b.get_status_display()}")
    return b


def policy_due(start: dt.date, region) -> dt.date:
    return due_date(start, CommitmentPolicy.get().verify_workdays, region=region).due
