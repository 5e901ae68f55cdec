"""Real receipt dates (条例第三十一条, 第三十条): a walk-in, a letter, a confirmation and a written 补正 keep the day
they happened when typed in later, with the reason on the request, the event and the audit trail; the reply
period runs from that day.

November 2026 has no holidays. Monday 11-02 is the day things happen; they are typed in on Wednesday 11-04.
"""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import InfoRequest, ReqStatus, RequestEvent, Setting
from zhengwu.supervision.models import Clock

from .factories import build_world, person
from .test_api import token

pytestmark = pytest.mark.django_db
D = dt.date
TYPED_IN = D(2026, 11, 4)
NOTE = "窗口收件当日系统停机，纸质申请书留存，恢复后补录"


@pytest.fixture
def w():
    return build_world()


def record(w, *, today=TYPED_IN, channel="in_person", **kw):
    with clock.frozen(today):
        return s.request_file(
            body=w.scj,
            applicant=person(),
            description="2025年食品抽检结果汇总表",
            channel=channel,
            officer=w.officer,
            **kw,
        )


def test_a_walk_in_typed_in_two_days_later_keeps_its_day_with_a_reason_and_an_audit_row(w):
    with pytest.raises(DomainError) as exc:
        record(w, received_on=D(2026, 11, 2))
    assert (exc.value.code, exc.value.message) == (
        "late_entry_note",
        "提交日期（2026-11-02）早于今天，属于补录，请写明补录原因",
    )
    assert (InfoRequest.objects.count(), AuditEvent.objects.count()) == (0, 0)

    req = record(w, received_on=D(2026, 11, 2), letter_date=D(2026, 11, 1), late_entry_note=NOTE)
    # 20 working days from 11-02: 11-03…06, 09…13, 16…20, 23…27, 30; the 补正 notice within 7: 11-11.
    assert (
        req.status,
        req.submitted_on,
        req.received_on,
        req.clock_start,
        req.due_date,
        req.supplement_notice_due,
        req.letter_date,
        req.late_entry_note,
    ) == (
        ReqStatus.PROCESSING,
        D(2026, 11, 2),
        D(2026, 11, 2),
        D(2026, 11, 2),
        D(2026, 11, 30),
        D(2026, 11, 11),
        D(2026, 11, 1),
        NOTE,
    )
    c = Clock.objects.get(subject_type="gk_request", subject_id=req.pk)
    assert (c.started_on, c.due_date) == (D(2026, 11, 2), D(2026, 11, 30))
    event = RequestEvent.objects.get(request=req)
    assert (event.note, event.data["late_entry"], event.data["submitted_on"]) == (
        f"补录：提交日期2026-11-02，{NOTE}",
        True,
        "2026-11-02",
    )
    (audit,) = AuditEvent.objects.all()
    assert (audit.action, audit.object_id, audit.actor_name, audit.summary) == (
        "update",
        str(req.pk),
        "刘经办",
        f"刘经办补录依申请公开 {req.request_no} 的提交日期为2026-11-02（录入日2026-11-04），原因：{NOTE}",
    )
    # Typed in the same day: no reason asked, nothing audited.
    same_day = record(w, received_on=D(2026, 11, 4))
    assert (same_day.received_on, same_day.late_entry_note, AuditEvent.objects.count()) == (
        D(2026, 11, 4),
        "",
        1,
    )


