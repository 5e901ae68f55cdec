"""The scheduled jobs, and a small in-process runner for a single-process installation (the demo).

In production each job runs from cron or a systemd timer on one node (README); the demo has one
process and no cron, so ``zhengwu demo`` starts ``JobRunner`` beside the web server: it runs
the daily jobs once a day (at start and after midnight) and the frequent ones every few minutes.
"""

from __future__ import annotations

import logging
import threading

from django.core.management import call_command
from django.db import close_old_connections, connections

from zhengwu.core import clock

log = logging.getLogger("zhengwu.jobs")

# (command, arguments): once a day / every run of the loop
# ``partitions ensure`` creates the coming months' history partitions on PostgreSQL (a no-op on SQLite).
# The domains' daily jobs run before the supervision sweep, so a clock they open (a village's period falling
# due, a trading period) is carded the same day.
DAILY = [("disclosure_daily", []), ("trading_daily", []), ("intermediary_daily", []), ("supervise", []),
         ("partitions", ["ensure", "--if-supported"])]
FREQUENT = [
    ("hall_no_shows", []),
    ("ratings_invite", []),
    ("supervise_minutes", []),
    ("idempotency_purge", []),
    ("projects_refresh", []),
    ("intermediary_select", []),
    ("trading_tick", []),
]


def run_job(name: str, args: list[str]) -> bool:
    """Run one management command; a failure is logged, never raised (the next run tries again)."""
    try:
        call_command(name, *args, verbosity=0)
        return True
    except Exception:  # noqa: BLE001 — a job must not take the server down
        log.exception("定时任务 %s 运行失败", name)
        return False


class JobRunner(threading.Thread):
    def __init__(self, *, every_seconds: float = 600.0):
        super().__init__(name="zhengwu-jobs", daemon=True)
        self.every = every_seconds
        self.stopped = threading.Event()
        self.last_daily = None

    def tick(self) -> list[str]:
        """One pass: the daily jobs if today's have not run, then the frequent ones; returns what ran."""
        ran = []
        today = clock.today()
        if self.last_daily != today:
            for name, args in DAILY:
                if run_job(name, args):
                    ran.append(name)
            self.last_daily = today
        for name, args in FREQUENT:
            if run_job(name, args):
                ran.append(name)
        return ran

    def run(self):
        while not self.stopped.is_set():
            close_old_connections()
            try:
                self.tick()
            finally:
                connections.close_all()  # this thread's own connections; the server's are its own
            self.stopped.wait(self.every)

    def stop(self):
        self.stopped.set()
