"""The printed rating slip: a QR code the applicant scans to rate a finished case (一事一评).

Issued by staff who may act on the case (the window that finished it, its department, the
hall's admin); printing again gives a new code and the old one stops working. Each print is
recorded (the invitation's 打印人 and an audit row); a case already invited by SMS gets no slip.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengwu.cases.documents import qr_svg
from zhengwu.cases.selectors import case_get
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.services import audit_record
from zhengwu.org.models import Role
from zhengwu.org.scope import staff_can_act_at

from . import services
from .models import Channel
from .views import _forbidden, staff_required

PRINT_ROLES = {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN}


@staff_required
@require_POST
def invite_print(request, case_no: str):
    staff = request.staff
    try:
        case = case_get(case_no=case_no)
    except NotFound as exc:
        return render(request, "ratings/message.html", {"title": "未找到办件", "message": exc.message}, status=404)
    if not (staff.role_codes() & PRINT_ROLES
            and staff_can_act_at(staff, department_id=case.department_id, hall=case.hall)):
        return _forbidden(request, "只有受理该办件的窗口、部门或大厅管理员可以打印评价二维码")
    try:
        with transaction.atomic():
            invite, raw = services.rating_invite_issue(case=case, channel=Channel.QR, issued_by=staff)
            # Whoever holds a slip can rate once: who printed which, and when, is on the record.
            audit_record(actor=request.user, action="create", obj=case, request=request,
                         summary=f"打印办件 {case.case_no} 的评价二维码")
    except DomainError as exc:
        return render(request, "ratings/message.html", {"title": "不能生成评价二维码", "message": exc.message},
                      status=exc.status)
    url = request.build_absolute_uri(reverse("ratings:invite", args=[raw]))
    return render(request, "ratings/invite_print.html", {
        "case": case, "invite": invite, "url": url, "qr": qr_svg(url), "site": settings.ZHENGWU_SITE_NAME})
