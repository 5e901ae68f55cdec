from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhengwu.appraisal"
    verbose_name = "重点科室评议"

    def ready(self):
        from . import clocks  # noqa: F401  (declares the supervised clock kind)
