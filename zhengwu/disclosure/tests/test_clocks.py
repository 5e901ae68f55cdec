"""The 答复时限 of 依申请公开 requests as a supervised clock (kind ``gk_reply``): started on receipt,
stopped for 补正, third-party consultation and fee notices, moved by an extension, finished by the
reply; the daily sweep raises and clears its cards and the supervisors' board and API show them.

2026 around National Day (chinesecalendar): 09-20 (Sunday) and 10-10 (Saturday) are working days;
09-25…27 and 10-01…07 are holidays. Every date below is counted by hand.
"""

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.disclosure import clocks as gk_clocks
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import ClockStop, InfoRequest, ReqStatus
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.clocks import clocks_backfill
from zhengwu.supervision.models import Card, Clock, ClockKind
from zhengwu.supervision.services import sweep_run

from .factories import build_world, person, person_n

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    world = build_world()
    world.supervisor = f.staff("2009", Role.SUPERVISOR, region=world.county, name="郑监察")
    return world


def walk_in(w, day, description="2025年食品抽检结果汇总表", applicant=None):
    with clock.frozen(day):
        return s.request_file(body=w.scj, applicant=applicant or person(), description=description,
                              channel="in_person", officer=w.officer)


def at(day, fn, **kw):
    with clock.frozen(day):
        return fn(**kw)


def sweep(day):
    with clock.frozen(day):
        return sweep_run(today=day)


def days(first, last):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


def gk_clock(req) -> Clock:
    return Clock.objects.get(subject_type="gk_request", subject_id=req.pk)


def state(req) -> tuple:
    c = gk_clock(req)
    return c.state, c.due_date, c.stopped_on, c.finished_on, c.finish_reason, c.late


def cards(req):
    return Card.objects.filter(clock__subject_type="gk_request", clock__subject_id=req.pk).order_by("id")


def card_rows(req) -> list[tuple]:
    return [(c.level, c.due_date, c.raised_on, c.cleared_on, c.cleared_reason) for c in cards(req)]


def sweep_days(first, last, reqs) -> dict[tuple[str, str, dt.date], dt.date]:
    """Sweep every day of the range (twice: the second finds nothing to do); for each card new in the range,
    (request_no, level, due) → the day it appeared."""
    old = set(Card.objects.values_list("id", flat=True))
    seen: dict[tuple[str, str, dt.date], dt.date] = {}
    for d in days(first, last):
        sweep(d)
        for req in reqs:
            for c in cards(req).exclude(id__in=old):
                assert c.raised_on == seen.setdefault((req.request_no, c.level, c.due_date), d)
        before = list(Card.objects.order_by("id").values_list("id", "cleared_on", "cleared_reason"))
        again = sweep(d)
        assert (again.raised_yellow, again.raised_red, again.cleared) == (0, 0, 0), d
        assert list(Card.objects.order_by("id").values_list("id", "cleared_on", "cleared_reason")) == before, d
    return seen


def test_the_clock_starts_on_receipt_with_what_the_board_shows(w):
    long = "关于本局2025年度全县范围内食品生产经营企业监督抽检结果（含不合格产品的生产企业名称、产品批次、不合格项目及处置情况）的汇总表"
    req = walk_in(w, D(2026, 9, 2), description=long)
    assert (req.status, req.clock_start, req.due_date) == (ReqStatus.PROCESSING, D(2026, 9, 2), D(2026, 9, 30))
    c = gk_clock(req)
    assert (c.kind_id, c.subject_type, c.subject_no, c.part, c.url) == (
        "gk_reply", "gk_request", req.request_no, 0, f"/gk/work/requests/{req.request_no}/")
    assert c.title == long[:59] + "…" and len(c.title) == 60
    assert (c.region_id, c.department_id, c.hall_id, c.window_id, c.item_id) == (
        w.county.pk, w.dept.pk, None, None, None)
    # the officer who entered it; the department's head (the first by employee number) is notified too
    assert (c.officer_id, c.head_id) == (w.officer.pk, w.reviewer.pk)
    assert (c.state, c.started_on, c.due_date, c.stopped_on, c.late) == ("running", D(2026, 9, 2), D(2026, 9, 30),
                                                                          None, None)
    kind = ClockKind.objects.get(pk="gk_reply")
    assert (kind.name, kind.subject_label, kind.due_label, kind.weight, kind.deemed, kind.sort, str(kind)) == (
        "答复时限", "政府信息公开申请", "答复期限", 1, False, 30, "政府信息公开申请答复时限")


