"""Sealed electronic bids (投标文件的密封、递交、撤回、开标与解密).

A published round gets ``Policy.bid_slots`` ``BidSlot`` rows full of random bytes, each tagged
HMAC(server key, round salt | "free" | slot number). A bidder's envelope (encrypted by the bidder, see
``sealing``) overwrites a free slot chosen with ``secrets`` and the slot is re-tagged
HMAC(…, round salt | "bid" | party id); a replacement overwrites the bidder's own slot, a withdrawal turns it
back into random filler. Nothing else is written before the deadline: no event, no log line, no row
anywhere else, so neither the database nor any page can tell who bid or how many (招标投标法第二十二条).

At the deadline (never before, 招标投标法第三十四条) ``tender_open`` finds the bidders' slots from the
parties that obtained the documents and creates one ``Bid`` per slot, 待解密 (``SEALED``) until the
bidder decrypts it online with its passphrase within the opening window (``bid_decrypt``);
``opening_close`` turns the undecrypted ones 撤销 (``REVOKED``), publishes the opening record and computes the
collusion flags.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import zipfile
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.db.models.functions import Length

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied

from .. import sealing
from ..models import (
    Bid,
    BidSlot,
    BidStatus,
    DocumentObtain,
    Method,
    Party,
    Policy,
    Regime,
    Tender,
    TenderStatus,
)
from ..transitions import AGENCY, CENTRE, EXPERT, SUPERVISOR
from . import common

FEW_BIDS_REASON = "投标人少于3个，不予开标（招标投标法实施条例第四十四条），依法重新招标"
FEW_BIDS_REASON_G = "投标供应商不足3家，依法废标（政府采购法第三十六条）"
FEW_DECRYPTED_REASON = "开标时有效解密的投标文件少于3个，不予开标（招标投标法实施条例第四十四条），依法重新招标"


def _tag_key() -> bytes:
    return sealing.server_key(b"tag")


def free_tag(tender: Tender, slot: int) -> bytes:
    return sealing.tag_for(_tag_key(), bytes(tender.slot_salt), b"free", slot)


def bid_tag(tender: Tender, bidder: Party) -> bytes:
    return sealing.tag_for(_tag_key(), bytes(tender.slot_salt), b"bid", bidder.pk)


def slots_create(*, tender: Tender) -> None:
    """INTERNAL (called by ``tender_publish`` in its transaction): the round's sealed slots, all free."""
    if not tender.slot_salt:
        tender.slot_salt = os.urandom(16)
        tender.save(update_fields=["slot_salt"])
    if BidSlot.objects.filter(tender=tender).exists():
        return
    policy, _ = Policy.objects.get_or_create(region=tender.project.region)
    key = _tag_key()
    salt = bytes(tender.slot_salt)
    BidSlot.objects.bulk_create([
        BidSlot(tender=tender, slot=n, tag=sealing.tag_for(key, salt, b"free", n), envelope=sealing.filler(),
                sealed_meta=sealing.meta_filler())
        for n in range(1, policy.bid_slots + 1)
    ])


def _member_check(user, bidder: Party) -> None:
    if not (getattr(user, "is_authenticated", False) and bidder.is_bidder
            and bidder.members.filter(pk=user.pk).exists()):
        raise PermissionDenied("您不是该投标人的经办人，不能办理其投标事项")


def _slots(tender: Tender) -> list[BidSlot]:
    """The round's slots without their (large) envelopes, with the stored size."""
    return list(BidSlot.objects.filter(tender=tender).only("id", "slot", "tag")
                .annotate(size=Length("envelope")).order_by("slot"))


def _own_slot(tender: Tender, bidder: Party, slots: list[BidSlot]) -> BidSlot | None:
    tag = bid_tag(tender, bidder)
    return next((s for s in slots if hmac.compare_digest(bytes(s.tag), tag)), None)


def _deadline_check(tender: Tender, lead: str) -> None:
    if tender.bid_deadline is None or clock.now() >= tender.bid_deadline:
        raise common.refuse("trading_late", "LATE", lead)


