"""One 补正 for all departments (一次性告知): every department's missing materials, a shared one once."""

from __future__ import annotations

import pytest

from zhengwu.cases.models import Status, SupplementRequest
from zhengwu.cases.tests.factories import pdf
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.joint import documents
from zhengwu.joint import services as js
from zhengwu.joint.models import JointStatus

from .factories import DAY, build_bundle_world, children, fresh, online_apply, window_apply

pytestmark = pytest.mark.django_db


def test_supplement_notice_lists_every_department_and_a_shared_material_once():
    w = build_bundle_world()
    with clock.frozen(DAY):
        joint = online_apply(w, skip=("营业执照", "消防设计图", "食品经营许可申请书"))
        missing = [n for (_c, m) in js.joint_missing(joint) for n in m]
        assert sorted(missing) == sorted(["食品经营许可申请书", "营业执照", "营业执照", "消防设计图"])
        lines = [w.lines["营业执照"], w.lines["消防设计图"], w.lines["食品经营许可申请书"]]
        js.joint_request_supplement(joint=joint, officer=w.officer, lines=lines, note="请补齐")
    joint = fresh(joint)
    assert joint.status == JointStatus.SUPPLEMENT
    assert [c.status for c in children(joint)] == [Status.SUPPLEMENT] * 3
    assert SupplementRequest.objects.count() == 3
    notice = documents.supplement_rows(joint)
    names = [r["name"] for r in notice]
    assert names.count("营业执照") == 1
    assert sorted(names) == sorted(["营业执照", "消防设计图", "食品经营许可申请书"])
    row = next(r for r in notice if r["name"] == "营业执照")
    assert row["departments"] == ["示范县公安局", "示范县消防救援大队"]
    html = documents.render_html(joint, "supplement")
    assert html.count("营业执照") == 1 and "示范县消防救援大队" in html

    # acceptance waits for the 补正
    with clock.frozen(DAY), pytest.raises(DomainError):
        js.joint_accept(joint=joint, officer=w.officer)
    # the applicant hands in the shared file once: both departments have it, then the rest
    with clock.frozen(DAY):
        js.joint_supplement(joint=joint, user=w.citizen, files=[(w.lines["营业执照"], pdf())])
        assert fresh(joint).status == JointStatus.SUPPLEMENT
        js.joint_supplement(joint=fresh(joint), user=w.citizen,
                            files=[(w.lines["消防设计图"], pdf()), (w.lines["食品经营许可申请书"], pdf())])
    joint = fresh(joint)
    assert joint.status == JointStatus.SUBMITTED
    assert {c.status for c in children(joint)} == {Status.PENDING}
    with clock.frozen(DAY):
        js.joint_accept(joint=joint, officer=w.officer)
    assert fresh(joint).status == JointStatus.IN_REVIEW


def test_reject_and_withdraw_for_all():
    w = build_bundle_world()
    with clock.frozen(DAY):
        a = window_apply(w)
        with pytest.raises(DomainError):
            js.joint_reject(joint=a, officer=w.officer, reason=" ")
        js.joint_reject(joint=a, officer=w.officer, reason="不属于本县管辖")
        b = online_apply(w)
        with pytest.raises(DomainError):
            js.joint_withdraw(joint=b, user=w.leader.user)
        js.joint_withdraw(joint=b, user=w.citizen, reason="不再开办")
    assert fresh(a).status == JointStatus.REJECTED
    assert {c.status for c in children(a)} == {Status.REJECTED}
    assert fresh(b).status == JointStatus.WITHDRAWN
    assert {c.status for c in children(b)} == {Status.WITHDRAWN}
