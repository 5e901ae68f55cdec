"""``GET /api/cases`` for an applicant lists a 联办件 as one entry (kind "joint", its derived status and due
date, its 子件 summarised), as 我的办件 does, not its 子件 one by one; staff listings are unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.cases.models import Case
from zhengwu.cases.tests.factories import applicant, pdf
from zhengwu.core import clock
from zhengwu.joint import services as js

from .factories import DAY, build_bundle_world, children, fresh, online_apply
from .test_api import token

pytestmark = pytest.mark.django_db


def test_an_applicant_sees_a_joint_case_as_one_entry_with_its_children(client):
    w = build_bundle_world()
    with clock.frozen(DAY):
        mats = list(w.item.current.materials.order_by("seq"))
        single = cs.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                                files=[(m.pk, pdf()) for m in mats if m.necessity == "required"])
    with clock.frozen(DAY + dt.timedelta(days=1)):
        joint = online_apply(w)
        js.joint_accept(joint=joint, officer=w.officer)
        kids = children(joint)
        cs.case_decide(case=Case.objects.get(pk=kids[1].pk), officer=w.co1_chief, decision="approve")
        rows = client.get("/api/cases", headers=token(w.citizen)).json()
    joint = fresh(joint)
    assert [r["case_no"] for r in rows] == [joint.case_no, single.case_no]  # newest first, no 子件 entry
    j, s = rows
    assert (s["kind"], s["status"], s["children"]) == ("single", single.status, None)
    assert j["kind"] == "joint"
    assert (j["status"], j["due_date"]) == (joint.status, joint.due_date.isoformat())
    assert j["item_name"] == "开办餐饮店" and j["applicant_name"] == joint.applicant_name
    assert [(c["case_no"], c["department"], c["status"], c["deemed"]) for c in j["children"]] == [
        (k.case_no, k.department.name, fresh(k).status, False) for k in kids]
    assert j["children"][1]["status"] == "decided"

    # paging runs over the merged list
    with clock.frozen(DAY + dt.timedelta(days=1)):
        assert [r["case_no"] for r in client.get("/api/cases?limit=1&offset=1",
                                                 headers=token(w.citizen)).json()] == [single.case_no]
        # staff listings are unchanged: the lead's officer still sees the 子件 of their department
        staff_rows = client.get("/api/cases", headers=token(w.chief.user)).json()
    assert kids[0].case_no in [r["case_no"] for r in staff_rows]
    assert all(r["kind"] == "single" for r in staff_rows)
