"""按时办结率 and the dashboard's figures, exact on a fixture of seven cases (March–April 2026)."""

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.cases.models import FeeLine
from zhengwu.cases.tests.factories import applicant, pdf
from zhengwu.core import clock
from zhengwu.core.errors import PermissionDenied
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.selectors import dashboard_data, dashboard_region_for_staff, on_time_rate
from zhengwu.supervision.services import stats_rebuild, sweep_run

from .conftest import accept_case, finish_case

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 4, 10)


def paid(case, day):
    FeeLine.objects.filter(case=case).update(paid_on=day, paid_at=clock.now(), receipt_no=f"R{case.pk}")


@pytest.fixture
def fixture(w):
    """County centre: A (03-02, finished late 03-12, fee paid), B (03-02, on time 03-05), C (03-16, still open,
    due 03-23), F (04-01, due 04-09, finished 04-10, fee paid today), E (accepted today). Village agent: D
    (taken in at 东关村 04-01, handled by the town centre, due 04-09, open)."""
    a = accept_case(w, D(2026, 3, 2), name="甲")
    b = accept_case(w, D(2026, 3, 2), name="乙")
    accept_case(w, D(2026, 3, 16), name="丙")
    finish_case(w, a, D(2026, 3, 12))
    finish_case(w, b, D(2026, 3, 5))
    paid(a, D(2026, 3, 12))
    town_officer = f.staff("1011", Role.WINDOW_OFFICER, department=w.dept, hall=w.town_hall, name="镇窗口")
    with clock.frozen(D(2026, 4, 1)):
        d = cs.case_submit(item=w.item, applicant=applicant(name="丁"), channel="agent", agent=w.agent,
                           files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
        cs.case_accept(case=d, officer=town_officer)
    fcase = accept_case(w, D(2026, 4, 1), name="戊")
    finish_case(w, fcase, TODAY)
    with clock.frozen(TODAY):
        paid(fcase, TODAY)
    accept_case(w, TODAY, name="己")
    with clock.frozen(TODAY):
        sweep_run(today=TODAY)  # as ``supervise`` does: the cards first, then the rollups count them
        stats_rebuild(today=TODAY)
    w.d = d
    return w


def test_on_time_rate_counts_open_overdue_cases(fixture):
    march = on_time_rate(start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert (march.on_time, march.closed, march.open_overdue) == (1, 2, 1)  # C was open and overdue on 03-31
    assert march.rate == pytest.approx(1 / 3)  # not 1/2: the open late case counts
    april = on_time_rate(start=D(2026, 4, 1), end=TODAY)
    assert (april.on_time, april.closed, april.open_overdue, april.rate) == (0, 1, 2, 0.0)


def test_dashboard_county_exact(fixture, django_assert_max_num_queries):
    w = fixture
    with django_assert_max_num_queries(14):  # a fixed number, whatever the volume
        data = dashboard_data(region=w.county, today=TODAY)
    assert data["kpis"] == {
        "accepted_today": 1, "completed_today": 1,
        "accepted_month": 3, "completed_month": 1, "accepted_year": 6, "completed_year": 3,
        "on_time_rate_month": 0.0,  # 0 ÷ (1 + 2 open overdue: C and D)
        "on_time_rate_year": 20.0,  # 1 ÷ (3 + 2)
        "open_overdue": 2,
        "satisfaction_month": None, "satisfaction_year": None,
        "red_cards": 4, "yellow_cards": 0,  # C and D: case and 审核 step each
        "fees_today": 10.0, "fees_month": 10.0, "fees_year": 20.0,
        "agent_month": 1, "agent_year": 1,
    }
    march, april = data["trend"][-2:]
    assert march == {"month": "2026-03", "accepted": 3, "completed": 2, "on_time": 1, "open_overdue": 1,
                     "rate": 33.3}
    assert april == {"month": "2026-04", "accepted": 3, "completed": 1, "on_time": 0, "open_overdue": 2,
                     "rate": 0.0}
    assert [t["month"] for t in data["trend"]][:1] == ["2025-05"] and len(data["trend"]) == 12
    assert data["cards_by_department"] == [{"name": "示范县市场监督管理局", "red": 4, "yellow": 0}]
    assert data["busiest_items"] == [{"name": "食品经营许可证核发", "accepted": 6}]
    assert data["children"] == [
        {"code": "130621000000", "name": "示范县本级", "own": True, "accepted": 5, "completed": 3, "agent": 0,
         "open_overdue": 1, "fees": 20.0, "rate": 25.0, "satisfaction": None},
        {"code": "130621100000", "name": "城关镇", "own": False, "accepted": 1, "completed": 0, "agent": 1,
         "open_overdue": 1, "fees": 0.0, "rate": 0.0, "satisfaction": None},
    ]


def test_dashboard_drills_down_to_the_village(fixture):
    w = fixture
    town = dashboard_data(region=w.town, today=TODAY)
    assert (town["kpis"]["accepted_year"], town["kpis"]["open_overdue"], town["kpis"]["agent_year"]) == (1, 1, 1)
    assert [(c["name"], c["accepted"]) for c in town["children"]] == [("东关村", 1)]
    village = dashboard_data(region=w.village, today=TODAY)
    assert (village["kpis"]["accepted_year"], village["children"]) == (1, [])


def test_dashboard_scope(fixture):
    w = fixture
    assert dashboard_region_for_staff(staff=w.leader) == w.county
    assert dashboard_region_for_staff(staff=w.leader, region_code="130621100000") == w.town
    town_leader = f.staff("1012", Role.LEADER, region=w.town, name="镇长")
    with pytest.raises(PermissionDenied):
        dashboard_region_for_staff(staff=town_leader, region_code=w.county.code)
    with pytest.raises(PermissionDenied):
        dashboard_region_for_staff(staff=w.officer)


def test_dashboard_satisfaction_from_the_ratings_app(fixture):
    ratings = pytest.importorskip("zhengwu.ratings.services")
    w = fixture
    from zhengwu.cases.models import Case

    a, b = Case.objects.filter(status="completed", completed_on__month=3).order_by("id")
    with clock.frozen(D(2026, 3, 13)):
        ratings.rating_record(kind="hall", channel="pad", overall=5, case=a)
        ratings.rating_record(kind="hall", channel="pad", overall=2, case=b)
    with clock.frozen(TODAY):
        stats_rebuild(today=TODAY)
    data = dashboard_data(region=w.county, today=TODAY)
    assert (data["kpis"]["satisfaction_year"], data["kpis"]["satisfaction_month"]) == (50.0, None)
    assert [(c["name"], c["satisfaction"]) for c in data["children"]] == [("示范县本级", 50.0), ("城关镇", None)]


def test_dashboard_shows_the_halls_queue_today(fixture):
    """Three numbers taken at the centre on 04-10 from 09:00; the first called at 09:12 and served."""
    from django.utils import timezone

    from zhengwu.hall.services import presence, setup, tickets

    w = fixture

    def at(hh, mm):
        return clock.frozen(timezone.make_aware(dt.datetime.combine(TODAY, dt.time(hh, mm))))

    w.window.items.add(w.item)
    setup.window_groups_autocreate(hall=w.center)
    with at(9, 0):
        first = tickets.ticket_issue(hall=w.center, item=w.item)
    with at(9, 5):
        tickets.ticket_issue(hall=w.center, item=w.item)
        tickets.ticket_issue(hall=w.center, item=w.item)
    with at(9, 12):
        presence.window_sign_in(window=w.window, officer=w.officer)
        called = tickets.ticket_call_next(window=w.window, officer=w.officer)
        tickets.ticket_start(ticket=called, window=w.window, officer=w.officer)
    with at(9, 20):
        tickets.ticket_finish(ticket=called, window=w.window, officer=w.officer)
    assert called.pk == first.pk
    hall = dashboard_data(region=w.county, today=TODAY)["hall"]
    assert hall == {"tickets_today": 3, "waiting_now": 2, "served_today": 1, "no_shows_today": 0,
                    "avg_wait_minutes": 12.0, "max_wait_minutes": 12.0}
    assert dashboard_data(region=w.county, today=TODAY + dt.timedelta(days=1))["hall"]["tickets_today"] == 0
