"""Run once a day (cron/systemd timer, after midnight Beijing time): suspend the offerings whose
qualification certificates have all expired (and restore renewed ones); on the 1st of a month, compute the
credit of the month just ended."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import clock
from zhengwu.intermediary.services.agencies import qualifications_expire
from zhengwu.intermediary.services.credit import credit_month_compute, month_start


class Command(BaseCommand):
    help = "中介超市每日任务：资质证书过期的暂停承接、更新的恢复承接；每月1日计算上月信用评价"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="另行（重新）计算某月的信用评价，如 2026-03")

    def handle(self, *args, **options):
        today = clock.today()
        r = qualifications_expire(today=today)
        self.stdout.write(f"资质过期暂停承接：{r['suspended']}；资质更新恢复承接：{r['restored']}")
        months = []
        if today.day == 1:
            months.append(month_start(today - dt.timedelta(days=1)))
        if options.get("month"):
            try:
                month = dt.date.fromisoformat(f"{options['month']}-01")
            except ValueError:
                raise CommandError("--month 应为年月，如 2026-03") from None
            if month > month_start(today):
                raise CommandError("不能计算未到的月份")
            months.append(month)
        for month in dict.fromkeys(months):
            n = credit_month_compute(month=month)
            self.stdout.write(f"{month.year}年{month.month:02d}月信用评价：{n}家机构")
