"""Run once a day (cron/systemd timer): abandon lapsed requests, warn officers of due and late items."""

from django.core.management.base import BaseCommand

from zhengwu.disclosure.services.daily import disclosure_daily


class Command(BaseCommand):
    help = "政务公开每日任务：逾期未补正/未缴费的申请视为放弃，向经办人提示即将到期和已逾期的事项"

    def handle(self, *args, **options):
        r = disclosure_daily()
        self.stdout.write(f"视为放弃：{len(r.abandoned)}；即将到期：{len(r.soon)}；已逾期：{len(r.overdue)}；"
                          f"逾期未公开：{len(r.late_publications)}；发出提醒：{r.messages}")
