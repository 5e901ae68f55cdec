"""联合踏勘 through the joint-only actions of ``POST /api/cases/{联办件编号}/actions/{action}``: a whole
inspection, and refusals as ``{code, message}`` in Chinese with nothing changed (never a 500)."""

from __future__ import annotations

import pytest

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock
from zhengwu.joint.models import Inspection, InspectionInvite, InspectionStatus

from .factories_inspection import DAY, attendance, build_joint

pytestmark = pytest.mark.django_db

INSPECT_DAY = "2026-03-12"


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def act(client, w, action, who, **data):
    return client.post(f"/api/cases/{w.joint.case_no}/actions/{action}", data, content_type="application/json",
                       headers=token(who.user))


def test_a_whole_inspection_through_the_api(client):
    w = build_joint()
    with clock.frozen(DAY):
        r = act(client, w, "schedule_inspection", w.officer, date=INSPECT_DAY, place="建设路18号")
        assert r.status_code == 200, r.content
        assert act(client, w, "confirm_inspection", w.co1_chief, round=1).status_code == 200
    with clock.frozen(DAY.replace(day=12)):
        r = act(client, w, "record_inspection", w.officer, round=1, attendance=attendance(w), conclusion="同意")
        assert r.status_code == 200, r.content
        assert act(client, w, "sign_inspection", w.chief, round=1).status_code == 200
    assert Inspection.objects.get().status == InspectionStatus.SIGNED
    assert InspectionInvite.objects.get(department=w.co2).deemed_agree
    # the lead sees the absent department's 子件 with its opinion marked as deemed by absence (缺席默认)
    r = client.get(f"/api/cases/{w.joint.case_no}", headers=token(w.chief.user))
    assert r.status_code == 200, r.content
    marks = {c["department"]: (c["opinion"], c["opinion_deemed_absent"]) for c in r.json()["children"]}
    assert marks[w.co2.name] == ("agree", True)
    assert marks[w.co1.name] == (None, False)  # present: no opinion written for it


@pytest.mark.parametrize("action,who,data,status,code", [
    ("schedule_inspection", "co1_chief", {"date": INSPECT_DAY, "place": "x"}, 403, "not_lead"),
    ("schedule_inspection", "officer", {"date": "2026-03-14", "place": "x"}, 400, "date_not_workday"),
    ("schedule_inspection", "officer", {"date": 20260312, "place": "x"}, 400, "date_required"),
    ("schedule_inspection", "officer", {"date": INSPECT_DAY, "place": "x", "department_ids": {"a": 1}}, 400,
     "invalid_input"),
    ("confirm_inspection", "stranger", {"round": 1}, 404, "not_found"),  # not involved: as for a missing case
    ("schedule_inspection", "stranger", {"date": INSPECT_DAY, "place": "x"}, 404, "not_found"),
    ("record_inspection", "officer", {"round": "一"}, 400, "round_required"),
])
def test_refusals_through_the_api(client, action, who, data, status, code):
    w = build_joint()
    with clock.frozen(DAY):
        r = act(client, w, action, getattr(w, who), **data)
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code and body["message"]
    assert not Inspection.objects.exists()