def test_online_request_starts_its_clock_when_receipt_is_confirmed(w):
    with clock.frozen(D(2026, 9, 28)):
        req = s.request_file(body=w.scj, applicant=person(), description="某某许可的批准文件", channel="online",
                             user=w.citizen)
    assert not Clock.objects.exists()
    with clock.frozen(D(2026, 9, 29)), pytest.raises(DomainError) as exc:
        s.request_confirm_receipt(request=req, officer=w.officer, confirmed_on=D(2026, 9, 30))
    assert exc.value.code == "confirmed_on"
    assert not Clock.objects.exists()
    with clock.frozen(D(2026, 10, 9)):
        s.request_confirm_receipt(request=req, officer=w.officer, confirmed_on=D(2026, 9, 30),
                                  late_entry_note="09-30电话确认，当日未录入")
    # received 09-30: 10-08, 09, 10 (调休), 12…16, 19…23, 26…30, 11-02, 03
    c = gk_clock(req)
    assert (c.started_on, c.due_date, c.officer_id, c.state) == (D(2026, 9, 30), D(2026, 11, 3), w.officer.pk,
                                                                 "running")
    # a letter signed for earlier runs from the signing day
    with clock.frozen(D(2026, 10, 8)):
        letter = s.request_file(body=w.scj, applicant=person_n(1), description="某某处罚决定书", channel="post_signed",
                                officer=w.officer, signed_for_on=D(2026, 9, 29), late_entry_note="节前签收，节后录入")
    assert (gk_clock(letter).started_on, gk_clock(letter).due_date) == (D(2026, 9, 29), D(2026, 11, 2))


def test_yellow_one_working_day_before_and_red_the_first_working_day_after(w):
    a = walk_in(w, D(2026, 9, 2))
    b = walk_in(w, D(2026, 9, 8), applicant=person_n(1))
    # a: 09-03, 04, 07…11, 14…18, 20 (调休), 21…24, 28, 29, 30 → 09-30, the last day before National Day.
    # b: 09-09…11, 14…18, 20…24, 28…30, 10-08, 09, 10 (调休), 12 → 10-12, the Monday after the 调休 Saturday.
    assert (a.due_date, b.due_date) == (D(2026, 9, 30), D(2026, 10, 12))
    seen = sweep_days(D(2026, 9, 2), D(2026, 10, 16), [a, b])
    assert seen == {
        (a.request_no, "yellow", D(2026, 9, 30)): D(2026, 9, 29),   # one working day before
        (a.request_no, "red", D(2026, 9, 30)): D(2026, 10, 8),      # not during the holiday
        (b.request_no, "yellow", D(2026, 10, 12)): D(2026, 10, 10),  # the 调休 Saturday, not Friday 10-09
        (b.request_no, "red", D(2026, 10, 12)): D(2026, 10, 13),
    }
    assert card_rows(a) == [
        ("yellow", D(2026, 9, 30), D(2026, 9, 29), D(2026, 10, 8), "已升级为红牌"),
        ("red", D(2026, 9, 30), D(2026, 10, 8), None, ""),
    ]
    assert card_rows(b) == [
        ("yellow", D(2026, 10, 12), D(2026, 10, 10), D(2026, 10, 13), "已升级为红牌"),
        ("red", D(2026, 10, 12), D(2026, 10, 13), None, ""),
    ]
    red = cards(a).get(level="red")
    assert (red.officer_id, red.department_id, red.region_id, red.label) == (
        w.officer.pk, w.dept.pk, w.county.pk, "答复期限已超期（9月30日）")


