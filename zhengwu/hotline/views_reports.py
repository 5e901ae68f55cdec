"""The hotline's report pages: the KPI dashboard (staff), the public 曝光台 (anyone) and the caller's
own progress query (no login: the order number plus the phone number they called from)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from zhengwu.core import clock, throttle
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.formerrors import FieldErrors
from zhengwu.org.models import Role

from . import kpi, selectors
from .services import common
from .views import _ctx, hotline_staff

# -- KPIs and the dashboard -------------------------------------------------------------------------------------


@hotline_staff
def kpi_page(request):
    staff = request.staff
    if not (common.is_centre(staff) or staff.has_role(Role.LEADER, Role.SUPERVISOR)):
        raise PermissionDenied("热线统计仅限热线中心、领导和效能监察员查看")
    today = clock.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = (today.replace(day=1) - dt.timedelta(days=62)).replace(day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    by = request.GET.get("by", "unit")
    by = by if by in kpi.BY else "unit"
    region = staff.region
    data, rows = kpi.page(by=by, start=start, end=end, region=region)
    chart = {k: v for k, v in data.items() if k != "total"}
    return render(
        request,
        "hotline/kpi.html",
        _ctx(
            request,
            start=start,
            end=end,
            by=by,
            by_label=kpi.BY[by],
            bys=kpi.BY,
            rows=rows,
            data=data,
            chart=chart,
            total=data["total"],
        ),
    )


# -- public -------------------------------------------------------------------------------------------------------


def public_list(request):
    """曝光台 / 诉求公开: closed orders, no personal data; the caller's text only with their consent."""
    q = (request.GET.get("q") or "").strip()[:40]
    page = Paginator(selectors.order_public_list(q=q), 20).get_page(request.GET.get("page"))
    rows = [(o, selectors.public_text(o), selectors.main_unit_name(o)) for o in page]
    return render(request, "hotline/public.html", {"page": page, "rows": rows, "q": q})


def public_detail(request, no):
    order = selectors.order_public_list().filter(no=no[:24]).first()
    if order is None:
        return render(request, "hotline/message.html", {"message": "未找到该公开工单"}, status=404)
    return render(
        request,
        "hotline/public_detail.html",
        {
            "order": order,
            "text": selectors.public_text(order),
            "unit": selectors.main_unit_name(order),
            "events": selectors.public_events(order),
        },
    )


# -- the caller's progress query ------------------------------------------------------------------------


class ProgressForm(forms.Form):
    no = forms.CharField(label="工单编号", max_length=24)
    phone = forms.CharField(label="来电号码", max_length=20)


@require_http_methods(["GET", "POST"])
def progress(request):
    """A caller follows their own order; a wrong phone looks exactly like a missing order. Every query
    is counted before it is answered and given back once it is right (shared with the cases' query).
    Each field's problem is shown beside it and in the summary at the top; what was typed stays."""
    form = ProgressForm(request.POST or None, initial={"no": request.GET.get("no", "")[:24]})
    errors = FieldErrors.from_form(form)
    ctx: dict = {"form": form, "errors": errors}
    status = 200
    if request.method == "POST":
        if errors:
            status = 400
        else:
            who = throttle.client_key(request)
            try:
                throttle.attempt(
                    selectors.PROGRESS_SCOPE,
                    who,
                    limit=selectors.PROGRESS_FAILURES,
                    window=selectors.PROGRESS_WINDOW,
                )
                order = selectors.order_progress_public(
                    no=form.cleaned_data["no"], phone=form.cleaned_data["phone"]
                )
            except NotFound as exc:  # the attempt stays counted; no field is blamed (a wrong phone = no order)
                errors.add_general(exc.message)
                status = 404
            except DomainError as exc:
                errors.add_general(exc.message)
                status = exc.status
            else:
                throttle.forgive(selectors.PROGRESS_SCOPE, who)
                ctx["p"] = selectors.order_progress(order)
    return render(request, "hotline/progress.html", ctx, status=status)
