"""Where everything sits: the units in a fixed order and the center's windows by floor."""

from __future__ import annotations

from dataclasses import dataclass

from . import units_construction, units_enterprise, units_people, units_services
from .spec import Unit

# Order is part of the data: a unit's position gives its code, so never reorder, only append.
UNITS: tuple[Unit, ...] = (
    *units_enterprise.UNITS,
    *units_people.UNITS,
    *units_construction.UNITS,
    *units_services.UNITS,
)

ZONES = {"A": "一楼A区", "B": "一楼B区", "C": "二楼A区", "D": "二楼B区", "E": "三楼"}

# Comprehensive windows (综合窗口) run by the center itself, at the front of zone A.
COMPREHENSIVE = (
    "综合受理窗口", "综合受理窗口", "综合受理窗口", "综合受理窗口",
    "咨询导办窗口", "集中收费窗口", "综合出件窗口", "“办不成事”反映窗口",
)


@dataclass(frozen=True)
class WindowPlan:
    number: str
    name: str
    floor: str
    unit_key: str | None  # None: a comprehensive window


def center_windows() -> list[WindowPlan]:
    """The center's windows numbered by zone: A01… for 一楼A区, B01… for 一楼B区 and so on."""
    plans: list[WindowPlan] = []
    for zone, floor in ZONES.items():
        names: list[tuple[str, str | None]] = []
        if zone == "A":
            names += [(n, None) for n in COMPREHENSIVE]
        for unit in UNITS:
            if unit.zone == zone:
                names += [(f"{unit.short}·{w}", unit.key) for w in unit.windows]
        plans += [WindowPlan(f"{zone}{i:02d}", name, floor, key) for i, (name, key) in enumerate(names, start=1)]
    return plans
