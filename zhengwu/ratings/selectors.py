"""Reads of 好差评 that follow rules: the metrics, who may see what, and what waits to be rated.

Metric definitions (the same words are on the metrics and the public page):

- 满意率 = valid ratings with overall level 3–5 (基本满意 and better) ÷ all valid ratings, by the
  rating date. *Valid* means not set aside by an upheld appeal (申诉成立).
- 主动评价率 = cases finished (办结) in the period that got a valid rating given without an
  invitation (pad, web, QR, 12345 — not the 智能邀评 SMS link) ÷ all cases finished in the period.
- 差评整改率 = valid 差评 (overall 1–2) of the period whose rectification is closed (已办结) ÷ all
  valid 差评 of the period.
- 回访满意度 = call-backs of those 差评 answered 满意 or 基本满意 ÷ all call-backs recorded.

A rate with nothing to divide by is ``None`` (shown as “—”).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Substr
from django.utils import timezone

from zhengwu.cases.models import Case, CaseEvent
from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Region, Role, Staff, Window

from .models import (
    CALLBACK_OK,
    Appeal,
    AppealStatus,
    CallbackResult,
    Kind,
    Rating,
    RatingInvite,
    Rectification,
    RectificationStatus,
)
from .services import FINISHED, hash_token, rating_kind_for_case, staff_may_handle_rectification

BY_CHOICES = {"officer": "人员", "window": "窗口", "department": "部门", "hall": "大厅", "region": "区域"}
CHILD_PREFIX = {"city": 6, "county": 9, "town": 12, "village": 12}


# -- metrics --------------------------------------------------------------------------------------------


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


@dataclass
class MetricRow:
    key: int | str | None
    label: str
    ratings: int = 0  # valid ratings
    satisfied: int = 0  # of which overall 3–5
    bad: int = 0  # valid 差评
    bad_closed: int = 0  # of which rectification closed
    callbacks: int = 0  # 差评 with a call-back result
    callbacks_ok: int = 0  # of which 满意 or 基本满意
    finished: int = 0  # cases finished in the period
    active: int = 0  # of which rated without an invitation
    extra: dict = field(default_factory=dict)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied, self.ratings)

    @property
    def active_rate(self) -> float | None:
        return _rate(self.active, self.finished)

    @property
    def rectification_rate(self) -> float | None:
        return _rate(self.bad_closed, self.bad)

    @property
    def callback_satisfaction(self) -> float | None:
        return _rate(self.callbacks_ok, self.callbacks)

    def as_dict(self) -> dict:
        return {
            "key": self.key, "label": self.label, "ratings": self.ratings, "satisfied": self.satisfied,
            "bad": self.bad, "bad_closed": self.bad_closed, "callbacks": self.callbacks,
            "callbacks_ok": self.callbacks_ok, "finished": self.finished, "active": self.active,
            "satisfaction_rate": self.satisfaction_rate, "active_rate": self.active_rate,
            "rectification_rate": self.rectification_rate, "callback_satisfaction": self.callback_satisfaction,
        }


COUNTS = ["ratings", "satisfied", "bad", "bad_closed", "callbacks", "callbacks_ok", "finished", "active"]


def metrics_total(rows: list[MetricRow], label: str = "合计") -> MetricRow:
    """The groups partition the rows counted, so the total is the sum of numerators and denominators."""
    total = MetricRow(key=None, label=label)
    for row in rows:
        for name in COUNTS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def _group(by: str, region: Region | None):
    """(rating key, case key, label fields for ratings, label fields for cases) of a grouping."""
    if by == "officer":
        return (F("officer_id"), F("accepted_by_id"),
                {"n1": F("officer__name"), "n2": F("officer__employee_no")},
                {"n1": F("accepted_by__name"), "n2": F("accepted_by__employee_no")})
    if by == "window":
        return (F("window_id"), F("accepted_window_id"),
                {"n1": F("window__hall__name"), "n2": F("window__number")},
                {"n1": F("accepted_window__hall__name"), "n2": F("accepted_window__number")})
    if by == "department":
        return F("department_id"), F("department_id"), {"n1": F("department__name")}, {"n1": F("department__name")}
    if by == "hall":
        return F("hall_id"), F("hall_id"), {"n1": F("hall__name")}, {"n1": F("hall__name")}
    if by == "region":
        n = CHILD_PREFIX[region.level] if region is not None else 6
        key = Substr("hall__region__code", 1, n)
        return key, key, {"n1": Value("")}, {"n1": Value("")}
    raise ValueError(by)


def _label(by: str, key, n1, n2) -> str:
    if key is None:
        return {"officer": "未关联人员", "window": "未关联窗口", "department": "未关联部门"}.get(by, "—")
    if by == "officer":
        return f"{n1}（{n2}）"
    if by == "window":
        return f"{n1} {n2}号窗口"
    return n1 or str(key)


def rating_metrics(*, by: str, start: dt.date, end: dt.date, region: Region | None = None,
                   department_id: int | None = None, hall_id: int | None = None,
                   officer_id: int | None = None, with_cases: bool = True) -> list[MetricRow]:
    """满意率, 主动评价率, 差评整改率 and 回访满意度 per officer, window, department, hall or region.

    ``by="region"`` groups by the regions one tier below ``region`` (a county's towns; halls of
    the county itself appear as the county). Two aggregate queries (one GROUP BY over ratings,
    one over finished cases) plus one for region names. See the module docstring for definitions.
    ``with_cases=False`` skips the case query (``finished``/``active`` stay 0) when only the
    rating-based metrics are wanted, e.g. 满意率 on a dashboard over a year of cases.
    """
    if by not in BY_CHOICES:
        raise ValueError(by)
    r_key, c_key, r_names, c_names = _group(by, region)
    r_scope, c_scope = Q(), Q()
    if region is not None:
        r_scope &= Q(hall__region__code__startswith=region.code_prefix)
        c_scope &= Q(hall__region__code__startswith=region.code_prefix)
    if department_id is not None:
        r_scope &= Q(department_id=department_id)
        c_scope &= Q(department_id=department_id)
    if hall_id is not None:
        r_scope &= Q(hall_id=hall_id)
        c_scope &= Q(hall_id=hall_id)
    if officer_id is not None:
        r_scope &= Q(officer_id=officer_id)
        c_scope &= Q(accepted_by_id=officer_id)

    rating_rows = (
        Rating.objects.filter(r_scope, rated_on__gte=start, rated_on__lte=end, excluded=False)
        .values(k=r_key, **r_names)
        .annotate(
            ratings=Count("id"),
            satisfied=Count("id", filter=Q(overall__gte=3)),
            bad=Count("id", filter=Q(is_bad=True)),
            bad_closed=Count("id", filter=Q(is_bad=True, rectification__status=RectificationStatus.CLOSED)),
            callbacks=Count("id", filter=Q(is_bad=True, rectification__callback_result__in=CallbackResult.values)),
            callbacks_ok=Count("id", filter=Q(is_bad=True, rectification__callback_result__in=CALLBACK_OK)),
        )
        .order_by()
    )
    case_rows = (
        Case.objects.filter(c_scope, completed_on__gte=start, completed_on__lte=end)
        .values(k=c_key, **c_names)
        .annotate(
            finished=Count("id", distinct=True),
            active=Count("id", distinct=True, filter=Q(ratings__id__isnull=False, ratings__invite_id__isnull=True,
                                                       ratings__excluded=False)),
        )
        .order_by()
    )
    rows: dict = {}
    for src in (rating_rows, case_rows) if with_cases else (rating_rows,):
        for r in src:
            row = rows.get(r["k"])
            if row is None:
                row = rows[r["k"]] = MetricRow(key=r["k"], label=_label(by, r["k"], r["n1"], r.get("n2")))
            for name in COUNTS:
                if name in r:
                    setattr(row, name, r[name])
    if by == "region" and rows:
        names = dict(Region.objects.filter(code__in=[str(k).ljust(12, "0") for k in rows if k])
                     .values_list("code", "name"))
        for k, row in rows.items():
            row.label = names.get(str(k).ljust(12, "0"), str(k))
        return sorted(rows.values(), key=lambda r: (r.key is None, str(r.key)))
    return sorted(rows.values(), key=lambda r: (r.key is None, r.label))


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def bad_ratings_upheld(*, month: dt.date, staff: Staff | None = None, window: Window | None = None) -> int:
    """For the monthly assessment: the 差评 of ``month`` that stand against ``staff`` or ``window``.

    A 差评 stands unless an appeal about it was upheld (申诉成立); one whose appeal is still
    pending counts until it is upheld (re-run the assessment after the decision).
    """
    if (staff is None) == (window is None):
        raise ValueError("pass exactly one of staff or window")
    first, last = month_range(month)
    qs = Rating.objects.filter(is_bad=True, excluded=False, rated_on__gte=first, rated_on__lte=last)
    qs = qs.filter(officer=staff) if staff is not None else qs.filter(window=window)
    return qs.count()


def bad_ratings_upheld_counts(*, month: dt.date, by: str = "officer",
                              region: Region | None = None) -> dict[int, int]:
    """{staff id or window id: number of standing 差评} for ``month``, in one GROUP BY.

    Everyone in the result was rated 不满意/非常不满意 in the month (REFERENCE §7: out of the awards).
    """
    if by not in ("officer", "window"):
        raise ValueError(by)
    first, last = month_range(month)
    qs = Rating.objects.filter(is_bad=True, excluded=False, rated_on__gte=first, rated_on__lte=last,
                               **{f"{by}__isnull": False})
    if region is not None:
        qs = qs.filter(hall__region__code__startswith=region.code_prefix)
    return dict(qs.values_list(f"{by}_id").annotate(n=Count("id")).order_by().values_list(f"{by}_id", "n"))


# -- scope ------------------------------------------------------------------------------------------------


def metrics_scope_for_staff(staff: Staff) -> dict:
    """The filter a member of staff's metrics are limited to (leaders and supervisors: their region)."""
    codes = staff.role_codes()
    if codes & {Role.LEADER, Role.SUPERVISOR}:
        return {"region": staff.region}
    if Role.HALL_ADMIN in codes and staff.hall_id:
        return {"hall_id": staff.hall_id}
    if Role.DEPT_HEAD in codes and staff.department_id:
        return {"department_id": staff.department_id, "region": staff.region}
    if codes & {Role.WINDOW_OFFICER, Role.CHIEF_REP}:
        return {"officer_id": staff.pk}
    raise PermissionDenied("您没有查看评价统计的权限", code="no_metrics")


