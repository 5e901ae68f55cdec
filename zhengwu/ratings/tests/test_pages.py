"""The 好差评 pages and API through Django's test client."""

import datetime as dt
import json
import re

import pytest

from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.ratings import services as s
from zhengwu.ratings.models import Appeal, Channel, Kind, Rating, Rectification, RectificationStatus

from .factories import finish_at_window, finish_online, open_case, rating_world

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2026, 9, 28)


@pytest.fixture
def w():
    return rating_world()


@pytest.fixture
def today():
    with clock.frozen(DAY):
        yield DAY


def as_(client, staff_or_user):
    client.force_login(getattr(staff_or_user, "user", staff_or_user))
    return client


# -- pad ------------------------------------------------------------------------------------------------------


def test_pad_waits_then_rates_the_case_just_finished_at_the_window(client, w, today):
    as_(client, w.officer)
    url = "/ratings/pad/SFXZW/5/"
    page = client.get(url).content.decode()
    assert "李窗口" in page and "工号 1001" in page and "您好，欢迎来办事" in page
    case = finish_at_window(w, today)
    page = client.get(url).content.decode()
    assert case.case_no in page and "请您对本次服务进行评价" in page and "服务态度" in page
    r = client.post(url, {"case": case.case_no, "overall": "2", "attitude": "1", "comment": "态度差"})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get()
    assert (rating.case, rating.channel, rating.officer, rating.window, rating.overall, rating.attitude) == (
        case, "pad", w.officer, w.window, 2, 1)
    assert Rectification.objects.get().status == RectificationStatus.VERIFY
    assert "您好，欢迎来办事" in client.get(url).content.decode()  # rated: the pad waits again


def test_pad_page_is_a_handful_of_queries(client, w, today, django_assert_max_num_queries):
    as_(client, w.officer)
    finish_at_window(w, today)
    client.get("/ratings/pad/SFXZW/5/")
    with django_assert_max_num_queries(9):  # session, user, staff, roles, window, pad check, case, rated?
        assert client.get("/ratings/pad/SFXZW/5/").status_code == 200


def test_pad_leaves_queue_tickets_to_the_halls_pad(client, w, today):
    """A free-text ticket here would let anyone at the counter make ratings up: the hall's pad checks it."""
    as_(client, w.officer)
    r = client.get("/ratings/pad/SFXZW/5/?ticket=20260928-A012")
    assert (r.status_code, r["Location"]) == (302, f"/hall/pad/{w.window.pk}/")
    r = client.post("/ratings/pad/SFXZW/5/", {"ticket": "20260928-A012", "overall": "5"})
    assert r.status_code == 302
    assert not Rating.objects.exists()


def test_pad_without_a_level_is_refused_in_chinese(client, w, today):
    as_(client, w.officer)
    case = finish_at_window(w, today)
    r = client.post("/ratings/pad/SFXZW/5/", {"case": case.case_no})
    assert r.status_code == 400
    assert "请为“整体满意度”选择非常满意、满意、基本满意、不满意或非常不满意" in r.content.decode()
    assert not Rating.objects.exists()


def test_pad_only_for_the_windows_own_staff(client, w, today):
    r = as_(client, w.officer2).get("/ratings/pad/SFXZW/5/")
    assert r.status_code == 403 and "评价器须由本窗口的工作人员登录" in r.content.decode()
    assert as_(client, w.officer2).get("/ratings/pad/SFXZW/6/").status_code == 200
    assert client.get("/ratings/pad/SFXZW/99/").status_code == 404


# -- the applicant --------------------------------------------------------------------------------------------


def test_applicant_rates_a_finished_case_on_the_web_once(client, w, today):
    case = finish_online(w, today)
    as_(client, w.citizen)
    assert case.case_no in client.get("/ratings/my/").content.decode()
    page = client.get(f"/ratings/case/{case.case_no}/").content.decode()
    assert "平台操作性" in page and "办事指南精确度" in page
    r = client.post(f"/ratings/case/{case.case_no}/", {"overall": "4", "usability": "5"})
    assert "感谢您的评价" in r.content.decode()
    assert Rating.objects.get().kind == Kind.ONLINE
    assert "您已评价" in client.get(f"/ratings/case/{case.case_no}/").content.decode()
    assert case.case_no not in client.get("/ratings/my/").content.decode()


