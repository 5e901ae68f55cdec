"""``zhengwu serve``: the production server (uvicorn, ASGI, several worker processes).

App processes keep no state of their own (sessions in the database, cache in Redis when
``REDIS_URL`` is set), so a load balancer may send any request to any of them.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PER_PROCESS_CACHES = ("locmem.LocMemCache", "dummy.DummyCache")


class Command(BaseCommand):
    help = "以 ASGI 服务器（uvicorn）运行平台"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args, **opts):
        import uvicorn

        backend = settings.CACHES["default"]["BACKEND"]
        if opts["workers"] > 1 and backend.endswith(PER_PROCESS_CACHES):
            # The guessing limits (sign-in, progress query, 认领, appointments) count in the cache: a
            # per-process cache would give each worker its own count.
            raise CommandError(f"缓存 {backend} 只在单个进程内有效，不能启动多个工作进程："
                               "请设置 REDIS_URL，或使用默认的数据库缓存，或以 --workers 1 启动")

        uvicorn.run(
            "zhengwu.asgi:application",
            host=opts["host"],
            port=opts["port"],
            workers=opts["workers"],
            proxy_headers=True,
            forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            log_level=os.environ.get("LOG_LEVEL", "info").lower(),
            lifespan="off",  # Django's ASGI handler has no lifespan events
        )
