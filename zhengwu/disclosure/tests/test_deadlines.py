"""Request deadlines across the 2026 holidays (REFERENCE §3), with 补正, third party and extension,
and the two waits that must not go silent: an unconfirmed online request and a lapsed consultation.

2026: holidays 01-01…03, 02-15…23, 04-04…06, 05-01…05, 06-19…21, 09-25…27, 10-01…07;
weekend working days 01-04, 02-14, 02-28, 05-09, 09-20, 10-10. Every date below is counted by hand.
"""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.disclosure import selectors
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import (
    ClockStop,
    Consultation,
    Extension,
    InfoRequest,
    ReqStatus,
    RequestEvent,
    Setting,
)

from .factories import build_world, person

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def walk_in(w, day):
    with clock.frozen(day):
        return s.request_file(body=w.scj, applicant=person(), description="2025年食品抽检结果汇总表",
                              channel="in_person", officer=w.officer)


def snapshot(req):
    req = InfoRequest.objects.get(pk=req.pk)
    return (req.status, req.row_version, req.due_date, req.extension_days, req.supplement_requested_on,
            ClockStop.objects.filter(request=req).count(), RequestEvent.objects.filter(request=req).count())


def test_walk_in_across_spring_festival(w):
    req = walk_in(w, D(2026, 2, 5))
    # Received the day it is handed in. 补正 notice within 7: 02-06, 02-09…13, 02-14 (调休 Saturday).
    # Reply within 20: … 02-14 is the 7th, 02-15…23 off, 02-24…28 (02-28 调休) 8th–12th, 03-02…06, 03-09…11.
    assert (req.status, req.received_on, req.supplement_notice_due, req.due_date) == (
        ReqStatus.PROCESSING, D(2026, 2, 5), D(2026, 2, 14), D(2026, 3, 11))
    assert req.request_no == "SFXSCJ-2026-0001"


def test_letter_signed_for_counts_from_the_signing_day(w):
    with clock.frozen(D(2026, 9, 30)):
        req = s.request_file(body=w.scj, applicant=person(), description="某某许可的批准文件",
                             channel="post_signed", officer=w.officer, signed_for_on=D(2026, 9, 29),
                             late_entry_note="收发室29日签收，30日转来")
    # 7 working days for the 补正 notice: 09-30, (10-01…07 off) 10-08, 09, 10 (调休), 12, 13, 14.
    assert (req.received_on, req.supplement_notice_due) == (D(2026, 9, 29), D(2026, 10, 14))


