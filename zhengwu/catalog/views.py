"""Catalog pages: for 中心管理员, the whole catalog as Excel out and back in; for everyone, the bundles
(联办事项 / 一件事) and their printable guide (办事指南)."""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Department

from .excel import XLSX_CONTENT_TYPE, catalog_admin_check, catalog_export, catalog_import, upload_limit_text
from .models import ItemVersion, Material, ProjectStage
from .selectors import bundle_get_public, bundle_list, bundle_materials, member_limit

ERRORS_SHOWN = 500


def _forbidden(request, exc: PermissionDenied):
    return render(request, "catalog/forbidden.html", {"message": exc.message}, status=403)


def _xlsx_response(data: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


@login_required
@require_GET
def export_xlsx(request):
    try:
        catalog_admin_check(request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    data = catalog_export(actor=request.user)
    return _xlsx_response(data, f"事项实施清单-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def template_xlsx(request):
    try:
        catalog_admin_check(request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    return _xlsx_response(catalog_export(items=[], actor=request.user), "事项实施清单-空白模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_xlsx(request):
    try:
        catalog_admin_check(request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    context: dict = {"upload_limit": upload_limit_text()}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["missing_file"] = True
        else:
            # Read one byte past the limit so an oversize file is reported, not loaded whole.
            data = upload.read(settings.ZHENGWU_MAX_UPLOAD_BYTES + 1)
            report = catalog_import(data=data, actor=request.user, dry_run=bool(request.POST.get("dry_run")))
            context.update(report=report, filename=upload.name, errors=report.errors[:ERRORS_SHOWN],
                           errors_hidden=max(0, len(report.errors) - ERRORS_SHOWN))
    status = 400 if context.get("missing_file") or (context.get("report") and not context["report"].ok) else 200
    return render(request, "catalog/import.html", context, status=status)


# -- public pages of bundles (联办事项 / 一件事): the list and the printable guide (办事指南) -------------------

BUNDLE_PAGE_SIZE = 20
_LATIN_WITH_SPACES = re.compile(r"^[A-Za-z\s]+$")
_ID = re.compile(r"[1-9][0-9]{0,17}")


def _clean_query(raw: str) -> str:
    q = (raw or "").strip()[:100]
    return re.sub(r"\s+", "", q) if _LATIN_WITH_SPACES.match(q) else q


def bundle_members(version) -> list[dict]:
    """The members of a bundle version for a page: item, department and the member's own limit."""
    return [{"member": m, "item": m.item, "department": m.item.department, "limit": member_limit(m)}
            for m in version.members.all()]


@require_GET
def bundles(request):
    """一件事 / 联办事项: search by name or a member item's name, filter by department or 工程建设项目 stage."""
    q = _clean_query(request.GET.get("q", ""))
    department = request.GET.get("department", "")
    department_id = int(department) if _ID.fullmatch(department) else None
    stage_raw = request.GET.get("stage", "")
    stage = int(stage_raw) if stage_raw.isdigit() and int(stage_raw) in ProjectStage.values else None
    page = Paginator(bundle_list(q=q, department_id=department_id, stage=stage), BUNDLE_PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [{"bundle": b, "v": b.current, "members": bundle_members(b.current)} for b in page.object_list]
    departments = Department.objects.filter(led_bundles__bundle__current__isnull=False).distinct().order_by("code")
    return render(request, "catalog/bundles.html", {
        "q": q, "page_obj": page, "rows": rows, "filtered": bool(q or department_id or stage is not None),
        "departments": departments, "stages": ProjectStage.choices,
        "selected": {"department": department_id, "stage": stage},
    })


@require_GET
def bundle_guide(request, code: str):
    try:
        bundle = bundle_get_public(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    v = bundle.current
    members = bundle_members(v)
    names = {m["item"].pk: m["item"].name for m in members}
    necessity, forms = dict(Material.Necessity.choices), dict(Material.Form.choices)
    materials = [{"m": c, "items": list(dict.fromkeys(names[item_id] for item_id, _ in c.uses)),
                  "necessity": necessity.get(c.necessity, c.necessity), "form": forms.get(c.form, c.form)}
                 for c in bundle_materials(v)]
    return render(request, "catalog/bundle_guide.html", {
        "bundle": bundle, "v": v, "members": members, "materials": materials,
        "departments": list(dict.fromkeys(m["department"].name for m in members)),
        "is_active": bundle.status == ItemVersion.Status.ACTIVE,
    })
