"""Reads on 工程建设项目, with scope checked in the same call (``scope.py``), and the days used.

Days used (审批用时): for each stage, the working days of its joint case from acceptance (受理, the day itself
not counted) to completion (办结), or to today while it runs, on the calendar of the project's hall region
(``workdays.engine``). The whole process is the sum of the four main stages: the applicant's time between
stages is not approval time, as 国办发〔2019〕11号 counts 审批时间. 并行推进 items run beside the stages and are
not added. A stage is over its limit when its days used exceed the stage limit; the project when the sum
exceeds the whole-process limit.

特别程序 (听证、检验检测、专家评审、现场踏勘…) is not approval time (行政许可法 第45条; 国办发〔2019〕11号 counts
审批时间 the same way): a working day of a stage is not counted when no 子件 of its joint case was being
worked that day — at least one was stopped under a 特别程序 (a ``ClockStop`` covering the day, its first and
last day included; an open one up to today) and every other had been decided before it (``decided_at``).
While any department is still working, the stage's time runs.

What blocks a project: for its current stage, the joint case missing (or not yet accepted), each open 子件
with its department and due date (overdue, or 超时默认 when supervision has issued a notice on the 子件's
clock), or, all 子件 decided, the lead department's combined result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from zhengwu.cases.models import OPEN_STATUSES, Case
from zhengwu.cases.models import Status as CaseStatus
from zhengwu.core.errors import NotFound
from zhengwu.joint.models import JointCase, JointStatus
from zhengwu.org.models import Region, Staff
from zhengwu.supervision.models import DeemedApproval
from zhengwu.workdays import engine

from . import scope
from .models import MAIN_STAGES, PARALLEL, CurrentStage, Project, ProjectStage, ProjectStatus, StageCode

FAILED_JOINT = (JointStatus.REJECTED, JointStatus.REFUSED, JointStatus.WITHDRAWN)


# -- scope --------------------------------------------------------------------------------------------------


def project_list_for_staff(*, staff: Staff, stage: int | None = None, status: str = "", q: str = "",
                           region: Region | None = None) -> QuerySet[Project]:
    """The projects ``staff`` may read (none for anyone else), filtered."""
    rule = scope.read_q(staff)
    if rule is None:
        return Project.objects.none()
    ids = Project.objects.filter(rule).values("pk")  # the department rule joins stages: no duplicates below
    qs = Project.objects.filter(pk__in=ids).select_related("hall__region", "region")
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(owner_name__icontains=q))
    if region is not None:
        qs = qs.filter(region__code__startswith=region.code_prefix)
    return qs


def project_get_for_staff(*, code: str, staff: Staff) -> Project:
    project = project_list_for_staff(staff=staff).filter(code=code).first()
    if project is None:
        raise NotFound("未找到该工程建设项目，或不在您的查看范围内")
    return project


# -- days used ----------------------------------------------------------------------------------------------


@dataclass
class StageView:
    stage: int
    label: str
    limit_days: int
    joint: JointCase | None
    started_on: dt.date | None
    finished_on: dt.date | None
    days_used: int
    state: str  # waiting (no joint) / pending (not accepted) / running / finished / failed (refused, withdrawn:
    # it counts no days; the stage waits for a new joint case)

    @property
    def over_limit(self) -> bool:
        return self.days_used > self.limit_days

    @property
    def percent(self) -> int:
        return min(100, round(self.days_used * 100 / self.limit_days)) if self.limit_days else 0

    @property
    def state_label(self) -> str:
        return {"waiting": "未关联联办件", "pending": "联办件待受理", "running": "办理中", "finished": "已完成",
                "failed": "联办件未获办理"}[self.state]


@dataclass
class Blocker:
    kind: str  # no_joint / joint_pending / child / lead_result
    text: str
    department: str = ""
    case_no: str = ""
    item: str = ""
    status_label: str = ""
    due_date: dt.date | None = None
    overdue: bool = False
    deemed: bool = False
    notice_no: str = ""


@dataclass
class Progress:
    project: Project
    stages: list[StageView]
    parallel: StageView
    today: dt.date
    blockers: list[Blocker] = field(default_factory=list)

    @property
    def days_used(self) -> int:
        return sum(s.days_used for s in self.stages)

    @property
    def limit_days(self) -> int:
        return self.project.limit_days

    @property
    def over_limit(self) -> bool:
        return self.days_used > self.limit_days

    @property
    def percent(self) -> int:
        return min(100, round(self.days_used * 100 / self.limit_days)) if self.limit_days else 0

    @property
    def current(self) -> StageView | None:
        return next((s for s in self.stages if s.stage == self.project.stage), None)

    @property
    def stage_over(self) -> bool:
        return any(s.over_limit for s in self.stages)

    @property
    def overdue(self) -> bool:
        """Over the whole-process limit or over a stage limit (lists put these first)."""
        return self.over_limit or self.stage_over


def _stopped_days(calendar, started: dt.date, end: dt.date, kids: list[tuple[int, dt.date | None]],
                  stops: dict[int, list[tuple[dt.date, dt.date]]]) -> int:
    """Working days d with started < d ≤ end on which no 子件 was being worked (see the module docstring).
    ``kids``: (case id, decided date) of the joint case's 子件; ``stops``: each 子件's stops (inclusive)."""
    if not kids or not any(stops.get(cid) for cid, _ in kids):
        return 0
    n, d = 0, started
    while d < end:
        d += dt.timedelta(days=1)
        if not calendar.is_workday(d):
            continue
        stopped = False
        for cid, decided in kids:
            if any(first <= d <= last for first, last in stops.get(cid, ())):
                stopped = True
            elif decided is None or decided >= d:
                break  # this department was working that day
        else:
            n += stopped
    return n


def _stage_view(row: ProjectStage, calendar, today: dt.date, children=None) -> StageView:
    j = row.joint
    started = finished = None
    if j is None:
        state = "waiting"
    elif j.status in FAILED_JOINT:
        state = "failed"
    elif j.accepted_on is None:
        state = "pending"
    else:
        started = j.accepted_on
        if j.status == JointStatus.COMPLETED:
            finished = timezone.localdate(j.completed_at) if j.completed_at else today
            state = "finished"
        else:
            state = "running"
    days = calendar.count(started, finished or today) if started else 0  # a failed joint case counts nothing
    if days and children is not None:
        kids, stops = children.get(j.pk, ([], {}))
        days -= _stopped_days(calendar, started, finished or today, kids, stops)
    return StageView(stage=row.stage, label=StageCode(row.stage).label, limit_days=row.limit_days, joint=j,
                     started_on=started, finished_on=finished, days_used=days, state=state)


def _stages_prefetch() -> Prefetch:
    return Prefetch("stages", queryset=ProjectStage.objects.select_related("joint__lead_department")
                    .order_by("stage"))


def progress_many(projects, *, today: dt.date) -> list[Progress]:
    """Days used of many projects: three queries whatever their number (projects, stages with joints, the
    joint cases' 特别程序 stops), a fourth (those joint cases' 子件) when there are stops."""
    projects = list(projects)
    if projects and "stages" not in getattr(projects[0], "_prefetched_objects_cache", {}):
        prefetch_related_objects(projects, _stages_prefetch())
    children = _children_stops([r.joint_id for p in projects for r in p.stages.all()
                                if r.joint_id is not None and r.joint.accepted_on is not None], today)
    out = []
    for p in projects:
        calendar = engine.calendar_for(p.hall.region)
        rows = list(p.stages.all())
        views = [_stage_view(r, calendar, today, children) for r in rows]
        main = [v for v in views if v.stage in MAIN_STAGES]
        parallel = next((v for v in views if v.stage == PARALLEL), None)
        out.append(Progress(project=p, stages=main, parallel=parallel, today=today))
    return out


def _children_stops(joint_ids: list[int], today: dt.date) -> dict[int, tuple[list, dict]]:
    """Per joint case with a 特别程序 stop: its 子件 as (id, decided date) and their stops (first, last day
    inclusive; an open stop up to ``today``). One query, and a second only when there are stops."""
    if not joint_ids:
        return {}
    from zhengwu.cases.models import ClockStop

    out: dict[int, tuple[list, dict]] = {}
    for jid, cid, first, last in ClockStop.objects.filter(case__joint_id__in=joint_ids).values_list(
            "case__joint_id", "case_id", "start_on", "end_on"):
        out.setdefault(jid, ([], {}))[1].setdefault(cid, []).append((first, last or today))
    if out:
        for cid, jid, decided_at in Case.objects.filter(joint_id__in=list(out)).order_by("joint_seq").values_list(
                "id", "joint_id", "decided_at"):
            out[jid][0].append((cid, timezone.localdate(decided_at) if decided_at else None))
    return out


def progress_of(project: Project, *, today: dt.date) -> Progress:
    """One project's stages, days used and what blocks it."""
    progress = progress_many([project], today=today)[0]
    progress.blockers = _blockers(progress)
    return progress


