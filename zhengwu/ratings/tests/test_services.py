"""Ratings, rectification and appeals through the service functions, with exact dates and refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.ratings import services as s
from zhengwu.ratings.models import (
    Appeal,
    Channel,
    Kind,
    Rating,
    RatingEvent,
    RatingInvite,
    RatingPolicy,
    Rectification,
    RectificationStatus,
)

from .factories import finish_at_window, finish_online, open_case, rating_world

pytestmark = pytest.mark.django_db
D = dt.date
RS = RectificationStatus


@pytest.fixture
def w():
    return rating_world()


@pytest.fixture(autouse=True)
def outbox():
    ConsoleNotifier.sent.clear()
    return ConsoleNotifier.sent


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """Run the messages queued for after commit when the block ends (tests run in one transaction)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def snapshot():
    return (list(Rating.objects.values_list("id", "overall", "excluded")),
            list(Rectification.objects.values_list("id", "status", "callback_result")),
            list(Appeal.objects.values_list("id", "status")), RatingEvent.objects.count())


DAY = dt.date(2026, 9, 28)


def pad(w, case=None, overall=5, on=DAY, **kw):
    with clock.frozen(on):
        return s.rating_record(kind=Kind.HALL, channel=Channel.PAD, overall=overall, case=case, window=w.window,
                               officer=w.officer, **kw)


# -- recording ------------------------------------------------------------------------------------------


def test_pad_rating_of_a_finished_case_takes_its_window_officer_department_and_hall(w):
    case = finish_at_window(w, D(2026, 9, 28))
    r = pad(w, case, overall=4, dims={"efficiency": 5, "competence": 4, "attitude": 3}, comment="办得很快")
    r.refresh_from_db()
    assert (r.kind, r.channel, r.overall, r.efficiency, r.competence, r.attitude, r.guide_accuracy) == (
        "hall", "pad", 4, 5, 4, 3, None)
    assert (r.case, r.window, r.officer, r.department, r.hall, r.rated_on, r.is_bad, r.excluded) == (
        case, w.window, w.officer, w.dept, w.center, D(2026, 9, 28), False, False)
    assert r.dimensions() == [("整体满意度", 4), ("服务效率", 5), ("服务水平", 4), ("服务态度", 3)]
    assert not Rectification.objects.exists()
    assert list(RatingEvent.objects.values_list("action", "note")) == [("rate", "窗口评价器：满意")]


def test_a_comment_over_1000_characters_is_refused_not_cut(w):
    case = finish_at_window(w, D(2026, 9, 28))
    before = snapshot()
    with pytest.raises(DomainError) as e:
        pad(w, case, overall=2, comment="等" * 1001)
    assert e.value.code == "comment_too_long" and "1001" in e.value.message
    assert snapshot() == before
    r = pad(w, case, overall=2, comment="  " + "等" * 1000 + "  ")
    assert r.comment == "等" * 1000


def test_web_rating_by_the_applicant_is_one_per_case_online(w):
    case = finish_online(w, D(2026, 9, 28))
    with clock.frozen(D(2026, 9, 29)):
        r = s.rating_record(kind=Kind.ONLINE, channel=Channel.WEB, overall=5, case=case, user=w.citizen,
                            dims={"efficiency": 5, "guide_accuracy": 4, "convenience": 5, "usability": 4})
    assert (r.kind, r.rater_user, r.usability, r.invite) == ("online", w.citizen, 4, None)


def test_a_ticket_from_the_queue_can_be_rated_at_the_pad_without_a_case(w):
    r = pad(w, None, overall=3, ticket_ref="20260928-A012")
    assert (r.case, r.ticket_ref, r.department, r.hall) == (None, "20260928-A012", w.dept, w.center)


