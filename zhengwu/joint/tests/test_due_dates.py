"""A 联办件's due date follows its 子件' when their provisional dates are recomputed (a year's holiday notice
published after acceptance)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.core import clock
from zhengwu.joint import services as js
from zhengwu.joint.models import JointStatus
from zhengwu.supervision.models import Clock
from zhengwu.workdays.models import DayOverride, YearNotice

from .factories import build_bundle_world, children, fresh, window_apply

pytestmark = pytest.mark.django_db


def test_the_joint_due_date_follows_recomputed_provisional_dates():
    """Accepted on Monday 28 Dec 2026: 2027 has no holiday notice yet, so the 子件 running into January are
    due on provisional dates. The notice then gives 4 January off as well: those 子件 move a working day,
    and the 联办件 (due on the latest of its 子件) moves with them."""
    w = build_bundle_world()
    with clock.frozen(dt.date(2026, 12, 28)):
        joint = window_apply(w)
        js.joint_accept(joint=joint, officer=w.officer)
    joint, kids = fresh(joint), children(joint)
    assert [c.due_provisional for c in kids] == [True, True, False]  # 5, 8 and 3 working days
    before = joint.due_date
    assert before == max(c.due_date for c in kids) == dt.date(2027, 1, 8)

    DayOverride.objects.create(date=dt.date(2027, 1, 4), kind=DayOverride.Kind.HOLIDAY, name="元旦")
    YearNotice.objects.create(year=2027, document="国办发明电〔2026〕X号", confirmed=True)
    with clock.frozen(dt.date(2026, 12, 29)):
        assert cs.deadlines_refresh_provisional() == 2

    joint, kids = fresh(joint), children(joint)
    assert [c.due_provisional for c in kids] == [False, False, False]
    assert kids[1].due_date == dt.date(2027, 1, 11)
    assert joint.due_date == max(c.due_date for c in kids) == dt.date(2027, 1, 11)
    assert joint.status == JointStatus.IN_REVIEW
    # the 子件' clocks moved too
    assert Clock.objects.get(subject_type="case", subject_id=kids[1].pk, kind_id="case").due_date == joint.due_date
