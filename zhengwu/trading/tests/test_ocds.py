"""OCDS 1.1: releases emitted by the stages, the packages and records built from them, the offline
validator (schema, closed and open codelists, the rules outside the schema), the public feeds and the
yearly export. Every package the platform makes must validate with zero errors, and nothing may say
who bid, or how many, before a round's deadline."""

from __future__ import annotations

import datetime as dt
import json
import socket
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.trading.models import (
    Award,
    Bid,
    BidSlot,
    BidStatus,
    Candidate,
    Contract,
    ContractStatus,
    DocumentKind,
    DocumentObtain,
    Method,
    Payment,
    Regime,
    Release,
    TenderDocument,
    TenderStatus,
)
from zhengwu.trading.ocds import release_emit
from zhengwu.trading.ocds.builder import build, ocid_for, procurement_method
from zhengwu.trading.ocds.packages import compile_releases, record, record_package, release_package
from zhengwu.trading.ocds.validate import (
    record_package_check,
    release_check,
    release_package_check,
    validator,
)

from . import factories as tf

pytestmark = pytest.mark.django_db

BJ = ZoneInfo("Asia/Shanghai")
PUBLISH = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BJ)
DEADLINE = dt.datetime(2026, 3, 27, 9, 30, tzinfo=BJ)  # 25 days after issue (T1: at least 20)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Nothing here may reach the network: any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("OCDS 校验不得访问网络")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# -- building a project through its stages ------------------------------------------------------------


def publish(w, tender, *, at=PUBLISH):
    """招标公告 as rows (the period checks are lifecycle's tests), then the stage's release."""
    tender.documents_from = at
    tender.documents_until = at + dt.timedelta(days=7)
    tender.bid_deadline = DEADLINE if tender.round == 1 else at + dt.timedelta(days=25)
    tender.published_at = at
    tender.status = TenderStatus.PUBLISHED
    tender.save()
    TenderDocument.objects.create(tender=tender, kind=DocumentKind.NOTICE, title=tender.title, published_at=at)
    TenderDocument.objects.create(tender=tender, kind=DocumentKind.TENDER_DOCS, title="招标文件", published_at=at,
                                  file="trading/2026/03/zbwj.pdf")
    TenderDocument.objects.create(tender=tender, kind=DocumentKind.REPORT, title="评标报告（不公开）",
                                  published_at=at, public=False)
    return release_emit(project=tender.project, tags=["tender"], at=at)


def bids_in(w, tender, n=3, prices=("4800000", "4750000", "4900000", "4990000", "4700000")):
    """What the opening leaves: one slot and one decrypted Bid per bidder."""
    out = []
    for i in range(n):
        slot = BidSlot.objects.create(tender=tender, slot=i, tag=bytes(32), envelope=b"\x00" * 64)
        out.append(Bid.objects.create(tender=tender, slot=slot, bidder=w.bidders[i], status=BidStatus.DECRYPTED,
                                      submitted_at=tender.bid_deadline - dt.timedelta(days=1),
                                      decrypted_at=tender.bid_deadline, price=Decimal(prices[i])))
    return out


def open_round(w, tender, n=3):
    bids = bids_in(w, tender, n)
    tender.opened_at = tender.bid_deadline
    tender.status = TenderStatus.EVALUATING
    tender.save()
    release_emit(project=tender.project, tags=["tenderUpdate"], at=tender.bid_deadline + dt.timedelta(hours=2))
    return bids


