"""Intake (受理) and the centre's first decisions: 派单, 直接答复, 转警, 并单.

``order_create`` records the 诉求 in status 待派单 and never dispatches by itself: the centre dispatches
(the 坐席 page does both in one go, proposing the unit from the 派单目录's rules). Orders from the web,
Open311 clients and other channels wait in the centre's 待派单 queue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldChecks
from zhengwu.core.uploads import check_upload
from zhengwu.core.validators import validate_phone
from zhengwu.org.models import Department, Hall, Region, Staff

from .. import clocks as order_clocks
from ..models import (
    Attachment,
    Category,
    Channel,
    Emergency,
    Kind,
    Order,
    OrderUnit,
    Source,
    Status,
    UnitRole,
    UnitState,
)
from . import common
from .policy import (
    SIGN_RULE,
    add_minutes,
    dispatch_rules,
    end_of_day,
    limits,
    reply_code,
    setting_get,
    workdays_after,
)

UPLOAD_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx")
MAX_FILES = 5


def _next_no(day: dt.date) -> str:
    """RX + date + a daily sequence, from one atomic upsert (race-free on PostgreSQL)."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO hotline_ordercounter (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = hotline_ordercounter.last + 1 RETURNING last",
            [day],
        )
        seq = cur.fetchone()[0]
    return f"RX{day:%Y%m%d}{seq:05d}"


def _field_error(code: str, field: str, message: str) -> DomainError:
    return DomainError(
        code, message, status=422, details=[{"field": field, "in": "body", "type": code, "message": message}]
    )


def fields_done(checks: FieldChecks) -> None:
    """Refuse once with every failed field, in the shape this app's API always gave a field's refusal
    (``details``: a list of ``{field, in, type, message}``), with the first refusal's code and message."""
    if not checks.failed:
        return
    first = checks.failed[0][1]
    raise DomainError(first.code, first.message, status=first.status, details=[
        {"field": name, "in": "body", "type": exc.code, "message": exc.message} for name, exc in checks.failed
    ])


def _category(value) -> Category:
    if isinstance(value, Category):
        cat = value
    else:
        cat = Category.objects.filter(code=str(value or "").strip()).first()
        if cat is None:
            raise _field_error("unknown_category", "category", f"派单目录中没有编码为“{value}”的类别")
    if not cat.active:
        raise _field_error("inactive_category", "category", f"派单目录“{cat.name}”已停用")
    return cat


def _region(value, setting=None) -> Region:
    region = (
        value if isinstance(value, Region) else Region.objects.filter(code=str(value or "").strip()).first()
    )
    if region is None:
        raise _field_error("unknown_region", "region", f"没有区划代码为“{value}”的区划")
    juris = (setting or setting_get()).jurisdiction
    if juris is not None and not region.code.startswith(juris.code_prefix):
        raise _field_error(
            "outside_jurisdiction", "region", f"“{region.name}”不在本热线的受理辖区（{juris.name}）内"
        )
    return region


