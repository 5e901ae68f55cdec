from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhengwu.supervision"
    verbose_name = "效能监察"

    def ready(self):
        from . import signals  # noqa: F401 — registers the YearNotice receiver
