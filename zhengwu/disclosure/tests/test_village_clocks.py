"""A village late with its quarterly 财务收支 gets a yellow, then a red card on the town's board, across the
National Day holiday; publishing clears it. Supervision's own sweep raises the cards.

2026 (chinesecalendar): 10-01…07 holidays, Saturday 10-10 a working day. The 2026Q3 finance disclosure is
due on the 10th of the month after the quarter: 10-10 (a working day, so it stays). The clock kind warns
2 working days ahead: yellow once the due is within the next 2 working days — on 10-08, the first working
day after the holiday (during the holiday the next working days are 10-08, 09, 10: the due is the third);
red on the first working day past the due: Monday 10-12 (Sunday 10-11 is not a working day).
"""

import datetime as dt

import pytest
from django.urls import reverse

from zhengwu.core import clock
from zhengwu.disclosure.models import VillageCategory, VillagePeriod
from zhengwu.disclosure.services.village import village_periods_open
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.models import Card
from zhengwu.supervision.services import sweep_run
from zhengwu.workdays.models import DayOverride

from .village_factories import enter, publish, village_world

pytestmark = pytest.mark.django_db
D = dt.date


def days(first, last):
    d = first
    while d <= last:
        yield d
        d += dt.timedelta(days=1)


def run_days(first, last, watch, seen=None):
    """Each day as the jobs run it (the sweep, then 政务公开's daily run opening new periods); for each
    watched period (by (village code, category code)): {(level): first day seen}."""
    seen = {} if seen is None else seen
    for d in days(first, last):
        with clock.frozen(d):
            sweep_run(today=d, deliver=False)
            village_periods_open(today=d)
        for key in watch:
            p = VillagePeriod.objects.filter(body__code=key[0], category__code=key[1], period_end=D(2026, 9, 30)).first()
            if p is None:
                continue
            for c in Card.objects.filter(clock__subject_type="gk_village_period", clock__subject_id=p.pk):
                seen.setdefault((*key, c.level), d)
    return seen


@pytest.fixture
def w():
    world = village_world()
    # only the finance category, to keep the sweep's work small
    VillageCategory.objects.exclude(code="finance").update(is_active=False)
    return world


def board(client, staff):
    client.force_login(staff.user)
    resp = client.get(reverse("supervision:board") + "?kind=gk_village")
    assert resp.status_code == 200
    return resp.content.decode()


def test_yellow_then_red_across_the_holiday_and_published_late_clears_it(w, client):
    # West village publishes on time (10-09, from its own workbench chain); East village does not.
    seen = run_days(D(2026, 10, 1), D(2026, 10, 8), [("DGC", "finance"), ("XGC", "finance")])
    with clock.frozen(D(2026, 10, 9)):
        publish(w, enter(w, village=w.village2, clerk=w.clerk2), village2=True)
    run_days(D(2026, 10, 9), D(2026, 10, 13), [("DGC", "finance"), ("XGC", "finance")], seen)
    assert seen == {
        ("DGC", "finance", "yellow"): D(2026, 10, 8),   # not during the holiday
        ("DGC", "finance", "red"): D(2026, 10, 12),     # not on the 调休 Saturday (the due day) nor Sunday
        ("XGC", "finance", "yellow"): D(2026, 10, 8),   # warned too, before it published on 10-09
    }
    east = VillagePeriod.objects.get(body=w.village, category__code="finance")
    assert (east.opened_on, east.due_date, east.state) == (D(2026, 10, 1), D(2026, 10, 10), "open")
    cards = list(Card.objects.filter(clock__subject_id=east.pk, clock__subject_type="gk_village_period")
                 .order_by("id").values_list("level", "raised_on", "cleared_on", "cleared_reason"))
    assert cards == [("yellow", D(2026, 10, 8), D(2026, 10, 12), "已升级为红牌"), ("red", D(2026, 10, 12), None, "")]
    west = Card.objects.get(clock__subject_type="gk_village_period", clock__subject_id__in=VillagePeriod.objects
                            .filter(body=w.village2).values("pk"))
    assert (west.level, west.cleared_on, west.cleared_reason) == ("yellow", D(2026, 10, 9), "已公开")

    # The town's 效能监察员 sees the red card on supervision's board, under the village's name.
    with clock.frozen(D(2026, 10, 13)):
        html = board(client, w.town_supervisor)
        assert "东关村村民委员会财务收支（2026年第三季度）" in html
        assert "西关村村民委员会财务收支" not in html  # its card was cleared
        # and on the town's view, linked to the cards
        resp = client.get(reverse("disclosure:village_town", args=[w.town_region.code]))
        page = resp.content.decode()
        assert resp.status_code == 200
        assert 'id="v-DGC"' in page and 'data-status="overdue"' in page and "红牌" in page
        assert 'data-status="published"' in page
        # a supervisor of another town sees neither
        other_town = f.town(w.county, code="130621101000", name="柳林镇")
        other = f.staff("3010", Role.SUPERVISOR, region=other_town, name="吴纪委")
        assert "东关村村民委员会" not in board(client, other)
        assert client.get(reverse("disclosure:village_town", args=[w.town_region.code])).status_code == 403

    # Published late on 10-13: the clock ends late, the red card clears.
    with clock.frozen(D(2026, 10, 13)):
        publish(w, enter(w))
    east.refresh_from_db()
    assert (east.state, east.published_on, east.late) == ("published", D(2026, 10, 13), True)
    red = Card.objects.get(clock__subject_id=east.pk, clock__subject_type="gk_village_period", level="red")
    assert (red.cleared_on, red.cleared_reason, red.clock.late) == (D(2026, 10, 13), "已公开", True)
    with clock.frozen(D(2026, 10, 14)):
        client.force_login(w.town_supervisor.user)
        page = client.get(reverse("disclosure:village_town", args=[w.town_region.code])).content.decode()
    assert 'data-status="published_late"' in page and "已公开（逾期）" in page


def test_a_local_holiday_on_the_due_day_moves_the_due_and_the_red_card(w):
    # The county declares Saturday 10-10 a local holiday: the due rolls to Monday 10-12, red on 10-13.
    DayOverride.objects.create(date=D(2026, 10, 10), region=w.county, kind="holiday", name="县庆")
    seen = run_days(D(2026, 10, 1), D(2026, 10, 13), [("DGC", "finance")])
    assert VillagePeriod.objects.get(body=w.village).due_date == D(2026, 10, 12)
    assert seen == {("DGC", "finance", "yellow"): D(2026, 10, 8), ("DGC", "finance", "red"): D(2026, 10, 13)}
