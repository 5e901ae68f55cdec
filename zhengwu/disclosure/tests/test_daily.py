"""The daily run: abandonment after the periods, warnings to each body's officers."""

import datetime as dt

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import ReqStatus, VillageCategory
from zhengwu.disclosure.village_defaults import seed

from .factories import build_world, person

pytestmark = pytest.mark.django_db
D = dt.date


def test_daily_run_abandons_and_warns(django_capture_on_commit_callbacks, capsys):
    seed()  # the default 村务公开目录 (gone if a transactional test flushed the tables before)
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
    # the village of the small county has published nothing of the periods that ended: each is opened and late
    assert capsys.readouterr().out.strip() == ("视为放弃：1；恢复计时：0；待确认逾期：0；即将到期：1；已逾期：0；逾期未公开：1；"
                                                 "村务公开新开期次：8；村务公开逾期：8；发出提醒：2")
    lapsing.refresh_from_db()
    assert (lapsing.status, lapsing.result) == (ReqStatus.TERMINATED, "other_no_supplement")
    warning = [m for m in ConsoleNotifier.sent if m.kind == "gk_warning"]
    assert [m.to_user_id for m in warning] == [w.officer.user_id, w.village_officer.user_id]
    assert warning[1].text.startswith("政务公开提醒（8项）：村务公开“财务收支”（2025年第四季度）逾期未公开，"
                                      "应于2026-01-12前公开；")
    assert warning[0].text == (f"政务公开提醒（2项）：{due.request_no}：即将到期：还剩2个工作日（2026-03-11）；"
                               "迟迟未公开的通知（SFXSCJ/2026-00001）逾期未公开，应于2026-03-06前公开")


def test_an_unconfirmed_online_request_and_a_lapsed_consultation_are_no_longer_silent(
        django_capture_on_commit_callbacks, capsys):
    """The reviewer's shell check: filed online 2026-03-02 and never confirmed; a consultation due 2026-03-30."""
    w = build_world()
    VillageCategory.objects.update(is_active=False)  # requests only: the village's 村务公开 is test_village*
    with clock.frozen(D(2026, 3, 2)):
        consulted = s.request_file(body=w.scj, applicant=person(), description="某餐饮企业的许可档案",
                                   channel="in_person", officer=w.officer)
        unconfirmed = s.request_file(body=w.scj, applicant=person(), description="2025年食品抽检结果",
                                     channel="online", user=w.citizen)
    with clock.frozen(D(2026, 3, 9)):
        s.request_consult(request=consulted, officer=w.officer, third_party="某某餐饮有限公司")
        s.request_consultation_receipt(request=consulted, officer=w.officer, received_on=D(2026, 3, 9),
                                       delivery="in_person")
    ConsoleNotifier.sent.clear()
    with clock.frozen(D(2026, 6, 30)), django_capture_on_commit_callbacks(execute=True):
        call_command("disclosure_daily")
    assert capsys.readouterr().out.strip() == ("视为放弃：0；恢复计时：1；待确认逾期：1；即将到期：0；已逾期：1；逾期未公开：0；"
                                               "村务公开新开期次：0；村务公开逾期：0；发出提醒：1")
    consulted.refresh_from_db()
    # Stopped 03-09…03-30 only: 03-03…06, then 03-31, 04-01…03, (04-04…06 off) 07…10, 13…17, 20…22.
    assert (consulted.status, consulted.due_date) == (ReqStatus.PROCESSING, D(2026, 4, 22))
    unconfirmed.refresh_from_db()
    assert (unconfirmed.status, unconfirmed.received_on) == (ReqStatus.AWAITING_RECEIPT, None)
    (warning,) = [m for m in ConsoleNotifier.sent if m.kind == "gk_warning"]
    assert warning.to_user_id == w.officer.user_id
    assert warning.text == (
        f"政务公开提醒（2项）：{consulted.request_no}：第三方未在2026-03-30前提出意见，已恢复计时，"
        "请依照条例第三十二条决定是否公开；已超过答复期限（2026-04-22）；"
        f"{unconfirmed.request_no}：待确认逾期：2026-03-02提交，应于2026-03-04前确认收到"
        "（确认之日为收到申请之日，未确认的申请不计入本年新收）")
    # The next day the consultation is an ordinary overdue request; the unconfirmed one is still flagged.
    ConsoleNotifier.sent.clear()
    with clock.frozen(D(2026, 7, 1)), django_capture_on_commit_callbacks(execute=True):
        call_command("disclosure_daily")
    assert capsys.readouterr().out.strip() == ("视为放弃：0；恢复计时：0；待确认逾期：1；即将到期：0；已逾期：1；逾期未公开：0；"
                                               "村务公开新开期次：0；村务公开逾期：0；发出提醒：1")
    (warning,) = [m for m in ConsoleNotifier.sent if m.kind == "gk_warning"]
    assert warning.text.startswith(f"政务公开提醒（2项）：{consulted.request_no}：已超过答复期限（2026-04-22）；")


def test_a_fresh_online_request_is_not_warned_about(django_capture_on_commit_callbacks, capsys):
    w = build_world()
    VillageCategory.objects.update(is_active=False)
    with clock.frozen(D(2026, 4, 30)):
        s.request_file(body=w.scj, applicant=person(), description="2025年食品抽检结果", channel="online",
                       user=w.citizen)
    ConsoleNotifier.sent.clear()
    # Confirmable until 05-07 (05-01…05 off): not yet late on that day.
    with clock.frozen(D(2026, 5, 7)), django_capture_on_commit_callbacks(execute=True):
        call_command("disclosure_daily")
    assert capsys.readouterr().out.strip() == ("视为放弃：0；恢复计时：0；待确认逾期：0；即将到期：0；已逾期：0；逾期未公开：0；"
                                               "村务公开新开期次：0；村务公开逾期：0；发出提醒：0")
    assert [m for m in ConsoleNotifier.sent if m.kind == "gk_warning"] == []
