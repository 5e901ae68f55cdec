from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(using="default", **_kwargs):
    """The database cache (used when REDIS_URL is unset) needs its table; created after every migrate."""
    from django.conf import settings
    from django.core.management import call_command

    if any(c["BACKEND"].endswith("db.DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "zhengwu.core"
    verbose_name = "平台基础"

    def ready(self):
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="core_create_cache_table")
        from .pagecache import connect_signals

        connect_signals()
