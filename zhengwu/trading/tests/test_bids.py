"""Sealed bids: nobody can read or count them before the deadline; late, unencrypted and oversize bids
are refused; replace and withdraw; opening only at the deadline; 流标 under 3; online decryption."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import zipfile
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.trading import sealing
from zhengwu.trading.models import (
    Bid,
    BidSlot,
    BidStatus,
    Category,
    Regime,
    Release,
    TenderStatus,
    TradingEvent,
)
from zhengwu.trading.services import bids, common, lifecycle
from zhengwu.trading.tests import factories as f

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


DEADLINE = at(3, 25, 9, 30)
BEFORE = at(3, 20)


@pytest.fixture
def w():
    return f.build_world()


def published(w, *, regime=Regime.ENGINEERING, obtain=(0, 1, 2, 3)):
    category = Category.WORKS if regime == Regime.ENGINEERING else Category.GOODS
    tender = f.draft_tender(w, f.project(w, regime=regime, category=category))
    with clock.frozen(at(3, 2, 9)):
        lifecycle.tender_publish(tender=tender, user=w.agent_user, documents_from=at(3, 2, 9),
                                 documents_until=at(3, 13, 17), bid_deadline=DEADLINE)
    with clock.frozen(at(3, 5)):
        for i in obtain:
            lifecycle.tender_obtain(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i])
    tender.refresh_from_db()
    return tender


def passphrase(i):
    return f"口令-{i}-secret"


def envelope(i, *, price=None, manager=None, account=None, files=None):
    form = {"price": price or Decimal(4_500_000 + 37_123 * i * i), "duration_days": 300 + i,
            "project_manager": manager or f"项目经理{i}", "quality": "合格",
            "deposit_account": account or f"6222 0000 0000 10{i:02d}"}
    files = files or [(f"投标函{i}.pdf", f"%PDF-1.4 MARKER-PLAIN bid of bidder {i}".encode())]
    return sealing.seal(sealing.bid_plaintext(form, files), passphrase(i), iterations=sealing.MIN_ITERATIONS)


def submit(w, tender, i, *, when=BEFORE, env=None, **kw):
    with clock.frozen(when):
        return bids.bid_submit(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i],
                               envelope=env or envelope(i, **kw), ip=f"10.0.0.{i + 1}", device=f"device-{i + 1}")


def raw_slots(tender):
    with connection.cursor() as cur:
        cur.execute("SELECT slot, tag, envelope, sealed_meta FROM trading_bidslot WHERE tender_id = %s ORDER BY slot",
                    [tender.pk])
        return [(slot, bytes(tag), bytes(env), bytes(meta)) for slot, tag, env, meta in cur.fetchall()]


def snapshot(tender):
    tender.refresh_from_db()
    return (raw_slots(tender), tender.status, Bid.objects.count(), TradingEvent.objects.count(),
            AuditEvent.objects.count())


def open_round(w, tender, when=DEADLINE):
    with clock.frozen(when):
        return bids.tender_open(tender=tender, user=w.agent_user)


DECRYPT_AT = at(3, 25, 9, 40)


def decrypt(w, tender, i, when=DECRYPT_AT, secret=None):
    with clock.frozen(when):
        return bids.bid_decrypt(tender=tender, user=w.bidder_users[i], bidder=w.bidders[i],
                                passphrase=secret or passphrase(i))


# -- the slots ---------------------------------------------------------------------------------------------

def test_publication_creates_forty_free_slots_of_random_bytes(w):
    tender = published(w)

    rows = raw_slots(tender)
    assert [r[0] for r in rows] == list(range(1, 41))
    assert len(bytes(tender.slot_salt)) == 16
    assert all(tag == bids.free_tag(tender, slot) for slot, tag, _, _ in rows)
    assert {len(env) for _, _, env, _ in rows} <= {sealing.NONCE_LEN + s + sealing.TAG_LEN
                                                   for s in (32 * 1024, 64 * 1024)}
    assert {len(meta) for *_, meta in rows} == {sealing.META_LEN}


# -- nothing can be read or counted before the deadline -----------------------------------------------------

def test_database_rows_hold_only_ciphertext_and_do_not_change_in_number_or_size(w):
    tender = published(w)
    before = raw_slots(tender)

    receipts = [submit(w, tender, i) for i in range(3)]

    after = raw_slots(tender)
    assert len(after) == len(before) == 40
    assert Counter(len(env) for _, _, env, _ in after) == Counter(len(env) for _, _, env, _ in before)
    assert {len(meta) for *_, meta in after} == {sealing.META_LEN}
    assert {len(tag) for _, tag, _, _ in after} == {32}
    changed = [a for a, b in zip(after, before, strict=True) if a != b]
    assert len(changed) == 3
    markers = [b"MARKER-PLAIN", b"%PDF", sealing.MAGIC, "项目经理".encode(), b"4500000", b"4537123",
               b"10.0.0.1", b"device-1", w.bidders[0].name.encode(), receipts[0]["receipt"].encode()]
    markers += [bytes.fromhex(r["receipt"]) for r in receipts]
    blob = b"".join(tag + env + meta for _, tag, env, meta in after)
    assert [m for m in markers if m in blob] == []
    # the bidders' tags are HMACs under the server key: not computable from the row and the salt alone
    bidder_tags = {bids.bid_tag(tender, w.bidders[i]) for i in range(3)}
    assert {tag for _, tag, _, _ in after} & bidder_tags == bidder_tags


def test_no_event_audit_release_bid_row_or_log_line_reveals_a_bid(w, caplog):
    tender = published(w)
    events = list(TradingEvent.objects.values_list("id", "action", "note", "data"))
    audits, releases = AuditEvent.objects.count(), Release.objects.count()

    with caplog.at_level(logging.DEBUG):
        receipts = [submit(w, tender, i) for i in range(3)]
        with clock.frozen(BEFORE):
            bids.bid_withdraw(tender=tender, user=w.bidder_users[2], bidder=w.bidders[2])

    assert list(TradingEvent.objects.values_list("id", "action", "note", "data")) == events
    assert AuditEvent.objects.count() == audits
    assert Release.objects.count() == releases
    assert Bid.objects.count() == 0
    text = caplog.text
    for secret in [r["receipt"] for r in receipts] + [b.name for b in w.bidders] + ["10.0.0.1", "device-1"]:
        assert secret not in text
    assert [r.getMessage() for r in caplog.records if r.name.startswith("zhengwu")] == []


def test_the_bidder_sees_only_its_own_bid(w):
    tender = published(w)
    env = envelope(0)
    receipt = submit(w, tender, 0, env=env)

    assert receipt == {"receipt": hashlib.sha256(env).hexdigest(), "at": BEFORE.isoformat()}
    mine = bids.bid_status_for_bidder(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])
    assert mine == {"submitted": True, "receipt": receipt["receipt"], "at": BEFORE.isoformat()}
    assert bids.bid_status_for_bidder(tender=tender, user=w.bidder_users[1], bidder=w.bidders[1]) == \
        {"submitted": False}
    for intruder in (w.bidder_users[1], w.agent_user, w.admin.user, w.stranger):
        with pytest.raises(PermissionDenied):
            bids.bid_status_for_bidder(tender=tender, user=intruder, bidder=w.bidders[0])


def test_public_selectors_say_the_same_before_and_after_bids(w):
    from zhengwu.trading import selectors

    tender = published(w)
    with clock.frozen(BEFORE):
        before = selectors.round_public(tender)
    for i in range(3):
        submit(w, tender, i)

    tender.refresh_from_db()
    with clock.frozen(BEFORE):
        assert selectors.round_public(tender) == before
        assert selectors.opening_record(tender) == []


def test_admin_changelists_show_no_bid_before_the_deadline(w, admin_client):
    from django.contrib import admin

    tender = published(w)
    submit(w, tender, 0)
    for model in (Bid, BidSlot):
        if model not in admin.site._registry:
            continue
        page = admin_client.get(f"/admin/trading/{model._meta.model_name}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert w.bidders[0].name not in body
        assert "MARKER-PLAIN" not in body
        assert "4500000" not in body and "4537123" not in body
    assert Bid.objects.count() == 0


# -- submission rules ---------------------------------------------------------------------------------------

def test_a_late_bid_is_refused_and_nothing_changes(w):
    tender = published(w)
    before = snapshot(tender)

    with pytest.raises(DomainError) as e:
        submit(w, tender, 0, when=DEADLINE)

    assert e.value.code == "trading_late"
    assert e.value.message == f"投标截止时间已过，投标文件不予接收（{common.ARTICLES['LATE']}）"
    assert snapshot(tender) == before


def test_a_bid_without_the_documents_is_refused(w):
    tender = published(w, obtain=(0, 1))
    before = snapshot(tender)

    with pytest.raises(DomainError) as e:
        submit(w, tender, 3)

    assert (e.value.code, e.value.message) == ("trading_not_obtained", "贵单位未获取本项目招标文件，不能递交投标文件")
    assert snapshot(tender) == before


def test_only_a_member_of_the_bidder_may_submit(w):
    tender = published(w)
    before = snapshot(tender)

    with clock.frozen(BEFORE), pytest.raises(PermissionDenied):
        bids.bid_submit(tender=tender, user=w.bidder_users[1], bidder=w.bidders[0], envelope=envelope(0))

    assert snapshot(tender) == before


def test_an_unencrypted_file_is_refused_with_a_clear_message_and_nothing_changes(w):
    tender = published(w)
    before = snapshot(tender)

    with pytest.raises(DomainError) as e:
        submit(w, tender, 0, env=b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")

    assert e.value.code == "trading_bid_unsealed"
    assert e.value.message.startswith("投标文件未加密：")
    assert snapshot(tender) == before


def test_an_oversize_file_is_refused_with_413_and_nothing_changes(w, settings):
    tender = published(w)
    settings.TRADING_BID_MAX_BYTES = 1024 * 1024
    before = snapshot(tender)
    big = envelope(0, files=[("图纸.pdf", b"x" * (1024 * 1024))])

    with pytest.raises(DomainError) as e:
        submit(w, tender, 0, env=big)

    assert (e.value.code, e.value.status) == ("trading_bid_too_large", 413)
    assert "超过上限 1.0 MB" in e.value.message
    assert snapshot(tender) == before


def test_a_replacement_overwrites_the_bidders_own_slot(w):
    tender = published(w)
    submit(w, tender, 0, price=Decimal("4800000.00"))
    own = [s for s, tag, _, _ in raw_slots(tender) if tag == bids.bid_tag(tender, w.bidders[0])]

    second = submit(w, tender, 0, price=Decimal("4700000.00"))

    assert [s for s, tag, _, _ in raw_slots(tender) if tag == bids.bid_tag(tender, w.bidders[0])] == own
    assert bids.bid_status_for_bidder(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])["receipt"] == \
        second["receipt"]
    for i in (1, 2):
        submit(w, tender, i)
    open_round(w, tender)
    assert decrypt(w, tender, 0).price == Decimal("4700000.00")
    assert Bid.objects.filter(tender=tender).count() == 3


def test_a_withdrawn_bid_turns_back_into_filler_and_is_not_opened(w):
    tender = published(w)
    for i in range(4):
        submit(w, tender, i)
    sizes = Counter(len(env) for _, _, env, _ in raw_slots(tender))

    with clock.frozen(BEFORE):
        result = bids.bid_withdraw(tender=tender, user=w.bidder_users[3], bidder=w.bidders[3])

    assert result == {"withdrawn": True, "at": BEFORE.isoformat()}
    rows = raw_slots(tender)
    assert sum(tag == bids.free_tag(tender, slot) for slot, tag, _, _ in rows) == 37
    assert Counter(len(env) for _, _, env, _ in rows) == sizes
    assert bids.bid_status_for_bidder(tender=tender, user=w.bidder_users[3], bidder=w.bidders[3]) == \
        {"submitted": False}
    open_round(w, tender)
    assert sorted(Bid.objects.filter(tender=tender).values_list("bidder__name", flat=True)) == \
        sorted(b.name for b in w.bidders[:3])


def test_withdrawing_without_a_bid_or_after_the_deadline_is_refused(w):
    tender = published(w)
    with clock.frozen(BEFORE), pytest.raises(DomainError) as e:
        bids.bid_withdraw(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])
    assert e.value.code == "trading_no_bid"
    submit(w, tender, 0)
    before = snapshot(tender)
    with clock.frozen(DEADLINE), pytest.raises(DomainError) as e:
        bids.bid_withdraw(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])
    assert e.value.message == f"投标截止时间已过，不能撤回投标文件（{common.ARTICLES['LATE']}）"
    assert snapshot(tender) == before


# -- opening ------------------------------------------------------------------------------------------------

def test_opening_before_the_deadline_is_refused(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    before = snapshot(tender)

    with pytest.raises(DomainError) as e:
        open_round(w, tender, when=DEADLINE - dt.timedelta(minutes=1))

    assert e.value.code == "trading_open_early"
    assert e.value.message == f"投标截止时间未到，不能开标（{common.ARTICLES['OPEN_TIME']}）"
    assert snapshot(tender) == before
    assert tender.opened_at is None


def test_fewer_than_three_bids_is_a_failed_round(w):
    tender = published(w)
    for i in range(2):
        submit(w, tender, i)

    tender = open_round(w, tender)

    tender.refresh_from_db()
    assert tender.status == TenderStatus.FAILED
    assert tender.failure_reason == "投标人少于3个，不予开标（招标投标法实施条例第四十四条），依法重新招标"
    assert tender.opened_at == DEADLINE
    assert Bid.objects.filter(tender=tender).count() == 2
    assert list(TradingEvent.objects.filter(tender=tender, action="unseal").values_list("data", flat=True)) == \
        [{"bids": 2, "bidders": [w.bidders[0].name, w.bidders[1].name]}]


def test_procurement_with_fewer_than_three_bids_is_abandoned(w):
    tender = published(w, regime=Regime.PROCUREMENT)
    submit(w, tender, 0)

    open_round(w, tender)

    tender.refresh_from_db()
    assert (tender.status, tender.failure_reason) == (TenderStatus.FAILED, "投标供应商不足3家，依法废标（政府采购法第三十六条）")


def test_opening_unseals_bids_decryption_fills_facts_and_close_publishes_the_record(w):
    tender = published(w)
    for i in range(4):
        submit(w, tender, i)

    tender = open_round(w, tender)

    assert tender.status == TenderStatus.OPENING
    assert tender.decrypt_until == DEADLINE + dt.timedelta(minutes=60)
    assert list(Bid.objects.filter(tender=tender).values_list("status", "decrypted_at", "price")) == \
        [(BidStatus.SEALED, None, None)] * 4
    bid = decrypt(w, tender, 1)
    assert (bid.status, bid.price, bid.duration_days, bid.project_manager, bid.quality, bid.deposit_account) == \
        (BidStatus.DECRYPTED, Decimal("4537123.00"), 301, "项目经理1", "合格", "6222 0000 0000 1001")
    assert (bid.upload_ip, bid.upload_device, bid.submitted_at) == ("10.0.0.2", "device-2", BEFORE)
    content = b"%PDF-1.4 MARKER-PLAIN bid of bidder 1"
    assert bid.files == [{"name": "投标函1.pdf", "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}]
    assert bids.bid_files_get(bid=bid, user=w.agent_user) == [("投标函1.pdf", content)]
    with pytest.raises(PermissionDenied):
        bids.bid_files_get(bid=bid, user=w.bidder_users[0])
    with pytest.raises(DomainError) as e:
        bids.bid_files_get(bid=Bid.objects.get(bidder=w.bidders[0]), user=w.agent_user)
    assert e.value.code == "trading_not_decrypted"
    for i in (0, 2):
        decrypt(w, tender, i)

    with clock.frozen(at(3, 25, 10, 0)), pytest.raises(DomainError) as e:
        bids.opening_close(tender=tender, user=w.agent_user)
    assert e.value.code == "trading_decrypt_pending"

    releases = Release.objects.count()
    with clock.frozen(at(3, 25, 10, 31)):
        tender = bids.opening_close(tender=tender, user=w.agent_user)

    assert tender.status == TenderStatus.EVALUATING
    assert dict(Bid.objects.filter(tender=tender).values_list("bidder_id", "status")) == {
        w.bidders[0].pk: BidStatus.DECRYPTED, w.bidders[1].pk: BidStatus.DECRYPTED,
        w.bidders[2].pk: BidStatus.DECRYPTED, w.bidders[3].pk: BidStatus.REVOKED}
    record = TradingEvent.objects.get(tender=tender, action="close_opening").data["opening_record"]
    assert [(r["bidder"], r["price"], r["status"]) for r in record] == [
        (w.bidders[0].name, "4500000.00", "decrypted"), (w.bidders[1].name, "4537123.00", "decrypted"),
        (w.bidders[2].name, "4648492.00", "decrypted"), (w.bidders[3].name, None, "revoked")]
    assert list(Release.objects.filter(pk__gt=0).order_by("-id").values_list("tags", flat=True)[:1]) == \
        [["tenderUpdate"]]
    assert Release.objects.count() == releases + 1


def test_a_wrong_passphrase_changes_nothing(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    open_round(w, tender)
    before = list(Bid.objects.values())
    events = TradingEvent.objects.count()

    with pytest.raises(DomainError) as e:
        decrypt(w, tender, 0, secret="wrong passphrase")

    assert e.value.code == "trading_passphrase"
    assert e.value.message.startswith("解密口令错误")
    assert list(Bid.objects.values()) == before
    assert TradingEvent.objects.count() == events
    assert decrypt(w, tender, 0).status == BidStatus.DECRYPTED


def test_only_the_bidder_decrypts_within_the_window(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    open_round(w, tender)

    with clock.frozen(at(3, 25, 9, 40)), pytest.raises(PermissionDenied):
        bids.bid_decrypt(tender=tender, user=w.bidder_users[1], bidder=w.bidders[0], passphrase=passphrase(0))
    with pytest.raises(DomainError) as e:
        decrypt(w, tender, 0, when=at(3, 25, 10, 31))
    assert e.value.code == "trading_decrypt_late"
    assert Bid.objects.filter(decrypted_at__isnull=False).count() == 0


def test_undecrypted_bids_become_revoked_and_under_three_decrypted_fail_the_round(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    open_round(w, tender)
    decrypt(w, tender, 0)
    decrypt(w, tender, 1)

    with clock.frozen(at(3, 25, 10, 31)):
        bids.opening_close(tender=tender, user=w.agent_user)

    tender.refresh_from_db()
    assert tender.status == TenderStatus.FAILED
    assert tender.failure_reason == bids.FEW_DECRYPTED_REASON
    assert Bid.objects.get(bidder=w.bidders[2]).status == BidStatus.REVOKED


def test_all_decrypted_may_close_before_the_window_ends(w):
    tender = published(w)
    for i in range(3):
        submit(w, tender, i)
    open_round(w, tender)
    for i in range(3):
        decrypt(w, tender, i)

    with clock.frozen(at(3, 25, 9, 50)):
        tender = bids.opening_close(tender=tender, user=w.agent_user)

    assert tender.status == TenderStatus.EVALUATING
    status = bids.bid_status_for_bidder(tender=tender, user=w.bidder_users[0], bidder=w.bidders[0])
    assert (status["submitted"], status["status"], status["status_label"]) == (True, "decrypted", "已解密")


def test_file_authors_are_read_from_docx_and_pdf_metadata():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("docProps/core.xml", '<cp:coreProperties><dc:creator>王编制</dc:creator>'
                                        '<cp:lastModifiedBy>李修改</cp:lastModifiedBy></cp:coreProperties>')
    pdf = b"%PDF-1.4\n1 0 obj << /Author (Zhang San) /Creator (Word) >> endobj\n" \
          b"<dc:creator><rdf:Seq><rdf:li>\xe5\xbc\xa0\xe4\xb8\x89</rdf:li></rdf:Seq></dc:creator>"
    utf16 = b"%PDF-1.7\n<< /Author (\xfe\xff" + "赵六".encode("utf-16-be") + b") >>"

    assert bids.file_authors("a.docx", buf.getvalue()) == ["王编制", "李修改"]
    assert bids.file_authors("b.pdf", pdf) == ["Zhang San", "张三"]
    assert bids.file_authors("c.pdf", utf16) == ["赵六"]
    assert bids.file_authors("d.txt", b"plain") == []


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_five_bidders_submitting_at_once_take_five_different_slots(settings, tmp_path):
    from zhengwu.cases.tests.test_concurrency import _file_database_on_sqlite, run_together
    from zhengwu.org.models import Role

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    w = f.build_world()
    tender = published(w, obtain=range(5))
    envelopes = [envelope(i) for i in range(5)]

    def work(i, barrier):
        barrier.wait()
        return submit(w, tender, i, env=envelopes[i])

    with _file_database_on_sqlite(tmp_path / "bids.sqlite3"), clock.frozen(BEFORE):
        results = run_together(5, work)
        rows = raw_slots(tender)

    assert [r for r in results if isinstance(r, BaseException)] == []
    tags = {tag for _, tag, _, _ in rows}
    assert {bids.bid_tag(tender, b) for b in w.bidders} <= tags
    assert sum(tag == bids.free_tag(tender, slot) for slot, tag, _, _ in rows) == 35
