from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "zhengwu.disclosure"
    verbose_name = "政务公开"

    def ready(self):
        from . import clocks  # noqa: F401 — declares the 答复时限 clock kind (and its backfill) to supervision
