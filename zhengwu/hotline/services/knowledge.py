"""The knowledge base (知识库): articles are saved with their pinyin keys for the call-takers' search."""

from __future__ import annotations

from zhengwu.catalog.services import pinyin_keys
from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from ..models import Article


def article_save(
    *,
    title: str,
    body: str,
    category=None,
    department=None,
    keywords: str = "",
    active: bool = True,
    article: Article | None = None,
) -> Article:
    """Create or update an article; its title's full pinyin and initials are kept for search."""
    title = (title or "").strip()
    body = (body or "").strip()
    if not title or not body:
        raise DomainError("required", "知识库文章须有标题和内容")
    if len(title) > 100:
        raise DomainError("too_long", "标题不能超过100个字")
    art = article or Article()
    art.title, art.body, art.category, art.department = title, body, category, department
    art.keywords, art.active, art.updated_at = (keywords or "")[:200], active, clock.now()
    full, initials = pinyin_keys(title)
    art.title_pinyin, art.title_initials = full[:800], initials[:100]
    art.save()
    return art
