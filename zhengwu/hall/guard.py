"""The public hall pages and API, guarded against scripts.

The kiosk (取号机) is a page anyone can open, so a script could flood a queue with numbers (and
have call SMS sent to any phone) or guess the 6-digit check-in and cancellation codes. Two
defences, as policy here:

- **Kiosk devices.** The hall's 中心管理员 opens the kiosk page on the
  hall's own machine and marks it 取号机: a ``KioskDevice`` row and a signed cookie
  (``KIOSK_COOKIE``, SECRET_KEY-signed, naming the hall and the row) that no one can forge; revoking
  the row in the admin ends it. A marked machine issues numbers without limit, as a
  busy hall needs; any other browser (a phone scanning the QR on the wall) gets ``ISSUE_LIMIT``
  numbers per ``ISSUE_WINDOW`` seconds per client address. Through the API, numbers are issued by
  the hall's own staff accounts (the kiosk app's token).
- **Codes.** Wrong check-in or cancellation codes are counted per client address in the shared
  cache; after ``CODE_FAILURES`` within ``CODE_WINDOW`` the client is refused until the window
  ends (a kiosk device gets ``KIOSK_CODE_FAILURES``: many people type there).
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.db import transaction

from zhengwu.core import clock, throttle
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_lengths
from zhengwu.org.models import Hall, Role

from .models import KioskDevice

KIOSK_COOKIE = "zw_kiosk"
KIOSK_SALT = "zhengwu.hall.kiosk"
KIOSK_MAX_AGE = 5 * 365 * 24 * 3600
ISSUE_LIMIT, ISSUE_WINDOW = 3, 1800
CODE_FAILURES, KIOSK_CODE_FAILURES, CODE_WINDOW = 10, 60, 600
KIOSK_SETUP_ROLES = {Role.HALL_ADMIN}  # marking a machine: the 中心管理员 only
KIOSK_APP_ROLES = {Role.HALL_ADMIN, Role.WINDOW_OFFICER, Role.CHIEF_REP}  # whose tokens a kiosk app may use


def kiosk_device_register(*, hall: Hall, staff, label: str = "") -> tuple[KioskDevice, str]:
    """Mark a machine as ``hall``'s 取号机: a device row and the signed cookie value naming it."""
    if not may_set_up_kiosk(staff, hall):
        raise PermissionDenied(f"只有{hall.name}的中心管理员可以将设备设为取号机", code="not_hall_admin")
    label = label.strip()
    validate_lengths({"label": label}, KioskDevice, ["label"])
    with transaction.atomic():
        device = KioskDevice.objects.create(hall=hall, nonce=secrets.token_hex(16), label=label,
                                            created_by=staff, created_at=clock.now())
        audit_record(actor=staff.user, action="create", obj=device, summary=f"将设备设为{hall.name}取号机")
    return device, signing.dumps({"hall": hall.code, "device": device.nonce}, salt=KIOSK_SALT)


def kiosk_device_revoke(*, device: KioskDevice, staff) -> None:
    if not may_set_up_kiosk(staff, device.hall):
        raise PermissionDenied(f"只有{device.hall.name}的中心管理员可以吊销取号机", code="not_hall_admin")
    with transaction.atomic():
        KioskDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
        audit_record(actor=staff.user, action="update", obj=device, summary=f"吊销{device}的取号机标记")


def is_kiosk_device(request, hall: Hall) -> bool:
    raw = request.COOKIES.get(KIOSK_COOKIE, "")
    if not raw:
        return False
    try:
        value = signing.loads(raw, salt=KIOSK_SALT, max_age=KIOSK_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(value, dict) or value.get("hall") != hall.code:
        return False
    return KioskDevice.objects.filter(hall=hall, nonce=str(value.get("device", "")), revoked_at__isnull=True).exists()


def may_set_up_kiosk(staff, hall: Hall) -> bool:
    return bool(staff is not None and staff.is_active and staff.hall_id == hall.pk
                and staff.role_codes() & KIOSK_SETUP_ROLES)


def is_kiosk_account(staff, hall: Hall) -> bool:
    return bool(staff is not None and staff.is_active and staff.hall_id == hall.pk
                and staff.role_codes() & KIOSK_APP_ROLES)


def guarded_issue(request, hall: Hall, issue):
    """Run ``issue`` (taking a number); outside a kiosk device at most ``ISSUE_LIMIT`` numbers per
    client in the window (only numbers actually issued count)."""
    if is_kiosk_device(request, hall):
        return issue()
    who = throttle.client_key(request)  # across halls: a script gets no more numbers by switching halls
    try:  # counted before the number is taken, so parallel requests cannot pass the same count
        throttle.attempt("hall-issue", who, limit=ISSUE_LIMIT, window=ISSUE_WINDOW)
    except DomainError:
        raise DomainError("too_many_requests", f"取号过于频繁：同一设备{ISSUE_WINDOW // 60}分钟内最多取{ISSUE_LIMIT}个号，"
                                               "请到大厅取号机取号", status=429) from None
    try:
        return issue()
    except BaseException:
        throttle.forgive("hall-issue", who)  # no number issued
        raise


def guarded_code(request, hall: Hall | None, lookup, *, kiosk: bool = False):
    """Run ``lookup`` (a code check that raises NotFound on a wrong code) under the failure counter:
    per hall and client for a check-in (so typos on a shared Wi-Fi elsewhere do not block a hall's
    kiosk), per client for a cancellation. ``kiosk``: the caller is the hall's kiosk app."""
    who = f"{hall.pk if hall is not None else '-'}:{throttle.client_key(request)}"
    device = kiosk or (hall is not None and is_kiosk_device(request, hall))
    limit = KIOSK_CODE_FAILURES if device else CODE_FAILURES
    throttle.attempt("hall-code", who, limit=limit, window=CODE_WINDOW, what="预约码核对")
    try:
        result = lookup()
    except NotFound:
        raise  # a wrong code: the attempt stays counted
    except BaseException:
        throttle.forgive("hall-code", who)  # a right code refused for another reason
        raise
    throttle.forgive("hall-code", who)
    return result