def bid_submit(*, tender: Tender, user, bidder: Party, envelope: bytes, ip: str = "", device: str = "") -> dict:
    """Accept (or replace) ``bidder``'s sealed envelope before the deadline; the receipt goes only to the
    bidder. Writes nothing but the slot: no event, no log, so the bid cannot be seen or counted."""
    envelope = bytes(envelope)
    sealing.envelope_check(envelope)
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        _member_check(user, bidder)
        _deadline_check(tender, "投标截止时间已过，投标文件不予接收")
        common.transition_check(tender, "submit_bid", user)
        if not DocumentObtain.objects.filter(tender=tender, bidder=bidder).exists():
            raise DomainError("trading_not_obtained", "贵单位未获取本项目招标文件，不能递交投标文件")
        if tender.prequalification and not tender.invitees.filter(pk=bidder.pk).exists():
            raise common.refuse("trading_not_prequalified", "LATE", "贵单位未通过资格预审，投标文件不予接收")
        slots = _slots(tender)
        size = sealing.stored_len(len(envelope))
        slot = _own_slot(tender, bidder, slots)
        if slot is None:
            free = [s for s in slots if hmac.compare_digest(bytes(s.tag), free_tag(tender, s.slot))]
            if not free:
                raise DomainError("trading_no_slot", "本项目密封投标位已满，请联系交易中心")
            # a slot of the envelope's own bucket if there is one, so no stored size changes
            slot = secrets.choice([s for s in free if s.size == size] or [s for s in free if s.size > size] or free)
        now = clock.now()
        receipt = hashlib.sha256(envelope).hexdigest()
        slot.envelope = sealing.slot_wrap(envelope, tender_id=tender.pk, slot=slot.slot,
                                          size=slot.size if slot.size >= size else None)
        slot.tag = bid_tag(tender, bidder)
        slot.sealed_meta = sealing.meta_seal({"at": now.isoformat(), "ip": ip[:45], "device": device[:64],
                                              "receipt": receipt}, tender_id=tender.pk, slot=slot.slot)
        slot.save(update_fields=["envelope", "tag", "sealed_meta"])
    return {"receipt": receipt, "at": now.isoformat()}


def bid_withdraw(*, tender: Tender, user, bidder: Party) -> dict:
    """Withdraw ``bidder``'s bid before the deadline (招标投标法第二十九条): its slot becomes random filler."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        _member_check(user, bidder)
        _deadline_check(tender, "投标截止时间已过，不能撤回投标文件")
        common.transition_check(tender, "withdraw_bid", user)
        slot = _own_slot(tender, bidder, _slots(tender))
        if slot is None:
            raise DomainError("trading_no_bid", "贵单位尚未递交投标文件，无需撤回")
        slot.envelope = sealing.filler(slot.size)
        slot.tag = free_tag(tender, slot.slot)
        slot.sealed_meta = sealing.meta_filler()
        slot.save(update_fields=["envelope", "tag", "sealed_meta"])
        now = clock.now()
    return {"withdrawn": True, "at": now.isoformat()}


def bid_status_for_bidder(*, tender: Tender, user, bidder: Party) -> dict:
    """Only ``bidder``'s own bid: whether it is submitted, its receipt and time; after the opening, its
    status. Never anything about other bidders."""
    _member_check(user, bidder)
    bid = Bid.objects.filter(tender=tender, bidder=bidder).first()
    slot = (BidSlot.objects.filter(pk=bid.slot_id).first() if bid
            else _own_slot(tender, bidder, _slots(tender)))
    if slot is None:
        return {"submitted": False}
    slot = BidSlot.objects.only("id", "slot", "sealed_meta").get(pk=slot.pk)
    meta = sealing.meta_open(bytes(slot.sealed_meta), tender_id=tender.pk, slot=slot.slot)
    result = {"submitted": True, "receipt": meta["receipt"], "at": meta["at"]}
    if bid is not None:
        result.update(status=bid.status, status_label=bid.get_status_display(),
                      decrypted_at=bid.decrypted_at.isoformat() if bid.decrypted_at else None)
    return result


def _window_end(tender: Tender, now: dt.datetime) -> dt.datetime:
    policy, _ = Policy.objects.get_or_create(region=tender.project.region)
    return max(now, tender.bid_deadline) + dt.timedelta(minutes=policy.opening_window_minutes)


def tender_open(*, tender: Tender, user) -> Tender:
    """开标 at the deadline (never before): unseal the slots of the parties that obtained the documents into
    ``Bid`` rows awaiting decryption; fewer than 3 bids → 流标/废标 (``lifecycle.round_fail``)."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "open", user)
        return _open(tender, actor=user)


