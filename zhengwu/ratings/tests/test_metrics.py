"""The four metrics on a small September 2026, with values computed by hand.

Window 5, 李窗口 (officer)             Window 6, 王窗口 (officer2)
  c1 09-01 pad 5                         c5 09-03 pad 1 差评 → closed, call-back 不满意
  c2 09-01 pad 2 差评 → closed, 满意      c6 09-03 pad 1 差评 → appeal upheld (excluded)
  c3 09-02 SMS invite 4                  c7 09-04 pad 3
  c4 09-02 not rated                     c8 09-04 pad 2 差评 → still being verified
  ticket 09-04 pad 4 (no case)
Town hall window 1: ticket 09-07 pad 5, no officer.
Outside the period: c9 finished and rated 5 on 10-08; c0 finished 08-31 and rated 09-01 (pad 5).
"""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.ratings import services as s
from zhengwu.ratings.models import Channel, Kind
from zhengwu.ratings.selectors import (
    bad_ratings_upheld,
    bad_ratings_upheld_counts,
    metrics_total,
    rating_metrics,
    rating_metrics_for_staff,
)

from .factories import finish_at_window, rating_world

pytestmark = pytest.mark.django_db
D = dt.date
SEP = dict(start=D(2026, 9, 1), end=D(2026, 9, 30))


def _pad(case, officer, window, overall, on, ticket=""):
    with clock.frozen(on):
        return s.rating_record(kind=Kind.HALL, channel=Channel.PAD, overall=overall, case=case, window=window,
                               officer=officer, ticket_ref=ticket)


def _close(r, w, result):
    rect = r.rectification
    s.rectification_verify(rectification=rect, head=w.head, finding="true", note="属实")
    s.rectification_rectify(rectification=rect, head=w.head, measures="整改")
    s.rectification_callback(rectification=rect, head=w.head, result=result)
    s.rectification_close(rectification=rect, head=w.head)


@pytest.fixture
def w():
    w = rating_world()
    o1, o2, w5, w6 = w.officer, w.officer2, w.window, w.window6

    def fin(on, officer, window):
        return finish_at_window(w, on, officer=officer, window=window)

    c0 = fin(D(2026, 8, 31), o1, w5)
    _pad(c0, o1, w5, 5, D(2026, 9, 1))  # rated in September, finished in August
    c1, c2 = fin(D(2026, 9, 1), o1, w5), fin(D(2026, 9, 1), o1, w5)
    c3, _c4 = fin(D(2026, 9, 2), o1, w5), fin(D(2026, 9, 2), o1, w5)
    _pad(c1, o1, w5, 5, D(2026, 9, 1))
    _close(_pad(c2, o1, w5, 2, D(2026, 9, 1)), w, "satisfied")
    with clock.frozen(D(2026, 9, 2)):
        invite, _ = s.rating_invite_issue(case=c3, channel=Channel.SMS)
    with clock.frozen(D(2026, 9, 3)):
        s.rating_record(kind=Kind.HALL, channel=Channel.SMS, overall=4, case=c3, invite=invite)
    _pad(None, o1, w5, 4, D(2026, 9, 4), ticket="20260904-A001")

    c5, c6 = fin(D(2026, 9, 3), o2, w6), fin(D(2026, 9, 3), o2, w6)
    c7, c8 = fin(D(2026, 9, 4), o2, w6), fin(D(2026, 9, 4), o2, w6)
    _close(_pad(c5, o2, w6, 1, D(2026, 9, 3)), w, "dissatisfied")
    r6 = _pad(c6, o2, w6, 1, D(2026, 9, 3))
    with clock.frozen(D(2026, 9, 4)):
        appeal = s.appeal_file(rating=r6, officer=o2, reason="malicious", statement="恶意差评")
        s.appeal_decide(appeal=appeal, supervisor=w.supervisor, upheld=True, note="成立")
    _pad(c7, o2, w6, 3, D(2026, 9, 4))
    _pad(c8, o2, w6, 2, D(2026, 9, 4))

    _pad(None, None, w.town_window, 5, D(2026, 9, 7), ticket="20260907-A001")
    c9 = fin(D(2026, 10, 8), o1, w5)
    _pad(c9, o1, w5, 5, D(2026, 10, 8))
    return w


def counts(row):
    return (row.ratings, row.satisfied, row.bad, row.bad_closed, row.callbacks, row.callbacks_ok, row.finished,
            row.active)