def test_the_clock_stops_during_supplement_and_the_due_moves_after_it(w):
    a = walk_in(w, D(2026, 9, 2))
    # An administrator widens the warning of this kind to 19 working days: a card exists before the 补正.
    ClockKind.objects.filter(pk="gk_reply").update(warn_workdays=19)
    seen = sweep_days(D(2026, 9, 2), D(2026, 9, 10), [a])
    assert seen == {(a.request_no, "yellow", D(2026, 9, 30)): D(2026, 9, 3)}
    # 补正 told on the last of the 7 working days: 09-03, 04, 07…11.
    at(D(2026, 9, 11), s.request_ask_supplement, request=a, officer=w.officer, items="请写明所需抽检结果的年份和批次")
    assert (a.status, a.due_date, a.supplement_deadline) == (ReqStatus.SUPPLEMENT, None, D(2026, 10, 9))
    assert state(a) == ("stopped", D(2026, 9, 30), D(2026, 9, 11), None, "", None)
    # Stopped: nothing raised, not even on 10-08 (the first working day past the old due); the card kept.
    assert sweep_days(D(2026, 9, 11), D(2026, 10, 8), [a]) == {}
    assert card_rows(a) == [("yellow", D(2026, 9, 30), D(2026, 9, 3), None, "")]

    # Refused while stopped: a reply (it waits for the 补正) and a second 补正. Nothing changes.
    before = (state(a), card_rows(a), InfoRequest.objects.filter(pk=a.pk).values().get())
    with clock.frozen(D(2026, 10, 8)), pytest.raises(DomainError) as exc:
        s.request_reply(request=a, officer=w.officer, result="open", reply_text="见附件")
    assert exc.value.code == "bad_state"
    with clock.frozen(D(2026, 10, 8)), pytest.raises(DomainError) as exc:
        s.request_ask_supplement(request=a, officer=w.officer, items="再补")
    assert exc.value.code == "supplement_once"
    assert (state(a), card_rows(a), InfoRequest.objects.filter(pk=a.pk).values().get()) == before

    # The 补正 arrives on its last day: 20 working days from it, 10-10 (调休), 12…16, 19…23, 26…30, 11-02…05.
    at(D(2026, 10, 9), s.request_supplement, request=a, text="2025年第3批次", officer=w.officer)
    assert (a.status, a.clock_start, a.due_date) == (ReqStatus.PROCESSING, D(2026, 10, 9), D(2026, 11, 5))
    assert state(a) == ("running", D(2026, 11, 5), None, None, "", None)
    assert gk_clock(a).started_on == D(2026, 9, 2)
    r = sweep(D(2026, 10, 9))  # the old due's card was cleared when the clock resumed, not by the sweep
    assert (r.raised_yellow, r.raised_red, r.cleared) == (0, 0, 0)
    # 19 working days left on the 调休 Saturday: the new warning.
    sweep(D(2026, 10, 10))
    assert card_rows(a) == [
        ("yellow", D(2026, 9, 30), D(2026, 9, 3), D(2026, 10, 9), "答复期限已变更"),
        ("yellow", D(2026, 11, 5), D(2026, 10, 10), None, ""),
    ]


