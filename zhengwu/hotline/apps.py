from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _limits(sender, **kwargs):
    from .services.policy import limits_ensure

    limits_ensure()


class HotlineConfig(AppConfig):
    name = "zhengwu.hotline"
    verbose_name = "12345热线"

    def ready(self):
        from zhengwu.core.middleware import register_upload_files

        from . import clocks  # noqa: F401 — declares the hotline clock kinds to supervision
        from .services.orders import MAX_FILES

        # the API's upload endpoints take up to MAX_FILES files: their body may be that many file limits
        register_upload_files(r"/api/hotline/orders/upload", MAX_FILES)
        register_upload_files(r"/api/hotline/orders/[^/]+/uploads/reply", MAX_FILES)

        # the default time limits become rows an admin can edit
        post_migrate.connect(_limits, sender=self, dispatch_uid="hotline_limits")
        # the services keep the policy rows in-process: a save or delete of one clears that copy
        from zhengwu.org.models import Department, Hall

        from .models import Category, DispatchRule, HotlineSetting, TimeLimitRule
        from .services.policy import policy_invalidate

        for model in (HotlineSetting, TimeLimitRule, DispatchRule, Category, Department, Hall):
            for signal in (post_save, post_delete):
                signal.connect(
                    policy_invalidate, sender=model, dispatch_uid=f"hotline_policy_{model.__name__}"
                )
