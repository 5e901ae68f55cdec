"""Run once a day (cron/systemd timer): end the 政府采购法第五十七条 suspensions that have run their 30 日."""

from django.core.management.base import BaseCommand

from zhengwu.trading.services.complaints import complaints_suspension_expire


class Command(BaseCommand):
    help = "公共资源交易每日任务：投诉处理期间暂停采购活动满30日的，暂停结束，没有其他暂停事由的项目恢复采购活动"

    def handle(self, *args, **options):
        n = complaints_suspension_expire()
        self.stdout.write(f"暂停期满结束：{n}")
