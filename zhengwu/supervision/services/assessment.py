"""Monthly assessment (月考核) of windows and officers, and the month's 红旗窗口 / 服务之星.

Score = base + Σ (points × count) over the active score rules, held within [min, max]
(default 100, 0, 110). Facts are counted in the month of their own date:
- overdue_case: a supervised clock of any kind whose due date falls in the month and that was not
  finished by it (finished later, or still running with the date passed), times its kind's weight;
  it counts against the clock's window and officer (for a case: 受理窗口、受理人). Stopped clocks
  are not late.
- bad_rating: an upheld 差评 (ratings app) against the officer / window;
- admonition: a 效能告诫 not revoked; red_card: a red card on a clock's whole deadline (weighted); praise: a Commendation.
- appraisal_bottom: a section of the window's department listed among the bottom ones of a 重点科室评议
  whose results were published in the month (``appraisal_port``), once per such section, for every open
  window of the department.
Windows rank within their hall, officers within theirs (1 + the number scoring higher). Awards go
down the ranking skipping the excluded (REFERENCE §7: anyone punished by supervision — a 效能告诫 —
or rated 不满意 in the month; and whoever accepted fewer cases than the policy's minimum, so an idle
window does not win on its untouched 100); equal scores: fewer deductions first, then window
number / 工号.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Min, Q

from zhengwu.cases.models import Case
from zhengwu.core import clock
from zhengwu.org.models import Role, Staff, Window

from .. import appraisal_port, hall_port, ratings_port
from ..defaults import AWAY_UNIT_MINUTES
from ..models import Admonition, Card, Clock, ClockKind, ClockState, Commendation, MonthlyScore, ScoreRule
from ..periods import month_end, month_start
from ..policy import policy_get, score_rules


def _facts(start: dt.date, end: dt.date, today: dt.date):
    """Per score rule code: Counters of window ids and of officer ids; plus exclusion reasons."""
    by_window: dict[str, Counter] = defaultdict(Counter)
    by_officer: dict[str, Counter] = defaultdict(Counter)
    win_excl: dict[int, list[str]] = defaultdict(list)
    off_excl: dict[int, list[str]] = defaultdict(list)
    policy = policy_get()

    accepted = Case.objects.filter(accepted_on__gte=start, accepted_on__lte=end).order_by().values_list(
        "accepted_window_id", "accepted_by_id")
    for window_id, officer_id in accepted:
        by_window["_cases"][window_id] += 1
        by_officer["_cases"][officer_id] += 1

    # Lateness of every kind of clock, each counted by its kind's weight (policy data): a clock due in
    # the month and finished after its due date, or still running with the date passed. Stopped
    # clocks (补正, 特别程序, 征求意见) are not late.
    weights = dict(ClockKind.objects.filter(weight__gt=0).values_list("code", "weight"))
    last_due = min(end, today - dt.timedelta(days=1))
    late = (Clock.objects.filter(kind_id__in=list(weights), due_date__gte=start, due_date__lte=last_due)
            .filter(Q(state=ClockState.FINISHED, finished_on__gt=F("due_date")) | Q(state=ClockState.RUNNING))
            .order_by().values_list("kind_id", "window_id", "officer_id"))
    for kind, window_id, officer_id in late:
        by_window["overdue_case"][window_id] += weights[kind]
        by_officer["overdue_case"][officer_id] += weights[kind]

    bad_by_officer, bad_by_window = ratings_port.bad_rating_counts(month=start)
    for officer_id, n in bad_by_officer.items():
        by_officer["bad_rating"][officer_id] += n
        if policy.exclude_unsatisfied:
            off_excl[officer_id].append("当月被评为不满意")
    for window_id, n in bad_by_window.items():
        by_window["bad_rating"][window_id] += n
        if policy.exclude_unsatisfied:
            win_excl[window_id].append("当月被评为不满意")

    staff_windows: dict[int, set[int]] = defaultdict(set)
    for sid, wid in Staff.windows.through.objects.values_list("staff_id", "window_id"):
        staff_windows[sid].add(wid)
    adms = Admonition.objects.filter(issued_on__range=(start, end), revoked_on__isnull=True).values_list(
        "staff_id", "window_id")
    for staff_id, window_id in adms:
        by_officer["admonition"][staff_id] += 1
        by_window["admonition"][window_id] += 1
        if policy.exclude_admonished:
            off_excl[staff_id].append("当月受到效能告诫")
            for wid in staff_windows[staff_id] | {window_id}:
                win_excl[wid].append("窗口人员当月受到效能告诫")

    reds = Card.objects.filter(level=Card.Level.RED, kind_id__in=list(weights), part=0,
                               raised_on__range=(start, end)).values_list("kind_id", "officer_id", "clock__window_id")
    for kind, officer_id, window_id in reds:
        by_officer["red_card"][officer_id] += weights[kind]
        by_window["red_card"][window_id] += weights[kind]
        if policy.exclude_red_card:
            off_excl[officer_id].append("当月办件被亮红牌")
            win_excl[window_id].append("当月办件被亮红牌")

    for staff_id, minutes in hall_port.away_overdue_minutes(start=start, end=end).items():
        if minutes >= AWAY_UNIT_MINUTES:
            by_officer["away_overdue"][staff_id] += minutes // AWAY_UNIT_MINUTES

    bottom = appraisal_port.bottom_sections_by_department(start=start, end=end)
    if bottom:
        for window_id, dept_id in Window.objects.filter(is_open=True, department_id__in=list(bottom)).values_list(
                "id", "department_id"):
            by_window["appraisal_bottom"][window_id] += bottom[dept_id]

    for staff_id, window_id in Commendation.objects.filter(on__range=(start, end)).values_list("staff_id",
                                                                                                "window_id"):
        if staff_id:
            by_officer["praise"][staff_id] += 1
        if window_id:
            by_window["praise"][window_id] += 1
    return by_window, by_officer, win_excl, off_excl


def _score(subject_id: int, counts: dict[str, Counter], rules: list[ScoreRule], *, windows: bool, policy):
    items, total, deductions = [], Decimal(0), 0
    for rule in rules:
        if not (rule.for_windows if windows else rule.for_officers):
            continue
        n = counts[rule.code][subject_id] if rule.code in counts else 0
        if not n:
            continue
        subtotal = rule.points * n
        total += subtotal
        if rule.points < 0:
            deductions += n
        items.append({"code": rule.code, "name": rule.get_code_display(), "count": n,
                      "points": str(rule.points), "subtotal": str(subtotal)})
    raw = policy.base_score + total
    score = min(policy.max_score, max(policy.min_score, raw))
    return items, raw, score, deductions


def _excluded(reasons: list[str], cases: int, policy) -> str:
    """Why a window or officer may not be awarded this month ("" when they may)."""
    reasons = list(dict.fromkeys(reasons))
    if cases < policy.min_cases_for_award:
        reasons.append("当月无受理办件" if cases == 0 else f"当月受理办件不足{policy.min_cases_for_award}件")
    return "；".join(reasons)


def _rank_and_award(rows: list[tuple[MonthlyScore, int, str]], quota: int, award: str) -> None:
    """rows: (score row, deductions, tie-break label) of one hall and kind."""
    for s, _d, _label in rows:
        s.rank = 1 + sum(1 for o, _, _ in rows if o.score > s.score)
    eligible = sorted((r for r in rows if not r[0].excluded), key=lambda r: (-r[0].score, r[1], r[2]))
    for s, _d, _label in eligible[:quota]:
        s.award = award


def assessment_run(*, month: dt.date, today: dt.date | None = None) -> list[MonthlyScore]:
    """Compute (or recompute) one month's scores, ranks and awards for every hall."""
    start, end = month_start(month), month_end(month)
    today = today or clock.today()
    if start > today:
        from zhengwu.core.errors import DomainError

        raise DomainError("future_month", "该月尚未开始，不能考核")
    policy = policy_get()
    rules = score_rules()
    by_window, by_officer, win_excl, off_excl = _facts(start, end, today)
    now = clock.now()

    by_hall_w: dict[int, list] = defaultdict(list)
    for w in Window.objects.filter(is_open=True).select_related("hall").order_by("hall_id", "number"):
        items, raw, score, ded = _score(w.pk, by_window, rules, windows=True, policy=policy)
        cases = by_window["_cases"][w.pk]
        row = MonthlyScore(month=start, kind=MonthlyScore.Kind.WINDOW, hall_id=w.hall_id, window=w,
                           department_id=w.department_id, cases=cases, base=policy.base_score, items=items,
                           raw_score=raw, score=score, rank=0,
                           excluded=_excluded(win_excl.get(w.pk, []), cases, policy), computed_at=now)
        by_hall_w[w.hall_id].append((row, ded, w.number.zfill(8)))
    by_hall_o: dict[int, list] = defaultdict(list)
    officers = (Staff.objects.filter(is_active=True, hall__isnull=False,
                                     roles__code__in=[Role.WINDOW_OFFICER, Role.CHIEF_REP])
                .distinct().order_by("hall_id", "employee_no"))
    for s in officers:
        items, raw, score, ded = _score(s.pk, by_officer, rules, windows=False, policy=policy)
        cases = by_officer["_cases"][s.pk]
        row = MonthlyScore(month=start, kind=MonthlyScore.Kind.OFFICER, hall_id=s.hall_id, staff=s,
                           department_id=s.department_id, cases=cases, base=policy.base_score, items=items,
                           raw_score=raw, score=score, rank=0,
                           excluded=_excluded(off_excl.get(s.pk, []), cases, policy), computed_at=now)
        by_hall_o[s.hall_id].append((row, ded, s.employee_no))
    out = []
    for rows in by_hall_w.values():
        _rank_and_award(rows, policy.red_flag_windows, MonthlyScore.Award.RED_FLAG)
        out += [r[0] for r in rows]
    for rows in by_hall_o.values():
        _rank_and_award(rows, policy.service_stars, MonthlyScore.Award.STAR)
        out += [r[0] for r in rows]
    with transaction.atomic():
        MonthlyScore.objects.filter(month=start).delete()
        MonthlyScore.objects.bulk_create(out)
    return out


def assessment_stale(month: dt.date) -> bool:
    """Whether an appeal about one of the month's 差评 was upheld after the month was scored.

    An upheld appeal takes the 差评 out of the score (and may give back an award); appeals are
    often decided in the following month, after the turn-of-month assessment ran.
    """
    from zhengwu.ratings.models import Appeal, AppealStatus

    start, end = month_start(month), month_end(month)
    computed = MonthlyScore.objects.filter(month=start).aggregate(at=Min("computed_at"))["at"]
    if computed is None:
        return False
    return Appeal.objects.filter(status=AppealStatus.UPHELD, decided_at__gt=computed,
                                 rating__rated_on__gte=start, rating__rated_on__lte=end).exists()


def assessment_ensure(*, month: dt.date, today: dt.date | None = None) -> bool:
    """Compute a finished month once, and again if an upheld appeal has since changed its 差评
    (the sweep calls this every run for the last two months). Returns whether it computed."""
    if MonthlyScore.objects.filter(month=month_start(month)).exists() and not assessment_stale(month):
        return False
    assessment_run(month=month, today=today)
    return True