def whole_life(w):
    """planning → tender → tenderAmendment → tenderUpdate (opened) → award (candidates) → award →
    contract → implementation → implementation+contractUpdate. Returns (project, tender)."""
    p = tf.project(w)
    release_emit(project=p, tags=["planning"], at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=BJ))
    t = tf.draft_tender(w, p)
    publish(w, t)
    t.amendments.create(seq=1, summary="工程量清单第3项数量更正", affects_bids=True, old_deadline=DEADLINE,
                        new_deadline=DEADLINE, created_at=PUBLISH + dt.timedelta(days=2), created_by=w.agent_user)
    release_emit(project=p, tags=["tenderAmendment"], at=PUBLISH + dt.timedelta(days=2))
    bids = open_round(w, t)
    for rank, bid in enumerate(sorted(bids, key=lambda b: b.price), start=1):
        Candidate.objects.create(tender=t, bid=bid, rank=rank, score=Decimal("90") - rank)
    t.status = TenderStatus.PUBLICITY
    t.candidates_published_on = dt.date(2026, 3, 31)
    t.publicity_ends_on = dt.date(2026, 4, 3)
    t.save()
    release_emit(project=p, tags=["award"], at=dt.datetime(2026, 3, 31, 10, 0, tzinfo=BJ))
    first = Candidate.objects.get(tender=t, rank=1).bid
    award = Award.objects.create(tender=t, bid=first, supplier=first.bidder, amount=first.price,
                                 decided_at=dt.datetime(2026, 4, 8, 10, 0, tzinfo=BJ), notice_no="SFX-ZB-2026-0001")
    t.status = TenderStatus.AWARDED
    t.awarded_at = award.decided_at
    t.save()
    release_emit(project=p, tags=["award"], at=award.decided_at)
    contract = Contract.objects.create(tender=t, award=award, contract_no="HT-2026-001", amount=first.price,
                                       signed_on=dt.date(2026, 4, 20), period_end=dt.date(2026, 12, 31))
    t.status = TenderStatus.CONTRACTED
    t.save()
    release_emit(project=p, tags=["contract"], at=dt.datetime(2026, 4, 20, 15, 0, tzinfo=BJ))
    Payment.objects.create(contract=contract, paid_on=dt.date(2026, 5, 6), amount=Decimal("1425000"), note="预付款")
    release_emit(project=p, tags=["implementation"], at=dt.datetime(2026, 5, 6, 11, 0, tzinfo=BJ))
    contract.status = ContractStatus.COMPLETED
    contract.accepted_on = dt.date(2026, 12, 28)
    contract.save()
    t.status = TenderStatus.COMPLETED
    t.save()
    release_emit(project=p, tags=["implementation", "contractUpdate"], at=dt.datetime(2026, 12, 28, 16, 0, tzinfo=BJ))
    return p, t


def releases_of(p):
    return list(Release.objects.filter(project=p).order_by("date", "id").values_list("data", flat=True))


def package_of(p):
    return release_package(releases_of(p), uri="https://jy.example.gov.cn/api/trading/ocds/releases",
                           published=dt.datetime(2027, 1, 2, 9, 0, tzinfo=BJ))


def canonical(release):
    """A release without what merging omits, lists sorted by id (to compare a compiled release)."""

    def norm(v):
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            items = [norm(x) for x in v]
            return sorted(items, key=lambda x: str(x.get("id"))) if all(isinstance(x, dict) and "id" in x
                                                                        for x in items) else items
        return v

    return norm({k: v for k, v in release.items() if k not in ("id", "date", "tag")})


# -- the whole life validates -----------------------------------------------------------------------


def test_given_a_whole_life_when_packaged_then_release_and_record_packages_validate_with_zero_errors():
    w = tf.build_world()
    p, t = whole_life(w)

    package = package_of(p)
    report = release_package_check(package)
    assert report.errors == []
    assert report.warnings == []
    assert [r["tag"] for r in package["releases"]] == [
        ["planning"], ["tender"], ["tenderAmendment"], ["tenderUpdate"], ["award"], ["award"], ["contract"],
        ["implementation"], ["implementation", "contractUpdate"]]
    ocid = f"ocds-213czf-{p.pk}"
    assert [r["id"] for r in package["releases"]][:3] == [f"{ocid}-0001-planning", f"{ocid}-0002-tender",
                                                          f"{ocid}-0003-tenderAmendment"]

    rec = record(package["releases"], package_url="https://jy.example.gov.cn/api/trading/ocds/releases?ocid=x")
    rpkg = record_package([rec], uri="https://jy.example.gov.cn/api/trading/ocds/records/x",
                          published=dt.datetime(2027, 1, 2, 9, 0, tzinfo=BJ))
    assert record_package_check(rpkg).errors == []
    embedded = record_package([record(package["releases"], package_url="https://x.example/p", embed=True)],
                              uri="https://x.example/r")
    assert record_package_check(embedded).errors == []


