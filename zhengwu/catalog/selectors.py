"""Reads of the catalog: public search (by name, pinyin or initials) and KPIs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from .models import BundleVersion, Item, ItemVersion

_LATIN = re.compile(r"^[a-zA-Z]+$")


def item_search(*, q: str = "", department_id: int | None = None, theme: str = "", tier: str = "",
                kind: str = "", include_inactive: bool = False) -> QuerySet[Item]:
    """Published items matching a query typed as Chinese, full pinyin or pinyin initials (``yyzz``), in the
    name or in the 俗称 (``营业执照`` finds 公司设立登记), best first: the exact name, a name that starts with
    the query, a name that contains it, a 俗称, then the rest, each group by 实施编码."""
    qs = Item.objects.filter(current__isnull=False).select_related("current", "department")
    if not include_inactive:
        qs = qs.filter(status=ItemVersion.Status.ACTIVE)
    q = (q or "").strip()
    rank = None
    if q:
        if _LATIN.match(q):
            low = q.lower()
            qs = qs.filter(Q(name_initials__contains=low) | Q(name_pinyin__contains=low)
                           | Q(keywords_pinyin__contains=low))
            rank = Case(When(Q(name_initials=low) | Q(name_pinyin=low), then=Value(0)),
                        When(Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low), then=Value(1)),
                        When(Q(name_initials__contains=low) | Q(name_pinyin__contains=low), then=Value(2)),
                        default=Value(3), output_field=IntegerField())
        else:
            qs = qs.filter(Q(name__contains=q) | Q(keywords__contains=q) | Q(impl_code__startswith=q)
                           | Q(current__basic_code=q))
            rank = Case(When(name=q, then=Value(0)), When(name__startswith=q, then=Value(1)),
                        When(name__contains=q, then=Value(2)), When(keywords__contains=q, then=Value(3)),
                        default=Value(4), output_field=IntegerField())
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
    if rank is not None:
        return qs.annotate(search_rank=rank).order_by("search_rank", "impl_code")
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


# -- bundles ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CombinedMaterial:
    """One line of a bundle's combined materials list (一张表单、一套材料): a material asked by several member
    items is asked once. ``uses`` are the (member item id, material id) pairs it stands for."""

    name: str
    necessity: str
    form: str
    copies: int
    uses: tuple[tuple[int, int], ...]


def _material_key(name: str) -> str:
    """Materials are the same when their names are, ignoring spaces and full-/half-width brackets."""
    return re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")


def bundle_materials(version: BundleVersion) -> list[CombinedMaterial]:
    """The combined materials of a bundle version, in member order, each shared material once; a shared
    material is required if any member requires it, and takes the largest number of copies."""
    from .models import Material

    lines: dict[str, dict] = {}
    members = list(version.members.select_related("item__current").order_by("seq"))
    mats = (Material.objects.filter(version_id__in=[m.item.current_id for m in members if m.item.current_id])
            .order_by("version_id", "seq"))
    by_version: dict[int, list] = {}
    for m in mats:
        by_version.setdefault(m.version_id, []).append(m)
    for member in members:
        for mat in by_version.get(member.item.current_id, []):
            key = _material_key(mat.name)
            line = lines.setdefault(key, {"name": mat.name, "necessity": mat.necessity, "form": mat.form,
                                          "copies": mat.copies, "uses": []})
            if mat.necessity == Material.Necessity.REQUIRED:
                line["necessity"] = Material.Necessity.REQUIRED
            line["copies"] = max(line["copies"], mat.copies)
            line["uses"].append((member.item_id, mat.pk))
    return [CombinedMaterial(name=v["name"], necessity=v["necessity"], form=v["form"], copies=v["copies"],
                             uses=tuple(v["uses"])) for v in lines.values()]


def _workdays_of(limit: int, unit: str) -> int:
    """An item's promised limit in working days: a calendar-day limit counts its weekdays only (5 of every 7
    days, rounded down, at least 1), so the member's share never outlasts the item's own promise."""
    from .models import TimeUnit

    if unit == TimeUnit.CALENDAR_DAY and limit:
        return max(1, limit * 5 // 7)
    return limit


def member_limit(member) -> int:
    """A member item's own limit inside its bundle, in working days: the member's ``promised_days`` when the
    bundle sets one, else the shorter of the item's promised limit (as working days) and the bundle's
    combined limit. 0 means the item is 即办 (decided on the day it is accepted)."""
    if member.promised_days:
        return member.promised_days
    current = member.item.current
    own = _workdays_of(current.promised_limit, current.promised_limit_unit) if current else 0
    return min(own, member.version.promised_days)


def _public_bundles():
    from .models import Bundle

    return (Bundle.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE)
            .select_related("current", "current__lead_department"))


def bundle_list(*, q: str = "", department_id: int | None = None, stage: int | None = None):
    """Published bundles in use, matched by name, code or a member item's name (Chinese, pinyin or initials of
    that item); ``department_id`` keeps bundles the department leads or takes part in."""
    from .models import BundleMember

    qs = _public_bundles()
    q = (q or "").strip()
    if q:
        if _LATIN.match(q):
            low = q.lower()
            hit = Q(name_initials__contains=low) | Q(name_pinyin__contains=low)
        else:
            hit = Q(name__contains=q) | Q(impl_code__startswith=q)
        members = BundleMember.objects.filter(item__in=Item.objects.filter(hit)).values("version_id")
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q) | Q(current_id__in=members))
    if department_id:
        members = BundleMember.objects.filter(item__department_id=department_id).values("version_id")
        qs = qs.filter(Q(current__lead_department_id=department_id) | Q(current_id__in=members))
    if stage is not None:
        qs = qs.filter(current__project_stage=stage)
    return qs.prefetch_related(
        Prefetch("current__members", queryset=BundleMember.objects.select_related("item__department", "item__current")
                 .order_by("seq"))
    ).order_by("code")


def bundle_get_public(*, code: str):
    """A published bundle with its current version, members and their items, for the guide and the API;
    a suspended bundle is found too (the page says it takes no applications)."""
    from zhengwu.core.errors import NotFound

    from .models import Bundle, BundleMember

    bundle = (Bundle.objects.filter(code=code, current__isnull=False)
              .select_related("current", "current__lead_department")
              .prefetch_related(Prefetch("current__members", queryset=BundleMember.objects.select_related(
                  "item__department", "item__current").order_by("seq")))
              .first())
    if bundle is None:
        raise NotFound("未找到该联办事项，可能已取消或尚未发布")
    return bundle
