from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "zhengwu.hall"
    verbose_name = "服务大厅"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import QueuePolicy
        from .policy import policy_invalidate

        # the services keep the policy in-process: a save or delete of a row clears that copy
        post_save.connect(policy_invalidate, sender=QueuePolicy, dispatch_uid="hall_policy_save")
        post_delete.connect(policy_invalidate, sender=QueuePolicy, dispatch_uid="hall_policy_delete")
