"""Retries that must not write twice: ``Idempotency-Key`` on the API, one-time form tokens on pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.test.client import RequestFactory, encode_multipart
from django.urls import reverse
from psycopg_pool import PoolTimeout

from zhengwu.accounts.models import ApiToken
from zhengwu.cases import services as case_services
from zhengwu.cases.models import Case, CaseEvent, CaseMaterial
from zhengwu.cases.tests.factories import PERSON_ID, build_world, pdf
from zhengwu.core import clock, idempotency
from zhengwu.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 9, 28, 10, 0, tzinfo=dt.UTC)
APPLICANT = {"kind": "person", "name": "张三", "phone": "13812345678", "id_number": PERSON_ID}
BODY = {"item_code": "SFX-SCJG-001", "channel": "online", "applicant": APPLICANT}
KEY = "5f0c6a1e-7f3b-4c55-9a51-2b1f7c0d9e11"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def w():
    return build_world()


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def post(client, path, data, headers, key=KEY):
    extra = {**headers, "Idempotency-Key": key} if key is not None else headers
    return client.post(path, data, content_type="application/json", headers=extra)


# -- POST /api/cases ---------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_case_and_writes_nothing(client, w):
    citizen = bearer(w.citizen)
    with clock.frozen(DAY):
        first = post(client, "/api/cases", BODY, citizen)
        again = post(client, "/api/cases", BODY, citizen)
    assert first.status_code == 201, first.content
    assert first.json()["case_no"] == "SFXZW-20260928-00001"
    assert (again.status_code, again.content, again["Content-Type"]) == (
        201,
        first.content,
        first["Content-Type"],
    )
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="submit").count() == 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(client, w):
    citizen = bearer(w.citizen)
    post(client, "/api/cases", BODY, citizen)
    other = {**BODY, "applicant": {**APPLICANT, "name": "李四"}}
    r = post(client, "/api/cases", other, citizen)
    assert (r.status_code, r.json()) == (
        422,
        {
            "code": "idempotency_key_reused",
            "message": "该 Idempotency-Key 已用于另一个请求（方法、路径或内容不同）；新的请求请使用新的键",
        },
    )
    assert list(Case.objects.values_list("applicant_name", flat=True)) == ["张三"]
    r = post(client, "/api/cases/x/actions/accept", {}, citizen)  # another path, same key
    assert r.status_code == 422


def test_json_key_order_and_spacing_do_not_change_the_request(client, w):
    citizen = bearer(w.citizen)
    first = post(client, "/api/cases", BODY, citizen)
    applicant = f'{{"id_number": "{PERSON_ID}", "phone": "13812345678", "name": "张三", "kind": "person"}}'
    reordered = f'{{"applicant": {applicant},  "channel": "online", "item_code": "SFX-SCJG-001"}}'
    again = post(client, "/api/cases", reordered, citizen)
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (201, first.content, "true")
    assert Case.objects.count() == 1


def test_two_users_with_the_same_key_are_independent(client, w):
    other = get_user_model().objects.create_user(username="lisi", password="pass-123456")
    a = post(client, "/api/cases", BODY, bearer(w.citizen))
    b = post(client, "/api/cases", BODY, bearer(other))
    assert (a.status_code, b.status_code) == (201, 201)
    assert not b.has_header("Idempotent-Replayed")
    assert a.json()["case_no"] != b.json()["case_no"]
    assert sorted(Case.objects.values_list("applicant_user__username", flat=True)) == ["citizen", "lisi"]


def test_the_same_user_is_one_caller_through_a_token_and_the_session(client, w):
    first = post(client, "/api/cases", BODY, bearer(w.citizen))
    client.force_login(w.citizen)
    again = post(client, "/api/cases", BODY, {})
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (201, first.content, "true")
    assert Case.objects.count() == 1


def test_without_a_key_each_request_writes(client, w):
    citizen = bearer(w.citizen)
    nos = [post(client, "/api/cases", BODY, citizen, key=None).json()["case_no"] for _ in range(2)]
    assert nos == [nos[0], nos[0][:-1] + "2"]
    assert Case.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_a_key_older_than_a_day_writes_again(client, w):
    citizen = bearer(w.citizen)
    with clock.frozen(DAY):
        first = post(client, "/api/cases", BODY, citizen)
    with clock.frozen(DAY + dt.timedelta(hours=23, minutes=59)):
        assert post(client, "/api/cases", BODY, citizen)["Idempotent-Replayed"] == "true"
    with clock.frozen(DAY + dt.timedelta(hours=24, minutes=1)):
        late = post(client, "/api/cases", BODY, citizen)
    assert late.status_code == 201 and not late.has_header("Idempotent-Replayed")
    assert late.json()["case_no"] != first.json()["case_no"]
    assert Case.objects.count() == 2
    record = IdempotencyRecord.objects.get()
    assert (record.created_at, record.status) == (DAY + dt.timedelta(hours=24, minutes=1), 201)


def test_the_purge_job_deletes_records_older_than_a_day(client, w):
    citizen = bearer(w.citizen)
    with clock.frozen(DAY):
        post(client, "/api/cases", BODY, citizen, key="old")
    with clock.frozen(DAY + dt.timedelta(hours=12)):
        post(client, "/api/cases", BODY, citizen, key="new")
    with clock.frozen(DAY + dt.timedelta(hours=25)):
        call_command("idempotency_purge", verbosity=0)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


# -- case actions and uploads ------------------------------------------------------------------------


def test_an_accept_retried_with_the_same_key_is_one_event(client, w):
    case = case_services.case_submit(
        item=w.item, applicant=case_services.Applicant(**APPLICANT), channel="online", user=w.citizen
    )
    officer = bearer(w.officer.user)
    body = {"paper_materials": [w.m1.pk, w.m2.pk]}
    path = f"/api/cases/{case.case_no}/actions/accept"
    first = post(client, path, body, officer)
    again = post(client, path, body, officer)
    assert first.status_code == 200, first.content
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (200, first.content, "true")
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    # Without the key the second accept is a refusal (the case is no longer 待受理), and it is not stored.
    refused = post(client, path, body, officer, key="another-key-for-the-same-accept")
    assert (refused.status_code, refused.json()["code"]) == (409, "bad_state")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [KEY]


def test_an_upload_retried_with_another_multipart_boundary_is_one_material(client, w):
    case = case_services.case_submit(
        item=w.item, applicant=case_services.Applicant(**APPLICANT), channel="online", user=w.citizen
    )
    citizen = {**bearer(w.citizen), "Idempotency-Key": KEY}
    path = f"/api/cases/{case.case_no}/materials"
    content = pdf().read()

    def upload(boundary):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {
            "material_id": str(w.m1.pk),
            "file": SimpleUploadedFile("材料.pdf", content, "application/pdf"),
        }
        return client.post(
            path,
            encode_multipart(boundary, data),
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=citizen,
        )

    first, again = upload("first-boundary-1111"), upload("second-boundary-2222")
    assert first.status_code == 200, first.content
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (200, first.content, "true")
    assert CaseMaterial.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="add_materials").count() == 1


# -- what is stored and what is not ------------------------------------------------------------------


def test_a_domain_refusal_is_replayed(client, w):
    citizen = bearer(w.citizen)
    bad = {**BODY, "applicant": {**APPLICANT, "id_number": "110105194912310021"}}
    first = post(client, "/api/cases", bad, citizen)
    again = post(client, "/api/cases", bad, citizen)
    assert (first.status_code, first.json()["code"]) == (400, "invalid_id_number")
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (400, first.content, "true")
    assert Case.objects.count() == 0


def test_a_503_from_an_exhausted_pool_is_not_stored_and_the_retry_writes(client, w, monkeypatch):
    real = case_services.case_submit
    calls = []

    def busy_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            try:
                raise PoolTimeout("couldn't get a connection after 5.00 sec")
            except PoolTimeout as exc:
                raise OperationalError(str(exc)) from exc
        return real(**kwargs)

    monkeypatch.setattr(case_services, "case_submit", busy_once)
    client.raise_request_exception = False
    citizen = bearer(w.citizen)
    busy = post(client, "/api/cases", BODY, citizen)
    assert (busy.status_code, busy.json()["code"], busy["Retry-After"]) == (503, "busy", "5")
    assert IdempotencyRecord.objects.count() == 0
    retry = post(client, "/api/cases", BODY, citizen)
    assert retry.status_code == 201 and not retry.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.get().status == 201


def test_a_500_is_not_stored_and_the_retry_writes(client, w, monkeypatch):
    real = case_services.case_submit
    calls = []

    def broken_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(case_services, "case_submit", broken_once)
    client.raise_request_exception = False
    citizen = bearer(w.citizen)
    failed = post(client, "/api/cases", BODY, citizen)
    assert (failed.status_code, failed.json()["code"]) == (500, "server_error")
    assert (Case.objects.count(), IdempotencyRecord.objects.count()) == (0, 0)
    retry = post(client, "/api/cases", BODY, citizen)
    assert retry.status_code == 201 and not retry.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 1


def test_a_request_still_running_is_refused_with_409(client, w):
    citizen = bearer(w.citizen)
    fingerprint = idempotency.fingerprint(
        RequestFactory().post("/api/cases", BODY, content_type="application/json")
    )
    IdempotencyRecord.objects.create(
        owner=f"u:{w.citizen.pk}",
        key=KEY,
        fingerprint=fingerprint,
        method="POST",
        path="/api/cases",
        created_at=DAY - dt.timedelta(seconds=5),
    )
    with clock.frozen(DAY):
        running = post(client, "/api/cases", BODY, citizen)
    assert (running.status_code, running["Retry-After"], running.json()) == (
        409,
        "1",
        {
            "code": "idempotency_in_progress",
            "message": "使用同一 Idempotency-Key 的请求正在处理中，请稍后用同一个键重试",
        },
    )
    with clock.frozen(DAY + dt.timedelta(minutes=10)):  # the process that took it never finished
        lost = post(client, "/api/cases", BODY, citizen)
    assert (lost.status_code, lost.json()["code"]) == (409, "idempotency_outcome_unknown")
    assert Case.objects.count() == 0
    assert IdempotencyRecord.objects.get().status is None


@pytest.mark.parametrize(
    "key, code",
    [
        ("", "idempotency_key_invalid"),
        ("   ", "idempotency_key_invalid"),
        ("x" * 256, "idempotency_key_invalid"),
        ("键-不是ASCII", "idempotency_key_invalid"),
    ],
)
def test_a_malformed_key_is_refused_before_anything_runs(client, w, key, code):
    r = client.post(
        "/api/cases",
        BODY,
        content_type="application/json",
        headers={**bearer(w.citizen), "Idempotency-Key": key},
    )
    assert (r.status_code, r.json()) == (
        400,
        {
            "code": code,
            "message": "请求头 Idempotency-Key 应为 1 至 255 个可打印的 ASCII 字符（建议使用 UUID）",
        },
    )
    assert Case.objects.count() == 0 and IdempotencyRecord.objects.count() == 0


def test_a_quoted_key_as_the_draft_writes_it_is_the_same_key(client, w):
    citizen = bearer(w.citizen)
    first = post(client, "/api/cases", BODY, citizen, key=KEY)
    again = post(client, "/api/cases", BODY, citizen, key=f'"{KEY}"')
    assert (again.content, again["Idempotent-Replayed"]) == (first.content, "true")
    assert Case.objects.count() == 1


def test_anonymous_callers_need_a_long_key_and_are_scoped_by_address(client, w):
    case = case_services.case_submit(
        item=w.item, applicant=case_services.Applicant(**APPLICANT), channel="online", user=w.citizen
    )
    body = {"case_no": case.case_no, "credential": "13812345678"}
    short = client.post(
        "/api/cases/progress", body, content_type="application/json", headers={"Idempotency-Key": "abc"}
    )
    assert (short.status_code, short.json()["code"]) == (400, "idempotency_key_too_short")
    first = post(client, "/api/cases/progress", body, {})
    again = post(client, "/api/cases/progress", body, {})
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    other = post(elsewhere, "/api/cases/progress", body, {})
    assert (first.status_code, again["Idempotent-Replayed"], other.has_header("Idempotent-Replayed")) == (
        200,
        "true",
        False,
    )
    owners = sorted(IdempotencyRecord.objects.values_list("owner", flat=True))
    assert len(owners) == 2 and all(o.startswith("ip:") and "127.0.0.1" not in o for o in owners)


# -- pages: one-time form tokens ---------------------------------------------------------------------


def apply_form(w, token):
    return {
        "kind": "person",
        "name": "张三",
        "id_number": PERSON_ID,
        "phone": "13812345678",
        "address": "示范县城关镇东关村1号",
        f"file_{w.m1.pk}": pdf("申请书.pdf"),
        "form_once": token,
    }


def test_an_application_form_resubmitted_with_its_token_writes_once(client, w):
    client.force_login(w.citizen)
    url = reverse("cases:apply", args=["SFX-SCJG-001"])
    page = client.get(url).content.decode()
    token = re.search(r'name="form_once" value="([A-Za-z0-9_-]+)"', page).group(1)
    first = client.post(url, apply_form(w, token))
    again = client.post(url, apply_form(w, token))
    case = Case.objects.get()
    assert (first.status_code, first.url) == (302, reverse("cases:my_case", args=[case.case_no]))
    assert (again.status_code, again.url, again["Idempotent-Replayed"]) == (303, first.url, "true")
    assert CaseEvent.objects.filter(action="submit").count() == 1
    shown = client.get(again.url).content.decode()
    assert "该表单已提交，请勿重复提交" in shown and case.case_no in shown
    # A fresh page carries a fresh token: a second application on purpose still works.
    fresh = re.search(r'name="form_once" value="([A-Za-z0-9_-]+)"', client.get(url).content.decode()).group(1)
    assert fresh != token
    assert client.post(url, apply_form(w, fresh)).status_code == 302
    assert Case.objects.count() == 2


def test_a_page_form_without_the_token_works_as_before(client, w):
    client.force_login(w.citizen)
    url = reverse("cases:apply", args=["SFX-SCJG-001"])
    for _ in range(2):
        data = apply_form(w, "")
        del data["form_once"]
        assert client.post(url, data).status_code == 302
    assert Case.objects.count() == 2


def test_a_refused_form_is_not_kept_and_runs_again_when_sent_again(client, w):
    client.force_login(w.citizen)
    url = reverse("cases:apply", args=["SFX-SCJG-001"])
    token = "t" * 22
    refused = client.post(url, apply_form(w, token) | {"id_number": "110105194912310021"})
    assert (refused.status_code, Case.objects.count(), IdempotencyRecord.objects.count()) == (400, 0, 0)
    corrected = client.post(url, apply_form(w, token))
    assert corrected.status_code == 302 and Case.objects.count() == 1


def test_a_resubmitted_form_whose_first_answer_was_a_page_gets_the_chinese_page(client, settings):
    from django.http import HttpResponse
    from django.urls import path

    from zhengwu import urls

    writes = []

    def act(request):
        writes.append(request.POST["n"])
        return HttpResponse("已办理")

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [path("act/", act), *urls.urlpatterns]})
    form = {"n": "1", "form_once": "p" * 22}
    first = client.post("/act/", form)
    again = client.post("/act/", form, HTTP_REFERER="http://testserver/act/")
    elsewhere = client.post("/act/", form, HTTP_REFERER="https://evil.example/")
    assert (first.status_code, first.content.decode()) == (200, "已办理")
    body = again.content.decode()
    assert (again.status_code, again["Idempotent-Replayed"]) == (409, "true")
    assert "该表单已提交，请勿重复提交" in body and 'href="http://testserver/act/"' in body
    assert "evil.example" not in elsewhere.content.decode()
    assert writes == ["1"]


def test_a_malformed_form_token_is_refused(client, w):
    client.force_login(w.citizen)
    r = client.post(reverse("cases:apply", args=["SFX-SCJG-001"]), apply_form(w, "short<>"))
    assert r.status_code == 400 and "表单已失效，请刷新页面后重新填写提交" in r.content.decode()
    assert Case.objects.count() == 0


# -- real threads --------------------------------------------------------------------------------------


@pytest.fixture
def tw(settings, tmp_path):
    from zhengwu.cases.tests.test_concurrency import _file_database_on_sqlite
    from zhengwu.org.models import Role

    settings.MEDIA_ROOT = tmp_path
    for code, name in Role.DEFAULTS:  # a transactional test ends with a flush that empties them
        Role.objects.get_or_create(code=code, defaults={"name": name})
    world = build_world()
    world.headers = {**bearer(world.citizen), "Idempotency-Key": KEY}
    with _file_database_on_sqlite(tmp_path / "threads.sqlite3"):
        yield world


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_the_same_key_write_one_case(tw):
    from zhengwu.cases.tests.test_concurrency import run_together

    def submit(i, barrier):
        c = Client()
        barrier.wait()
        r = c.post("/api/cases", BODY, content_type="application/json", headers=tw.headers)
        return r.status_code, r.json(), r.has_header("Idempotent-Replayed")

    results = run_together(8, submit)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Case.objects.count() == 1
    no = Case.objects.get().case_no
    first = [r for r in results if r[0] == 201 and not r[2]]
    assert len(first) == 1 and first[0][1]["case_no"] == no
    for status, body, replayed in results:
        if status == 201:
            assert body["case_no"] == no
        else:
            assert (status, body["code"], replayed) == (409, "idempotency_in_progress", False), (status, body)
    assert CaseEvent.objects.filter(action="submit").count() == 1
    assert list(IdempotencyRecord.objects.values_list("status", flat=True)) == [201]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_a_page_form_writes_once_and_both_go_to_the_result(tw):
    from zhengwu.cases.tests.test_concurrency import run_together

    url = reverse("cases:apply", args=["SFX-SCJG-001"])
    token = "d" * 22

    def click(i, barrier):
        c = Client()
        c.force_login(tw.citizen)
        barrier.wait()
        r = c.post(url, apply_form(tw, token))
        return r.status_code, r.get("Location"), r.has_header("Idempotent-Replayed")

    results = run_together(2, click)

    assert not [r for r in results if isinstance(r, BaseException)], results
    case = Case.objects.get()
    result = reverse("cases:my_case", args=[case.case_no])
    assert sorted(results) == [(302, result, False), (303, result, True)]
    assert CaseEvent.objects.filter(action="submit").count() == 1


def test_the_openapi_declares_the_header_on_every_write_and_on_no_read(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    writes = reads = 0
    for operations in paths.values():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"]
            if method in ("post", "put", "patch", "delete"):
                writes += 1
                assert names.count("Idempotency-Key") == 1, operation["operationId"]
            else:
                reads += 1
                assert "Idempotency-Key" not in names, operation["operationId"]
    key = next(p for p in paths["/api/cases"]["post"]["parameters"] if p["name"] == "Idempotency-Key")
    assert (key["required"], key["schema"]["maxLength"]) == (False, 255)
    assert writes >= 30 and reads >= 30
