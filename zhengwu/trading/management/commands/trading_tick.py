"""Run every minute (cron/systemd timer): open the rounds whose bid deadline has passed and end the openings
whose decryption window has passed (``services.bids.rounds_tick``). Safe to repeat."""

from django.core.management.base import BaseCommand

from zhengwu.trading.services.bids import rounds_tick


class Command(BaseCommand):
    help = "公共资源交易定时任务：投标截止时间已到的项目自动开标（启封，提示投标人在线解密），解密时限届满的自动结束开标"

    def handle(self, *args, **options):
        done = rounds_tick()
        self.stdout.write(f"开标：{done['opened']}，结束开标：{done['closed']}，流标/废标：{done['failed']}，"
                          f"跳过：{done['skipped']}")
