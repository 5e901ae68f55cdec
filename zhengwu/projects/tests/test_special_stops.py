"""Days used subtract 特别程序: a working day on which no 子件 of the stage's joint case was worked (one stopped
under a 特别程序, every other decided before it) is not approval time; while any department works, it is."""

from __future__ import annotations

from datetime import date as D

import pytest

from zhengwu.cases.models import Case, ClockStop, Status
from zhengwu.projects import selectors, services
from zhengwu.projects.models import Project

from .factories import at, joint, register, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def test_days_used_leave_out_special_procedure_days(w):
    """Stage 1 accepted Mon 2026-03-02, today Fri 03-13: 9 working days (03-03 … 03-13). 子件 2 decided on
    Wed 03-04; 子件 1 under 专家评审 Thu 03-05 … Tue 03-10 (4 working days: 05, 06, 09, 10) → 5 used. A stop
    of 子件 2 alone while 子件 1 works (03-03) changes nothing; an open stop runs to today."""
    p = register(w)
    s1 = joint(w, 1, accepted_on=D(2026, 3, 2), children=[
        (w.resources_item, Status.IN_REVIEW, D(2026, 3, 20)), (w.housing_item, Status.DECIDED, D(2026, 3, 9))])
    services.project_stage_link(project=p, stage=1, joint=s1, staff=w.clerk)
    kid1, kid2 = Case.objects.filter(joint=s1).order_by("joint_seq")
    Case.objects.filter(pk=kid2.pk).update(decided_at=at(D(2026, 3, 4), 15))
    officer = w.clerk
    ClockStop.objects.create(case=kid1, kind="expert_review", reason="专家评审", start_on=D(2026, 3, 5),
                             end_on=D(2026, 3, 10), started_by=officer)
    ClockStop.objects.create(case=kid2, kind="inspection", reason="检测", start_on=D(2026, 3, 3),
                             end_on=D(2026, 3, 3), started_by=officer)

    def used(today):
        return selectors.progress_of(Project.objects.get(pk=p.pk), today=today).stages[0].days_used

    assert used(D(2026, 3, 13)) == 9 - 4
    assert used(D(2026, 3, 6)) == 4 - 2  # mid-stop: 03-03, 03-04 counted; 03-05, 03-06 stopped
    # a second stop still open: 03-12 and 03-13 do not count either
    ClockStop.objects.create(case=kid1, kind="expert_review", reason="复评", start_on=D(2026, 3, 12),
                             started_by=officer)
    assert used(D(2026, 3, 13)) == 9 - 6
    # the list view (many projects at once) agrees
    assert selectors.progress_many([Project.objects.get(pk=p.pk)], today=D(2026, 3, 13))[0].days_used == 3


def test_a_stop_while_another_department_works_counts(w):
    p = register(w)
    s1 = joint(w, 1, accepted_on=D(2026, 3, 2), children=[
        (w.resources_item, Status.IN_REVIEW, D(2026, 3, 20)), (w.housing_item, Status.IN_REVIEW, D(2026, 3, 20))])
    services.project_stage_link(project=p, stage=1, joint=s1, staff=w.clerk)
    kid1 = Case.objects.get(joint=s1, joint_seq=1)
    ClockStop.objects.create(case=kid1, kind="expert_review", reason="专家评审", start_on=D(2026, 3, 3),
                             end_on=D(2026, 3, 6), started_by=w.clerk)
    pr = selectors.progress_of(Project.objects.get(pk=p.pk), today=D(2026, 3, 13))
    assert pr.stages[0].days_used == 9
