from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhengwu.cases"
    verbose_name = "办件"

    def ready(self):
        from . import clocks  # noqa: F401 — declares the case clock kinds to supervision
        from .progress import connect_signals

        connect_signals()
