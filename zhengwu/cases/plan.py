"""What a case needs from its item version, read once per process.

Published versions never change (catalog changes publish new versions), so the plan of a
version can be cached in memory for the life of the process. With Redis as the shared cache a plan
read once is kept there too: a new worker process takes it in one round trip instead of four queries
(a province's scaled-up catalog has thousands of versions, and every process would read each once).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import cache

from zhengwu.catalog.models import DEFAULT_EXTENSION_DAYS, ItemVersion, Material, TimeUnit
from zhengwu.org.models import Role


@dataclass(frozen=True)
class Step:
    seq: int
    name: str
    role: str
    days: int


@dataclass(frozen=True)
class FeeRule:
    fee_id: int
    name: str
    amount: Decimal
    waivable: bool
    waiver_basis: str


@dataclass(frozen=True)
class Plan:
    version_id: int
    item_name: str
    promised_limit: int
    calendar_days: bool
    steps: tuple[Step, ...]
    required: dict[int, str]  # material id → name, necessity 必要
    materials: dict[int, str]  # every material id → name
    fees: tuple[FeeRule, ...]
    special_procedures: frozenset[str]
    handling_tiers: frozenset[str]
    village_intake: bool
    online_depth: int = 4
    extension_limit: int = DEFAULT_EXTENSION_DAYS  # 延期: the most working days, once
    extension_basis: str = "行政许可法第四十二条"

    @property
    def immediate(self) -> bool:
        return self.promised_limit == 0

    def step(self, seq: int) -> Step:
        return self.steps[seq - 1]

    @property
    def last_seq(self) -> int:
        return len(self.steps)


# 网办深度 3 (网上预审) is the least at which an application can be submitted online;
# at 1–2 the portal only informs, books an appointment or offers the forms.
ONLINE_APPLY_MIN_DEPTH = 3

DEFAULT_STEPS = (Step(1, "受理", Role.WINDOW_OFFICER, 0), Step(2, "审核决定", Role.CHIEF_REP, 0))

_plans: dict[int, Plan] = {}


@cache
def _shape() -> str:
    """A digest of the plan's fields: a release that changes them reads none of the plans an older one kept."""
    names = ";".join(f"{c.__name__}:{','.join(f.name for f in fields(c))}" for c in (Plan, Step, FeeRule))
    return hashlib.blake2b(names.encode(), digest_size=6).hexdigest()


def _shared_key(version_id: int) -> str:
    return f"zw:plan:{_shape()}:{version_id}"


def _shared_cache():
    from django.core.cache import caches

    from zhengwu.core.cache import is_shared

    return caches["default"] if is_shared() else None


def plan_for(version: ItemVersion | int) -> Plan:
    version_id = version if isinstance(version, int) else version.pk
    plan = _plans.get(version_id)
    if plan is not None:
        return plan
    shared = _shared_cache()
    if shared is not None:
        plan = shared.get(_shared_key(version_id))
        if isinstance(plan, Plan):
            _plans[version_id] = plan
            return plan
    v = version if isinstance(version, ItemVersion) else ItemVersion.objects.get(pk=version_id)
    steps = tuple(Step(s.seq, s.name, s.role, s.days) for s in v.steps.order_by("seq"))
    # Steps are numbered 1..n in order, whatever seq values the catalog used.
    steps = tuple(Step(i + 1, s.name, s.role, s.days) for i, s in enumerate(steps)) or DEFAULT_STEPS
    mats = list(v.materials.order_by("seq"))
    plan = Plan(
        version_id=v.pk,
        item_name=v.name,
        promised_limit=v.promised_limit,
        calendar_days=v.promised_limit_unit == TimeUnit.CALENDAR_DAY,
        steps=steps,
        required={m.pk: m.name for m in mats if m.necessity == Material.Necessity.REQUIRED},
        materials={m.pk: m.name for m in mats},
        fees=tuple(FeeRule(f.pk, f.name, f.amount, f.waivable, f.waiver_basis) for f in v.fees.order_by("seq")),
        special_procedures=frozenset(v.special_procedures or []),
        handling_tiers=frozenset(v.handling_tiers or []),
        village_intake=v.village_intake,
        online_depth=v.online_depth,
        extension_limit=v.extension_limit,
        extension_basis="事项实施清单规定" if v.max_extension_days is not None else "行政许可法第四十二条",
    )
    if v.state != ItemVersion.State.DRAFT:
        _plans[version_id] = plan
        if shared is not None:
            shared.set(_shared_key(version_id), plan, 7 * 24 * 3600)
    return plan
