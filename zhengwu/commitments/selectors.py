"""Reads of public commitments. The public sees published versions and the complaint counts (never who
complained, never a complaint's text before the finding); staff see the commitments they may write or
sign; supervisors the complaints in their region."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Role, Staff

from .models import Breach, BreachStatus, Commitment, CommitmentVersion, Scope, VersionStatus


def _with_counts(qs: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return qs.annotate(
        breaches_total=Count("breaches", filter=~Q(breaches__status=BreachStatus.PENDING), distinct=True),
        breaches_upheld=Count("breaches", filter=Q(breaches__status=BreachStatus.UPHELD), distinct=True),
    )


def public_list(*, hall_code: str = "", department_id: int | None = None, scope: str = "") -> QuerySet[Commitment]:
    qs = _with_counts(
        Commitment.objects.filter(current__isnull=False)
        .select_related("current", "current__signed_by", "department", "window__hall", "hall")
    )
    if hall_code:
        qs = qs.filter(Q(hall__code=hall_code) | Q(department__windows__hall__code=hall_code)).distinct()
    if department_id:
        qs = qs.filter(department_id=department_id)
    if scope:
        qs = qs.filter(scope=scope)
    return qs.order_by("scope", "department__code", "window__hall__code", "window__number")


def public_get(commitment_id: int) -> Commitment:
    c = _with_counts(Commitment.objects.filter(pk=commitment_id, current__isnull=False)).select_related(
        "current__signed_by", "department", "window__hall", "hall").first()
    if c is None:
        raise NotFound("公开承诺不存在或尚未公开", code="commitment_not_found")
    return c


def public_versions(c: Commitment) -> QuerySet[CommitmentVersion]:
    return (c.versions.filter(status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED])
            .select_related("signed_by").order_by("-version"))


def public_version(c: Commitment, number: int) -> CommitmentVersion:
    v = public_versions(c).prefetch_related("clauses").filter(version=number).first()
    if v is None:
        raise NotFound("该版本不存在或尚未公开", code="commitment_version_not_found")
    return v


def public_breaches(c: Commitment) -> QuerySet[Breach]:
    """Decided complaints only, without who complained or who filed them."""
    return (c.breaches.exclude(status=BreachStatus.PENDING)
            .only("id", "clause_kind", "clause_text", "source", "status", "finding", "decided_at", "commitment_id")
            .order_by("-decided_at"))


def hall_screen(hall_code: str) -> list[Commitment]:
    """The commitments shown on a hall's screen: the hall's windows, then the departments seated there."""
    qs = public_list(hall_code=hall_code).prefetch_related("current__clauses")
    return sorted(qs, key=lambda c: (c.scope != Scope.WINDOW, c.window.number if c.window_id else "", c.pk))


# -- staff ---------------------------------------------------------------------------------------------------------


def workbench(staff: Staff) -> QuerySet[Commitment]:
    """The commitments a member of staff may write or sign, each with ``open_versions`` (the draft or the
    version waiting for signature: at most one, by a constraint) in one more query."""
    codes = staff.role_codes()
    q = Q(pk__in=[])
    if codes & {Role.CHIEF_REP, Role.DEPT_HEAD} and staff.department_id:
        q |= Q(department_id=staff.department_id) & (
            Q(scope=Scope.DEPARTMENT, department__region__code__startswith=staff.region.code_prefix)
            | Q(scope=Scope.WINDOW, hall__region__code__startswith=staff.region.code_prefix))
    if Role.HALL_ADMIN in codes and staff.hall_id:
        q |= Q(scope=Scope.WINDOW, hall_id=staff.hall_id, department__isnull=True)
    open_versions = (CommitmentVersion.objects.filter(status__in=[VersionStatus.DRAFT, VersionStatus.SUBMITTED])
                     .select_related("drafted_by"))
    return (_with_counts(Commitment.objects.filter(q))
            .select_related("current", "department", "window__hall", "hall")
            .prefetch_related(Prefetch("versions", queryset=open_versions, to_attr="open_versions"))
            .order_by("scope", "window__number"))


def version_for_staff(*, staff: Staff, version_id: int) -> CommitmentVersion:
    from .services import may_sign, may_supervise, may_write

    v = (CommitmentVersion.objects.select_related("commitment__department__region", "commitment__window__hall__region",
                                                  "commitment__hall", "drafted_by", "signed_by")
         .prefetch_related("clauses").filter(pk=version_id).first())
    if v is None:
        raise NotFound("承诺版本不存在", code="commitment_version_not_found")
    c = v.commitment
    if not (may_write(staff, c) or may_sign(staff, c) or may_supervise(staff, c)):
        raise PermissionDenied("无权查看该承诺版本", code="commitment_forbidden")
    return v


def windows_for_staff(staff: Staff):
    """Windows whose commitment the member of staff may start (their department's, or their hall's 综合窗口)."""
    from zhengwu.org.models import Window

    codes = staff.role_codes()
    q = Q(pk__in=[])
    if codes & {Role.CHIEF_REP, Role.DEPT_HEAD} and staff.department_id:
        q |= Q(department_id=staff.department_id, hall__region__code__startswith=staff.region.code_prefix)
    if Role.HALL_ADMIN in codes and staff.hall_id:
        q |= Q(hall_id=staff.hall_id, department__isnull=True)
    return Window.objects.filter(q).select_related("hall").order_by("hall__code", "number")


def breaches_for_supervisor(*, staff: Staff, status: str = "") -> QuerySet[Breach]:
    if not staff.has_role(Role.SUPERVISOR):
        raise PermissionDenied("违诺投诉仅限效能监察员查看", code="commitment_forbidden")
    prefix = staff.region.code_prefix
    qs = Breach.objects.filter(
        Q(commitment__scope=Scope.DEPARTMENT, commitment__department__region__code__startswith=prefix)
        | Q(commitment__scope=Scope.WINDOW, commitment__hall__region__code__startswith=prefix)
    ).select_related("commitment__department", "commitment__window__hall", "filed_by", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs


def breach_for_supervisor(*, staff: Staff, breach_id: int) -> Breach:
    b = breaches_for_supervisor(staff=staff).filter(pk=breach_id).first()
    if b is None:
        raise NotFound("违诺投诉不存在", code="commitment_breach_not_found")
    return b


def commitments_for_supervisor(staff: Staff) -> QuerySet[Commitment]:
    if not staff.has_role(Role.SUPERVISOR):
        raise PermissionDenied("仅限效能监察员", code="commitment_forbidden")
    prefix = staff.region.code_prefix
    return (Commitment.objects.filter(current__isnull=False)
            .filter(Q(scope=Scope.DEPARTMENT, department__region__code__startswith=prefix)
                    | Q(scope=Scope.WINDOW, hall__region__code__startswith=prefix))
            .select_related("department", "window__hall").order_by("scope", "department__code", "window__number"))
