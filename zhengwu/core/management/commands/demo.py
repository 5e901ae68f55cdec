"""``zhengwu demo``: migrate, build the demo county, print the logins, serve.

One process, one command, nothing to configure: the database is the embedded SQLite file
under ``ZHENGWU_VAR_DIR`` (``./var`` by default). ``--no-serve`` stops after printing (tests
and CI); ``--reset`` throws the SQLite database away and starts again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from zhengwu.appraisal.demo import build_appraisal
from zhengwu.commitments.demo import build_commitments
from zhengwu.core import clock
from zhengwu.core.jobs import FREQUENT, JobRunner, run_job
from zhengwu.declarations.demo import build_declarations
from zhengwu.demo.activity import load_demo_activity
from zhengwu.demo.agency import build_agency
from zhengwu.demo.build import load_demo
from zhengwu.demo.cases import CLAIM_CASE_NO, CLAIM_ID_NUMBER, load_demo_cases
from zhengwu.demo.inspections import build_inspections
from zhengwu.demo.joint_cases import build_joint_cases
from zhengwu.demo.people import SUPERUSER
from zhengwu.demo.projects import build_projects
from zhengwu.disclosure.demo import load_demo_disclosure
from zhengwu.disclosure.demo_village import village_logins
from zhengwu.intermediary.demo import build_intermediary
from zhengwu.trading.demo import build_trading

WEEKDAYS = "一二三四五六日"


def demo_moment(at: str, *, real: dt.datetime | None = None) -> dt.datetime | None:
    """The moment the demo runs at: ``--at "2026-12-07 10:00"`` (or a date: 9:30 that day), ``now`` for the
    wall clock; by default the wall clock inside office hours on a working day, else the next working
    morning at 9:30 (so a newcomer on a Sunday evening can take and call numbers). None: the wall clock."""
    from zhengwu.hall.models import QueuePolicy
    from zhengwu.workdays import engine

    at = (at or "").strip()
    if at == "now":
        return None
    if at:
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                moment = dt.datetime.strptime(at, fmt)
            except ValueError:
                continue
            if fmt == "%Y-%m-%d":
                moment = moment.replace(hour=9, minute=30)
            return timezone.make_aware(moment)
        raise CommandError(f"--at 的格式应为 \"2026-12-07 10:00\"、\"2026-12-07\" 或 now，收到：{at}")
    local = timezone.localtime(real or timezone.now())
    cal, hours = engine.calendar_for(None), QueuePolicy()
    if cal.status(local.date()).workday and hours.am_start <= local.time() < hours.pm_end:
        return None
    today = local.date()
    day = today if cal.status(today).workday and local.time() < hours.am_start else cal.add(today, 1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table that stays aligned with Chinese characters in it."""
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "生成示范县演示数据，打印演示账号，并启动平台（单进程）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="监听端口（默认 8000）")
        parser.add_argument("--no-serve", action="store_true", help="只生成数据并打印账号，不启动服务")
        parser.add_argument("--no-jobs", action="store_true",
                            help="不在后台运行定时任务（效能监察、邀评短信、政务公开每日任务、预约爽约）")
        parser.add_argument("--at", default="", metavar="\"YYYY-MM-DD HH:MM\"",
                            help="演示时钟（北京时间），如 \"2026-12-07 10:00\"，时间照常流逝；now 表示真实时间。"
                                 "默认：在工作日办公时间内启动用真实时间，否则用下一个工作日上午 9:30，"
                                 "以便取号、叫号、预约都能试")
        parser.add_argument("--reset", action="store_true",
                            help="删除 SQLite 数据库后重新生成（仅限内置 SQLite 数据库）")

    def handle(self, *args, **opts):
        if opts["reset"]:
            self._reset()
        self._ensure_sqlite_dir()
        call_command("migrate", interactive=False, verbosity=0)
        moment = demo_moment(opts["at"])
        if moment is not None:
            clock.set_offset(moment - timezone.now())
        if settings.ZHENGWU_NOTIFIER == "zhengwu.core.notify.ConsoleNotifier":
            # no phone to receive them: one-time codes (认领, 预约签到) are printed in a box
            settings.ZHENGWU_NOTIFIER = "zhengwu.core.notify.DemoConsoleNotifier"
        host, port = opts["host"], opts["port"]
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        base_url = f"http://{shown_host}:{port}/"
        # Links in notices (rating invitations, QR codes on notices) point at this server.
        settings.ZHENGWU_SITE_URL = base_url
        # The weeks of demo work send a hundred 红黄牌 and 差评 notices; they are not news here.
        notices = logging.getLogger("zhengwu.notify")
        level = notices.level
        notices.setLevel(logging.WARNING)
        try:
            info = load_demo(stdout=self.stdout, base_url=base_url)
            load_demo_cases(stdout=self.stdout)
            load_demo_activity(stdout=self.stdout)
            # 并联审批: joint cases of the demo bundles (built with the catalog), inspections, projects, 全程代办
            build_joint_cases(stdout=self.stdout)
            build_inspections(stdout=self.stdout)
            build_projects(stdout=self.stdout)
            build_agency(stdout=self.stdout)
            # 公共资源交易: the trading centre, its experts, agencies, bidders and a year of rounds in every state
            trading = build_trading(stdout=None)
            # 网上中介服务超市: the service list on the catalog's items, 40 agencies, purchases in every state, credit
            intermediary = build_intermediary(stdout=None)
            made = load_demo_disclosure()
            if made["bodies"]:
                self.stdout.write(f"已生成政务公开演示数据：{made['bodies']} 个公开主体、{made['published']} 条主动公开信息、"
                                  f"{made['requests']} 件依申请公开。\n")
            # 社会监督: public commitments, 涉企活动申报, 重点科室评议 (after 政务公开: village bodies exist)
            build_commitments(stdout=None)
            declarations = build_declarations(stdout=None)
            build_appraisal(stdout=None)
            if not opts["no_serve"] and not opts["no_jobs"]:
                # The frequent jobs' first pass (a few dozen rating invitations for the demo's
                # finished cases) runs here, quietly, instead of flooding the console after the logins.
                for name, args in FREQUENT:
                    run_job(name, args)
        finally:
            notices.setLevel(level)

        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("综合政务服务平台 · 示范县演示环境"))
        shown = timezone.localtime(clock.now())
        if moment is not None:
            w(self.style.WARNING(f"演示时钟：{shown:%Y年%m月%d日} 星期{WEEKDAYS[shown.weekday()]} {shown:%H:%M}（北京时间，"
                                 "时间照常流逝；真实时间请加 --at now）"))
        for label, url in info.urls.items():
            w(f"  {label}：{url}")
        w("")
        w("演示账号（所有账号密码相同）：")
        rows = [[x.role, x.username, x.password, x.token, x.where] for x in info.logins]
        w(table(["角色", "用户名", "密码", "API 令牌", "所在岗位"], rows))
        w(f"系统管理员（超级用户，任命角色和区划，可查看全部后台数据）：{SUPERUSER}，密码同上，仅用于管理后台。")
        w("全程代办：县政务服务中心代办员 zxdby（钟代办），密码同上。")
        w("公共资源交易（/trading/，密码同上）：")
        w(table(["角色", "用户名", "API 令牌", "单位/岗位"],
                [[x.role, x.username, x.token, x.where] for x in trading["logins"]]))
        w("评标专家 zj01—zj60（评分、签署评标报告）。")
        w("网上中介服务超市（/intermediary/，密码同上）：")
        w(table(["角色", "用户名", "API 令牌", "单位/岗位"],
                [[x.role, x.username, x.token, x.where] for x in intermediary["logins"]]))
        w("中介机构经办人 zjjg01—zjjg40（报名、确认、提交成果、信用申诉）。")
        w("村务公开、党务公开（/gk/QHZ01/village/，密码同上；代办员 dby 兼东街村文书）：")
        w(table(["角色", "用户名", "API 令牌", "单位/岗位"],
                [[x.role, x.username, x.token, x.where] for x in village_logins()]))
        w("涉企活动申报（/declarations/，密码同上；部门负责人 bmfzr 申报，效能监察员 xnjc 核查举报）：")
        w(table(["角色", "用户名", "API 令牌", "单位/岗位"],
                [[x.role, x.username, x.token, x.where] for x in declarations["logins"]]))
        w("")
        w(f"办件认领示例：用 citizen 登录，在“我的办件”认领办件 {CLAIM_CASE_NO}，身份证号 {CLAIM_ID_NUMBER}"
          "（短信验证码显示在本控制台）。")
        w("")
        w("调用接口示例：")
        w(f'  curl -H "Authorization: Bearer {info.logins[0].token}" {base_url}api/org/staff')
        w("")
        if opts["no_serve"]:
            return
        w(f"正在启动服务：{base_url}（按 Ctrl+C 停止）")
        if not opts["no_jobs"]:
            # Today's sweep already ran while loading: the runner starts with the frequent jobs.
            runner = JobRunner()
            runner.last_daily = clock.today()
            runner.start()
            w("定时任务已在后台运行：每天效能监察和政务公开每日任务，每10分钟预约爽约和邀评。")
        import uvicorn

        uvicorn.run("zhengwu.asgi:application", host=host, port=port, log_level="info", lifespan="off")

    @staticmethod
    def _sqlite_file() -> str | None:
        """The path of the embedded SQLite database, or None for any other database."""
        db = connections["default"]
        name = str(db.settings_dict.get("NAME") or "")
        if db.vendor != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
            return None
        return name

    def _ensure_sqlite_dir(self) -> None:
        name = self._sqlite_file()
        if name:
            Path(name).parent.mkdir(parents=True, exist_ok=True)

    def _reset(self) -> None:
        name = self._sqlite_file()
        if name is None:
            raise CommandError("--reset 只能用于内置的 SQLite 数据库文件；其他数据库请由管理员自行清理。")
        connections.close_all()
        removed = False
        for suffix in ("", "-wal", "-shm"):
            path = Path(name + suffix)
            if path.exists():
                os.remove(path)
                removed = True
        if removed:
            self.stdout.write(f"已删除演示数据库 {name}，将重新生成。")