def test_online_supplement_third_party_and_extension_through_labour_day_and_dragon_boat(w):
    with clock.frozen(D(2026, 4, 28)):
        req = s.request_file(body=w.scj, applicant=person(), description="本局2025年行政处罚决定书",
                             channel="online", user=w.citizen)
    assert (req.status, req.received_on, req.due_date) == (ReqStatus.AWAITING_RECEIPT, None, None)
    with clock.frozen(D(2026, 4, 29)):
        s.request_confirm_receipt(request=req, officer=w.officer)
    # Received the day both sides confirm. 补正 notice: 04-30, 05-06, 07, 08, 09 (调休), 11, 12.
    assert (req.received_on, req.supplement_notice_due) == (D(2026, 4, 29), D(2026, 5, 12))
    with clock.frozen(D(2026, 5, 8)):
        s.request_ask_supplement(request=req, officer=w.officer, items="请写明所需处罚决定书的文号或当事人名称")
    # 15 working days to complete it: 05-09 (调休), 05-11…15, 18…22, 25…28.
    assert (req.status, req.supplement_deadline, req.due_date) == (ReqStatus.SUPPLEMENT, D(2026, 5, 28), None)
    with clock.frozen(D(2026, 5, 27)):
        s.request_supplement(request=req, user=w.citizen, text="文号：示市监罚〔2025〕12号")
    # The clock restarts on 05-27: 05-28, 29, 06-01…05, 08…12, 15…18, (06-19…21 off) 22…25.
    assert (req.status, req.clock_start, req.due_date) == (ReqStatus.PROCESSING, D(2026, 5, 27), D(2026, 6, 25))
    with clock.frozen(D(2026, 6, 1)):
        s.request_consult(request=req, officer=w.officer, third_party="示范县某某餐饮有限公司")
        s.request_consultation_receipt(request=req, officer=w.officer, received_on=D(2026, 6, 1), delivery="in_person")
    consultation = Consultation.objects.get(request=req)
    # The third party has 15 working days: 06-02…05, 08…12, 15…18, 22, 23.
    assert (req.status, consultation.opinion_due) == (ReqStatus.CONSULTING, D(2026, 6, 23))
    with clock.frozen(D(2026, 6, 10)):
        s.request_consultation_reply(request=req, officer=w.officer, opinion="object", note="涉及商业秘密")
    # 06-01…06-10 not counted: 05-28, 29, 06-11, 12, 15…18, 22…26, 29, 30, 07-01…03, 06, 07.
    assert (req.status, req.due_date) == (ReqStatus.PROCESSING, D(2026, 7, 7))
    with clock.frozen(D(2026, 7, 1)):
        s.request_extend(request=req, approver=w.head, days=20, reason="需调取档案库存档案")
    # 20 more: 07-08…10, 13…17, 20…24, 27…31, 08-03, 04.
    assert (req.due_date, req.extension_days) == (D(2026, 8, 4), 20)
    assert list(ClockStop.objects.filter(request=req).values_list("kind", "start_on", "end_on")) == [
        ("consultation", D(2026, 6, 1), D(2026, 6, 10))]


def test_third_party_silence_and_a_fee_notice_around_national_day(w):
    req = walk_in(w, D(2026, 9, 18))
    # 09-20 (调休 Sunday), 21…24, (09-25…27 off) 28…30, (10-01…07 off) 08, 09, 10 (调休), 12…16, 19…22.
    assert req.due_date == D(2026, 10, 22)
    with clock.frozen(D(2026, 9, 22)):
        s.request_consult(request=req, officer=w.officer, third_party="某某食品厂")
        s.request_consultation_receipt(request=req, officer=w.officer, received_on=D(2026, 9, 22), delivery="in_person")
    consultation = Consultation.objects.get(request=req)
    assert consultation.opinion_due == D(2026, 10, 20)
    before = snapshot(req)
    with clock.frozen(D(2026, 10, 20)), pytest.raises(DomainError) as exc:
        s.request_consultation_reply(request=req, officer=w.officer, opinion="none")
    assert exc.value.code == "opinion_not_due"
    assert snapshot(req) == before
    with clock.frozen(D(2026, 10, 21)):
        s.request_consultation_reply(request=req, officer=w.officer, opinion="none")
    # Silence stops the clock only for the 15 days it had: 09-22…10-20.
    # 09-20, 21, then 10-21, 22, 23, 26…30, 11-02…06, 09…13.
    assert req.due_date == D(2026, 11, 13)
    with clock.frozen(D(2026, 10, 22)):
        s.request_assess_fee(request=req, officer=w.officer, method="per_page", pages=150)
    # 按量: pages 31–100 at 10 元, 101–150 at 20 元 = 700 + 1000. 20 working days to pay.
    assert (req.status, str(req.fee_amount), req.fee_pay_due) == (ReqStatus.FEE_NOTICE, "1700.00", D(2026, 11, 19))
    with clock.frozen(D(2026, 10, 27)):
        s.request_record_payment(request=req, officer=w.officer)
    # 10-22…27 not counted either: 09-20, 21, 10-21, 28…30, 11-02…06, 09…13, 16…19.
    assert (req.status, req.fee_paid_on, req.due_date) == (ReqStatus.PROCESSING, D(2026, 10, 27), D(2026, 11, 19))


