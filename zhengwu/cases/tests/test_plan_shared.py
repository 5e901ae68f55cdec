"""A plan read once is kept in the shared cache (Redis in production): a new worker process takes it
there instead of reading the item version, its steps, materials and fees again. Here a LocMemCache
stands in for Redis; what is checked is what is kept and what is read."""

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.cases import plan
from zhengwu.catalog.services import item_draft_create

from .factories import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(monkeypatch):
    cache = LocMemCache("plans-shared", {})
    cache.clear()
    monkeypatch.setattr(plan, "_shared_cache", lambda: cache)
    return cache


def test_a_new_process_takes_the_plan_from_the_shared_cache_without_a_query(shared):
    w = build_world()
    version = w.item.current
    first = plan.plan_for(version.pk)
    assert shared.get(plan._shared_key(version.pk)) == first
    plan._plans.clear()  # another worker process: nothing in its memory
    with CaptureQueriesContext(connection) as q:
        again = plan.plan_for(version.pk)
    assert again == first and len(q.captured_queries) == 0
    assert [s.name for s in again.steps] == [s.name for s in first.steps] and again.required == first.required


def test_a_draft_is_never_kept(shared):
    w = build_world()
    draft = item_draft_create(item=w.item)
    plan.plan_for(draft.pk)
    assert shared.get(plan._shared_key(draft.pk)) is None and draft.pk not in plan._plans


def test_what_another_release_kept_is_not_read(shared):
    """The key carries a digest of the plan's fields: a plan pickled by a release with other fields is
    another key, never unpickled into this release's class."""
    w = build_world()
    version = w.item.current
    shared.set(f"zw:plan:000000000000:{version.pk}", "a plan of another shape")
    assert plan._shared_key(version.pk) != f"zw:plan:000000000000:{version.pk}"
    assert isinstance(plan.plan_for(version.pk), plan.Plan)
