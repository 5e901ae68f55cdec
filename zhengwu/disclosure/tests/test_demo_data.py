"""The demo county's 政务公开: bodies with their staff, publications, requests in every state, a draft report.

The county and its disclosure data are built once for the module inside a transaction that is
rolled back at the end; every test runs in a savepoint on top of it. The demo counts its dates back
from today, so the module runs on a fixed day (a Thursday in late November) to assert exact numbers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.demo.build import load_demo
from zhengwu.disclosure import selectors
from zhengwu.disclosure.demo import load_demo_disclosure
from zhengwu.disclosure.models import (
    AnnualReport,
    Appeal,
    Body,
    BodyMember,
    Consultation,
    InfoRequest,
    Publication,
    PublicationEvent,
    PubStatus,
    ReqStatus,
    RequestEvent,
)
from zhengwu.disclosure.models.requests import OPEN_STATUSES
from zhengwu.disclosure.services.requests import reply_deadline
from zhengwu.disclosure.tables import report_data
from zhengwu.org.models import Staff
from zhengwu.workdays import engine

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gk")]

DEPARTMENT_CODES = {"SFXSCJ", "SFXGAJ", "SFXZRGH", "SFXRSJ"}
CHAIN = ["create", "submit", "review", "secrecy", "sign", "publish"]
TODAY = dt.date(2026, 11, 26)
LAST_YEAR = 2025


@pytest.fixture(scope="module")
def gk(django_db_setup, django_db_blocker):
    # The same fast hasher the autouse fixture gives every test (conftest.py).
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, clock.frozen(TODAY), transaction.atomic():
        load_demo()
        yield load_demo_disclosure(villages=False)  # the villages are built for the last tests (below)
        transaction.set_rollback(True)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _staff(username: str) -> Staff:
    return Staff.objects.get(user__username=username)


def _page(client, username: str | None, url: str) -> str:
    if username:
        client.force_login(_user(username))
    resp = client.get(url)
    assert resp.status_code == 200, resp.content[:300]
    return resp.content.decode()


def test_the_counts_returned_are_what_was_written(gk):
    assert gk == {
        "bodies": 5,
        "members": 10,
        "duties": 25,
        "publications": 22,
        "published": 19,
        "requests": 16,
        "reports": 2,
    }
    assert Body.objects.count() == 5 and BodyMember.objects.count() == 25
    assert Publication.objects.count() == 22 and InfoRequest.objects.count() == 16


def test_the_county_government_heads_the_tree_of_demo_departments():
    gov = Body.objects.get(code="SFX")
    assert (gov.name, gov.kind, gov.parent, gov.department) == ("示范县人民政府", Body.Kind.GOVERNMENT, None, None)
    assert gov.office == "示范县人民政府办公室" and gov.region.code == "130621000000"
    children = list(gov.children.select_related("department", "region"))
    assert {b.code for b in children} == DEPARTMENT_CODES
    for body in children:
        assert body.kind == Body.Kind.DEPARTMENT
        assert body.department.name == body.name and body.region == gov.region
        assert body.office and body.address and body.phone


def test_demo_accounts_work_in_their_bodies_with_their_duties():
    def codes(username):
        return list(selectors.bodies_for_staff(_staff(username)).values_list("code", flat=True))

    def duties(username, code):
        return set(BodyMember.objects.filter(staff__user__username=username, body__code=code)
                   .values_list("duty", flat=True))

    assert codes("sxdb") == ["SFXSCJ"] and codes("bmfzr") == ["SFXSCJ"]
    assert codes("zxgly") == ["SFX"] and codes("ld") == ["SFX"]
    assert duties("sxdb", "SFXSCJ") == {"officer"}
    assert duties("bmfzr", "SFXSCJ") == {"reviewer", "secrecy", "signer", "head"}
    assert duties("zxgly", "SFX") == {"officer", "head"}
    assert duties("ld", "SFX") == {"reviewer", "secrecy", "signer"}
    assert codes("xnjc") == [] and codes("ck_officer") == []
    assert not Staff.objects.filter(user__username="citizen").exists()


def test_every_body_has_every_duty_of_the_chain():
    for body in Body.objects.all():
        have = set(body.members.values_list("duty", flat=True))
        assert have == set(BodyMember.Duty.values), body.code


def test_the_public_index_lists_the_bodies_and_the_latest_publications(client):
    html = _page(client, None, reverse("disclosure:index"))
    assert "尚未配置公开主体" not in html
    for body in Body.objects.all():
        assert body.name in html
    latest = selectors.publication_list_public().first()
    assert latest.title in html
    for pub in Publication.objects.exclude(status=PubStatus.PUBLISHED):
        assert pub.title not in html


def test_a_body_portal_has_its_guide_and_catalog(client):
    gov = Body.objects.get(code="SFX")
    guide = _page(client, None, reverse("disclosure:guide", args=["SFX"]))
    assert gov.office in guide and gov.phone in guide
    catalog = _page(client, None, reverse("disclosure:catalog", args=["SFX"]))
    repealed = Publication.objects.get(repealed_on__isnull=False)
    assert repealed.index_no in catalog and "已废止" in catalog and "现行有效" in catalog


def test_publications_went_through_the_whole_chain_within_the_legal_limit():
    published = Publication.objects.filter(status=PubStatus.PUBLISHED).select_related("body__region")
    assert published.count() == 19
    assert set(published.values_list("body__code", flat=True)) == {"SFX", *DEPARTMENT_CODES}
    assert set(published.values_list("category", flat=True)) >= {"regulation", "plan", "budget", "license",
                                                                    "penalty", "notice", "personnel"}
    for pub in published:
        actions = list(pub.events.values_list("action", flat=True))
        assert actions[:6] == CHAIN, pub.title
        assert pub.publish_due == engine.due_date(pub.made_on, 20, region=pub.body.region).due
        assert pub.made_on <= pub.published_on <= pub.publish_due
        assert pub.view_count > 0
    assert published.filter(doc_kind="normative").count() == 3
    rules = Publication.objects.get(repealed_on__isnull=False)
    assert rules.doc_kind == "normative" and rules.repealed_on.year == TODAY.year
    assert sorted(Publication.objects.exclude(status=PubStatus.PUBLISHED).values_list("status", flat=True)) == [
        "draft", "reviewed", "submitted"]
    assert PublicationEvent.objects.filter(action="publish").count() == 19


def test_requests_are_in_varied_states_with_deadlines_from_the_engine():
    reqs = list(InfoRequest.objects.select_related("body__region"))
    statuses = {r.status for r in reqs}
    assert statuses == {ReqStatus.AWAITING_RECEIPT, ReqStatus.PROCESSING, ReqStatus.SUPPLEMENT,
                        ReqStatus.CONSULTING, ReqStatus.REPLIED, ReqStatus.WITHDRAWN}
    assert {r.result for r in reqs if r.status == ReqStatus.REPLIED} == {
        "open", "partial", "withhold_process", "withhold_third_party", "none_not_held"}
    assert clock.today() == TODAY
    states = [selectors.due_state(r, TODAY)[0] for r in reqs if r.is_open]
    assert sorted(states) == ["ok", "ok", "ok", "overdue", "paused", "paused", "paused", "soon", "waiting"]
    for r in reqs:
        assert r.events.order_by("id").first().action == "file", r.request_no
        if r.status == ReqStatus.PROCESSING:
            assert r.due_date == reply_deadline(r).due, r.request_no
        if r.status == ReqStatus.REPLIED:
            assert r.closed_on <= r.due_date and (r.reason or r.reply_text), r.request_no
    extended = InfoRequest.objects.get(extension_days__gt=0)
    assert (extended.extension_days, extended.extensions.count()) == (15, 1)
    assert extended.due_date > TODAY
    # The new states: a third-party consultation awaiting the receipt of its letter, an agency consulted
    # (条例第三十四条) whose receipt is recorded, and a walk-in typed in two working days late on its real day.
    third, agency = Consultation.objects.order_by("id")
    assert (third.kind, third.received_on, third.opinion_due, third.request.body.code) == (
        "third_party", None, None, "SFXSCJ")
    assert selectors.due_state(third.request, TODAY)[1].startswith("暂停计时：征求第三方意见中，征求意见书于")
    assert (agency.kind, agency.delivery, agency.request.body.code, agency.request.status) == (
        "agency", "exchange", "SFXZRGH", ReqStatus.CONSULTING)
    assert agency.opinion_due > TODAY > agency.received_on > agency.sent_on
    late = InfoRequest.objects.get(body__code="SFX", late_entry_note__startswith="窗口收件当日")
    assert late.received_on < timezone.localdate(late.filed_at)
    assert late.clock_start == late.received_on and late.due_date == reply_deadline(late).due
    assert AuditEvent.objects.filter(object_id=str(late.pk), summary__contains="补录").count() == 1
    paid = InfoRequest.objects.get(fee_paid_on__isnull=False)
    assert paid.fee_amount == 300 and paid.result == "open"
    assert Appeal.objects.count() == 1


def test_sxdb_sees_the_market_bureaus_requests_and_drafts_on_the_workbench(client):
    html = _page(client, "sxdb", reverse("disclosure:workbench"))
    scj_open = InfoRequest.objects.filter(body__code="SFXSCJ", status__in=OPEN_STATUSES)
    assert scj_open.count() == 6
    for r in scj_open:
        assert r.request_no in html
    for r in InfoRequest.objects.exclude(body__code="SFXSCJ"):
        assert r.request_no not in html
    for pub in Publication.objects.filter(body__code="SFXSCJ").exclude(status=PubStatus.PUBLISHED):
        assert pub.title in html
    closed = _page(client, None, reverse("disclosure:workbench") + "?state=closed")
    for r in InfoRequest.objects.filter(body__code="SFXSCJ", closed_on__isnull=False):
        assert r.request_no in closed


def test_zxgly_sees_the_governments_overdue_request(client):
    html = _page(client, "zxgly", reverse("disclosure:workbench"))
    late = [r for r in InfoRequest.objects.filter(body__code="SFX", status=ReqStatus.PROCESSING).select_related(
        "body__region") if selectors.due_state(r)[0] == "overdue"]
    assert len(late) == 1
    assert late[0].request_no in html and "已超过答复期限" in html


def test_staff_outside_every_body_are_still_refused(client):
    client.force_login(_user("xnjc"))
    assert client.get(reverse("disclosure:workbench")).status_code == 403


def test_the_citizen_sees_exactly_their_own_requests(client):
    citizen = _user("citizen")
    mine = InfoRequest.objects.filter(user=citizen)
    assert mine.count() == 7 and mine.filter(channel="online").count() == 7
    html = _page(client, "citizen", reverse("disclosure:my_requests"))
    for r in mine:
        assert r.request_no in html
    for r in InfoRequest.objects.exclude(user=citizen):
        assert r.request_no not in html
    waiting = mine.get(status=ReqStatus.SUPPLEMENT)
    page = _page(client, None, reverse("disclosure:my_request", args=[waiting.request_no]))
    assert waiting.supplement_items in page


def test_last_years_report_is_a_draft_the_office_can_open():
    year = LAST_YEAR
    report = AnnualReport.objects.get(body__code="SFX", year=year)
    assert report.status == AnnualReport.Status.DRAFT and report.overview.startswith(f"{year}年")
    assert AnnualReport.objects.get(body__code="SFXSCJ", year=year).status == AnnualReport.Status.DRAFT
    data = report_data(report.body, year)
    assert data.errors == []
    assert data.tables["table3"]["本年新收"]["总计"] == 2
    assert data.tables["table2"]["行政规范性文件"]["本年制发"] == 2
    assert data.tables["table4"]["行政复议"]["总计"] == 1


def test_the_report_page_shows_the_draft(client):
    year = LAST_YEAR
    html = _page(client, "zxgly", reverse("disclosure:work_report", args=["SFX", year]))
    assert AnnualReport.objects.get(body__code="SFX", year=year).overview[:20] in html


def test_a_second_call_creates_nothing():
    models = [Body, BodyMember, Publication, PublicationEvent, InfoRequest, RequestEvent, AnnualReport, Appeal]
    before = {m: m.objects.count() for m in models}
    assert load_demo_disclosure(villages=False) == {"bodies": 0, "members": 0, "duties": 0, "publications": 0, "published": 0,
                                      "requests": 0, "reports": 0}
    assert {m: m.objects.count() for m in models} == before


# -- 村务公开/党务公开 (built last: the tests above see the county's 政务公开 alone) -----------------------------------


@pytest.fixture(scope="module")
def villages(gk, django_db_blocker):
    from zhengwu.disclosure.demo_village import build_village_disclosure

    with django_db_blocker.unblock():
        return build_village_disclosure()


def test_village_demo_has_every_state(villages, client):
    from zhengwu.disclosure.demo_village import build_village_disclosure
    from zhengwu.disclosure.models import VillageCategory, VillageDisclosure, VillagePeriod
    from zhengwu.supervision.models import Card, Clock

    assert (villages["towns"], villages["villages"]) == (5, 16)
    assert {x.username for x in villages["logins"]} == {"dby", "cwjd", "cwsj", "xzjw"}
    n_cats = VillageCategory.objects.filter(is_active=True).count()
    # every village has the period that ended last of every category (东街村 two of finance and relief, and
    # this quarter's 工程项目)
    assert VillagePeriod.objects.count() == 16 * n_cats + 3
    open_late = set(VillagePeriod.objects.filter(state="open", due_date__lt=TODAY)
                    .values_list("body__code", "category__code"))
    assert open_late == {("QHZ02", "finance"), ("QHZ02", "relief"), ("SQZ03", "party_dues")}
    late = set(VillagePeriod.objects.filter(state="published", published_on__gt=F("due_date"))
               .values_list("body__code", "category__code"))
    assert late == {("QHZ03", "finance"), ("LLZ02", "relief")}
    monthly = VillagePeriod.objects.get(body__code="QHZ04", category__code="finance")
    assert (monthly.label, monthly.due_date, monthly.state) == ("2026年10月", dt.date(2026, 11, 10), "published")
    running = VillagePeriod.objects.get(body__code="QHZ01", category__code="projects", period_end__gt=TODAY)
    assert (running.label, running.due_date, running.state) == ("2026年第四季度", dt.date(2027, 1, 11), "open")
    assert Clock.objects.get(subject_type="gk_village_period", subject_id=running.pk).state == "running"
    assert VillageDisclosure.objects.get(period=running).publication.status == "submitted"
    red = set(Card.objects.filter(kind_id="gk_village", level="red", cleared_on__isnull=True)
              .values_list("clock__subject_id", flat=True))
    assert red == set(VillagePeriod.objects.filter(state="open", due_date__lt=TODAY).values_list("pk", flat=True))
    # the 东街村 chain had three people; its 低保 list and a 党务公开 item are public
    q3 = VillageDisclosure.objects.get(publication__body__code="QHZ01", period__category__code="finance",
                                       period__period_end=dt.date(2026, 9, 30)).publication
    assert (q3.created_by.user.username, q3.reviewed_by.user.username, q3.signed_by.user.username) == (
        "dby", "cwjd", "cwsj")
    assert VillageDisclosure.objects.filter(publication__body__code="QHZ01", content_kind="relief",
                                            publication__status="published").count() == 2
    assert VillageDisclosure.objects.filter(period__category__catalogue="party",
                                            publication__status="published").exists()
    # the town's supervisor sees 西街村's red cards on the board and the town's view; not 石桥镇's
    client.force_login(_user("xzjw"))
    board = client.get(reverse("supervision:board") + "?kind=gk_village").content.decode()
    assert "西街村村民委员会财务收支（2026年第三季度）" in board and "孙家屯村" not in board
    town = _page(client, None, reverse("disclosure:village_town", args=["130621100000"]))
    assert 'id="v-QHZ02"' in town and 'data-status="overdue"' in town and "红牌" in town
    # the public board of 东街村 masks the 低保 list
    relief = VillageDisclosure.objects.filter(publication__body__code="QHZ01", content_kind="relief").first()
    names = list(relief.relief_rows.values_list("name", flat=True))
    client.logout()
    html = _page(client, None, reverse("disclosure:village_board", args=["QHZ01", "2026Q3"]))
    assert "东街村村民委员会村务公开栏" in html and not any(n in html for n in names)
    assert _page(client, "dby", reverse("disclosure:village_work", args=["QHZ01"])).count("已逾期") == 0
    assert build_village_disclosure()["villages"] == 0