def tender_open_due(*, tender: Tender) -> Tender:
    """INTERNAL (``trading_tick``): the platform opens a round at its deadline by itself, as in person
    (电子招标投标: the platform extracts the bids at the set time and prompts the bidders to decrypt). Only
    the status and the pause are checked; the event has no actor."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        common.system_transition_check(tender, "open")
        return _open(tender, actor=None)


def _open(tender: Tender, *, actor) -> Tender:
    """``tender_open`` after its checks of who asks (inside its transaction, the round locked)."""
    now = clock.now()
    if tender.bid_deadline is None or now < tender.bid_deadline:
        raise common.refuse("trading_open_early", "OPEN_TIME", "投标截止时间未到，不能开标")
    by_tag = {bid_tag(tender, o.bidder): o.bidder
              for o in DocumentObtain.objects.filter(tender=tender).select_related("bidder")}
    found = []
    for s in BidSlot.objects.filter(tender=tender).only("id", "slot", "tag", "sealed_meta").order_by("slot"):
        bidder = by_tag.get(bytes(s.tag))
        if bidder is not None:
            meta = sealing.meta_open(bytes(s.sealed_meta), tender_id=tender.pk, slot=s.slot)
            found.append(Bid(tender=tender, slot=s, bidder=bidder, status=BidStatus.SEALED,
                             submitted_at=dt.datetime.fromisoformat(meta["at"])))
    found.sort(key=lambda b: (b.submitted_at, b.bidder.uscc))
    Bid.objects.bulk_create(found)
    tender.opened_at = now
    tender.decrypt_until = _window_end(tender, now)
    common.event_record(tender=tender, action="unseal", actor=actor, at=now,
                        note=f"投标截止，启封密封位：收到投标文件 {len(found)} 份",
                        data={"bids": len(found), "bidders": [b.bidder.name for b in found]})
    if len(found) < (1 if tender.method == Method.SINGLE else 3):  # 单一来源 has one supplier
        tender.save(update_fields=["opened_at", "decrypt_until"])
        from . import lifecycle

        reason = FEW_BIDS_REASON if tender.project.regime == Regime.ENGINEERING else FEW_BIDS_REASON_G
        return lifecycle.round_fail(tender=tender, actor=actor, reason=reason)
    tender.status = TenderStatus.OPENING
    tender.save(update_fields=["opened_at", "decrypt_until", "status"])
    common.event_record(tender=tender, action="open", actor=actor, at=now,
                        note=f"开标，投标人应于 {common.local_date(tender.decrypt_until)} "
                             f"{tender.decrypt_until.astimezone(common.SHANGHAI):%H:%M} 前在线解密",
                        data={"decrypt_until": tender.decrypt_until.isoformat()})
    return tender


_PDF_AUTHOR = re.compile(rb"/Author\s*\((.{0,200}?)(?<!\\)\)", re.S)
_XMP_CREATOR = re.compile(rb"<dc:creator>.*?<rdf:li[^>]*>(.{0,200}?)</rdf:li>", re.S)
_DOCX_CREATOR = re.compile(r"<dc:creator>(.{0,200}?)</dc:creator>", re.S)
_DOCX_MODIFIED = re.compile(r"<cp:lastModifiedBy>(.{0,200}?)</cp:lastModifiedBy>", re.S)


def _pdf_string(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "ignore")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def file_authors(name: str, content: bytes) -> list[str]:
    """Author metadata of a bid file, best effort: docx/xlsx core.xml creator and last modifier, PDF
    /Author and XMP dc:creator."""
    found: list[str] = []
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(BytesIO(content)) as z:
                core = z.read("docProps/core.xml").decode("utf-8", "ignore")
            found += [m.strip() for rx in (_DOCX_CREATOR, _DOCX_MODIFIED) for m in rx.findall(core)]
        except (zipfile.BadZipFile, KeyError, OSError):
            pass
    elif content[:5] == b"%PDF-":
        found += [_pdf_string(m).strip() for m in _PDF_AUTHOR.findall(content)]
        found += [m.decode("utf-8", "ignore").strip() for m in _XMP_CREATOR.findall(content)]
    out: list[str] = []
    for a in found:
        if a and a not in out:
            out.append(a[:100])
    return out


def _form_value(form: dict, key: str, convert, lead: str):
    value = form.get(key)
    if value in (None, ""):
        return None
    try:
        return convert(value)
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError("trading_bid_content", f"投标函中的“{lead}”格式不正确：{str(value)[:40]}") from None


def bid_decrypt(*, tender: Tender, user, bidder: Party, passphrase: str) -> Bid:
    """The bidder decrypts its bid online within the opening window; a wrong passphrase changes nothing."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        _member_check(user, bidder)
        common.transition_check(tender, "decrypt", user)
        now = clock.now()
        if tender.decrypt_until and now > tender.decrypt_until:
            raise DomainError("trading_decrypt_late", "开标解密时限已过，未解密的投标文件视为撤销")
        bid = Bid.objects.select_for_update().filter(tender=tender, bidder=bidder).first()
        if bid is None:
            raise NotFound("本项目开标时未找到贵单位递交的投标文件")
        if bid.status != BidStatus.SEALED or bid.decrypted_at is not None:
            raise DomainError("trading_decrypted", "贵单位的投标文件已解密，无需重复解密")
        slot = BidSlot.objects.get(pk=bid.slot_id)
        envelope = sealing.slot_unwrap(bytes(slot.envelope), tender_id=tender.pk, slot=slot.slot)
        plain = sealing.unseal(envelope, passphrase)
        content = sealing.plaintext_parse(plain)
        form = content["form"]
        meta = sealing.meta_open(bytes(slot.sealed_meta), tender_id=tender.pk, slot=slot.slot)
        bid.price = _form_value(form, "price", lambda v: Decimal(str(v)).quantize(Decimal("0.01")), "投标报价")
        if bid.price is not None and (not bid.price.is_finite() or bid.price < 0 or bid.price >= Decimal("1e14")):
            raise DomainError("trading_bid_content", "投标函中的“投标报价”超出范围")
        bid.duration_days = _form_value(form, "duration_days", int, "工期/交货期")
        bid.project_manager = str(form.get("project_manager") or "")[:32]
        bid.quality = str(form.get("quality") or "")[:200]
        bid.deposit_account = str(form.get("deposit_account") or "")[:40]
        bid.upload_ip = str(meta.get("ip") or "")[:45]
        bid.upload_device = str(meta.get("device") or "")[:64]
        bid.files = [{"name": str(name)[:200], "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                     for name, data in content["files"]]
        authors: list[str] = []
        for name, data in content["files"]:
            authors += [a for a in file_authors(name, data) if a not in authors]
        bid.file_authors = authors
        bid.status = BidStatus.DECRYPTED
        bid.decrypted_at = now
        bid.save()
        slot.envelope = sealing.slot_wrap(envelope, tender_id=tender.pk, slot=slot.slot, opened=plain)
        slot.save(update_fields=["envelope"])
        common.event_record(tender=tender, action="decrypt", actor=user, at=now, note=f"{bidder.name} 已解密投标文件",
                            data={"bid": bid.pk, "bidder": bidder.name})
    return bid


def bid_files_get(*, bid: Bid, user) -> list[tuple[str, bytes]]:
    """A decrypted bid's files, for the committee, the agency, the centre, the supervisor and the bidder
    itself; nothing before the bidder decrypted it at the opening."""
    tender = bid.tender
    if not (bid.bidder.members.filter(pk=user.pk).exists() if getattr(user, "is_authenticated", False) else False) \
            and not any(common.actor_is(user, a, tender) for a in (EXPERT, AGENCY, CENTRE, SUPERVISOR)):
        raise PermissionDenied("您无权查阅该投标文件")
    if bid.decrypted_at is None:
        raise DomainError("trading_not_decrypted", "该投标文件未解密，不能查阅")
    slot = BidSlot.objects.get(pk=bid.slot_id)
    _, plain = sealing.slot_open(bytes(slot.envelope), tender_id=tender.pk, slot=slot.slot)
    return sealing.plaintext_parse(plain)["files"]


def opening_record(tender: Tender) -> list[dict]:
    """The opening record as published (names, prices, main terms), in order of submission."""
    return [{"bidder": b.bidder.name, "uscc": b.bidder.uscc, "status": b.status, "status_label": b.get_status_display(),
             "price": str(b.price) if b.price is not None else None, "duration_days": b.duration_days,
             "quality": b.quality, "project_manager": b.project_manager}
            for b in Bid.objects.filter(tender=tender).select_related("bidder").order_by("submitted_at", "id")]


def opening_close(*, tender: Tender, user) -> Tender:
    """结束开标 once every bid is decrypted or the window has passed: undecrypted bids stay 撤销, the opening
    record is published, the collusion flags computed; engineering with fewer than 3 decrypted → 流标."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.transition_check(tender, "close_opening", user)
        return _close(tender, target, actor=user)


def opening_close_due(*, tender: Tender) -> Tender:
    """INTERNAL (``trading_tick``): once the decryption window has passed, the platform ends the opening by
    itself: the bids left undecrypted are 撤销 by rule, the rest goes on as with ``opening_close``."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        target = common.system_transition_check(tender, "close_opening")
        if tender.decrypt_until is None or clock.now() <= tender.decrypt_until:
            raise DomainError("trading_decrypt_pending", "开标解密时限未届满，不能自动结束开标")
        return _close(tender, target, actor=None)


def _close(tender: Tender, target: str, *, actor) -> Tender:
    """``opening_close`` after its checks of who asks (inside its transaction, the round locked)."""
    from ..ocds import release_emit
    from . import flags

    now = clock.now()
    pending = Bid.objects.filter(tender=tender, decrypted_at__isnull=True).count()
    if pending and tender.decrypt_until and now <= tender.decrypt_until:
        raise DomainError("trading_decrypt_pending",
                          f"尚有 {pending} 份投标文件未解密，解密时限（"
                          f"{tender.decrypt_until.astimezone(common.SHANGHAI):%Y-%m-%d %H:%M}）届满前不能结束开标")
    # A bid left undecrypted by its bidder counts as 撤销 (电子招标投标办法); the others go on.
    Bid.objects.filter(tender=tender, status=BidStatus.SEALED).update(status=BidStatus.REVOKED)
    record = opening_record(tender)
    decrypted = sum(1 for r in record if r["status"] == BidStatus.DECRYPTED)
    common.event_record(tender=tender, action="close_opening", actor=actor, at=now,
                        note=f"开标记录：解密 {decrypted} 份，未解密（撤销） {len(record) - decrypted} 份",
                        data={"opening_record": record})
    flags.flags_compute(tender=tender)
    if tender.project.regime == Regime.ENGINEERING and decrypted < 3:
        from . import lifecycle

        return lifecycle.round_fail(tender=tender, actor=actor, reason=FEW_DECRYPTED_REASON)
    tender.status = target
    tender.save(update_fields=["status"])
    release_emit(project=tender.project, tags=["tenderUpdate"], at=now)
    return tender


def rounds_tick() -> dict[str, int]:
    """The scheduled job's work (``zhengwu trading_tick``, every minute; safe to repeat and to run twice at
    once): every round past its bid deadline and not paused is opened (unsealed; fewer than 3 bids fail it),
    every opening whose decryption window has passed is ended. Each round in its own transaction; a round
    another run or a person moved first is skipped. Decryption itself still needs each bidder."""
    now = clock.now()
    done = {"opened": 0, "closed": 0, "failed": 0, "skipped": 0}
    steps = (
        (Tender.objects.filter(status=TenderStatus.PUBLISHED, paused=False, bid_deadline__lte=now), tender_open_due,
         "opened"),
        (Tender.objects.filter(status=TenderStatus.OPENING, paused=False, decrypt_until__lt=now), opening_close_due,
         "closed"),
    )
    for rows, step, key in steps:
        for pk in list(rows.order_by("id").values_list("id", flat=True)):
            try:
                tender = step(tender=Tender(pk=pk))
            except DomainError:
                done["skipped"] += 1
                continue
            done["failed" if tender.status == TenderStatus.FAILED else key] += 1
    return done
