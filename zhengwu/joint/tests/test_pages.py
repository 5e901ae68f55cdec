"""The 联办件 pages and documents: the list, the staff page by scope, the window's bundle application, the
applicant's 我的办件, the 受理通知书 and the combined result as HTML and PDF."""

from __future__ import annotations

import pytest

from zhengwu.cases.models import Case
from zhengwu.cases.tests.factories import pdf
from zhengwu.core import clock
from zhengwu.joint import documents
from zhengwu.joint import services as js
from zhengwu.joint.models import JointCase, JointStatus

from .factories import DAY, build_bundle_world, children, fresh, online_apply

pytestmark = pytest.mark.django_db


def _login(client, staff_or_user):
    user = getattr(staff_or_user, "user", staff_or_user)
    client.force_login(user)


def test_window_takes_a_bundle_application_and_accepts(client):
    w = build_bundle_world()
    _login(client, w.officer)
    with clock.frozen(DAY):
        r = client.get("/joint/apply/BD-CYD/")
        assert r.status_code == 200 and "合并材料清单" in r.content.decode()
        data = {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13812345678"}
        for name, n in w.lines.items():
            if name != "授权委托书":
                data[f"line_{n}"] = pdf(f"{name}.pdf")
        r = client.post("/joint/apply/BD-CYD/", data)
        assert r.status_code == 302, r.content.decode()[:2000]
        joint = JointCase.objects.get()
        r = client.post(f"/joint/{joint.case_no}/act/accept/", {"note": ""})
        assert r.status_code == 302
    joint = fresh(joint)
    assert joint.status == JointStatus.IN_REVIEW
    html = documents.render_html(joint, "acceptance")
    for c in children(joint):
        assert c.case_no in html and Case.objects.get(pk=c.pk).department.name in html
    assert "抄告制" in html
    assert documents.render_pdf(joint, "acceptance")[:4] == b"%PDF"
    page = client.get(f"/joint/{joint.case_no}/").content.decode()
    assert "统一受理" not in page and "并联审查中" in page
    assert client.get(f"/joint/{joint.case_no}/docs/acceptance/").status_code == 200
    assert client.get(f"/joint/{joint.case_no}/docs/acceptance.pdf").status_code == 200
    assert client.get(f"/joint/{joint.case_no}/docs/result/").status_code == 409
    assert joint.case_no in client.get("/joint/").content.decode()


def test_a_refused_bundle_application_names_every_problem_beside_its_field(client, settings):
    """A bad ID check digit, a bad phone and one oversize file: all three at once, each beside its field, with
    what was typed kept and nothing written (the same form for the window, online and village agents)."""
    w = build_bundle_world()
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1024
    _login(client, w.officer)
    first = next(iter(w.lines.values()))
    with clock.frozen(DAY):
        r = client.post("/joint/apply/BD-CYD/", {"kind": "person", "name": "张三", "id_number": "110105194912310021",
                                                 "phone": "123", f"line_{first}": pdf("大文件.pdf", size=4096)})
    page = r.content.decode()
    assert r.status_code == 400 and not JointCase.objects.exists() and not Case.objects.exists()
    assert "提交未成功，请修改以下3处内容" in page
    for field in ("id_number", "phone", f"line_{first}"):
        assert f'href="#f-{field}"' in page and f'aria-describedby="f-{field}-error"' in page, field
    assert 'value="张三"' in page and 'aria-describedby="f-name-error"' not in page


def test_scope_of_the_staff_page_and_my_cases(client):
    w = build_bundle_world()
    with clock.frozen(DAY):
        joint = online_apply(w)
        js.joint_accept(joint=joint, officer=w.officer)
        kids = children(joint)
        js.joint_opinion(case=kids[1], officer=w.co1_chief, kind="disagree", reason="机密的内部理由")
    # the lead sees the opinion and the ruling form
    _login(client, w.chief)
    page = client.get(f"/joint/{joint.case_no}/").content.decode()
    assert "机密的内部理由" in page and 'data-testid="ruling-form"' in page
    # 消防 sees the summary but not 公安's opinion, and no lead forms
    client.logout()
    _login(client, w.co2_chief)
    page = client.get(f"/joint/{joint.case_no}/").content.decode()
    assert "机密的内部理由" not in page and "ruling-form" not in page
    assert kids[1].case_no in page and f'data-testid="opinion-{kids[2].case_no}"' in page
    assert joint.case_no in client.get("/joint/").content.decode()
    # a department not in the bundle gets a 404, and its list is empty
    client.logout()
    from zhengwu.org.models import Role
    from zhengwu.org.tests import factories as f

    d = f.department(w.county, code="D009", name="示范县水利局")
    stranger = f.staff("9001", Role.CHIEF_REP, department=d, hall=w.center, name="外部门")
    _login(client, stranger)
    assert client.get(f"/joint/{joint.case_no}/").status_code == 404
    assert joint.case_no not in client.get("/joint/").content.decode()
    # the applicant: one entry with its children in 我的办件
    client.logout()
    _login(client, w.citizen)
    page = client.get("/my/cases/").content.decode()
    assert page.count(f'data-joint="{joint.case_no}"') == 1
    assert all(c.case_no in page for c in kids)
    mine = client.get(f"/joint/my/{joint.case_no}/").content.decode()
    assert "机密的内部理由" not in mine and kids[2].case_no in mine
    assert client.get(f"/my/cases/{joint.case_no}/").status_code == 302


def test_the_applicant_withdraws_the_whole_joint_case_from_its_page(client):
    w = build_bundle_world()
    with clock.frozen(DAY):
        joint = online_apply(w)
    _login(client, w.citizen)
    page = client.get(f"/joint/my/{joint.case_no}/").content.decode()
    assert 'data-testid="joint-withdraw"' in page
    with clock.frozen(DAY):
        r = client.post(f"/joint/my/{joint.case_no}/withdraw/", {"reason": "不开店了"})
    assert r.status_code == 302
    assert fresh(joint).status == JointStatus.WITHDRAWN
    assert {c.status for c in children(joint)} == {"withdrawn"}
    assert 'data-testid="joint-withdraw"' not in client.get(f"/joint/my/{joint.case_no}/").content.decode()
    # someone else's 联办件: not found
    client.logout()
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user(username="lisi", password="pass-123456")
    client.force_login(stranger)
    assert client.post(f"/joint/my/{joint.case_no}/withdraw/", {"reason": "x"}).status_code == 404
