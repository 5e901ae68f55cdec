"""Rater anonymity: no page, API, export or log lets a section's department learn who rated what.

What is tried: the answer's table cannot be joined to the invitations (no reference, no time, a random key);
submitting writes no audit row and logs neither the token nor the rater; everything a department head can
reach (their page, their API, the public page and API) carries no rater's name, organisation or phone, and
the supervisor's pages, API and export that list raters are closed to them; the supervisor's export itself
carries no rater either; a section with too few answers shows no comment."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.db import models
from django.test import Client
from openpyxl import load_workbook

from zhengwu.appraisal.models import Answer, AnswerScore, Invitation
from zhengwu.appraisal.services import answers, campaigns
from zhengwu.core import clock
from zhengwu.core.models import AuditEvent

from . import factories as fx

pytestmark = pytest.mark.django_db

SECRET_NAMES = ["评议人0", "评议人1", "评议人2", "示范企业0有限公司", "示范企业1有限公司"]


@pytest.fixture(autouse=True)
def _day():
    with clock.frozen(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)):
        yield


def test_answers_cannot_be_joined_to_invitations():
    for model in (Answer, AnswerScore):
        for f in model._meta.get_fields():
            assert not isinstance(f, (models.DateField, models.DateTimeField, models.TimeField)), f
            if f.is_relation and f.related_model is not None:
                assert f.related_model._meta.label in {"appraisal.Section", "appraisal.Question", "appraisal.Answer",
                                                       "appraisal.AnswerScore"}, f
    assert isinstance(Answer._meta.pk, models.UUIDField)
    used_on = Invitation._meta.get_field("used_on")
    assert type(used_on) is models.DateField  # the day only, no time of day
    assert not any(isinstance(f, models.DateTimeField) for f in Invitation._meta.get_fields())


@pytest.fixture
def rated(caplog):
    w = fx.world()
    c, tokens = fx.campaign(w, raters=5, min_answers=2, bottom_n=2)
    caplog.set_level(logging.DEBUG)
    audit_before = AuditEvent.objects.count()
    plans = [{0: 3, 1: 1, 2: 2, 3: 1}, {0: 3, 1: 2, 2: 2, 3: 1}, {0: 2, 1: 1, 2: 3, 3: 2, 4: 1}]
    for i, (token, sat) in enumerate(zip(tokens, plans, strict=False)):
        answers.answer_submit(token=token, sections=fx.answer(c, sat=sat, comments={1: f"第{i}条意见：窗口推诿",
                                                                                       4: "运输科的一条意见"}))
    submit_logs = caplog.text
    audit_after = AuditEvent.objects.count()
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="close")
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="publish")
    return w, c, tokens, submit_logs, audit_after - audit_before


def test_submitting_writes_no_audit_row_and_logs_no_token_or_rater(rated):
    w, c, tokens, logs, audits = rated
    assert audits == 0
    for secret in [*tokens[:3], *SECRET_NAMES, "13800000000"]:
        assert secret not in logs


def _texts(client: Client, urls: list[str]) -> str:
    out = []
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        out.append(r.content.decode())
    return "\n".join(out)


def test_nothing_a_department_head_can_reach_names_a_rater(rated):
    w, c, tokens, _, _ = rated
    head = w.heads[1]  # 不动产登记科: rated 不满意 with comments, in the bottom
    client = Client()
    client.force_login(head.user)
    text = _texts(client, ["/appraisal/department/", "/api/appraisal/my/sections", f"/appraisal/public/{c.pk}/",
                           f"/api/appraisal/public/campaigns/{c.pk}", "/appraisal/public/",
                           "/api/appraisal/public/campaigns"])
    assert "第0条意见：窗口推诿" in text  # comments reach the department, as text only
    phones = list(Invitation.objects.filter(campaign=c).values_list("phone", flat=True))
    for secret in [*SECRET_NAMES, *phones, "13800000000", "13800000001", "0000", "0001", *tokens]:
        assert secret not in text, secret
    # the pages, API and export that list raters or the full ranking are the supervisor's alone
    for url in [f"/appraisal/campaigns/{c.pk}/", f"/appraisal/campaigns/{c.pk}/export.xlsx", "/appraisal/workbench/",
                f"/api/appraisal/campaigns/{c.pk}", f"/api/appraisal/campaigns/{c.pk}/invitations",
                f"/api/appraisal/campaigns/{c.pk}/results", "/api/appraisal/campaigns"]:
        assert client.get(url).status_code == 403, url


def test_the_supervisor_export_has_no_rater_and_comments_are_in_random_order(rated):
    w, c, tokens, _, _ = rated
    client = Client()
    client.force_login(w.supervisor.user)
    r = client.get(f"/appraisal/campaigns/{c.pk}/export.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    cells = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "窗口推诿" in cells and "不动产登记科" in cells
    for secret in [*SECRET_NAMES, "1380000", *tokens]:
        assert secret not in cells
    # comments are listed by the answers' random ids, not in the order they came in
    section = c.sections.get(sort=2)
    ids = list(Answer.objects.filter(section=section).exclude(comment="").order_by("id").values_list("comment",
                                                                                                     flat=True))
    head = Client()
    head.force_login(w.heads[1].user)
    mine = head.get("/api/appraisal/my/sections").json()
    assert mine[0]["comments"] == ids


def test_a_section_with_too_few_answers_shows_no_comment(rated):
    w, c, _, _, _ = rated
    client = Client()
    client.force_login(w.heads[4].user)  # 运输管理科: one answer only (min 2)
    [mine] = client.get("/api/appraisal/my/sections").json()
    assert (mine["answers"], mine["score"], mine["rank"], mine["comments"]) == (1, None, None, [])
    assert "运输科的一条意见" not in client.get("/appraisal/department/").content.decode()
