"""Who may open the officer pages: staff on duty; window pages need the window, stats the hall."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from zhengwu.core.errors import NotFound
from zhengwu.org.models import Hall, Role, Staff, Window
from zhengwu.org.scope import staff_can_read_region
from zhengwu.org.selectors import staff_for_user

from .. import selectors
from ..services._common import officer_may_work_at


def forbidden(request, message: str):
    return render(request, "hall/forbidden.html", {"message": message}, status=403)


def hall_or_404(code: str) -> Hall:
    try:
        return selectors.hall_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def window_or_404(window_id: int) -> Window:
    return get_object_or_404(Window.objects.select_related("hall__region", "department"), pk=window_id)


def staff_required(view):
    """Logged in and a member of staff on duty; ``request.staff`` is set for the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active:
            return forbidden(request, "该页面仅限在岗工作人员使用")
        request.staff = staff
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def may_read_hall(staff: Staff, hall: Hall) -> bool:
    """Statistics and presence reports: the hall's own staff, and leaders/supervisors over its region."""
    if staff.hall_id == hall.pk:
        return True
    return staff.has_role(Role.LEADER, Role.SUPERVISOR, Role.DEPT_HEAD, Role.HALL_ADMIN) and \
        staff_can_read_region(staff, hall.region)


def may_work_at(staff: Staff, window: Window) -> bool:
    return officer_may_work_at(staff, window)
