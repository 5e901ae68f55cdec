"""Catalog KPIs (事项清单指标), computed in the database over active published items.

Definitions (REFERENCE §2):

- 即办率: items whose promised limit (承诺办结时限) is 0, divided by all items.
- 承诺时限压缩比: (Σ statutory − Σ promised) ÷ Σ statutory, over items that have a statutory
  limit (法定办结时限). Limits are only comparable in the same unit, so an item whose statutory
  and promised limits are in different units (工作日 vs 自然日) is left out too, unless it is
  immediate (0 is 0 in any unit).
- 网上可办率: online depth (网办深度) 2–7 ÷ all; 全程网办率: depth 5–7 ÷ all.
- 跑零次率 / 最多跑一次率: visits (到办事现场次数) 0, resp. ≤ 1, ÷ all.

Every ratio is ``None`` when its denominator is 0, so pages can show "—" instead of a fake 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from zhengwu.org.models import Region

from .models import Item, ItemVersion

ONLINE_MIN_DEPTH = 2
FULL_ONLINE_MIN_DEPTH = 5

# The statutory limit counts towards the compression ratio only when it is comparable.
_COMPRESSIBLE = Q(current__legal_limit__isnull=False) & (
    Q(current__promised_limit=0) | Q(current__legal_limit_unit=F("current__promised_limit_unit"))
)

_AGGREGATES = {
    "total": Count("id"),
    "immediate": Count("id", filter=Q(current__promised_limit=0)),
    "with_legal_limit": Count("id", filter=_COMPRESSIBLE),
    "legal_days": Coalesce(Sum("current__legal_limit", filter=_COMPRESSIBLE), Value(0)),
    "promised_days": Coalesce(Sum("current__promised_limit", filter=_COMPRESSIBLE), Value(0)),
    "online": Count("id", filter=Q(current__online_depth__gte=ONLINE_MIN_DEPTH)),
    "full_online": Count("id", filter=Q(current__online_depth__gte=FULL_ONLINE_MIN_DEPTH)),
    "zero_visit": Count("id", filter=Q(current__visits=0)),
    "at_most_one_visit": Count("id", filter=Q(current__visits__lte=1)),
}

# (attribute, Chinese label) in the order pages show them.
KPI_FIELDS = [
    ("immediate_rate", "即办率"),
    ("compression_ratio", "承诺时限压缩比"),
    ("online_rate", "网上可办率"),
    ("full_online_rate", "全程网办率"),
    ("zero_visit_rate", "跑零次率"),
    ("at_most_one_visit_rate", "最多跑一次率"),
]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class CatalogKpi:
    """Counts for one set of items (the whole catalog or one department) and the ratios derived."""

    total: int = 0
    immediate: int = 0
    with_legal_limit: int = 0
    legal_days: int = 0
    promised_days: int = 0
    online: int = 0
    full_online: int = 0
    zero_visit: int = 0
    at_most_one_visit: int = 0
    department_id: int | None = None
    department_name: str = "全部事项"

    @property
    def immediate_rate(self) -> float | None:
        return _ratio(self.immediate, self.total)

    @property
    def compression_ratio(self) -> float | None:
        return _ratio(self.legal_days - self.promised_days, self.legal_days)

    @property
    def online_rate(self) -> float | None:
        return _ratio(self.online, self.total)

    @property
    def full_online_rate(self) -> float | None:
        return _ratio(self.full_online, self.total)

    @property
    def zero_visit_rate(self) -> float | None:
        return _ratio(self.zero_visit, self.total)

    @property
    def at_most_one_visit_rate(self) -> float | None:
        return _ratio(self.at_most_one_visit, self.total)

    def ratios(self) -> dict[str, float | None]:
        return {attr: getattr(self, attr) for attr, _label in KPI_FIELDS}


def _kpi_items(*, region: Region | None = None) -> QuerySet[Item]:
    """Active items that have a published current version, optionally within a region."""
    qs = Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE)
    if region is not None:
        qs = qs.filter(department__region__code__startswith=region.code_prefix)
    return qs


def catalog_kpi_overall(*, region: Region | None = None) -> CatalogKpi:
    """KPIs of the whole catalog (one aggregate query)."""
    row = _kpi_items(region=region).aggregate(**_AGGREGATES)
    return CatalogKpi(**row)


def catalog_kpi_by_department(*, region: Region | None = None) -> list[CatalogKpi]:
    """KPIs per department, in department order, in one GROUP BY query."""
    rows = (
        _kpi_items(region=region)
        .values("department_id", "department__name")
        .annotate(**_AGGREGATES)
        .order_by("department__region__code", "department__code")
    )
    return [CatalogKpi(department_name=row.pop("department__name"), **row) for row in rows]