def test_the_last_release_says_what_the_law_and_the_mapping_say():
    w = tf.build_world()
    p, t = whole_life(w)
    last = releases_of(p)[-1]
    ocid = f"ocds-213czf-{p.pk}"
    buyer = f"CN-USCC-{w.buyer.uscc}"
    agency = f"CN-USCC-{w.agency.uscc}"
    b = [f"CN-USCC-{x.uscc}" for x in w.bidders]

    assert last["ocid"] == ocid
    assert last["initiationType"] == "tender"
    assert last["buyer"] == {"id": buyer, "name": "示范县第一中学"}
    roles = {party["id"]: party["roles"] for party in last["parties"]}
    assert roles == {buyer: ["buyer", "payer"], agency: ["procuringEntity"], "X-ZHENGWU-DEPT-D101": ["reviewBody"],
                     b[0]: ["tenderer", "supplier"], b[1]: ["tenderer", "supplier", "payee"],
                     b[2]: ["tenderer", "supplier"]}
    assert last["parties"][0]["identifier"] == {"scheme": "CN-USCC", "id": w.buyer.uscc, "legalName": "示范县第一中学"}
    tender = last["tender"]
    assert tender["id"] == f"{p.code}-R1"
    assert tender["status"] == "complete"
    assert tender["procurementMethod"] == "open"
    assert tender["procurementMethodDetails"] == "公开招标"
    assert tender["mainProcurementCategory"] == "works"
    assert tender["value"] == {"amount": 5000000, "currency": "CNY"}
    assert tender["tenderPeriod"] == {"startDate": "2026-03-02T09:00:00+08:00", "endDate": "2026-03-27T09:30:00+08:00"}
    assert tender["numberOfTenderers"] == 3
    assert [x["id"] for x in tender["tenderers"]] == b[:3]
    assert [d["documentType"] for d in tender["documents"]] == ["tenderNotice", "biddingDocuments"]  # 评标报告 not public
    assert tender["amendments"][0]["id"] == "R1-1"
    awards = {a["id"]: (a["status"], a["value"]["amount"], a["suppliers"][0]["id"]) for a in last["awards"]}
    assert awards == {"R1-A1": ("active", 4750000, b[1]), "R1-A2": ("unsuccessful", 4800000, b[0]),
                      "R1-A3": ("unsuccessful", 4900000, b[2])}
    (contract,) = last["contracts"]
    assert contract["awardID"] == "R1-A1"
    assert contract["status"] == "terminated"
    assert contract["dateSigned"] == "2026-04-20T00:00:00+08:00"
    assert contract["implementation"]["transactions"] == [{
        "id": f"payment-{Payment.objects.get().pk}", "date": "2026-05-06T00:00:00+08:00",
        "value": {"amount": 1425000, "currency": "CNY"}, "payer": {"id": buyer, "name": "示范县第一中学"},
        "payee": {"id": b[1], "name": w.bidders[1].name}}]


def test_during_the_publicity_the_candidates_are_pending_awards():
    w = tf.build_world()
    p, _ = whole_life(w)
    during = [r for r in releases_of(p) if r["tag"] == ["award"]][0]
    assert [(a["id"], a["status"], a["date"]) for a in during["awards"]] == [
        ("R1-A1", "pending", "2026-03-31T00:00:00+08:00"), ("R1-A2", "pending", "2026-03-31T00:00:00+08:00"),
        ("R1-A3", "pending", "2026-03-31T00:00:00+08:00")]
    assert "contracts" not in during


def test_the_compiled_release_is_the_newest_release_and_validates():
    w = tf.build_world()
    p, _ = whole_life(w)
    rels = releases_of(p)
    compiled = compile_releases(rels)
    assert compiled["tag"] == ["compiled"]
    assert compiled["id"] == f"{rels[-1]['ocid']}-{rels[-1]['date']}"
    assert canonical(compiled) == canonical(rels[-1])
    assert release_check(compiled).errors == []


# -- releases never change, ids are stable ----------------------------------------------------------


