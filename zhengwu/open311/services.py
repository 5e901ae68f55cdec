"""Writes of the Open311 interface: issuing client keys, and turning a POSTed request into a work order.

A POSTed request goes through the hotline's own ``order_create`` (channel ``open311``), like an
order a call-taker takes: the same checks, the same order number, clocks and event row. Everything
is validated before anything is written; the order and its ``Open311Request`` row are written in
one transaction.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction

from zhengwu.accounts.models import hash_token
from zhengwu.core import clock, throttle
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_phone
from zhengwu.hotline.models import Category, Channel, Kind, Order
from zhengwu.hotline.services import order_create
from zhengwu.org.models import Region

from .formats import Open311Error
from .models import Open311Client, Open311Request
from .selectors import DEFAULT_KIND, service_categories

KEY_PREFIX = "zw_o311_"
THROTTLE_SCOPE = "open311_post"
THROTTLE_WINDOW = 3600
DESCRIPTION_MAX = 4000  # the spec's limit; the hotline's own limit (热线设置) may be lower
MAX_MEDIA_URLS = 10
MAX_ATTRIBUTES = 30
ATTRIBUTE_VALUE_MAX = 500
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,64})\](\[\])?$")

# ---------------------------------------------------------------- clients


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(30)


def client_issue(
    *,
    name: str,
    jurisdiction: Region,
    actor=None,
    raw: str | None = None,
    active: bool = True,
    posts_per_hour: int = 300,
    publish_consent: bool = False,
    note: str = "",
    request=None,
) -> tuple[Open311Client, str]:
    """Register a client system and return it with its api_key, which is shown this once only."""
    if jurisdiction.level != Region.Level.COUNTY:
        raise DomainError("invalid_jurisdiction", "接入系统的辖区应为县级行政区划")
    raw = raw or _new_key()
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name,
            jurisdiction=jurisdiction,
            prefix=raw[:8],
            key_hash=hash_token(raw),
            active=active,
            posts_per_hour=posts_per_hour,
            publish_consent=publish_consent,
            note=note,
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=client,
            request=request,
            summary=f"签发 Open311 接入系统“{name}”的密钥（{client.prefix}…）",
        )
    return client, raw


def client_rotate(*, client: Open311Client, actor=None, request=None) -> str:
    """Replace a client's api_key (the old one stops working at once); returns the new key, shown once."""
    raw = _new_key()
    with transaction.atomic():
        Open311Client.objects.filter(pk=client.pk).update(prefix=raw[:8], key_hash=hash_token(raw))
        client.prefix, client.key_hash = raw[:8], hash_token(raw)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=client,
            request=request,
            summary=f"重新签发 Open311 接入系统“{client.name}”的密钥（{client.prefix}…）",
        )
    return raw


EDITABLE = ("name", "active", "posts_per_hour", "publish_consent", "note")


def client_update(*, client: Open311Client, changed: list[str], actor=None, request=None) -> None:
    """Save an edited client's settings (name, 启用, limit, publishing, note) with an audit row."""
    fields = [f for f in changed if f in EDITABLE]
    if not fields:
        return
    with transaction.atomic():
        client.save(update_fields=fields)
        labels = "、".join(str(Open311Client._meta.get_field(f).verbose_name) for f in fields)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=client,
            request=request,
            summary=f"修改 Open311 接入系统“{client.name}”：{labels}",
        )


def client_authenticate(api_key: str) -> Open311Client:
    """The active client holding ``api_key``; 403 otherwise (the spec's answer to a missing or bad key)."""
    if not api_key:
        raise Open311Error(403, "缺少 api_key：提交诉求须使用热线中心签发的接入密钥")
    client = (
        Open311Client.objects.select_related("jurisdiction")
        .filter(key_hash=hash_token(api_key), active=True)
        .first()
    )
    if client is None:
        raise Open311Error(403, "api_key 无效或已停用，请联系热线中心")
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=clock.now())
    return client


# ---------------------------------------------------------------- POST requests


@dataclass
class Submission:
    """A POST body, checked; what ``request_submit`` writes."""

    category: Category
    region: Region
    kind: str
    text: str
    address: str
    address_id: str
    lat: Decimal | None
    lon: Decimal | None
    caller_name: str
    caller_phone: str
    email: str
    device_id: str
    account_id: str
    media_urls: list[str]
    attributes: dict


def _one(data, name: str, limit: int) -> str:
    value = (data.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, f"参数 {name} 不能超过{limit}个字符（现为{len(value)}个）")
    return value


def _coordinate(value: str, name: str, bound: float) -> Decimal:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise Open311Error(400, f"参数 {name} 应为 -{bound:g} 至 {bound:g} 之间的 WGS84 坐标（十进制度）")
    return Decimal(f"{number:.6f}")


def _caller_name(first: str, last: str) -> str:
    """姓 + 名 for Chinese names (last_name is the family name), "First Last" otherwise."""
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def _attributes(data) -> dict:
    out: dict = {}
    for key in data:
        m = _ATTRIBUTE.match(key)
        if m is None:
            if key.startswith("attribute["):
                raise Open311Error(
                    400, f"附加属性名“{key[:80]}”不正确：应为 attribute[代码]，代码由字母、数字、下划线组成"
                )
            continue
        values = [v.strip() for v in data.getlist(key)]
        if any(len(v) > ATTRIBUTE_VALUE_MAX for v in values):
            raise Open311Error(400, f"附加属性 {m.group(1)} 的值不能超过{ATTRIBUTE_VALUE_MAX}个字符")
        out[m.group(1)] = values if m.group(2) or len(values) > 1 else values[0]
    if len(out) > MAX_ATTRIBUTES:
        raise Open311Error(400, f"附加属性（attribute[…]）最多{MAX_ATTRIBUTES}项")
    return out


