"""``limit`` and ``offset`` of the API's list endpoints, validated before the endpoint runs.

Out of range (``limit=-5``, ``offset=99999999999999999999``) is a 422 ``invalid_input`` naming the
parameter, never a negative slice or an integer the database cannot take::

    from zhengwu.core.pagination import page, page_limit, page_offset

    @router.get("/items")
    def items(request, q: str = "", limit: int = page_limit(50), offset: int = page_offset()):
        return page(selectors.item_list(q=q), limit=limit, offset=offset)
"""

from __future__ import annotations

from typing import Any

from ninja import Query

MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000


def page_limit(default: int = 50, *, maximum: int = MAX_LIMIT) -> Any:
    """The ``limit`` query parameter: 1 … ``maximum`` (at most 1000), ``default`` when absent."""
    maximum = min(maximum, MAX_LIMIT)
    return Query(default, ge=1, le=maximum, description=f"返回的最多条数（1–{maximum}，默认 {default}）")


def page_offset() -> Any:
    """The ``offset`` query parameter: 0 … 10,000,000, 0 when absent."""
    return Query(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数，用于翻页（0–{MAX_OFFSET}，默认 0）")


def page(rows, *, limit: int, offset: int):
    """``rows[offset:offset + limit]`` — a queryset stays lazy (one LIMIT/OFFSET query)."""
    return rows[offset:offset + limit]