def test_bad_rating_opens_a_rectification_due_in_15_working_days_across_national_day(w, outbox, sending):
    case = finish_at_window(w, D(2026, 9, 28))
    with sending():
        r = pad(w, case, overall=2, comment="态度生硬")
    rect = r.rectification
    # 09-29, 09-30, 10-08, 10-09, 10-10 (调休), 10-12 … 10-16, 10-19 … 10-23 = 15 working days.
    assert (r.is_bad, rect.status, rect.department, rect.opened_on, rect.due_on) == (
        True, RS.VERIFY, w.dept, D(2026, 9, 28), D(2026, 10, 23))
    assert [(m.to_phone, m.kind) for m in outbox] == [("13900000004", "rating_bad"),
                                                      ("13900000001", "rating_bad_officer")]
    assert "2026年10月23日" in outbox[0].text
    assert "可申请复核，截止日期为2026年10月10日" in outbox[1].text
    assert list(RatingEvent.objects.values_list("action", flat=True)) == ["rate", "open"]


def test_rectification_deadline_follows_the_policy(w):
    RatingPolicy.objects.create(rectify_workdays=5)
    case = finish_at_window(w, D(2026, 9, 28))
    assert pad(w, case, overall=1).rectification.due_on == D(2026, 10, 10)


# -- refusals when recording -------------------------------------------------------------------------------


def test_rating_twice_is_refused_and_nothing_changes(w):
    case = finish_at_window(w, D(2026, 9, 28))
    pad(w, case, overall=5)
    before = snapshot()
    with pytest.raises(DomainError) as e:
        pad(w, case, overall=1)
    assert (e.value.code, e.value.message) == ("already_rated", "该办件已经评价过，每件只能评价一次")
    assert snapshot() == before


def test_the_database_refuses_a_second_rating_too(w):
    """A rating made at the same moment (past the in-memory check) hits the unique constraint."""
    case = finish_at_window(w, D(2026, 9, 28))
    pad(w, case, overall=5)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(kind="hall", channel="pad", overall=4, case=case, hall=w.center,
                              rated_at=clock.now(), rated_on=D(2026, 9, 28))


def test_ticket_rated_twice_is_refused(w):
    pad(w, None, overall=4, ticket_ref="A012")
    with pytest.raises(DomainError) as e:
        pad(w, None, overall=4, ticket_ref="A012")
    assert e.value.message == "该排队号的服务已经评价过"