def test_the_clock_stops_during_third_party_consultation(w):
    a = walk_in(w, D(2026, 9, 2))
    b = walk_in(w, D(2026, 9, 8), applicant=person_n(1))
    assert sweep_days(D(2026, 9, 2), D(2026, 9, 9), [a, b]) == {}
    at(D(2026, 9, 10), s.request_consult, request=b, officer=w.officer, third_party="某某食品厂")
    at(D(2026, 9, 10), s.request_consultation_receipt, request=b, officer=w.officer, received_on=D(2026, 9, 10),
       delivery="in_person")
    assert (b.status, state(b)) == (ReqStatus.CONSULTING, ("stopped", D(2026, 10, 12), D(2026, 9, 10), None, "", None))
    seen = sweep_days(D(2026, 9, 10), D(2026, 9, 29), [a, b])
    assert seen == {(a.request_no, "yellow", D(2026, 9, 30)): D(2026, 9, 29)}
    at(D(2026, 9, 29), s.request_consult, request=a, officer=w.officer, third_party="某某餐饮有限公司")
    assert (a.status, state(a)) == (ReqStatus.CONSULTING, ("stopped", D(2026, 9, 30), D(2026, 9, 29), None, "", None))

    # Stopped: no red for a on 10-08 (nor the yellow b would have had on 10-10); a's yellow card kept.
    assert sweep_days(D(2026, 9, 30), D(2026, 10, 8), [a, b]) == {}
    assert card_rows(a) == [("yellow", D(2026, 9, 30), D(2026, 9, 29), None, "")]
    # Refused: an opinion of silence before the third party's 15 working days are over (b's run to 10-08).
    before = (state(b), InfoRequest.objects.filter(pk=b.pk).values().get())
    with clock.frozen(D(2026, 10, 8)), pytest.raises(DomainError) as exc:
        s.request_consultation_reply(request=b, officer=w.officer, opinion="none")
    assert exc.value.code == "opinion_not_due"
    assert (state(b), InfoRequest.objects.filter(pk=b.pk).values().get()) == before

    # b: the daily run finds the third party silent past 10-08; the stop ends with its 15 days.
    # 09-09 counted before the stop, then 10-09, 10 (调休), 12…16, 19…23, 26…30, 11-02, 03.
    with clock.frozen(D(2026, 10, 9)):
        assert [(r.request_no, c.opinion_due) for r, c in s.consultations_sweep()] == [(b.request_no, D(2026, 10, 8))]
    b.refresh_from_db()
    assert (b.status, b.due_date) == (ReqStatus.PROCESSING, D(2026, 11, 3))
    assert state(b) == ("running", D(2026, 11, 3), None, None, "", None)
    assert sweep_days(D(2026, 10, 9), D(2026, 10, 12), [a, b]) == {}
    # a: the opinion on 10-13; 09-29…10-13 not counted: 18 working days before it, then 10-14, 15.
    at(D(2026, 10, 13), s.request_consultation_reply, request=a, officer=w.officer, opinion="agree")
    assert (a.status, a.due_date) == (ReqStatus.PROCESSING, D(2026, 10, 15))
    assert state(a) == ("running", D(2026, 10, 15), None, None, "", None)
    assert sweep_days(D(2026, 10, 13), D(2026, 10, 16), [a, b]) == {
        (a.request_no, "yellow", D(2026, 10, 15)): D(2026, 10, 14),
        (a.request_no, "red", D(2026, 10, 15)): D(2026, 10, 16),
    }
    assert card_rows(a) == [
        ("yellow", D(2026, 9, 30), D(2026, 9, 29), D(2026, 10, 13), "答复期限已变更"),
        ("yellow", D(2026, 10, 15), D(2026, 10, 14), D(2026, 10, 16), "已升级为红牌"),
        ("red", D(2026, 10, 15), D(2026, 10, 16), None, ""),
    ]
    assert card_rows(b) == []


