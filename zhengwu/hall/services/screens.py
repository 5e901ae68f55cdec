"""大厅显示屏: the hall's 中心管理员 names each screen, says which queues it shows and how fast it pages;
the TV opens the screen's address (``/hall/<hall>/board/<screen>/``)."""

from __future__ import annotations

import re

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldChecks, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_lengths
from zhengwu.org.models import Hall

from ..guard import may_set_up_kiosk
from ..models import HallScreen, ScreenKind, WindowGroup

CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
PAGE_SECONDS = (5, 120)


def may_manage_screens(staff, hall: Hall) -> bool:
    """The hall's own 中心管理员 (as for marking a 取号机)."""
    return may_set_up_kiosk(staff, hall)


def screen_save(*, staff, hall: Hall, code: str, name: str, kind: str = ScreenKind.BOARD,
                group_ids: list[int] | None = None, page_seconds: int | str = 10,
                screen: HallScreen | None = None) -> HallScreen:
    """Add a screen (``screen`` None) or change one; every field checked, all refusals at once."""
    if not may_manage_screens(staff, hall):
        raise PermissionDenied(f"只有{hall.name}的中心管理员可以设置显示屏", code="not_hall_admin")
    if screen is not None and screen.hall_id != hall.pk:
        raise PermissionDenied("该显示屏不属于本大厅", code="not_hall_admin")
    checks = FieldChecks()
    code, name = (code or "").strip().upper(), (name or "").strip()
    with checks.field("code"):
        if not CODE_RE.match(code) or code == "STATE":  # /board/state/ is the board's data address
            raise DomainError("screen_code", "屏幕编号为1至20位字母、数字或短横线（不能为 STATE），如 1F-EAST")
        if HallScreen.objects.filter(hall=hall, code=code).exclude(pk=getattr(screen, "pk", None)).exists():
            raise DomainError("screen_code_taken", f"本大厅已有编号为 {code} 的显示屏")
    with checks.field("name"):
        if not name:
            raise DomainError("screen_name", "请填写屏幕名称")
        validate_lengths({"name": name}, HallScreen, ["name"])
    with checks.field("kind"):
        if kind not in ScreenKind.values:
            raise DomainError("screen_kind", "显示内容应为叫号大屏或公开承诺轮播")
    seconds = 0
    with checks.field("page_seconds"):
        try:
            seconds = int(str(page_seconds).strip())
        except ValueError:
            seconds = 0
        if not PAGE_SECONDS[0] <= seconds <= PAGE_SECONDS[1]:
            raise DomainError("screen_page_seconds", f"翻页间隔应为{PAGE_SECONDS[0]}至{PAGE_SECONDS[1]}秒")
    groups: list[WindowGroup] = []
    with checks.field("groups"):
        wanted = {int(g) for g in (group_ids or []) if str(g).isdigit()}
        groups = list(WindowGroup.objects.filter(hall=hall, pk__in=wanted, is_active=True))
        if len(groups) != len(wanted) or len(wanted) != len(group_ids or []):
            raise DomainError("screen_groups", "所选叫号分组不属于本大厅或已停用")
    checks.done()
    with transaction.atomic():
        if screen is None:
            screen = HallScreen(hall=hall)
            action, summary = "create", f"新增显示屏 {code} {name}"
        else:
            screen = HallScreen.objects.select_for_update().get(pk=screen.pk)
            action, summary = "update", f"修改显示屏 {code} {name}"
        screen.code, screen.name, screen.kind, screen.page_seconds = code, name, kind, seconds
        screen.is_active, screen.updated_at = True, clock.now()
        screen.save()
        screen.groups.set(groups)
        audit_record(actor=staff.user, action=action, obj=screen,
                     summary=summary + (f"（{'、'.join(g.code for g in groups)}）" if groups else "（全部分组）"))
    return screen


def screen_disable(*, staff, screen: HallScreen) -> None:
    if not may_manage_screens(staff, screen.hall):
        raise PermissionDenied(f"只有{screen.hall.name}的中心管理员可以设置显示屏", code="not_hall_admin")
    with transaction.atomic():
        HallScreen.objects.filter(pk=screen.pk).update(is_active=False, updated_at=clock.now())
        audit_record(actor=staff.user, action="update", obj=screen, summary=f"停用显示屏 {screen.code} {screen.name}")
