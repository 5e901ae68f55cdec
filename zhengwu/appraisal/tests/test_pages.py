"""The appraisal pages without a browser: the supervisor's forms, the rater's form (errors shown in Chinese,
nothing changed; a used link says so with status 200, as the path holds the token and Django logs 4xx
paths), the department's report form and who may open what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from zhengwu.appraisal.models import Answer, Campaign, Invitation, Rectification, Section
from zhengwu.appraisal.services import answers, campaigns
from zhengwu.core import clock

from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _day():
    with clock.frozen(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)):
        yield


def _as(staff) -> Client:
    c = Client()
    c.force_login(staff.user)
    return c


def test_supervisor_forms_and_refusals():
    w = fx.world()
    sup = _as(w.supervisor)
    assert sup.get("/appraisal/").url == "/appraisal/workbench/"
    r = sup.post("/appraisal/workbench/", {"title": "评议", "starts_on": "2026-03-10", "ends_on": "2026-03-01"})
    assert r.status_code == 400 and "评议截止日期不能早于开始日期" in r.content.decode()
    assert Campaign.objects.count() == 0
    # no title, a bad start date, a zero bottom count: all three beside their fields at once
    r = sup.post("/appraisal/workbench/", {"title": "", "starts_on": "2026-13-40", "ends_on": "2026-03-01",
                                           "bottom_n": "0"})
    page = r.content.decode()
    assert r.status_code == 400 and Campaign.objects.count() == 0
    for field in ("title", "starts_on", "bottom_n"):
        assert f'aria-describedby="f-{field}-error"' in page and f'href="#f-{field}"' in page, field
    assert 'aria-describedby="f-ends_on-error"' not in page and 'value="2026-03-01"' in page
    r = sup.post("/appraisal/workbench/", {"title": "2026年度县直部门重点科室评议", "starts_on": "2026-03-02",
                                           "ends_on": "2026-03-31"})
    c = Campaign.objects.get()
    assert r.url == f"/appraisal/campaigns/{c.pk}/"
    url = r.url
    sup.post(url, {"op": "add_section", "department": w.depts[0].pk, "name": "登记注册科", "duty_type": "service"})
    r = sup.post(url, {"op": "add_section", "department": w.depts[0].pk, "name": "登记注册科", "duty_type": "service"})
    assert "示范县市场监督管理局登记注册科已在评议名单中" in r.content.decode()
    for weight in ("NaN", "Infinity", "abc", "0", "-1"):
        r = sup.post(url, {"op": "add_question", "text": "服务态度", "kind": "satisfaction", "weight": weight})
        assert r.status_code == 200 and "权重" in r.content.decode(), weight
    r = sup.post(url, {"op": "add_section", "department": "9" * 30, "name": "科", "duty_type": "service"})
    assert "请选择部门" in r.content.decode()
    assert c.questions.count() == 0 and Section.objects.count() == 1
    sup.post(url, {"op": "add_question", "text": "服务态度", "kind": "satisfaction", "weight": "1"})
    r = sup.post(url, {"op": "add_invite", "rater_kind": "deputy", "name": "王代表", "phone": "1234"})
    assert "联系电话应为11位手机号码" in r.content.decode()
    sup.post(url, {"op": "add_invite", "rater_kind": "deputy", "name": "王代表", "phone": "13912340000"})
    assert (Section.objects.count(), Invitation.objects.count()) == (1, 1)
    r = sup.post(url, {"op": "publish"})
    assert "当前状态（草稿）不能公布结果、启动整改" in r.content.decode()
    sup.post(url, {"op": "open"})
    c.refresh_from_db()
    assert c.status == "open"
    page = sup.get(url).content.decode()
    assert "已发送 1" in page and "王代表" in page
    # others may not open the workbench
    assert _as(w.heads[0]).get(url).status_code == 403
    assert _as(w.officer).get("/appraisal/workbench/").status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_rater_form_errors_and_used_link():
    w = fx.world()
    c, tokens = fx.campaign(w, raters=2)
    client = Client()
    url = f"/appraisal/r/{tokens[0]}/"
    page = client.get(url).content.decode()
    assert "登记注册科" in page and "不了解该科室" in page and "基本满意" in page
    s = list(c.sections.order_by("sort"))
    q_sat, q5 = c.questions.order_by("sort")
    r = client.post(url, {f"s{s[0].pk}_q{q_sat.pk}": "3"})  # the 1–5 score missing
    page = r.content.decode()
    assert r.status_code == 400 and "请作出评价，或勾选“不了解该科室”" in page
    # beside the unanswered question (and in the summary), the answered one kept as chosen
    assert f'aria-describedby="f-s{s[0].pk}_q{q5.pk}-error"' in page and f'href="#f-s{s[0].pk}_q{q5.pk}"' in page
    assert f'aria-describedby="f-s{s[0].pk}_q{q_sat.pk}-error"' not in page
    assert re.search(rf'name="s{s[0].pk}_q{q_sat.pk}" value="3"[^>]* checked', page)
    assert Answer.objects.count() == 0 and Invitation.objects.filter(used_on__isnull=False).count() == 0
    r = client.post(url, {f"s{s[0].pk}_q{q_sat.pk}": "3", f"s{s[0].pk}_q{q5.pk}": "4",
                          f"s{s[1].pk}_unknown": "1", f"s{s[2].pk}_comment": ""})
    assert "感谢您的评议" in r.content.decode()
    assert Answer.objects.count() == 2
    for method in (client.get, lambda u: client.post(u, {f"s{s[0].pk}_q{q_sat.pk}": "1"})):
        r = method(url)
        assert r.status_code == 200 and "该评议链接已经使用过，每个链接只能提交一次" in r.content.decode()
    assert Answer.objects.count() == 2
    r = client.get("/appraisal/r/no-such-token-here/")
    assert "评议链接无效" in r.content.decode()


def test_department_files_its_report_and_reads_no_other_section():
    w = fx.world()
    c, tokens = fx.campaign(w, bottom_n=1, min_answers=1)
    answers.answer_submit(token=tokens[0], sections=fx.answer(c, sat={0: 3, 1: 1}))
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="close")
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="publish")
    rect = Rectification.objects.get()
    head = _as(w.heads[1])
    page = head.get("/appraisal/department/").content.decode()
    assert "不动产登记科" in page and "登记注册科" not in page and "报送整改报告" in page
    r = head.post("/appraisal/department/", {"rectification": rect.pk, "report": "短"})
    assert "整改报告至少10个字" in r.content.decode()
    assert _as(w.heads[0]).post("/appraisal/department/", {"rectification": rect.pk,
                                                            "report": "别的部门不能报送这个整改"}).status_code == 403
    rect.refresh_from_db()
    assert rect.status == "running"
    head.post("/appraisal/department/", {"rectification": rect.pk, "report": "已增设窗口并推行预约办理"})
    rect.refresh_from_db()
    assert (rect.status, rect.report) == ("filed", "已增设窗口并推行预约办理")
    sup = _as(w.supervisor)
    sup.post(f"/appraisal/campaigns/{c.pk}/", {"op": "return", "rectification": rect.pk, "note": "请补充成效"})
    rect.refresh_from_db()
    assert (rect.status, rect.return_note) == ("running", "请补充成效")
    assert "请补充成效" in head.get("/appraisal/department/").content.decode()
