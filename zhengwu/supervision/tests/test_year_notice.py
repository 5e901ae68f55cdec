"""A confirmed year notice recomputes provisional due dates at once, not at the next daily run."""

import datetime as dt

import pytest

from zhengwu.cases.models import Case, CaseEvent
from zhengwu.core import clock
from zhengwu.workdays.models import DayOverride, YearNotice

from .conftest import accept_case

pytestmark = pytest.mark.django_db
D = dt.date


def test_confirming_the_notice_moves_the_due_date_and_tells_the_applicant(w, django_capture_on_commit_callbacks):
    # Accepted Mon 28 Dec 2026 for 5 working days: 29, 30, 31 Dec, then (2027 by rule) 4, 5 Jan.
    case = accept_case(w, D(2026, 12, 28))
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 5), True)

    with clock.frozen(D(2026, 12, 29)), django_capture_on_commit_callbacks(execute=True) as hooks:
        DayOverride.objects.create(date=D(2027, 1, 4), kind=DayOverride.Kind.HOLIDAY, name="元旦")
        assert Case.objects.get(pk=case.pk).due_date == D(2027, 1, 5)  # an override alone changes nothing yet
        YearNotice.objects.create(year=2027, document="国办发明电〔2026〕X号", confirmed=True)
    assert hooks  # the recomputation ran after the commit
    case.refresh_from_db()
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 6), False)
    assert CaseEvent.objects.filter(case=case, action="recalc").count() == 1


def test_an_unconfirmed_notice_changes_nothing(w, django_capture_on_commit_callbacks):
    case = accept_case(w, D(2026, 12, 28))
    with django_capture_on_commit_callbacks(execute=True):
        YearNotice.objects.create(year=2027, document="征求意见稿", confirmed=False)
    case.refresh_from_db()
    assert (case.due_date, case.due_provisional) == (D(2027, 1, 5), True)
    assert not CaseEvent.objects.filter(case=case, action="recalc").exists()
