"""Reads of 村务公开/党务公开: what the public and the notice board see (names masked), what the village's
staff see (everything), and the town's view of all its villages (status per category and period)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest

from django.db.models import Prefetch, QuerySet

from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.core.validators import mask_id_number
from zhengwu.org.models import Region, Role, Staff
from zhengwu.workdays import engine

from . import village_calendar as vcal
from .clocks import VILLAGE, VILLAGE_SUBJECT
from .models import (
    Body,
    FinanceLine,
    PubStatus,
    ReliefRow,
    VillageCadence,
    VillageCategory,
    VillageDisclosure,
    VillageDueOverride,
    VillagePeriod,
)
from .policy import village_name_mask
from .services.common import duties_of
from .services.village import mask_person


class Status:
    PUBLISHED = "published"
    PUBLISHED_LATE = "published_late"
    NOT_DUE = "not_due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


STATUS_LABELS = {Status.PUBLISHED: "已公开", Status.PUBLISHED_LATE: "已公开（逾期）", Status.NOT_DUE: "未到期",
                 Status.DUE_SOON: "即将到期", Status.OVERDUE: "已逾期"}


def warn_workdays() -> int:
    from zhengwu.supervision.models import ClockKind
    from zhengwu.supervision.policy import policy_get

    rows = list(ClockKind.objects.filter(pk=VILLAGE.code).values_list("warn_workdays", flat=True))
    warn = rows[0] if rows else VILLAGE.warn_workdays  # the kind's row is made on first use
    return warn if warn is not None else policy_get().warn_workdays


def status_of(*, due: dt.date, published_on: dt.date | None, today: dt.date, region=None, warn: int = 2) -> str:
    if published_on is not None:
        return Status.PUBLISHED_LATE if published_on > due else Status.PUBLISHED
    if today > due:
        return Status.OVERDUE
    if engine.count_workdays(today, due, region=region) < warn + 1 or today == due:
        return Status.DUE_SOON
    return Status.NOT_DUE


def categories() -> list[VillageCategory]:
    return list(VillageCategory.objects.filter(is_active=True))


# -- what anyone sees -----------------------------------------------------------------------------------------


def village_get_public(code: str) -> Body:
    body = (Body.objects.filter(code=code, is_active=True, kind=Body.Kind.VILLAGE)
            .select_related("region__parent", "parent").first())
    if body is None:
        raise NotFound("未找到该村（居）的村务公开")
    return body


def disclosures_public(body: Body) -> QuerySet[VillageDisclosure]:
    return (VillageDisclosure.objects.filter(publication__body=body, publication__status=PubStatus.PUBLISHED)
            .select_related("publication", "period__category")
            .order_by("period__category__catalogue", "period__category__order", "-period__period_end"))


def disclosure_get_public(body: Body, pk: int) -> VillageDisclosure:
    disc = disclosures_public(body).filter(pk=pk).first()
    if disc is None:
        raise NotFound("未找到该村务公开")
    return disc


@dataclass
class Table:
    """A disclosure's structured content as a page or the board shows it."""

    income: list = field(default_factory=list)
    expense: list = field(default_factory=list)
    relief: list = field(default_factory=list)
    relief_total: Decimal = Decimal("0.00")
    relief_people: int = 0

    @property
    def pairs(self) -> list[tuple]:
        """Income and expense lines side by side, as the paper 财务收支公开表 prints them."""
        return list(zip_longest(self.income, self.expense))


def table_for(disc: VillageDisclosure, *, full: bool = False) -> Table:
    """Finance lines and relief rows; ``full`` (the village's own staff only) keeps names and 身份证号,
    otherwise names are masked by policy and 身份证号 by ``mask_id_number``."""
    t = Table()
    for ln in disc.finance_lines.all():
        (t.income if ln.direction == FinanceLine.Direction.INCOME else t.expense).append(ln)
    style = village_name_mask()
    for r in disc.relief_rows.all():
        t.relief.append({"relief_type": r.relief_type, "household_size": r.household_size, "amount": r.amount,
                         "name": r.name if full else mask_person(r.name, style),
                         "id_number": r.id_number if full else mask_id_number(r.id_number)})
        t.relief_total += r.amount
        t.relief_people += r.household_size
    return t


def with_tables(discs, *, full: bool = False) -> list[VillageDisclosure]:
    discs = list(discs)
    for d in discs:
        d.table = table_for(d, full=full)
    return discs


def board_disclosures(body: Body, period: vcal.Period) -> list[VillageDisclosure]:
    """The 公开栏 of a quarter (or month, half-year, year): every published disclosure of the village whose
    period ends within it, names masked."""
    qs = (disclosures_public(body).filter(period__period_end__gte=period.start, period__period_end__lte=period.end)
          .prefetch_related(Prefetch("finance_lines", FinanceLine.objects.order_by("direction", "order", "id")),
                            Prefetch("relief_rows", ReliefRow.objects.order_by("order", "id"))))
    return with_tables(qs)


# -- the village's own staff ------------------------------------------------------------------------------------


def village_get_for_staff(code: str, staff: Staff) -> Body:
    body = village_get_public(code)
    if not duties_of(staff, body):
        raise PermissionDenied(f"您不是{body.name}的村务公开工作人员", code="out_of_scope")
    return body


