"""Public pages: home, catalog search, the printable guide (办事指南) and the catalog KPIs.

Thin views: reads go through ``zhengwu.catalog.selectors`` and ``zhengwu.catalog.kpi``.
"""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from zhengwu.catalog.kpi import KPI_FIELDS, catalog_kpi_by_department, catalog_kpi_overall
from zhengwu.catalog.models import TIERS, Item, ItemKind, ItemVersion, ServiceObject, SpecialProcedure
from zhengwu.catalog.selectors import item_get_public, item_search
from zhengwu.core.errors import NotFound
from zhengwu.org.models import Department, Hall, Role

PAGE_SIZE = 20
TIER_LABELS = dict(TIERS)
_LATIN_WITH_SPACES = re.compile(r"^[A-Za-z\s]+$")
_ID = re.compile(r"[1-9][0-9]{0,17}")


def _public_items():
    return Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE)


def _tier_q(tier: str) -> Q:
    """Items whose current version can be handled at ``tier``.

    ``handling_tiers`` is a JSON list of at most ``len(TIERS)`` codes. A JSON ``contains``
    lookup is not available on SQLite, so compare each position instead: this works on
    SQLite and PostgreSQL alike.
    """
    q = Q()
    for index in range(len(TIERS)):
        q |= Q(**{f"current__handling_tiers__{index}": tier})
    return q


def _themes() -> list[str]:
    rows = _public_items().exclude(current__theme="").values_list("current__theme", flat=True).distinct()
    return sorted(set(rows))


def _themes_by_audience() -> dict[str, list[str]]:
    """Themes present in the catalog, split into 个人办事 (person) and 法人办事 (legal)."""
    person: set[str] = set()
    legal: set[str] = set()
    rows = (
        _public_items()
        .exclude(current__theme="")
        .values_list("current__theme", "current__service_object")
        .distinct()
    )
    for theme, audience in rows:
        if audience in (ServiceObject.PERSON, ServiceObject.BOTH):
            person.add(theme)
        if audience in (ServiceObject.LEGAL, ServiceObject.BOTH):
            legal.add(theme)
    return {"person": sorted(person), "legal": sorted(legal)}


def home(request):
    halls = list(
        Hall.objects.filter(is_active=True, kind__in=[Hall.Kind.CENTER, Hall.Kind.TOWN_CENTER])
        .select_related("region")
        .order_by("region__code", "code")
    )
    return render(
        request,
        "portal/home.html",
        {
            "centers": [h for h in halls if h.kind == Hall.Kind.CENTER],
            "town_centers": [h for h in halls if h.kind == Hall.Kind.TOWN_CENTER],
            "themes": _themes_by_audience(),
            "kpi": catalog_kpi_overall(),
        },
    )


def _clean_query(raw: str) -> str:
    """Trim the query; ``ying ye`` typed with spaces is searched as ``yingye``."""
    q = (raw or "").strip()[:100]
    if _LATIN_WITH_SPACES.match(q):
        q = re.sub(r"\s+", "", q)
    return q


def items(request):
    params = request.GET
    q = _clean_query(params.get("q", ""))
    department = params.get("department", "")
    department_id = int(department) if _ID.fullmatch(department) else None
    theme = params.get("theme", "").strip()
    tier = params.get("tier", "") if params.get("tier", "") in TIER_LABELS else ""
    kind = params.get("kind", "") if params.get("kind", "") in ItemKind.values else ""

    qs = item_search(q=q, department_id=department_id, theme=theme, kind=kind)
    if tier:
        qs = qs.filter(_tier_q(tier))
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))

    departments = (
        Department.objects.filter(pk__in=_public_items().values("department_id"))
        .order_by("region__code", "code")
        .only("id", "name")
    )
    filtered = bool(q or department_id or theme or tier or kind)
    return render(
        request,
        "portal/items.html",
        {
            "q": q,
            "page_obj": page,
            "filtered": filtered,
            "departments": departments,
            "themes": _themes(),
            "tiers": TIERS,
            "kinds": ItemKind.choices,
            "selected": {"department": department_id, "theme": theme, "tier": tier, "kind": kind},
        },
    )


def _role_names(codes: set[str]) -> dict[str, str]:
    names = dict(Role.DEFAULTS)
    if codes:
        names.update(Role.objects.filter(code__in=codes).values_list("code", "name"))
    return names


def item_guide(request, impl_code: str):
    try:
        item = item_get_public(impl_code=impl_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    version = item.current
    steps = list(version.steps.all())
    role_names = _role_names({s.role for s in steps})
    procedures = dict(SpecialProcedure.choices)
    return render(
        request,
        "portal/item_guide.html",
        {
            "item": item,
            "v": version,
            "steps": [(step, role_names.get(step.role, step.role)) for step in steps],
            "steps_days": sum(step.days for step in steps),
            "materials": list(version.materials.all()),
            "fees": list(version.fees.all()),
            "windows": [w for w in item.windows.all() if w.is_open and w.hall.is_active],
            "tiers": [TIER_LABELS.get(t, t) for t in version.handling_tiers or []],
            "special_procedures": [procedures.get(p, p) for p in version.special_procedures or []],
            "is_active": version.status == ItemVersion.Status.ACTIVE,
        },
    )


def kpi(request):
    overall = catalog_kpi_overall()
    rows = catalog_kpi_by_department()

    def percents(k):
        return [None if r is None else round(r * 100, 1) for r in k.ratios().values()]

    chart = {
        "kpis": [label for _attr, label in KPI_FIELDS],
        "overall": percents(overall),
        "departments": [{"name": r.department_name, "values": percents(r)} for r in rows],
    }
    return render(
        request,
        "portal/kpi.html",
        {
            "overall": overall,
            "overall_cards": [(label, getattr(overall, attr)) for attr, label in KPI_FIELDS],
            "rows": rows,
            "kpi_fields": KPI_FIELDS,
            "chart": chart,
        },
    )
