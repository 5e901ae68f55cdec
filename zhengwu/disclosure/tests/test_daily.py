"""The daily run: abandonment after the periods, warnings to each body's officers."""

import datetime as dt

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import ReqStatus

from .factories import build_world, person

pytestmark = pytest.mark.django_db
D = dt.date


def test_daily_run_abandons_and_warns(django_capture_on_commit_callbacks, capsys):
    w = build_world()
    with clock.frozen(D(2026, 2, 5)):
        due = s.request_file(body=w.scj, applicant=person(), description="2025年抽检信息", channel="in_person",
                             officer=w.officer)
        lapsing = s.request_file(body=w.scj, applicant=person(), description="某项许可信息", channel="in_person",
                                 officer=w.officer)
        s.request_ask_supplement(request=lapsing, officer=w.officer, items="请明确信息名称", period_days=5)
        s.publication_create(body=w.scj, officer=w.officer, title="迟迟未公开的通知", category="notice",
                             content="……", made_on=D(2026, 2, 2))
    # The publication was due 20 working days after 02-02: 02-03 … 02-14 (调休), 02-24 … 02-28 (调休), 03-02 … 03-06.
    ConsoleNotifier.sent.clear()
    with clock.frozen(D(2026, 3, 9)), django_capture_on_commit_callbacks(execute=True):
        call_command("disclosure_daily")
    assert capsys.readouterr().out.strip() == "视为放弃：1；即将到期：1；已逾期：0；逾期未公开：1；发出提醒：1"
    lapsing.refresh_from_db()
    assert (lapsing.status, lapsing.result) == (ReqStatus.TERMINATED, "other_no_supplement")
    warning = [m for m in ConsoleNotifier.sent if m.kind == "gk_warning"]
    assert [m.to_user_id for m in warning] == [w.officer.user_id]
    assert warning[0].text == (f"政务公开提醒（2项）：{due.request_no}：即将到期：还剩2个工作日（2026-03-11）；"
                               "迟迟未公开的通知（SFXSCJ/2026-00001）逾期未公开，应于2026-03-06前公开")
