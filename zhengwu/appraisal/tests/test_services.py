"""Every appraisal service: what it does, and that a refusal says why in Chinese and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.appraisal.models import (
    Answer,
    AnswerScore,
    Campaign,
    CampaignStatus,
    Invitation,
    Question,
    Rectification,
    RectificationStatus,
    Section,
    SectionResult,
)
from zhengwu.appraisal.services import answers, campaigns, rectifications
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.supervision.models import Clock, ClockState

from . import factories as fx
from .factories import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _day():
    with clock.frozen(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def w(_day):
    return fx.world()


def _snapshot(c: Campaign) -> tuple:
    c.refresh_from_db()
    return (c.status, c.opened_on, c.closed_on, c.published_on, Section.objects.filter(campaign=c).count(),
            Question.objects.filter(campaign=c).count(),
            sorted(Invitation.objects.filter(campaign=c).values_list("phone", "token_hash", "used_on")),
            Answer.objects.count(), AnswerScore.objects.count(), SectionResult.objects.count(),
            Rectification.objects.count(), Clock.objects.count())


# -- campaign setup -----------------------------------------------------------------------------------


def test_create_add_and_open_sends_one_time_links(w, django_capture_on_commit_callbacks):
    c = campaigns.campaign_create(staff=w.supervisor, title=" 2026年度县直部门重点科室评议 ", starts_on=DAY,
                                  ends_on=DAY + dt.timedelta(days=20))
    assert (c.title, c.status, c.bottom_n, c.min_answers, c.region) == ("2026年度县直部门重点科室评议", "draft", 3, 5,
                                                                        w.county)
    s = campaigns.section_add(campaign_id=c.pk, staff=w.supervisor, name="登记注册科",
                              department_id=w.depts[0].pk, duty_type="service")
    q = campaigns.question_add(campaign_id=c.pk, staff=w.supervisor, text_="服务态度", kind="satisfaction",
                               weight="2")
    inv = campaigns.invitation_add(campaign_id=c.pk, staff=w.supervisor, rater_kind="deputy", name="王代表",
                                   phone="13912345678")
    assert (s.sort, q.weight, inv.token_hash, inv.sent_on) == (1, Decimal("2.00"), None, None)
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="open")
    inv.refresh_from_db()
    c.refresh_from_db()
    assert (c.status, c.opened_on, inv.sent_on) == ("open", DAY, DAY)
    [msg] = [m for m in ConsoleNotifier.sent if m.kind == "appraisal_invite"]
    assert msg.to_phone == "13912345678" and "/appraisal/r/" in msg.text
    token = msg.text.split("/appraisal/r/")[1].split("/")[0]
    assert token not in inv.token_hash and len(inv.token_hash) == 64
    assert answers.invitation_for_token(token).pk == inv.pk
    # added while open: sent at once
    with django_capture_on_commit_callbacks(execute=True):
        late = campaigns.invitation_add(campaign_id=c.pk, staff=w.supervisor, rater_kind="member", name="李委员",
                                        phone="13912345679")
    assert late.sent_on == DAY and ConsoleNotifier.sent[-1].to_phone == "13912345679"


@pytest.mark.parametrize("kwargs, message", [
    ({"title": ""}, "请填写活动名称"),
    ({"ends_on": DAY - dt.timedelta(days=1)}, "评议截止日期不能早于开始日期"),
    ({"bottom_n": 0}, "公布末位科室数应在1–50之间"),
    ({"title": "评" * 101}, "活动名称不能超过100个字"),
])
def test_create_refusals_change_nothing(w, kwargs, message):
    args = dict(staff=w.supervisor, title="评议", starts_on=DAY, ends_on=DAY + dt.timedelta(days=5)) | kwargs
    with pytest.raises(DomainError) as e:
        campaigns.campaign_create(**args)
    assert e.value.message == message
    assert Campaign.objects.count() == 0


def test_only_a_supervisor_creates_and_runs(w):
    with pytest.raises(PermissionDenied):
        campaigns.campaign_create(staff=w.heads[0], title="评议", starts_on=DAY, ends_on=DAY)
    c, _ = fx.campaign(w, status=CampaignStatus.DRAFT)
    before = _snapshot(c)
    for staff in (w.heads[0], w.officer):
        with pytest.raises(PermissionDenied):
            campaigns.campaign_act(campaign_id=c.pk, staff=staff, action="open")
        with pytest.raises(PermissionDenied):
            campaigns.section_add(campaign_id=c.pk, staff=staff, name="办公室", department_id=w.depts[0].pk,
                                  duty_type="service")
    assert _snapshot(c) == before


def test_setup_refusals_change_nothing(w):
    c, _ = fx.campaign(w, status=CampaignStatus.OPEN)
    before = _snapshot(c)
    cases = [
        (lambda: campaigns.section_add(campaign_id=c.pk, staff=w.supervisor, name="办公室",
                                       department_id=w.depts[0].pk, duty_type="service"), "wrong_status"),
        (lambda: campaigns.question_add(campaign_id=c.pk, staff=w.supervisor, text_="廉洁", kind="satisfaction"),
         "wrong_status"),
        (lambda: campaigns.invitation_add(campaign_id=c.pk, staff=w.supervisor, rater_kind="citizen", name="张三",
                                          phone="12345"), "invalid_phone"),
        (lambda: campaigns.invitation_add(campaign_id=c.pk, staff=w.supervisor, rater_kind="citizen", name="张三",
                                          phone="13800000001"), "duplicate"),
        (lambda: campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="open"), "wrong_status"),
        (lambda: campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="publish"), "wrong_status"),
        (lambda: campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="send"), "nothing_to_send"),
        (lambda: campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="drop"), "unknown_action"),
    ]
    for call, code in cases:
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.code == code, (code, e.value.message)
    assert _snapshot(c) == before


def test_open_needs_sections_questions_and_raters(w):
    c = campaigns.campaign_create(staff=w.supervisor, title="评议", starts_on=DAY, ends_on=DAY)
    with pytest.raises(DomainError) as e:
        campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="open")
    assert e.value.message == "请先添加评议科室"
    c.refresh_from_db()
    assert c.status == "draft"


def test_raters_from_the_department_cases(w):
    from zhengwu.cases.models import Case
    from zhengwu.catalog.tests import factories as cf

    c, _ = fx.campaign(w, status=CampaignStatus.DRAFT, raters=1)
    item = cf.item(dept=w.depts[1])
    v = item.versions.first()
    rows = [("person", "赵一", "13700000001", "completed", DAY - dt.timedelta(days=10)),
            ("legal", "示范县宏达食品有限公司", "13700000002", "delivered", DAY - dt.timedelta(days=5)),
            ("person", "赵一", "13700000001", "completed", DAY - dt.timedelta(days=3)),  # same phone: once
            ("person", "钱二", "13700000003", "in_review", None),  # not finished
            ("person", "孙三", "13700000004", "completed", DAY - dt.timedelta(days=400))]  # outside the period
    for i, (kind, name, phone, status, done) in enumerate(rows):
        Case.objects.create(case_no=f"T{i}", item=item, item_version=v, department=w.depts[1], hall=w.hall,
                            channel="window", status=status, applicant_kind=kind, applicant_name=name,
                            contact_phone=phone, completed_on=done, id_number="130621198001010011",
                            uscc="91130621MA0000001X")
    n = campaigns.invitations_from_cases(campaign_id=c.pk, staff=w.supervisor, department_id=w.depts[1].pk,
                                         start=DAY - dt.timedelta(days=90), end=DAY)
    assert n == 2
    got = sorted(Invitation.objects.filter(campaign=c, phone__startswith="137").values_list(
        "rater_kind", "name", "phone"))
    assert got == [("citizen", "赵一", "13700000001"), ("enterprise", "示范县宏达食品有限公司", "13700000002")]
    assert campaigns.invitations_from_cases(campaign_id=c.pk, staff=w.supervisor, department_id=w.depts[1].pk,
                                            start=DAY - dt.timedelta(days=90), end=DAY) == 0


# -- answers ------------------------------------------------------------------------------------------


def test_answer_marks_the_link_used_and_a_second_submit_changes_nothing(w):
    c, tokens = fx.campaign(w)
    n = answers.answer_submit(token=tokens[0], sections=fx.answer(c, sat={0: 3, 1: 2}, unknown=(2,),
                                                                   comments={1: "窗口人手不够"}))
    assert n == 2
    inv = Invitation.objects.get(campaign=c, name="评议人0")
    assert inv.used_on == DAY
    assert Answer.objects.count() == 3 and AnswerScore.objects.count() == 4
    assert Answer.objects.filter(unknown=True).count() == 1
    before = _snapshot(c)
    with pytest.raises(DomainError) as e:
        answers.answer_submit(token=tokens[0], sections=fx.answer(c, sat={0: 1}))
    assert (e.value.code, e.value.message, e.value.status) == ("invite_used", "该评议链接已经使用过，每个链接只能提交一次",
                                                               410)
    assert _snapshot(c) == before


@pytest.mark.parametrize("payload, code", [
    ("bad-token-xxxx", "invite_invalid"),
    ("short", "invite_invalid"),
])
def test_unknown_links_are_refused(w, payload, code):
    c, _ = fx.campaign(w)
    with pytest.raises(DomainError) as e:
        answers.answer_submit(token=payload, sections=fx.answer(c, sat={0: 3}))
    assert e.value.code == code
    assert Answer.objects.count() == 0


def test_bad_answers_are_refused_and_the_link_stays_usable(w):
    c, tokens = fx.campaign(w)
    s0 = c.sections.order_by("sort").first()
    q_sat, q5 = c.questions.order_by("sort")
    bad = [
        ([], "missing_field"),
        (fx.answer(c, sat={}, unknown=(0, 1)), "all_unknown"),
        ([{"section_id": s0.pk, "scores": {q_sat.pk: 3}}], "missing_score"),
        ([{"section_id": s0.pk, "scores": {q_sat.pk: 4, q5.pk: 5}}], "invalid_score"),  # 满意度 is 1–3
        ([{"section_id": s0.pk, "scores": {q_sat.pk: 3, q5.pk: 6}}], "invalid_score"),
        ([{"section_id": s0.pk, "scores": {q_sat.pk: 3, q5.pk: 5, 999999: 1}}], "invalid_score"),
        ([{"section_id": 999999, "scores": {q_sat.pk: 3, q5.pk: 5}}], "unknown_section"),
        ([{"section_id": s0.pk, "unknown": True}, {"section_id": s0.pk, "unknown": True}], "duplicate_section"),
        ([{"section_id": s0.pk, "scores": {q_sat.pk: 3, q5.pk: 5}, "comment": "长" * 1001}], "too_long"),
    ]
    before = _snapshot(c)
    for sections, code in bad:
        with pytest.raises(DomainError) as e:
            answers.answer_submit(token=tokens[0], sections=sections)
        assert e.value.code == code, (code, e.value.message)
    assert _snapshot(c) == before
    assert answers.answer_submit(token=tokens[0], sections=fx.answer(c, sat={0: 3})) == 1


def test_links_stop_when_the_campaign_closes(w):
    c, tokens = fx.campaign(w)
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="close")
    with pytest.raises(DomainError) as e:
        answers.answer_submit(token=tokens[1], sections=fx.answer(c, sat={0: 3}))
    assert e.value.message == "本次评议已经结束，感谢您的关注"


# -- results ------------------------------------------------------------------------------------------


def _rate_all(c, tokens):
    """Sections 0..4: satisfaction 3,3,2,1,1 (section 4 gets only one answer: 样本不足 with min 2)."""
    plans = [{0: 3, 1: 3, 2: 2, 3: 1, 4: 1}, {0: 3, 1: 2, 2: 2, 3: 2}, {0: 3, 1: 3, 2: 1, 3: 1}]
    for token, sat in zip(tokens, plans, strict=False):
        answers.answer_submit(token=token, sections=fx.answer(c, sat=sat, score5={i: 4 for i in sat},
                                                              comments={3: "多次跑腿"}))


def test_close_computes_weighted_scores_ranking_and_bottom_and_masks_phones(w):
    c, tokens = fx.campaign(w, bottom_n=2)
    _rate_all(c, tokens)
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="close")
    res = {r.section.sort: r for r in SectionResult.objects.filter(section__campaign=c).select_related("section")}
    # per answer (2 × satisfaction points + 1 × 80) / 3; satisfaction 满意100 基本满意60 不满意0
    assert res[1].score == Decimal("93.33") and res[1].answers == 3
    assert res[2].score == Decimal("84.44")
    assert res[3].score == Decimal("53.33") and res[4].score == Decimal("40.00")
    assert (res[5].score, res[5].answers, res[5].rank, res[5].is_bottom) == (None, 1, None, False)
    assert [res[i].rank for i in (1, 2, 3, 4)] == [1, 2, 3, 4]
    assert [i for i in res if res[i].is_bottom] == [3, 4]
    assert res[1].question_scores == {str(c.questions.get(sort=1).pk): "100.00",
                                      str(c.questions.get(sort=2).pk): "80.00"}
    phones = list(Invitation.objects.filter(campaign=c).values_list("phone", flat=True))
    assert all("****" in p for p in phones)


def test_publish_opens_rectifications_with_clocks_and_notifies_heads(w, django_capture_on_commit_callbacks):
    c, tokens = fx.campaign(w, bottom_n=2)
    _rate_all(c, tokens)
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="close")
    ConsoleNotifier.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="publish")
    rects = list(Rectification.objects.filter(campaign=c).order_by("section__sort"))
    assert [r.department for r in rects] == [w.depts[2], w.depts[3]]
    assert all(r.status == "running" and r.opened_on == DAY for r in rects)
    assert rects[0].due_date == dt.date(2026, 3, 30)  # 20 working days after 2 March
    clocks = Clock.objects.filter(kind_id="appraisal_rectify").order_by("subject_id")
    assert [(k.subject_id, k.department_id, k.due_date, k.state, k.head_id) for k in clocks] == [
        (r.pk, r.department_id, r.due_date, ClockState.RUNNING, w.heads[i + 2].pk) for i, r in enumerate(rects)]
    assert sorted(m.to_phone for m in ConsoleNotifier.sent if m.kind == "appraisal_rectify") == [
        "13900000002", "13900000003"]


# -- rectification ------------------------------------------------------------------------------------


@pytest.fixture
def published(w):
    c, tokens = fx.campaign(w, bottom_n=2)
    _rate_all(c, tokens)
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="close")
    campaigns.campaign_act(campaign_id=c.pk, staff=w.supervisor, action="publish")
    return c, Rectification.objects.filter(campaign=c).order_by("section__sort").first()


def _rect_state(r):
    r.refresh_from_db()
    k = Clock.objects.get(kind_id="appraisal_rectify", subject_id=r.pk)
    return (r.status, r.report, r.filed_on, r.public_note, r.accepted_on, r.returns, k.state, k.due_date)


def test_file_return_file_accept(w, published):
    c, r = published
    head = w.heads[2]
    rectifications.rectification_act(rectification_id=r.pk, staff=head, action="file",
                                     data={"report": "增设两个窗口，推行预约办理"})
    assert _rect_state(r)[:3] == ("filed", "增设两个窗口，推行预约办理", DAY)
    assert _rect_state(r)[6] == ClockState.STOPPED
    rectifications.rectification_act(rectification_id=r.pk, staff=w.supervisor, action="return",
                                     data={"note": "请补充整改成效"})
    assert _rect_state(r)[0] == "running" and _rect_state(r)[5] == 1 and _rect_state(r)[6] == ClockState.RUNNING
    rectifications.rectification_act(rectification_id=r.pk, staff=head, action="file",
                                     data={"report": "增设两个窗口，平均等候时间由40分钟降至12分钟"})
    rectifications.rectification_act(rectification_id=r.pk, staff=w.supervisor, action="accept", data={})
    state = _rect_state(r)
    assert state[:2] == ("accepted", "增设两个窗口，平均等候时间由40分钟降至12分钟")
    assert state[3] == state[1] and state[4] == DAY and state[6] == ClockState.FINISHED


def test_filed_on_time_and_accepted_late_is_not_late(w, published):
    c, r = published
    rectifications.rectification_act(rectification_id=r.pk, staff=w.heads[2], action="file",
                                     data={"report": "整改措施已全部落实到位"})
    later = r.due_date + dt.timedelta(days=5)
    with clock.frozen(dt.datetime(later.year, later.month, later.day, 2, tzinfo=dt.UTC)):
        rectifications.rectification_act(rectification_id=r.pk, staff=w.supervisor, action="accept",
                                         data={"public_note": "已整改到位"})
    k = Clock.objects.get(kind_id="appraisal_rectify", subject_id=r.pk)
    assert (k.state, k.finished_on, k.due_date, k.late) == (ClockState.FINISHED, later, later, False)


def test_rectification_refusals_change_nothing(w, published):
    c, r = published
    before = _rect_state(r)
    cases = [
        (w.heads[0], "file", {"report": "别的部门来报送整改报告"}, "forbidden"),
        (w.supervisor, "file", {"report": "监察员不能替部门报送"}, "forbidden"),
        (w.heads[2], "file", {"report": "太短"}, "too_short"),
        (w.heads[2], "file", {}, "missing_field"),
        (w.heads[2], "accept", {}, "forbidden"),
        (w.supervisor, "accept", {}, "wrong_status"),
        (w.supervisor, "return", {"note": "x"}, "wrong_status"),
        (w.supervisor, "close", {}, "unknown_action"),
    ]
    for staff, action, data, code in cases:
        with pytest.raises(DomainError) as e:
            rectifications.rectification_act(rectification_id=r.pk, staff=staff, action=action, data=data)
        assert e.value.code == code, (action, code, e.value.message)
    assert _rect_state(r) == before
    rectifications.rectification_act(rectification_id=r.pk, staff=w.heads[2], action="file",
                                     data={"report": "整改措施已全部落实到位"})
    with pytest.raises(DomainError) as e:
        rectifications.rectification_act(rectification_id=r.pk, staff=w.supervisor, action="return", data={})
    assert e.value.message == "请填写退回意见"
    assert _rect_state(r)[0] == RectificationStatus.FILED


def test_assessment_takes_points_from_the_windows_of_bottom_departments(w, published):
    from zhengwu.supervision.models import MonthlyScore
    from zhengwu.supervision.services.assessment import assessment_run

    assessment_run(month=DAY, today=DAY)
    rows = {s.window_id: s for s in MonthlyScore.objects.filter(month=DAY.replace(day=1), kind="window")}
    bottom = rows[w.windows[2].pk]
    assert [(i["code"], i["count"], i["subtotal"]) for i in bottom.items] == [("appraisal_bottom", 1, "-5.00")]
    assert bottom.score == Decimal("95")
    assert rows[w.windows[0].pk].items == []
