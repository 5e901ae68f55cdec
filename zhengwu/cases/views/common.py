"""Shared by the case pages: the access decorators and helpers, what a case page shows (its road
of stages, materials and 补正), the application form of every channel, and file downloads."""

from __future__ import annotations

from collections import defaultdict
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from zhengwu.catalog.models import Item
from zhengwu.catalog.selectors import item_get_public
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.formerrors import FieldErrors
from zhengwu.org.models import Role
from zhengwu.org.selectors import staff_for_user

from .. import selectors, services
from ..documents import document_list
from ..forms import ApplicantForm
from ..models import Channel, Status
from ..plan import plan_for

PAGE_SIZE = 20


# -- access helpers ---------------------------------------------------------------------------------


def _forbidden(request, message: str):
    return render(request, "cases/forbidden.html", {"message": message}, status=403)


def staff_required(view):
    """Logged in and a member of staff on duty; ``request.staff`` is set for the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_for_user(request.user)
        if staff is None or not staff.is_active:
            return _forbidden(request, "工作台仅限在岗工作人员使用。办事群众请使用“我的办件”。")
        request.staff = staff
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def agent_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.staff.has_role(Role.VILLAGE_AGENT):
            return _forbidden(request, "该页面仅限村（社区）便民服务站代办员使用")
        return view(request, *args, **kwargs)

    return staff_required(wrapper)


def _staff_ctx(staff) -> dict:
    if staff is None:
        return {"staff": None}
    labels = dict(Role.DEFAULTS)
    return {"staff": staff, "is_agent": staff.has_role(Role.VILLAGE_AGENT),
            "role_names": "、".join(labels.get(c, c) for c in sorted(staff.role_codes()))}


def _item_or_404(impl_code: str) -> Item:
    try:
        return item_get_public(impl_code=impl_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _applicant_case(request, case_no: str):
    try:
        return selectors.case_get_for_user(case_no=case_no, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


# -- what a case page shows ---------------------------------------------------------------------------


def _documents(case) -> list[tuple[str, str, str, str]]:
    """(kind, title, page url, PDF url) of the written notices the case has in its present state."""
    return [(d.code, d.title, reverse("casedocs:document", args=[case.case_no, d.code]),
             reverse("casedocs:document_pdf", args=[case.case_no, d.code])) for d in document_list(case)]


def _case_context(case) -> dict:
    plan = plan_for(case.item_version_id)
    events = list(case.events.select_related("window").order_by("id"))
    mats = list(case.materials.order_by("id"))
    by_mid, extras = defaultdict(list), []
    for m in mats:
        (by_mid[m.material_id] if m.material_id else extras).append(m)
    material_rows = [{"id": mid, "name": name, "required": mid in plan.required, "files": by_mid.get(mid, [])}
                     for mid, name in plan.materials.items()]
    supplements = list(case.supplements.select_related("requested_by").prefetch_related("items").order_by("id"))
    open_request = next((r for r in reversed(supplements) if r.received_on is None), None)
    stops = list(case.clock_stops.order_by("start_on", "id"))
    # the intermediary marketplace builds on cases, so it is imported here, not at module level
    from zhengwu.intermediary.services.caselink import case_intermediary_stage

    return {
        "intermediary": case_intermediary_stage(case),
        "case": case,
        "plan": plan,
        "events": events,
        "stages": selectors.case_stages(case, plan, events),
        "material_rows": material_rows,
        "extra_materials": extras,
        "missing_required": [(mid, name) for mid, name in plan.required.items() if mid not in by_mid],
        "supplements": supplements,
        "open_request": open_request if case.status == Status.SUPPLEMENT else None,
        "due_state": selectors.due_state(case),
        "documents": _documents(case),
        "clock_stops": stops,
    }


# a service refusal that names one field of the application form: code → (field, label)
APPLY_FIELDS = {
    "applicant_name": ("name", "姓名/单位名称"), "invalid_id_number": ("id_number", "身份证号"),
    "invalid_uscc": ("uscc", "统一社会信用代码"), "legal_rep": ("legal_rep", "法定代表人"),
    "invalid_phone": ("phone", "联系电话"),
}


def _apply(request, item: Item, *, channel: str, staff=None, done):
    """The application form shared by online, agent and window intake; ``done(case)`` answers success.
    A refused submission comes back with every problem beside its field and in the summary at the top,
    and with what was typed (files must be chosen again: browsers do not keep them)."""
    version = item.current
    materials = list(version.materials.all())
    errors = FieldErrors()
    if request.method == "POST":
        form = ApplicantForm(request.POST)
        form.is_valid()
        errors = FieldErrors.from_form(form, labels=form.labels())
        files = []
        for m in materials:  # every file checked, so each bad one is named beside its row
            upload = request.FILES.get(f"file_{m.pk}")
            if upload is None:
                continue
            try:
                services.check_upload(upload)
            except DomainError as exc:
                errors.add(f"file_{m.pk}", f"上传：{m.name}", exc.message)
            else:
                upload.seek(0)
                files.append((m.pk, upload))
        if not errors:
            try:
                case = services.case_submit(
                    item=item, applicant=form.applicant(), channel=channel, files=files,
                    user=request.user if channel == Channel.ONLINE else None,
                    officer=staff if channel == Channel.WINDOW else None,
                    agent=staff if channel == Channel.AGENT else None,
                    window=_staff_window(staff, staff.hall_id) if channel == Channel.WINDOW else None,
                )
            except DomainError as exc:
                errors.add_domain(exc, APPLY_FIELDS)
                errors.mark(form)
            else:
                return done(case)
    else:
        user = request.user
        initial = {"kind": "person"}
        if channel == Channel.ONLINE:
            initial.update(name=getattr(user, "real_name", ""), phone=getattr(user, "phone", ""))
        form = ApplicantForm(initial=initial)
    types = [t.strip() for t in services.policy("upload_types").split(",") if t.strip()]
    return render(request, "cases/apply.html", {
        "item": item, "v": version, "materials": materials, "form": form, "errors": errors, "channel": channel,
        **_staff_ctx(staff), "accept": ",".join("." + t for t in types), "types_text": "、".join(types),
        "max_mb": f"{round(settings.ZHENGWU_MAX_UPLOAD_BYTES / 1048576, 1):g}",
    }, status=400 if errors else 200)


def _staff_window(staff, hall_id):
    if staff is None:
        return None
    return staff.windows.filter(hall_id=hall_id).order_by("number").first()


def _material_response(case, pk: int):
    material = case.materials.filter(pk=pk).exclude(file="").first()
    if material is None:
        raise Http404("未找到该材料文件")
    return FileResponse(material.file.open("rb"), as_attachment=True,
                        filename=material.shown_file_name)