def test_nobody_else_rates_the_case_and_unfinished_cases_wait(client, w, today):
    case = finish_online(w, today)
    assert as_(client, w.officer).get(f"/ratings/case/{case.case_no}/").status_code == 404
    pending = open_case(w, today)
    r = as_(client, w.citizen).get(f"/ratings/case/{pending.case_no}/")
    assert r.status_code == 409 and "办件办结后才能评价" in r.content.decode()


def _invite(w, sending):
    from zhengwu.core.notify import ConsoleNotifier

    ConsoleNotifier.sent.clear()
    case = finish_at_window(w, D(2026, 9, 25))
    with sending(), clock.frozen(DAY):
        s.rating_invite_send_due()
    return case, ConsoleNotifier.sent[0].text.split("/ratings/r/")[1].split("/")[0]


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_sms_link_works_once_without_login(client, w, sending):
    case, token = _invite(w, sending)
    url = f"/ratings/r/{token}/"
    with clock.frozen(D(2026, 9, 29)):
        assert "服务态度" in client.get(url).content.decode()
        r = client.post(url, {"overall": "5"})
        assert "感谢您的评价" in r.content.decode()
        again = client.get(url)
    assert again.status_code == 410 and "该评价链接已经使用过" in again.content.decode()
    assert Rating.objects.get().channel == Channel.SMS


def test_an_expired_link_says_so(client, w, sending):
    _case, token = _invite(w, sending)
    with clock.frozen(D(2026, 10, 6)):
        r = client.get(f"/ratings/r/{token}/")
    assert r.status_code == 410 and "该评价链接已过期" in r.content.decode()
    assert client.get("/ratings/r/nonsense/").status_code == 404


# -- rectification and appeals --------------------------------------------------------------------------------


def _bad(w, on=DAY):
    case = finish_at_window(w, on)
    with clock.frozen(on):
        return s.rating_record(kind=Kind.HALL, channel=Channel.PAD, overall=1, case=case, window=w.window,
                               officer=w.officer, comment="等了一个小时没人理")


def test_department_head_sees_the_item_and_close_is_refused_before_call_back(client, w, today):
    r = _bad(w)
    rect = r.rectification
    as_(client, w.head)
    assert f"整改 #{rect.pk}" in client.get("/ratings/rectifications/").content.decode()
    page = client.get(f"/ratings/rectifications/{rect.pk}/").content.decode()
    assert "等了一个小时没人理" in page and "13812345678" in page and "登记核实" in page
    assert AuditEvent.objects.filter(object_type="ratings.rectification", object_id=str(rect.pk)).count() == 1
    client.post(f"/ratings/rectifications/{rect.pk}/verify/", {"finding": "true", "note": "属实"})
    client.post(f"/ratings/rectifications/{rect.pk}/rectify/", {"measures": "增设引导员"})
    page = client.post(f"/ratings/rectifications/{rect.pk}/close/", follow=True).content.decode()
    assert "尚未回访评价人，请先登记回访结果后再办结" in page
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CALLBACK


def test_rectification_is_not_shown_outside_its_scope(client, w, today):
    rect = _bad(w).rectification
    assert as_(client, w.outsider).get(f"/ratings/rectifications/{rect.pk}/").status_code == 404
    page = as_(client, w.officer).get("/ratings/rectifications/").content.decode()
    assert f"整改 #{rect.pk}" not in page
    page = as_(client, w.supervisor).get(f"/ratings/rectifications/{rect.pk}/").content.decode()
    assert "由责任部门负责人、首席代表或大厅管理员办理" in page and "13812345678" not in page


