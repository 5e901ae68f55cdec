"""Per-process copies kept current across processes (``zhengwu.core.localmemo``).

Two ``LocalMemo`` objects on the same version key stand for the same memo in two app processes: they share
the cache (the test settings' shared cache) and nothing else.
"""

import pytest
from django.db import transaction

from zhengwu.core.localmemo import LocalMemo

pytestmark = pytest.mark.django_db


def two_processes(key="zw:test:memo"):
    from django.core.cache import cache

    cache.delete(key)
    here, there = LocalMemo(key, recheck_seconds=0), LocalMemo(key, recheck_seconds=0)
    return here, there


def test_a_change_here_empties_both_copies():
    here, there = two_processes()
    for memo in (here, there):
        memo.fresh()  # both have seen the current version
        assert memo.keep("a", 1, memo.generation())
    here.invalidate()
    assert here.fresh() == {}
    assert there.fresh() == {}  # read the new version at its next check


def test_the_other_process_waits_for_its_recheck():
    from django.core.cache import cache

    cache.delete("zw:test:slow")
    here, there = LocalMemo("zw:test:slow", recheck_seconds=0), LocalMemo("zw:test:slow", recheck_seconds=3600)
    there.fresh()
    there.keep("a", 1, there.generation())
    here.invalidate()
    assert there.fresh() == {"a": 1}  # not checked again within the hour
    there._checked -= 3600  # the hour has passed
    assert there.fresh() == {}


def test_a_read_that_raced_a_change_is_not_kept():
    here, _ = two_processes()
    generation = here.generation()  # read the database …
    here.invalidate()  # … while the rows change
    assert not here.keep("a", 1, generation)
    assert here.fresh() == {}


def test_committed_only_refuses_inside_a_transaction_and_a_commit_announces_again(django_capture_on_commit_callbacks):
    here, there = two_processes()
    there.fresh()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        assert not here.keep("a", 1, here.generation(), committed_only=True)
        assert here.keep("b", 2, here.generation())
        here.invalidate()
        assert here.fresh() == {}
        there.fresh()  # another process sees the first announcement …
        assert there.keep("c", 3, there.generation())  # … and reads the rows again before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    assert there.fresh() == {}  # … so it forgets again
