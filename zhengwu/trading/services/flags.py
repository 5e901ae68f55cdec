"""串通投标 indicators (招标投标法实施条例第四十条) that the decrypted bids can show, flagged to the
行政监督部门 with the evidence: same uploading device or IP, same author in the bid files, same project
manager, same deposit account, prices in a regular pattern (equal differences or equal ratios). A flag is a
lead for the supervisor to check (``flag_review``), not a finding."""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from decimal import Decimal

from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from ..models import Bid, BidStatus, CollusionFlag, FlagKind, FlagStatus, Tender
from . import common

TOLERANCE = Decimal("0.001")  # 0.1 %: prices whose steps agree this closely are "regular"


def _norm(value: str) -> str:
    return re.sub(r"[\s\-－—_]", "", value or "").upper()


def _same(bids: list[Bid], kind: str, field: str, key) -> list[tuple[str, list[Bid], dict]]:
    groups: dict[str, list[Bid]] = defaultdict(list)
    shown: dict[str, str] = {}
    for b in bids:
        for raw in key(b):
            k = _norm(raw)
            if k and b not in groups[k]:
                groups[k].append(b)
                shown.setdefault(k, raw)
    return [(kind, group, {field: shown[k], "bids": [_who(b) for b in group]})
            for k, group in groups.items() if len({b.bidder_id for b in group}) >= 2]


def _who(b: Bid) -> dict:
    return {"bid": b.pk, "bidder": b.bidder.name, "price": str(b.price) if b.price is not None else None,
            "upload_ip": b.upload_ip, "upload_device": b.upload_device, "project_manager": b.project_manager,
            "deposit_account": b.deposit_account, "file_authors": b.file_authors}


def _close(a: Decimal, b: Decimal) -> bool:
    scale = max(abs(a), abs(b))
    return abs(a - b) <= TOLERANCE * scale


def price_patterns(prices: list[Decimal]) -> list[tuple[str, list[int]]]:
    """Maximal progressions of at least 3 of ``prices`` (indices into the list), arithmetic ("difference")
    or geometric ("ratio") within 0.1 %, each reported once."""
    order = sorted(range(len(prices)), key=lambda i: prices[i])
    found: list[tuple[str, list[int]]] = []
    for mode in ("difference", "ratio"):
        seen: list[set[int]] = []
        for a, b in itertools.combinations(order, 2):
            pa, pb = prices[a], prices[b]
            if mode == "ratio" and (pa <= 0 or pa == pb):
                continue
            step = pb - pa if mode == "difference" else pb / pa
            chain, last = [a, b], pb
            for c in order:
                if prices[c] < last or c in chain:
                    continue
                nxt = prices[c] - last if mode == "difference" else (prices[c] / last if last else None)
                if nxt is not None and (_close(nxt, step) if mode == "difference" else _close(nxt - 1, step - 1)):
                    chain.append(c)
                    last = prices[c]
            if len(chain) >= 3 and not any(set(chain) <= s for s in seen) \
                    and not any(set(chain) <= set(f[1]) for f in found):
                seen = [s for s in seen if not s <= set(chain)] + [set(chain)]
                found = [f for f in found if not (f[0] == mode and set(f[1]) <= set(chain))] + [(mode, chain)]
    return found


def flags_compute(*, tender: Tender) -> list[CollusionFlag]:
    """INTERNAL (called by ``opening_close``): the round's flags from its decrypted bids, each with an event
    "flag". Running it again adds only flags not already raised."""
    bids = list(Bid.objects.filter(tender=tender, status__in=[BidStatus.DECRYPTED, BidStatus.VALID,
                                                               BidStatus.REJECTED]).select_related("bidder"))
    found = (_same(bids, FlagKind.SAME_DEVICE, "upload_device", lambda b: [b.upload_device])
             + _same(bids, FlagKind.SAME_DEVICE, "upload_ip", lambda b: [b.upload_ip])
             + _same(bids, FlagKind.SAME_AUTHOR, "file_author", lambda b: list(b.file_authors or []))
             + _same(bids, FlagKind.SAME_MANAGER, "project_manager", lambda b: [b.project_manager])
             + _same(bids, FlagKind.SAME_ACCOUNT, "deposit_account", lambda b: [b.deposit_account]))
    priced = [b for b in bids if b.price is not None]
    for mode, chain in price_patterns([b.price for b in priced]):
        group = [priced[i] for i in chain]
        steps = [str(group[i + 1].price - group[i].price) if mode == "difference"
                 else str((group[i + 1].price / group[i].price).quantize(Decimal("0.000001")))
                 for i in range(len(group) - 1)]
        found.append((FlagKind.PRICE_PATTERN, group,
                      {"pattern": "等差" if mode == "difference" else "等比", "steps": steps,
                       "prices": [str(b.price) for b in group], "bids": [_who(b) for b in group]}))
    def same(kind, evidence):  # jsonb (PostgreSQL) does not keep key order
        return kind, json.dumps(evidence, sort_keys=True, ensure_ascii=False)

    existing = {same(f.kind, f.evidence) for f in CollusionFlag.objects.filter(tender=tender)}
    now = clock.now()
    flags = []
    for kind, group, evidence in found:
        if same(kind, evidence) in existing:
            continue
        flag = CollusionFlag.objects.create(tender=tender, kind=kind, evidence=evidence, created_at=now)
        flag.bidders.set([b.bidder_id for b in group])
        names = "、".join(b.bidder.name for b in group)
        common.event_record(tender=tender, action="flag", at=now,
                            note=f"{FlagKind(kind).label}：{names}"[:500],
                            data={"flag": flag.pk, "kind": kind, "evidence": evidence})
        flags.append(flag)
    return flags


def flag_review(*, flag: CollusionFlag, user, status: str, note: str) -> CollusionFlag:
    """The 行政监督部门 records the outcome of its check: 查实 or 排除, with its reasons."""
    with common.atomic():
        tender = common.tender_lock(flag.tender_id)
        common.transition_check(tender, "review_flag", user)
        flag = CollusionFlag.objects.select_for_update().get(pk=flag.pk)
        if status not in (FlagStatus.CONFIRMED, FlagStatus.DISMISSED):
            raise DomainError("trading_flag_status", "核查结论只能是“查实”或“排除”")
        note = (note or "").strip()
        if not note:
            raise DomainError("trading_flag_note", "请填写核查意见")
        if len(note) > 500:
            raise DomainError("trading_flag_note", "核查意见不能超过500字")
        flag.status = status
        flag.review_note = note
        flag.reviewed_by = user
        flag.save(update_fields=["status", "review_note", "reviewed_by"])
        common.event_record(tender=tender, action="review_flag", actor=user,
                            note=f"{FlagKind(flag.kind).label}：{FlagStatus(status).label}。{note}"[:500],
                            data={"flag": flag.pk, "status": status})
    return flag