def test_officer_appeals_and_supervisor_decides_on_the_pages(client, w, today):
    r = _bad(w)
    as_(client, w.officer)
    assert "申请复核" in client.get("/ratings/mine/").content.decode()
    page = client.post(f"/ratings/mine/{r.pk}/appeal/", {"reason": "malicious", "statement": "恶意"},
                       follow=True).content.decode()
    assert "申诉已提交" in page
    appeal = Appeal.objects.get()
    assert as_(client, w.head).get("/ratings/appeals/").status_code == 403
    as_(client, w.supervisor)
    assert "恶意" in client.get("/ratings/appeals/").content.decode()
    page = client.post(f"/ratings/appeals/{appeal.pk}/decide/", {"decision": "upheld"}, follow=True).content.decode()
    assert "请填写复核意见" in page
    client.post(f"/ratings/appeals/{appeal.pk}/decide/", {"decision": "upheld", "note": "查实"})
    r.refresh_from_db()
    assert r.excluded is True


# -- metrics and the public page ------------------------------------------------------------------------------


def test_metrics_page_has_the_chart_definitions_and_scope(client, w, today):
    _bad(w)
    page = as_(client, w.head).get("/ratings/metrics/?by=officer&start=2026-09-01&end=2026-09-30").content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in page
    # Every script and stylesheet is served from this site (no CDN on a government intranet); the random
    # CSRF token may contain any letters, so look at the src/href attributes, not the whole page.
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)
    assert "满意率</dt>" in page and "申诉成立" in page
    assert "李窗口（1001）" in page
    data = json.loads(page.split('id="ratings-chart-data" type="application/json">')[1].split("</script>")[0])
    assert data["groups"] == [{"name": "李窗口（1001）", "values": [0.0, 100.0, 0.0, None]}]
    assert as_(client, w.citizen).get("/ratings/metrics/").status_code == 403


def test_public_page_shows_counts_and_results_without_personal_data(client, w, today):
    r = _bad(w)
    rect = r.rectification
    s.rectification_verify(rectification=rect, head=w.head, finding="true", note="核实属实，李窗口离岗")
    s.rectification_rectify(rectification=rect, head=w.head, measures="高峰时段增开窗口")
    s.rectification_callback(rectification=rect, head=w.head, result="satisfied", note="张三表示满意")
    s.rectification_close(rectification=rect, head=w.head)
    page = client.get("/ratings/public/?start=2026-09-01&end=2026-09-30").content.decode()
    assert "示范县市场监督管理局" in page and "高峰时段增开窗口" in page and "情况属实" in page
    for personal in ("张三", "13812345678", "李窗口", "1001", "等了一个小时没人理", r.case.case_no):
        assert personal not in page


# -- API --------------------------------------------------------------------------------------------------------


def test_api_records_a_web_rating_and_refuses_twice(client, w, today):
    case = finish_online(w, today)
    as_(client, w.citizen)
    body = {"channel": "web", "case_no": case.case_no, "overall": 2, "dims": {"convenience": 2}}
    r = client.post("/api/ratings/", body, content_type="application/json")
    assert r.status_code == 201
    out = r.json()
    assert (out["kind"], out["is_bad"], out["rectification"]["status"], out["rectification"]["due_on"]) == (
        "online", True, "verify", "2026-10-23")
    r = client.post("/api/ratings/", body, content_type="application/json")
    assert (r.status_code, r.json()["message"]) == (409, "该办件已经评价过，每件只能评价一次")
    as_(client, w.officer)
    r = client.post("/api/ratings/", body, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "not_applicant")


def test_api_hotline_rating_by_the_regions_supervisor_for_the_caller_of_record(client, w, today):
    case = finish_at_window(w, today, phone="13812345678")
    body = {"channel": "12345", "case_no": case.case_no, "overall": 5, "contact_phone": "13812345678"}
    for staff in (w.outsider, w.officer, w.head, w.hall_admin):  # the rated side never records a hotline rating
        r = as_(client, staff).post("/api/ratings/", body, content_type="application/json")
        assert (r.status_code, r.json()) == (403, {"code": "not_hotline", "message": "12345热线评价由本地区效能监察员录入"})
    as_(client, w.supervisor)
    r = client.post("/api/ratings/", {**body, "contact_phone": "13900001111"}, content_type="application/json")
    assert (r.status_code, r.json()["message"]) == (400, "来电号码与办件登记的联系电话不一致，不能代为录入评价")
    r = client.post("/api/ratings/", {**body, "case_no": ""}, content_type="application/json")
    assert (r.status_code, r.json()["message"]) == (400, "12345热线评价须指明办件编号")
    assert not Rating.objects.exists()
    r = client.post("/api/ratings/", body, content_type="application/json")
    assert (r.status_code, r.json()["channel"]) == (201, "12345")
    assert Rating.objects.get().officer == w.officer  # the officer who handled the case


