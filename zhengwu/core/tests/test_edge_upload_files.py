"""An API endpoint that takes several files declares how many (``register_upload_files``): its multipart
body may be that many file limits plus the form; every other API upload keeps one file's limit. The
check is made from the Content-Length, before the body is read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core import middleware
from zhengwu.core.middleware import FORM_OVERHEAD_BYTES, body_limit, register_upload_files, upload_files

MB = 1024 * 1024


class Unread:
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture
def registry():
    saved = list(middleware.UPLOAD_FILES)
    yield
    middleware.UPLOAD_FILES[:] = saved


def post(client, path, length):
    return client.generic("POST", path, b"x", content_type="multipart/form-data; boundary=zz",
                          CONTENT_LENGTH=str(length), **{"wsgi.input": Unread()})


def test_a_registered_endpoint_takes_its_files_and_no_other_path_does(registry, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = MB
    register_upload_files(r"/api/edge/many/[^/]+/files", 3)
    assert upload_files("/api/edge/many/X1/files") == 3
    assert body_limit("/api/edge/many/X1/files", "multipart/form-data") == 3 * MB + FORM_OVERHEAD_BYTES
    for other in ("/api/edge/many/X1/files/extra", "/api/edge/many/files", "/api/cases/X/materials"):
        assert body_limit(other, "multipart/form-data") == MB + FORM_OVERHEAD_BYTES, other
    # JSON and page forms are not concerned
    assert body_limit("/api/edge/many/X1/files", "application/json") == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    register_upload_files(r"/api/edge/many/[^/]+/files", 2)  # registering again replaces
    assert upload_files("/api/edge/many/X1/files") == 2
    with pytest.raises(ValueError):
        register_upload_files(r"/api/edge/none", 0)


@pytest.mark.django_db
def test_the_middleware_lets_several_files_through_and_refuses_beyond_them(client, registry, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = MB
    register_upload_files(r"/api/edge/many", 3)
    files = [SimpleUploadedFile(f"f{i}.pdf", b"%PDF-" + b"x" * (MB * 9 // 10)) for i in range(3)]
    r = client.post("/api/edge/many", {"files": files})  # 2.7 MB: over one file's limit plus the form
    assert r.status_code == 404  # past the size check: the (unknown) endpoint answers
    files = [SimpleUploadedFile(f"f{i}.pdf", b"%PDF-" + b"x" * (MB * 9 // 10)) for i in range(3)]
    assert client.post("/api/edge/one", {"files": files}).status_code == 413  # one file's limit only
    r = post(client, "/api/edge/many", 5 * MB)
    assert (r.status_code, r.json()) == (413, {
        "code": "body_too_large",
        "message": "上传内容为 5 MB，超过 4 MB 的上限（最多 3 个文件，单个文件不超过 1 MB）"})
    r = post(client, "/api/edge/one", 3 * MB)
    assert (r.status_code, r.json()["message"]) == (413, "上传内容为 3 MB，超过 2 MB 的上限（单个文件不超过 1 MB）")


def test_the_hotline_registers_its_five_file_endpoints(settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 20 * MB
    assert body_limit("/api/hotline/orders/upload", "multipart/form-data") == 100 * MB + FORM_OVERHEAD_BYTES
    assert body_limit("/api/hotline/orders/RX2026120700001/uploads/reply", "multipart/form-data") == (
        100 * MB + FORM_OVERHEAD_BYTES)
    assert body_limit("/api/hotline/orders", "multipart/form-data") == 21 * MB
