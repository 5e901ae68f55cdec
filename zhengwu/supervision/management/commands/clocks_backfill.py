"""``zhengwu clocks_backfill``: start supervised clocks for open work that has none (after upgrading)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from zhengwu.supervision.clocks import clocks_backfill


class Command(BaseCommand):
    help = "为尚无监察时钟的在办事项（办件、依申请公开等）补建监察时钟（可重复运行）"

    def handle(self, *args, **opts):
        with transaction.atomic():
            done = clocks_backfill()
        for module, n in done.items():
            self.stdout.write(f"{module}：补建监察时钟 {n} 个")
