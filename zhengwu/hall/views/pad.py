"""The rating pad (评价器): the screen facing the person at a window, where they rate the visit just
finished (现场服务一次一评).

A pad is a device of its window, not a public page: it works only while signed in as an officer of
that window or as the hall's administrator (the same rule as the 好差评 pad), which is what opening
it from the window's console does; the officer's session is the device's credential. Without it
the pad shows nothing to rate and a POST records nothing. The rating goes to 好差评 through
``services.ticket_rate``.
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from zhengwu.core.errors import DomainError
from zhengwu.org.selectors import staff_for_user
from zhengwu.ratings.models import OFFLINE_DIMENSIONS, Level
from zhengwu.ratings.selectors import staff_may_use_pad

from .. import selectors, services
from ..models import Ticket
from ..services.ratings import PAD_SIGN_IN, ticket_rated_case
from ._access import window_or_404

LEVELS = list(Level.choices)  # 5 非常满意 … 1 非常不满意
DIMENSIONS = OFFLINE_DIMENSIONS[1:]  # 服务效率, 服务水平, 服务态度; 整体满意度 is the big row


def _refused(request, window, message: str):
    return render(request, "hall/pad_refused.html", {"window": window, "hall": window.hall, "message": message,
                                                     "signed_in": request.user.is_authenticated}, status=403)


# Never cached: each person gets a page with a fresh one-time form token ({% form_once %}), so a double
# press on the pad records one rating, and "back" re-renders instead of replaying the last person's form.
@never_cache
@require_http_methods(["GET", "POST"])
def pad(request, window_id: int):
    window = window_or_404(window_id)
    staff = staff_for_user(request.user) if request.user.is_authenticated else None
    if staff is None or not staff_may_use_pad(staff, window):
        prefix = "评价未提交。" if request.method == "POST" else ""
        return _refused(request, window, prefix + PAD_SIGN_IN)
    error, status, kept = "", 200, {}
    if request.method == "POST":
        raw = request.POST.get("ticket", "")
        rated = Ticket.objects.filter(pk=int(raw) if raw.isdigit() else 0, window=window).first()
        try:
            if rated is None:
                raise DomainError("not_ratable", "该号不是本窗口办结的号，不能评价", status=409)
            rating = services.ticket_rate(
                ticket=rated, window=window, operator=staff, overall=request.POST.get("overall", ""),
                dims={name: request.POST[name] for name, _ in DIMENSIONS if request.POST.get(name)},
                comment=request.POST.get("comment", ""), contact_phone=request.POST.get("phone", ""))
        except DomainError as exc:
            error, status, kept = exc.message, exc.status, request.POST
        else:
            return render(request, "hall/pad_thanks.html", {
                "window": window, "hall": window.hall, "rating": rating, "level": Level(rating.overall).label})
    ticket = selectors.pad_ticket(window)  # after a refusal: still to rate (a level was missing), or not
    if ticket is None or kept.get("ticket") != str(ticket.pk):
        kept = {}  # what the person chose is shown again only on the same ticket's form
    return render(request, "hall/pad.html", {
        "window": window, "hall": window.hall, "ticket": ticket, "error": error, "levels": LEVELS,
        "case": ticket_rated_case(ticket) if ticket is not None else None,
        "overall": kept.get("overall", ""), "comment": kept.get("comment", ""), "phone": kept.get("phone", ""),
        "dimensions": [{"name": n, "label": label, "value": kept.get(n, "")} for n, label in DIMENSIONS],
    }, status=status)