def test_api_link_and_metrics(client, w, sending):
    _case, token = _invite(w, sending)
    with clock.frozen(D(2026, 9, 29)):
        r = client.post(f"/api/ratings/links/{token}", {"overall": 4}, content_type="application/json")
        assert r.status_code == 201
        r = client.post(f"/api/ratings/links/{token}", {"overall": 4}, content_type="application/json")
        assert (r.status_code, r.json()["message"]) == (410, "该评价链接已经使用过，每个链接只能评价一次")
        m = as_(client, w.leader).get("/api/ratings/metrics?by=window&start=2026-09-01&end=2026-09-30").json()
    assert m["rows"] == [{
        "key": str(w.window.pk), "label": "示范县政务服务中心 5号窗口", "ratings": 1, "satisfied": 1, "bad": 0,
        "bad_closed": 0, "callbacks": 0, "callbacks_ok": 0, "finished": 1, "active": 0, "satisfaction_rate": 1.0,
        "active_rate": 0.0, "rectification_rate": None, "callback_satisfaction": None}]
    client.logout()
    pub = client.get("/api/ratings/public?start=2026-09-01&end=2026-09-30").json()
    assert (pub["total"]["ratings"], pub["rows"][0]["label"]) == (1, "示范县市场监督管理局")


def test_staff_print_a_rating_qr_that_the_applicant_uses_once(client, w, today):
    import re

    from django.urls import reverse

    from zhengwu.ratings.models import RatingInvite

    case = finish_at_window(w, today)
    url = reverse("ratings:invite_print", args=[case.case_no])
    client.force_login(w.outsider.user)
    assert client.post(url).status_code == 403 and not RatingInvite.objects.exists()
    client.force_login(w.officer.user)
    html = client.get(reverse("cases:staff_case", args=[case.case_no])).content.decode()
    assert f'action="{url}"' in html and "打印评价二维码" in html
    response = client.post(url)
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and case.case_no in html
    link = re.search(r"http://testserver(/ratings/r/[^<\s]+/)", html).group(1)
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    client.post(link, {"overall": "5"})
    assert Rating.objects.get(case=case).channel == "qr"
    assert client.get(link).status_code == 410  # used
    assert RatingInvite.objects.get().issued_by == w.officer
    assert AuditEvent.objects.filter(summary=f"打印办件 {case.case_no} 的评价二维码", actor=w.officer.user).count() == 1


def test_no_slip_replaces_the_applicants_sms_link(client, w, today, sending):
    """Printing a slip for a case invited by SMS would kill the applicant's link and hand the
    officer a working one: refused, and the SMS link still works."""
    import re

    from django.urls import reverse

    from zhengwu.core.notify import ConsoleNotifier
    from zhengwu.ratings.models import RatingInvite

    case = finish_at_window(w, today)
    ConsoleNotifier.sent.clear()
    with clock.frozen(today), sending():
        s.rating_invite_issue(case=case, channel=Channel.SMS)
    link = re.search(r"(/ratings/r/[^/\s]+/)", ConsoleNotifier.sent[-1].text).group(1)
    before = list(RatingInvite.objects.values_list("token_hash", "channel", "issued_by"))
    client.force_login(w.officer.user)
    r = client.post(reverse("ratings:invite_print", args=[case.case_no]))
    assert r.status_code == 409
    assert "已通过短信向申请人（138****5678）发送评价链接，请提醒申请人查看短信，不再打印评价二维码" in r.content.decode()
    assert list(RatingInvite.objects.values_list("token_hash", "channel", "issued_by")) == before
    assert not AuditEvent.objects.filter(summary__startswith="打印办件").exists()
    client.logout()
    assert client.get(link).status_code == 200
