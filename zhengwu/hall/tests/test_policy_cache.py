"""The queue policy kept in-process (``hall.policy``): read once outside a transaction, forgotten when a
row is saved or deleted, never remembered from inside a transaction that may roll back.

Transactional: the copy is only filled outside a transaction, which the ordinary test wrapper is not.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from .. import policy
from ..models import QueuePolicy
from . import factories as fx

pytestmark = pytest.mark.django_db(transaction=True)


def reads(fn) -> tuple[object, int]:
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        out = fn()
    return out, sum("hall_queuepolicy" in q["sql"] for q in ctx.captured_queries)


def test_policy_is_read_once_and_forgotten_on_save_delete_and_invalidate():
    """One test (each transactional test ends with a slow flush, which also drops the default row)."""
    QueuePolicy.objects.get_or_create(hall=None)
    w = fx.build_hall()
    p, n = reads(lambda: policy.policy_for(w.hall))
    assert n == 1 and p.hall_id is None and p.green_rank == 2
    assert reads(lambda: policy.policy_for(w.hall)) == (p, 0)  # kept

    own = QueuePolicy.objects.create(hall=w.hall, green_rank=5)  # a save clears the copy
    p, n = reads(lambda: policy.policy_for(w.hall))
    assert n == 1 and p.pk == own.pk and p.green_rank == 5

    QueuePolicy.objects.filter(pk=own.pk).update(green_rank=7)  # a bulk update sends no signal …
    assert policy.policy_for(w.hall).green_rank == 5
    policy.policy_invalidate()  # … so its caller says so
    assert policy.policy_for(w.hall).green_rank == 7

    own.delete()
    assert policy.policy_for(w.hall).hall_id is None

    # a read inside a transaction is not kept
    with pytest.raises(RuntimeError), transaction.atomic():
        fx.policy(green_rank=9)
        assert policy.policy_for(w.hall).green_rank == 9  # this transaction's own edit …
        raise RuntimeError("rolled back")
    p, n = reads(lambda: policy.policy_for(w.hall))
    assert n == 1 and p.green_rank == 2  # … is not what the next caller gets
