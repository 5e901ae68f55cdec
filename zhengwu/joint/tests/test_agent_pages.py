"""A village agent applies for a bundle (一件事) for a resident: the agent's page lists the bundles open to
village intake and the agent's 联办件; the combined form files a 联办件 on the agent channel."""

from __future__ import annotations

import pytest

from zhengwu.cases.models import Case, Status
from zhengwu.cases.tests.factories import pdf
from zhengwu.core import clock
from zhengwu.joint.models import JointCase, JointStatus

from .factories import DAY, build_bundle_world

pytestmark = pytest.mark.django_db


def _data(w):
    data = {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13812345678"}
    for name, n in w.lines.items():
        if name != "授权委托书":
            data[f"line_{n}"] = pdf(f"{name}.pdf")
    return data


def test_agent_applies_for_a_bundle_for_a_resident(client):
    w = build_bundle_world()
    client.force_login(w.agent.user)
    with clock.frozen(DAY):
        page = client.get("/joint/agent/").content.decode()
        assert "开办餐饮店" in page and "/joint/agent/apply/BD-CYD/" in page
        r = client.get("/joint/agent/apply/BD-CYD/")
        assert r.status_code == 200 and "提交代办申请" in r.content.decode()
        r = client.post("/joint/agent/apply/BD-CYD/", _data(w))
        assert r.status_code == 302 and r.url == "/joint/agent/", r.content.decode()[:2000]
    joint = JointCase.objects.get()
    assert joint.status == JointStatus.SUBMITTED
    kids = list(Case.objects.filter(joint=joint).order_by("joint_seq"))
    assert {(c.channel, c.agent_id, c.agent_station_id, c.status) for c in kids} == {
        ("agent", w.agent.pk, w.agent.hall_id, Status.PENDING)}
    page = client.get("/joint/agent/").content.decode()
    assert joint.case_no in page and kids[0].case_no in page and "138****5678" in page


def test_only_village_agents_use_it_and_a_bundle_closed_to_villages_is_not_offered(client):
    w = build_bundle_world()
    client.force_login(w.officer.user)
    assert client.get("/joint/agent/").status_code == 403
    assert client.post("/joint/agent/apply/BD-CYD/", _data(w)).status_code == 403
    assert not JointCase.objects.exists()
    # one member no longer taken in at village stations: not offered, and refused if posted
    version = w.item2.current
    version.village_intake = False
    version.save(update_fields=["village_intake"])
    from zhengwu.cases import plan as case_plan

    case_plan._plans.pop(version.pk, None)
    client.force_login(w.agent.user)
    with clock.frozen(DAY):
        assert "/joint/agent/apply/BD-CYD/" not in client.get("/joint/agent/").content.decode()
        r = client.post("/joint/agent/apply/BD-CYD/", _data(w))
    assert r.status_code == 400 and "不能在村便民服务站代办" in r.content.decode()
    assert not JointCase.objects.exists()
