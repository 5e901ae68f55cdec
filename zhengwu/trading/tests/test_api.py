"""The trading API: the public reads, a project from registration to contract through the API, bids as
multipart envelopes, clear Chinese refusals (periods, deposit, unsealed and oversize bids, USCC) that change
nothing, permissions (a stranger or a foreign centre admin gets 403 JSON) and the enums in the OpenAPI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.accounts.models import ApiToken
from zhengwu.core import clock
from zhengwu.trading import sealing
from zhengwu.trading.models import Bid, BidSlot, CollusionFlag, Expert, Project, Tender, TenderStatus
from zhengwu.trading.tests import factories as f

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


ISSUE = at(3, 2, 9)
DEADLINE = at(3, 25, 9, 30)
BEFORE = at(3, 20)


@pytest.fixture
def w():
    return f.build_world()


def token(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='测试')[1]}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", headers=token(user) if user else {})


def get(client, url, user=None):
    return client.get(url, headers=token(user) if user else {})


def passphrase(i: int) -> str:
    return f"口令-{i}-secret"


def envelope(i: int, *, price=None) -> bytes:
    form = {"price": price or Decimal(4_500_000 + 37_123 * i), "duration_days": 300 + i,
            "project_manager": f"项目经理{i}", "quality": "合格", "deposit_account": f"6222 0000 0000 10{i:02d}"}
    files = [(f"投标函{i}.pdf", b"%%PDF-1.4 bid of bidder %d" % i)]
    return sealing.seal(sealing.bid_plaintext(form, files), passphrase(i), iterations=sealing.MIN_ITERATIONS)


def publish_body(**over) -> dict:
    body = {"documents_from": ISSUE.isoformat(), "documents_until": at(3, 13, 17).isoformat(),
            "bid_deadline": DEADLINE.isoformat(), "opening_place": "示范县公共资源交易中心开标一室"}
    body.update(over)
    return body


def published(client, w) -> Tender:
    """A round published through the API by the agency, with bidders 1–4 having obtained the documents."""
    tender = f.draft_tender(w)
    with clock.frozen(ISSUE):
        r = post(client, f"/api/trading/tenders/{tender.pk}/actions/publish", publish_body(), w.agent_user)
        assert r.status_code == 200, r.content
    with clock.frozen(at(3, 5)):
        for i in range(4):
            r = post(client, f"/api/trading/tenders/{tender.pk}/actions/obtain", {}, w.bidder_users[i])
            assert r.status_code == 200, r.content
    tender.refresh_from_db()
    return tender


def upload(client, tender, user, data: bytes, name="bid.zwbid"):
    return client.post(f"/api/trading/tenders/{tender.pk}/bid",
                       {"envelope": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
                       headers=token(user))


def submit_bids(client, w, tender, which=(0, 1, 2)):
    with clock.frozen(BEFORE):
        for i in which:
            r = upload(client, tender, w.bidder_users[i], envelope(i))
            assert r.status_code == 200, r.content


# -- the OpenAPI ---------------------------------------------------------------------------------------------


def test_openapi_lists_the_endpoints_and_their_enums(client):
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]

    assert schemas["TradingAction"]["enum"] == [
        "publish_prequal", "prequal_result", "publish", "obtain", "amend", "object", "answer", "open",
        "close_opening", "draw", "replace_expert", "assign_rep", "publish_candidates", "award", "sign_contract", "refund",
        "result_notice", "publish_contract", "file_contract", "pay", "accept", "fail", "cancel"]
    assert schemas["TradingTenderStatus"]["enum"] == ["draft", "prequal", "published", "opening", "evaluating", "publicity",
                                                      "awarded", "contracted", "completed", "failed", "cancelled"]
    assert schemas["TradingMethod"]["enum"] == ["open", "invited", "negotiation", "inquiry", "consultation", "single"]
    assert schemas["TradingRejectReason"]["enum"][0] == "no_seal"
    assert schemas["TradingDepositForm"]["enum"] == ["none", "cash", "guarantee"]
    assert schemas["TradingFlagReview"]["enum"] == ["confirmed", "dismissed"]
    action = spec["paths"]["/api/trading/tenders/{tender_id}/actions/{action}"]["post"]
    param = next(p for p in action["parameters"] if p["name"] == "action")
    assert "TradingAction" in str(param["schema"])
    for path in ["/api/trading/projects", "/api/trading/projects/{code}", "/api/trading/projects/{code}/tenders",
                 "/api/trading/tenders/{tender_id}/bid", "/api/trading/tenders/{tender_id}/bid/withdraw",
                 "/api/trading/tenders/{tender_id}/bid/decrypt", "/api/trading/tenders/{tender_id}/scores",
                 "/api/trading/tenders/{tender_id}/report/sign", "/api/trading/tenders/{tender_id}/committee",
                 "/api/trading/flags", "/api/trading/flags/{flag_id}/actions/review", "/api/trading/experts"]:
        assert path in spec["paths"], path


# -- public reads -----------------------------------------------------------------------------------------


def test_the_public_list_shows_published_rounds_only_with_filters_and_bounded_paging(client, w):
    draft = f.draft_tender(w, f.project(w, name="尚未发布的项目"))
    tender = published(client, w)

    rows = client.get("/api/trading/projects").json()

    assert [r["code"] for r in rows] == [tender.project.code]
    assert rows[0]["latest_status"] == "published" and rows[0]["latest_status_label"] == "招标中"
    assert client.get("/api/trading/projects?regime=procurement").json() == []
    assert len(client.get("/api/trading/projects?q=教学楼&status=published").json()) == 1
    assert client.get(f"/api/trading/projects/{draft.project.code}").status_code == 404
    r = client.get("/api/trading/projects?limit=5000")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert "limit" in r.json()["message"]
    r = client.get("/api/trading/projects?status=bogus")
    assert r.status_code == 422 and "published" in r.json()["message"]


def test_the_public_detail_before_the_deadline_has_the_notice_but_no_bidders(client, w):
    tender = published(client, w)
    submit_bids(client, w, tender)

    with clock.frozen(BEFORE):
        data = client.get(f"/api/trading/projects/{tender.project.code}").json()

    r = data["rounds"][0]
    assert (r["status"], r["opening_record"], r["candidates"], r["awards"], r["contract"]) == \
        ("published", [], [], [], None)
    assert dt.datetime.fromisoformat(r["bid_deadline"].replace("Z", "+00:00")) == DEADLINE
    text = str(data)
    for p in w.bidders:
        assert p.name not in text


# -- registration, refusals, permissions ----------------------------------------------------------------------


def test_an_agency_registers_a_project_and_a_round(client, w):
    body = {"hall": "SFXJY", "regime": "engineering", "category": "works", "name": "示范县城南污水管网工程",
            "buyer": w.buyer.uscc, "agency": w.agency.uscc, "supervisor": "D101", "estimate": "6000000"}
    with clock.frozen(at(3, 2)):
        r = post(client, "/api/trading/projects", body, w.agent_user)
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert code.startswith("SFX-JY-2026-")
    project = Project.objects.get(code=code)
    assert (project.agency, project.buyer, project.estimate) == (w.agency, w.buyer, Decimal("6000000.00"))

    with clock.frozen(at(3, 2)):
        r = post(client, f"/api/trading/projects/{code}/tenders", {"method": "open", "title": "城南污水管网招标公告"},
                 w.agent_user)
    assert r.status_code == 201, r.content
    assert (r.json()["round"], r.json()["status"]) == (1, "draft")


def test_project_registration_refuses_a_stranger_and_a_bad_uscc(client, w):
    body = {"hall": "SFXJY", "regime": "engineering", "category": "works", "name": "示范县城南污水管网工程",
            "buyer": w.buyer.uscc, "agency": w.agency.uscc, "supervisor": "D101", "estimate": "6000000"}
    before = Project.objects.count()

    r = post(client, "/api/trading/projects", body, w.stranger)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden" and "代理机构" in r.json()["message"]

    r = post(client, "/api/trading/projects", {**body, "buyer": "91130621MA0000001X"}, w.agent_user)
    assert r.status_code == 400
    assert r.json() == {"code": "invalid_uscc", "message": "统一社会信用代码校验位错误，请核对后重新输入"}

    r = post(client, "/api/trading/projects", {**body, "regime": "roads"}, w.agent_user)
    assert r.status_code == 422 and "engineering" in r.json()["message"]

    r = client.post("/api/trading/projects", body, content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert Project.objects.count() == before


def test_a_deadline_19_days_after_issue_is_refused_with_the_article_and_nothing_changes(client, w):
    tender = f.draft_tender(w)

    with clock.frozen(ISSUE):
        r = post(client, f"/api/trading/tenders/{tender.pk}/actions/publish",
                 publish_body(bid_deadline=at(3, 21, 9, 30).isoformat()), w.agent_user)

    assert r.status_code == 400
    assert r.json()["code"] == "trading_period"
    assert "招标投标法第二十四条：自招标文件开始发出之日起至投标人提交投标文件截止之日止，最短不得少于二十日" in r.json()["message"]
    tender.refresh_from_db()
    assert (tender.status, tender.bid_deadline, BidSlot.objects.filter(tender=tender).count()) == ("draft", None, 0)


def test_a_3_percent_deposit_is_refused_with_the_article(client, w):
    tender = f.draft_tender(w)  # estimate 5,000,000: 2 % is 100,000

    with clock.frozen(ISSUE):
        r = post(client, f"/api/trading/tenders/{tender.pk}/actions/publish",
                 publish_body(bid_deposit="150000", deposit_form="guarantee"), w.agent_user)

    assert r.status_code == 400
    assert "招标投标法实施条例第二十六条：投标保证金不得超过招标项目估算价的2%" in r.json()["message"]
    tender.refresh_from_db()
    assert (tender.status, tender.bid_deposit) == ("draft", Decimal("0.00"))


def test_a_missing_date_is_a_chinese_refusal(client, w):
    tender = f.draft_tender(w)
    with clock.frozen(ISSUE):
        r = post(client, f"/api/trading/tenders/{tender.pk}/actions/publish", {}, w.agent_user)
    assert r.status_code == 400
    assert r.json() == {"code": "missing_field", "message": "请填写招标文件发出时间"}


def test_actions_refuse_a_stranger_and_a_foreign_centre_admin(client, w):
    tender = published(client, w)
    submit_bids(client, w, tender)

    with clock.frozen(DEADLINE):
        for user in (w.stranger, w.foreign_admin.user, w.bidder_users[0]):
            r = post(client, f"/api/trading/tenders/{tender.pk}/actions/open", {}, user)
            assert r.status_code == 403, user
            assert r.json() == {"code": "forbidden", "message": "您无权对该项目进行“开标”操作"}
    tender.refresh_from_db()
    assert (tender.status, Bid.objects.count()) == ("published", 0)
    r = post(client, "/api/trading/tenders/999999/actions/open", {}, w.agent_user)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = post(client, f"/api/trading/tenders/{tender.pk}/actions/explode", {}, w.agent_user)
    assert r.status_code == 422 and "publish" in r.json()["message"]


# -- bids -----------------------------------------------------------------------------------------------------


def test_an_unsealed_bid_file_is_refused_and_a_sealed_one_gets_a_receipt(client, w):
    tender = published(client, w)
    slots = list(BidSlot.objects.filter(tender=tender).order_by("slot").values_list("tag", flat=True))

    with clock.frozen(BEFORE):
        r = upload(client, tender, w.bidder_users[0], b"%PDF-1.4 the plain bid", name="投标文件.pdf")
        assert r.status_code == 400
        assert r.json()["code"] == "trading_bid_unsealed"
        assert r.json()["message"].startswith("投标文件未加密")
        assert [bytes(t) for t in BidSlot.objects.filter(tender=tender).order_by("slot").values_list("tag", flat=True)] \
            == [bytes(t) for t in slots]

        env = envelope(0)
        r = upload(client, tender, w.bidder_users[0], env)
        assert r.status_code == 200, r.content
        receipt = r.json()["receipt"]
        mine = get(client, f"/api/trading/tenders/{tender.pk}/bid", w.bidder_users[0]).json()
        assert (mine["submitted"], mine["receipt"], mine["status"]) == (True, receipt, None)
        other = get(client, f"/api/trading/tenders/{tender.pk}/bid", w.bidder_users[1]).json()
        assert (other["submitted"], other["receipt"]) == (False, None)
        r = get(client, f"/api/trading/tenders/{tender.pk}/bid", w.stranger)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_an_oversize_bid_file_is_refused_unread(client, w, settings):
    tender = published(client, w)
    settings.TRADING_BID_MAX_BYTES = 100

    with clock.frozen(BEFORE):
        r = upload(client, tender, w.bidder_users[0], envelope(0))

    assert r.status_code == 413
    assert r.json()["code"] == "trading_bid_too_large"
    assert "超过上限" in r.json()["message"]
    assert get(client, f"/api/trading/tenders/{tender.pk}/bid", w.bidder_users[0]).json()["submitted"] is False


def test_a_late_bid_is_refused_and_withdraw_works_before_the_deadline(client, w):
    tender = published(client, w)
    with clock.frozen(BEFORE):
        assert upload(client, tender, w.bidder_users[0], envelope(0)).status_code == 200
        r = post(client, f"/api/trading/tenders/{tender.pk}/bid/withdraw", {}, w.bidder_users[0])
        assert r.status_code == 200 and r.json()["withdrawn"] is True
        assert get(client, f"/api/trading/tenders/{tender.pk}/bid", w.bidder_users[0]).json()["submitted"] is False

    with clock.frozen(DEADLINE + dt.timedelta(minutes=1)):
        r = upload(client, tender, w.bidder_users[3], envelope(3))

    assert r.status_code == 400
    assert r.json()["code"] == "trading_late"
    assert "逾期送达" in r.json()["message"]


# -- the whole round through the API --------------------------------------------------------------------------


def test_a_round_from_publication_to_contract_through_the_api(client, w):
    tender = published(client, w)
    submit_bids(client, w, tender)
    act = f"/api/trading/tenders/{tender.pk}/actions/"

    with clock.frozen(at(3, 24)):
        r = post(client, act + "draw", {"specialty": "房屋建筑"}, w.admin.user)
        assert r.status_code == 200, r.content
        assert r.json()["result"] == {"committee_size": 5}
        committee = get(client, f"/api/trading/tenders/{tender.pk}/committee", w.stranger).json()
        assert all(m["name"] is None for m in committee["members"])

    with clock.frozen(at(3, 24, 12)):
        r = post(client, act + "open", {}, w.agent_user)
        assert r.status_code == 400 and r.json()["code"] == "trading_open_early"
    with clock.frozen(DEADLINE):
        r = post(client, act + "open", {}, w.agent_user)
        assert r.status_code == 200 and r.json()["status"] == "opening"
    with clock.frozen(at(3, 25, 9, 40)):
        r = post(client, f"/api/trading/tenders/{tender.pk}/bid/decrypt", {"passphrase": "wrong-one"},
                 w.bidder_users[0])
        assert r.status_code == 400 and r.json()["code"] == "trading_passphrase"
        for i in range(3):
            r = post(client, f"/api/trading/tenders/{tender.pk}/bid/decrypt", {"passphrase": passphrase(i)},
                     w.bidder_users[i])
            assert r.status_code == 200, r.content
            assert r.json()["status"] == "decrypted"
        r = post(client, act + "close_opening", {}, w.agent_user)
        assert r.status_code == 200 and r.json()["status"] == "evaluating", r.content

    record = client.get(f"/api/trading/projects/{tender.project.code}").json()["rounds"][0]["opening_record"]
    assert [(x["bidder"], x["price"]) for x in record] == [
        (w.bidders[i].name, f"{4_500_000 + 37_123 * i}.00") for i in range(3)]

    tender.refresh_from_db()
    members = list(tender.committee.members.filter(active=True, expert__isnull=False).select_related("expert"))
    bids = list(Bid.objects.filter(tender=tender).order_by("id"))
    with clock.frozen(at(3, 26)):
        for m in members:
            for n, b in enumerate(bids):
                r = post(client, f"/api/trading/tenders/{tender.pk}/scores",
                         {"bid_id": b.pk, "score": str(90 - n * 5), "comment": "符合要求"}, m.expert.user)
                assert r.status_code == 200, r.content
            r = post(client, f"/api/trading/tenders/{tender.pk}/report/sign", {}, m.expert.user)
            assert r.status_code == 200, r.content
        assert r.json()["report_signed_at"] is not None
        assert [x["bidder"] for x in r.json()["ranking"]] == [w.bidders[i].name for i in range(3)]
        r = post(client, f"/api/trading/tenders/{tender.pk}/scores",
                 {"bid_id": bids[0].pk, "reject_reason": "bogus"}, members[0].expert.user)
        assert r.status_code == 422

    with clock.frozen(at(3, 27)):
        r = post(client, act + "publish_candidates", {"publicity_days": 3}, w.agent_user)
        assert r.status_code == 200 and r.json()["status"] == "publicity", r.content
        cands = client.get(f"/api/trading/projects/{tender.project.code}").json()["rounds"][0]["candidates"]
        assert [(c["rank"], c["bidder"]) for c in cands] == [(i + 1, w.bidders[i].name) for i in range(3)]
        r = post(client, act + "award", {"rank": 1}, w.agent_user)
        assert r.status_code == 400  # the 公示 has not ended
        assert Tender.objects.get(pk=tender.pk).status == TenderStatus.PUBLICITY

    tender.refresh_from_db()
    after = tender.publicity_ends_on + dt.timedelta(days=1)
    with clock.frozen(after):
        r = post(client, act + "award", {"rank": 1}, w.agent_user)
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "awarded"
        assert r.json()["result"]["supplier"] == w.bidders[0].name
        r = post(client, act + "sign_contract", {"contract_no": "HT-2026-001", "amount": "4500000",
                                                  "signed_on": after.isoformat(), "performance_bond": "600000"},
                 w.agent_user)
        assert r.status_code == 400 and "10%" in r.json()["message"]
        r = post(client, act + "sign_contract", {"contract_no": "HT-2026-001", "amount": "4500000",
                                                  "signed_on": after.isoformat(), "performance_bond": "450000"},
                 w.agent_user)
        assert r.status_code == 200 and r.json()["status"] == "contracted", r.content

    data = client.get(f"/api/trading/projects/{tender.project.code}").json()["rounds"][0]
    assert data["awards"][0]["supplier"] == w.bidders[0].name
    assert data["contract"]["contract_no"] == "HT-2026-001"


# -- flags and the expert pool --------------------------------------------------------------------------------


def test_flags_are_for_the_supervisor_only(client, w):
    tender = f.draft_tender(w)
    flag = CollusionFlag.objects.create(tender=tender, kind="same_device", evidence={"device": "abc"},
                                        created_at=clock.now())
    flag.bidders.set(w.bidders[:2])

    assert get(client, "/api/trading/flags", w.stranger).status_code == 403
    assert get(client, "/api/trading/flags", w.admin.user).status_code == 403
    assert get(client, "/api/trading/flags", w.procurement_supervisor.user).json() == []  # 财政局: not its project
    rows = get(client, "/api/trading/flags", w.works_supervisor.user).json()
    assert [(r["id"], r["kind"], r["bidders"]) for r in rows] == [
        (flag.pk, "same_device", [w.bidders[0].name, w.bidders[1].name])]
    r = post(client, f"/api/trading/flags/{flag.pk}/actions/review", {"status": "dismissed", "note": "同一代理网吧"},
             w.procurement_supervisor.user)
    assert r.status_code == 404
    r = post(client, f"/api/trading/flags/{flag.pk}/actions/review", {"status": "open"}, w.works_supervisor.user)
    assert r.status_code == 422
    flag.refresh_from_db()
    assert flag.status == "open"


def test_the_expert_pool_is_for_the_centre_admin(client, w):
    body = {"name": "新专家", "id_number": f.id_number(50), "employer_name": "示范市设计院",
            "employer_uscc": f.uscc(150), "specialties": ["房屋建筑"]}
    before = Expert.objects.count()

    assert get(client, "/api/trading/experts", w.stranger).status_code == 403
    r = post(client, "/api/trading/experts", body, w.agent_user)
    assert r.status_code == 403 and r.json()["message"] == "评标专家库仅限交易中心管理员管理"
    r = post(client, "/api/trading/experts", {**body, "employer_uscc": "91130621MA0000150X"}, w.admin.user)
    assert r.status_code == 400 and r.json()["code"] == "invalid_uscc"
    assert Expert.objects.count() == before

    r = post(client, "/api/trading/experts", body, w.admin.user)
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "新专家" and "*" in r.json()["id_number"]
    rows = get(client, "/api/trading/experts?q=新专家", w.admin.user).json()
    assert [e["name"] for e in rows] == ["新专家"]
