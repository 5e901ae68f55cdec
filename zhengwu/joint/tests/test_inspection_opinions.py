"""缺席默认 of a 联合踏勘 is also the department's opinion on its 子件 (同意, marked deemed by absence), written
through the opinions service, so the lead's combined result sees it; an excused or present department gets
none, and a department's own earlier opinion stands."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.joint import inspections as svc
from zhengwu.joint import services as js
from zhengwu.joint.models import InspectionInvite, JointEvent, JointOpinion, OpinionKind

from .factories_inspection import DAY, attendance, build_joint

pytestmark = pytest.mark.django_db

INSPECT_DAY = dt.date(2026, 3, 12)


def _inspect(w, rows):
    with clock.frozen(DAY):
        inspection = svc.inspection_schedule(joint=w.joint, staff=w.officer, date=INSPECT_DAY, place="建设路18号")
    with clock.frozen(INSPECT_DAY):
        return svc.inspection_record(inspection=inspection, staff=w.officer, attendance=rows,
                                     conclusion="场地符合开办条件，议定按图施工")


def test_an_absent_department_is_recorded_as_agreeing_on_its_subcase():
    w = build_joint()
    inspection = _inspect(w, attendance(w, co1="present", co2="absent"))
    invite = InspectionInvite.objects.get(inspection=inspection, department=w.co2)
    assert invite.deemed_agree
    op = JointOpinion.objects.get(joint=w.joint)  # only the absent department's: co 1 was present
    assert (op.case_id, op.department_id, op.kind, op.absent_invite_id, op.by_id) == (
        w.children[2].pk, w.co2.pk, OpinionKind.AGREE, invite.pk, w.officer.pk)
    assert op.deemed_absent and invite.notice_no in op.reason
    ev = JointEvent.objects.get(joint=w.joint, action="opinion")
    assert ev.data["deemed_absent"] is True and ev.department_id == w.co2.pk
    assert JointEvent.objects.get(joint=w.joint, action="inspection_absent_deemed").data["opinions"] == [op.pk]
    # the combined result's lines read it
    lines = {x["case_no"]: x for x in js.result_lines(w.joint)}
    line = lines[w.children[2].case_no]
    assert (line["opinion"], line["opinion_deemed_absent"]) == ("同意（缺席默认）", True)
    assert lines[w.children[1].case_no]["opinion"] == ""
    # the department can no longer file an opinion of its own on that 子件
    with pytest.raises(DomainError):
        js.joint_opinion(case=Case.objects.get(pk=w.children[2].pk), officer=w.co2_chief, kind="disagree", reason="不符合")


def test_an_excused_department_gets_no_opinion_and_an_own_opinion_stands():
    w = build_joint()
    js.joint_opinion(case=Case.objects.get(pk=w.children[1].pk), officer=w.co1_chief, kind="escalate", reason="报市局审批")
    _inspect(w, attendance(w, co1="absent", co2="excused", co2_reason="同日另有执法任务"))
    ops = {o.department_id: o for o in JointOpinion.objects.filter(joint=w.joint)}
    assert list(ops) == [w.co1.pk]  # 消防 was excused: no opinion; 公安's own opinion is kept, not replaced
    assert (ops[w.co1.pk].kind, ops[w.co1.pk].absent_invite_id) == (OpinionKind.ESCALATE, None)
