"""The rating pad (评价器): what it records is a 好差评 rating (``ratings.Rating``), a 差评 opens its
rectification, and only a pad signed in at its window records anything."""

from __future__ import annotations

import re

import pytest

from zhengwu.cases import services as case_services
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.ratings.models import Kind, Rating, RatingEvent, Rectification, RectificationStatus
from zhengwu.ratings.selectors import pad_case_to_rate
from zhengwu.workdays import engine

from .. import selectors, services
from ..models import TicketEvent
from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def pad(client, w):
    """The pad of window 01, opened from 李明's console (his session)."""
    client.force_login(w.o1.user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def served(w, *, at=None, **finish):
    """A person takes a number, is called and served at window 01 by 李明, and finished (at 9:00)."""
    window, officer = w.w1, w.o1
    with clock.frozen(at or fx.at(9)):
        services.ticket_issue(hall=w.hall, group=w.group_a)
        t = services.ticket_call_next(window=window, officer=officer)
        services.ticket_finish(ticket=t, window=window, officer=officer, **finish)
    t.refresh_from_db()
    return t


def finished_case(w):
    """A 即办件 taken in and finished at window 01 (accepted with its paper material)."""
    material = w.licence.current.materials.order_by("seq").first()
    with clock.frozen(fx.at(8, 50)):
        case = case_services.case_submit(item=w.licence, applicant=fx.applicant(), channel="window", officer=w.o1,
                                         window=w.w1)
        case_services.case_accept(case=case, officer=w.o1, window=w.w1, paper_materials=[material.pk])
    case.refresh_from_db()
    return case


def snapshot():
    return (list(Rating.objects.values_list("id", "overall")), list(Rectification.objects.values_list("id")),
            RatingEvent.objects.count(), TicketEvent.objects.filter(action="rate").count())


def url(w) -> str:
    return f"/hall/pad/{w.w1.pk}/"


# -- what the pad records --------------------------------------------------------------------------------


def test_pad_asks_about_the_ticket_just_finished_with_the_offline_dimensions(pad, w):
    with clock.frozen(fx.at(8, 55)):
        assert "请在办理完毕后评价" in text(pad.get(url(w)))
    t = served(w)
    with clock.frozen(fx.at(9, 1)):
        page = text(pad.get(url(w)))
    assert "排队号 <strong>A001</strong>" in page and "工作人员 李明（工号 2001）" in page
    assert [label in page for label in ("整体满意度", "服务效率", "服务水平", "服务态度", "回访电话")] == [True] * 5
    assert f'name="ticket" value="{t.pk}"' in page


def test_a_rating_on_the_pad_is_a_haochaping_rating(pad, w):
    t = served(w)
    with clock.frozen(fx.at(9, 1)):
        r = pad.post(url(w), {"ticket": t.pk, "overall": "5", "efficiency": "5", "attitude": "4",
                              "comment": "办事很快"})
        assert r.status_code == 200 and "感谢您的评价：非常满意" in text(r)
        assert "请在办理完毕后评价" in text(pad.get(url(w)))  # rated: the pad waits for the next one
    rating = Rating.objects.get()
    assert (rating.kind, rating.channel, rating.overall, rating.efficiency, rating.competence, rating.attitude) == (
        Kind.HALL, "pad", 5, 5, None, 4)
    assert (rating.ticket_ref, rating.case, rating.hall, rating.window, rating.officer, rating.department) == (
        "20260310-A001", None, w.hall, w.w1, w.o1, w.market)
    assert (rating.comment, rating.is_bad, rating.rated_at, rating.excluded) == ("办事很快", False, fx.at(9, 1), False)
    assert not Rectification.objects.exists()
    event = TicketEvent.objects.get(ticket=t, action="rate")
    assert (event.window, event.officer, event.data) == (
        w.w1, w.o1, {"rating_id": rating.pk, "overall": 5, "case_no": ""})


def test_a_bad_rating_on_the_pad_opens_its_rectification(pad, w):
    t = served(w)
    with clock.frozen(fx.at(9, 1)):
        r = pad.post(url(w), {"ticket": t.pk, "overall": "1", "attitude": "1", "comment": "态度生硬",
                              "phone": "13900002222"})
    assert "感谢您的评价：非常不满意" in text(r) and "工作人员将与您联系回访" in text(r)
    rating = Rating.objects.get()
    assert (rating.overall, rating.attitude, rating.is_bad, rating.officer, rating.contact_phone) == (
        1, 1, True, w.o1, "13900002222")
    rect = Rectification.objects.get()
    due = engine.due_date(fx.DAY, 15, region=w.hall.region).due
    assert (rect.rating, rect.status, rect.department, rect.hall, rect.opened_on, rect.due_on) == (
        rating, RectificationStatus.VERIFY, w.market, w.hall, fx.DAY, due)


def test_a_ticket_finished_with_a_finished_case_is_rated_as_that_case(pad, w):
    case = finished_case(w)
    t = served(w, case_no=case.case_no)
    with clock.frozen(fx.at(9, 1)):
        page = text(pad.get(url(w)))
        assert f"办件编号 {case.case_no}" in page and "回访电话" not in page  # the case has its phone
        pad.post(url(w), {"ticket": t.pk, "overall": "4", "competence": "5"})
        assert "请在办理完毕后评价" in text(pad.get(url(w)))
        assert pad_case_to_rate(window=w.w1) is None  # the 好差评 pad does not ask about it again
    rating = Rating.objects.get()
    assert (rating.case, rating.ticket_ref, rating.officer, rating.window, rating.overall, rating.competence) == (
        case, "", w.o1, w.w1, 4, 5)
    assert TicketEvent.objects.get(ticket=t, action="rate").data["case_no"] == case.case_no


def test_a_ticket_whose_new_case_is_still_open_is_rated_as_the_ticket(pad, w):
    t = served(w, applicant=fx.applicant(), case_item=w.licence)
    assert t.case.status == "pending"
    with clock.frozen(fx.at(9, 1)):
        pad.post(url(w), {"ticket": t.pk, "overall": "3"})
    rating = Rating.objects.get()
    assert (rating.case, rating.ticket_ref, rating.overall, rating.is_bad) == (None, "20260310-A001", 3, False)


def test_the_pad_leaves_the_consoles_messages_to_the_console(pad, w):
    """Opened from the console, the pad shares the officer's session, messages included."""
    console = f"/hall/window/{w.w1.pk}/console/"
    with clock.frozen(fx.at(9)):
        services.ticket_issue(hall=w.hall, group=w.group_a)
        pad.post(console + "call/")
        t = w.w1.tickets.get()
        pad.post(console + "finish/", {"ticket": t.pk})
        assert "A001" in text(pad.get(url(w))) and "请群众在评价器上评价" not in text(pad.get(url(w)))
        assert "A001号已办结。请群众在评价器上评价" in text(pad.get(console))


def test_the_hall_admin_may_run_any_pad_of_the_hall(client, w):
    t = served(w)
    client.force_login(w.admin.user)
    with clock.frozen(fx.at(9, 1)):
        assert client.post(url(w), {"ticket": t.pk, "overall": "5"}).status_code == 200
    rating = Rating.objects.get()
    assert rating.officer == w.o1  # the officer who served is rated, not who signed the pad in
    assert TicketEvent.objects.get(action="rate").officer == w.admin


# -- refusals -------------------------------------------------------------------------------------------------


def test_without_a_signed_in_officer_the_pad_shows_nothing_and_a_post_changes_nothing(client, w):
    t = served(w)
    before = snapshot()
    with clock.frozen(fx.at(9, 1)):
        page = client.get(url(w))
        assert page.status_code == 403 and "A001" not in text(page)
        assert "评价器须由本窗口的工作人员登录后使用：请在叫号台点击“评价器”打开" in text(page)
        assert f'href="/login/?next=/hall/pad/{w.w1.pk}/"' in text(page)  # or an officer signs the pad in
        r = client.post(url(w), {"ticket": t.pk, "overall": "1", "comment": "冒充群众"})
    assert r.status_code == 403
    assert "评价未提交。评价器须由本窗口的工作人员登录后使用" in text(r)
    assert snapshot() == before == ([], [], 0, 0)
    with clock.frozen(fx.at(9, 2)):
        assert selectors.pad_ticket(w.w1) == t  # still waiting for the person's own rating


def test_an_officer_of_another_window_cannot_use_the_pad(client, w):
    t = served(w)
    client.force_login(w.o3.user)
    with clock.frozen(fx.at(9, 1)):
        assert client.get(url(w)).status_code == 403
        r = client.post(url(w), {"ticket": t.pk, "overall": "5"})
    assert r.status_code == 403 and "评价器须由本窗口的工作人员登录后使用" in text(r)
    assert snapshot() == ([], [], 0, 0)


def test_rating_the_same_ticket_twice_is_refused_and_changes_nothing(pad, w):
    t = served(w)
    with clock.frozen(fx.at(9, 1)):
        pad.post(url(w), {"ticket": t.pk, "overall": "4"})
        before = snapshot()
        r = pad.post(url(w), {"ticket": t.pk, "overall": "1", "comment": "再评一次"})
    assert r.status_code == 409 and "该排队号的服务已经评价过" in text(r)
    assert snapshot() == before
    assert Rating.objects.get().overall == 4


def test_a_double_press_on_the_pad_records_one_rating_and_says_it_was_already_submitted(pad, w):
    t = served(w)
    with clock.frozen(fx.at(9, 1)):
        page = pad.get(url(w))
        assert "no-store" in page["Cache-Control"]  # "back" re-renders with a fresh token, never a replay
        token = re.search(r'name="form_once" value="([^"]+)"', text(page)).group(1)
        form = {"ticket": t.pk, "overall": "5", "form_once": token}
        first, again = pad.post(url(w), form), pad.post(url(w), {**form, "overall": "1"})
    assert first.status_code == 200 and "感谢您的评价：非常满意" in text(first)
    # the second press is the same form: not run again (no "already rated" refusal, no second row)
    assert again.status_code == 409 and "该排队号的服务已经评价过" not in text(again)
    assert list(Rating.objects.values_list("overall", flat=True)) == [5]
    assert TicketEvent.objects.filter(ticket=t, action="rate").count() == 1


def test_a_rating_without_the_overall_level_is_refused_and_the_form_kept(pad, w):
    t = served(w)
    with clock.frozen(fx.at(9, 1)):
        r = pad.post(url(w), {"ticket": t.pk, "efficiency": "2", "comment": "等候太久"})
    page = text(r)
    assert r.status_code == 400
    assert "请为“整体满意度”选择非常满意、满意、基本满意、不满意或非常不满意" in page
    assert 'id="efficiency-2" value="2" checked' in page and "等候太久</textarea>" in page
    assert snapshot() == ([], [], 0, 0)


def test_the_pad_asks_only_about_the_last_ticket_and_only_for_a_while(pad, w):
    first = served(w, at=fx.at(9))
    second = served(w, at=fx.at(9, 5))
    with clock.frozen(fx.at(9, 6)):
        assert selectors.pad_ticket(w.w1) == second
        pad.post(url(w), {"ticket": second.pk, "overall": "5"})
        assert selectors.pad_ticket(w.w1) is None  # A001 does not come back for someone else to rate
        r = pad.post(url(w), {"ticket": first.pk, "overall": "5"})
        assert r.status_code == 200  # a ticket still in its time may be rated when posted for
    third = served(w, at=fx.at(9, 10))
    with clock.frozen(fx.at(9, 41)):
        assert selectors.pad_ticket(w.w1) is None
        r = pad.post(url(w), {"ticket": third.pk, "overall": "5"})
    assert r.status_code == 409 and "办结超过30分钟，评价器已关闭该号的评价" in text(r)
    assert sorted(Rating.objects.values_list("ticket_ref", flat=True)) == ["20260310-A001", "20260310-A002"]


def test_ticket_rate_refuses_what_the_pad_must_not_record(w):
    t = served(w)
    before = snapshot()
    with clock.frozen(fx.at(9, 1)):
        with pytest.raises(PermissionDenied) as exc:
            services.ticket_rate(ticket=t, window=w.w1, operator=None, overall=5)
        assert exc.value.code == "pad_not_signed_in"
        with pytest.raises(PermissionDenied):
            services.ticket_rate(ticket=t, window=w.w1, operator=w.o2, overall=5)  # window 02's officer
        with pytest.raises(DomainError) as exc:
            services.ticket_rate(ticket=t, window=w.w2, operator=w.o2, overall=5)
        assert exc.value.code == "not_ratable"
        with pytest.raises(DomainError) as exc:
            services.ticket_rate(ticket=t, window=w.w1, operator=w.o1, overall=5, dims={"usability": 5})
        assert exc.value.message == "现场服务（一次一评）没有这些评价维度：usability"
        with pytest.raises(DomainError) as exc:
            services.ticket_rate(ticket=t, window=w.w1, operator=w.o1, overall=6)
        assert exc.value.code == "level"
    assert snapshot() == before


def test_pad_page_is_a_handful_of_queries(pad, w, django_assert_max_num_queries):
    served(w)
    with clock.frozen(fx.at(9, 1)):
        pad.get(url(w))
        # window, session, user, staff, roles, pad check, policy, the ticket, rated?
        with django_assert_max_num_queries(9):
            assert pad.get(url(w)).status_code == 200
