"""The demo's in-process job runner: daily jobs once a day, frequent ones every pass, failures logged."""

import datetime as dt
import logging

import pytest

from zhengwu.core import clock, jobs

pytestmark = pytest.mark.django_db


def test_daily_jobs_run_once_a_day_and_frequent_ones_every_pass():
    runner = jobs.JobRunner()
    with clock.frozen(dt.date(2026, 11, 26)):
        assert runner.tick() == ["disclosure_daily", "trading_daily", "intermediary_daily", "supervise",
                                 "partitions", "hall_no_shows", "ratings_invite", "supervise_minutes", "idempotency_purge",
                                 "projects_refresh", "intermediary_select", "trading_tick"]
        assert runner.tick() == ["hall_no_shows", "ratings_invite", "supervise_minutes", "idempotency_purge",
                                 "projects_refresh", "intermediary_select", "trading_tick"]
    with clock.frozen(dt.date(2026, 11, 27)):
        assert runner.tick()[:5] == ["disclosure_daily", "trading_daily", "intermediary_daily", "supervise",
                                     "partitions"]
    from zhengwu.supervision.models import SweepRun

    assert SweepRun.objects.filter(minutes=False).count() == 2  # the sweep really ran, once per day
    assert SweepRun.objects.filter(minutes=True).count() == 3  # and the minute sweep on every pass


def test_a_failing_job_is_logged_and_the_others_still_run(monkeypatch, caplog):
    monkeypatch.setattr(jobs, "DAILY", [("no_such_command", []), ("disclosure_daily", [])])
    runner = jobs.JobRunner()
    with caplog.at_level(logging.ERROR, logger="zhengwu.jobs"), clock.frozen(dt.date(2026, 11, 26)):
        assert runner.tick() == ["disclosure_daily", "hall_no_shows", "ratings_invite", "supervise_minutes",
                                 "idempotency_purge", "projects_refresh", "intermediary_select", "trading_tick"]
    assert "定时任务 no_such_command 运行失败" in caplog.text