def test_releases_never_change_after_emit():
    w = tf.build_world()
    p = tf.project(w)
    first = release_emit(project=p, tags=["planning"], at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=BJ))
    stored = json.dumps(Release.objects.get(pk=first.pk).data, sort_keys=True)
    p.name = "改名后的项目"
    p.estimate = Decimal("6000000")
    p.save()
    second = release_emit(project=p, tags=["planningUpdate"], at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=BJ))

    assert json.dumps(Release.objects.get(pk=first.pk).data, sort_keys=True) == stored
    assert Release.objects.get(pk=second.pk).data["planning"]["budget"]["amount"]["amount"] == 6000000
    assert [first.release_id, second.release_id] == [f"{first.ocid}-0001-planning", f"{first.ocid}-0002-planningUpdate"]
    first.data["tender"]["title"] = "篡改"
    with pytest.raises(DomainError) as e:
        first.save()
    assert e.value.code == "ocds_release_immutable"
    assert json.dumps(Release.objects.get(pk=first.pk).data, sort_keys=True) == stored


def test_ocid_uses_the_prefix_setting(settings):
    w = tf.build_world()
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    p = tf.project(w)
    r = release_emit(project=p, tags=["planning"])
    assert r.ocid == ocid_for(p) == f"ocds-abc123-{p.pk}"
    assert release_package_check(release_package([r.data], uri="https://x.example/p")).errors == []
    settings.OCDS_OCID_PREFIX = "ocds-213czf"
    assert release_package_check(release_package([r.data], uri="https://x.example/p")).errors == [
        f"releases/0/ocid: “ocds-abc123-{p.pk}”未以登记的前缀 ocds-213czf- 开头"]


# -- nothing about bids before the deadline ---------------------------------------------------------


def test_no_tenderers_nor_their_number_nor_obtainers_before_the_opening():
    w = tf.build_world()
    p = tf.project(w)
    t = tf.draft_tender(w, p)
    publish(w, t)
    # Slots hold bids (and even Bid rows, as if a bug made them early); bidders obtained the documents.
    bids_in(w, t, 3)
    for b in w.bidders[:4]:
        DocumentObtain.objects.create(tender=t, bidder=b, obtained_at=PUBLISH + dt.timedelta(days=1))
    t.opened_at = DEADLINE - dt.timedelta(hours=1)  # an opening before the deadline is not an opening
    t.save()
    r = release_emit(project=p, tags=["tenderUpdate"], at=DEADLINE - dt.timedelta(minutes=1))

    text = json.dumps(r.data, ensure_ascii=False)
    assert "numberOfTenderers" not in r.data["tender"]
    assert "tenderers" not in r.data["tender"]
    for b in w.bidders:
        assert b.uscc not in text and b.name not in text
    assert build(p, at=DEADLINE - dt.timedelta(seconds=1))["tender"].get("tenderers") is None

    t.opened_at = DEADLINE
    t.save()
    assert build(p, at=DEADLINE - dt.timedelta(seconds=1))["tender"].get("tenderers") is None  # clock before it
    assert build(p, at=DEADLINE)["tender"]["numberOfTenderers"] == 3


def test_candidates_are_not_published_before_their_publicity():
    w = tf.build_world()
    p = tf.project(w)
    t = tf.draft_tender(w, p)
    publish(w, t)
    bids = open_round(w, t)
    Candidate.objects.create(tender=t, bid=bids[0], rank=1, score=Decimal("88"))  # the report is signed
    r = release_emit(project=p, tags=["tenderUpdate"], at=DEADLINE + dt.timedelta(days=2))
    assert "awards" not in r.data
    t.candidates_published_on = dt.date(2026, 3, 30)
    t.status = TenderStatus.PUBLICITY
    t.save()
    r = release_emit(project=p, tags=["award"], at=DEADLINE + dt.timedelta(days=3))
    assert [(a["id"], a["status"]) for a in r.data["awards"]] == [("R1-A1", "pending")]


