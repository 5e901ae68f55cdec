"""``zhengwu supervise_minutes``: the minute-level sweep (cron: every minute), the queued notices, and the
dashboard's rollups brought up to date with the cases changed since the last run (incremental)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhengwu.hotline.services import rollup as hotline_rollup
from zhengwu.supervision import services


class Command(BaseCommand):
    help = "分钟级监察：按分钟计时的监察时钟（如签收时限）亮红黄牌，发送尚未发出的监察通知，并增量更新统计大屏汇总（每分钟运行）"

    def handle(self, *args, **opts):
        r = services.sweep_minutes()
        sent = services.notices_deliver()
        stats = services.stats_refresh(minute=True)
        hotline_rollup.kpi_refresh_logged()  # the 12345 KPI page's rollup; a failure is logged, not raised
        if opts["verbosity"] > 0:
            self.stdout.write(f"分钟级监察：检查时钟 {r.clocks} 个，新亮黄牌 {r.raised_yellow} 张、红牌 {r.raised_red} 张，"
                              f"解除 {r.cleared} 张；发送通知 {sent} 条；"
                              f"统计汇总按 {stats.events} 条办件记录更新")
