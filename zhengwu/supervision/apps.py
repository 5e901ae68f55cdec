from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SupervisionConfig(AppConfig):
    name = "zhengwu.supervision"
    verbose_name = "效能监察"

    def ready(self):
        from . import signals  # noqa: F401 — registers the YearNotice receiver
        from .clocks import kinds_sync
        from .services import notices  # noqa: F401 — declares the 超时默认 reply clock kind

        post_migrate.connect(kinds_sync, sender=self, dispatch_uid="supervision_kinds_sync")
