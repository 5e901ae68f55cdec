from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _limits(sender, **kwargs):
    from .services.policy import limits_ensure

    limits_ensure()


class HotlineConfig(AppConfig):
    name = "zhengwu.hotline"
    verbose_name = "12345热线"

    def ready(self):
        from . import clocks  # noqa: F401 — declares the hotline clock kinds to supervision

        # the default time limits become rows an admin can edit
        post_migrate.connect(_limits, sender=self, dispatch_uid="hotline_limits")
