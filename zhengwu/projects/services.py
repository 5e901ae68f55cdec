"""Writes on 工程建设项目: register, link a stage's joint case, refresh the stages from their joint cases, close.

Rules (国办发〔2019〕11号, HOTLINE-JOINT.md §4): four stages in order — 立项用地规划许可, 工程建设许可, 施工许可,
竣工验收 — each run by one joint case of a bundle for that stage ("一家牵头、并联审批、限时办结"); a stage
does not start before the one before it has finished; items outside the four run 并行推进 (stage 5) at any
time. Each function is keyword-only, runs in one transaction, locks the project and writes a
``ProjectEvent`` and an audit row.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_uscc
from zhengwu.joint.models import JointCase, JointStatus
from zhengwu.org.models import Hall, Region, Staff

from . import scope
from .models import (
    MAIN_STAGES,
    PARALLEL,
    CurrentStage,
    LandSource,
    Project,
    ProjectEvent,
    ProjectStage,
    ProjectStatus,
    StageCode,
)
from .policy import policy_get
from .validators import validate_project_code

# A stage's joint case that ended without a result may be replaced by a new one.
FAILED_JOINT = (JointStatus.REJECTED, JointStatus.REFUSED, JointStatus.WITHDRAWN)
MAX_AMOUNT = Decimal("999999999999.99")  # 14 digits, 2 decimals (investment); areas below
MAX_AREA = Decimal("9999999999.99")


def _event(project: Project, action: str, *, actor: Staff | None, stage: int | None = None, note: str = ""):
    ProjectEvent.objects.create(project=project, action=action, stage=stage, at=clock.now(),
                                actor=actor.user if actor else None, actor_name=actor.name if actor else "",
                                note=note[:300])


def _decimal(value, label: str, maximum: Decimal) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_number", f"{label}应为数字") from None
    if not d.is_finite() or d < 0 or d > maximum:
        raise DomainError("invalid_number", f"{label}应为不小于0且不超过{maximum:,.0f}的数字")
    if d != d.quantize(Decimal("0.01")):
        raise DomainError("invalid_number", f"{label}最多保留两位小数")
    return d.quantize(Decimal("0.01"))


def _text(value: str, label: str, max_length: int) -> str:
    v = (value or "").strip()
    if not v:
        raise DomainError("required", f"请填写{label}")
    if len(v) > max_length:
        raise DomainError("too_long", f"{label}不能超过{max_length}个字")
    return v


def project_register(*, staff: Staff, code: str, name: str, owner_name: str, owner_uscc: str, investment,
                     land_source: str, land_area, building_area, region: Region | None = None,
                     hall: Hall | None = None) -> Project:
    """Register a project at the centre (工程建设项目 window): its stages get the policy's limits."""
    hall = hall or staff.hall
    if not scope.can_register_at(staff, hall):
        raise PermissionDenied("工程建设项目由政务服务中心综合窗口的工作人员或中心管理员登记", code="no_register")
    code = validate_project_code(code)
    name = _text(name, "项目名称", 200)
    owner_name = _text(owner_name, "建设单位", 100)
    owner_uscc = validate_uscc(owner_uscc)
    investment = _decimal(investment, "总投资（万元）", MAX_AMOUNT)
    land_area = _decimal(land_area, "用地面积", MAX_AREA)
    building_area = _decimal(building_area, "建筑面积", MAX_AREA)
    if land_source not in LandSource.values:
        raise DomainError("invalid_land_source", "土地获取方式应为：" + "、".join(LandSource.labels))
    region = region or hall.region
    if not region.code.startswith(hall.region.code_prefix):
        raise DomainError("region_out_of_scope", f"项目所在地应在{hall.region.name}范围内")
    policy = policy_get()
    with transaction.atomic():
        if Project.objects.filter(code=code).exists():
            raise DomainError("project_exists", f"项目代码 {code} 已登记", status=409)
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    code=code, name=name, owner_name=owner_name, owner_uscc=owner_uscc, investment=investment,
                    land_source=land_source, land_area=land_area, building_area=building_area, region=region,
                    hall=hall, registered_by=staff, limit_days=policy.whole_limit_days, created_at=clock.now())
        except IntegrityError:  # registered by someone else a moment ago
            raise DomainError("project_exists", f"项目代码 {code} 已登记", status=409) from None
        ProjectStage.objects.bulk_create([ProjectStage(project=project, stage=s, limit_days=policy.stage_days(s))
                                          for s in (*MAIN_STAGES, PARALLEL)])
        _event(project, "register", actor=staff, note=f"全流程时限 {project.limit_days} 个工作日")
        audit_record(actor=staff.user, action=AuditEvent.Action.CREATE, obj=project,
                     summary=f"登记工程建设项目 {code} {name}")
    return project


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("hall__region").get(pk=project.pk)


