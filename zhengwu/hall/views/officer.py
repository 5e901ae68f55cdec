"""Officer pages: the window console (叫号 and the rest), marking oneself away, and the statistics."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.cases.services import Applicant
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.formerrors import FieldErrors

from .. import selectors, services
from ..models import (
    ACTIVE_STATUSES,
    AbsenceKind,
    HallScreen,
    ScreenKind,
    StaffAbsence,
    Ticket,
    TicketStatus,
    WindowGroup,
    WindowSeat,
)
from ..policy import at_local, policy_for
from ..services.tickets import waiting_for_window
from ._access import forbidden, hall_or_404, may_read_hall, may_work_at, staff_required, window_or_404


def _parse_day(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@staff_required
def my_windows(request):
    """The windows this officer may work at, to pick one."""
    staff = request.staff
    windows = list(staff.windows.select_related("hall").order_by("hall__code", "number"))
    if not windows and staff.hall_id:
        windows = list(staff.hall.windows.select_related("hall").order_by("number")) if staff.has_role(
            "hall_admin") else []
    return render(request, "hall/my_windows.html", {
        "windows": windows, "staff": staff, "absence_kinds": AbsenceKind.choices,
        "absence": StaffAbsence.objects.filter(staff=staff, returned_at__isnull=True).first(),
        "photo": selectors.photo_url(staff),
    })


@staff_required
def console(request, window_id: int):
    window = window_or_404(window_id)
    staff = request.staff
    if not may_work_at(staff, window):
        return forbidden(request, f"您不是{window.number}号窗口的工作人员")
    seat = WindowSeat.objects.select_related("officer").filter(window=window).first()
    seated = seat is not None and seat.officer_id == staff.pk
    current = (Ticket.objects.filter(window=window, status__in=ACTIVE_STATUSES)
               .select_related("item", "group").first())
    p = policy_for(window.hall)
    waiting = list(waiting_for_window(window, p)[-1].select_related("item")[:10])
    queue_error = "" if window.queue_groups.filter(is_active=True).exists() else \
        f"{window.number}号窗口未加入任何叫号分组，请联系中心管理员"
    today = clock.today()
    done_today = Ticket.objects.filter(window=window, day=today)
    return render(request, "hall/console.html", {
        "window": window, "hall": window.hall, "staff": staff, "seat": seat, "seated": seated,
        "current": current, "waiting": waiting, "queue_error": queue_error, "policy": p,
        "can_skip": current is not None and current.status == TicketStatus.CALLED and current.recalls >= p.max_recalls,
        "groups": WindowGroup.objects.filter(hall=window.hall, is_active=True).exclude(
            pk=current.group_id if current else None).order_by("sort", "code"),
        "items": window.items.order_by("name"),
        "absence": StaffAbsence.objects.filter(staff=staff, returned_at__isnull=True).first(),
        "absence_kinds": AbsenceKind.choices,
        "served": done_today.filter(status=TicketStatus.DONE).count(),
        "no_shows": done_today.filter(status=TicketStatus.NO_SHOW).count(),
        "recent": done_today.filter(status__in=[TicketStatus.DONE, TicketStatus.NO_SHOW])
        .select_related("case", "item").order_by("-finished_at")[:8],
        "state": selectors.window_state(window),
    })


def _applicant(post) -> Applicant:
    return Applicant(kind=post.get("kind", "person"), name=post.get("name", ""), phone=post.get("phone", ""),
                     id_number=post.get("id_number", ""), uscc=post.get("uscc", ""),
                     legal_rep=post.get("legal_rep", ""), address=post.get("address", ""))


def _current_ticket(window, post) -> Ticket:
    raw = post.get("ticket", "")
    t = Ticket.objects.select_related("hall").filter(pk=int(raw) if raw.isdigit() else 0, window=window).first()
    if t is None:
        raise DomainError("no_ticket", "该窗口当前没有正在叫号或办理的号", status=409)
    return t


@staff_required
@require_POST
def console_act(request, window_id: int, action: str):
    window = window_or_404(window_id)
    staff = request.staff
    if not may_work_at(staff, window):
        return forbidden(request, f"您不是{window.number}号窗口的工作人员")
    post = request.POST
    try:
        text = _act(window, staff, action, post)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if text:
            messages.success(request, text)
    return redirect("hall:console", window_id=window.pk)


def _act(window, staff, action: str, post) -> str:
    if action == "sign_in":
        services.window_sign_in(window=window, officer=staff)
        return f"已在{window.number}号窗口签到上岗"
    if action == "sign_out":
        services.window_sign_out(window=window, officer=staff)
        return "已签退"
    if action == "call":
        t = services.ticket_call_next(window=window, officer=staff)
        return f"已叫号：{t.number}" if t else "当前没有等候本窗口的号"
    if action == "away":
        until = _parse_until(post.get("until", ""))
        services.presence_mark_away(staff=staff, kind=post.get("kind", ""), until=until, note=post.get("note", ""))
        return f"已登记外出，预计 {timezone.localtime(until):%H:%M} 返回"
    if action == "back":
        services.presence_mark_back(staff=staff)
        return "欢迎回来，已销假"
    t = _current_ticket(window, post)
    if action == "recall":
        services.ticket_recall(ticket=t, window=window, officer=staff)
        return f"已重呼{t.number}（第{t.recalls}次）"
    if action == "skip":
        services.ticket_skip(ticket=t, window=window, officer=staff)
        return f"{t.number}号已过号，记为未到"
    if action == "start":
        services.ticket_start(ticket=t, window=window, officer=staff)
        return f"{t.number}号开始办理"
    if action == "finish":
        mode = post.get("case_mode", "none")
        item = window.items.filter(pk=int(post["case_item"])).first() if post.get("case_item", "").isdigit() else None
        services.ticket_finish(ticket=t, window=window, officer=staff,
                               case_no=post.get("case_no", "").strip() if mode == "link" else "",
                               applicant=_applicant(post) if mode == "new" else None, case_item=item)
        t.refresh_from_db()
        extra = f"，办件编号 {t.case.case_no}" if t.case_id else ""
        return f"{t.number}号已办结{extra}。请群众在评价器上评价"
    if action == "transfer":
        raw = post.get("to_group", "")
        group = WindowGroup.objects.filter(pk=int(raw) if raw.isdigit() else 0, hall=window.hall).first()
        if group is None:
            raise DomainError("group_required", "请选择要转移到的分组")
        services.ticket_transfer(ticket=t, window=window, officer=staff, to_group=group, note=post.get("note", ""))
        return f"{t.number}号已转移到“{group.name}”，按原取号时间排队"
    raise DomainError("unknown_action", "未知的操作")


def _parse_until(raw: str) -> dt.datetime:
    """A return time typed as HH:MM (today) or a full local date and time."""
    raw = (raw or "").strip()
    try:
        if len(raw) <= 5:
            return at_local(clock.today(), dt.time.fromisoformat(raw))
        return timezone.make_aware(dt.datetime.fromisoformat(raw))
    except ValueError:
        raise DomainError("return_time", "请填写预计返回时间，如 15:30") from None


@staff_required
def stats(request, code: str):
    """统计: tickets, wait, service time and no-shows, for the hall and each window, by hour; time away."""
    hall = hall_or_404(code)
    if not may_read_hall(request.staff, hall):
        return forbidden(request, "您无权查看该大厅的统计")
    day = _parse_day(request.GET.get("day"), clock.today())
    first = day.replace(day=1)
    return render(request, "hall/stats.html", {
        "hall": hall, "day": day, "stats": selectors.hall_stats(hall=hall, day=day),
        "presence_day": selectors.presence_report(hall=hall, start=day, end=day),
        "presence_month": selectors.presence_report(hall=hall, start=first, end=day), "month_start": first,
        "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
    })


@staff_required
@require_POST
def my_photo(request):
    """上传或删除本人照片 (岗位卡、窗口屏、外出告知图) from 我的窗口."""
    try:
        if request.POST.get("remove"):
            services.staff_photo_remove(staff=request.staff)
            text = "已删除照片，岗位卡和窗口屏改为显示姓氏"
        else:
            services.staff_photo_set(staff=request.staff, upload=request.FILES.get("photo"))
            text = "照片已更新，岗位卡、窗口屏和外出告知图将显示新照片"
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text)
    return redirect("hall:my_windows")


@staff_required
@require_POST
def my_presence(request, action: str):
    """外出 / 销假 from the officer's own page (for staff without a window too)."""
    try:
        text = _act(None, request.staff, action, request.POST) if action in ("away", "back") else None
        if text is None:
            raise DomainError("unknown_action", "未知的操作")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text)
    return redirect("hall:my_windows")


