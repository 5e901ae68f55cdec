"""Client systems: a key issued in the admin is shown once and stored hashed; re-issuing revokes the old one."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from zhengwu.accounts.models import hash_token
from zhengwu.core.models import AuditEvent
from zhengwu.open311.demo import DEMO_KEY, load_demo_open311
from zhengwu.open311.models import Open311Client

from .conftest import BASE
from .contract import check_json, errors_of

pytestmark = pytest.mark.django_db

KEY_IN_MESSAGE = re.compile(r"api_key：(zw_o311_[A-Za-z0-9_-]+)")


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser(username="root", password="pass-123456"))
    return client


def _keys(response) -> list[str]:
    return [
        m.group(1) for msg in get_messages(response.wsgi_request) if (m := KEY_IN_MESSAGE.search(str(msg)))
    ]


def _post(client, key, **data):
    base = {
        "api_key": key,
        "service_code": "CJ-01",
        "address_string": "东大街",
        "description": "路灯坏了",
        "phone": "13912345678",
    }
    return client.post(f"{BASE}requests.json", {**base, **data})


def test_admin_issues_a_key_once_and_stores_its_hash(admin_client, world):
    response = admin_client.post(
        "/admin/open311/open311client/add/",
        {
            "name": "随手拍",
            "jurisdiction": world.county.pk,
            "active": "on",
            "posts_per_hour": "300",
            "note": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    [key] = _keys(response)
    client = Open311Client.objects.get()
    assert (client.name, client.prefix, client.key_hash, client.jurisdiction) == (
        "随手拍",
        key[:8],
        hash_token(key),
        world.county,
    )
    assert key not in str(Open311Client.objects.values_list().get())  # only the hash is kept
    assert (
        AuditEvent.objects.filter(
            object_type="open311.open311client", object_id=str(client.pk), action="create"
        ).count()
        == 1
    )
    # the change page never shows it again
    page = admin_client.get(f"/admin/open311/open311client/{client.pk}/change/").content.decode()
    assert key not in page
    assert check_json(_post(admin_client, key), "post-request-response.json")


def test_admin_edit_is_audited_and_cannot_move_the_jurisdiction(admin_client, world):
    from zhengwu.open311.services import client_issue

    client, key = client_issue(name="随手拍", jurisdiction=world.county)
    response = admin_client.post(
        f"/admin/open311/open311client/{client.pk}/change/",
        {"name": "随手拍2", "jurisdiction": world.other_county.pk, "posts_per_hour": "5", "note": "停用"},
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.active, client.posts_per_hour, client.jurisdiction) == (
        "随手拍2",
        False,
        5,
        world.county,
    )
    assert AuditEvent.objects.filter(action="update", object_id=str(client.pk)).get().summary == (
        "修改 Open311 接入系统“随手拍2”：系统名称、启用、每小时提交上限、备注"
    )
    assert (
        errors_of(_post(admin_client, key), 403)[0]["description"] == "api_key 无效或已停用，请联系热线中心"
    )


def test_rotating_a_key_revokes_the_old_one(admin_client, world):
    from zhengwu.open311.services import client_issue

    client, old = client_issue(name="随手拍", jurisdiction=world.county)
    response = admin_client.post(
        "/admin/open311/open311client/",
        {"action": "rotate_keys", "_selected_action": [client.pk]},
        follow=True,
    )
    [new] = _keys(response)
    assert new != old
    errors_of(_post(admin_client, old), 403)
    check_json(_post(admin_client, new), "post-request-response.json")


def test_a_client_belongs_to_a_county(world):
    from zhengwu.core.errors import DomainError
    from zhengwu.open311.services import client_issue

    with pytest.raises(DomainError) as exc:
        client_issue(name="镇级系统", jurisdiction=world.town)
    assert exc.value.message == "接入系统的辖区应为县级行政区划"
    assert Open311Client.objects.count() == 0


def test_the_demo_client(client, world):
    assert load_demo_open311() is not None
    assert load_demo_open311() is None  # idempotent
    demo = Open311Client.objects.get()
    assert (demo.jurisdiction.code, demo.publish_consent, demo.active) == ("130621000000", True, True)
    assert check_json(_post(client, DEMO_KEY), "post-request-response.json")
