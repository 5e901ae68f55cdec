"""The monthly assessment reproduces a score computed by hand for a small fixture month (March 2026)."""

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.org.tests import factories as f
from zhengwu.supervision.models import MonthlyScore, SupervisionPolicy
from zhengwu.supervision.services import admonition_issue, assessment_run, commendation_record

from .conftest import accept_case, finish_case

pytestmark = pytest.mark.django_db
D = dt.date
MARCH = D(2026, 3, 1)


def praise(w, day, *, staff=None, window=None, n=1):
    with clock.frozen(day):
        for _ in range(n):
            commendation_record(recorder=w.supervisor, staff=staff, window=window, note="群众送来表扬信")


def march(w):
    """Window 5 / 李窗口: A late (finished 03-12, due 03-09), B on time, C still open past 03-23, D due in April.
    Window 6 / 王窗口: E on time. 孙公安 and 赵首代 accept nothing."""
    w.window6 = f.window(w.center, "6", w.dept)
    w.officer2.windows.add(w.window6)
    e = accept_case(w, D(2026, 3, 2), name="戊", officer=w.officer2, window=w.window6)
    finish_case(w, e, D(2026, 3, 5), officer=w.officer2)
    a = accept_case(w, D(2026, 3, 2), name="甲")
    b = accept_case(w, D(2026, 3, 2), name="乙")
    accept_case(w, D(2026, 3, 16), name="丙")  # due 03-23, open at the end of March
    accept_case(w, D(2026, 3, 25), name="丁")  # due 04-01: counts in April, not March
    finish_case(w, a, D(2026, 3, 12))
    finish_case(w, b, D(2026, 3, 5))
    praise(w, D(2026, 3, 10), staff=w.officer, n=2)
    praise(w, D(2026, 3, 10), window=w.window)
    praise(w, D(2026, 3, 11), staff=w.officer2, n=6)  # +12: raw 112, capped at 110
    praise(w, D(2026, 4, 1), staff=w.outsider)  # April: not counted
    with clock.frozen(D(2026, 3, 20)):
        admonition_issue(supervisor=w.supervisor, staff=w.chief, reason="窗口脱岗", evidence="3月20日上午监控记录")
    return a, b


def scores():
    return {(s.kind, s.window.number if s.window else s.staff.name): s for s in MonthlyScore.objects.filter(
        month=MARCH).select_related("window", "staff")}


def test_march_scores_by_hand(w):
    march(w)
    SupervisionPolicy.objects.update(service_stars=2)
    assessment_run(month=MARCH, today=D(2026, 4, 1))
    s = scores()
    # By hand: 李窗口 100 − 5 (A) − 5 (C) + 2 × 2 (praise) = 94.
    officer = s[("officer", "李窗口")]
    assert (officer.score, officer.raw_score) == (Decimal("94"), Decimal("94"))
    assert officer.items == [
        {"code": "overdue_case", "name": "超过承诺时限的办件（每件）", "count": 2, "points": "-5.00", "subtotal": "-10.00"},
        {"code": "praise", "name": "群众表扬（每次）", "count": 2, "points": "2.00", "subtotal": "4.00"},
    ]
    # 王窗口 100 + 6 × 2 = 112 → capped at 110; 孙公安 100 (April praise not counted); 赵首代 100 − 5 = 95.
    assert (s[("officer", "王窗口")].raw_score, s[("officer", "王窗口")].score) == (Decimal("112"), Decimal("110"))
    assert s[("officer", "孙公安")].score == Decimal("100")
    assert s[("officer", "赵首代")].score == Decimal("95")
    assert s[("officer", "赵首代")].excluded == "当月受到效能告诫；当月无受理办件"
    assert s[("officer", "孙公安")].excluded == "当月无受理办件"  # an idle 100 does not win
    assert [(n, s[("officer", n)].cases) for n in ["王窗口", "孙公安", "赵首代", "李窗口"]] == [
        ("王窗口", 1), ("孙公安", 0), ("赵首代", 0), ("李窗口", 4)]
    assert [(n, s[("officer", n)].rank, s[("officer", n)].award) for n in ["王窗口", "孙公安", "赵首代", "李窗口"]] == [
        ("王窗口", 1, "star"), ("孙公安", 2, ""), ("赵首代", 3, ""), ("李窗口", 4, "star")]
    # Window 5: 100 − 10 + 2 = 92; window 6: 100. Both 红旗窗口 (quota 5 a month).
    assert (s[("window", "5")].score, s[("window", "5")].rank, s[("window", "5")].award) == (Decimal("92"), 2,
                                                                                             "red_flag")
    assert (s[("window", "6")].score, s[("window", "6")].rank) == (Decimal("100"), 1)