def test_unpaid_fee_is_abandoned_by_the_daily_sweep_after_20_working_days(w):
    req = walk_in(w, D(2026, 10, 30))
    with clock.frozen(D(2026, 11, 2)):
        s.request_assess_fee(request=req, officer=w.officer, method="per_page", pages=31)
    assert (str(req.fee_amount), req.fee_pay_due) == ("10.00", D(2026, 11, 30))
    with clock.frozen(D(2026, 11, 30)):
        assert s.requests_sweep() == []
    with clock.frozen(D(2026, 12, 1)):
        swept = s.requests_sweep()
    req.refresh_from_db()
    assert [r.pk for r in swept] == [req.pk]
    assert (req.status, req.result, req.closed_on) == (ReqStatus.TERMINATED, "other_unpaid", D(2026, 12, 1))
    assert list(ClockStop.objects.filter(request=req).values_list("start_on", "end_on")) == [
        (D(2026, 11, 2), D(2026, 12, 1))]


def test_supplement_not_done_in_time_is_abandoned(w):
    with clock.frozen(D(2026, 3, 2)):
        req = s.request_file(body=w.scj, applicant=person(), description="有关文件", channel="online", user=w.citizen)
        s.request_confirm_receipt(request=req, officer=w.officer)
    with clock.frozen(D(2026, 3, 3)):
        s.request_ask_supplement(request=req, officer=w.officer, items="请写明信息名称", period_days=5)
    assert req.supplement_deadline == D(2026, 3, 10)
    before = snapshot(req)
    with clock.frozen(D(2026, 3, 10)), pytest.raises(DomainError) as exc:
        s.request_abandon(request=req, officer=w.officer)
    assert exc.value.code == "not_due"
    assert snapshot(req) == before
    with clock.frozen(D(2026, 3, 11)), pytest.raises(DomainError) as exc:
        s.request_supplement(request=req, user=w.citizen, text="迟到的补正")
    assert exc.value.message == "补正期限已于2026-03-10届满。如有正当理由，请与受理机关联系"
    assert snapshot(req) == before
    with clock.frozen(D(2026, 3, 11)):
        s.request_abandon(request=req, officer=w.officer)
    assert (req.status, req.result) == (ReqStatus.TERMINATED, "other_no_supplement")


def test_supplement_may_be_asked_only_once_and_only_within_7_working_days(w):
    req = walk_in(w, D(2026, 2, 5))
    before = snapshot(req)
    with clock.frozen(D(2026, 2, 24)), pytest.raises(DomainError) as exc:
        s.request_ask_supplement(request=req, officer=w.officer, items="请写明文号")
    assert exc.value.code == "supplement_late"
    assert "2026-02-14前" in exc.value.message
    assert snapshot(req) == before
    with clock.frozen(D(2026, 2, 14)):
        s.request_ask_supplement(request=req, officer=w.officer, items="请写明文号")
    with clock.frozen(D(2026, 2, 24)):
        s.request_supplement(request=req, officer=w.officer, text="书面补正：文号示市监〔2025〕3号")
    before = snapshot(req)
    with clock.frozen(D(2026, 2, 25)), pytest.raises(DomainError) as exc:
        s.request_ask_supplement(request=req, officer=w.officer, items="再补一次")
    assert exc.value.code == "supplement_once"
    assert snapshot(req) == before


def test_extension_is_at_most_20_working_days_approved_by_the_head(w):
    req = walk_in(w, D(2026, 2, 5))
    before = snapshot(req)
    with clock.frozen(D(2026, 3, 2)):
        with pytest.raises(DomainError) as exc:
            s.request_extend(request=req, approver=w.officer, days=10, reason="工作量大")
        assert exc.value.code == "wrong_duty"
        with pytest.raises(DomainError) as exc:
            s.request_extend(request=req, approver=w.head, days=21, reason="工作量大")
        assert exc.value.message == "延长的期限最长不得超过20个工作日（已延长0个工作日）"
        assert snapshot(req) == before
        s.request_extend(request=req, approver=w.head, days=15, reason="工作量大")
        # 15 more after 03-11: 03-12, 13, 16…20, 23…27, 30, 31, 04-01.
        assert req.due_date == D(2026, 4, 1)
        before = snapshot(req)
        with pytest.raises(DomainError):
            s.request_extend(request=req, approver=w.head, days=6, reason="还需要")
        assert snapshot(req) == before
    assert Extension.objects.filter(request=req).count() == 1
    late = walk_in(w, D(2026, 2, 5))
    before = snapshot(late)
    with clock.frozen(D(2026, 3, 12)), pytest.raises(DomainError) as exc:
        s.request_extend(request=late, approver=w.head, days=5, reason="超期后补批")
    assert exc.value.code == "already_overdue"
    assert snapshot(late) == before