def rating_metrics_for_staff(*, viewer: Staff, by: str, start: dt.date, end: dt.date) -> list[MetricRow]:
    scope = metrics_scope_for_staff(viewer)
    if by == "region" and "region" not in scope:
        scope["region"] = viewer.region
    return rating_metrics(by=by, start=start, end=end, **scope)


def rectification_list_for_staff(*, staff: Staff, status: str = "") -> QuerySet[Rectification]:
    """Rectifications a member of staff handles (department head, hall admin) or oversees (supervisor)."""
    codes = staff.role_codes()
    qs = Rectification.objects.select_related("rating", "rating__officer", "rating__window", "department", "hall")
    cond = Q()
    if codes & {Role.SUPERVISOR, Role.LEADER}:
        cond |= Q(hall__region__code__startswith=staff.region.code_prefix)
    if Role.HALL_ADMIN in codes and staff.hall_id:
        cond |= Q(hall_id=staff.hall_id)
    if Role.DEPT_HEAD in codes and staff.department_id:
        cond |= Q(department_id=staff.department_id, hall__region__code__startswith=staff.region.code_prefix)
    if Role.CHIEF_REP in codes and staff.department_id and staff.hall_id:
        # the department's 首席代表 in that hall answers for its windows there
        cond |= Q(department_id=staff.department_id, hall_id=staff.hall_id)
    if not cond:
        return qs.none()
    qs = qs.filter(cond)
    if status == "open":
        qs = qs.filter(status__in=[RectificationStatus.VERIFY, RectificationStatus.RECTIFY,
                                   RectificationStatus.CALLBACK])
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "id")


