"""Shared helpers of the pages: who is asking, and turning refusals into messages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from zhengwu.core.errors import NotFound
from zhengwu.org.selectors import staff_for_user

from .. import selectors


def forbidden(request, message: str):
    return render(request, "disclosure/message.html", {"message": message, "title": "无权访问"}, status=403)


def staff_required(view):
    """A member of staff with a duty in at least one body; ``request.staff`` is set."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active or not selectors.bodies_for_staff(staff).exists():
            return forbidden(request, "政务公开工作台仅限各公开主体的政务公开工作人员使用。")
        request.staff = staff
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def body_or_404(code: str):
    try:
        return selectors.body_get_public(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def attachment(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    resp["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return resp