def villages_for_staff(staff: Staff) -> QuerySet[Body]:
    return (Body.objects.filter(kind=Body.Kind.VILLAGE, is_active=True, members__staff=staff).distinct()
            .order_by("region__code"))


# -- the town's view ---------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    category: VillageCategory
    label: str
    due: dt.date
    status: str
    period: VillagePeriod | None = None
    disclosure_id: int | None = None
    cards: list = field(default_factory=list)
    older_overdue: int = 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Row:
    body: Body
    cells: list[Cell]

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.cells if c.status == Status.OVERDUE) + sum(c.older_overdue for c in self.cells)


def may_see_town(staff: Staff | None, town: Region) -> bool:
    """效能监察员 and 领导 whose region covers the town, and the members of the town's own 公开主体."""
    if staff is None or not staff.is_active:
        return False
    if staff.role_codes() & {Role.SUPERVISOR, Role.LEADER} and town.code.startswith(staff.region.code_prefix):
        return True
    return Body.objects.filter(kind=Body.Kind.TOWN, region=town, members__staff=staff).exists()


def town_get_for_staff(code: str, staff: Staff) -> Region:
    town = Region.objects.filter(code=code, level="town").first()
    if town is None:
        raise NotFound("未找到该乡镇（街道）")
    if not may_see_town(staff, town):
        raise PermissionDenied("乡镇村务公开情况仅限该乡镇、上级的监察人员和乡镇政务公开工作人员查看",
                               code="out_of_scope")
    return town


def towns_for_staff(staff: Staff) -> list[Region]:
    if staff.role_codes() & {Role.SUPERVISOR, Role.LEADER}:
        prefix = staff.region.code_prefix
        return list(Region.objects.filter(level="town", code__startswith=prefix).order_by("code"))
    return list(Region.objects.filter(level="town", gk_bodies__kind=Body.Kind.TOWN,
                                      gk_bodies__members__staff=staff).distinct().order_by("code"))


def town_status(town: Region, *, today: dt.date | None = None) -> tuple[list[VillageCategory], list[Row]]:
    """Every village of the town × every active category: the period that ended last, its due and status,
    the active cards of its clock, and how many older periods are still unpublished past their due."""
    from zhengwu.supervision.selectors import cards_for_subjects

    today = today or clock.today()
    cats = categories()
    bodies = list(Body.objects.filter(kind=Body.Kind.VILLAGE, is_active=True,
                                      region__code__startswith=town.code_prefix).select_related("region")
                  .order_by("region__code"))
    cadences = {(b, c): k for b, c, k in VillageCadence.objects.filter(body__in=bodies)
                .values_list("body_id", "category_id", "cadence")}
    periods = list(VillagePeriod.objects.filter(body__in=bodies).select_related("category"))
    by_key = {(p.body_id, p.category_id, p.period_start, p.period_end): p for p in periods}
    disc = dict(VillageDisclosure.objects.filter(period__in=[p.pk for p in periods])
                .values_list("period_id", "id"))
    overrides = {(c, e): d for c, e, d in VillageDueOverride.objects.values_list("category_id", "period_end",
                                                                                 "due_date")}
    cards = cards_for_subjects(VILLAGE_SUBJECT, [p.pk for p in periods])
    warn = warn_workdays()
    rows = []
    for body in bodies:
        cells = []
        for cat in cats:
            current = vcal.last_ended(today, vcal.cadence_for(body, cat, cadences))
            row = by_key.get((body.pk, cat.pk, current.start, current.end))
            due = row.due_date if row else vcal.due_date(cat, current, region=body.region, overrides=overrides)
            older = sum(1 for p in periods if p.body_id == body.pk and p.category_id == cat.pk
                        and p.period_end < current.start and p.state == VillagePeriod.State.OPEN and p.due_date < today)
            cells.append(Cell(category=cat, label=current.label, due=due, period=row,
                              status=status_of(due=due, published_on=row.published_on if row else None, today=today,
                                               region=body.region, warn=warn),
                              disclosure_id=disc.get(row.pk) if row else None,
                              cards=cards.get(row.pk, []) if row else [], older_overdue=older))
        rows.append(Row(body=body, cells=cells))
    return cats, rows


def period_rows_for_staff(body: Body) -> list[dict]:
    """The village's workbench: open periods first (oldest due first), then the last published ones."""
    today = clock.today()
    warn = warn_workdays()
    rows = []
    disc = {d.period_id: d for d in VillageDisclosure.objects.filter(publication__body=body)
            .select_related("publication")}
    for p in (VillagePeriod.objects.filter(body=body).select_related("category")
              .order_by("state", "due_date", "category__order")[:200]):
        d = disc.get(p.pk)
        rows.append({"period": p, "disclosure": d, "key": vcal.Period(p.cadence, p.period_start, p.period_end).key,
                     "status": status_of(due=p.due_date, published_on=p.published_on, today=today,
                                         region=body.region, warn=warn)})
    for r in rows:
        r["status_label"] = STATUS_LABELS[r["status"]]
    return rows