@pytest.mark.parametrize(
    ("kw", "code", "message"),
    [
        ({"received_on": D(2026, 11, 5)}, "received_on", "提交日期不能晚于今天"),
        (
            {"received_on": D(2026, 11, 2), "letter_date": D(2026, 11, 3)},
            "received_on",
            "提交日期不能早于申请书落款日期（2026-11-03）",
        ),
        (
            {"received_on": D(2026, 10, 4)},
            "received_on",
            "提交日期最早只能补录到30日前（2026-10-05）；更早的请报公开工作机构负责人处理",
        ),
        ({"letter_date": D(2026, 11, 5)}, "letter_date", "申请书落款日期不能晚于今天"),
        (
            {"channel": "post_signed", "signed_for_on": D(2026, 11, 5)},
            "signed_for_on",
            "签收日期不能晚于今天",
        ),
        ({"channel": "post_signed"}, "signed_for_on", "邮寄申请请填写本机关签收日期"),
        (
            {"channel": "post_signed", "signed_for_on": D(2026, 11, 2), "received_on": D(2026, 11, 3)},
            "received_on",
            "邮寄申请以签收之日为收到申请之日，请只填写签收日期",
        ),
        (
            {"channel": "fax", "signed_for_on": D(2026, 11, 2)},
            "signed_for_on",
            "只有需签收的邮寄申请填写签收日期",
        ),
    ],
)
def test_impossible_receipt_dates_are_refused_and_nothing_is_saved(w, kw, code, message):
    with pytest.raises(DomainError) as exc:
        record(w, late_entry_note=NOTE, **kw)
    assert (exc.value.code, exc.value.message) == (code, message)
    assert (InfoRequest.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_how_far_back_is_policy_data(w):
    Setting.objects.create(key="backdate_days", value="40")
    req = record(w, received_on=D(2026, 10, 8), late_entry_note=NOTE)
    assert req.received_on == D(2026, 10, 8)


def test_a_signed_for_letter_and_a_confirmed_plain_letter_keep_their_days(w):
    letter = record(
        w, channel="post_signed", signed_for_on=D(2026, 11, 2), late_entry_note="收发室周一签收，周三转来"
    )
    assert (letter.received_on, letter.due_date) == (D(2026, 11, 2), D(2026, 11, 30))
    plain = record(w, channel="post_plain", received_on=D(2026, 11, 3), late_entry_note="周二收到，周三登记")
    assert (plain.status, plain.submitted_on, plain.received_on) == (
        ReqStatus.AWAITING_RECEIPT,
        D(2026, 11, 3),
        None,
    )
    before = InfoRequest.objects.filter(pk=plain.pk).values().get()
    for confirmed_on, note, message in (
        (D(2026, 11, 2), NOTE, "确认日期不能早于申请提交（送达）之日（2026-11-03）"),
        (D(2026, 11, 3), "", "确认日期（2026-11-03）早于今天，属于补录，请写明补录原因"),
    ):
        with clock.frozen(D(2026, 11, 4)), pytest.raises(DomainError) as exc:
            s.request_confirm_receipt(
                request=plain, officer=w.officer, confirmed_on=confirmed_on, late_entry_note=note
            )
        assert exc.value.message == message
    assert InfoRequest.objects.filter(pk=plain.pk).values().get() == before
    with clock.frozen(D(2026, 11, 4)):
        s.request_confirm_receipt(
            request=plain, officer=w.officer, confirmed_on=D(2026, 11, 3), late_entry_note="11-03已电话确认"
        )
    # 11-04…06, 09…13, 16…20, 23…27, 30, 12-01.
    assert (plain.received_on, plain.due_date, plain.late_entry_note) == (
        D(2026, 11, 3),
        D(2026, 12, 1),
        "周二收到，周三登记；11-03已电话确认",
    )
    assert list(AuditEvent.objects.order_by("id").values_list("summary", flat=True)) == [
        f"刘经办补录依申请公开 {letter.request_no} 的签收日期为2026-11-02（录入日2026-11-04），原因：收发室周一签收，周三转来",
        f"刘经办补录依申请公开 {plain.request_no} 的收到日期为2026-11-03（录入日2026-11-04），原因：周二收到，周三登记",
        f"刘经办补录依申请公开 {plain.request_no} 的确认收到申请之日为2026-11-03（录入日2026-11-04），原因：11-03已电话确认",
    ]


def supplement_asked(w):
    with clock.frozen(D(2026, 11, 2)):
        req = s.request_file(
            body=w.scj, applicant=person(), description="本局抽检情况", channel="online", user=w.citizen
        )
        s.request_confirm_receipt(request=req, officer=w.officer)
    with clock.frozen(D(2026, 11, 3)):
        s.request_ask_supplement(request=req, officer=w.officer, items="请写明抽检批次")
    return req


def test_a_written_supplement_counts_from_the_day_it_arrived(w):
    req = supplement_asked(w)
    before = InfoRequest.objects.filter(pk=req.pk).values().get()
    for kw, message in (
        ({"received_on": D(2026, 11, 9)}, "收到补正之日（2026-11-09）早于今天，属于补录，请写明补录原因"),
        (
            {"received_on": D(2026, 11, 2), "late_entry_note": NOTE},
            "收到补正之日不能早于告知补正之日（2026-11-03）",
        ),
        ({"received_on": D(2026, 11, 12), "late_entry_note": NOTE}, "收到补正之日不能晚于今天"),
    ):
        with clock.frozen(D(2026, 11, 11)), pytest.raises(DomainError) as exc:
            s.request_supplement(request=req, officer=w.officer, text="第3批次", **kw)
        assert exc.value.message == message
    with clock.frozen(D(2026, 11, 11)), pytest.raises(DomainError) as exc:
        s.request_supplement(request=req, user=w.citizen, text="第3批次", received_on=D(2026, 11, 9))
    assert exc.value.message == "网上补正以提交之日为收到补正之日"
    assert InfoRequest.objects.filter(pk=req.pk).values().get() == before
    assert AuditEvent.objects.count() == 0
    with clock.frozen(D(2026, 11, 11)):
        s.request_supplement(
            request=req,
            officer=w.officer,
            text="第3批次",
            received_on=D(2026, 11, 9),
            late_entry_note="补正信函周一送达，周三登记",
        )
    # The reply period runs from 11-09: 11-10…13, 16…20, 23…27, 30, 12-01…04, 07.
    assert (req.supplement_received_on, req.clock_start, req.due_date) == (
        D(2026, 11, 9),
        D(2026, 11, 9),
        D(2026, 12, 7),
    )
    c = Clock.objects.get(subject_type="gk_request", subject_id=req.pk)
    assert (c.state, c.due_date) == ("running", D(2026, 12, 7))
    assert AuditEvent.objects.get().summary == (
        f"刘经办补录依申请公开 {req.request_no} 的收到补正之日为2026-11-09（录入日2026-11-11），原因：补正信函周一送达，周三登记"
    )


def test_the_record_page_and_the_api_take_the_real_dates(client, w):
    client.force_login(w.officer.user)
    form = {
        "kind": "person",
        "name": "张三",
        "id_number": person().id_number,
        "phone": "13812345678",
        "description": "本局2025年食品抽检情况",
        "wanted_form": "电子文档",
        "delivery": "网上获取",
        "channel": "in_person",
        "received_on": "2026-11-02",
    }
    with clock.frozen(D(2026, 11, 4)):
        refused = client.post("/gk/work/record/SFXSCJ/", form)
        assert refused.status_code == 400
        assert "提交日期（2026-11-02）早于今天，属于补录，请写明补录原因" in refused.content.decode()
        assert InfoRequest.objects.count() == 0
        assert client.post("/gk/work/record/SFXSCJ/", {**form, "late_entry_note": NOTE}).status_code == 302
        resp = client.post(
            "/api/disclosure/requests",
            {
                "body_code": "SFXSCJ",
                "description": "本局2025年食品抽检情况",
                "channel": "post_plain",
                "received_on": "2026-11-03",
                "letter_date": "2026-10-30",
                "late_entry_note": "周二收到",
                "applicant": {
                    "kind": "person",
                    "name": "张三",
                    "phone": "13812345678",
                    "id_number": person().id_number,
                },
            },
            content_type="application/json",
            headers=token(w.officer.user),
        )
    assert resp.status_code == 201, resp.content
    assert (resp.json()["submitted_on"], resp.json()["received_on"], resp.json()["late_entry_note"]) == (
        "2026-11-03",
        None,
        "周二收到",
    )
    assert list(InfoRequest.objects.order_by("id").values_list("received_on", "submitted_on")) == [
        (D(2026, 11, 2), D(2026, 11, 2)),
        (None, D(2026, 11, 3)),
    ]


def test_a_written_supplement_received_in_time_but_typed_in_after_the_daily_run_puts_the_request_back(
    client, w, capsys
):
    """The 补正 letter arrived on Monday 11-23, inside the period (to 11-24); nobody typed it in, and the
    daily run of 11-25 treated the request as abandoned. Typed in on 11-26 with its real day, the request
    is handled again, its reply period from 11-23 (条例第三十条、第三十一条) and a new supervision clock."""
    from django.core.management import call_command

    from zhengwu.disclosure.models import VillageCategory

    VillageCategory.objects.update(is_active=False)
    req = supplement_asked(w)
    assert req.supplement_deadline == D(2026, 11, 24)
    with clock.frozen(D(2026, 11, 25)):
        call_command("disclosure_daily")
    assert capsys.readouterr().out.startswith("视为放弃：1；")
    req.refresh_from_db()
    assert (req.status, req.result, req.closed_on) == (ReqStatus.TERMINATED, "other_no_supplement", D(2026, 11, 25))
    old = Clock.objects.get(subject_type="gk_request", subject_id=req.pk)
    assert (old.state, old.late) == ("finished", None)
    before = InfoRequest.objects.filter(pk=req.pk).values().get()

    for kw, code, message in (
        ({"received_on": D(2026, 11, 25), "late_entry_note": NOTE}, "supplement_overdue",
         "收到补正之日（2026-11-25）晚于补正期限（2026-11-24），逾期未补正的视为放弃申请（条例第三十条），不能登记为按期补正"),
        ({"received_on": D(2026, 11, 23)}, "late_entry_note",
         "收到补正之日（2026-11-23）早于今天，属于补录，请写明补录原因"),
        ({}, "supplement_overdue",
         "收到补正之日（2026-11-26）晚于补正期限（2026-11-24），逾期未补正的视为放弃申请（条例第三十条），不能登记为按期补正"),
    ):
        with clock.frozen(D(2026, 11, 26)), pytest.raises(DomainError) as exc:
            s.request_supplement(request=req, officer=w.officer, text="第3批次", **kw)
        assert (exc.value.code, exc.value.message) == (code, message)
    with clock.frozen(D(2026, 11, 26)), pytest.raises(DomainError) as exc:
        s.request_supplement(request=req, user=w.citizen, text="第3批次")
    assert exc.value.code == "supplement_overdue"
    assert InfoRequest.objects.filter(pk=req.pk).values().get() == before
    assert (AuditEvent.objects.count(), Clock.objects.filter(subject_id=req.pk).count()) == (0, 1)

    # The page offers it on the terminated request; the API takes it.
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 11, 26)):
        page = client.get(f"/gk/work/requests/{req.request_no}/").content.decode()
        assert "登记补正期限内收到的书面补正（恢复办理）" in page
        resp = client.post(
            f"/api/disclosure/requests/{req.request_no}/actions/supplement",
            {"text": "第3批次", "received_on": "2026-11-23", "late_entry_note": "补正信函周一送达，漏登"},
            content_type="application/json",
            headers=token(w.officer.user),
        )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    # 20 working days from 11-23: 11-24…27, 11-30…12-04, 12-07…11, 12-14…18, 12-21.
    assert (body["status"], body["result"], body["due_date"]) == ("processing", "", "2026-12-21")
    req.refresh_from_db()
    assert (req.status, req.result, req.reason, req.closed_on, req.supplement_received_on, req.clock_start,
            req.due_date, req.handled_by) == (
        ReqStatus.PROCESSING, "", "", None, D(2026, 11, 23), D(2026, 11, 23), D(2026, 12, 21), w.officer)
    clocks = list(Clock.objects.filter(subject_type="gk_request", subject_id=req.pk).order_by("id")
                  .values_list("state", "started_on", "due_date", "late"))
    assert clocks[0][0] == "finished" and clocks[0][3] is None  # the abandonment's, uncounted
    assert clocks[1] == ("running", D(2026, 11, 23), D(2026, 12, 21), None)
    event = req.events.order_by("-id").first()
    assert (event.action, event.from_status, event.to_status, event.data["reinstated"]) == (
        "supplement", "terminated", "processing", True)
    assert event.note == ("补录：收到补正之日2026-11-23，补正信函周一送达，漏登；"
                          "补正系在补正期限内收到，撤销“逾期未补正，视为放弃申请”，恢复办理；第3批次")
    assert AuditEvent.objects.get().summary == (
        f"刘经办补录依申请公开 {req.request_no} 的收到补正之日为2026-11-23（录入日2026-11-26），"
        "撤销“逾期未补正，视为放弃申请”并恢复办理，原因：补正信函周一送达，漏登")
    # Put back once: a second registration is refused as any 补正 of a request in handling.
    with clock.frozen(D(2026, 11, 26)), pytest.raises(DomainError) as exc:
        s.request_supplement(request=req, officer=w.officer, text="再补", received_on=D(2026, 11, 23),
                             late_entry_note=NOTE)
    assert exc.value.message == "当前状态为“办理中”，不能补正"
