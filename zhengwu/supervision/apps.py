from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhengwu.supervision"
    verbose_name = "效能监察"
