"""Village agents (代办员) applying for a bundle (一件事) for a resident: the bundles every member item of which
may be taken in at a village station, the agent's 联办件, and the combined form (channel ``agent``: the
联办件 goes to the lead department's hall for 一门受理). Follows ``cases.views.agent``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zhengwu.cases.models import Case, Channel
from zhengwu.cases.views.common import _forbidden, _staff_ctx, agent_required
from zhengwu.catalog.models import Bundle, BundleMember
from zhengwu.core.errors import DomainError

from . import services
from .models import JointCase
from .views import apply_page

PAGE_SIZE = 20


def _agent_bundles():
    """Active bundles none of whose members' current versions is closed to village intake."""
    closed = BundleMember.objects.filter(version=OuterRef("current_id"), item__current__village_intake=False)
    return (Bundle.objects.filter(current__isnull=False, status="active").exclude(Exists(closed))
            .select_related("current__lead_department").order_by("code"))


@agent_required
def agent_joint_list(request):
    """The agent's 联办件 (those whose 子件 they filed) and the bundles they may apply for."""
    staff = request.staff
    mine = Case.objects.filter(agent_id=staff.pk, joint_id=OuterRef("pk"))
    qs = (JointCase.objects.filter(Exists(mine)).select_related("bundle_version", "hall")
          .prefetch_related(Prefetch("children", queryset=Case.objects.order_by("joint_seq").only(
              "id", "case_no", "joint_id", "joint_seq")))
          .order_by("-submitted_at", "-id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "joint/agent_list.html", {**_staff_ctx(staff), "page_obj": page,
                                                     "bundles": _agent_bundles()})


@agent_required
@require_http_methods(["GET", "POST"])
def agent_bundle_apply(request, code: str):
    """The combined form and materials list, filed by the agent for a resident (channel 代办员代办)."""
    staff = request.staff
    bundle = Bundle.objects.select_related("current").filter(code=code).first()
    if bundle is None or bundle.current_id is None:
        raise Http404("未找到该联办事项")
    try:
        bp = services.bundle_plan(bundle)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    def submit(applicant, files):
        return services.joint_submit(bundle=bundle, applicant=applicant, channel=Channel.AGENT, agent=staff,
                                     files=files)

    def done(joint):
        messages.success(request, f"已为申请人提交代办申请，联办件编号 {joint.case_no}，"
                                  f"已转{joint.hall.name}统一受理。")
        return redirect("joint:agent_list")

    return apply_page(request, bundle=bundle, bp=bp, channel=Channel.AGENT, staff=staff, submit=submit, done=done)
