"""Migration 0003: the pad's old records (hall.TicketRating) become 好差评 ratings before the table goes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhengwu.core import clock
from zhengwu.ratings.models import Rating, RatingEvent, Rectification
from zhengwu.workdays import engine

from . import factories as fx

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("hall", "0002_default_policy")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_pad_ratings_are_carried_into_haochaping():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old_apps = _migrate(BEFORE)
    try:
        w = fx.build_hall()
        # The tickets are written with the models of that state: today's services read columns
        # (of the queue policy) that later migrations add.
        OldTicket = old_apps.get_model("hall", "Ticket")
        tickets = [OldTicket.objects.create(
            hall_id=w.hall.pk, issued_group_id=w.group_a.pk, group_id=w.group_a.pk, day=fx.DAY, seq=n,
            number=f"A{n:03d}", token=f"mig-{n}", status="done", window_id=w.w1.pk, officer_id=w.o1.pk,
            issued_at=fx.at(8, 50), queued_at=fx.at(8, 50), called_at=fx.at(8, 55), finished_at=fx.at(9),
        ) for n in (1, 2)]
        TicketRating = old_apps.get_model("hall", "TicketRating")
        TicketRating.objects.create(ticket_id=tickets[0].pk, window_id=w.w1.pk, officer_id=w.o1.pk, score=5,
                                    rated_at=fx.at(9, 1))
        TicketRating.objects.create(ticket_id=tickets[1].pk, window_id=w.w1.pk, officer_id=w.o1.pk, score=1,
                                    comment="态度生硬", rated_at=fx.at(9, 2))
    finally:
        today = clock.today()
        _migrate(latest)

    good, bad = Rating.objects.order_by("rated_at")
    assert [(r.kind, r.channel, r.ticket_ref, r.overall, r.is_bad, r.hall, r.window, r.officer, r.department,
             r.rated_at, r.rated_on, r.comment) for r in (good, bad)] == [
        ("hall", "pad", "20260310-A001", 5, False, w.hall, w.w1, w.o1, w.market, fx.at(9, 1), fx.DAY, ""),
        ("hall", "pad", "20260310-A002", 1, True, w.hall, w.w1, w.o1, w.market, fx.at(9, 2), fx.DAY, "态度生硬"),
    ]
    rect = Rectification.objects.get()
    assert (rect.rating, rect.status, rect.department, rect.hall, rect.opened_on) == (
        bad, "verify", w.market, w.hall, today)
    assert rect.due_on == engine.due_date(today, 15).due and rect.due_on > today + dt.timedelta(days=15)
    assert list(RatingEvent.objects.order_by("rating_id", "id").values_list("rating_id", "action")) == [
        (good.pk, "rate"), (bad.pk, "rate"), (bad.pk, "open")]
    assert "hall_ticketrating" not in connection.introspection.table_names()