def test_release_emit_stays_cheap(django_assert_max_num_queries):
    w = tf.build_world()
    p, t = whole_life(w)
    p = type(p).objects.select_related("buyer", "agency", "supervisor").get(pk=p.pk)
    # count, rounds, bids, documents, amendments, awards, candidates, contracts, payments, INSERT
    with django_assert_max_num_queries(10):
        release_emit(project=p, tags=["implementation"], at=dt.datetime(2026, 12, 29, 10, 0, tzinfo=BJ))
    fresh = tf.project(w)
    fresh = type(fresh).objects.select_related("buyer", "agency", "supervisor").get(pk=fresh.pk)
    with django_assert_max_num_queries(3):  # count, rounds, INSERT
        release_emit(project=fresh, tags=["planning"])


# -- re-tender ------------------------------------------------------------------------------------------


def test_a_failed_round_is_replaced_by_the_retender_and_listed_as_related_process():
    w = tf.build_world()
    p = tf.project(w)
    release_emit(project=p, tags=["planning"], at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=BJ))
    t1 = tf.draft_tender(w, p)
    publish(w, t1)
    open_round(w, t1, n=2)
    t1.status = TenderStatus.FAILED
    t1.failure_reason = "投标人少于3个"
    t1.save()
    release_emit(project=p, tags=["tenderUpdate"], at=DEADLINE + dt.timedelta(hours=3))
    t2 = tf.draft_tender(w, p, round=2, title="示范县第一中学教学楼新建工程（第2次）招标公告")
    r = publish(w, t2, at=dt.datetime(2026, 4, 7, 9, 0, tzinfo=BJ))

    tender = r.data["tender"]
    assert tender["id"] == f"{p.code}-R2"
    assert tender["status"] == "active"
    assert "tenderers" not in tender and "numberOfTenderers" not in tender
    assert r.data["relatedProcesses"] == [{
        "id": f"{p.code}-R1", "relationship": ["unsuccessfulProcess"],
        "title": "第1次公开招标（流标/废标：投标人少于3个），已由后续轮次替代"}]
    # round 1's bidders stay parties of the process (they bid in it), with the role tenderer
    assert {x["id"] for x in r.data["parties"] if "tenderer" in x["roles"]} == {
        f"CN-USCC-{w.bidders[0].uscc}", f"CN-USCC-{w.bidders[1].uscc}"}
    compiled = compile_releases(releases_of(p))
    assert compiled["tender"]["id"] == f"{p.code}-R2"
    assert "tenderers" not in compiled["tender"]  # the new round replaced the old tender, not merged into it
    assert canonical(compiled) == canonical(r.data)
    assert release_package_check(package_of(p)).errors == []


def test_a_cancelled_round_cancels_its_pending_awards():
    w = tf.build_world()
    p = tf.project(w)
    t = tf.draft_tender(w, p)
    publish(w, t)
    bids = open_round(w, t)
    Candidate.objects.create(tender=t, bid=bids[0], rank=1, score=Decimal("88"))
    t.candidates_published_on = dt.date(2026, 3, 30)
    t.status = TenderStatus.CANCELLED
    t.failure_reason = "招标人终止招标"
    t.save()
    r = release_emit(project=p, tags=["tenderCancellation"], at=dt.datetime(2026, 4, 1, 10, 0, tzinfo=BJ))
    assert r.data["tender"]["status"] == "cancelled"
    assert [a["status"] for a in r.data["awards"]] == ["cancelled"]
    assert release_package_check(package_of(p)).errors == []


# -- the procurementMethod mapping ------------------------------------------------------------------


@pytest.mark.parametrize(("regime", "method", "prequal", "invited", "expected"), [
    (Regime.ENGINEERING, Method.OPEN, False, False, ("open", "公开招标")),
    (Regime.ENGINEERING, Method.OPEN, True, False, ("selective", "公开招标（资格预审）")),
    (Regime.ENGINEERING, Method.INVITED, False, True, ("limited", "邀请招标")),
    (Regime.PROCUREMENT, Method.INVITED, False, True, ("selective", "邀请招标")),
    (Regime.PROCUREMENT, Method.NEGOTIATION, False, False, ("open", "竞争性谈判（公告邀请）")),
    (Regime.PROCUREMENT, Method.NEGOTIATION, False, True, ("limited", "竞争性谈判（邀请供应商）")),
    (Regime.PROCUREMENT, Method.INQUIRY, False, False, ("open", "询价（公告邀请）")),
    (Regime.PROCUREMENT, Method.CONSULTATION, False, True, ("limited", "竞争性磋商（邀请供应商）")),
    (Regime.PROCUREMENT, Method.SINGLE, False, False, ("direct", "单一来源")),
])
def test_procurement_method_mapping(regime, method, prequal, invited, expected):
    from zhengwu.trading.models import Tender

    assert procurement_method(Tender(method=method, prequalification=prequal), regime, invited) == expected