def _local_date(moment):
    return timezone.localdate(moment) if moment else None


def project_stage_link(*, project: Project, stage: int, joint: JointCase, staff: Staff) -> ProjectStage:
    """Attach the joint case that runs ``stage``: its bundle must be for that stage, one joint case per stage,
    and a main stage only once the one before it has finished (并行推进 at any time)."""
    if stage not in StageCode.values:
        raise DomainError("invalid_stage", "阶段应为 1–5（立项用地规划许可、工程建设许可、施工许可、竣工验收、并行推进）")
    label = StageCode(stage).label
    with transaction.atomic():
        project = _lock(project)
        if not scope.can_manage(staff, project):
            raise PermissionDenied("只有项目登记大厅综合窗口的工作人员或中心管理员可以关联阶段", code="no_manage")
        if project.status != ProjectStatus.ACTIVE:
            raise DomainError("project_not_active", f"项目{ProjectStatus(project.status).label}，不能再关联阶段",
                              status=409)
        joint = JointCase.objects.select_for_update(of=("self",)).select_related("bundle_version", "hall__region").get(
            pk=joint.pk)
        if joint.bundle_version.project_stage != stage:
            raise DomainError("stage_mismatch", f"联办件 {joint.case_no} 所属联办事项不是“{label}”阶段的事项",
                              status=422)
        if joint.status in FAILED_JOINT:
            raise DomainError("joint_closed", f"联办件 {joint.case_no} {JointStatus(joint.status).label}，不能关联",
                              status=409)
        if not joint.hall.region.code.startswith(project.hall.region.code_prefix):
            raise DomainError("joint_out_of_scope", f"联办件 {joint.case_no} 不在{project.hall.region.name}受理",
                              status=422)
        if ProjectStage.objects.filter(joint=joint).exists():
            raise DomainError("joint_taken", f"联办件 {joint.case_no} 已关联其他项目或阶段", status=409)
        rows = {r.stage: r for r in ProjectStage.objects.select_for_update(of=("self",)).select_related("joint")
                .filter(project=project)}
        if stage in MAIN_STAGES:
            if stage < project.stage:
                raise DomainError("stage_finished", f"“{label}”阶段已完成", status=409)
            if stage > project.stage:
                raise DomainError("stage_order", f"上一阶段“{StageCode(stage - 1).label}”尚未完成，"
                                                 f"“{label}”阶段不能开始", status=409)
            prev = rows.get(stage - 1)
            if prev is not None and prev.finished_on and joint.accepted_on and joint.accepted_on < prev.finished_on:
                raise DomainError("stage_order", f"联办件 {joint.case_no} 受理于 {joint.accepted_on}，"
                                                 f"早于上一阶段完成日 {prev.finished_on}", status=409)
        row = rows[stage]
        if row.joint_id and row.joint.status not in FAILED_JOINT:
            raise DomainError("stage_linked", f"“{label}”阶段已关联联办件 {row.joint.case_no}，每个阶段只关联一个",
                              status=409)
        replaced = row.joint.case_no if row.joint_id else ""
        row.joint, row.linked_at = joint, clock.now()
        row.started_on, row.finished_on = None, None
        row.save(update_fields=["joint", "linked_at", "started_on", "finished_on"])
        note = f"关联联办件 {joint.case_no}" + (f"（替换未获办理的 {replaced}）" if replaced else "")
        _event(project, "link_stage", actor=staff, stage=stage, note=note)
        _refresh(project, actor=staff)
        audit_record(actor=staff.user, action=AuditEvent.Action.UPDATE, obj=project,
                     summary=f"{project.code} {label}阶段{note}")
    row.refresh_from_db()
    return row


