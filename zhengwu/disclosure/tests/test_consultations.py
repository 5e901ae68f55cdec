"""Consulting a third party (条例第三十二条) or another agency (第三十四条): the 15 working days run from the
other side's receipt of the 征求意见书, the reply clock stops from the sending to the opinion (第三十三条第二款),
and nothing lapses before the receipt is known.

November and December 2026 have no holidays: every working day is Monday to Friday. A request handed in on
Monday 11-02 is consulted on Thursday 11-05; the letter arrives on Monday 11-09.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.disclosure import selectors
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import (
    ClockStop,
    Consultation,
    InfoRequest,
    ReqStatus,
    RequestEvent,
    VillageCategory,
)
from zhengwu.disclosure.services.daily import disclosure_daily
from zhengwu.supervision.models import Clock

from .factories import build_world, person
from .test_api import token

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    VillageCategory.objects.update(is_active=False)  # requests only: the village's 村务公开 is test_village*
    return build_world()


HANDED_IN = D(2026, 11, 2)


def walk_in(w, day=HANDED_IN):
    with clock.frozen(day):
        return s.request_file(
            body=w.scj,
            applicant=person(),
            description="某食品企业的许可档案",
            channel="in_person",
            officer=w.officer,
        )


def consulted(w, *, kind="third_party", party="某某食品厂"):
    req = walk_in(w)
    with clock.frozen(D(2026, 11, 5)):
        if kind == "agency":
            s.request_consult_agency(request=req, officer=w.officer, agency=party)
        else:
            s.request_consult(request=req, officer=w.officer, third_party=party)
    return req


def gk_clock(req):
    c = Clock.objects.get(subject_type="gk_request", subject_id=req.pk)
    return c.state, c.due_date, c.stopped_on


def snapshot(req):
    req = InfoRequest.objects.get(pk=req.pk)
    return (
        req.status,
        req.row_version,
        req.due_date,
        list(Consultation.objects.filter(request=req).values()),
        list(ClockStop.objects.filter(request=req).values()),
        RequestEvent.objects.filter(request=req).count(),
        gk_clock(req),
    )


def test_the_15_days_run_from_receipt_and_an_objection_on_the_last_of_them_is_recorded(w):
    req = consulted(w)
    # Handed in 11-02: 20 working days to 11-30. Consulted 11-05: the reply clock stops that day.
    assert gk_clock(req) == ("stopped", D(2026, 11, 30), D(2026, 11, 5))
    c = Consultation.objects.get(request=req)
    assert (c.kind, c.sent_on, c.received_on, c.opinion_due, c.delivery) == (
        "third_party",
        D(2026, 11, 5),
        None,
        None,
        "",
    )
    # The letter arrives on Monday 11-09 (recorded the next day): 11-10…13, 16…20, 23…27, 30.
    with clock.frozen(D(2026, 11, 10)):
        s.request_consultation_receipt(
            request=req, officer=w.officer, received_on=D(2026, 11, 9), delivery="post", note="挂号信回执"
        )
    c.refresh_from_db()
    assert (c.received_on, c.delivery, c.opinion_due, c.receipt_recorded_by) == (
        D(2026, 11, 9),
        "post",
        D(2026, 11, 30),
        w.officer,
    )
    assert selectors.due_state(req, D(2026, 11, 27)) == (
        "paused",
        "暂停计时：征求第三方意见中，第三方意见期限至2026-11-30",
    )
    # Counted from the sending day the 15 days would have ended on 11-26: the daily run of 11-27 closes nothing.
    with clock.frozen(D(2026, 11, 27)):
        assert disclosure_daily().resumed == []
    assert InfoRequest.objects.get(pk=req.pk).status == ReqStatus.CONSULTING
    # The objection comes on the 15th day: recorded; the stop is 11-05…11-30.
    with clock.frozen(D(2026, 11, 30)):
        s.request_consultation_reply(
            request=req, officer=w.officer, opinion="object", note="涉及本企业配方，属商业秘密"
        )
    c.refresh_from_db()
    assert (c.opinion, c.replied_on) == ("object", D(2026, 11, 30))
    assert list(ClockStop.objects.filter(request=req).values_list("kind", "start_on", "end_on")) == [
        ("consultation", D(2026, 11, 5), D(2026, 11, 30))
    ]
    # 11-03, 04 counted before the stop; then 12-01…04, 07…11, 14…18, 21…24.
    assert (req.status, req.due_date) == (ReqStatus.PROCESSING, D(2026, 12, 24))
    assert gk_clock(req) == ("running", D(2026, 12, 24), None)
    assert list(RequestEvent.objects.filter(request=req).values_list("action", "label", "note")) == [
        ("file", "登记申请", ""),
        ("consult", "征求第三方意见", "某某食品厂"),
        (
            "consultation_receipt",
            "登记征求意见书送达",
            "某某食品厂于2026-11-09收到（邮寄送达），意见期限至2026-11-30；挂号信回执",
        ),
        ("consultation_reply", "收到第三方意见", "某某食品厂：不同意公开：涉及本企业配方，属商业秘密"),
    ]


def test_silence_after_the_15_days_from_receipt_restarts_the_clock_for_the_body_to_decide(w):
    req = consulted(w)
    with clock.frozen(D(2026, 11, 10)):
        s.request_consultation_receipt(
            request=req, officer=w.officer, received_on=D(2026, 11, 9), delivery="post"
        )
    before = snapshot(req)
    with clock.frozen(D(2026, 11, 30)), pytest.raises(DomainError) as exc:
        s.request_consultation_reply(request=req, officer=w.officer, opinion="none")
    assert (exc.value.code, exc.value.message) == (
        "opinion_not_due",
        "第三方提出意见的期限至2026-11-30，期限届满后才能登记为逾期未提出意见",
    )
    assert snapshot(req) == before
    # The daily run comes on 12-02: the stop still ends on 11-30, and the body decides (第三十二条).
    with clock.frozen(D(2026, 12, 2)):
        assert [(r.pk, c.opinion_due) for r, c in s.consultations_sweep()] == [(req.pk, D(2026, 11, 30))]
    req.refresh_from_db()
    assert (req.status, req.due_date) == (ReqStatus.PROCESSING, D(2026, 12, 24))
    c = Consultation.objects.get(request=req)
    assert (c.opinion, c.replied_on) == ("none", D(2026, 12, 2))
    event = RequestEvent.objects.filter(request=req).last()
    assert (event.action, event.label, event.note, event.actor_name) == (
        "consultation_lapsed",
        "第三方逾期未提出意见",
        "第三方未在2026-11-30前提出意见，由本机关依照条例决定是否公开",
        "系统",
    )
    assert gk_clock(req) == ("running", D(2026, 12, 24), None)


def test_until_the_receipt_is_recorded_nothing_lapses_and_the_officers_are_asked_for_it(
    w, django_capture_on_commit_callbacks
):
    req = consulted(w)
    # Sent 11-05; 5 working days (11-06, 09…12) without a receipt are waited for quietly.
    assert selectors.due_state(req, D(2026, 11, 12)) == (
        "paused",
        "暂停计时：征求第三方意见中，征求意见书于2026-11-05发出，待登记第三方收到之日",
    )
    late = (
        "soon",
        "送达未登记：征求意见书于2026-11-05发出，已6个工作日未登记第三方收到之日；提出意见的15个工作日自收到之日起算，"
        "请核实送达并登记（暂停计时）",
    )
    assert selectors.due_state(req, D(2026, 11, 13)) == late
    before = snapshot(req)
    with clock.frozen(D(2026, 12, 15)), pytest.raises(DomainError) as exc:
        s.request_consultation_reply(request=req, officer=w.officer, opinion="none")
    assert exc.value.code == "receipt_unknown"
    with clock.frozen(D(2026, 12, 15)), pytest.raises(DomainError) as exc:
        s.request_consultation_lapse(request=req)
    assert exc.value.code == "receipt_unknown"
    ConsoleNotifier.sent.clear()
    with clock.frozen(D(2026, 12, 15)), django_capture_on_commit_callbacks(execute=True):
        assert s.consultations_sweep() == []
        call_command("disclosure_daily")
    assert snapshot(req) == before
    (warning,) = [m for m in ConsoleNotifier.sent if m.kind == "gk_warning"]
    assert warning.text == (
        f"政务公开提醒（1项）：{req.request_no}：送达未登记：征求意见书于2026-11-05发出，已28个工作日"
        "未登记第三方收到之日；提出意见的15个工作日自收到之日起算，请核实送达并登记（暂停计时）"
    )
    # An objection that arrives meanwhile is recorded with the receipt it proves.
    with clock.frozen(D(2026, 12, 15)):
        s.request_consultation_reply(
            request=req, officer=w.officer, opinion="object", received_on=D(2026, 12, 1), delivery="email"
        )
    c = Consultation.objects.get(request=req)
    # 12-02…04, 07…11, 14…18, 21, 22: the objection of 12-15 is in time; the stop ends on 12-15.
    assert (c.received_on, c.delivery, c.opinion_due, c.opinion) == (
        D(2026, 12, 1),
        "email",
        D(2026, 12, 22),
        "object",
    )
    assert ClockStop.objects.get(request=req).end_on == D(2026, 12, 15)


@pytest.mark.parametrize(
    ("received_on", "delivery", "code", "message"),
    [
        (
            D(2026, 11, 4),
            "post",
            "received_on",
            "第三方收到征求意见书之日不能早于发出征求意见书之日（2026-11-05）",
        ),
        (D(2026, 11, 11), "post", "received_on", "第三方收到征求意见书之日不能晚于今天"),
        (None, "post", "received_on", "请填写第三方收到征求意见书之日"),
        (
            D(2026, 11, 9),
            "pigeon",
            "delivery",
            "送达方式应为以下之一：直接送达、邮寄送达、电子邮件、传真、公文交换",
        ),
    ],
)
def test_a_receipt_before_sending_in_the_future_or_without_delivery_is_refused(
    w, received_on, delivery, code, message
):
    req = consulted(w)
    before = snapshot(req)
    with clock.frozen(D(2026, 11, 10)), pytest.raises(DomainError) as exc:
        s.request_consultation_receipt(
            request=req, officer=w.officer, received_on=received_on, delivery=delivery
        )
    assert (exc.value.code, exc.value.message) == (code, message)
    assert snapshot(req) == before


def test_a_receipt_is_recorded_once_and_only_by_the_bodys_officer(w):
    req = consulted(w)
    with clock.frozen(D(2026, 11, 10)), pytest.raises(DomainError) as exc:
        s.request_consultation_receipt(
            request=req, officer=w.outsider, received_on=D(2026, 11, 9), delivery="post"
        )
    assert exc.value.status == 403
    with clock.frozen(D(2026, 11, 10)):
        s.request_consultation_receipt(
            request=req, officer=w.officer, received_on=D(2026, 11, 9), delivery="post"
        )
    before = snapshot(req)
    with clock.frozen(D(2026, 11, 11)), pytest.raises(DomainError) as exc:
        s.request_consultation_receipt(
            request=req, officer=w.officer, received_on=D(2026, 11, 10), delivery="email"
        )
    assert (exc.value.code, exc.value.message) == ("receipt_once", "已登记第三方于2026-11-09收到征求意见书")
    assert snapshot(req) == before


def test_an_agency_silent_for_15_working_days_after_receipt_is_deemed_to_consent(w):
    """条例第三十四条: 被征求意见机关应当自收到征求意见书之日起15个工作日内提出意见，逾期未提出意见的视为同意公开."""
    req = consulted(w, kind="agency", party="示范县自然资源局")
    assert (req.status, req.get_status_display()) == (ReqStatus.CONSULTING, "征求意见中")
    assert gk_clock(req) == ("stopped", D(2026, 11, 30), D(2026, 11, 5))
    assert ClockStop.objects.get(request=req).kind == "agency"
    with clock.frozen(D(2026, 11, 10)):
        s.request_consultation_receipt(
            request=req, officer=w.officer, received_on=D(2026, 11, 6), delivery="exchange"
        )
    # 11-09…13, 16…20, 23…27.
    c = Consultation.objects.get(request=req)
    assert (c.kind, c.opinion_due) == ("agency", D(2026, 11, 27))
    assert selectors.due_state(req, D(2026, 11, 27)) == (
        "paused",
        "暂停计时：征求其他机关意见中，示范县自然资源局意见期限至2026-11-27",
    )
    before = snapshot(req)
    with clock.frozen(D(2026, 11, 30)), pytest.raises(DomainError) as exc:
        s.request_consultation_reply(request=req, officer=w.officer, opinion="none")
    assert (exc.value.code, exc.value.message) == (
        "opinion",
        "被征求意见机关的意见应为以下之一：同意公开、不同意公开、逾期未提出意见，视为同意公开",
    )
    assert snapshot(req) == before
    assert selectors.due_state(req, D(2026, 11, 30))[1].startswith(
        "征求意见已逾期：示范县自然资源局应于2026-11-27前提出意见，此后恢复计时，逾期未提出意见的视为同意公开（条例第三十四条）；"
    )
    with clock.frozen(D(2026, 11, 30)):
        (swept,) = s.consultations_sweep()
    assert swept[0].pk == req.pk
    c.refresh_from_db()
    assert (c.opinion, c.get_opinion_display(), c.replied_on) == (
        "deemed",
        "逾期未提出意见，视为同意公开",
        D(2026, 11, 30),
    )
    event = RequestEvent.objects.filter(request=req).last()
    assert (event.label, event.note) == (
        "被征求意见机关逾期未提出意见",
        "示范县自然资源局未在2026-11-27前提出意见，依照条例第三十四条视为同意公开",
    )
    # Stopped 11-05…11-27: 11-03, 04, then 11-30, 12-01…04, 07…11, 14…18, 21…23.
    req.refresh_from_db()
    assert (req.status, req.due_date) == (ReqStatus.PROCESSING, D(2026, 12, 23))
    assert gk_clock(req) == ("running", D(2026, 12, 23), None)


def test_agency_consultation_through_the_api_with_enums(client, w):
    req = walk_in(w)
    officer = token(w.officer.user)
    url = f"/api/disclosure/requests/{req.request_no}/actions/"

    def post(action, **data):
        return client.post(url + action, data, content_type="application/json", headers=officer)

    with clock.frozen(D(2026, 11, 5)):
        out = post("consult_agency", agency="示范县自然资源局").json()
    assert (out["status"], out["status_label"]) == ("consulting", "征求意见中")
    assert out["consultations"] == [
        {
            "kind": "agency",
            "kind_label": "征求其他机关意见",
            "party": "示范县自然资源局",
            "sent_on": "2026-11-05",
            "delivery": "",
            "received_on": None,
            "opinion_due": None,
            "replied_on": None,
            "opinion": "",
            "opinion_label": "",
        }
    ]
    with clock.frozen(D(2026, 11, 10)):
        bad = post("consult_receipt", received_on="2026-11-06", delivery="pigeon")
        assert bad.status_code == 422
        assert bad.json()["message"] == "字段“delivery”应为以下之一：in_person、post、email、fax、exchange"
        assert Consultation.objects.get(request=req).received_on is None
        out = post("consult_receipt", received_on="2026-11-06", delivery="exchange").json()
    assert out["consultations"][0]["received_on"] == "2026-11-06"
    assert out["consultations"][0]["opinion_due"] == "2026-11-27"
    with clock.frozen(D(2026, 11, 12)):
        out = post("consult_reply", opinion="agree").json()
    assert (out["status"], out["consultations"][0]["opinion_label"]) == ("processing", "同意公开")
    # Stopped 11-05…11-12: 11-03, 04, then 11-13, 16…20, 23…27, 30, 12-01…04, 07, 08.
    assert out["due_date"] == "2026-12-08"
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert schema["GkDelivery"]["enum"] == ["in_person", "post", "email", "fax", "exchange"]
    assert schema["GkOpinion"]["enum"] == ["agree", "object", "none", "deemed"]


def test_a_refused_silence_does_not_keep_the_receipt_given_with_it(w):
    req = consulted(w)
    before = snapshot(req)
    with clock.frozen(D(2026, 11, 20)), pytest.raises(DomainError) as exc:
        s.request_consultation_reply(
            request=InfoRequest.objects.get(pk=req.pk),
            officer=w.officer,
            opinion="none",
            received_on=D(2026, 11, 9),
            delivery="post",
        )
    assert (exc.value.code, exc.value.message) == (
        "opinion_not_due",
        "第三方提出意见的期限至2026-11-30，期限届满后才能登记为逾期未提出意见",
    )
    assert snapshot(req) == before


def test_the_workbench_page_records_the_receipt_and_the_opinion(client, w):
    req = consulted(w, kind="agency", party="示范县自然资源局")
    client.force_login(w.officer.user)
    url = f"/gk/work/requests/{req.request_no}/"
    with clock.frozen(D(2026, 11, 10)):
        page = client.get(url).content.decode()
        assert "登记示范县自然资源局收到征求意见书" in page and "收到之日起15个工作日" in page
        assert '<option value="deemed">' in page and '<option value="none">' not in page
        resp = client.post(
            url + "act/consult_receipt/", {"received_on": "2026-11-06", "delivery": "exchange"}
        )
        assert resp.status_code == 302
        page = client.get(url).content.decode()
    assert "2026-11-06（公文交换）" in page and "2026-11-27" in page
    assert "登记示范县自然资源局收到征求意见书" not in page
    with clock.frozen(D(2026, 11, 12)):
        client.post(url + "act/consult_reply/", {"opinion": "agree", "note": "同意公开"})
    assert Consultation.objects.get(request=req).opinion == "agree"


def test_an_undeliverable_letter_ends_the_consultation_and_the_body_decides(w, client):
    """The letter to the third party comes back on Thursday 11-12 (“查无此单位”); typed in on Friday 11-13.
    Its 15 working days run from receipt (第三十二条) and never began: the consultation ends without a
    receipt, the third party has given no opinion and the body decides; the days from the sending to the
    return are not counted (第三十三条第二款)."""
    from zhengwu.core.models import AuditEvent
    from zhengwu.disclosure.models import RequestAttachment

    from .test_request_attachments import pdf

    req = consulted(w)
    agency = consulted(w, kind="agency", party="示范县住房和城乡建设局")
    before, agency_before = snapshot(req), snapshot(agency)
    reason = "挂号信被退回，退回原因：查无此单位（单号XA123456789CN），电话无人接听"
    for r, kw, code, message in (
        (req, {"note": " "}, "undeliverable_note", "请写明无法送达的情况和依据（如邮件退回原因、退件单号、联系记录）"),
        (req, {"note": reason, "returned_on": D(2026, 11, 4)}, "returned_on",
         "征求意见书退回（确认无法送达）之日不能早于发出征求意见书之日（2026-11-05）"),
        (req, {"note": reason, "returned_on": D(2026, 11, 16)}, "returned_on",
         "征求意见书退回（确认无法送达）之日不能晚于今天"),
        (agency, {"note": reason}, "undeliverable_agency",
         "征求其他机关意见的，请通过公文交换等方式送达并登记收到之日，不适用“无法送达”"),
    ):
        with clock.frozen(D(2026, 11, 13)), pytest.raises(DomainError) as exc:
            s.request_consultation_undeliverable(request=r, officer=w.officer, **kw)
        assert (exc.value.code, exc.value.message) == (code, message)
    assert (snapshot(req), snapshot(agency)) == (before, agency_before)

    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 11, 13)):
        page = client.get(f"/gk/work/requests/{req.request_no}/").content.decode()
        assert 'data-action="consult_undeliverable"' in page
        assert 'data-action="consult_undeliverable"' not in client.get(
            f"/gk/work/requests/{agency.request_no}/").content.decode()
        resp = client.post(
            f"/gk/work/requests/{req.request_no}/act/consult_undeliverable/",
            {"returned_on": "2026-11-12", "note": reason, "files": [pdf("退件信封.pdf")]},
        )
    assert resp.status_code == 302
    req.refresh_from_db()
    c = Consultation.objects.get(request=req)
    assert (c.received_on, c.opinion_due, c.opinion, c.replied_on, c.note) == (
        None, None, "undeliverable", D(2026, 11, 12), reason)
    assert list(ClockStop.objects.filter(request=req).values_list("start_on", "end_on")) == [
        (D(2026, 11, 5), D(2026, 11, 12))]
    # 11-03, 04 counted before the stop; then 11-13, 16…20, 23…27, 11-30…12-04, 07, 08.
    assert (req.status, req.due_date) == (ReqStatus.PROCESSING, D(2026, 12, 8))
    assert gk_clock(req) == ("running", D(2026, 12, 8), None)
    event = RequestEvent.objects.filter(request=req).last()
    assert (event.action, event.label, event.note) == (
        "consult_undeliverable",
        "征求意见书无法送达",
        f"某某食品厂：征求意见书无法送达（2026-11-12确认），第三方未能提出意见，由本机关依照条例第三十二条决定是否公开；"
        f"{reason}；凭证：退件信封.pdf",
    )
    assert list(RequestAttachment.objects.filter(request=req).values_list("kind", "name")) == [
        ("return_proof", "退件信封.pdf")]
    assert AuditEvent.objects.filter(summary__contains="征求意见书退回（确认无法送达）之日为2026-11-12").count() == 1
    # Ended: no second return, no receipt, no opinion; the daily run leaves it alone. It may be consulted again.
    with clock.frozen(D(2026, 11, 16)):
        for fn in (lambda: s.request_consultation_undeliverable(request=req, officer=w.officer, note=reason),
                   lambda: s.request_consultation_receipt(request=req, officer=w.officer,
                                                          received_on=D(2026, 11, 16), delivery="post")):
            with pytest.raises(DomainError) as exc:
                fn()
            assert exc.value.code == "bad_state"
        assert disclosure_daily().resumed == []

    # The API: the same action after a second letter to another address, by the agreed name.
    with clock.frozen(D(2026, 11, 16)):
        s.request_consult(request=req, officer=w.officer, third_party="某某食品厂（新址）")
    with clock.frozen(D(2026, 11, 18)):
        resp = client.post(
            f"/api/disclosure/requests/{req.request_no}/actions/consult_undeliverable",
            {"note": "新址亦无人签收，邮件退回"},
            content_type="application/json",
            headers=token(w.officer.user),
        )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "processing"
    assert [(x["opinion"], x["opinion_label"], x["replied_on"]) for x in body["consultations"]] == [
        ("undeliverable", "征求意见书无法送达，由本机关决定是否公开", "2026-11-12"),
        ("undeliverable", "征求意见书无法送达，由本机关决定是否公开", "2026-11-18"),
    ]
    # Stops 11-05…12 and 11-16…18: 11-03, 04, 13, 19, 20, 23…27, 11-30…12-04, 07…11.
    assert body["due_date"] == "2026-12-11"
    assert gk_clock(req) == ("running", D(2026, 12, 11), None)
