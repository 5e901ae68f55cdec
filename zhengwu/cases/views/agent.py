"""Village agents (代办员): their cases and applications made for residents, and the item picker
they share with the window."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zhengwu.catalog.models import Item, ItemVersion

from .. import selectors
from ..models import Channel
from .common import PAGE_SIZE, _apply, _item_or_404, _staff_ctx, agent_required

# -- village agents -------------------------------------------------------------------------------------------


@agent_required
def agent_cases(request):
    staff = request.staff
    page = Paginator(selectors.case_list_for_agent(agent=staff), PAGE_SIZE).get_page(request.GET.get("page"))
    items = (Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE, current__village_intake=True)
             .order_by("impl_code").only("impl_code", "name"))
    return render(request, "cases/agent_cases.html", {"page_obj": page, "items": items, **_staff_ctx(staff)})


@agent_required
@require_http_methods(["GET", "POST"])
def agent_apply(request, impl_code: str):
    item = _item_or_404(impl_code)

    def done(case):
        messages.success(request, f"已为申请人提交代办申请，办件编号 {case.case_no}，已转{case.hall.name}受理。")
        return redirect("cases:agent_cases")

    return _apply(request, item, channel=Channel.AGENT, staff=request.staff, done=done)


def pick_item(request):
    """The item picker on the agent's and the officer's pages (a plain GET form)."""
    code = request.GET.get("impl_code", "").strip()
    name = "cases:agent_apply" if request.GET.get("for") == "agent" else "cases:window_apply"
    if not code:
        return redirect("cases:agent_cases" if name == "cases:agent_apply" else "cases:workbench")
    return redirect(name, impl_code=code)
