"""The public side: the check of a 备案码 never reveals the other enterprises (page and API), the rating and the
report forms work without login and are rate-limited; a report reaches the supervisor's board."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from zhengwu.core import clock
from zhengwu.declarations.models import Rating, Report
from zhengwu.declarations.services import declaration_act
from zhengwu.supervision.models import Clock
from zhengwu.supervision.selectors.cards import card_list_for_staff
from zhengwu.supervision.services.sweep import sweep_run

from .factories import DAY, ENTERPRISES, at, build_world, declare

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with clock.frozen(at(DAY)):
        world = build_world()
        world.d = declare(world, approve=True, targets=ENTERPRISES[:3])
        yield world


def test_check_page_and_api_never_list_other_enterprises(w, client):
    mine, others = ENTERPRISES[0], ENTERPRISES[1:3]
    for query in ({"code": w.d.code}, {"code": w.d.code, "uscc": mine[0]}, {"code": w.d.code, "uscc": ENTERPRISES[4][0]}):
        page = client.get("/declarations/check", query).content.decode()
        api = json.dumps(client.get(f"/api/declarations/check/{w.d.code}", {"uscc": query.get("uscc", "")}).json(),
                         ensure_ascii=False)
        for body in (page, api):
            assert "示范县市场监督管理局" in body and "食品安全法" in body and "王执法" in body
            for code, name in others:
                assert code not in body and name not in body
            if query.get("uscc") != mine[0]:
                assert mine[1] not in body
    page = client.get("/declarations/check", {"code": w.d.code, "uscc": mine[0]}).content.decode()
    assert "贵企业在本次活动的企业名单内" in page and "rate-form" in page
    api = client.get(f"/api/declarations/check/{w.d.code}", {"uscc": ENTERPRISES[4][0]}).json()
    assert api["on_list"] is False and api["valid"] is True and "targets" not in api


def test_unknown_code_points_to_report(w, client):
    resp = client.get("/declarations/check", {"code": "SQ20260302ABCDE2"})
    assert resp.status_code == 404 and "未查到该备案码" in resp.content.decode()
    assert client.get("/api/declarations/check/NOPE").status_code == 404


def test_withdrawn_code_says_so(w, client):
    declaration_act(declaration_id=w.d.pk, user=w.clerk.user, action="withdraw")
    body = client.get("/declarations/check", {"code": w.d.code}).content.decode()
    assert "已撤回" in body and "不应入企" in body


def test_check_guesses_are_throttled(w, client):
    for _ in range(10):
        assert client.get("/api/declarations/check/SQ20260302ABCDE2").status_code == 404
    assert client.get("/api/declarations/check/SQ20260302ABCDE2").status_code == 429
    assert client.get("/declarations/check", {"code": w.d.code}).status_code == 429


def test_rating_page_once(w, client):
    data = {"code": w.d.code, "uscc": ENTERPRISES[0][0], "level": "basic", "comment": "检查人员态度好"}
    client.post("/declarations/check/rate", data)
    assert Rating.objects.get().level == "basic"
    resp = client.post("/declarations/check/rate", {**data, "level": "unsatisfied"}, follow=True)
    assert "只能评价一次" in resp.content.decode() and Rating.objects.count() == 1
    resp = client.post(f"/api/declarations/check/{w.d.code}/rating", {"uscc": ENTERPRISES[1][0], "level": "satisfied"},
                       content_type="application/json")
    assert resp.status_code == 200 and resp.json()["level_label"] == "满意"


def test_report_form_reaches_supervisors_board(w, client):
    data = {"department_id": w.safety.pk, "visit_date": "2026-03-01", "description": "两人自称应急局，未出示备案码",
            "enterprise_name": ENTERPRISES[4][1], "uscc": ENTERPRISES[4][0], "contact_name": "刘经理",
            "contact_phone": "13900000001", "shown_code": ""}
    with clock.frozen(at(DAY, 10)):
        bad = client.post("/declarations/report", {**data, "contact_phone": "1"})
        assert bad.status_code == 400 and "联系电话" in bad.content.decode() and not Report.objects.exists()
        resp = client.post("/declarations/report", data)
    assert resp.status_code == 200
    r = Report.objects.get()
    assert r.no in resp.content.decode()
    # the clock is on the board; once overdue a card shows to the supervisor, not to the department's head
    c = Clock.objects.get(subject_type="decl_report", subject_id=r.pk)
    sweep_run(today=c.due_date + dt.timedelta(days=1), deliver=False)
    cards = list(card_list_for_staff(staff=w.supervisor))
    assert [x.clock_id for x in cards] == [c.pk] and cards[0].kind_id == "declarations_report"
    assert ENTERPRISES[4][1] not in cards[0].clock.title
    client.force_login(w.supervisor.user)
    board = client.get("/supervision/")
    assert board.status_code == 200 and r.no in board.content.decode()
    page = client.get("/declarations/supervise/").content.decode()
    assert r.no in page and "两人自称应急局" in page


def test_report_form_shows_every_error_beside_its_field(w, client):
    """A report with four problems comes back with all four: in the summary and beside each field, with what
    was typed kept; the API answer carries all four in ``details.fields``."""
    data = {"department_id": "", "visit_date": "2026-03-01", "description": "两人来厂检查",
            "enterprise_name": "某公司", "uscc": "91350100M000100Y44", "contact_name": "",
            "contact_phone": "1", "shown_code": ""}
    with clock.frozen(at(DAY, 10)):
        resp = client.post("/declarations/report", data)
    page = resp.content.decode()
    assert resp.status_code == 400 and not Report.objects.exists()
    assert 'data-testid="error-summary"' in page
    for field, message in [("department_id", "请选择到企业的部门"), ("uscc", "统一社会信用代码校验位错误"),
                           ("contact_name", "请填写联系人"), ("contact_phone", "联系电话应为11位手机号码")]:
        assert f'href="#f-{field}"' in page and f'aria-describedby="f-{field}-error"' in page, field
        assert re.search(rf'id="f-{field}-error">[^<]*{message}', page), field
    assert 'aria-describedby="f-description-error"' not in page and "两人来厂检查" in page


def test_public_submissions_rate_limited(w, client):
    for _ in range(10):
        client.post("/declarations/report", {"department_id": "x"})
    resp = client.post("/declarations/report", {"department_id": "x"})
    assert resp.status_code == 429 and "频繁" in resp.content.decode()