# -- requests that would otherwise stall without a word ----------------------------------------------------


def online(w, day):
    with clock.frozen(day):
        return s.request_file(body=w.scj, applicant=person(), description="本局2025年行政处罚决定书",
                              channel="online", user=w.citizen)


UNCONFIRMED = "待确认逾期：{filed}提交，应于{due}前确认收到（确认之日为收到申请之日，未确认的申请不计入本年新收）"


def test_an_unconfirmed_online_request_is_flagged_after_2_working_days_across_labour_day(w):
    req = online(w, D(2026, 4, 30))
    # 2 working days to confirm: (05-01…05 off) 05-06, 07.
    assert selectors.confirm_due(req) == D(2026, 5, 7)
    assert selectors.due_state(req, D(2026, 5, 7)) == ("waiting", "待确认收到（确认之日为收到申请之日）")
    assert selectors.due_state(req, D(2026, 5, 8)) == (
        "overdue", UNCONFIRMED.format(filed="2026-04-30", due="2026-05-07"))
    # Confirming late is still confirming: the day of confirmation is the day of receipt.
    with clock.frozen(D(2026, 5, 8)):
        s.request_confirm_receipt(request=req, officer=w.officer)
    assert (req.received_on, selectors.due_state(req, D(2026, 5, 8))[0]) == (D(2026, 5, 8), "ok")


def test_the_confirmation_limit_counts_the_spring_festival_makeup_saturday_and_is_editable(w):
    req = online(w, D(2026, 2, 13))
    # 02-14 (调休 Saturday), (02-15…23 off) 02-24.
    assert selectors.confirm_due(req) == D(2026, 2, 24)
    assert selectors.due_state(req, D(2026, 2, 24))[0] == "waiting"
    assert selectors.due_state(req, D(2026, 2, 25)) == (
        "overdue", UNCONFIRMED.format(filed="2026-02-13", due="2026-02-24"))
    Setting.objects.create(key="confirm_days", value="5")
    # 02-14, 24, 25, 26, 27.
    assert selectors.confirm_due(req) == D(2026, 2, 27)
    assert selectors.due_state(req, D(2026, 2, 27))[0] == "waiting"