# -- 大厅显示屏 (the hall manager's list of screens) ---------------------------------------------------------

SCREEN_LABELS = {"code": "屏幕编号", "name": "屏幕名称", "kind": "显示内容", "page_seconds": "翻页间隔",
                 "groups": "叫号分组"}


def _screens_page(request, hall, *, errors=None, values=None, editing=None, status=200):
    screens = list(HallScreen.objects.filter(hall=hall).prefetch_related("groups").order_by("-is_active", "code"))
    groups = list(WindowGroup.objects.filter(hall=hall, is_active=True).order_by("sort", "code"))
    return render(request, "hall/screens.html", {
        "hall": hall, "screens": screens, "groups": groups, "kinds": ScreenKind.choices,
        "errors": errors or FieldErrors(), "values": values or {"page_seconds": 10, "kind": ScreenKind.BOARD},
        "editing": editing, "base_url": request.build_absolute_uri("/")[:-1],
    }, status=status)


def _screen_values(post) -> dict:
    return {"code": post.get("code", "")[:40], "name": post.get("name", "")[:100], "kind": post.get("kind", ""),
            "page_seconds": post.get("page_seconds", "")[:6], "groups": [g for g in post.getlist("groups")[:50]]}


@staff_required
def screens(request, code: str):
    """显示屏管理: every screen of the hall with its address for the TV; add one."""
    hall = hall_or_404(code)
    if not services.may_manage_screens(request.staff, hall):
        return forbidden(request, f"只有{hall.name}的中心管理员可以设置显示屏")
    if request.method == "POST":
        values = _screen_values(request.POST)
        try:
            s = services.screen_save(staff=request.staff, hall=hall, code=values["code"], name=values["name"],
                                     kind=values["kind"], group_ids=values["groups"],
                                     page_seconds=values["page_seconds"])
        except DomainError as exc:
            errors = FieldErrors()
            errors.add_domain(exc, labels=SCREEN_LABELS)
            return _screens_page(request, hall, errors=errors, values=values, status=exc.status)
        messages.success(request, f"已新增显示屏“{s.name}”，请在该屏幕的浏览器中打开下方地址")
        return redirect("hall:screens", code=hall.code)
    return _screens_page(request, hall)


