"""Reads of the catalog: public search (by name, pinyin or initials) and KPIs."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from .models import Item, ItemVersion

_LATIN = re.compile(r"^[a-zA-Z]+$")


def item_search(*, q: str = "", department_id: int | None = None, theme: str = "", tier: str = "",
                kind: str = "", include_inactive: bool = False) -> QuerySet[Item]:
    """Published items matching a query typed as Chinese, full pinyin or pinyin initials (``yyzz``)."""
    qs = Item.objects.filter(current__isnull=False).select_related("current", "department")
    if not include_inactive:
        qs = qs.filter(status=ItemVersion.Status.ACTIVE)
    q = (q or "").strip()
    if q:
        if _LATIN.match(q):
            low = q.lower()
            qs = qs.filter(Q(name_initials__contains=low) | Q(name_pinyin__contains=low))
        else:
            qs = qs.filter(Q(name__contains=q) | Q(impl_code__startswith=q) | Q(current__basic_code=q))
    if department_id:
        qs = qs.filter(department_id=department_id)
    if theme:
        qs = qs.filter(current__theme=theme)
    if tier:
        # JSON "contains" is not available on SQLite: match each position of the (≤3-element) list.
        qs = qs.filter(Q(current__handling_tiers__0=tier) | Q(current__handling_tiers__1=tier)
                       | Q(current__handling_tiers__2=tier))
    if kind:
        qs = qs.filter(current__kind=kind)
    return qs.order_by("impl_code")


def item_get_public(*, impl_code: str) -> Item:
    from zhengwu.core.errors import NotFound

    item = (
        Item.objects.select_related("current", "department", "department__region")
        .prefetch_related("current__steps", "current__materials", "current__fees", "windows__hall")
        .filter(impl_code=impl_code, current__isnull=False)
        .first()
    )
    if item is None:
        raise NotFound("未找到该事项，可能已取消或尚未发布")
    return item