def _blockers(progress: Progress) -> list[Blocker]:
    project = progress.project
    if project.status != ProjectStatus.ACTIVE or project.stage == CurrentStage.DONE:
        return []
    current = progress.current
    if current is None:
        return []
    j = current.joint
    if j is None or current.state == "failed":
        return [Blocker("no_joint", f"“{current.label}”阶段尚未关联联办件（待建设单位申请本阶段联办事项）")]
    if current.state == "pending":
        return [Blocker("joint_pending", f"联办件 {j.case_no} {JointStatus(j.status).label}",
                        department=j.lead_department.name, case_no=j.case_no)]
    children = list(Case.objects.filter(joint=j, status__in=OPEN_STATUSES)
                    .select_related("department", "item").order_by("joint_seq", "id"))
    deemed = {d.clock.subject_id: d.notice_no for d in DeemedApproval.objects.select_related("clock").filter(
        clock__subject_type="case", clock__subject_id__in=[c.pk for c in children])}
    out = [Blocker("child", "子件未办结", department=c.department.name, case_no=c.case_no, item=c.item.name,
                   status_label=CaseStatus(c.status).label, due_date=c.due_date,
                   overdue=bool(c.due_date and c.due_date < progress.today), deemed=c.pk in deemed,
                   notice_no=deemed.get(c.pk, "")) for c in children]
    if not out and j.status != JointStatus.COMPLETED:
        text = {JointStatus.RULING: "待牵头部门处理协办部门的不同意意见",
                JointStatus.SUSPENDED: "牵头部门已决定中止办理"}.get(j.status, "各子件已办结，待牵头部门出具联合审批结果")
        out.append(Blocker("lead_result", text, department=j.lead_department.name, case_no=j.case_no,
                           status_label=JointStatus(j.status).label, due_date=j.due_date,
                           overdue=bool(j.due_date and j.due_date < progress.today)))
    return out


