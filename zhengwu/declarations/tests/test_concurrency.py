"""Simultaneous approvals of one declaration give one 备案码; simultaneous ratings by one enterprise give one
rating (PostgreSQL, real threads)."""

from __future__ import annotations

import pytest

from zhengwu.cases.tests.test_concurrency import run_together
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.declarations.models import Declaration, DeclarationStatus, Event, Rating
from zhengwu.declarations.services import declaration_act, rating_record
from zhengwu.supervision.models import Clock

from .factories import DAY, ENTERPRISES, at, build_world, declare


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_and_ratings():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real threads against PostgreSQL (SQLite serializes its writers)")
    with clock.frozen(at(DAY)):
        w = build_world()
        d = declare(w)

        def approve(i, barrier):
            barrier.wait()
            return declaration_act(declaration_id=d.pk, user=w.office.user, action="approve")["code"]

        results = run_together(2, approve)
        codes = [r for r in results if isinstance(r, str)]
        refusals = [r for r in results if isinstance(r, DomainError)]
        assert len(codes) == 1 and len(refusals) == 1, results
        d.refresh_from_db()
        assert (d.status, d.code) == (DeclarationStatus.APPROVED, codes[0])
        assert Event.objects.filter(declaration=d, action="approve").count() == 1
        assert Clock.objects.filter(subject_type="declaration", subject_id=d.pk).count() == 1

        def rate(i, barrier):
            barrier.wait()
            return rating_record(code=d.code, uscc=ENTERPRISES[0][0], level="satisfied").pk

        results = run_together(3, rate)
        assert sum(isinstance(r, int) for r in results) == 1, results
        assert Rating.objects.count() == 1 and Declaration.objects.count() == 1
