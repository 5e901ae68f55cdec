"""``zhengwu hall_no_shows``: the hall's housekeeping after slots and days end.

- bookings whose slot ended without a check-in become no-shows (爽约);
- tickets not served on their day become 已过期 once the hall has closed (``pm_end`` plus the
  policy's ``expire_after_minutes``), so they leave the queue and the window they were called to.

Run it every few minutes, or at least once each evening after closing (cron, systemd timer); the
kiosk also records no-shows for its own hall on check-in. Running it again changes nothing more.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhengwu.hall.services import appointment_mark_no_shows, ticket_mark_expired


class Command(BaseCommand):
    help = "将预约时段已结束仍未签到的预约记为爽约，将下班后仍未办理的排队号记为已过期"

    def handle(self, *args, **opts):
        n = appointment_mark_no_shows()
        self.stdout.write(f"记为爽约的预约：{n} 个")
        n = ticket_mark_expired()
        self.stdout.write(f"记为已过期的排队号：{n} 个")
