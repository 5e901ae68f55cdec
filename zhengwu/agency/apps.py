from django.apps import AppConfig


class AgencyConfig(AppConfig):
    name = "zhengwu.agency"
    verbose_name = "全程代办"