def test_fee_notice_stops_the_clock_payment_or_a_waiver_restarts_it_and_an_extension_moves_it(w):
    a = walk_in(w, D(2026, 9, 2))
    b = walk_in(w, D(2026, 9, 2), applicant=person_n(1))
    c = walk_in(w, D(2026, 9, 2), applicant=person_n(2))
    for req in (a, b, c):
        at(D(2026, 9, 4), s.request_assess_fee, request=req, officer=w.officer, method="per_page", pages=150)
    assert (a.status, a.fee_amount, a.fee_pay_due) == (ReqStatus.FEE_NOTICE, Decimal("1700.00"), D(2026, 10, 9))
    assert state(a) == ("stopped", D(2026, 9, 30), D(2026, 9, 4), None, "", None)
    # Paid on 09-08: 09-04…08 not counted; 09-03, then 09-09…11, 14…18, 20…24, 28…30, 10-08, 09, 10 (调休).
    at(D(2026, 9, 8), s.request_record_payment, request=a, officer=w.officer)
    assert (a.due_date, state(a)) == (D(2026, 10, 10), ("running", D(2026, 10, 10), None, None, "", None))
    # Waived whole on 09-09 (the head of the office): 09-04…09 not counted, a day later.
    at(D(2026, 9, 9), s.request_waive_fee, request=b, approver=w.head, reason_code="other", note="申请人重病住院，已核实")
    assert (b.status, b.due_date, state(b)) == (ReqStatus.PROCESSING, D(2026, 10, 12),
                                                ("running", D(2026, 10, 12), None, None, "", None))
    # Extended by 5 working days: 10-12…16.
    at(D(2026, 9, 10), s.request_extend, request=a, approver=w.head, days=5, reason="需调取档案库存档案")
    assert (a.due_date, state(a)) == (D(2026, 10, 16), ("running", D(2026, 10, 16), None, None, "", None))
    # Refused: an extension beyond 20 working days in all; nothing changes.
    before = (state(a), InfoRequest.objects.filter(pk=a.pk).values().get())
    with clock.frozen(D(2026, 9, 10)), pytest.raises(DomainError) as exc:
        s.request_extend(request=a, approver=w.head, days=16, reason="还需时间")
    assert exc.value.code == "extension_days"
    assert (state(a), InfoRequest.objects.filter(pk=a.pk).values().get()) == before
    # c never pays: the daily run on 10-12 finds the request abandoned; the clock ends uncounted.
    with clock.frozen(D(2026, 10, 12)):
        assert [r.request_no for r in s.requests_sweep()] == [c.request_no]
    assert state(c) == ("finished", D(2026, 9, 30), D(2026, 9, 4), D(2026, 10, 12), "申请人逾期未缴费，视为放弃申请", None)
    assert list(ClockStop.objects.filter(request=c).values_list("start_on", "end_on")) == [
        (D(2026, 9, 4), D(2026, 10, 12))]


def test_abandon_for_a_supplement_never_made(w):
    a = walk_in(w, D(2026, 9, 2))
    at(D(2026, 9, 3), s.request_ask_supplement, request=a, officer=w.officer, items="请写明批次", period_days=5)
    assert a.supplement_deadline == D(2026, 9, 10)
    before = (state(a), InfoRequest.objects.filter(pk=a.pk).values().get())
    with clock.frozen(D(2026, 9, 10)), pytest.raises(DomainError) as exc:
        s.request_abandon(request=a, officer=w.officer)
    assert exc.value.code == "not_due"
    assert (state(a), InfoRequest.objects.filter(pk=a.pk).values().get()) == before
    at(D(2026, 9, 11), s.request_abandon, request=a, officer=w.officer)
    assert state(a) == ("finished", D(2026, 9, 30), D(2026, 9, 3), D(2026, 9, 11), "申请人逾期未补正，视为放弃申请", None)


