"""What every disclosure service shares: duties, counters, the guarded UPDATE."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import F, Model

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Staff

from ..models import Body, BodyMember
from ..policy import setting

DUTY_LABELS = dict(BodyMember.Duty.choices)


def duties_of(staff: Staff | None, body: Body) -> set[str]:
    if staff is None or not staff.is_active:
        return set()
    cache = getattr(staff, "_gk_duties", None)
    if cache is None:
        cache = staff._gk_duties = {}
    if body.pk not in cache:
        cache[body.pk] = set(BodyMember.objects.filter(staff=staff, body=body).values_list("duty", flat=True))
    return cache[body.pk]


def require_duty(staff: Staff | None, body: Body, *duties: str, action: str) -> str:
    """The duty in which ``staff`` may do ``action`` for ``body``; raises 403 with who may."""
    have = duties_of(staff, body)
    for duty in duties:
        if duty in have:
            return duty
    names = "、".join(DUTY_LABELS[d] for d in duties)
    if not have:
        raise PermissionDenied(f"您不是{body.name}的政务公开工作人员，不能{action}", code="out_of_scope")
    raise PermissionDenied(f"“{action}”应由{body.name}的{names}办理", code="wrong_duty")


def next_number(body: Body, kind: str, year: int) -> int:
    """The next number of ``kind`` for ``body`` and ``year``, from one atomic upsert."""
    from ..models import Counter

    table = Counter._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (body_id, kind, year, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 — table name is ours
            f"ON CONFLICT (body_id, kind, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [body.pk, kind, year],
        )
        return cur.fetchone()[0]


def guarded_update(obj: Model, *, allowed: list[str], target: str, what: str, labels: dict, **changes) -> None:
    """UPDATE … WHERE id = … AND row_version = …: the lock, the state check and the write at once."""
    if obj.status not in allowed:
        raise DomainError("bad_state", f"当前状态为“{labels[obj.status]}”，不能{what}", status=409)
    model = type(obj)
    n = model.objects.filter(pk=obj.pk, row_version=obj.row_version).update(
        status=target, row_version=F("row_version") + 1, **changes)
    if n != 1:
        fresh = model.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        if fresh is not None and fresh not in allowed:
            raise DomainError("bad_state", f"当前状态为“{labels[fresh]}”，不能{what}", status=409)
        raise DomainError("conflict", "记录刚刚被其他人更新，请刷新后重试", status=409)
    obj.status = target
    obj.row_version += 1
    for k, v in changes.items():
        setattr(obj, k, v)


def actor_fields(*, staff: Staff | None = None, user=None) -> dict:
    if staff is not None:
        return {"actor_id": staff.user_id, "actor_name": staff.name}
    if user is not None and getattr(user, "is_authenticated", False):
        return {"actor_id": user.pk, "actor_name": getattr(user, "display_name", str(user))}
    return {"actor_id": None, "actor_name": "系统"}


def check_files(files) -> list:
    """Every upload of one submission checked before anything is written (type, content, size, count).

    One bad file refuses the whole submission; the checks are the platform's (``cases.check_upload``).
    """
    from zhengwu.cases.services import check_upload

    files = [f for f in files if f]
    limit = setting("max_files")
    if len(files) > limit:
        raise DomainError("too_many_files", f"一次最多上传{limit}个文件，您选择了{len(files)}个")
    for upload in files:
        check_upload(upload)
    return files


@contextmanager
def files_removed_on_failure() -> Iterator[list]:
    """Files written by a service that then fails are deleted again.

    The database rolls back its rows; storage does not. Wrap the ``transaction.atomic()`` block and
    append each saved ``FieldFile``; if anything in the block raises, those files are removed.
    """
    saved: list = []
    try:
        yield saved
    except BaseException:
        for f in saved:
            f.storage.delete(f.name)
        raise
