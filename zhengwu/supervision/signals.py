"""Entering a year's holiday notice recomputes the due dates fixed on that year's provisional calendar.

The daily ``zhengwu supervise`` run does the same, so a missed signal (a bulk load, a raw SQL
fix) is caught up by the next morning; this makes it happen the moment the notice is confirmed,
which is when an applicant whose due date moves should be told.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from zhengwu.workdays.models import YearNotice


@receiver(post_save, sender=YearNotice)
def _year_notice_saved(instance: YearNotice, raw: bool = False, **kwargs):
    if raw or not instance.confirmed:
        return
    from zhengwu.cases.services import deadlines_refresh_provisional

    # After the commit, so the calendar read is the one just saved (and nothing runs if it rolls back).
    transaction.on_commit(lambda: deadlines_refresh_provisional())
