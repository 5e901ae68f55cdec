"""Before the deadline nothing tells who bid or obtained the documents, nor how many (招标投标法第二十二条).

Four bidders obtain the documents and two submit bids through the API; then every page, API endpoint,
admin page, the OCDS feeds and the OCDS export are fetched as the public, the agency, the centre admin,
the supervisor and a superuser. None shows a bidder's name, and each answer is the same, byte for byte
(once the one-time form tokens are blanked), as it was before anyone obtained or bid: so no count can be
read off it either."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.trading.models import ExpertTie, TieKind
from zhengwu.trading.services import experts

from . import factories as f
from .test_api import BEFORE, DEADLINE, ISSUE, at, envelope, post, publish_body, token, upload

pytestmark = pytest.mark.django_db

TOKENS = re.compile(r'(name="(csrfmiddlewaretoken|form_once)" value=")[^"]+"|(csrftoken=)[^;]+')


def _normal(text: str) -> str:
    return TOKENS.sub(lambda m: (m.group(1) or m.group(3)) + "…", text)


def _urls(tender) -> dict[str, list[str]]:
    code = tender.project.code
    t = tender.pk
    public = ["/trading/", f"/trading/projects/{code}/", "/api/trading/projects", f"/api/trading/projects/{code}",
              "/api/trading/ocds/releases", f"/api/trading/ocds/releases?ocid=ocds-213czf-{tender.project_id}"]
    staff = ["/trading/manage/", f"/trading/manage/tenders/{t}/"]
    admin = ["/admin/", "/admin/trading/", "/admin/trading/tender/", f"/admin/trading/tender/{t}/change/",
             "/admin/trading/project/", f"/admin/trading/project/{tender.project_id}/change/", "/admin/trading/bid/",
             "/admin/trading/party/", "/admin/trading/expert/", "/admin/trading/policy/"]
    return {"public": public, "agency": staff, "centre": staff, "supervisor": staff + ["/trading/supervise/",
                                                                                       "/api/trading/flags"],
            "superuser": admin + public}


def _fetch_all(client, w, tender, superuser) -> dict[tuple[str, str], tuple[int, str]]:
    users = {"public": None, "agency": w.agent_user, "centre": w.admin.user, "supervisor": w.works_supervisor.user,
             "superuser": superuser}
    seen = {}
    for who, urls in _urls(tender).items():
        client.logout()
        if users[who] is not None:
            client.force_login(users[who])
        for url in urls:
            headers = token(users[who]) if users[who] is not None and url.startswith("/api/") else {}
            r = client.get(url, headers=headers)
            seen[(who, url)] = (r.status_code, _normal(r.content.decode("utf-8")))
    client.logout()
    return seen


def _export(tmp_path, name: str) -> str:
    out = tmp_path / name
    call_command("ocds_export", year=2026, output=str(out))
    return out.read_text(encoding="utf-8")


def test_no_page_api_admin_feed_or_export_tells_who_bid_or_how_many_before_the_deadline(client, w_leaks, tmp_path):
    w, tender, superuser = w_leaks
    with clock.frozen(at(3, 6)):
        # the committee may be drawn before the deadline: its log must not tell either
        experts.committee_draw(tender=tender, user=w.admin.user, specialty="房屋建筑")
    with clock.frozen(BEFORE):
        before = _fetch_all(client, w, tender, superuser)
        export_before = _export(tmp_path, "before.json")

    with clock.frozen(at(3, 10)):
        for i in range(4):
            assert post(client, f"/api/trading/tenders/{tender.pk}/actions/obtain", {}, w.bidder_users[i]) \
                .status_code == 200
    with clock.frozen(at(3, 18)):
        for i in range(2):
            assert upload(client, tender, w.bidder_users[i], envelope(i)).status_code == 200

    with clock.frozen(BEFORE):
        after = _fetch_all(client, w, tender, superuser)
        export_after = _export(tmp_path, "after.json")

    names = [p.name for p in w.bidders] + [p.uscc for p in w.bidders]
    assert sorted(after) == sorted(before)
    for key, (status, text) in after.items():
        assert status in (200, 302), (key, status)
        if key[1] != "/admin/trading/party/":  # the register of market entities lists every party
            for name in names:
                assert name not in text, (key, name)
        assert (status, text) == before[key], key
    assert export_after == export_before
    for name in names:
        assert name not in export_after
    # the pages did show something: the round and its notice
    assert tender.title in after[("public", f"/trading/projects/{tender.project.code}/")][1]
    assert "开标" in after[("agency", f"/trading/manage/tenders/{tender.pk}/")][1]


def test_the_committee_does_not_tell_who_obtained_the_documents_before_the_deadline(client, w_leaks):
    """A drawn member tied to a party that obtains the documents later must not show up as 'tied to a
    bidder' before the deadline (the 回避 replacement is only possible from the opening on anyway)."""
    w, tender, superuser = w_leaks
    with clock.frozen(at(3, 6)):
        committee = experts.committee_draw(tender=tender, user=w.admin.user, specialty="房屋建筑")
    for m in committee.members.filter(expert__isnull=False).select_related("expert"):
        ExpertTie.objects.create(expert=m.expert, party_uscc=w.bidders[0].uscc, party_name=w.bidders[0].name,
                                 kind=TieKind.EMPLOYER, ended_on=dt.date(2025, 6, 30))
    url = f"/api/trading/tenders/{tender.pk}/committee"
    viewers = [w.agent_user, w.admin.user, w.works_supervisor.user, superuser, w.bidder_users[1]]
    with clock.frozen(BEFORE):
        before = [client.get(url, headers=token(u)).content for u in viewers]
    with clock.frozen(at(3, 10)):
        assert post(client, f"/api/trading/tenders/{tender.pk}/actions/obtain", {}, w.bidder_users[0]) \
            .status_code == 200
    with clock.frozen(BEFORE):
        after = [client.get(url, headers=token(u)).content for u in viewers]

    for u, b, a in zip(viewers, before, after, strict=True):
        assert a == b, (u.username, a.decode())


def test_after_the_opening_the_record_names_the_bidders(client, w_leaks):
    w, tender, _ = w_leaks
    with clock.frozen(at(3, 10)):
        for i in range(3):
            post(client, f"/api/trading/tenders/{tender.pk}/actions/obtain", {}, w.bidder_users[i])
    with clock.frozen(at(3, 18)):
        for i in range(3):
            assert upload(client, tender, w.bidder_users[i], envelope(i)).status_code == 200
    with clock.frozen(DEADLINE):
        assert post(client, f"/api/trading/tenders/{tender.pk}/actions/open", {}, w.agent_user).status_code == 200
        text = client.get(f"/trading/projects/{tender.project.code}/").content.decode()

    for i in range(3):
        assert w.bidders[i].name in text
    assert w.bidders[3].name not in text


@pytest.fixture
def w_leaks(client):
    w = f.build_world()
    superuser = get_user_model().objects.create_superuser(username="root", password="pass-123456",
                                                          real_name="超级管理员")
    tender = f.draft_tender(w)
    with clock.frozen(ISSUE):
        r = post(client, f"/api/trading/tenders/{tender.pk}/actions/publish", publish_body(), w.agent_user)
        assert r.status_code == 200, r.content
    tender.refresh_from_db()
    return w, tender, superuser
