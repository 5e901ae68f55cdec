"""Attachments through the API: intake (受理) and 办结反馈 take files as multipart forms, checked by the
platform's upload rules (type allow-list, a real parser, the size limit); a refused file leaves nothing
written and answers with a Chinese {code, message}. The caller's files follow the caller rule."""

from __future__ import annotations

import pytest
from django.test import Client

from zhengwu.accounts.models import ApiToken
from zhengwu.core.models import AuditEvent
from zhengwu.core.testing import pdf_bytes, upload
from zhengwu.hotline.models import Attachment, Order, OrderEvent, Status

from .factories import PHONE, build_world, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    for s in (world.taker, world.officer, world.other_officer):
        ApiToken.issue(user=s.user, name="测试", raw=f"zw_test_{s.employee_no}")
    return world


def api(staff):
    return {"HTTP_AUTHORIZATION": f"Bearer zw_test_{staff.employee_no}"}


def intake(w, **over):
    form = {
        "kind": "complaint",
        "category": w.roads.code,
        "region": w.town.code,
        "text": "城关镇东大街路灯坏了三天",
        "caller_phone": PHONE,
        "caller_name": "张大明",
        "address": "城关镇东大街12号",
    }
    form.update(over)
    return Client().post("/api/hotline/orders/upload", form, **api(w.taker))


def written() -> tuple[int, int, int]:
    return Order.objects.count(), OrderEvent.objects.count(), Attachment.objects.count()


def test_intake_takes_attachments_and_lists_them_by_the_caller_rule(w):
    r = intake(
        w, attachments=[upload("现场照片.png"), upload("情况说明.pdf", pdf_bytes())], confidential="true"
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert [(a["name"], a["by_unit"]) for a in data["attachments"]] == [
        ("现场照片.png", False),
        ("情况说明.pdf", False),
    ]
    order = Order.objects.get(no=data["no"])
    assert (order.confidential, order.attachments.count()) == (True, 2)
    assert order.events.get(action="create").detail["files"] == 2
    pdf = order.attachments.get(name="情况说明.pdf")

    # the centre downloads it (audited); after dispatch the unit of a 保密 order neither sees nor gets it
    r = Client().get(f"/api/hotline/orders/{order.no}/files/{pdf.pk}", **api(w.taker))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="view", object_type="hotline.attachment").count() == 1
    from zhengwu.hotline import services

    services.order_dispatch(order=order, staff=w.taker)
    unit = Client()
    assert unit.get(f"/api/hotline/orders/{order.no}", **api(w.officer)).json()["attachments"] == []
    r = unit.get(f"/api/hotline/orders/{order.no}/files/{pdf.pk}", **api(w.officer))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert AuditEvent.objects.filter(action="view", object_type="hotline.attachment").count() == 1


def test_an_oversize_attachment_is_refused_in_chinese_and_writes_nothing(w, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 2000
    r = intake(w, attachments=[upload("照片.pdf", pdf_bytes(size=5000))])
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "file_too_large"
    assert "照片.pdf" in body["message"] and "上限" in body["message"]
    assert written() == (0, 0, 0)


def test_a_body_beyond_the_upload_limit_is_refused_unread(w, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 2000  # the endpoint's multipart limit: five files' limit plus the form
    r = intake(w, attachments=[upload("照片.pdf", pdf_bytes(size=5 * 2000 + 1024 * 1024 + 10))])
    assert (r.status_code, r.json()["code"]) == (413, "body_too_large")
    assert "最多 5 个文件" in r.json()["message"]
    assert written() == (0, 0, 0)


def test_several_files_beyond_one_files_limit_in_total_are_taken_at_intake_and_reply(w, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1024 * 1024  # 3 × 0.9 MB: over one file's limit plus the form
    size = 1024 * 1024 * 9 // 10
    r = intake(w, attachments=[upload(f"照片{i}.pdf", pdf_bytes(size=size)) for i in range(3)])
    assert r.status_code == 201, r.content
    assert len(r.json()["attachments"]) == 3
    order = signed(w)
    r = Client().post(
        f"/api/hotline/orders/{order.no}/uploads/reply",
        {"text": "已更换", "solved": "true",
         "attachments": [upload(f"完工{i}.pdf", pdf_bytes(size=size)) for i in range(3)]},
        **api(w.officer),
    )
    assert r.status_code == 200, r.content
    assert order.attachments.filter(by_unit=True).count() == 3


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("现场照片.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 40, "file_content"),  # JPEG magic only
        ("说明.pdf", b"%PDF-1.7\n" + b"x" * 500, "file_content"),  # a PDF header and nothing behind it
        ("工具.exe", b"MZ" + b"\0" * 100, "file_type"),
    ],
)
def test_a_fake_or_forbidden_file_is_refused_and_writes_nothing(w, name, data, code):
    r = intake(w, attachments=[upload("真的.pdf", pdf_bytes()), upload(name, data)])
    assert r.status_code == 400
    assert r.json()["code"] == code and name in r.json()["message"]
    assert written() == (0, 0, 0)


def test_more_than_five_attachments_are_refused(w):
    r = intake(w, attachments=[upload(f"照片{i}.png") for i in range(6)])
    assert (r.status_code, r.json()["code"]) == (422, "too_many_files")
    assert written() == (0, 0, 0)


def test_bad_form_fields_are_refused_before_any_file_is_kept(w):
    r = intake(w, attachments=[upload("照片.png")], caller_phone="", anonymous="false")
    assert (r.status_code, r.json()["code"]) == (422, "phone_required")
    assert written() == (0, 0, 0)


def test_the_unit_replies_with_attachments(w):
    order = signed(w)
    events = OrderEvent.objects.filter(order=order).count()
    c = Client()
    url = f"/api/hotline/orders/{order.no}/uploads/reply"
    r = c.post(
        url,
        {
            "text": "已更换",
            "solved": "true",
            "attachments": [upload("假照片.png", b"\x89PNG\r\n\x1a\n" * 30)],
        },
        **api(w.officer),
    )
    assert (r.status_code, r.json()["code"]) == (400, "file_content")
    order.refresh_from_db()
    assert (order.status, order.reply_text, order.attachments.count()) == (Status.HANDLING, "", 0)
    assert OrderEvent.objects.filter(order=order).count() == events

    r = c.post(
        url,
        {"text": "已更换", "solved": "true", "attachments": [upload("完工照片.png")]},
        **api(w.other_officer),
    )
    assert r.status_code == 404  # another department's officer: not its order, nothing kept
    assert order.attachments.count() == 0

    r = c.post(
        url,
        {
            "text": "已更换路灯灯泡",
            "solved": "true",
            "attachments": [upload("完工照片.png"), upload("验收单.pdf")],
        },
        **api(w.officer),
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == Status.REVIEWING
    order.refresh_from_db()
    assert (order.reply_text, order.reply_solved) == ("已更换路灯灯泡", True)
    assert list(order.attachments.values_list("name", "by_unit")) == [
        ("完工照片.png", True),
        ("验收单.pdf", True),
    ]
    assert order.events.get(action="reply").detail == {"solved": True, "files": 2}
    listed = c.get(f"/api/hotline/orders/{order.no}", **api(w.officer)).json()["attachments"]
    assert [a["name"] for a in listed] == ["完工照片.png", "验收单.pdf"]
