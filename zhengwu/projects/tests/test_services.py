"""Project code, registration, stage order, refresh, days used across National Day 2026, limits, blockers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.cases.models import Status
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.joint.models import JointStatus
from zhengwu.projects import selectors, services
from zhengwu.projects.models import Project, ProjectEvent, ProjectPolicy, ProjectStage
from zhengwu.projects.policy import policy_get
from zhengwu.projects.validators import validate_project_code
from zhengwu.supervision.models import Clock, ClockKind, DeemedApproval

from .factories import complete, joint, register, world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return world()


# -- the project code --------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["2026-130621-47-01-000001", "2017-330000-47-02-000001",
                                  "2306-520103-04-01-123456", " 2026－130621-47-01-000001 ", "2019-000000-48-01-000010"])
def test_project_code_accepts_the_national_format(code):
    assert validate_project_code(code) == code.strip().replace("－", "-")


@pytest.mark.parametrize("code", ["", "2026-130621-47-01-00001", "2026130621470100001", "2026-130621-47-01-00000A",
                                  "2012-130621-47-01-000001",  # neither a year in use nor YYMM
                                  "2313-130621-47-01-000001",  # month 13
                                  "2026-990621-47-01-000001",  # no province 99
                                  "2026-130621-47-00-000001", "2026-130621-47-01-000000"])
def test_project_code_refuses(code):
    with pytest.raises(DomainError) as e:
        validate_project_code(code)
    assert e.value.code == "invalid_project_code"


# -- registration -------------------------------------------------------------------------------------------


def test_register_copies_the_policy_limits(w):
    ProjectPolicy.objects.update_or_create(pk=1, defaults={"whole_limit_days": 90, "stage2_days": 30})
    p = register(w)
    assert (p.stage, p.status, p.limit_days, p.region, p.hall) == (1, "active", 90, w.county, w.center)
    assert list(p.stages.values_list("stage", "limit_days")) == [(1, 20), (2, 30), (3, 20), (4, 20), (5, 20)]
    assert list(p.events.values_list("action", flat=True)) == ["register"]
    assert AuditEvent.objects.filter(object_type="projects.project", object_id=str(p.pk), action="create").count() == 1
    # a later policy change leaves the registered project's limits alone
    ProjectPolicy.objects.filter(pk=1).update(whole_limit_days=60)
    assert Project.objects.get(pk=p.pk).limit_days == 90


def test_policy_defaults():
    pol = policy_get()
    assert (pol.whole_limit_days, pol.stage1_days, pol.stage2_days, pol.stage3_days, pol.stage4_days) == (
        120, 20, 25, 20, 20)


@pytest.mark.parametrize("over,code", [
    ({"code": "2026-130621-47-01-00001"}, "invalid_project_code"),
    ({"owner_uscc": "91350100M000100Y44"}, "invalid_uscc"),
    ({"investment": Decimal("-1")}, "invalid_number"),
    ({"investment": "abc"}, "invalid_number"),
    ({"land_area": Decimal("1.234")}, "invalid_number"),
    ({"land_source": "stolen"}, "invalid_land_source"),
    ({"name": "  "}, "required"),
])
def test_register_refuses_bad_input(w, over, code):
    with pytest.raises(DomainError) as e:
        register(w, **over)
    assert e.value.code == code
    assert not Project.objects.exists() and not ProjectStage.objects.exists()


def test_register_twice_is_refused_and_changes_nothing(w):
    register(w)
    with pytest.raises(DomainError) as e:
        register(w, name="另一个名称")
    assert (e.value.code, e.value.status) == ("project_exists", 409)
    assert list(Project.objects.values_list("name", flat=True)) == ["示范县标准化厂房建设项目"]


def test_who_registers(w):
    for staff in (w.officer, w.leader, w.housing_officer, w.head):  # department windows, leaders: no
        with pytest.raises(PermissionDenied):
            register(w, staff=staff)
    assert not Project.objects.exists()
    assert register(w, staff=w.admin).registered_by == w.admin
    with pytest.raises(DomainError) as e:
        register(w, code="2026-130621-47-01-000009", region=w.county.parent or _other_county())
    assert e.value.code in ("region_out_of_scope",)


def _other_county():
    from zhengwu.org.tests import factories as f

    return f.county(code="130622000000", name="邻县")


# -- stage order --------------------------------------------------------------------------------------------


def _snapshot(p):
    return (list(Project.objects.filter(pk=p.pk).values_list("stage", "status")),
            list(ProjectStage.objects.filter(project=p).values_list("stage", "joint_id", "started_on", "finished_on")),
            ProjectEvent.objects.filter(project=p).count())


def test_stages_run_in_order(w):
    p = register(w)
    s1 = joint(w, 1, accepted_on=D(2026, 9, 28))
    s2 = joint(w, 2, accepted_on=D(2026, 10, 14))
    before = _snapshot(p)
    with pytest.raises(DomainError) as e:  # stage 2 before stage 1 finished
        services.project_stage_link(project=p, stage=2, joint=s2, staff=w.clerk)
    assert (e.value.code, e.value.status) == ("stage_order", 409)
    with pytest.raises(DomainError) as e:  # a stage-2 bundle for stage 1
        services.project_stage_link(project=p, stage=1, joint=s2, staff=w.clerk)
    assert e.value.code == "stage_mismatch"
    with pytest.raises(PermissionDenied):
        services.project_stage_link(project=p, stage=1, joint=s1, staff=w.leader)
    assert _snapshot(p) == before

    row = services.project_stage_link(project=p, stage=1, joint=s1, staff=w.clerk)
    assert (row.joint, row.started_on, row.finished_on) == (s1, D(2026, 9, 28), None)
    other = joint(w, 1, accepted_on=D(2026, 9, 29))
    with pytest.raises(DomainError) as e:  # one joint case per stage
        services.project_stage_link(project=p, stage=1, joint=other, staff=w.clerk)
    assert e.value.code == "stage_linked"

    complete(s1, D(2026, 10, 12))
    p = services.project_stage_refresh(project=p, actor=w.clerk)
    assert (p.stage, ProjectStage.objects.get(project=p, stage=1).finished_on) == (2, D(2026, 10, 12))
    early = joint(w, 2, accepted_on=D(2026, 10, 9))  # accepted before stage 1 finished
    with pytest.raises(DomainError) as e:
        services.project_stage_link(project=p, stage=2, joint=early, staff=w.clerk)
    assert e.value.code == "stage_order"
    services.project_stage_link(project=p, stage=2, joint=s2, staff=w.clerk)
    with pytest.raises(DomainError) as e:  # a finished stage cannot be linked again
        services.project_stage_link(project=p, stage=1, joint=joint(w, 1, accepted_on=D(2026, 10, 13)), staff=w.clerk)
    assert e.value.code == "stage_finished"
    with pytest.raises(DomainError) as e:  # a joint case serves one project stage
        services.project_stage_link(project=register(w, code="2026-130621-47-01-000002"), stage=1, joint=s1,
                                    staff=w.clerk)
    assert e.value.code == "joint_taken"


def test_parallel_items_link_at_any_time(w):
    p = register(w)
    row = services.project_stage_link(project=p, stage=5, joint=joint(w, 5, accepted_on=D(2026, 9, 28)),
                                      staff=w.clerk)
    assert (row.stage, row.started_on, Project.objects.get(pk=p.pk).stage) == (5, D(2026, 9, 28), 1)


def test_a_refused_joint_case_may_be_replaced(w):
    p = register(w)
    bad = joint(w, 1, accepted_on=D(2026, 9, 28))
    services.project_stage_link(project=p, stage=1, joint=bad, staff=w.clerk)
    from zhengwu.joint.models import JointCase

    JointCase.objects.filter(pk=bad.pk).update(status=JointStatus.REFUSED)
    with pytest.raises(DomainError) as e:
        services.project_stage_link(project=p, stage=1, joint=bad.__class__.objects.get(pk=bad.pk), staff=w.clerk)
    assert e.value.code in ("joint_closed", "joint_taken")
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 9))
    assert (pr.stages[0].state, pr.stages[0].days_used, [b.kind for b in pr.blockers]) == ("failed", 0, ["no_joint"])
    again = joint(w, 1, accepted_on=D(2026, 10, 9))
    row = services.project_stage_link(project=p, stage=1, joint=again, staff=w.clerk)
    assert (row.joint, row.started_on) == (again, D(2026, 10, 9))
    assert "替换未获办理的" in p.events.filter(action="link_stage").last().note


def test_refresh_to_completion_and_close(w):
    p = register(w)
    days = [(D(2026, 9, 1), D(2026, 9, 10)), (D(2026, 9, 14), D(2026, 9, 18)),
            (D(2026, 9, 21), D(2026, 9, 24)), (D(2026, 9, 28), D(2026, 10, 12))]
    for stage, (a, b) in enumerate(days, start=1):
        j = joint(w, stage, accepted_on=a)
        services.project_stage_link(project=p, stage=stage, joint=j, staff=w.clerk)
        complete(j, b)
        assert services.projects_refresh_due() == 1  # the scheduled job finds the lagging project
        assert services.projects_refresh_due() == 0
    p.refresh_from_db()
    assert (p.stage, p.status) == (5, "completed")
    with pytest.raises(DomainError) as e:
        services.project_close(project=p, staff=w.clerk, reason=" ")
    assert e.value.code == "required"
    p = services.project_close(project=p, staff=w.clerk, reason="审批全部完成，归档")
    assert (p.status, p.close_reason) == ("closed", "审批全部完成，归档")
    with pytest.raises(DomainError) as e:
        services.project_close(project=p, staff=w.clerk, reason="再次")
    assert e.value.code == "project_closed"


def test_a_closed_project_takes_no_stage(w):
    p = services.project_close(project=register(w), staff=w.admin, reason="建设单位撤回项目")
    with pytest.raises(DomainError) as e:
        services.project_stage_link(project=p, stage=1, joint=joint(w, 1, accepted_on=D(2026, 9, 28)), staff=w.clerk)
    assert e.value.code == "project_not_active"


# -- days used ------------------------------------------------------------------------------------------------


def test_days_used_across_national_day_2026(w):
    """Stage 1 accepted Mon 2026-09-28, finished Mon 2026-10-12: 09-29, 09-30, 10-08, 10-09, 10-10 (a Saturday
    worked for the holiday, 调休) and 10-12 = 6 working days; National Day 10-01..07 and 10-11 do not count.
    Stage 2 accepted Wed 10-14, today Tue 10-20: 10-15, 10-16, 10-19, 10-20 = 4. The applicant's 10-13 between
    the stages does not count: the whole process has used 10."""
    p = register(w)
    s1 = joint(w, 1, accepted_on=D(2026, 9, 28))
    services.project_stage_link(project=p, stage=1, joint=s1, staff=w.clerk)
    complete(s1, D(2026, 10, 12))
    services.project_stage_refresh(project=p)
    services.project_stage_link(project=p, stage=2, joint=joint(w, 2, accepted_on=D(2026, 10, 14)), staff=w.clerk)
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 20))
    assert [(s.stage, s.days_used, s.limit_days, s.state) for s in pr.stages] == [
        (1, 6, 20, "finished"), (2, 4, 25, "running"), (3, 0, 20, "waiting"), (4, 0, 20, "waiting")]
    assert (pr.days_used, pr.limit_days, pr.over_limit, pr.overdue) == (10, 120, False, False)
    assert pr.current.stage == 2


def test_over_the_whole_process_and_stage_limits(w):
    ProjectPolicy.objects.update_or_create(pk=1, defaults={"whole_limit_days": 8, "stage1_days": 5})
    p = register(w)
    s1 = joint(w, 1, accepted_on=D(2026, 9, 28))
    services.project_stage_link(project=p, stage=1, joint=s1, staff=w.clerk)
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 9))
    assert (pr.stages[0].days_used, pr.stages[0].over_limit, pr.over_limit) == (4, False, False)
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 12))
    assert (pr.stages[0].days_used, pr.stages[0].over_limit, pr.over_limit, pr.overdue) == (6, True, False, True)
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 15))
    assert (pr.days_used, pr.over_limit, pr.percent) == (9, True, 100)


# -- blockers -------------------------------------------------------------------------------------------------


def test_blockers_are_the_open_children_of_the_current_stage(w):
    p = register(w)
    pr = selectors.progress_of(p, today=D(2026, 10, 20))
    assert [(b.kind, b.text) for b in pr.blockers] == [
        ("no_joint", "“立项用地规划许可”阶段尚未关联联办件（待建设单位申请本阶段联办事项）")]
    j = joint(w, 1, accepted_on=D(2026, 9, 28), children=[
        (w.resources_item, Status.IN_REVIEW, D(2026, 10, 12)),
        (w.housing_item, Status.IN_REVIEW, D(2026, 10, 30)),
        (w.item, Status.COMPLETED, D(2026, 10, 9)),
    ])
    services.project_stage_link(project=p, stage=1, joint=j, staff=w.clerk)
    late = j.children.get(department=w.resources)
    kind, _ = ClockKind.objects.get_or_create(pk="case", defaults={"name": "办结时限", "subject_label": "办件",
                                                                   "due_label": "办结期限"})
    ck = Clock.objects.create(kind=kind, subject_type="case", subject_id=late.pk, subject_no=late.case_no,
                              region=w.county, started_on=D(2026, 9, 28), started_at=clock.now(),
                              due_date=D(2026, 10, 12))
    DeemedApproval.objects.create(clock=ck, subject_no=late.case_no, department=w.resources, notice_no="MR-2026-1",
                                  due_date=D(2026, 10, 12), issued_on=D(2026, 10, 14), overdue_workdays=2,
                                  reply_by=D(2026, 10, 15))
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 20))
    assert [(b.kind, b.department, b.due_date, b.overdue, b.deemed, b.notice_no) for b in pr.blockers] == [
        ("child", "示范县自然资源和规划局", D(2026, 10, 12), True, True, "MR-2026-1"),
        ("child", "示范县住房和城乡建设局", D(2026, 10, 30), False, False, ""),
    ]
    j.children.update(status=Status.COMPLETED)
    j.__class__.objects.filter(pk=j.pk).update(status=JointStatus.READY, due_date=D(2026, 10, 30))
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 20))
    assert [(b.kind, b.department, b.text) for b in pr.blockers] == [
        ("lead_result", "示范县自然资源和规划局", "各子件已办结，待牵头部门出具联合审批结果")]


def test_progress_of_many_projects_is_three_queries(w, django_assert_num_queries):
    for n in range(1, 4):
        p = register(w, code=f"2026-130621-47-01-00000{n}")
        services.project_stage_link(project=p, stage=1, joint=joint(w, 1, accepted_on=D(2026, 9, 28)),
                                    staff=w.clerk)
    selectors.progress_many(Project.objects.select_related("hall__region")[:1], today=D(2026, 10, 20))  # calendar
    with django_assert_num_queries(3):  # projects, stages with joints, 特别程序 stops (none: no 子件 read)
        out = selectors.progress_many(Project.objects.select_related("hall__region"), today=D(2026, 10, 20))
    assert [p.days_used for p in out] == [12, 12, 12]  # 09-28 to 10-20, National Day out


def test_a_joint_case_not_yet_accepted_blocks_as_pending(w):
    p = register(w)
    j = joint(w, 1, accepted_on=None, status=JointStatus.SUPPLEMENT)
    row = services.project_stage_link(project=p, stage=1, joint=j, staff=w.clerk)
    assert (row.started_on, row.finished_on) == (None, None)
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 10, 20))
    assert (pr.stages[0].state, pr.stages[0].days_used) == ("pending", 0)
    assert [(b.kind, b.text, b.department) for b in pr.blockers] == [
        ("joint_pending", f"联办件 {j.case_no} 待补正", "示范县自然资源和规划局")]
    from zhengwu.joint.models import JointCase

    JointCase.objects.filter(pk=j.pk).update(status=JointStatus.IN_REVIEW, accepted_on=D(2026, 10, 19))
    assert services.projects_refresh_due() == 1
    assert ProjectStage.objects.get(project=p, stage=1).started_on == D(2026, 10, 19)
    assert list(p.events.filter(action="stage_started").values_list("stage", flat=True)) == [1]


def test_the_scheduled_command(w):
    from io import StringIO

    from django.core.management import call_command

    p = register(w)
    j = joint(w, 1, accepted_on=D(2026, 9, 28))
    services.project_stage_link(project=p, stage=1, joint=j, staff=w.clerk)
    complete(j, D(2026, 10, 12))
    out = StringIO()
    call_command("projects_refresh", stdout=out)
    assert out.getvalue() == "已更新 1 个工程建设项目的阶段进度。\n"
    assert Project.objects.get(pk=p.pk).stage == 2