def test_a_second_ticket_rating_is_refused_by_the_constraint_with_no_read_and_no_savepoint(w):
    """No duplicate read first, and no savepoint of its own inside the caller's transaction: the unique
    constraint refuses, with the ticket's message, and the caller's transaction is aborted."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    pad(w, None, overall=4, ticket_ref="A013")
    with CaptureQueriesContext(connection) as q, pytest.raises(DomainError) as e:
        with transaction.atomic():  # the caller's transaction (e.g. the 12345 回访)
            pad(w, None, overall=5, ticket_ref="A013")
    assert (e.value.code, e.value.status, e.value.message) == ("already_rated", 409, "该排队号的服务已经评价过")
    sql = [x["sql"] for x in q.captured_queries]
    assert not [x for x in sql if x.lstrip().upper().startswith("SELECT") and "ticket_ref" in x], sql
    opened = [x for x in sql if x.upper().startswith("SAVEPOINT")]
    assert len(opened) == 1, sql  # the caller's only


def test_unfinished_case_cannot_be_rated(w):
    case = open_case(w, D(2026, 9, 28))
    before = snapshot()
    with pytest.raises(DomainError) as e, clock.frozen(D(2026, 9, 28)):
        s.rating_record(kind=Kind.ONLINE, channel=Channel.WEB, overall=5, case=case, user=w.citizen)
    assert (e.value.code, e.value.message) == ("case_not_finished", "办件当前状态为“待预审”，办结后才能评价")
    assert snapshot() == before


def test_someone_else_cannot_rate_an_applicants_case_on_the_web(w):
    case = finish_online(w, D(2026, 9, 28))
    with pytest.raises(PermissionDenied) as e:
        s.rating_record(kind=Kind.ONLINE, channel=Channel.WEB, overall=1, case=case, user=w.officer.user)
    assert e.value.message == "只有申请人本人可以评价该办件"
    assert snapshot() == ([], [], [], 0)


@pytest.mark.parametrize("overall,dims,message", [
    (0, {}, "请为“整体满意度”选择非常满意、满意、基本满意、不满意或非常不满意"),
    (6, {}, "请为“整体满意度”选择非常满意、满意、基本满意、不满意或非常不满意"),
    ("x", {}, "请为“整体满意度”选择非常满意、满意、基本满意、不满意或非常不满意"),
    (5, {"attitude": 9}, "请为“服务态度”选择非常满意、满意、基本满意、不满意或非常不满意"),
    (5, {"usability": 5}, "现场服务（一次一评）没有这些评价维度：usability"),
])
def test_levels_outside_the_five_are_refused(w, overall, dims, message):
    case = finish_at_window(w, D(2026, 9, 28))
    with pytest.raises(DomainError) as e:
        pad(w, case, overall=overall, dims=dims)
    assert e.value.message == message
    assert snapshot() == ([], [], [], 0)


# -- invitations (智能邀评) ------------------------------------------------------------------------------


def test_invite_sweep_invites_exactly_the_cases_due_and_twice_creates_nothing(w, outbox, sending):
    due = finish_at_window(w, D(2026, 9, 25), phone="13811110001")  # 3 days before 09-28
    rated = finish_at_window(w, D(2026, 9, 24), phone="13811110002")
    pad(w, rated, overall=5, on=D(2026, 9, 24))
    later = finish_at_window(w, D(2026, 9, 26), phone="13811110003")  # only 2 days: not yet
    finish_at_window(w, D(2026, 8, 20), phone="13811110004")  # older than 30 days: never
    online = finish_online(w, D(2026, 9, 21))
    with clock.frozen(D(2026, 9, 28)), sending():
        first = s.rating_invite_send_due()
        again = s.rating_invite_send_due()
    assert sorted((i.case_id, i.kind, i.channel, i.sent_to) for i in first) == sorted([
        (due.pk, "hall", "sms", "138****0001"), (online.pk, "online", "sms", "138****5678")])
    assert again == []
    assert sorted(m.to_phone for m in outbox) == ["13811110001", "13812345678"]
    assert all("/ratings/r/" in m.text and "7天内有效" in m.text for m in outbox)
    with clock.frozen(D(2026, 9, 29)), sending():  # the next day: only the case finished 09-26 is new
        assert [i.case_id for i in s.rating_invite_send_due()] == [later.pk]
        assert s.rating_invite_send_due() == []
    assert len(outbox) == 3


def test_invite_sweep_command_is_idempotent(w, outbox, sending):
    from django.core.management import call_command

    finish_at_window(w, D(2026, 9, 25))
    with clock.frozen(D(2026, 9, 28)), sending():
        call_command("ratings_invite")
        call_command("ratings_invite")
    assert len(outbox) == 1


def _token(message) -> str:
    return message.text.split("/ratings/r/")[1].split("/")[0]


def test_an_invite_link_works_once(w, outbox, sending):
    case = finish_at_window(w, D(2026, 9, 25))
    with clock.frozen(D(2026, 9, 28)), sending():
        s.rating_invite_send_due()
    from zhengwu.ratings.selectors import invite_get_by_token

    invite = invite_get_by_token(token=_token(outbox[0]))
    with clock.frozen(D(2026, 9, 29)):
        r = s.rating_record(kind=invite.kind, channel=Channel.SMS, overall=4, case=invite.case, invite=invite)
    assert (r.invite, r.case, r.channel) == (invite, case, "sms")
    invite = invite_get_by_token(token=_token(outbox[0]))
    assert timezone.localtime(invite.used_at).isoformat() == "2026-09-29T10:00:00+08:00"
    before = snapshot()
    with pytest.raises(DomainError) as e, clock.frozen(D(2026, 9, 29)):
        s.invite_check(invite)
    assert (e.value.code, e.value.message) == ("invite_used", "该评价链接已经使用过，每个链接只能评价一次")
    assert snapshot() == before


def test_an_expired_invite_is_refused_and_nothing_changes(w, outbox, sending):
    case = finish_at_window(w, D(2026, 9, 25))
    with clock.frozen(D(2026, 9, 28)), sending():
        s.rating_invite_send_due()
    from zhengwu.ratings.selectors import invite_get_by_token

    invite = invite_get_by_token(token=_token(outbox[0]))
    before = snapshot()
    from django.db import transaction

    # in the caller's transaction, which the refusal aborts (the service takes no savepoint of its own)
    with pytest.raises(DomainError) as e, clock.frozen(dt.datetime(2026, 10, 5, 10, 1)), transaction.atomic():
        s.rating_record(kind=invite.kind, channel=Channel.SMS, overall=4, case=case, invite=invite)
    assert (e.value.code, e.value.message) == ("invite_expired", "该评价链接已过期")
    assert snapshot() == before
    invite.refresh_from_db()
    assert invite.used_at is None


def test_qr_invite_for_one_case(w):
    case = finish_at_window(w, D(2026, 9, 28))
    with clock.frozen(D(2026, 9, 28)):
        invite, raw = s.rating_invite_issue(case=case, channel=Channel.QR)
        with pytest.raises(DomainError) as e:
            s.rating_invite_issue(case=case, channel=Channel.SMS)
    assert (invite.channel, invite.kind, invite.token_hash, len(raw) >= 32) == ("qr", "hall", s.hash_token(raw), True)
    assert e.value.message == "该办件已发出过评价邀请"
    # Printed again two days later: the same invitation with a new token; the first slip no longer works.
    with clock.frozen(D(2026, 9, 30)):
        again, raw2 = s.rating_invite_issue(case=case, channel=Channel.QR)
    assert again.pk == invite.pk and raw2 != raw and again.token_hash == s.hash_token(raw2)
    assert RatingInvite.objects.count() == 1 and not RatingInvite.objects.filter(token_hash=s.hash_token(raw)).exists()
    assert again.expires_at.date() > D(2026, 9, 30)
    # Used: no more codes for that case.
    with clock.frozen(D(2026, 9, 30)):
        s.rating_record(kind="hall", channel="qr", overall=5, case=case, invite=again)
        with pytest.raises(DomainError) as e:
            s.rating_invite_issue(case=case, channel=Channel.QR)
    assert e.value.code == "already_rated"


# -- rectification --------------------------------------------------------------------------------------


def test_rectification_full_path_and_refusals(w, outbox):
    case = finish_at_window(w, D(2026, 9, 28))
    rect = pad(w, case, overall=1, comment="等了很久").rectification
    # the rated officer and another department cannot handle it
    for who in (w.officer, w.outsider):
        with pytest.raises(PermissionDenied) as e:
            s.rectification_verify(rectification=rect, head=who, finding="true", note="x")
        assert e.value.message == "只有责任部门负责人、首席代表或大厅管理员可以办理差评整改"
    with pytest.raises(DomainError) as e:
        s.rectification_rectify(rectification=rect, head=w.head, measures="加强培训")
    assert e.value.message == "整改当前状态为“待核实”，不能整改"
    with clock.frozen(D(2026, 9, 29)):
        s.rectification_verify(rectification=rect, head=w.head, finding="true", note="调阅录像，等候超过40分钟")
        s.rectification_rectify(rectification=rect, head=w.head, measures="高峰时段增开窗口，开展服务规范培训")
    before = snapshot()
    with pytest.raises(DomainError) as e:
        s.rectification_close(rectification=rect, head=w.head)
    assert (e.value.code, e.value.message) == ("callback_required", "尚未回访评价人，请先登记回访结果后再办结")
    assert snapshot() == before
    with pytest.raises(DomainError) as e:
        s.rectification_callback(rectification=rect, head=w.head, result="", note="")
    assert e.value.message == "请选择回访结果：满意、基本满意或不满意"
    with clock.frozen(D(2026, 9, 30)):
        s.rectification_callback(rectification=rect, head=w.head, result="basic", note="群众表示理解")
        s.rectification_close(rectification=rect, head=w.head)
    rect.refresh_from_db()
    assert (rect.status, rect.finding, rect.callback_result, rect.closed_on, rect.closed_on_time, rect.closed_by) == (
        RS.CLOSED, "true", "basic", D(2026, 9, 30), True, w.head)
    assert list(RatingEvent.objects.values_list("action", "from_status", "to_status")) == [
        ("rate", "", ""), ("open", "", "verify"), ("verify", "verify", "rectify"), ("rectify", "rectify", "callback"),
        ("callback", "callback", "callback"), ("close", "callback", "closed")]
    with pytest.raises(DomainError) as e:
        s.rectification_close(rectification=rect, head=w.head)
    assert e.value.message == "整改当前状态为“已办结”，不能办结"


def test_hall_admin_handles_a_bad_rating_of_a_comprehensive_queue_ticket(w):
    from zhengwu.org.tests import factories as f

    comp = f.window(w.center, "1")
    with clock.frozen(D(2026, 9, 28)):
        r = s.rating_record(kind=Kind.HALL, channel=Channel.PAD, overall=2, window=comp, ticket_ref="B003",
                            contact_phone="13800001111")
    rect = r.rectification
    assert rect.department is None
    with pytest.raises(PermissionDenied):
        s.rectification_verify(rectification=rect, head=w.head, finding="partly", note="…")
    s.rectification_verify(rectification=rect, head=w.hall_admin, finding="partly", note="叫号系统故障")
    assert rect.status == RS.RECTIFY


def test_a_stale_close_is_refused_by_the_guarded_update(w):
    case = finish_at_window(w, D(2026, 9, 28))
    rect = pad(w, case, overall=1).rectification
    s.rectification_verify(rectification=rect, head=w.head, finding="true", note="属实")
    s.rectification_rectify(rectification=rect, head=w.head, measures="培训")
    stale = Rectification.objects.get(pk=rect.pk)
    s.rectification_callback(rectification=rect, head=w.head, result="satisfied")
    s.rectification_close(rectification=rect, head=w.head)
    with pytest.raises(DomainError) as e:
        s.rectification_callback(rectification=stale, head=w.head, result="dissatisfied")
    assert e.value.code == "conflict"
    assert Rectification.objects.get(pk=rect.pk).callback_result == "satisfied"


# -- appeals --------------------------------------------------------------------------------------------


def test_appeal_upheld_excludes_the_rating_and_cancels_its_rectification(w, outbox, sending):
    case = finish_at_window(w, D(2026, 9, 28))
    r = pad(w, case, overall=1, comment="乱评")
    with clock.frozen(D(2026, 9, 29)):
        appeal = s.appeal_file(rating=r, officer=w.officer, reason="malicious", statement="申请人因不符合条件而恶意差评")
    outbox.clear()
    with clock.frozen(D(2026, 9, 30)), sending():
        s.appeal_decide(appeal=appeal, supervisor=w.supervisor, upheld=True, note="经调阅录音录像，属恶意差评")
    r.refresh_from_db()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, r.excluded, r.rectification.status) == (
        "upheld", w.supervisor, True, RS.CANCELLED)
    assert [m.to_phone for m in outbox] == ["13900000001"]
    assert list(RatingEvent.objects.values_list("action", flat=True)) == [
        "rate", "open", "appeal", "appeal_decide", "cancel"]


def test_appeal_rejected_the_rating_stays(w):
    case = finish_at_window(w, D(2026, 9, 28))
    r = pad(w, case, overall=2)
    with clock.frozen(D(2026, 9, 28)):
        appeal = s.appeal_file(rating=r, officer=w.officer, reason="mistaken", statement="评错了窗口")
    s.appeal_decide(appeal=appeal, supervisor=w.supervisor, upheld=False, note="评价对象无误")
    r.refresh_from_db()
    assert (appeal.status, r.excluded, r.rectification.status) == ("rejected", False, RS.VERIFY)


def test_appeal_refusals_change_nothing(w):
    case = finish_at_window(w, D(2026, 9, 28))
    r = pad(w, case, overall=1)
    good = pad(w, finish_at_window(w, D(2026, 9, 28)), overall=5)
    before = snapshot()
    with pytest.raises(PermissionDenied) as e:
        s.appeal_file(rating=r, officer=w.officer2, reason="mistaken", statement="不是我")
    assert e.value.message == "只有被评价的工作人员本人可以对该评价提出申诉"
    with pytest.raises(DomainError) as e:
        s.appeal_file(rating=good, officer=w.officer, reason="mistaken", statement="…")
    assert e.value.message == "只能对差评提出申诉"
    with pytest.raises(DomainError) as e:
        s.appeal_file(rating=r, officer=w.officer, reason="mistaken", statement=" ")
    assert e.value.message == "请写明申诉的事实和理由"
    # 5 working days after 09-28: 09-29, 09-30, 10-08, 10-09, 10-10
    with pytest.raises(DomainError) as e, clock.frozen(D(2026, 10, 12)):
        s.appeal_file(rating=r, officer=w.officer, reason="mistaken", statement="评错了")
    assert e.value.message == "申诉期限已过（申诉截止日为2026年10月10日）"
    assert snapshot() == before

    with clock.frozen(D(2026, 10, 10)):
        appeal = s.appeal_file(rating=r, officer=w.officer, reason="mistaken", statement="评错了")
    with pytest.raises(DomainError) as e:
        s.appeal_file(rating=r, officer=w.officer, reason="mistaken", statement="再申诉")
    assert e.value.message == "该评价已经申诉过，不能重复申诉"
    before = snapshot()
    for who in (w.head, w.leader, w.officer2):
        with pytest.raises(PermissionDenied) as e:
            s.appeal_decide(appeal=appeal, supervisor=who, upheld=True, note="同意")
        assert e.value.message == "申诉须由辖区效能监察员复核"
    with pytest.raises(DomainError) as e:
        s.appeal_decide(appeal=appeal, supervisor=w.supervisor, upheld=True, note="")
    assert e.value.message == "请填写复核意见"
    assert snapshot() == before
    s.appeal_decide(appeal=appeal, supervisor=w.supervisor, upheld=False, note="不成立")
    with pytest.raises(DomainError) as e:
        s.appeal_decide(appeal=appeal, supervisor=w.supervisor, upheld=True, note="改判")
    assert e.value.message == "该申诉已复核（申诉不成立）"


def test_each_role_sees_and_handles_the_rectifications_of_its_own_scope(w):
    """The department's head and its 首席代表 in that hall see and handle it; the rated officer sees
    nothing to handle; another department's staff neither; a 首席代表 of another hall neither."""
    from zhengwu.org.models import Role
    from zhengwu.org.tests import factories as f
    from zhengwu.ratings.selectors import rectification_list_for_staff

    case = finish_at_window(w, D(2026, 9, 28))
    rect = pad(w, case, overall=1, comment="态度差").rectification
    town_chief = f.staff("3101", Role.CHIEF_REP, department=w.dept, hall=w.town_hall, name="镇首代")
    seen = {who: list(rectification_list_for_staff(staff=who)) == [rect]
            for who in (w.head, w.chief, w.officer, w.outsider, town_chief)}
    assert seen == {w.head: True, w.chief: True, w.officer: False, w.outsider: False, town_chief: False}
    with clock.frozen(D(2026, 9, 29)):
        s.rectification_verify(rectification=rect, head=w.chief, finding="true", note="调阅录像属实")
    rect.refresh_from_db()
    assert rect.status == "rectify"
    with pytest.raises(PermissionDenied):
        s.rectification_rectify(rectification=rect, head=town_chief, measures="培训")