def test_a_procurement_negotiation_with_invitees_is_limited_and_validates():
    w = tf.build_world()
    p = tf.project(w, regime=Regime.PROCUREMENT, category="goods", name="示范县第一中学课桌椅采购")
    t = tf.draft_tender(w, p, method=Method.NEGOTIATION, award_criteria="最低评标价法")
    t.invitees.set(w.bidders[:3])
    r = publish(w, t)
    assert (r.data["tender"]["procurementMethod"], r.data["tender"]["awardCriteria"],
            r.data["tender"]["mainProcurementCategory"]) == ("limited", "priceOnly", "goods")
    assert r.data["parties"][2]["id"] == "X-ZHENGWU-DEPT-D102"
    assert release_package_check(package_of(p)).errors == []


# -- the validator ----------------------------------------------------------------------------------


def _valid_release(w):
    p = tf.project(w)
    return release_emit(project=p, tags=["planning"], at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=BJ)).data


@pytest.mark.parametrize(("change", "where"), [
    (lambda r: r.__setitem__("tag", ["bidding"]), "releases/0/tag/0"),
    (lambda r: r["tender"].__setitem__("procurementMethod", "negotiation"), "releases/0/tender/procurementMethod"),
    (lambda r: r.__setitem__("date", "2026-13-01T00:00:00Z"), "releases/0/date"),
    (lambda r: r.pop("ocid"), "releases/0"),
    (lambda r: r.pop("initiationType"), "releases/0"),
    (lambda r: r["tender"]["value"].__setitem__("currency", "RMB"), "releases/0/tender/value/currency"),
    (lambda r: r["tender"].__setitem__("status", "open"), "releases/0/tender/status"),
])
def test_the_validator_fails_on_a_broken_release(change, where):
    w = tf.build_world()
    release = _valid_release(w)
    assert release_package_check(release_package([release], uri="https://x.example/p")).errors == []
    change(release)
    errors = release_package_check(release_package([release], uri="https://x.example/p")).errors
    assert errors and all(e.startswith(where) for e in errors if not e.startswith("releases/0/ocid")), errors


def test_the_validator_fails_on_a_broken_package():
    w = tf.build_world()
    release = _valid_release(w)
    package = release_package([release, dict(release)], uri="not a uri")
    package.pop("publisher")
    errors = release_package_check(package).errors
    assert "(根): 'publisher' is a required property" in errors
    assert any(e.startswith("uri:") for e in errors)
    assert f"releases/1/id: release id “{release['id']}”在 {release['ocid']} 内重复" in errors
    rec = record([release], package_url="https://x.example/p")
    assert record_package_check(record_package([rec, rec], uri="https://x.example/r")).errors == [
        f"records/1/ocid: 记录 “{release['ocid']}”重复"]


def test_rules_outside_the_schema_are_errors():
    w = tf.build_world()
    p, _ = whole_life(w)
    last = releases_of(p)[-1]
    last["contracts"][0]["awardID"] = "R9-A9"
    last["awards"][1]["id"] = "R1-A1"
    last["parties"] = [x for x in last["parties"] if "procuringEntity" not in x["roles"]]
    last["parties"][0]["roles"] = ["payer"]
    errors = release_check(last).errors
    assert errors == [
        f"release/buyer: 参与方 “CN-USCC-{w.buyer.uscc}”缺少角色 buyer",
        f"release/tender/procuringEntity: 引用的参与方 “CN-USCC-{w.agency.uscc}”不在 parties 中",
        "release/awards/1/id: 授标 id “R1-A1”重复",
        "release/contracts/0/awardID: “R9-A9”不对应任何授标",
    ]


