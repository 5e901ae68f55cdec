"""统一身份认证 against a real OpenID Connect provider (django-oauth-toolkit) run as its own server process:
the code flow with PKCE, state and nonce; an RS256 ID token checked against the provider's JWKS; a
citizen account made from the verified claims; the person's window case linked without an SMS code; an
account bound once after a password sign-in; an invalid 身份证号 claim refused."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model

from zhengwu.accounts.models import VerifiedIdentity
from zhengwu.cases import services as s
from zhengwu.cases.models import Case
from zhengwu.cases.tests.factories import applicant, build_world, pdf
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "zhengwu-test-client-secret"
PROVIDER_SETTINGS = "zhengwu.accounts.tests.oidc_provider.settings"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The identity provider: migrate its own SQLite file, register the platform, serve on a free port."""
    data = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (data / "rsa.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE=PROVIDER_SETTINGS, OIDC_PROVIDER_DIR=str(data))
    subprocess.run([sys.executable, "-m", "zhengwu.accounts.tests.oidc_provider.setup",
                    f"{live_server.url}/oidc/callback/", SECRET], env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the test OIDC provider did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def oidc(settings, provider):
    conf = requests.get(f"{provider}/o/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_RP_CLIENT_ID = "zhengwu"
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = conf["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = conf["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = conf["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = conf["jwks_uri"]
    settings.OIDC_OP_ISSUER = conf["issuer"]
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend",
                                        "zhengwu.accounts.oidc.UnifiedIdentityBackend"]
    return conf


def _sign_in_at_provider(session: requests.Session, response: requests.Response, username: str) -> requests.Response:
    """The provider's own login page: fill it in and follow the redirects back to the platform."""
    assert "统一身份认证平台（测试）" in response.text, response.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    nxt = re.search(r'name="next" value="([^"]*)"', response.text).group(1).replace("&amp;", "&")
    return session.post(response.url.split("?")[0], data={"csrfmiddlewaretoken": token, "username": username,
                                                          "password": "provider-pass-1", "next": nxt},
                        headers={"Referer": response.url}, timeout=30)


def test_a_citizen_signs_in_and_links_a_window_case_without_an_sms_code(live_server, oidc):
    w = build_world()
    case = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer,
                         files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
    session = requests.Session()
    login_page = session.get(f"{live_server.url}/login/", timeout=10).text
    assert "统一身份认证登录" in login_page
    first = session.get(f"{live_server.url}/oidc/login/?next=/my/cases/", timeout=30)
    assert first.url.startswith(oidc["issuer"].rsplit("/o", 1)[0])  # at the provider
    landed = _sign_in_at_provider(session, first, "zhangsan")
    assert landed.status_code == 200 and landed.url == f"{live_server.url}/my/cases/", landed.url
    assert 'data-testid="claim-verified"' in landed.text and "<strong>1</strong>" in landed.text

    user = get_user_model().objects.get(verified_identity__isnull=False)
    identity = user.verified_identity
    assert (user.real_name, user.phone, user.has_usable_password()) == ("张三", "13812345678", False)
    assert (identity.issuer, identity.name, identity.id_number) == (oidc["issuer"], "张三", "11010519491231002X")

    page = session.get(f"{live_server.url}/my/cases/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    once = re.search(r'name="form_once" value="([^"]+)"', page)
    data = {"csrfmiddlewaretoken": token, **({"form_once": once.group(1)} if once else {})}
    done = session.post(f"{live_server.url}/my/cases/claim/verified/", data=data,
                        headers={"Referer": f"{live_server.url}/my/cases/"}, timeout=10)
    assert done.status_code == 200 and case.case_no in done.text
    assert Case.objects.get(pk=case.pk).applicant_user_id == user.pk
    assert AuditEvent.objects.filter(summary__contains="统一身份认证核验身份证号").count() == 1

    # the second sign-in finds the same account by (issuer, sub)
    again = requests.Session()
    back = _sign_in_at_provider(again, again.get(f"{live_server.url}/oidc/login/", timeout=30), "zhangsan")
    assert back.url == f"{live_server.url}/me/" and get_user_model().objects.filter(
        verified_identity__isnull=False).count() == 1


def test_a_signed_in_member_of_staff_binds_the_account_once(live_server, oidc):
    w = build_world()
    session = requests.Session()
    page = session.get(f"{live_server.url}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    session.post(f"{live_server.url}/login/", data={"csrfmiddlewaretoken": token, "username": w.officer.user.username,
                                                    "password": "pass-123456", "next": "/me/"},
                 headers={"Referer": f"{live_server.url}/login/"}, timeout=10)
    bound = _sign_in_at_provider(session, session.get(f"{live_server.url}/oidc/login/?bind=1", timeout=30), "zhangsan")
    assert bound.url == f"{live_server.url}/me/"
    assert VerifiedIdentity.objects.get().user_id == w.officer.user_id
    # from now on the identity service alone signs the officer in
    fresh = requests.Session()
    back = _sign_in_at_provider(fresh, fresh.get(f"{live_server.url}/oidc/login/", timeout=30), "zhangsan")
    assert "李窗口" in fresh.get(f"{live_server.url}/me/", timeout=10).text and back.status_code == 200


def test_an_identity_with_a_bad_id_number_is_refused(live_server, oidc):
    session = requests.Session()
    refused = _sign_in_at_provider(session, session.get(f"{live_server.url}/oidc/login/", timeout=30), "lisi")
    assert refused.url.startswith(f"{live_server.url}/login/?oidc=failed")
    assert "统一身份认证未通过" in refused.text
    assert not VerifiedIdentity.objects.exists() and not get_user_model().objects.filter(
        username__startswith="tysf_").exists()


def test_without_configuration_the_entry_says_so_in_chinese(client):
    r = client.get("/oidc/login/")
    assert r.status_code == 404 and "尚未接入统一身份认证" in r.content.decode()
    assert "统一身份认证登录" not in client.get("/login/").content.decode()
