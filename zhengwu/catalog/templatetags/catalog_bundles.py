"""``{% bundle_hits q %}``: the bundles (一件事) matching a catalog search, for the public search page."""

from __future__ import annotations

from django import template

from zhengwu.catalog.selectors import bundle_list

register = template.Library()

HITS_SHOWN = 5


@register.inclusion_tag("catalog/_bundle_hits.html")
def bundle_hits(q: str = "", department_id: int | None = None):
    """Up to five bundles matching ``q`` (their name or a member item's), with a link to all of them."""
    from zhengwu.catalog.views import bundle_members

    qs = bundle_list(q=q or "", department_id=department_id)
    bundles = list(qs[:HITS_SHOWN + 1])
    rows = [{"bundle": b, "v": b.current, "members": bundle_members(b.current)} for b in bundles[:HITS_SHOWN]]
    more = len(bundles) > HITS_SHOWN
    return {"rows": rows, "q": q, "more": more, "count": qs.count() if more else len(rows)}
