"""Password guessing is slowed per account and per client; the admin signs in on the same page."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from zhengwu.accounts.views import PER_CLIENT, PER_USER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user():
    return get_user_model().objects.create_user(username="zhangsan", password="right-pass-2026")


def _login(client, name, password, addr="10.0.0.1"):
    return client.post("/login/", {"username": name, "password": password}, REMOTE_ADDR=addr)


def test_a_right_password_signs_in(client, user):
    r = _login(client, "zhangsan", "right-pass-2026")
    assert r.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)


def test_five_wrong_passwords_lock_the_account_for_a_while_even_with_the_right_one(client, user):
    for _ in range(PER_USER):
        r = _login(client, "zhangsan", "wrong")
        assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    r = _login(client, "ZhangSan", "right-pass-2026", addr="10.0.0.2")  # another address, name in capitals
    assert r.status_code == 429 and "该账号登录失败次数过多，请15分钟后再试" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert _login(client, "lisi", "whatever", addr="10.0.0.2").status_code == 200  # other accounts unaffected


def test_one_client_trying_many_accounts_is_stopped(client, user):
    for i in range(PER_CLIENT):
        assert _login(client, f"user{i}", "wrong").status_code == 200
    r = _login(client, "zhangsan", "right-pass-2026")
    assert r.status_code == 429 and "登录失败次数过多" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_leads_to_the_platform_login(client):
    r = client.get("/admin/login/?next=/admin/")
    assert (r.status_code, r["Location"]) == (302, "/login/?next=/admin/")
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_full_width_spellings_of_a_name_share_its_counter(client, user):
    for spelling in ("zhangsan", "ｚｈａｎｇｓａｎ", "ZHANGSAN", "ｚhangsan", "zhangsａn"):
        assert _login(client, spelling, "wrong").status_code == 200
    assert _login(client, "zhangsan", "right-pass-2026", addr="10.0.0.9").status_code == 429
