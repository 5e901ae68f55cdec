from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.declarations"
    verbose_name = "涉企活动申报"

    def ready(self):
        from . import clocks  # noqa: F401  (declares the supervised clock kinds)
