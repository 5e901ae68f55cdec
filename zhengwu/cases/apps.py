from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhengwu.cases"
    verbose_name = "办件"
