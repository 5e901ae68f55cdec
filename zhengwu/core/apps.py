from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhengwu.core"
    verbose_name = "平台基础"
