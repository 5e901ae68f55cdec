"""大厅显示屏 (issue 18): the hall's 中心管理员 keeps the list of screens; each screen's address shows its queues."""

from __future__ import annotations

import json
import re

import pytest

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.hall import services
from zhengwu.hall.models import HallScreen, ScreenKind

from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return fx.build_hall()


def test_the_manager_adds_a_screen_and_every_bad_field_is_named_at_once(w):
    with pytest.raises(DomainError) as e:
        services.screen_save(staff=w.admin, hall=w.hall, code="state", name="", page_seconds="2",
                             group_ids=[str(w.group_a.pk), "999999"])
    fields = [f["field"] for f in e.value.details["fields"]]
    assert fields == ["code", "name", "page_seconds", "groups"] and not HallScreen.objects.exists()

    s = services.screen_save(staff=w.admin, hall=w.hall, code="1f-east", name="一楼东侧叫号屏", page_seconds="15",
                             group_ids=[str(w.group_a.pk)])
    assert (s.code, s.page_seconds, [g.code for g in s.groups.all()]) == ("1F-EAST", 15, ["A"])
    assert AuditEvent.objects.filter(object_type="hall.hallscreen", object_id=str(s.pk)).exists()
    with pytest.raises(DomainError, match="本大厅已有编号为 1F-EAST 的显示屏"):
        services.screen_save(staff=w.admin, hall=w.hall, code="1F-EAST", name="另一块屏")


def test_only_the_halls_own_manager_sets_up_screens(w, client):
    for who in (w.o1, w.outsider):
        with pytest.raises(PermissionDenied):
            services.screen_save(staff=who, hall=w.hall, code="MAIN", name="综合屏")
    client.force_login(w.o1.user)
    assert client.get("/hall/SFXZW/screens/").status_code == 403
    client.force_login(w.admin.user)
    assert client.get("/hall/SFXZW/screens/").status_code == 200


def test_the_screen_address_shows_its_groups_and_interval(w, client):
    s = services.screen_save(staff=w.admin, hall=w.hall, code="2F", name="二楼叫号屏", page_seconds=20,
                             group_ids=[w.group_a.pk])
    page = client.get("/hall/SFXZW/board/2F/").content.decode()
    flt = json.loads(re.search(r'id="board-filter" type="application/json">(.*?)</script>', page).group(1))
    cfg = json.loads(re.search(r'id="board-config" type="application/json">(.*?)</script>', page).group(1))
    assert flt["groups"] == [w.group_a.pk] and cfg == {"page_seconds": 20} and "二楼叫号屏" in page
    services.screen_disable(staff=w.admin, screen=s)
    assert client.get("/hall/SFXZW/board/2F/").status_code == 404
    assert client.get("/hall/SFXZW/board/NOPE/").status_code == 404


def test_a_commitments_screen_opens_the_commitments_carousel(w, client):
    services.screen_save(staff=w.admin, hall=w.hall, code="PROMISE", name="入口公开承诺屏", kind=ScreenKind.COMMITMENTS)
    r = client.get("/hall/SFXZW/board/promise/")
    assert r.status_code == 302 and r.url == "/commitments/screen/SFXZW/"


def test_the_page_keeps_what_was_typed_and_marks_the_fields(w, client):
    client.force_login(w.admin.user)
    r = client.post("/hall/SFXZW/screens/", {"code": "一楼", "name": "一楼屏", "page_seconds": "300"})
    page = r.content.decode()
    assert r.status_code == 400 and 'data-testid="error-summary"' in page
    assert 'aria-describedby="f-code-error"' in page and 'aria-describedby="f-page_seconds-error"' in page
    assert 'value="一楼屏"' in page and 'aria-describedby="f-name-error"' not in page