@staff_required
def screen_edit(request, code: str, screen_id: int):
    hall = hall_or_404(code)
    if not services.may_manage_screens(request.staff, hall):
        return forbidden(request, f"只有{hall.name}的中心管理员可以设置显示屏")
    screen = HallScreen.objects.filter(hall=hall, pk=screen_id).prefetch_related("groups").first()
    if screen is None:
        return forbidden(request, "未找到该显示屏")
    if request.method == "POST":
        try:
            if request.POST.get("disable"):
                services.screen_disable(staff=request.staff, screen=screen)
                messages.success(request, f"已停用显示屏“{screen.name}”")
                return redirect("hall:screens", code=hall.code)
            values = _screen_values(request.POST)
            services.screen_save(staff=request.staff, hall=hall, screen=screen, code=values["code"],
                                 name=values["name"], kind=values["kind"], group_ids=values["groups"],
                                 page_seconds=values["page_seconds"])
        except DomainError as exc:
            errors = FieldErrors()
            errors.add_domain(exc, labels=SCREEN_LABELS)
            return _screens_page(request, hall, errors=errors, values=_screen_values(request.POST), editing=screen,
                                 status=exc.status)
        messages.success(request, f"显示屏“{screen.name}”已保存，屏幕30分钟内自动按新设置显示（刷新屏幕立即生效）")
        return redirect("hall:screens", code=hall.code)
    values = {"code": screen.code, "name": screen.name, "kind": screen.kind, "page_seconds": screen.page_seconds,
              "groups": [str(g.pk) for g in screen.groups.all()]}
    return _screens_page(request, hall, values=values, editing=screen)