def test_a_consultation_past_its_15_days_shows_the_resumed_clock_and_the_sweep_restarts_it(w):
    req = walk_in(w, D(2026, 9, 18))
    with clock.frozen(D(2026, 9, 22)):
        s.request_consult(request=req, officer=w.officer, third_party="某某食品厂")
        s.request_consultation_receipt(request=req, officer=w.officer, received_on=D(2026, 9, 22), delivery="in_person")
    consultation = Consultation.objects.get(request=req)
    assert consultation.opinion_due == D(2026, 10, 20)
    assert selectors.due_state(req, D(2026, 10, 20)) == (
        "paused", "暂停计时：征求第三方意见中，第三方意见期限至2026-10-20")
    # From 10-21 the days count again, stopped only for 09-22…10-20 (as when an officer records the
    # silence): 09-20 (调休), 21, then 10-21, 22, 23, 26…30, 11-02…06, 09…13. On 10-21, 17 are left:
    # never shown as merely "ok", because the body must now decide by itself.
    lapsed = ("征求意见已逾期：第三方应于2026-10-20前提出意见，此后恢复计时，由本机关依照条例决定是否公开；"
              "还剩17个工作日（2026-11-13）")
    assert selectors.due_state(req, D(2026, 10, 21)) == ("soon", lapsed)
    with clock.frozen(D(2026, 10, 20)):
        assert s.consultations_sweep() == []
    before = snapshot(req)
    with clock.frozen(D(2026, 10, 20)), pytest.raises(DomainError) as exc:
        s.request_consultation_lapse(request=req)
    assert exc.value.code == "opinion_not_due"
    assert snapshot(req) == before
    # The daily run comes two days late: the stop still ends on 10-20.
    with clock.frozen(D(2026, 10, 23)):
        swept = s.consultations_sweep()
    assert [(r.pk, c.opinion_due) for r, c in swept] == [(req.pk, D(2026, 10, 20))]
    req.refresh_from_db()
    consultation.refresh_from_db()
    assert (req.status, req.due_date) == (ReqStatus.PROCESSING, D(2026, 11, 13))
    assert (consultation.opinion, consultation.replied_on) == ("none", D(2026, 10, 23))
    assert list(ClockStop.objects.filter(request=req).values_list("start_on", "end_on")) == [
        (D(2026, 9, 22), D(2026, 10, 20))]
    event = RequestEvent.objects.filter(request=req).last()
    assert (event.action, event.label, event.actor_name, event.from_status, event.to_status) == (
        "consultation_lapsed", "第三方逾期未提出意见", "系统", "consulting", "processing")
    assert selectors.due_state(req, D(2026, 10, 23)) == ("ok", "还剩15个工作日（2026-11-13）")
    with clock.frozen(D(2026, 10, 24)):
        assert s.consultations_sweep() == []
    before = snapshot(req)
    with clock.frozen(D(2026, 10, 24)), pytest.raises(DomainError) as exc:
        s.request_consultation_lapse(request=req)
    assert exc.value.code == "bad_state"
    assert snapshot(req) == before


def test_a_lapsed_consultation_over_qingming_is_overdue_once_the_resumed_days_run_out(w):
    req = walk_in(w, D(2026, 3, 2))
    with clock.frozen(D(2026, 3, 9)):
        s.request_consult(request=req, officer=w.officer, third_party="某某餐饮有限公司")
        s.request_consultation_receipt(request=req, officer=w.officer, received_on=D(2026, 3, 9), delivery="in_person")
    # 15 working days for the opinion: 03-10…13, 16…20, 23…27, 30.
    assert Consultation.objects.get(request=req).opinion_due == D(2026, 3, 30)
    # 03-03…06 counted before the stop (4), then 03-31, 04-01…03, (04-04…06 off) 07…10, 13…17, 20…22.
    assert selectors.due_state(req, D(2026, 4, 22)) == ("soon", (
        "征求意见已逾期：第三方应于2026-03-30前提出意见，此后恢复计时，由本机关依照条例决定是否公开；"
        "即将到期：还剩0个工作日（2026-04-22）"))
    assert selectors.due_state(req, D(2026, 4, 23)) == ("overdue", (
        "征求意见已逾期：第三方应于2026-03-30前提出意见，此后恢复计时，由本机关依照条例决定是否公开；"
        "已超过答复期限（2026-04-22）"))


@pytest.mark.parametrize("postcode", ["abc", "07000", "0700001", "０７１０００"])
def test_a_postcode_that_is_not_six_digits_is_refused_and_nothing_is_written(w, postcode):
    with clock.frozen(D(2026, 9, 28)), pytest.raises(DomainError) as e:
        s.request_file(body=w.scj, applicant=person(postcode=postcode), description="某某许可的批准文件",
                       channel="in_person", officer=w.officer)
    assert e.value.code == "applicant_postcode" and "6位数字" in e.value.message
    assert not InfoRequest.objects.exists()
    with clock.frozen(D(2026, 9, 28)):
        req = s.request_file(body=w.scj, applicant=person(postcode="071000"), description="某某许可的批准文件",
                             channel="in_person", officer=w.officer)
    assert InfoRequest.objects.get(pk=req.pk).postcode == "071000"
