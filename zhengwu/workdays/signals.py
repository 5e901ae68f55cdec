from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .engine import invalidate
from .models import DayOverride, YearNotice


@receiver([post_save, post_delete], sender=DayOverride)
@receiver([post_save, post_delete], sender=YearNotice)
def _calendar_changed(**kwargs):
    invalidate()