def submission_check(*, data, jurisdiction: Region) -> Submission:
    """Check a POST body against the spec and the hotline's columns; a 400 names the first problem."""
    code = _one(data, "service_code", 32)
    if not code:
        raise Open311Error(400, "缺少 service_code：请先查询 services 列表，选择服务类型")
    category = service_categories().filter(code=code).first()
    if category is None:
        raise Open311Error(400, f"服务类型“{code}”（service_code）不存在或已停用")

    lat_raw, lon_raw = _one(data, "lat", 40), _one(data, "long", 40)
    address = _one(data, "address_string", Order._meta.get_field("address").max_length)
    address_id = _one(data, "address_id", 40)
    if bool(lat_raw) != bool(lon_raw):
        raise Open311Error(400, "lat 与 long 须同时提供")
    if not (lat_raw or address or address_id):
        raise Open311Error(400, "缺少位置：请提供 lat 和 long，或 address_string，或 address_id 之一")
    lat = _coordinate(lat_raw, "lat", 90) if lat_raw else None
    lon = _coordinate(lon_raw, "long", 180) if lon_raw else None
    region = jurisdiction
    if address_id:
        region = Region.objects.filter(code=address_id, code__startswith=jurisdiction.code_prefix).first()
        if region is None:
            raise Open311Error(
                400, f"address_id “{address_id}” 不是本辖区（{jurisdiction.name}）内的12位统计用区划代码"
            )

    text = (data.get("description") or "").strip()
    if not text:
        raise Open311Error(400, "缺少 description：请填写诉求内容")
    if len(text) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description 不能超过{DESCRIPTION_MAX}个字符（现为{len(text)}个）")
    if _TAG.search(text):
        raise Open311Error(400, "description 不能包含 HTML 标记，请提交纯文本")

    attributes = _attributes(data)
    kind = attributes.pop("kind", "") or DEFAULT_KIND
    if kind not in Kind.values:
        raise Open311Error(400, f"attribute[kind] 只能是 {'、'.join(Kind.values)} 之一")

    first, last = _one(data, "first_name", 32), _one(data, "last_name", 32)
    caller_name = _caller_name(first, last)
    if len(caller_name) > Order._meta.get_field("caller_name").max_length:
        raise Open311Error(400, "first_name 与 last_name 合计过长（不超过32个字符）")
    phone = _one(data, "phone", 30)
    if phone:
        try:
            phone = validate_phone(phone)
        except DomainError as exc:
            raise Open311Error(400, f"phone：{exc.message}") from exc
    email = _one(data, "email", 254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError as exc:
            raise Open311Error(400, "email 不是有效的电子邮箱地址") from exc

    media_urls = [u.strip() for u in data.getlist("media_url") if u.strip()]
    if len(media_urls) > MAX_MEDIA_URLS:
        raise Open311Error(400, f"media_url 最多{MAX_MEDIA_URLS}个")
    for url in media_urls:
        try:
            if len(url) > 500:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise Open311Error(400, "media_url 应为 http 或 https 开头的网址（不超过500个字符）") from exc

    return Submission(
        category=category,
        region=region,
        kind=kind,
        text=text,
        address=address,
        address_id=address_id if address_id else "",
        lat=lat,
        lon=lon,
        caller_name=caller_name,
        caller_phone=phone,
        email=email,
        device_id=_one(data, "device_id", 100),
        account_id=_one(data, "account_id", 100),
        media_urls=media_urls,
        attributes=attributes,
    )


def throttle_check(client: Open311Client) -> None:
    """At most ``posts_per_hour`` POSTs per client (counted in the shared cache, across processes).

    Each POST is counted before it is checked (``throttle.attempt``: one atomic add), so POSTs sent in
    parallel cannot all pass a count none of them has raised yet; a refused or invalid POST counts too.
    """
    try:
        throttle.attempt(THROTTLE_SCOPE, str(client.pk), limit=client.posts_per_hour, window=THROTTLE_WINDOW)
    except DomainError as exc:
        raise Open311Error(
            429,
            f"提交过于频繁：每个接入系统每小时最多提交{client.posts_per_hour}件，请稍后再试",
            headers={"Retry-After": str(THROTTLE_WINDOW)},
        ) from exc


def request_submit(*, client: Open311Client, data, jurisdiction_id: str = "") -> Open311Request:
    """POST requests: check, then create the work order and its Open311 row in one transaction."""
    if jurisdiction_id and jurisdiction_id != client.jurisdiction.code:
        raise Open311Error(
            400,
            f"jurisdiction_id “{jurisdiction_id[:40]}” 与该接入系统的辖区"
            f"（{client.jurisdiction.name}，{client.jurisdiction.code}）不一致",
        )
    throttle_check(client)
    s = submission_check(data=data, jurisdiction=client.jurisdiction)
    try:
        with transaction.atomic():
            order = order_create(
                channel=Channel.OPEN311,
                kind=s.kind,
                category=s.category,
                region=s.region,
                text=s.text,
                caller_phone=s.caller_phone,
                caller_name=s.caller_name,
                anonymous=not s.caller_phone,
                confidential=False,
                publish_consent=client.publish_consent,
                address=s.address,
                lat=s.lat,
                lon=s.lon,
                source="",
                actor=None,
            )
            return Open311Request.objects.create(
                order=order,
                client=client,
                email=s.email,
                device_id=s.device_id,
                account_id=s.account_id,
                address_id=s.address_id,
                media_urls=s.media_urls,
                attributes=s.attributes,
            )
    except DomainError as exc:
        raise Open311Error(400, exc.message) from exc
