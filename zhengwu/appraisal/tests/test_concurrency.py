"""Two submits on one link at the same moment (a double tap, a resent form): exactly one is recorded, the
other gets the Chinese refusal. PostgreSQL only (real row locks); SQLite serialises writers anyway."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from zhengwu.appraisal.models import Answer, Invitation
from zhengwu.appraisal.services import answers
from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from . import factories as fx

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_one_link_two_submits_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL")
    with clock.frozen(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)):
        w = fx.world()
        c, tokens = fx.campaign(w, raters=2)
        payload = fx.answer(c, sat={0: 3, 1: 2})
        barrier = threading.Barrier(4)
        results: list = []

        def submit():
            try:
                barrier.wait()
                results.append(answers.answer_submit(token=tokens[0], sections=payload))
            except DomainError as exc:
                results.append(exc.message)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(map(str, results)) == ["2", *["该评议链接已经使用过，每个链接只能提交一次"] * 3]
    assert Answer.objects.count() == 2
    assert Invitation.objects.filter(used_on__isnull=False).count() == 1
