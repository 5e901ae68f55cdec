from django.apps import AppConfig


class TradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.trading"
    verbose_name = "公共资源交易"

    def ready(self):
        from . import clocks  # noqa: F401  (declares the supervised clock kinds)
