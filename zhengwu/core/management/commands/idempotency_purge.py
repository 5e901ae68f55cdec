"""Delete idempotency records older than a day (a scheduled job; see core/jobs.py)."""

from django.core.management.base import BaseCommand

from zhengwu.core.idempotency import purge


class Command(BaseCommand):
    help = "删除超过24小时的幂等请求记录（Idempotency-Key 与表单一次性令牌）"

    def handle(self, *args, **options):
        deleted = purge()
        if options["verbosity"] >= 1:
            self.stdout.write(f"已删除 {deleted} 条过期的幂等请求记录")
