from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.utils import timezone

from .models import CHAIN_FIELDS, AuditEvent, audit_digest
from .partitions import audit_archived_segments

# The PostgreSQL advisory lock that serialises audit writers, held to the end of the writer's
# transaction. One 64-bit key, derived from a name so it cannot collide with another app's by chance.
AUDIT_CHAIN_LOCK = int.from_bytes(hashlib.sha256(b"zhengwu.core.auditevent.chain").digest()[:8], "big",
                                  signed=True)


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "",
                 summary: str = "", request=None) -> AuditEvent:
    """Append one row to the audit trail, chained to the row before it.

    Call it inside the transaction of the change it records, and preferably last in it: from
    here to the commit every other audit writer waits (on PostgreSQL an advisory lock, on SQLite
    the IMMEDIATE write transaction every writer holds anyway). Costs one query to find the
    predecessor, one to take the lock on PostgreSQL, and one for the actor's 工号 unless
    ``actor.staff`` is already loaded. Inside :func:`audit_deferred` the row is only collected
    (and returned unsaved); it is written with the others when that block ends.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    ip = None
    if request is not None:
        ip = request.META.get("REMOTE_ADDR")
    user = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    actor_name, actor_no = _actor_identity(user)
    event = AuditEvent(
        actor=user, actor_name=actor_name, actor_no=actor_no, action=action, object_type=object_type,
        object_id=object_id, summary=summary[:500],
        # hashed as the database will give it back (IPv6 compressed, lower case)
        ip=AuditEvent._meta.get_field("ip").get_prep_value(ip),
    )
    pending = getattr(_deferred, "events", None)
    if pending is not None:
        pending.append(event)
        return event
    _audit_write([event])
    return event


# Audit rows collected by an open ``audit_deferred`` block of this thread (None: write at once).
_deferred = threading.local()


@contextmanager
def audit_deferred():
    """Collect the audit rows written inside the block and chain them in one go when it ends.

    For long transactions that write audit rows as they go (the catalog's Excel import publishes
    one version per row): the chain lock is then taken only for the short insert at the end,
    instead of from the first row to the commit, so a case action's audit row waits a moment
    rather than the whole import (and two such writers cannot deadlock on the lock and a row).
    Use it inside the transaction, ending just before its commit. If the block raises, the
    collected rows are dropped with the transaction. Nested blocks join the outer one.
    """
    if getattr(_deferred, "events", None) is not None:
        yield
        return
    _deferred.events = []
    try:
        yield
        events = _deferred.events
    finally:
        _deferred.events = None
    if events:
        _audit_write(events)


def _audit_write(events: list[AuditEvent]) -> None:
    """Chain ``events`` after the last row and insert them, under the chain lock."""
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
        at = timezone.now()  # taken under the lock, so time order follows chain order
        for event in events:
            event.prev_hash, event.at = prev, at
            event.hash = prev = event.content_hash()
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)  # ids in list order: the chain order


def _actor_identity(user) -> tuple[str, str]:
    """The name and 工号 to keep on the row: a member of staff's own, else the account's name."""
    if user is None:
        return "", ""
    try:
        staff = user.staff  # org.Staff, one-to-one with the account
    except ObjectDoesNotExist:
        return user.display_name[:150], ""
    return staff.name, staff.employee_no


@dataclass
class AuditChainCheck:
    """What ``audit_chain_verify`` found: ``intact`` rows before the first break (all, if none)."""

    intact: int = 0
    last_id: int | None = None
    last_at: object = None
    last_hash: str = ""
    broken_id: int | None = None
    broken_at: object = None
    problems: list[str] = field(default_factory=list)
    # archived months the chain was followed across (zhengwu partitions archive), oldest first:
    # each with month, rows, first_id, first_prev_hash, last_id, last_hash
    archived: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def audit_chain_verify(*, batch_size: int = 5000,
                       progress: Callable[[AuditChainCheck], None] | None = None) -> AuditChainCheck:
    """Walk the audit chain in id order and stop at the first row that does not hold.

    A row holds when its stored hash is the hash of its content (else it was changed after it
    was written) and its ``prev_hash`` is the hash of the row before it (else rows in between
    were deleted, or this one was inserted) — unless the rows in between are archived months
    recorded by ``zhengwu partitions archive`` whose chain ends join exactly (they are listed in
    ``check.archived``). Reads ``batch_size`` rows at a time by id, so memory stays flat however
    long the trail; ``progress`` is called after each batch.
    """
    check = AuditChainCheck()
    archived = {s["first_prev_hash"]: s for s in audit_archived_segments()}
    columns = ("id", *CHAIN_FIELDS, "hash")
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=check.last_id or 0).order_by("id")
                    .values_list(*columns)[:batch_size])
        if not rows:
            return check
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            problems = []
            if not values["hash"]:
                problems.append("该行没有哈希：它不是经审计服务写入的，而是被直接插入的")
            elif audit_digest(**{f: values[f] for f in CHAIN_FIELDS}) != values["hash"]:
                problems.append("内容与哈希不符：该行写入后被改动过（时间、操作人、工号、操作、对象、摘要、IP "
                                "或所记的上一条哈希之一）")
            bridge = None
            if values["prev_hash"] != check.last_hash:
                bridge = _archived_bridge(archived, check.last_hash, values["prev_hash"],
                                          after_id=check.last_id or 0, before_id=values["id"])
            if values["prev_hash"] != check.last_hash and bridge is None:
                if check.last_id is None:
                    problems.append("与上一条的链接断开：这是现存的第一行，却记着上一条的哈希 "
                                    f"{values['prev_hash'] or '（空）'}，说明在它之前有行被删除")
                else:
                    problems.append(f"与上一条的链接断开：该行记着上一条的哈希 {values['prev_hash'] or '（空）'}，"
                                    f"而排在它前面的 #{check.last_id} 的哈希是 {check.last_hash or '（空）'}，"
                                    "说明两行之间有行被删除，或该行是被插入的")
            if problems:
                check.broken_id, check.broken_at, check.problems = values["id"], values["at"], problems
                return check
            check.archived += bridge or []
            check.intact += 1
            check.last_id, check.last_at, check.last_hash = values["id"], values["at"], values["hash"]
        if progress is not None:
            progress(check)


def _archived_bridge(archived: dict[str, dict], start: str, target: str, *, after_id: int,
                     before_id: int) -> list[dict] | None:
    """The archived months that lead from the hash ``start`` to ``target`` through ids strictly
    between ``after_id`` and ``before_id``, in order; None when they do not join exactly."""
    path, current = [], start
    while current != target and len(path) < len(archived):
        segment = archived.get(current)
        if segment is None or not after_id < segment["first_id"] <= segment["last_id"] < before_id:
            return None
        path.append(segment)
        current, after_id = segment["last_hash"], segment["last_id"]
    return path if current == target and path else None
