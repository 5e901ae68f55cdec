"""The appraisal API end to end: a supervisor sets up and opens a campaign, raters answer with the token in
the body (a used link: 410 with a Chinese message, nothing changed), close, results, publish; the department
head files the rectification and the supervisor accepts it; the public reads the bottom three and the
follow-up. Refusals are ``{code, message}`` in Chinese."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from zhengwu.appraisal.models import Answer, Invitation
from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier

from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _day():
    with clock.frozen(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)):
        yield


def _client(staff=None) -> Client:
    c = Client()
    if staff is not None:
        c.force_login(staff.user)
    return c


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_whole_campaign_through_the_api(django_capture_on_commit_callbacks):
    w = fx.world()
    sup = _client(w.supervisor)
    r = post(sup, "/api/appraisal/campaigns", {"title": "2026年度县直部门重点科室评议", "starts_on": "2026-03-02",
                                               "ends_on": "2026-03-31", "bottom_n": 1, "min_answers": 2})
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    for d, (_, _, name) in zip(w.depts[:3], fx.DEPTS, strict=False):
        r = post(sup, f"/api/appraisal/campaigns/{cid}/sections", {"name": name, "department_id": d.pk,
                                                                   "duty_type": "enforcement"})
        assert r.status_code == 201 and r.json()["duty_type"] == "enforcement"
    r = post(sup, f"/api/appraisal/campaigns/{cid}/questions", {"text": "服务态度", "kind": "satisfaction"})
    assert r.status_code == 201
    qid = r.json()["id"]
    for i in range(3):
        r = post(sup, f"/api/appraisal/campaigns/{cid}/invitations",
                 {"rater_kind": "enterprise", "name": f"企业代表{i}", "phone": f"1360000000{i}"})
        assert r.status_code == 201 and r.json()["sent"] is False
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = post(sup, f"/api/appraisal/campaigns/{cid}/actions/open")
    assert r.status_code == 200 and r.json()["status"] == "open"
    tokens = [m.text.split("/appraisal/r/")[1].split("/")[0] for m in ConsoleNotifier.sent
              if m.kind == "appraisal_invite"]
    assert len(tokens) == 3

    anon = _client()
    form = post(anon, "/api/appraisal/answers/form", {"token": tokens[0]}).json()
    assert [s["name"] for s in form["sections"]] == [d[2] for d in fx.DEPTS[:3]]
    assert form["questions"][0]["choices"] == [{"value": 3, "label": "满意"}, {"value": 2, "label": "基本满意"},
                                               {"value": 1, "label": "不满意"}]
    sids = [s["id"] for s in form["sections"]]
    for token, values in zip(tokens, [(3, 2, 1), (3, 3, 2), (2, 3, 1)], strict=True):
        body = {"token": token, "sections": [{"section_id": s, "scores": {str(qid): v}, "comment": "跑了三趟"}
                                             for s, v in zip(sids, values, strict=True)]}
        r = post(anon, "/api/appraisal/answers", body)
        assert r.status_code == 201 and r.json()["rated"] == 3
    n = Answer.objects.count()
    r = post(anon, "/api/appraisal/answers", body)
    assert r.status_code == 410
    assert (r.json()["code"], r.json()["message"]) == ("invite_used", "该评议链接已经使用过，每个链接只能提交一次")
    assert Answer.objects.count() == n

    assert post(sup, f"/api/appraisal/campaigns/{cid}/actions/close").json()["status"] == "closed"
    ranking = sup.get(f"/api/appraisal/campaigns/{cid}/results").json()
    assert [(x["section"], x["score"], x["rank"], x["is_bottom"]) for x in ranking] == [
        ("登记注册科", "86.67", 1, False), ("不动产登记科", "86.67", 1, False), ("建筑市场监管科", "20.00", 3, True)]
    assert post(sup, f"/api/appraisal/campaigns/{cid}/actions/publish").json()["status"] == "published"

    head = _client(w.heads[2])
    mine = head.get("/api/appraisal/my/sections").json()
    assert [(m["section"], m["rank"], m["ranked"], m["is_bottom"], m["rectification_status"]) for m in mine] == [
        ("建筑市场监管科", 3, 3, True, "running")]
    assert mine[0]["comments"] == ["跑了三趟"] * 3
    rid = mine[0]["rectification_id"]
    r = post(head, f"/api/appraisal/rectifications/{rid}/actions/file", {"report": "推行“一次告知、一次办结”"})
    assert r.status_code == 200 and r.json()["status"] == "filed"
    r = post(sup, f"/api/appraisal/rectifications/{rid}/actions/accept", {"public_note": "已推行一次告知，回访满意"})
    assert r.json()["status"] == "accepted"

    public = anon.get(f"/api/appraisal/public/campaigns/{cid}").json()
    assert (public["sections"], public["ranked"], public["answers"]) == (3, 3, 9)
    assert public["bottom"] == [{"rank": 3, "department": w.depts[2].name, "section": "建筑市场监管科", "score": "20.00",
                                 "rectification_status": "accepted", "due_date": "2026-03-30",
                                 "followup": "已推行一次告知，回访满意"}]
    assert [c["id"] for c in anon.get("/api/appraisal/public/campaigns").json()] == [cid]


def test_refusals_are_chinese_and_change_nothing():
    w = fx.world()
    c, tokens = fx.campaign(w)
    sup, head, anon = _client(w.supervisor), _client(w.heads[0]), _client()
    before = (c.status, Invitation.objects.filter(used_on__isnull=False).count(), Answer.objects.count())
    r = post(sup, f"/api/appraisal/campaigns/{c.pk}/actions/open")
    assert r.status_code == 409 and r.json()["message"] == "当前状态（评议中）不能发出邀请、开始评议"
    assert post(sup, f"/api/appraisal/campaigns/{c.pk}/actions/explode").status_code == 422
    r = post(head, f"/api/appraisal/campaigns/{c.pk}/actions/close")
    assert r.status_code == 403 and r.json()["message"] == "只有本级效能监察员可以进行此操作"
    assert head.get(f"/api/appraisal/campaigns/{c.pk}").status_code == 403
    assert anon.get("/api/appraisal/campaigns").status_code == 401
    assert post(sup, "/api/appraisal/campaigns", {"title": "长" * 101, "starts_on": "2026-03-02",
                                                  "ends_on": "2026-03-03"}).status_code == 422
    r = post(anon, "/api/appraisal/answers", {"token": "x" * 129, "sections": []})
    assert r.status_code == 422
    r = post(anon, "/api/appraisal/answers", {"token": tokens[0], "sections": [
        {"section_id": c.sections.first().pk, "scores": {"1": 9}}]})
    assert r.status_code == 400 and r.json()["code"] in ("missing_score", "invalid_score")
    r = post(anon, "/api/appraisal/answers", {"token": "not-a-real-token", "sections": []})
    assert r.status_code == 410 and r.json()["message"] == "评议链接无效，请核对短信中的链接"
    c.refresh_from_db()
    assert (c.status, Invitation.objects.filter(used_on__isnull=False).count(), Answer.objects.count()) == before
    assert anon.get("/api/appraisal/public/campaigns/999999").status_code == 404
    assert anon.get(f"/api/appraisal/public/campaigns/{c.pk}").status_code == 404  # not published
