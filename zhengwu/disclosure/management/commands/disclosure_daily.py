"""Run once a day (cron/systemd timer): abandon lapsed requests, restart lapsed consultations, warn officers."""

from django.core.management.base import BaseCommand

from zhengwu.disclosure.services.daily import disclosure_daily


class Command(BaseCommand):
    help = ("政务公开每日任务：逾期未补正/未缴费的申请视为放弃，第三方或被征求意见机关自收到征求意见书之日起"
            "15个工作日内未提出意见的恢复计时，为各村开启刚结束期间的村务公开期次（监察时钟），向经办人提示待确认逾期、送达未登记、即将到期和已逾期的事项")

    def handle(self, *args, **options):
        r = disclosure_daily()
        self.stdout.write(f"视为放弃：{len(r.abandoned)}；恢复计时：{len(r.resumed)}；待确认逾期：{len(r.unconfirmed)}；"
                          f"即将到期：{len(r.soon)}；已逾期：{len(r.overdue)}；逾期未公开：{len(r.late_publications)}；"
                          f"村务公开新开期次：{r.village_opened}；村务公开逾期：{len(r.village_overdue)}；发出提醒：{r.messages}")
