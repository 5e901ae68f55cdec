"""Reads of red and yellow cards: for the workbench (per case) and the supervisors' board (scoped)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from zhengwu.core.errors import PermissionDenied
from zhengwu.org.models import Role, Staff

from ..models import Card

BOARD_ROLES = {Role.SUPERVISOR, Role.LEADER, Role.HALL_ADMIN, Role.DEPT_HEAD}
_ORDER = {("red", "case"): 0, ("red", "step"): 1, ("yellow", "case"): 2, ("yellow", "step"): 3}


def cards_for_cases(case_ids: Iterable[int]) -> dict[int, list[Card]]:
    """Active cards per case id (red before yellow, the case deadline before steps), in one query."""
    ids = list(case_ids)
    out: dict[int, list[Card]] = defaultdict(list)
    if not ids:
        return {}
    for card in Card.objects.filter(case_id__in=ids, cleared_on__isnull=True):
        out[card.case_id].append(card)
    for cards in out.values():
        cards.sort(key=lambda c: (_ORDER[(c.level, c.scope)], c.step))
    return dict(out)


def attach_cards(cases: Iterable) -> list:
    """Set ``case.supervision_cards`` on each case (for ``supervision/_case_cards.html``); one query."""
    cases = list(cases)
    found = cards_for_cases(c.pk for c in cases)
    for case in cases:
        case.supervision_cards = found.get(case.pk, [])
    return cases


def card_scope_q(staff: Staff) -> Q:
    """The cards a member of staff may see on the board; raises for roles without a board."""
    codes = staff.role_codes()
    if codes & {Role.SUPERVISOR, Role.LEADER}:
        return Q(hall__region__code__startswith=staff.region.code_prefix)
    if Role.HALL_ADMIN in codes and staff.hall_id:
        return Q(hall_id=staff.hall_id)
    if Role.DEPT_HEAD in codes and staff.department_id:
        return Q(department_id=staff.department_id, hall__region__code__startswith=staff.region.code_prefix)
    raise PermissionDenied("监察看板仅限效能监察员、领导、中心管理员和部门负责人查看", code="no_board")


def card_list_for_staff(*, staff: Staff, level: str = "", department_id: int | None = None,
                        active: bool = True) -> QuerySet[Card]:
    qs = Card.objects.filter(card_scope_q(staff)).select_related(
        "case__item", "department", "hall", "officer")
    if active:
        qs = qs.filter(cleared_on__isnull=True)
    if level:
        qs = qs.filter(level=level)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("-level", "due_date", "case_id", "step")


def card_counts_by_department(qs: QuerySet[Card]) -> list[dict]:
    """[{department_id, name, red, yellow}] for the active cards in ``qs``, most red first."""
    rows = (qs.filter(cleared_on__isnull=True).order_by().values("department_id", "department__name")
            .annotate(red=Count("id", filter=Q(level="red")), yellow=Count("id", filter=Q(level="yellow"))))
    return sorted(({"department_id": r["department_id"], "name": r["department__name"], "red": r["red"],
                    "yellow": r["yellow"]} for r in rows), key=lambda r: (-r["red"], -r["yellow"], r["name"]))
