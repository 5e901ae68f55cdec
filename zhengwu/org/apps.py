from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhengwu.org"
    verbose_name = "组织机构"

    def ready(self):
        from . import admin_access  # noqa: F401  (signals)
