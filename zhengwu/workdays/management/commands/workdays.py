"""``zhengwu workdays add|count|explain|day`` — the working-day engine from the shell.

``zhengwu workdays add 2026-09-28 20`` prints ``2026-10-30`` (and ``provisional`` on a
second line when the answer rests on a year without an official holiday notice).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from zhengwu.core.errors import DomainError
from zhengwu.workdays import engine


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "工作日计算：add 起始日 天数 / count 起始日 结束日 / explain 起始日 天数 / day 日期"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("add", help="起始日后第 N 个工作日（起始日不计入）")
        p.add_argument("start")
        p.add_argument("days", type=int)
        p = sub.add_parser("count", help="两日之间的工作日数（不含起始日，含结束日）")
        p.add_argument("start")
        p.add_argument("end")
        p = sub.add_parser("explain", help="逐日说明")
        p.add_argument("start")
        p.add_argument("days", type=int)
        p = sub.add_parser("day", help="某日是否工作日")
        p.add_argument("date")
        for p in sub.choices.values():
            p.add_argument("--region", default="", help="12位区划代码（含地方节日）")

    def _calendar(self, region_code: str):
        try:
            region = None
            if region_code:
                from zhengwu.org.models import Region

                region = Region.objects.filter(code=region_code).first()
                if region is None:
                    raise CommandError(f"未找到区划代码 {region_code}")
            return engine.calendar_for(region)
        except DatabaseError:
            # No database yet (fresh checkout): package data and provisional rules still answer.
            self.stderr.write("注意：数据库未初始化，未应用后台维护的节假日调整")
            return engine.Calendar([], set())

    def handle(self, *args, **opts):
        cal = self._calendar(opts["region"])
        try:
            action = opts["action"]
            if action == "add":
                start = _date(opts["start"])
                deadline = cal.due(start, opts["days"])
                self.stdout.write(deadline.due.isoformat())
                if deadline.provisional:
                    self.stdout.write("provisional")
            elif action == "count":
                start, end = _date(opts["start"]), _date(opts["end"])
                self.stdout.write(str(cal.count(start, end)))
                if cal.provisional_between(start, max(start, end)):
                    self.stdout.write("provisional")
            elif action == "explain":
                for row in cal.explain(_date(opts["start"]), opts["days"]):
                    mark = "计入" if row.workday else "不计"
                    tail = "（暂定）" if row.provisional else ""
                    self.stdout.write(f"{row.date.isoformat()} {'一二三四五六日'[row.date.weekday()]} {mark} {row.reason}{tail}")
            else:
                st = cal.status(_date(opts["date"]))
                self.stdout.write(f"{st.date.isoformat()} {'工作日' if st.workday else '休息日'} {st.reason}")
                if st.provisional:
                    self.stdout.write("provisional")
        except DomainError as exc:
            raise CommandError(exc.message) from None
