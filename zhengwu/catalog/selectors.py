"""Reads of the catalog: public search (by name, pinyin or initials) and KPIs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import BundleVersion, Item, ItemVersion

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