def test_a_reply_finishes_the_clock_and_the_sweep_clears_its_cards(w):
    a = walk_in(w, D(2026, 9, 2))
    b = walk_in(w, D(2026, 9, 8), applicant=person_n(1))
    on_time = walk_in(w, D(2026, 9, 8), applicant=person_n(2))
    # The sweep starts on 10-08 (a is past its due already: red only, no yellow first).
    assert sweep_days(D(2026, 10, 8), D(2026, 10, 10), [a, b, on_time]) == {
        (a.request_no, "red", D(2026, 9, 30)): D(2026, 10, 8),
        (b.request_no, "yellow", D(2026, 10, 12)): D(2026, 10, 10),
        (on_time.request_no, "yellow", D(2026, 10, 12)): D(2026, 10, 10),
    }
    # a answered late, on_time on its last day; b withdrawn (recorded by the officer).
    at(D(2026, 10, 12), s.request_reply, request=a, officer=w.officer, result="open", reply_text="见附件")
    at(D(2026, 10, 12), s.request_reply, request=on_time, officer=w.officer, result="open", reply_text="见附件")
    at(D(2026, 10, 12), s.request_withdraw, request=b, officer=w.officer, reason="已在公开页面查到")
    assert state(a) == ("finished", D(2026, 9, 30), None, D(2026, 10, 12), "已答复", True)
    assert state(on_time) == ("finished", D(2026, 10, 12), None, D(2026, 10, 12), "已答复", False)
    assert state(b) == ("finished", D(2026, 10, 12), None, D(2026, 10, 12), "申请人已撤回", None)
    # Refused: a second reply; nothing changes.
    before = (state(a), InfoRequest.objects.filter(pk=a.pk).values().get())
    with clock.frozen(D(2026, 10, 13)), pytest.raises(DomainError) as exc:
        s.request_reply(request=a, officer=w.officer, result="open", reply_text="再答")
    assert exc.value.code == "bad_state"
    assert (state(a), InfoRequest.objects.filter(pk=a.pk).values().get()) == before
    r = sweep(D(2026, 10, 12))  # the cards were cleared by the reply and the withdrawal themselves
    assert (r.raised_yellow, r.raised_red, r.cleared) == (0, 0, 0)
    assert card_rows(a) == [("red", D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 12), "已答复")]
    assert card_rows(b) == [("yellow", D(2026, 10, 12), D(2026, 10, 10), D(2026, 10, 12), "申请人已撤回")]
    assert card_rows(on_time) == [("yellow", D(2026, 10, 12), D(2026, 10, 10), D(2026, 10, 12), "已答复")]
    # finished clocks raise nothing on later days
    assert sweep_days(D(2026, 10, 13), D(2026, 10, 20), [a, b, on_time]) == {}
    assert Card.objects.filter(cleared_on__isnull=True).count() == 0


def test_a_request_withdrawn_before_receipt_has_no_clock(w):
    with clock.frozen(D(2026, 9, 28)):
        req = s.request_file(body=w.scj, applicant=person(), description="某某许可的批准文件", channel="online",
                             user=w.citizen)
        s.request_withdraw(request=req, user=w.citizen)
    assert (req.status, Clock.objects.count()) == (ReqStatus.WITHDRAWN, 0)


def test_the_board_and_the_api_show_the_request_card(w, client):
    a = walk_in(w, D(2026, 9, 2))
    sweep(D(2026, 10, 8))
    client.force_login(w.supervisor.user)
    with clock.frozen(D(2026, 10, 8)):
        page = client.get("/supervision/")
        api = client.get("/api/supervision/cards?kind=gk_reply")
        everything = client.get("/api/supervision/cards")
        other_kind = client.get("/api/supervision/cards?kind=case")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="red-total">1<' in html and 'data-testid="yellow-total">0<' in html
    assert html.count('data-testid="board-card"') == 1
    assert f'<a href="/gk/work/requests/{a.request_no}/">{a.request_no}</a>' in html
    assert "<td>政府信息公开申请答复时限</td>" in html and "<td>2026-09-30</td>" in html
    assert "<td>2025年食品抽检结果汇总表</td>" in html and "<td>刘经办</td>" in html
    assert "政府信息公开申请答复时限</a></th><td>1</td><td>0</td>" in html
    assert api.status_code == 200
    assert api.json() == [{
        "id": cards(a).get(level="red").pk, "kind": "gk_reply", "kind_label": "政府信息公开申请答复时限",
        "subject_type": "gk_request", "subject_no": a.request_no, "title": "2025年食品抽检结果汇总表",
        "url": f"/gk/work/requests/{a.request_no}/", "level": "red", "level_label": "红牌", "part": 0,
        "part_name": "", "due_date": "2026-09-30", "due_at": None, "raised_on": "2026-10-08",
        "department": "示范县市场监督管理局", "officer": "刘经办"}]
    assert [x["subject_no"] for x in everything.json()] == [a.request_no]
    assert other_kind.json() == []
    client.logout()
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 10, 8)):
        assert client.get("/supervision/").status_code == 403
        assert client.get("/api/supervision/cards?kind=gk_reply").status_code == 403


