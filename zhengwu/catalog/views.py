"""Catalog pages for 中心管理员: download the whole catalog as Excel and import it back."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhengwu.core.errors import PermissionDenied

from .excel import XLSX_CONTENT_TYPE, catalog_admin_check, catalog_export, catalog_import, upload_limit_text

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