def _coord(value, field: str, bound: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise _field_error(
            "invalid_coordinate", field, f"{'纬度' if field == 'lat' else '经度'}应为数字"
        ) from exc
    if not -bound <= d <= bound:
        raise _field_error(
            "invalid_coordinate",
            field,
            f"{'纬度' if field == 'lat' else '经度'}应在 -{bound} 到 {bound} 之间",
        )
    return d


def _text(value: str, *, field: str, label: str, limit_chars: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _field_error("required", field, f"请填写{label}")
    if len(text) > limit_chars:
        raise _field_error("too_long", field, f"{label}不能超过{limit_chars}个字（现为{len(text)}个字）")
    return text


def order_create(
    *,
    channel: str,
    kind: str,
    category,
    region,
    text: str,
    caller_phone: str = "",
    caller_name: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    publish_consent: bool = False,
    address: str = "",
    lat=None,
    lon=None,
    source: str = "",
    urgency: str = "",
    actor: Staff | None = None,
    attachments=(),
) -> Order:
    """受理: one 诉求 becomes a work order in status 待派单, with its ``create`` event.

    Refuses (and writes nothing) a missing phone for a caller who is not anonymous, an unknown or
    inactive category, a region outside the jurisdiction, over-long text and bad attachments.
    ``category`` and ``region`` may be rows or codes; ``actor`` is the call-taker (None for Open311 and
    other systems).
    """
    if actor is not None and not common.is_centre(actor):
        raise common.PermissionDenied("受理工单应由热线中心话务员或热线管理员办理", code="not_centre")
    checks = FieldChecks()  # every field checked, all refusals at once (the intake page shows each beside it)
    with checks.field("channel"):
        if channel not in Channel.values:
            raise _field_error(
                "invalid_channel", "channel", "受理渠道应为电话、网站、微信/小程序、短信、来信或Open311接口"
            )
    with checks.field("kind"):
        if kind not in Kind.values:
            raise _field_error("invalid_kind", "kind", "诉求类型应为咨询、求助、投诉、举报、建议或表扬")
    source = source or Source.HOTLINE
    with checks.field("source"):
        if source not in Source.values:
            raise _field_error("invalid_source", "source", "来源热线应为12345、8890、961890或书记县长热线")
    setting = setting_get()
    cat = reg = None
    body = name = addr = ""
    la = lo = None
    with checks.field("category"):
        cat = _category(category)
    with checks.field("region"):
        reg = _region(region, setting)
    with checks.field("text"):
        body = _text(text, field="text", label="诉求内容", limit_chars=setting.text_max_chars, required=True)
    with checks.field("caller_name"):
        name = "" if anonymous else _text(caller_name, field="caller_name", label="来电人姓名", limit_chars=32)
    phone = (caller_phone or "").strip()
    with checks.field("caller_phone"):
        if phone or not anonymous:
            if not phone:
                raise _field_error(
                    "phone_required", "caller_phone", "请填写联系电话（来电人不愿留电话的，请选择匿名）"
                )
            try:
                phone = validate_phone(phone)
            except DomainError as exc:
                raise _field_error(exc.code, "caller_phone", exc.message) from exc
    with checks.field("address"):
        addr = _text(address, field="address", label="地址", limit_chars=200)
    with checks.field("lat"):
        la = _coord(lat, "lat", 90)
    with checks.field("lon"):
        lo = _coord(lon, "lon", 180)
    urgency = urgency or (cat.urgency if cat is not None else "")
    with checks.field("urgency"):
        if urgency and urgency not in ("normal", "utility", "danger"):
            raise _field_error("invalid_urgency", "urgency", "紧急程度应为一般、水电气热或危及生命财产安全")
    files = list(attachments or ())
    with checks.field("attachments"):
        if len(files) > MAX_FILES:
            raise _field_error("too_many_files", "attachments", f"附件最多{MAX_FILES}个")
        for f in files:
            check_upload(f, allowed_types=UPLOAD_TYPES)
    fields_done(checks)

    now, today = clock.now(), clock.today()
    with transaction.atomic():
        order = Order.objects.create(
            no=_next_no(today),
            status=Status.PENDING,
            channel=channel,
            source=source,
            kind=kind,
            urgency=urgency,
            category=cat,
            region=reg,
            address=addr,
            lat=la,
            lon=lo,
            text=body,
            caller_name=name,
            caller_phone=phone,
            anonymous=anonymous,
            confidential=confidential,
            publish_consent=publish_consent,
            created_at=now,
            created_on=today,
            created_by=actor,
        )
        for f in files:
            Attachment.objects.create(order=order, file=f, name=f.name[:200], size=f.size, uploaded_at=now)
        common.event(
            order,
            "create",
            to=Status.PENDING,
            staff=actor,
            public=True,
            actor_name="" if actor else Channel(channel).label,
            note=f"{Channel(channel).label}受理，{Kind(kind).label}：{cat.name}",
            detail={"channel": channel, "source": source, "files": len(files)},
        )
    return order


# -- dispatch -------------------------------------------------------------------------------------------


def dispatch_suggest(*, category: Category, region: Region) -> Department | Hall | None:
    """The unit the 派单目录 names for ``category`` at ``region``: the rule of the nearest region above
    (or at) it, else the rule for the whole jurisdiction."""
    rules = dispatch_rules(category.pk)
    best, best_len = None, -1
    for r in rules:
        prefix = r.region.code_prefix if r.region is not None else ""
        if region.code.startswith(prefix) and len(prefix) > best_len:
            best, best_len = r, len(prefix)
    return None if best is None else (best.department or best.hall)


def _unit_kwargs(unit) -> dict:
    if isinstance(unit, Department):
        return {"department": unit}
    if isinstance(unit, Hall):
        return {"hall": unit}
    raise DomainError("invalid_unit", "承办单位应为部门或便民服务中心/站")


def _check_unit(unit) -> None:
    if isinstance(unit, Department) and not unit.is_active:
        raise DomainError("unit_inactive", f"“{unit.name}”已停用，不能派单")
    if isinstance(unit, Hall) and (not unit.is_active or unit.kind in (Hall.Kind.CENTER, Hall.Kind.TRADING_CENTER)):
        raise DomainError(
            "unit_not_local", f"“{unit.name}”不是便民服务中心或便民服务站，不能作为属地承办单位"
        )


def _send(
    order: Order, units: list[tuple[str, object]], *, staff: Staff | None, now, today, seq: int | None = None
) -> list[OrderUnit]:
    """Create the unit rows with their 签收 limits, and start their clocks and the 主办's 办结 clock; set
    the order's 主办 and 办结 limit (the caller saves the order). ``seq``: the unit rows the order has
    (none before its first dispatch), counted when not given."""
    sign, ret, reply = limits(SIGN_RULE[order.urgency], "return", reply_code(order.kind))
    if sign.minutes:
        sign_due_at = add_minutes(
            now, sign.amount, around_the_clock=sign.around_the_clock, region=order.region
        )
        sign_due_date = None
    else:
        sign_due_date = workdays_after(today, sign.amount, region=order.region)
        sign_due_at = end_of_day(sign_due_date)
    return_until = workdays_after(today, ret.amount, region=order.region)
    seq = order.units.count() if seq is None else seq
    rows = [
        OrderUnit(
            order=order,
            seq=seq + i,
            role=role,
            state=UnitState.DISPATCHED,
            dispatched_at=now,
            dispatched_on=today,
            sign_due_at=sign_due_at,
            return_until=return_until,
            **_unit_kwargs(unit),
        )
        for i, (role, unit) in enumerate(units, start=1)
    ]
    OrderUnit.objects.bulk_create(rows)
    main = rows[0].unit
    order.main_department = main if isinstance(main, Department) else None
    order.main_hall = main if isinstance(main, Hall) else None
    order.dispatched_at, order.sign_due_at, order.signed_at, order.signed_late = now, sign_due_at, None, None
    order.due_on = workdays_after(today, reply.amount, region=order.region)
    people = [common.unit_people(row, order.region.code) for row in rows]
    order_clocks.dispatch_start(
        order, rows, [head for _, head in people], minutes=sign.minutes, due_date=sign_due_date
    )
    for row, (staff_rows, _) in zip(rows, people, strict=True):
        tell_text = (
            f"工单{order.no}（{order.category.name}）已派至贵单位"
            f"{'主办' if row.role == UnitRole.MAIN else '协办'}，请于{_fmt(sign_due_at)}前签收。"
        )
        common.tell_unit(row, tell_text, "hotline_dispatch", order, people=staff_rows)
    return rows


def _fmt(at: dt.datetime) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _units_arg(order: Order, main, assist) -> list[tuple[str, object]]:
    main = main if main is not None else dispatch_suggest(category=order.category, region=order.region)
    if main is None:
        raise DomainError(
            "no_unit", f"派单目录中“{order.category.name}”在{order.region.name}没有承办单位，请指定主办单位"
        )
    units = [(UnitRole.MAIN, main)]
    seen = {(type(main), main.pk)}
    for a in assist or ():
        if (type(a), a.pk) in seen:
            raise DomainError("duplicate_unit", f"“{a.name}”已是本工单的承办单位")
        seen.add((type(a), a.pk))
        units.append((UnitRole.ASSIST, a))
    for _, u in units:
        _check_unit(u)
    return units


def order_dispatch(*, order: Order, staff: Staff, main=None, assist=(), note: str = "") -> Order:
    """派单: to ``main`` (a Department or a town centre/village station; default: the 派单目录's rule)
    and optional 协办 ``assist`` units. Each unit's 签收 clock and the 主办's 办结 clock start."""
    now, today = clock.now(), clock.today()
    with transaction.atomic():
        order = common.locked(order)
        t, _ = common.check(order, "dispatch", staff)
        units = _units_arg(order, main, assist)
        # an order waiting for its first dispatch has no unit rows (待派单 is reached by 受理 only)
        rows = _send(order, units, staff=staff, now=now, today=today, seq=0)
        frm, order.status = order.status, Status.DISPATCHED
        common.save(
            order,
            [
                "status",
                "main_department",
                "main_hall",
                "dispatched_at",
                "sign_due_at",
                "signed_at",
                "signed_late",
                "due_on",
            ],
        )
        names = "、".join(r.unit_name for r in rows)
        common.event(
            order,
            "dispatch",
            frm=frm,
            staff=staff,
            public=True,
            unit=rows[0],
            note=f"派至{names}办理，办结期限{order.due_on:%Y-%m-%d}",
            detail={
                "units": [{"role": r.role, "name": r.unit_name} for r in rows],
                "due_on": order.due_on.isoformat(),
                "note": note,
            },
        )
    return order


def order_answer(*, order: Order, staff: Staff, answer: str, article_id: int | None = None) -> Order:
    """直接答复: the call-taker answered from the 知识库; the order is closed at intake."""
    text = _text(
        answer, field="answer", label="答复内容", limit_chars=setting_get().text_max_chars, required=True
    )
    now, today = clock.now(), clock.today()
    with transaction.atomic():
        order = common.locked(order)
        common.check(order, "answer", staff)
        frm = order.status
        order.status, order.reply_text, order.reply_solved = Status.CLOSED, text, True
        order.replied_at, order.replied_on, order.closed_at, order.closed_on = now, today, now, today
        common.save(
            order,
            ["status", "reply_text", "reply_solved", "replied_at", "replied_on", "closed_at", "closed_on"],
        )
        common.event(
            order,
            "answer",
            frm=frm,
            staff=staff,
            public=True,
            note=text,
            detail={"article": article_id} if article_id else {},
        )
    return order


def order_transfer(*, order: Order, staff: Staff, to: str, reason: str) -> Order:
    """转警: an emergency handed to 110/119/120/122 by 一键转接 — recorded, never dispatched."""
    if to not in Emergency.values:
        raise _field_error("invalid_emergency", "to", "转警去向应为110、119、120或122")
    why = _text(reason, field="reason", label="转警原因", limit_chars=500, required=True)
    now, today = clock.now(), clock.today()
    with transaction.atomic():
        order = common.locked(order)
        common.check(order, "transfer", staff)
        frm = order.status
        order.status, order.emergency, order.closed_at, order.closed_on = Status.TRANSFERRED, to, now, today
        common.save(order, ["status", "emergency", "closed_at", "closed_on"])
        common.event(
            order,
            "transfer",
            frm=frm,
            staff=staff,
            public=True,
            note=f"已转{Emergency(to).label}：{why}",
            detail={"to": to, "reason": why, "at": now.isoformat()},
        )
    return order


def order_merge(*, order: Order, into: Order, staff: Staff, note: str = "") -> Order:
    """并单: ``order`` repeats ``into`` (the main order); its units are withdrawn and its clocks end
    uncounted; later public updates are the main order's."""
    if into.pk == order.pk:
        raise DomainError("merge_self", "不能把工单并入它自己")
    with transaction.atomic():
        main = common.locked(into)
        if main.status in (Status.MERGED, Status.TRANSFERRED):
            raise DomainError(
                "merge_target", f"工单{main.no}已{Status(main.status).label}，不能作为主工单", status=409
            )
        order = common.locked(order)
        common.check(order, "merge", staff)
        if order.merged.exists():
            raise DomainError("merge_has_children", "该工单已有并入的工单，不能再并入其他工单", status=409)
        frm = order.status
        order.units.exclude(state=UnitState.WITHDRAWN).update(state=UnitState.WITHDRAWN)
        order_clocks.finish_all(order, reason="已并单")
        now, today = clock.now(), clock.today()
        order.status, order.merged_into, order.closed_at, order.closed_on = Status.MERGED, main, now, today
        common.save(order, ["status", "merged_into", "closed_at", "closed_on"])
        common.event(
            order,
            "merge",
            frm=frm,
            staff=staff,
            public=True,
            note=f"与工单{main.no}反映的是同一诉求，已并入该工单办理" + (f"（{note}）" if note else ""),
            detail={"into": main.no},
        )
        common.event(
            main,
            "merge_in",
            frm=main.status,
            staff=staff,
            note=f"并入工单{order.no}",
            detail={"order": order.no},
        )
    return order