def rectification_get_for_staff(*, pk: int, staff: Staff) -> Rectification:
    rect = rectification_list_for_staff(staff=staff).select_related(
        "rating__case", "rating__case__item_version", "hall__region").filter(pk=pk).first()
    if rect is None:
        raise NotFound("未找到该整改事项，或不在您的管辖范围内")
    return rect


def rectification_may_act(staff: Staff, rect: Rectification) -> bool:
    return staff_may_handle_rectification(staff, rect)


def callback_phone(rect: Rectification) -> str:
    """Whom to call back: the case's contact phone, else the one the rater left."""
    rating = rect.rating
    if rating.case_id:
        return rating.case.contact_phone
    return rating.contact_phone


def appeal_queue_for_supervisor(*, staff: Staff, status: str = AppealStatus.PENDING) -> QuerySet[Appeal]:
    if not staff.has_role(Role.SUPERVISOR):
        raise PermissionDenied("申诉复核仅限效能监察员", code="not_supervisor")
    qs = Appeal.objects.select_related("rating", "rating__hall", "rating__window", "rating__department",
                                       "officer", "decided_by").filter(
        rating__hall__region__code__startswith=staff.region.code_prefix)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("filed_at", "id")


def appeal_get_for_supervisor(*, pk: int, staff: Staff) -> Appeal:
    appeal = appeal_queue_for_supervisor(staff=staff, status="").select_related("rating__hall__region").filter(
        pk=pk).first()
    if appeal is None:
        raise NotFound("未找到该申诉")
    return appeal


