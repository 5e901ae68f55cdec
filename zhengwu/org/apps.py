from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhengwu.org"
    verbose_name = "组织机构"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import admin_access  # (signals)

        # Last app with admin models migrated or not, the permissions exist by the end of migrate.
        post_migrate.connect(admin_access.reset_admin_group, dispatch_uid="zhengwu-admin-group")
