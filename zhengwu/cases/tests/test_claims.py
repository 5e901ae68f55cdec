"""认领办件: a citizen links a case taken in at a window (or by a village agent) to their web account.

Case number + the credential recorded on the case, then a one-time code sent to the case's recorded
phone. Pages through the test client, the API with a bearer token; each refusal is checked for its
answer and that nothing changed (case row, events, audit trail, codes, messages).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from zhengwu.accounts.models import ApiToken
from zhengwu.cases import claims, plan
from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseEvent, ClaimCode, Status
from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.ratings.models import Rating

from .factories import PERSON_ID, USCC, applicant, build_world, pdf

pytestmark = pytest.mark.django_db
JSON = "application/json"
OTHER_ID = "110105194912310038"  # valid check digit, nobody's case
NOT_FOUND = {"code": "not_found", "message": claims.NOT_FOUND_MESSAGE}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fresh(request):
    plan._plans.clear()
    ConsoleNotifier.sent.clear()
    yield
    plan._plans.clear()


@pytest.fixture
def w():
    world = build_world()
    world.stranger = get_user_model().objects.create_user(username="lisi", password="pass-123456", real_name="李四")
    return world


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a request with its on-commit hooks (the SMS goes out on commit)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def window_case(w, **over) -> Case:
    return s.case_submit(item=w.item, applicant=applicant(**over), channel="window", officer=w.officer,
                         files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])


def token(user) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def sms(kind: str) -> list:
    return [m for m in ConsoleNotifier.sent if m.kind == kind]


def last_code() -> str:
    return re.search(r"验证码(\d{6})", sms("case_claim_code")[-1].text).group(1)


def snapshot(case: Case) -> tuple:
    """Everything a refused claim must leave as it was."""
    return (Case.objects.filter(pk=case.pk).values().get(), CaseEvent.objects.filter(case=case).count(),
            AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).count())


def api_start(client, user_headers, case_no, **cred):
    return client.post("/api/cases/claims", {"case_no": case_no, **cred}, content_type=JSON, headers=user_headers)


def api_confirm(client, user_headers, case_no, code, **more):
    return client.post("/api/cases/claims/confirm", {"case_no": case_no, "code": code, **more}, content_type=JSON,
                       headers=user_headers)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# -- the whole flow -----------------------------------------------------------------------------------------


def test_page_flow_links_a_window_case_and_the_applicant_can_act_on_it(client, w, send):
    case = window_case(w)
    s.case_accept(case=case, officer=w.officer)
    client.force_login(w.citizen)
    my = client.get(reverse("cases:my_cases"))
    assert case.case_no not in my.content.decode()
    assert 'data-testid="claim-form"' in my.content.decode()

    r = send(client.post, reverse("cases:my_claim"), {"kind": "person", "case_no": case.case_no,
                                                         "id_number": PERSON_ID.lower()})
    assert r.status_code == 302 and r.url == f"{reverse('cases:my_claim_confirm')}?case_no={case.case_no}"
    (message,) = sms("case_claim_code")
    assert (message.to_phone, message.to_user_id, message.data) == ("13812345678", None, {"case_no": case.case_no})
    code = last_code()
    stored = ClaimCode.objects.get(case=case)
    assert (stored.user, stored.phone, stored.attempts, stored.used_at) == (w.citizen, "13812345678", 0, None)
    assert code not in stored.code_hash and len(stored.code_hash) == 64  # an HMAC, never the code
    page = client.get(r.url).content.decode()
    assert "138****5678" in page and 'data-testid="claim-confirm-form"' in page
    assert "include_related" not in page  # no other case to offer

    events = CaseEvent.objects.filter(case=case).count()
    r = send(client.post, reverse("cases:my_claim_confirm"), {"case_no": case.case_no, "code": code})
    assert r.status_code == 302 and r.url == reverse("cases:my_cases")
    case.refresh_from_db()
    assert case.applicant_user == w.citizen and case.status == Status.IN_REVIEW
    claim_event = CaseEvent.objects.filter(case=case).order_by("id").last()
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    assert (claim_event.action, claim_event.actor, claim_event.actor_name, claim_event.role,
            claim_event.from_status, claim_event.to_status, claim_event.note) == (
        "claim", w.citizen, "张三", "applicant", Status.IN_REVIEW, Status.IN_REVIEW, "短信验证码（发送至138****5678）核验通过")
    assert list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
                .values_list("actor", "action", "summary")) == [
        (w.citizen.pk, "update", f"办件 {case.case_no} 由网上账号 citizen 认领（短信验证码发送至 138****5678）")]
    (told,) = sms("case_claimed")
    assert told.to_phone == "13812345678" and "“citizen”" in told.text
    stored.refresh_from_db()
    assert stored.used_at is not None and stored.attempts == 1

    # now it is theirs: listed, readable, its papers open, and they may withdraw it
    my = client.get(reverse("cases:my_cases")).content.decode()
    assert case.case_no in my and "认领成功" in my
    page = client.get(reverse("cases:my_case", args=[case.case_no])).content.decode()
    assert "申请人认领办件（关联网上账号）" in page
    assert client.get(reverse("casedocs:document", args=[case.case_no, "acceptance"])).status_code == 200
    client.post(reverse("cases:my_withdraw", args=[case.case_no]), {"reason": "不办了"})
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN


def test_a_claimed_finished_case_can_be_rated_by_its_applicant(client, w, send):
    case = window_case(w)
    with clock.frozen(dt.date(2026, 3, 10)):
        s.case_accept(case=case, officer=w.officer)
        s.case_review(case=case, officer=w.chief)
        s.case_decide(case=case, officer=w.head, decision="approve")
        s.case_complete(case=case, officer=w.officer)
    client.force_login(w.citizen)
    assert client.get(reverse("ratings:rate_case", args=[case.case_no])).status_code == 404
    send(client.post, reverse("cases:my_claim"), {"kind": "person", "case_no": case.case_no, "id_number": PERSON_ID})
    send(client.post, reverse("cases:my_claim_confirm"), {"case_no": case.case_no, "code": last_code()})
    assert client.post(reverse("ratings:rate_case", args=[case.case_no]), {"overall": "5"}).status_code == 200
    assert Rating.objects.filter(case=case, rater_user=w.citizen).count() == 1


def test_api_flow(client, w, send):
    case = window_case(w)
    auth = token(w.citizen)
    assert client.get(f"/api/cases/{case.case_no}", headers=auth).status_code == 404
    with clock.frozen(dt.date(2026, 3, 10)):  # 10:00 Beijing time
        r = send(api_start, client, auth, case.case_no, id_number=PERSON_ID)
    assert (r.status_code, r.json()) == (202, {"case_no": case.case_no, "phone": "138****5678",
                                               "expires_at": "2026-03-10T10:10:00+08:00", "related": 0})
    with clock.frozen(dt.datetime(2026, 3, 10, 10, 9)):
        r = send(api_confirm, client, auth, case.case_no, last_code())
    assert (r.status_code, r.json()) == (200, {"claimed": [case.case_no]})
    assert client.get(f"/api/cases/{case.case_no}", headers=auth).json()["case_no"] == case.case_no
    assert [c["case_no"] for c in client.get("/api/cases", headers=auth).json()] == [case.case_no]
    assert client.get(f"/api/cases/{case.case_no}/documents", headers=auth).status_code == 200


def test_an_enterprise_case_is_claimed_with_its_credit_code_and_legal_representative(client, w, send):
    case = window_case(w, kind="legal", name="示范县好味餐饮有限公司", uscc=USCC, legal_rep="王五", id_number="")
    auth = token(w.citizen)
    phone = case.contact_phone
    assert api_start(client, auth, case.case_no, uscc=USCC, legal_rep="王六", phone=phone).json() == NOT_FOUND
    # the credit code and the legal representative are public: without the recorded phone, nothing
    assert api_start(client, auth, case.case_no, uscc=USCC, legal_rep="王五", phone="13900001111").json() == NOT_FOUND
    assert api_start(client, auth, case.case_no, id_number=PERSON_ID).json() == NOT_FOUND
    assert send(api_start, client, auth, case.case_no, uscc=USCC.lower(), legal_rep=" 王五 ",
                phone=phone).status_code == 202
    assert send(api_confirm, client, auth, case.case_no, last_code()).json() == {"claimed": [case.case_no]}


def test_other_cases_with_the_same_id_and_phone_come_along_with_the_same_code(client, w, send):
    main, same, same_agent = window_case(w), window_case(w), s.case_submit(
        item=w.item, applicant=applicant(), channel="agent", agent=w.agent)
    other_phone = window_case(w, phone="13900001111")
    other_person = window_case(w, id_number=OTHER_ID)
    online = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.stranger)
    untouched = [snapshot(c) for c in (other_phone, other_person, online)]
    client.force_login(w.citizen)
    send(client.post, reverse("cases:my_claim"), {"kind": "person", "case_no": main.case_no, "id_number": PERSON_ID})
    page = client.get(f"{reverse('cases:my_claim_confirm')}?case_no={main.case_no}").content.decode()
    assert "其他 2 件办件" in page
    r = send(client.post, reverse("cases:my_claim_confirm"),
             {"case_no": main.case_no, "code": last_code(), "include_related": "1"})
    assert r.status_code == 302
    assert set(Case.objects.filter(applicant_user=w.citizen).values_list("pk", flat=True)) == {
        main.pk, same.pk, same_agent.pk}
    assert [snapshot(c) for c in (other_phone, other_person, online)] == untouched
    assert CaseEvent.objects.get(case=same, action="claim").data == {"phone": "138****5678", "with": main.case_no}
    assert AuditEvent.objects.filter(object_type="cases.case", action="update").count() == 3
    (told,) = sms("case_claimed")
    assert main.case_no in told.text and same.case_no in told.text and same_agent.case_no in told.text


def test_without_asking_only_the_named_case_is_claimed(client, w, send):
    main, same = window_case(w), window_case(w)
    auth = token(w.citizen)
    assert send(api_start, client, auth, main.case_no, id_number=PERSON_ID).json()["related"] == 1
    assert send(api_confirm, client, auth, main.case_no, last_code()).json() == {"claimed": [main.case_no]}
    same.refresh_from_db()
    assert same.applicant_user is None


# -- refusals -----------------------------------------------------------------------------------------------


def test_a_wrong_pair_answers_exactly_like_a_missing_case(client, w, send):
    case = window_case(w)
    before = snapshot(case)
    auth = token(w.citizen)
    missing = api_start(client, auth, "SFXZW-20000101-00001", id_number=PERSON_ID)
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    for cred in ({"id_number": OTHER_ID}, {"uscc": USCC, "legal_rep": "张三", "phone": "13812345678"}):
        r = send(api_start, client, auth, case.case_no, **cred)
        assert (r.status_code, r.content) == (missing.status_code, missing.content)
    client.force_login(w.citizen)

    def page_error(case_no, id_number):
        r = client.post(reverse("cases:my_claim"), {"kind": "person", "case_no": case_no, "id_number": id_number})
        return r.status_code, re.search(r'data-testid="error-summary".*?<li>([^<]*)</li>', r.content.decode(), re.S).group(1)

    assert page_error(case.case_no, OTHER_ID) == page_error("SFXZW-20000101-00001", PERSON_ID) == (
        404, claims.NOT_FOUND_MESSAGE)
    assert OTHER_ID not in client.post(reverse("cases:my_claim"), {"kind": "person", "case_no": case.case_no,
                                                                    "id_number": OTHER_ID}).content.decode()
    assert snapshot(case) == before
    assert ClaimCode.objects.count() == 0 and ConsoleNotifier.sent == []


def test_bad_input_is_a_plain_400_and_is_not_counted(client, w):
    case = window_case(w)
    auth = token(w.citizen)
    r = api_start(client, auth, case.case_no)
    assert (r.status_code, r.json()["code"]) == (400, "claim_input")
    assert api_start(client, auth, case.case_no, id_number="110105194912310021").json()["code"] == "invalid_id_number"
    assert api_start(client, auth, case.case_no, uscc=USCC).json()["code"] == "claim_input"  # no legal_rep
    assert api_confirm(client, auth, case.case_no, "12ab").json()["code"] == "claim_input"
    for _ in range(claims.CLAIM_SENDS_PER_USER):
        assert api_start(client, auth, case.case_no, id_number="").status_code == 400
    assert api_start(client, auth, case.case_no, id_number=PERSON_ID).status_code == 202


def test_an_expired_code_links_nothing(client, w, send):
    case = window_case(w)
    auth = token(w.citizen)
    sent_at = clock.now()
    with clock.frozen(sent_at):
        send(api_start, client, auth, case.case_no, id_number=PERSON_ID)
    before = snapshot(case)
    with clock.frozen(sent_at + dt.timedelta(minutes=claims.CLAIM_CODE_MINUTES)):
        r = api_confirm(client, auth, case.case_no, last_code())
    assert (r.status_code, r.json()) == (400, {"code": "claim_code_expired",
                                               "message": "验证码已过期（10分钟内有效），请重新获取"})
    assert snapshot(case) == before and ClaimCode.objects.get().attempts == 0
    with clock.frozen(sent_at + dt.timedelta(minutes=9, seconds=59)):  # just inside: it works
        assert api_confirm(client, auth, case.case_no, last_code()).status_code == 200


def test_a_code_works_once_and_only_for_the_account_that_asked(client, w, send):
    case = window_case(w)
    auth = token(w.citizen)
    send(api_start, client, auth, case.case_no, id_number=PERSON_ID)
    code = last_code()
    r = api_confirm(client, token(w.stranger), case.case_no, code)
    assert (r.status_code, r.json()["code"]) == (400, "claim_code_invalid")
    assert send(api_confirm, client, auth, case.case_no, code).status_code == 200
    after = snapshot(case)
    r = api_confirm(client, auth, case.case_no, code)
    assert (r.status_code, r.json()) == (400, {"code": "claim_code_invalid", "message": "验证码无效或已使用，请重新获取"})
    r = api_start(client, auth, case.case_no, id_number=PERSON_ID)
    assert (r.status_code, r.json()["code"]) == (409, "already_yours")
    assert snapshot(case) == after


def test_five_wrong_codes_kill_it_and_the_sixth_try_is_refused_even_when_right(client, w, send):
    case = window_case(w)
    auth = token(w.citizen)
    send(api_start, client, auth, case.case_no, id_number=PERSON_ID)
    code = last_code()
    before = snapshot(case)
    answers = [api_confirm(client, auth, case.case_no, wrong(code)).json()["message"] for _ in range(5)]
    assert answers == [f"验证码不正确，还可以再试{n}次" for n in (4, 3, 2, 1)] + [
        "验证码不正确，已输错5次，该验证码已失效，请重新获取"]
    r = api_confirm(client, auth, case.case_no, code)
    assert (r.status_code, r.json()) == (429, {"code": "claim_code_locked",
                                               "message": "验证码输错次数过多，已失效，请重新获取"})
    assert snapshot(case) == before and ClaimCode.objects.get().attempts == 5
    # the page says so and sends the applicant back for a new code
    client.force_login(w.citizen)
    page = client.get(f"{reverse('cases:my_claim_confirm')}?case_no={case.case_no}")
    assert page.status_code == 302 and page.url == reverse("cases:my_cases")
    assert "验证码尚未获取或已失效" in client.get(page.url).content.decode()
    # a new code works again
    send(api_start, client, auth, case.case_no, id_number=PERSON_ID)
    assert send(api_confirm, client, auth, case.case_no, last_code()).status_code == 200


def test_a_new_code_replaces_the_previous_one(client, w, send):
    case = window_case(w)
    auth = token(w.citizen)
    send(api_start, client, auth, case.case_no, id_number=PERSON_ID)
    first = last_code()
    send(api_start, client, auth, case.case_no, id_number=PERSON_ID)
    second = last_code()
    if first != second:
        assert api_confirm(client, auth, case.case_no, first).json()["code"] == "claim_code_wrong"
    assert send(api_confirm, client, auth, case.case_no, second).status_code == 200


def test_sending_is_throttled_per_account_page_and_api_together(client, w, send):
    case = window_case(w)
    auth = token(w.citizen)
    client.force_login(w.citizen)
    for _ in range(claims.CLAIM_SENDS_PER_USER - 1):  # wrong pairs count as sends
        assert api_start(client, auth, case.case_no, id_number=OTHER_ID).status_code == 404
    assert client.post(reverse("cases:my_claim"), {"kind": "person", "case_no": case.case_no,
                                                    "id_number": OTHER_ID}).status_code == 404
    before = snapshot(case)
    r = send(api_start, client, auth, case.case_no, id_number=PERSON_ID)  # even the right pair now waits
    assert (r.status_code, r.json()) == (429, {"code": "too_many_attempts", "message": "获取验证码过于频繁，请60分钟后再试"})
    r = send(client.post, reverse("cases:my_claim"), {"kind": "person", "case_no": case.case_no,
                                                        "id_number": PERSON_ID})
    assert r.status_code == 429 and "获取验证码过于频繁" in r.content.decode()
    assert snapshot(case) == before and ClaimCode.objects.count() == 0 and ConsoleNotifier.sent == []
    # another account from the same address is not held up by this one
    assert send(api_start, client, token(w.stranger), case.case_no, id_number=PERSON_ID).status_code == 202


def test_sending_is_throttled_per_client(client, w):
    case = window_case(w)
    users = [get_user_model().objects.create_user(username=f"u{i}", password="pass-123456") for i in range(5)]
    for i in range(claims.CLAIM_SENDS_PER_CLIENT):
        user = users[i // claims.CLAIM_SENDS_PER_USER]
        assert api_start(client, token(user), case.case_no, id_number=OTHER_ID).status_code == 404
    r = api_start(client, token(users[4]), case.case_no, id_number=PERSON_ID)
    assert (r.status_code, r.json()["code"]) == (429, "too_many_attempts")
    r = client.post("/api/cases/claims", {"case_no": case.case_no, "id_number": PERSON_ID}, content_type=JSON,
                    headers=token(users[4]), REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 202


def test_one_case_gets_at_most_three_codes_an_hour(client, w, send):
    case = window_case(w)
    users = [w.citizen, w.stranger]
    for i in range(claims.CLAIM_SENDS_PER_CASE):
        assert send(api_start, client, token(users[i % 2]), case.case_no, id_number=PERSON_ID).status_code == 202
    r = send(api_start, client, token(w.stranger), case.case_no, id_number=PERSON_ID)
    assert (r.status_code, r.json()["code"]) == (429, "too_many_attempts")
    assert len(sms("case_claim_code")) == claims.CLAIM_SENDS_PER_CASE


def test_a_case_linked_to_another_account_cannot_be_claimed(client, w, send):
    online = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.stranger)
    before = snapshot(online)
    r = send(api_start, client, token(w.citizen), online.case_no, id_number=PERSON_ID)
    assert (r.status_code, r.json()["code"]) == (409, "already_claimed")
    assert "到受理窗口办理" in r.json()["message"]
    assert snapshot(online) == before and ConsoleNotifier.sent == []


def test_a_case_claimed_by_someone_else_meanwhile_stays_theirs(client, w, send):
    case = window_case(w)
    mine, theirs = token(w.citizen), token(w.stranger)
    send(api_start, client, mine, case.case_no, id_number=PERSON_ID)
    my_code = last_code()
    send(api_start, client, theirs, case.case_no, id_number=PERSON_ID)
    assert send(api_confirm, client, theirs, case.case_no, last_code()).status_code == 200
    before = snapshot(case)
    r = api_confirm(client, mine, case.case_no, my_code)
    assert (r.status_code, r.json()["code"]) == (409, "already_claimed")
    assert snapshot(case) == before
    assert ClaimCode.objects.get(user=w.citizen).used_at is None


def test_a_landline_cannot_receive_a_code(client, w):
    case = window_case(w, phone="0311-85012345")
    before = snapshot(case)
    r = api_start(client, token(w.citizen), case.case_no, id_number=PERSON_ID)
    assert (r.status_code, r.json()["code"]) == (409, "no_mobile")
    assert snapshot(case) == before and ClaimCode.objects.count() == 0


def test_claiming_needs_a_login(client, w):
    case = window_case(w)
    assert client.post("/api/cases/claims", {"case_no": case.case_no, "id_number": PERSON_ID},
                       content_type=JSON).status_code == 401
    r = client.post(reverse("cases:my_claim"), {"kind": "person", "case_no": case.case_no, "id_number": PERSON_ID})
    assert r.status_code == 302 and r.url.startswith(reverse("portal:login"))


def test_openapi_lists_the_claim_endpoints_with_chinese_summaries(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert paths["/api/cases/claims"]["post"]["summary"].startswith("认领办件")
    assert paths["/api/cases/claims/confirm"]["post"]["summary"].startswith("认领办件")
    assert set(paths["/api/cases/claims"]["post"]["responses"]) == {"202", "400", "404", "409", "429"}
