from django.apps import AppConfig


class IntermediaryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.intermediary"
    verbose_name = "网上中介服务超市"

    def ready(self):
        from . import clocks  # noqa: F401  (declares the supervised clock kinds)
