"""A 保密 caller's phone and name never reach the logs through the hotline's own code paths: intake
(page, refused and accepted), the unit's steps, pages, API and export, the 回访 with its rating, the SMS
(also with their text logged, as in development) and the caller's progress query."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from zhengwu.accounts.models import ApiToken
from zhengwu.hotline import services
from zhengwu.hotline.models import Order

from .factories import build_world

pytestmark = pytest.mark.django_db

NAME, PHONE = "秦守密", "13812349876"


def logged(caplog) -> str:
    parts = []
    for r in caplog.records:
        parts += [r.getMessage(), repr(r.args), r.exc_text or "", str(getattr(r, "request", ""))]
    return "\n".join(parts)


def test_a_confidential_callers_phone_and_name_never_reach_the_logs(
    caplog, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_LOG_TEXT = True  # the strictest: development logs each SMS's text too
    caplog.set_level(logging.DEBUG)
    w = build_world()
    for s in (w.taker, w.officer):
        ApiToken.issue(user=s.user, name="测试", raw=f"zw_test_{s.employee_no}")
    centre, unit = Client(), Client()
    centre.force_login(w.taker.user)
    unit.force_login(w.officer.user)
    form = {
        "channel": "phone", "source": "12345", "kind": "complaint", "category": w.roads.code,
        "region": w.town.code, "text": "东大街路灯坏了", "caller_phone": PHONE, "caller_name": NAME,
        "confidential": "1", "address": "城关镇东大街12号",
    }
    with django_capture_on_commit_callbacks(execute=True):
        refused = centre.post("/hotline/intake/", {**form, "op": "dispatch", "category": "NOPE"})
        assert refused.status_code == 422
        r = centre.post("/hotline/intake/", {**form, "op": "dispatch"})
        assert r.status_code == 302
        order = Order.objects.get()
        assert order.confidential and order.caller_phone == PHONE
        order = services.order_sign(order=order, staff=w.officer)
        order = services.order_reply(order=order, staff=w.officer, text="已修复", solved=True)
        order = services.order_approve(order=order, staff=w.head)
        services.order_callback(order=order, staff=w.taker, result="dissatisfied", solved=False,
                                unit_fault=True, note="仍不亮")  # a 差评 and a 重办
    for page in (f"/hotline/orders/{order.no}/", "/hotline/orders/?queue=all&export=csv"):
        assert unit.get(page).status_code == 200
    headers = {"HTTP_AUTHORIZATION": f"Bearer zw_test_{w.officer.employee_no}"}
    assert unit.get(f"/api/hotline/orders/{order.no}", **headers).status_code == 200
    assert centre.get(f"/hotline/orders/{order.no}/").status_code == 200  # the centre sees them (audited)
    public = Client()
    assert public.post("/hotline/progress/", {"no": order.no, "phone": PHONE}).status_code == 200
    assert public.post("/hotline/progress/", {"no": order.no, "phone": "13800000000"}).status_code == 404
    r = public.post("/api/hotline/progress", {"no": order.no, "phone": PHONE}, content_type="application/json")
    assert r.status_code == 200

    text = logged(caplog)
    assert "通知" in text and order.no in text  # the steps were logged (the SMS lines): the test can see them
    assert NAME not in text and PHONE not in text, text
    assert "12349876" not in text and "守密" not in text
