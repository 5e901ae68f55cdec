"""The demo's 联合踏勘 (``zhengwu.demo.inspections.build_inspections``) on two joint cases: one signed with a
department deemed to agree (缺席默认) and its notice, one scheduled on the coming working day; a second run
makes nothing."""

from __future__ import annotations

import pytest

from zhengwu.core import clock
from zhengwu.demo.inspections import build_inspections
from zhengwu.joint.models import Attendance, Inspection, InspectionStatus, JointEvent
from zhengwu.workdays import engine

from .factories_inspection import another_joint, build_joint

pytestmark = pytest.mark.django_db


def test_demo_inspections():
    w = build_joint()
    second = another_joint(w)
    assert build_inspections() == 2
    signed = Inspection.objects.get(joint=w.joint)
    assert signed.status == InspectionStatus.SIGNED and signed.record_no
    assert signed.date < clock.today()
    absent = signed.invites.get(deemed_agree=True)
    assert absent.department == w.co2 and absent.attendance == Attendance.ABSENT and absent.notice_no
    assert signed.invites.get(department=w.co1).attendance == Attendance.PRESENT
    assert JointEvent.objects.filter(joint=w.joint, action="inspection_absent_deemed").count() == 1
    planned = Inspection.objects.get(joint=second)
    assert planned.status == InspectionStatus.SCHEDULED and planned.date > clock.today()
    assert engine.is_workday(planned.date, region=w.center.region)
    assert build_inspections() == 0 and Inspection.objects.count() == 2
