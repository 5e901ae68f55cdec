"""The demo's activity: queues and ratings, the hall's last fortnight, the citizen's claimable cases.

The county, ten working days of cases and the activity are built once for the module, with the
platform clock frozen at 10:40 on the last working day before today (so "today" in the demo is
a working day in office hours whenever the suite runs), inside a transaction rolled back at the end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from zhengwu.cases.models import Case, Channel
from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.demo import geography as geo
from zhengwu.demo.activity import load_demo_activity
from zhengwu.demo.build import load_demo
from zhengwu.demo.cases import CLAIM_CASE_NO, CLAIM_ID_NUMBER, CLAIM_PHONE, load_demo_cases
from zhengwu.demo.people import CITIZEN, CITIZEN_NAME
from zhengwu.demo.queues import TOWN_CODE
from zhengwu.hall.models import AbsenceKind, Appointment, StaffAbsence, Ticket, TicketEvent, TicketStatus
from zhengwu.org.models import Hall, Window
from zhengwu.workdays import engine

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("county")]

README = Path(__file__).resolve().parents[3] / "README.md"


def _last_workday_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not engine.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


@dataclasses.dataclass
class Built:
    made: dict[str, int]
    on: dt.date  # the demo's "today"
    at: dt.datetime  # its "now"


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        on = _last_workday_before(timezone.localdate())
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(10, 40)))
        with clock.frozen(at):
            load_demo()
            load_demo_cases(working_days=10)
            made = load_demo_activity()
        yield Built(made, on, at)
        transaction.set_rollback(True)


@pytest.fixture
def center():
    return Hall.objects.get(code=geo.CENTER_CODE)


def test_the_demo_activity_sets_up_queues_rates_cases_and_runs_supervision(county, center):
    from zhengwu.hall.models import WindowGroup
    from zhengwu.ratings.models import Rating, Rectification
    from zhengwu.supervision.models import SweepRun

    groups = WindowGroup.objects.filter(hall=center)
    assert county.made["window_groups"] >= groups.count() > 10
    # every window of the center takes numbers in some group, so the kiosk can issue them
    assert not Window.objects.filter(hall=center).exclude(pk__in=groups.values("windows")).exists()
    # the cases' own ratings (the hall's pad rates its visits separately, the 12345 回访 its work orders)
    by_case = Rating.objects.exclude(pk__in=_pad_rating_ids()).exclude(channel="12345")
    finished = Case.objects.filter(status__in=["completed", "delivered"], hall_tickets__isnull=True)
    finished = finished.exclude(id_number=CLAIM_ID_NUMBER).count()
    assert 0.4 * finished <= county.made["ratings"] == by_case.count() <= finished
    assert Rectification.objects.count() == Rating.objects.filter(is_bad=True).count()
    assert SweepRun.objects.exists()

    with clock.frozen(county.at):
        again = load_demo_activity()
    assert again == {"window_groups": 0, "ratings": 0, "claimable_cases": 0, "tickets": 0}
    assert by_case.count() == county.made["ratings"]


# ---------------------------------------------------------------- the hall


def _pad_rating_ids() -> list[int]:
    return [d["rating_id"] for d in TicketEvent.objects.filter(action="rate").values_list("data", flat=True)]


def test_the_halls_have_a_fortnight_of_tickets_by_the_services(county, center):
    days = dict(Ticket.objects.filter(hall=center).values_list("day").annotate(n=Count("id")))
    town_days = Ticket.objects.filter(hall__code=TOWN_CODE).values("day").distinct().count()
    assert county.made["tickets"] == Ticket.objects.count()
    assert len(days) == town_days == 11 and max(days) == county.on
    assert all(60 <= n <= 150 for day, n in days.items() if day < county.on), days
    past = Ticket.objects.filter(day__lt=county.on)
    statuses = dict(past.values_list("status").annotate(n=Count("id")))
    # nothing left open on a past day: served, skipped as a no-show, or expired after closing
    assert set(statuses) == {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.EXPIRED}, statuses
    assert statuses[TicketStatus.DONE] > 10 * statuses[TicketStatus.NO_SHOW] > 0
    # every ticket went through the services: issued, and a no-show was recalled before the skip
    assert TicketEvent.objects.filter(action="issue").count() == Ticket.objects.count()
    for t in past.filter(status=TicketStatus.NO_SHOW)[:10]:
        assert t.recalls == 2 and list(t.events.values_list("action", flat=True)) == [
            "issue", "call", "recall", "recall", "skip"]
    expired = past.filter(status=TicketStatus.EXPIRED)
    assert expired.count() == TicketEvent.objects.filter(action="expire").count()
    assert all(timezone.localtime(t.finished_at).time() >= dt.time(18, 0) for t in expired)
    kinds = set(Ticket.objects.values_list("kind", flat=True))
    assert kinds == {"normal", "green", "appointment"}
    assert Appointment.objects.filter(status="no_show").exists()
    assert Ticket.objects.filter(transfers__gt=0).exists()
    # seen from the window: waited a few minutes, served a few minutes
    done = past.filter(status=TicketStatus.DONE)
    assert all(t.service_seconds >= 60 for t in done[:200])


def test_visits_open_cases_and_two_thirds_are_rated_on_the_pad(county):
    from zhengwu.ratings.models import Channel as RatingChannel
    from zhengwu.ratings.models import Kind, Rating, Rectification

    done = Ticket.objects.filter(status=TicketStatus.DONE)
    with_case = done.filter(case__isnull=False).select_related("case")
    assert with_case.exists()
    for t in with_case:
        assert (t.case.channel, t.case.status, t.case.hall_id) == (Channel.WINDOW, "completed", t.hall_id)
    pad = Rating.objects.filter(pk__in=_pad_rating_ids())
    assert 0.55 <= pad.count() / done.count() <= 0.75
    assert set(pad.values_list("kind", "channel")) == {(Kind.HALL, RatingChannel.PAD)}
    # a visit finished with a case is rated as that case, the others as the visit (its ticket)
    assert pad.filter(case__isnull=False).exists() and pad.exclude(ticket_ref="").exists()
    bad = pad.filter(is_bad=True)
    assert 1 <= bad.count() <= 12
    assert Rectification.objects.filter(rating__in=bad).count() == bad.count()


def test_officers_marked_themselves_away_for_meetings(county):
    past = StaffAbsence.objects.filter(started_at__lt=timezone.make_aware(dt.datetime.combine(county.on,
                                                                                                dt.time(0, 0))))
    assert past.filter(kind=AbsenceKind.MEETING).count() >= 5
    assert not past.filter(returned_at__isnull=True).exists()
    late = [a for a in past if a.returned_at - a.expected_return > dt.timedelta(minutes=30)]
    assert len(late) == 1  # once in the fortnight someone came back half an hour late


def test_hall_statistics_for_a_past_day_are_not_zero(county, center):
    from zhengwu.hall.selectors import hall_stats, presence_report

    day = _last_workday_before(county.on)

    stats = hall_stats(hall=center, day=day)

    total = stats["total"]
    assert total["tickets"] >= 60 and total["served"] > 0.8 * total["tickets"]
    assert 0 < total["avg_wait_min"] < 60 and 2 <= total["avg_service_min"] <= 20
    assert stats["ratings"]["ratings"] > 0.5 * total["served"]
    assert 0 < stats["ratings"]["satisfaction_pct"] <= 100
    hours = {r["hour"] for r in stats["by_hour"]}
    assert {9, 10, 14, 15} <= hours
    assert len(stats["windows"]) >= 15
    assert presence_report(hall=center, start=day - dt.timedelta(days=14), end=day)


def test_today_is_played_up_to_now_with_people_waiting(county, center):
    from zhengwu.supervision.hall_port import hall_today

    today = Ticket.objects.filter(day=county.on)
    assert not today.filter(issued_at__gt=county.at).exists()
    assert today.filter(status=TicketStatus.WAITING).exists()
    assert not today.filter(status=TicketStatus.EXPIRED).exists()

    block = hall_today(hall_ids=[center.pk], today=county.on)

    assert block["tickets_today"] > 10 and block["waiting_now"] > 0


def test_the_demo_officers_window_is_free_for_them(county, center):
    from zhengwu.hall.models import ACTIVE_STATUSES

    a09 = Window.objects.get(hall=center, number="A09")
    assert Ticket.objects.filter(window=a09, day__lt=county.on, officer__user__username="ck_officer").exists()
    assert not StaffAbsence.objects.filter(staff__user__username="ck_officer").exists()
    # a number left open there would be the demo officer's own, to finish from their console
    assert set(Ticket.objects.filter(window=a09, status__in=ACTIVE_STATUSES)
               .values_list("officer__user__username", flat=True)) <= {"ck_officer"}


# ---------------------------------------------------------------- 认领


def test_the_citizen_has_two_unclaimed_window_cases_with_a_stable_number(county):
    cases = Case.objects.filter(id_number=CLAIM_ID_NUMBER).order_by("submitted_at")

    assert [c.case_no for c in cases][:1] == [CLAIM_CASE_NO] == ["SFXZW-20260908-00001"]
    assert [(c.channel, c.applicant_name, c.contact_phone, c.applicant_user_id) for c in cases] == [
        (Channel.WINDOW, CITIZEN_NAME, CLAIM_PHONE, None)] * 2
    assert [c.status for c in cases] == ["completed", "in_review"]
    assert get_user_model().objects.get(username=CITIZEN.username).real_name == CITIZEN_NAME
    readme = README.read_text(encoding="utf-8")
    assert CLAIM_CASE_NO in readme and CLAIM_ID_NUMBER in readme


def test_the_citizen_claims_both_cases_with_the_sms_code(county, django_capture_on_commit_callbacks):
    from zhengwu.cases.claims import case_claim_confirm, case_claim_start

    user = get_user_model().objects.get(username=CITIZEN.username)

    with django_capture_on_commit_callbacks(execute=True):  # the SMS goes out on commit
        sent = case_claim_start(user=user, case_no=CLAIM_CASE_NO, id_number=CLAIM_ID_NUMBER, client="127.0.0.1")

    assert (sent.case_no, sent.phone, sent.related) == (CLAIM_CASE_NO, "139****0316", 1)
    [sms] = [m for m in ConsoleNotifier.sent if m.kind == "case_claim_code"]
    assert sms.to_phone == CLAIM_PHONE
    code = re.search(r"验证码(\d{6})", sms.text).group(1)

    claimed = case_claim_confirm(user=user, case_no=CLAIM_CASE_NO, code=code, include_related=True)

    assert len(claimed) == 2
    assert set(Case.objects.filter(id_number=CLAIM_ID_NUMBER).values_list("applicant_user", flat=True)) == {user.pk}
