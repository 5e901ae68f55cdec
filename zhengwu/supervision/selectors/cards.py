"""Reads of red and yellow cards: for a domain's own pages (per subject) and the supervisors' board (scoped).

Cards belong to clocks, so one board shows every kind: cases, review steps, 依申请公开 replies, and any
kind a new domain registers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from zhengwu.core.errors import PermissionDenied
from zhengwu.org.models import Role, Staff

from ..models import Card, ClockKind

BOARD_ROLES = {Role.SUPERVISOR, Role.LEADER, Role.HALL_ADMIN, Role.DEPT_HEAD}


def cards_for_subjects(subject_type: str, ids: Iterable[int]) -> dict[int, list[Card]]:
    """Active cards per subject id (red before yellow, the whole deadline before its parts), in one query."""
    ids = list(ids)
    out: dict[int, list[Card]] = defaultdict(list)
    if not ids:
        return {}
    qs = (Card.objects.filter(clock__subject_type=subject_type, clock__subject_id__in=ids, cleared_on__isnull=True)
          .select_related("clock", "kind", "region"))
    for card in qs:
        out[card.clock.subject_id].append(card)
    for cards in out.values():
        cards.sort(key=lambda c: (c.level != Card.Level.RED, c.kind.sort, c.part, c.pk))
    return dict(out)


def cards_for_cases(case_ids: Iterable[int]) -> dict[int, list[Card]]:
    return cards_for_subjects("case", case_ids)


def attach_cards(cases: Iterable, subject_type: str = "case") -> list:
    """Set ``obj.supervision_cards`` on each object (for ``supervision/_case_cards.html``); one query."""
    cases = list(cases)
    found = cards_for_subjects(subject_type, (c.pk for c in cases))
    for case in cases:
        case.supervision_cards = found.get(case.pk, [])
    return cases


def card_scope_q(staff: Staff) -> Q:
    """The cards a member of staff may see on the board; raises for roles without a board."""
    codes = staff.role_codes()
    if codes & {Role.SUPERVISOR, Role.LEADER}:
        return Q(region__code__startswith=staff.region.code_prefix)
    if Role.HALL_ADMIN in codes and staff.hall_id:
        return Q(hall_id=staff.hall_id)
    if Role.DEPT_HEAD in codes and staff.department_id:
        return Q(department_id=staff.department_id, region__code__startswith=staff.region.code_prefix)
    raise PermissionDenied("监察看板仅限效能监察员、领导、中心管理员和部门负责人查看", code="no_board")


def card_list_for_staff(*, staff: Staff, level: str = "", department_id: int | None = None, kind: str = "",
                        active: bool = True) -> QuerySet[Card]:
    qs = Card.objects.filter(card_scope_q(staff)).select_related("clock", "kind", "region", "department", "hall", "officer")
    if active:
        qs = qs.filter(cleared_on__isnull=True)
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind_id=kind)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("-level", "due_date", "due_at", "clock_id")


def card_counts_by_department(qs: QuerySet[Card]) -> list[dict]:
    """[{department_id, name, red, yellow}] for the active cards in ``qs``, most red first."""
    rows = (qs.filter(cleared_on__isnull=True).order_by().values("department_id", "department__name")
            .annotate(red=Count("id", filter=Q(level="red")), yellow=Count("id", filter=Q(level="yellow"))))
    return sorted(({"department_id": r["department_id"], "name": r["department__name"] or "（无部门）",
                    "red": r["red"], "yellow": r["yellow"]} for r in rows),
                  key=lambda r: (-r["red"], -r["yellow"], r["name"]))


def card_counts_by_kind(qs: QuerySet[Card]) -> list[dict]:
    """[{code, name, red, yellow}] for the active cards in ``qs``, per kind of clock."""
    rows = dict(((r["kind_id"]), r) for r in qs.filter(cleared_on__isnull=True).order_by().values("kind_id")
                .annotate(red=Count("id", filter=Q(level="red")), yellow=Count("id", filter=Q(level="yellow"))))
    return [{"code": k.code, "name": str(k), "red": rows[k.code]["red"], "yellow": rows[k.code]["yellow"]}
            for k in ClockKind.objects.filter(code__in=list(rows))]