def test_open_codelists_give_warnings_not_errors():
    w = tf.build_world()
    p, _ = whole_life(w)
    last = releases_of(p)[-1]
    last["tender"]["documents"][0]["documentType"] = "招标公告"
    last["tender"]["awardCriteria"] = "lowestCost"
    last["tender"]["submissionMethod"] = ["fax"]
    last["parties"][0]["roles"].append("auditor")
    report = release_check(last)
    assert report.errors == []
    assert report.warnings == [
        "release/parties/0/roles: “auditor”不在开放代码表 partyRole 中",
        "release/tender/awardCriteria: “lowestCost”在代码表 awardCriteria 中已弃用",
        "release/tender/submissionMethod: “fax”不在开放代码表 submissionMethod 中",
        "release/tender/documents/0/documentType: “招标公告”不在开放代码表 documentType 中",
    ]


def test_the_validator_never_fetches_a_remote_schema():
    from jsonschema import Draft4Validator
    from referencing.exceptions import Unresolvable

    from zhengwu.trading.ocds import validate as v

    remote = Draft4Validator({"$ref": "https://standard.open-contracting.org/schema/1__1__4/release-schema.json"},
                             registry=v._registry())
    with pytest.raises(Unresolvable):
        remote.validate({})
    # the shipped schemas resolve their own absolute references locally
    assert validator("release-package").schema["id"].endswith("1__1__5/release-package-schema.json")


def test_the_shipped_schema_files_match_their_checksums():
    import hashlib

    from zhengwu.trading.ocds.validate import ROOT

    lines = (ROOT / "SHA256SUMS").read_text().split("\n")
    sums = [line.split(None, 1) for line in lines if line.strip()]
    assert len(sums) == 24
    for digest, name in sums:
        assert hashlib.sha256((ROOT / name.strip().lstrip("./")).read_bytes()).hexdigest() == digest, name


# -- real services ----------------------------------------------------------------------------------


def test_releases_from_the_lifecycle_services_validate():
    from zhengwu.trading.services import lifecycle

    w = tf.build_world()
    with clock.frozen(dt.datetime(2026, 3, 2, 8, 0, tzinfo=BJ)):
        p = lifecycle.project_create(user=w.agent_user, hall=w.centre, regime=Regime.ENGINEERING, category="works",
                                     name="示范县城区道路改造工程", buyer=w.buyer, supervisor=w.housing,
                                     estimate=Decimal("8000000"), agency=w.agency)
        t = lifecycle.tender_create(project=p, user=w.agent_user, method=Method.OPEN, title="示范县城区道路改造工程招标公告")
        lifecycle.tender_publish(tender=t, user=w.agent_user, documents_from=PUBLISH,
                                 documents_until=PUBLISH + dt.timedelta(days=7), bid_deadline=DEADLINE)
    with clock.frozen(dt.datetime(2026, 3, 6, 10, 0, tzinfo=BJ)):
        lifecycle.tender_amend(tender=t, user=w.agent_user, summary="补充地勘资料", affects_bids=False)

    package = package_of(p)
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"], ["tenderAmendment"]]
    assert release_package_check(package).errors == []
    assert package["releases"][1]["tender"]["tenderPeriod"]["endDate"] == "2026-03-27T09:30:00+08:00"
    assert "tenderers" not in package["releases"][2]["tender"]


# -- the public feeds -------------------------------------------------------------------------------


def test_api_releases_since_limit_offset_and_validity(client):
    w = tf.build_world()
    p, _ = whole_life(w)
    with clock.frozen(dt.datetime(2027, 1, 5, 10, 0, tzinfo=BJ)):
        resp = client.get("/api/trading/ocds/releases")
        since = client.get("/api/trading/ocds/releases", {"since": "2026-04-20T00:00:00+08:00"})
        naive = client.get("/api/trading/ocds/releases", {"since": "2026-04-20T00:00:00"})
        page = client.get("/api/trading/ocds/releases", {"limit": 2, "offset": 1})
    assert resp.status_code == 200
    body = resp.json()
    assert release_package_check(body).errors == []
    assert len(body["releases"]) == 9
    assert body["version"] == "1.1"
    assert [r["tag"] for r in since.json()["releases"]] == [["contract"], ["implementation"],
                                                            ["implementation", "contractUpdate"]]
    assert naive.json()["releases"] == since.json()["releases"]
    assert [r["tag"] for r in page.json()["releases"]] == [["tender"], ["tenderAmendment"]]