def test_backfill_starts_the_missing_clocks(w):
    running = walk_in(w, D(2026, 9, 2))
    supplement = walk_in(w, D(2026, 9, 2), applicant=person_n(1))
    consulting = walk_in(w, D(2026, 9, 2), applicant=person_n(2))
    fee = walk_in(w, D(2026, 9, 2), applicant=person_n(3))
    replied = walk_in(w, D(2026, 9, 2), applicant=person_n(4))
    at(D(2026, 9, 3), s.request_ask_supplement, request=supplement, officer=w.officer, items="请写明批次")
    at(D(2026, 9, 7), s.request_consult, request=consulting, officer=w.officer, third_party="某某食品厂")
    at(D(2026, 9, 8), s.request_assess_fee, request=fee, officer=w.officer, method="per_page", pages=150)
    at(D(2026, 9, 9), s.request_reply, request=replied, officer=w.officer, result="open", reply_text="见附件")
    with clock.frozen(D(2026, 9, 10)):
        unconfirmed = s.request_file(body=w.scj, applicant=person(), description="某某许可的批准文件",
                                     channel="online", user=w.citizen)
    expected = {r.pk: (c.state, c.started_on, c.due_date, c.stopped_on, c.officer_id)
                for r in (running, supplement, consulting, fee) for c in [gk_clock(r)]}
    assert expected == {
        running.pk: ("running", D(2026, 9, 2), D(2026, 9, 30), None, w.officer.pk),
        supplement.pk: ("stopped", D(2026, 9, 2), D(2026, 9, 30), D(2026, 9, 3), w.officer.pk),
        consulting.pk: ("stopped", D(2026, 9, 2), D(2026, 9, 30), D(2026, 9, 7), w.officer.pk),
        fee.pk: ("stopped", D(2026, 9, 2), D(2026, 9, 30), D(2026, 9, 8), w.officer.pk),
    }
    # A database from before clocks: the open requests' clocks are missing.
    Clock.objects.filter(subject_type="gk_request").exclude(subject_id=replied.pk).delete()
    with clock.frozen(D(2026, 9, 10)):
        assert clocks_backfill()["zhengwu.disclosure.clocks"] == 4
    got = {r.pk: (c.state, c.started_on, c.due_date, c.stopped_on, c.officer_id)
           for r in (running, supplement, consulting, fee) for c in [gk_clock(r)]}
    assert got == expected
    assert Clock.objects.filter(subject_type="gk_request", subject_id=unconfirmed.pk).count() == 0
    assert Clock.objects.filter(subject_type="gk_request", subject_id=replied.pk).get().state == "finished"
    # Run again: nothing to do.
    with clock.frozen(D(2026, 9, 10)):
        assert gk_clocks.backfill() == 0
    assert Clock.objects.filter(subject_type="gk_request").count() == 5
    # The backfilled supplement clock resumes like any other.
    # 20 working days from 09-14: 09-15…18, 20…24, 28…30, 10-08, 09, 10 (调休), 12…16.
    at(D(2026, 9, 14), s.request_supplement, request=supplement, text="第3批次", officer=w.officer)
    assert state(supplement) == ("running", D(2026, 10, 16), None, None, "", None)
