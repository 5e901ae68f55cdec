from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhengwu.portal"
    verbose_name = "门户"
