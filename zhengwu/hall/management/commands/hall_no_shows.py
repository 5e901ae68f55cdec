"""``zhengwu hall_no_shows``: record as no-shows (爽约) the bookings whose slot ended without a check-in.

Run it every few minutes (cron, systemd timer); the kiosk also does it for its own hall on check-in.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhengwu.hall.services import appointment_mark_no_shows


class Command(BaseCommand):
    help = "将预约时段已结束仍未签到的预约记为爽约"

    def handle(self, *args, **opts):
        n = appointment_mark_no_shows()
        self.stdout.write(f"记为爽约的预约：{n} 个")
