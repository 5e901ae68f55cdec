"""What the staff pages of every domain share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zhengwu.core.errors import NotFound, PermissionDenied


def staff_pages(template: str, refusal: str) -> Callable:
    """A decorator for a domain's staff pages: logged in and a member of staff on duty (``request.staff`` is
    set), else ``refusal``; a ``PermissionDenied`` or ``NotFound`` from the view becomes ``template`` with its
    Chinese message and status (the template shows ``message``)."""
    from zhengwu.org.selectors import staff_for_user

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            staff = staff_for_user(request.user)
            if staff is None:
                return render(request, template, {"message": refusal}, status=403)
            request.staff = staff
            try:
                return view(request, *args, **kwargs)
            except (PermissionDenied, NotFound) as exc:
                return render(request, template, {"message": exc.message}, status=exc.status)

        return login_required(wrapper)

    return decorator
