from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.commitments"
    verbose_name = "公开承诺"

    def ready(self):
        from . import clocks  # noqa: F401  (declares the supervised clock kind)