def ratings_for_officer(*, staff: Staff) -> QuerySet[Rating]:
    return (Rating.objects.filter(officer=staff).select_related("window", "hall", "appeal", "rectification")
            .order_by("-rated_at", "-id"))


def rating_get_for_officer(*, pk: int, staff: Staff) -> Rating:
    rating = ratings_for_officer(staff=staff).select_related("hall__region").filter(pk=pk).first()
    if rating is None:
        raise NotFound("未找到该评价")
    return rating


# -- what waits to be rated ------------------------------------------------------------------------------


def pad_window_get(*, hall_code: str, number: str) -> Window:
    window = Window.objects.select_related("hall", "hall__region", "department").filter(
        hall__code=hall_code, number=number).first()
    if window is None:
        raise NotFound("未找到该窗口")
    return window


def staff_may_use_pad(staff: Staff, window: Window) -> bool:
    """The pad is signed in as an officer of that window (or the hall's admin)."""
    if not staff.is_active or staff.hall_id != window.hall_id:
        return False
    if staff.has_role(Role.HALL_ADMIN):
        return True
    return staff.windows.filter(pk=window.pk).exists()


def pad_case_to_rate(*, window: Window) -> Case | None:
    """The last case finished at ``window`` today (办结 or picked up there), if it is not yet rated."""
    today = clock.today()
    event = (CaseEvent.objects.filter(window=window, action__in=["complete", "deliver"])
             .select_related("case__item_version").order_by("-id").first())
    case = event.case if event is not None else None
    fallback = (Case.objects.filter(accepted_window=window, status__in=FINISHED, completed_on=today)
                .select_related("item_version").order_by("-completed_at", "-id").first())
    if case is None or (fallback is not None and fallback.completed_at and case.completed_at
                        and fallback.completed_at > case.completed_at):
        case = fallback
    if case is None or case.status not in FINISHED:
        return None
    finished_today = case.completed_on == today or (
        case.delivered_at is not None and timezone.localdate(case.delivered_at) == today)
    if not finished_today or Rating.objects.filter(case=case, kind=Kind.HALL).exists():
        return None
    return case


def cases_to_rate_for_user(*, user) -> list[Case]:
    """The applicant's finished cases without their rating yet (newest first)."""
    cases = list(Case.objects.filter(applicant_user=user, status__in=FINISHED)
                 .select_related("item_version", "department").order_by("-completed_at", "-id")[:50])
    rated = set(Rating.objects.filter(case__in=cases).values_list("case_id", "kind"))
    return [c for c in cases if (c.pk, rating_kind_for_case(c)) not in rated]


def invite_get_by_token(*, token: str) -> RatingInvite:
    invite = RatingInvite.objects.select_related("case", "case__item_version", "case__hall",
                                                 "case__accepted_by", "case__department").filter(
        token_hash=hash_token(token)).first()
    if invite is None:
        raise NotFound("评价链接无效")
    return invite


# -- public (评价结果公开) ---------------------------------------------------------------------------------


def public_results(*, start: dt.date, end: dt.date, region: Region | None = None) -> dict:
    """Counts per department and the closed rectifications' results — no names, phones or comments."""
    departments = rating_metrics(by="department", start=start, end=end, region=region)
    halls = rating_metrics(by="hall", start=start, end=end, region=region)
    rects = Rectification.objects.filter(rating__rated_on__gte=start, rating__rated_on__lte=end,
                                         rating__excluded=False)
    if region is not None:
        rects = rects.filter(hall__region__code__startswith=region.code_prefix)
    closed = list(rects.filter(status=RectificationStatus.CLOSED).select_related("department", "hall")
                  .order_by("-closed_on", "-id")
                  .values("department__name", "hall__name", "opened_on", "due_on", "closed_on", "finding",
                          "measures", "callback_result")[:100])
    return {"departments": departments, "halls": halls, "total": metrics_total(departments),
            "closed": closed, "open_count": rects.filter(status__in=[
                RectificationStatus.VERIFY, RectificationStatus.RECTIFY, RectificationStatus.CALLBACK]).count()}