def _refresh(project: Project, *, actor: Staff | None) -> bool:
    """Bring the locked project's stages and current stage in line with their joint cases; True if changed."""
    changed = False
    rows = list(ProjectStage.objects.select_for_update(of=("self",)).select_related("joint").filter(project=project)
                .order_by("stage"))
    for row in rows:
        j = row.joint
        started = j.accepted_on if j else None
        finished = None
        if j and j.status == JointStatus.COMPLETED:
            finished = _local_date(j.completed_at) or clock.today()
            started = started or finished
        if (row.started_on, row.finished_on) != (started, finished):
            if started and not row.started_on:
                _event(project, "stage_started", actor=actor, stage=row.stage, note=f"联办件 {j.case_no} 受理")
            if finished and not row.finished_on:
                _event(project, "stage_finished", actor=actor, stage=row.stage, note=f"联办件 {j.case_no} 办结")
            row.started_on, row.finished_on = started, finished
            row.save(update_fields=["started_on", "finished_on"])
            changed = True
    done = {r.stage for r in rows if r.finished_on}
    current = next((s for s in MAIN_STAGES if s not in done), CurrentStage.DONE)
    fields = []
    if current != project.stage:
        project.stage = current
        fields.append("stage")
        _event(project, "stage_moved", actor=actor, stage=current, note=f"进入：{CurrentStage(current).label}")
    if current == CurrentStage.DONE and project.status == ProjectStatus.ACTIVE:
        project.status = ProjectStatus.COMPLETED
        fields.append("status")
    if fields:
        project.save(update_fields=fields)
        changed = True
    return changed


def project_stage_refresh(*, project: Project, actor: Staff | None = None) -> Project:
    """A stage is finished when its joint case is 已办结; the project then moves to the next stage (and is
    完成 after 竣工验收). Safe to repeat: nothing is written when nothing changed."""
    with transaction.atomic():
        project = _lock(project)
        if actor is not None and not scope.can_manage(actor, project):
            raise PermissionDenied("只有项目登记大厅综合窗口的工作人员或中心管理员可以更新进度", code="no_manage")
        if project.status == ProjectStatus.CLOSED:
            return project
        if _refresh(project, actor=actor):
            audit_record(actor=actor.user if actor else None, action=AuditEvent.Action.UPDATE, obj=project,
                         summary=f"{project.code} 阶段进度更新：{CurrentStage(project.stage).label}")
    return project


def projects_refresh_due() -> int:
    """The scheduled refresh: every open project whose stage rows lag behind their joint cases (set-based
    selection, one transaction per project). Returns how many were refreshed."""
    lagging = (ProjectStage.objects.filter(project__status=ProjectStatus.ACTIVE, joint__isnull=False)
               .filter(Q(started_on__isnull=True, joint__accepted_on__isnull=False)
                       | Q(finished_on__isnull=True, joint__status=JointStatus.COMPLETED))
               .values_list("project_id", flat=True).distinct())
    ids = sorted(set(lagging))
    for project in Project.objects.filter(pk__in=ids).order_by("pk"):
        project_stage_refresh(project=project)
    return len(ids)


def project_close(*, project: Project, staff: Staff, reason: str) -> Project:
    """Close a project (终止 by the owner, or 归档 after its approvals): reasons required; nothing reopens it."""
    reason = _text(reason, "关闭原因", 300)
    with transaction.atomic():
        project = _lock(project)
        if not scope.can_manage(staff, project):
            raise PermissionDenied("只有项目登记大厅综合窗口的工作人员或中心管理员可以关闭项目", code="no_manage")
        if project.status == ProjectStatus.CLOSED:
            raise DomainError("project_closed", "项目已关闭", status=409)
        project.status, project.closed_at, project.close_reason = ProjectStatus.CLOSED, clock.now(), reason
        project.save(update_fields=["status", "closed_at", "close_reason"])
        _event(project, "close", actor=staff, note=reason)
        audit_record(actor=staff.user, action=AuditEvent.Action.UPDATE, obj=project,
                     summary=f"关闭工程建设项目 {project.code}：{reason}")
    return project