def test_the_admonished_officer_is_not_a_star_even_when_first(w):
    march(w)
    SupervisionPolicy.objects.update(service_stars=1)
    with clock.frozen(D(2026, 3, 21)):
        admonition_issue(supervisor=w.supervisor, staff=w.officer2, reason="态度生硬", evidence="群众投诉记录")
    assessment_run(month=MARCH, today=D(2026, 4, 1))
    s = scores()
    # 100 + 12 − 5 = 107: still first, but out of the awards; the star goes down the ranking to the first
    # eligible (孙公安 accepted nothing, 赵首代 was admonished).
    assert (s[("officer", "王窗口")].score, s[("officer", "王窗口")].rank, s[("officer", "王窗口")].award) == (
        Decimal("107"), 1, "")
    assert s[("officer", "李窗口")].award == "star"  # the only one eligible
    assert s[("window", "6")].excluded == "窗口人员当月受到效能告诫"


def test_recomputing_replaces_the_month(w):
    march(w)
    assessment_run(month=MARCH, today=D(2026, 4, 1))
    assessment_run(month=MARCH, today=D(2026, 4, 2))
    assert MonthlyScore.objects.filter(month=MARCH).count() == 6  # 2 windows + 4 officers


def test_bad_rating_from_ratings_deducts_and_excludes(w):
    ratings = pytest.importorskip("zhengwu.ratings.services")
    a, b = march(w)
    with clock.frozen(D(2026, 3, 6)):
        ratings.rating_record(kind="hall", channel="pad", overall=2, case=b)
    assessment_run(month=MARCH, today=D(2026, 4, 1))
    s = scores()
    # 李窗口 94 − 3 = 91, out of the awards; window 5: 92 − 3 = 89, out too.
    assert (s[("officer", "李窗口")].score, s[("officer", "李窗口")].excluded) == (Decimal("91"), "当月被评为不满意")
    assert (s[("window", "5")].score, s[("window", "5")].excluded, s[("window", "5")].award) == (
        Decimal("89"), "当月被评为不满意", "")


def test_an_appeal_upheld_after_the_turn_of_the_month_rescores_it(w):
    """A 差评 of 31 March appealed and upheld on 2 April: the sweep of 3 April scores March again."""
    from zhengwu.ratings import services as rs
    from zhengwu.supervision.services import assessment_stale, supervise

    a, b = march(w)
    with clock.frozen(D(2026, 3, 31)):
        rating = rs.rating_record(kind="hall", channel="pad", overall=1, case=b)
    def run(day):
        with clock.frozen(day):
            supervise(today=day)

    run(D(2026, 4, 1))  # the turn of the month: March scored with the 差评
    assert scores()[("officer", "李窗口")].score == Decimal("91")
    with clock.frozen(D(2026, 4, 1)):
        appeal = rs.appeal_file(rating=rating, officer=w.officer, reason="mistaken",
                                statement="评价对象错误，当时由其他窗口办理")
    assert not assessment_stale(MARCH)  # filed, not decided: the score stands
    with clock.frozen(D(2026, 4, 2)):
        rs.appeal_decide(appeal=appeal, supervisor=w.supervisor, upheld=True, note="经核查属误评")
    assert assessment_stale(MARCH)
    run(D(2026, 4, 3))
    officer = scores()[("officer", "李窗口")]
    assert (officer.score, officer.excluded) == (Decimal("94"), "")
    assert not assessment_stale(MARCH)
    computed = officer.computed_at
    run(D(2026, 4, 6))  # nothing new: not scored again
    assert scores()[("officer", "李窗口")].computed_at == computed


def test_staying_away_past_the_declared_return_costs_points(w):
    """外出告知: 李窗口 declared a return at 10:00 on Tuesday 3 March and came back at 11:10 (70 minutes
    over, inside service hours): −2 (per full 30 minutes). 王窗口 came back in time: nothing. An absence
    still open at the end of the month counts up to then, in service hours only."""
    from django.utils import timezone

    from zhengwu.hall.models import AbsenceKind, StaffAbsence

    def at(day, hh, mm):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))

    march(w)
    StaffAbsence.objects.create(staff=w.officer, hall=w.center, kind=AbsenceKind.ERRAND,
                                started_at=at(D(2026, 3, 3), 9, 0), expected_return=at(D(2026, 3, 3), 10, 0),
                                returned_at=at(D(2026, 3, 3), 11, 10))
    StaffAbsence.objects.create(staff=w.officer2, hall=w.center, kind=AbsenceKind.MEETING,
                                started_at=at(D(2026, 3, 4), 9, 0), expected_return=at(D(2026, 3, 4), 11, 0),
                                returned_at=at(D(2026, 3, 4), 10, 45))
    assessment_run(month=MARCH, today=D(2026, 4, 1))
    s = scores()
    officer = s[("officer", "李窗口")]
    assert officer.score == Decimal("92")  # 94 by hand, − 2
    assert {i["code"]: (i["count"], i["subtotal"]) for i in officer.items}["away_overdue"] == (2, "-2.00")
    assert "away_overdue" not in {i["code"] for i in s[("officer", "王窗口")].items}
    assert "away_overdue" not in {i["code"] for i in s[("window", "5")].items}  # a person's, not the window's