def progress_sorted(progresses: list[Progress]) -> list[Progress]:
    """Overdue first, then the most days used against the limit, then the newest."""
    return sorted(progresses, key=lambda p: (not p.overdue, -(p.days_used / (p.limit_days or 1)),
                                             -p.project.created_at.timestamp(), -p.project.pk))


# -- the leaders' dashboard panel ---------------------------------------------------------------------------


def projects_panel(*, region: Region, today: dt.date) -> dict:
    """工程建设项目 on the supervision dashboard: projects in ``region`` (not closed) by stage, average days used
    and how many are over a limit. JSON-ready (the dashboard's chart reads it)."""
    qs = (Project.objects.filter(region__code__startswith=region.code_prefix)
          .exclude(status=ProjectStatus.CLOSED).select_related("hall__region"))
    progresses = progress_many(qs, today=today)
    by_stage = {s: 0 for s in CurrentStage.values}
    for p in progresses:
        by_stage[p.project.stage] += 1
    n = len(progresses)
    return {
        "total": n,
        "by_stage": [{"stage": s, "name": CurrentStage(s).label, "count": by_stage[s]} for s in CurrentStage.values],
        "avg_days": round(sum(p.days_used for p in progresses) / n, 1) if n else None,
        "over_limit": sum(1 for p in progresses if p.overdue),
        "limit_days": max((p.limit_days for p in progresses), default=None),
    }
