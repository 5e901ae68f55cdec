"""``zhengwu intermediary_select``: the marketplace's scheduled job (every few minutes): close the sign-ups past
their deadline (流标 when too few) and run the automatic selections (随机、竞价、信用择优) past their time."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhengwu.intermediary.services.purchases import purchases_due_run


class Command(BaseCommand):
    help = "中介超市定时任务：报名截止、到时自动选取（随机、竞价、信用择优）"

    def handle(self, *args, **options):
        out = purchases_due_run()
        self.stdout.write(self.style.SUCCESS(
            f"报名截止{out['closed']}项，自动选取{out['selected']}项，流标{out['failed']}项，未能处理{out['errors']}项"))