def test_api_does_not_serve_releases_dated_in_the_future(client):
    w = tf.build_world()
    whole_life(w)
    with clock.frozen(dt.datetime(2026, 3, 20, 10, 0, tzinfo=BJ)):
        body = client.get("/api/trading/ocds/releases").json()
    assert [r["tag"] for r in body["releases"]] == [["planning"], ["tender"], ["tenderAmendment"]]


@pytest.mark.parametrize("params", [{"offset": -1}, {"limit": 0}, {"limit": 1001}, {"since": "yesterday"}])
def test_api_bad_params_are_422_json(client, params):
    resp = client.get("/api/trading/ocds/releases", params)
    assert resp.status_code == 422
    assert resp.json()["code"] == "invalid_input"
    assert resp.json()["message"]


def test_api_record_package_and_404(client):
    w = tf.build_world()
    p, _ = whole_life(w)
    ocid = ocid_for(p)
    with clock.frozen(dt.datetime(2027, 1, 5, 10, 0, tzinfo=BJ)):
        resp = client.get(f"/api/trading/ocds/records/{ocid}")
        missing = client.get("/api/trading/ocds/records/ocds-213czf-999999")
    assert resp.status_code == 200
    body = resp.json()
    assert record_package_check(body).errors == []
    (rec,) = body["records"]
    assert rec["ocid"] == ocid
    assert len(rec["releases"]) == 9
    assert rec["releases"][0]["url"].endswith(f"#{ocid}-0001-planning")
    assert rec["compiledRelease"]["tender"]["status"] == "complete"
    assert missing.status_code == 404
    assert missing.json() == {"code": "ocds_not_found", "message": "未找到该交易项目的 OCDS 记录"}


def test_api_before_the_deadline_shows_no_bidder(client):
    w = tf.build_world()
    p = tf.project(w)
    t = tf.draft_tender(w, p)
    publish(w, t)
    for b in w.bidders[:3]:
        DocumentObtain.objects.create(tender=t, bidder=b, obtained_at=PUBLISH + dt.timedelta(days=1))
    with clock.frozen(DEADLINE - dt.timedelta(minutes=5)):
        text = client.get("/api/trading/ocds/releases").content.decode() + client.get(
            f"/api/trading/ocds/records/{ocid_for(p)}").content.decode()
    assert "tenderers" not in text
    for b in w.bidders:
        assert b.uscc not in text


# -- the yearly export ------------------------------------------------------------------------------


def test_export_command_writes_a_valid_package_of_the_year(tmp_path):
    w = tf.build_world()
    p, _ = whole_life(w)
    release_emit(project=tf.project(w), tags=["planning"], at=dt.datetime(2025, 12, 31, 23, 0, tzinfo=BJ))
    out = tmp_path / "ocds-2026.json"
    with clock.frozen(dt.datetime(2027, 1, 5, 10, 0, tzinfo=BJ)):
        call_command("ocds_export", year=2026, output=str(out))
    package = json.loads(out.read_text(encoding="utf-8"))
    assert release_package_check(package).errors == []
    assert len(package["releases"]) == 9
    assert {r["ocid"] for r in package["releases"]} == {ocid_for(p)}


def test_export_command_refuses_an_invalid_package(tmp_path):
    w = tf.build_world()
    p = tf.project(w)
    r = release_emit(project=p, tags=["planning"], at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=BJ))
    Release.objects.filter(pk=r.pk).update(data={**r.data, "tag": ["bidding"]})
    out = tmp_path / "bad.json"
    with clock.frozen(dt.datetime(2027, 1, 5, 10, 0, tzinfo=BJ)), pytest.raises(CommandError) as e:
        call_command("ocds_export", year=2026, output=str(out))
    assert str(e.value).startswith("OCDS 发布包未通过校验（1 处错误），未写入文件：\nreleases/0/tag/0: 'bidding' is not one of")
    assert not out.exists()
