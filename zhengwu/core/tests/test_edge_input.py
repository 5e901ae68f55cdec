"""Bad input at the edge (issue 11): NUL and lone surrogates, bodies that are not UTF-8 JSON, oversize bodies.

Refused once for every endpoint and form by ``zhengwu.core.middleware``, the same on SQLite and
PostgreSQL (before: a 500 ``DataError`` on PostgreSQL, the NUL stored as is on SQLite, a surrogate a
500 on both, a 23 MB body a 500).
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core.asgi import get_asgi_application

from zhengwu.accounts.models import ApiToken
from zhengwu.cases.models import Case
from zhengwu.cases.tests.factories import PERSON, build_world
from zhengwu.core.middleware import body_limit_asgi

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def submit(client, w, body, **kw):
    return client.post("/api/cases", body, content_type="application/json", headers=bearer(w.citizen), **kw)


def test_nul_in_a_json_field_is_refused_naming_the_field(client, w):
    r = submit(client, w, {"item_code": "SFX-SCJG-001", "applicant": {**PERSON, "name": "张\u0000三"}})
    assert (r.status_code, r.json()) == (400, {
        "code": "invalid_character",
        "message": "字段“applicant.name”包含不允许的空字符（U+0000），请删除后重新提交",
        "details": [{"in": "body", "field": "applicant.name"}]})
    assert Case.objects.count() == 0


def test_lone_surrogate_as_a_json_escape_is_refused(client, w):
    body = json.dumps({"item_code": "SFX-SCJG-001", "applicant": PERSON, "note": "备注"}, ensure_ascii=False).replace("备注", "\\ud800")
    r = submit(client, w, body)
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        400, "invalid_character", "字段“note”包含无效的 Unicode 字符（单独的代理项 U+D800），请删除后重新提交")
    assert Case.objects.count() == 0


def test_nul_in_a_list_item_and_in_a_key_is_named(client, w):
    r = submit(client, w, {"item_code": "SFX-SCJG-001", "applicant": PERSON, "missing": ["a", "b\u0000"]})
    assert r.json()["message"].startswith("字段“missing[1]”包含不允许的空字符")
    r = submit(client, w, {"item_code": "SFX-SCJG-001", "applicant": {"na\u0000me": "张三"}})
    assert r.json()["message"].startswith("字段“applicant中的字段名”包含不允许的空字符")


def test_nul_in_the_path_and_in_the_query_string(client, w):
    r = client.get("/api/cases/SFXZW-20260928-00001%00", headers=bearer(w.citizen))
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        400, "invalid_character", "网址路径包含不允许的空字符（U+0000），请删除后重新提交")
    r = client.get("/api/catalog/items?q=%E9%A3%9F%00")
    assert (r.status_code, r.json()["message"]) == (400, "查询参数“q”包含不允许的空字符（U+0000），请删除后重新提交")
    assert r.json()["details"] == [{"in": "query", "field": "q"}]


def test_nul_in_a_page_form_gives_the_chinese_error_page(client, w):
    r = client.post("/progress/", {"case_no": "SFXZW\x00", "credential": "13812345678"})
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/html")
    assert "字段“case_no”包含不允许的空字符（U+0000），请删除后重新提交" in r.content.decode()


def test_a_body_that_is_not_utf8_or_not_json_is_a_chinese_400(client, w):
    r = submit(client, w, b'{"item_code": "\xff\xfe"}')
    assert (r.status_code, r.json()) == (400, {
        "code": "invalid_body", "message": "请求内容不是有效的 UTF-8 编码（第 16 个字节处），请以 UTF-8 编码的 JSON 提交"})
    r = submit(client, w, b'{"item_code": ')
    assert (r.status_code, r.json()) == (400, {
        "code": "invalid_json", "message": "请求内容不是有效的 JSON（第 1 行第 15 列：缺少值）"})
    # a text/plain body reaches ninja's JSON parser all the same
    r = client.post("/api/cases", b"\xff", content_type="text/plain", headers=bearer(w.citizen))
    assert (r.status_code, r.json()["code"]) == (400, "invalid_body")
    assert Case.objects.count() == 0


def test_a_23_mb_json_body_is_413_with_the_json_error(client, w):
    body = b'{"note": "' + b"x" * (23 * 1024 * 1024 - 12) + b'"}'
    r = submit(client, w, body)
    assert (r.status_code, r.json()) == (413, {
        "code": "body_too_large", "message": "请求内容为 23 MB，超过 2.5 MB 的上限"})


class Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_an_oversize_upload_is_refused_from_its_content_length_unread(client, w, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1024 * 1024
    r = client.generic("POST", "/api/cases/SFXZW-20260928-00001/materials", b"x",
                       content_type="multipart/form-data; boundary=zz", headers=bearer(w.citizen),
                       CONTENT_LENGTH=str(3 * 1024 * 1024), **{"wsgi.input": Unread()})
    assert (r.status_code, r.json()) == (413, {
        "code": "body_too_large", "message": "上传内容为 3 MB，超过 2 MB 的上限（单个文件不超过 1 MB）"})


def test_a_page_form_may_carry_several_files_but_not_more(client, w, settings):
    settings.ZHENGWU_MAX_REQUEST_BYTES = 10 * 1024 * 1024
    r = client.generic("POST", "/progress/", b"x", content_type="multipart/form-data; boundary=zz",
                       CONTENT_LENGTH=str(11 * 1024 * 1024), **{"wsgi.input": Unread()})
    assert r.status_code == 413
    assert "上传内容为 11 MB，超过 10 MB 的上限" in r.content.decode()


def test_asgi_refuses_an_oversize_body_without_reading_it():
    """Django's ASGI handler reads the whole body before any middleware runs: the wrapper withholds it.
    No body is ever sent here, so a handler waiting for one would time out instead of answering."""
    app = body_limit_asgi(get_asgi_application())
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/cases", "raw_path": b"/api/cases", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                         (b"content-length", str(500 * 1024 * 1024).encode())],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}

    async def exchange():
        comm = ApplicationCommunicator(app, scope)
        start, body = await comm.receive_output(10), await comm.receive_output(10)
        await comm.wait(1)
        return start, body

    start, body = async_to_sync(exchange)()
    assert (start["status"], json.loads(body["body"])) == (413, {
        "code": "body_too_large", "message": "请求内容为 500 MB，超过 2.5 MB 的上限"})


def test_a_form_field_beyond_djangos_memory_limit_is_413(client, w):
    r = client.post("/progress/", {"case_no": "x" * (3 * 1024 * 1024), "credential": "13812345678"})
    assert r.status_code == 413
    assert "请求内容（文件以外的部分）超过 2.5 MB 的上限" in r.content.decode()
