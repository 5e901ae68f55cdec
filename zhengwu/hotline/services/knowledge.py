"""The knowledge base (知识库): articles are saved with their pinyin keys for the call-takers' search.

The 热线管理员 keep it on the hotline's knowledge page (``article_edit``, ``article_retire``,
``article_restore``); every change writes an audit row. 话务员 only read it.
"""

from __future__ import annotations

from django.db import transaction

from zhengwu.catalog.services import pinyin_keys
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_record
from zhengwu.org.models import Staff

from ..models import Article
from . import common

KEYWORDS_MAX = 200


def article_save(
    *,
    title: str,
    body: str,
    category=None,
    department=None,
    keywords: str = "",
    active: bool = True,
    article: Article | None = None,
    actor=None,
    request=None,
) -> Article:
    """Create or update an article; its title's full pinyin and initials are kept for search."""
    title = (title or "").strip()
    body = (body or "").strip()
    keywords = (keywords or "").strip()
    if not title or not body:
        raise DomainError("required", "知识库文章须有标题和内容")
    if len(title) > 100:
        raise DomainError("too_long", "标题不能超过100个字")
    if len(keywords) > KEYWORDS_MAX:
        raise DomainError("too_long", f"关键词不能超过{KEYWORDS_MAX}个字")
    if category is not None and not category.active:
        raise DomainError("inactive_category", f"派单目录“{category.name}”已停用，不能再挂知识库文章")
    with transaction.atomic():
        new = article is None or article.pk is None
        art = article if article is not None else Article()
        if not new:
            Article.objects.select_for_update().filter(pk=art.pk).order_by("pk").first()
        art.title, art.body, art.category, art.department = title, body, category, department
        art.keywords, art.active, art.updated_at = keywords, active, clock.now()
        full, initials = pinyin_keys(title)
        art.title_pinyin, art.title_initials = full[:800], initials[:100]
        art.save()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE if new else AuditEvent.Action.UPDATE,
            obj=art,
            request=request,
            summary=f"{'新增' if new else '修改'}知识库文章“{title}”",
        )
    return art


def _admin(staff: Staff | None) -> Staff:
    if not common.is_centre(staff, admin=True):
        raise PermissionDenied("知识库仅限热线管理员维护，话务员可查阅", code="not_hotline_admin")
    return staff


def article_edit(
    *,
    staff: Staff,
    title: str,
    body: str,
    category=None,
    department=None,
    keywords: str = "",
    article: Article | None = None,
    request=None,
) -> Article:
    """A 热线管理员 writes a new article or edits one (a retired article stays retired)."""
    _admin(staff)
    return article_save(
        title=title,
        body=body,
        category=category,
        department=department,
        keywords=keywords,
        active=article.active if article is not None else True,
        article=article,
        actor=staff.user,
        request=request,
    )


def _set_active(*, staff: Staff, article: Article, active: bool, request=None) -> Article:
    _admin(staff)
    with transaction.atomic():
        art = Article.objects.select_for_update().get(pk=article.pk)
        if art.active == active:
            raise DomainError("unchanged", "该文章已在使用中" if active else "该文章已停用")
        art.active, art.updated_at = active, clock.now()
        art.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=staff.user,
            action=AuditEvent.Action.UPDATE,
            obj=art,
            request=request,
            summary=f"{'恢复' if active else '停用'}知识库文章“{art.title}”",
        )
    return art


def article_retire(*, staff: Staff, article: Article, request=None) -> Article:
    """Take an article out of the call-takers' search (kept, and restorable)."""
    return _set_active(staff=staff, article=article, active=False, request=request)


def article_restore(*, staff: Staff, article: Article, request=None) -> Article:
    return _set_active(staff=staff, article=article, active=True, request=request)