def test_per_officer(w, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = rating_metrics(by="officer", **SEP)
    got = {r.label: counts(r) for r in rows}
    assert got == {
        # ratings c0 c1 c2 c3 ticket; finished c1–c4, active c1 c2 (c3 came through the invite)
        "李窗口（1001）": (5, 4, 1, 1, 1, 1, 4, 2),
        # ratings c5 c7 c8 (c6 excluded); finished c5–c8, active c5 c7 c8
        "王窗口（1002）": (3, 1, 2, 1, 1, 0, 4, 3),
        "未关联人员": (1, 1, 0, 0, 0, 0, 0, 0),
    }
    o1 = next(r for r in rows if r.key == w.officer.pk)
    assert (o1.satisfaction_rate, o1.active_rate, o1.rectification_rate, o1.callback_satisfaction) == (
        0.8, 0.5, 1.0, 1.0)
    o2 = next(r for r in rows if r.key == w.officer2.pk)
    assert (o2.satisfaction_rate, o2.active_rate, o2.rectification_rate, o2.callback_satisfaction) == (
        1 / 3, 0.75, 0.5, 0.0)


def test_rating_metrics_only_is_one_query(w, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = rating_metrics(by="hall", with_cases=False, **SEP)
    assert {r.label: counts(r) for r in rows} == {
        "示范县政务服务中心": (8, 5, 3, 2, 2, 1, 0, 0), "城关镇便民服务中心": (1, 1, 0, 0, 0, 0, 0, 0)}


def test_per_window_department_hall_and_total(w):
    by_window = {r.label: counts(r) for r in rating_metrics(by="window", **SEP)}
    assert by_window == {
        "示范县政务服务中心 5号窗口": (5, 4, 1, 1, 1, 1, 4, 2),
        "示范县政务服务中心 6号窗口": (3, 1, 2, 1, 1, 0, 4, 3),
        "城关镇便民服务中心 1号窗口": (1, 1, 0, 0, 0, 0, 0, 0),
    }
    dept = rating_metrics(by="department", **SEP)
    assert [(r.label, counts(r)) for r in dept] == [("示范县市场监督管理局", (9, 6, 3, 2, 2, 1, 8, 5))]
    d = dept[0]
    assert (d.satisfaction_rate, d.active_rate, d.rectification_rate, d.callback_satisfaction) == (
        6 / 9, 5 / 8, 2 / 3, 0.5)
    halls = {r.label: counts(r) for r in rating_metrics(by="hall", **SEP)}
    assert halls == {"示范县政务服务中心": (8, 5, 3, 2, 2, 1, 8, 5), "城关镇便民服务中心": (1, 1, 0, 0, 0, 0, 0, 0)}
    assert counts(metrics_total(rating_metrics(by="hall", **SEP))) == (9, 6, 3, 2, 2, 1, 8, 5)


def test_per_region_one_tier_down(w):
    rows = rating_metrics(by="region", region=w.county, **SEP)
    assert [(r.key, r.label, counts(r)) for r in rows] == [
        ("130621000", "示范县", (8, 5, 3, 2, 2, 1, 8, 5)),
        ("130621100", "城关镇", (1, 1, 0, 0, 0, 0, 0, 0)),
    ]
    town = rating_metrics(by="hall", region=w.town, **SEP)
    assert [(r.label, r.ratings) for r in town] == [("城关镇便民服务中心", 1)]


def test_empty_period_gives_no_rates():
    rows = rating_metrics(by="department", start=D(2026, 1, 1), end=D(2026, 1, 31))
    assert rows == []
    total = metrics_total(rows)
    assert (total.satisfaction_rate, total.active_rate, total.rectification_rate,
            total.callback_satisfaction) == (None, None, None, None)


def test_bad_ratings_upheld_for_the_assessment(w):
    assert bad_ratings_upheld(staff=w.officer, month=D(2026, 9, 15)) == 1
    assert bad_ratings_upheld(staff=w.officer2, month=D(2026, 9, 1)) == 2  # c6 was upheld on appeal
    assert bad_ratings_upheld(window=w.window6, month=D(2026, 9, 30)) == 2
    assert bad_ratings_upheld(staff=w.officer, month=D(2026, 10, 1)) == 0
    assert bad_ratings_upheld_counts(month=D(2026, 9, 1)) == {w.officer.pk: 1, w.officer2.pk: 2}
    assert bad_ratings_upheld_counts(month=D(2026, 9, 1), by="window") == {w.window.pk: 1, w.window6.pk: 2}


def test_scope_of_each_viewer(w):
    mine = rating_metrics_for_staff(viewer=w.officer, by="officer", **SEP)
    assert [r.key for r in mine] == [w.officer.pk]
    head = rating_metrics_for_staff(viewer=w.head, by="officer", **SEP)
    assert sorted(r.label for r in head) == ["未关联人员", "李窗口（1001）", "王窗口（1002）"]
    admin = rating_metrics_for_staff(viewer=w.hall_admin, by="window", **SEP)
    assert sorted(r.label for r in admin) == ["示范县政务服务中心 5号窗口", "示范县政务服务中心 6号窗口"]
    outsider = rating_metrics_for_staff(viewer=w.outsider, by="officer", **SEP)
    assert outsider == []
