"""A pad app rating a queue ticket through ``POST /api/ratings/`` gets the hall pad's checks: the
ticket must exist, have been finished at that window, moments ago, and be rated once."""

from __future__ import annotations

import pytest

from zhengwu.core import clock
from zhengwu.ratings.models import Rating

from . import factories as fx
from .test_pad import served, snapshot

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _post(client, world, ref, overall=5):
    return client.post("/api/ratings/", {"channel": "pad", "hall_code": world.hall.code,
                                         "window_number": world.w1.number,
                                         "ticket_ref": ref, "overall": overall}, content_type=JSON)


def test_a_made_up_ticket_cannot_be_rated(client, w):
    client.force_login(w.o1.user)
    before = snapshot()
    with clock.frozen(fx.at(9, 1)):
        for ref in ("X1", f"{fx.at(9):%Y%m%d}-A999", "20260230-A001", ""):
            r = _post(client, w, ref)
            assert r.status_code in (400, 409), ref
            assert r.json()["message"] in ("该号不是本窗口办结的号，不能评价", "请指明办件编号，或本窗口刚办结的排队号")
    assert snapshot() == before


def test_a_ticket_finished_here_is_rated_once_through_the_hall(client, w):
    t = served(w)
    client.force_login(w.o1.user)
    with clock.frozen(fx.at(9, 2)):
        r = _post(client, w, t.rating_ref, overall=4)
        assert (r.status_code, r.json()["overall"], r.json()["channel"]) == (201, 4, "pad")
        before = snapshot()
        r = _post(client, w, t.rating_ref)
        assert (r.status_code, r.json()["message"]) == (409, "该排队号的服务已经评价过")
    assert snapshot() == before
    assert Rating.objects.get().officer == w.o1


def test_another_windows_officer_cannot_rate_it(client, w):
    t = served(w)
    client.force_login(w.o2.user)
    before = snapshot()
    with clock.frozen(fx.at(9, 2)):
        r = _post(client, w, t.rating_ref)
    assert (r.status_code, r.json()["code"]) == (403, "not_window_staff")
    assert snapshot() == before
