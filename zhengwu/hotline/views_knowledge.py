"""The knowledge base (知识库) page: the hotline centre reads it, a 热线管理员 writes, edits, retires
and restores articles (each change one service call with its audit row)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.core.errors import DomainError
from zhengwu.org.models import Department

from . import selectors
from .models import Category
from .services import common
from .services.knowledge import article_edit, article_restore, article_retire
from .views import _ctx, hotline_staff

PAGE = 50


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@hotline_staff
def knowledge(request):
    q = request.GET.get("q", "")[:40]
    category_id = _int(request.GET.get("category"))
    qs = selectors.article_list(staff=request.staff, q=q, category_id=category_id)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hotline/knowledge.html",
        _ctx(
            request,
            page=page,
            q=q,
            category_id=category_id,
            categories=Category.objects.filter(active=True).order_by("sort", "code"),
        ),
    )


def _choices() -> dict:
    return {
        "categories": Category.objects.filter(active=True).order_by("sort", "code"),
        "departments": Department.objects.order_by("code"),
    }


@hotline_staff
def article_form(request, pk: int | None = None):
    staff = request.staff
    art = selectors.article_get_for_admin(pk=pk, staff=staff) if pk is not None else None
    if art is None and not common.is_centre(staff, admin=True):
        return render(
            request, "hotline/message.html", {"message": "知识库仅限热线管理员维护，话务员可查阅"}, status=403
        )
    form = {
        "title": art.title if art else "",
        "body": art.body if art else "",
        "keywords": art.keywords if art else "",
        "category": art.category_id if art else None,
        "department": art.department_id if art else None,
    }
    status = 200
    if request.method == "POST":
        p = request.POST
        form = {
            "title": p.get("title", ""),
            "body": p.get("body", ""),
            "keywords": p.get("keywords", ""),
            "category": _int(p.get("category")),
            "department": _int(p.get("department")),
        }
        try:
            category = department = None
            if p.get("category"):
                category = Category.objects.filter(pk=form["category"], active=True).first()
                if category is None:
                    raise DomainError("unknown_category", "请选择有效的派单目录")
            if p.get("department"):
                department = Department.objects.filter(pk=form["department"]).first()
                if department is None:
                    raise DomainError("unknown_department", "请选择有效的提供部门")
            saved = article_edit(
                staff=staff,
                article=art,
                title=form["title"],
                body=form["body"],
                keywords=form["keywords"],
                category=category,
                department=department,
                request=request,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, f"已保存知识库文章“{saved.title}”")
            return redirect("hotline:knowledge")
    return render(
        request,
        "hotline/knowledge_form.html",
        _ctx(request, article=art, form=form, **_choices()),
        status=status,
    )


@require_POST
@hotline_staff
def article_state(request, pk: int, op: str):
    art = selectors.article_get_for_admin(pk=pk, staff=request.staff)
    service = {"retire": article_retire, "restore": article_restore}.get(op)
    if service is None:
        return render(request, "hotline/message.html", {"message": "未知操作"}, status=404)
    try:
        art = service(staff=request.staff, article=art, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'停用' if op == 'retire' else '恢复'}知识库文章“{art.title}”")
    return redirect("hotline:knowledge")
