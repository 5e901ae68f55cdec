"""``zhengwu supervise``: the efficiency-supervision sweep a scheduler runs (idempotent)."""

from __future__ import annotations

import contextlib
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import clock
from zhengwu.supervision import services
from zhengwu.supervision.periods import parse_month


class Command(BaseCommand):
    help = "效能监察：亮红黄牌、超时默认通知、问责规则、月度考核与统计汇总（可重复运行，不会重复亮牌）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期监察（YYYY-MM-DD），默认今天")
        parser.add_argument("--assess", metavar="YYYY-MM", help="重新计算该月的窗口和个人考核")
        parser.add_argument("--rebuild-stats", action="store_true", help="重建全部月份的统计汇总")
        parser.add_argument("--no-stats", action="store_true", help="不刷新统计汇总")

    def handle(self, *args, **opts):
        try:
            today = dt.date.fromisoformat(opts["date"]) if opts["date"] else clock.today()
            month = parse_month(opts["assess"]) if opts["assess"] else None
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD，月份格式应为 YYYY-MM") from exc
        with clock.frozen(today) if opts["date"] else contextlib.nullcontext():
            t0 = time.perf_counter()
            if month is not None:
                rows = services.assessment_run(month=month, today=today)
                self.stdout.write(f"{month:%Y年%m月}考核：{len(rows)} 个窗口和个人")
            if opts["rebuild_stats"]:
                n = services.stats_rebuild(today=today)
                self.stdout.write(f"统计汇总已重建：{n} 行")
            r = services.supervise(today=today, stats=not opts["no_stats"] and not opts["rebuild_stats"])
            self.stdout.write(
                f"{today:%Y-%m-%d} 监察完成：检查监察时钟 {r.clocks} 个，新亮黄牌 {r.raised_yellow} 张、红牌 {r.raised_red} 张，"
                f"解除 {r.cleared} 张，超时默认通知单 {r.deemed} 份，新问责提示 {r.flags} 条，发送通知 {r.messages} 条"
                f"（用时 {time.perf_counter() - t0:.2f} 秒）")

