"""效能告诫, praise, 超时默认 confirmation, and the accountability rules of essay 4 evaluated as data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from zhengwu.cases.models import Case
from zhengwu.cases.services import check_upload
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.core.services import audit_record
from zhengwu.org.models import Role, Staff, Window
from zhengwu.org.scope import staff_can_read_region

from ..clocks import clock_finish
from ..models import (
    AccountabilityFlag,
    AccountabilityRule,
    Admonition,
    Commendation,
    DeemedApproval,
    MonthlyScore,
    SupervisionPolicy,
)
from ..periods import add_months, cn_date, cn_month
from ..policy import accountability_rules, policy_get


def _require_supervisor(staff: Staff) -> None:
    if not staff.is_active or not staff.has_role(Role.SUPERVISOR):
        raise PermissionDenied("只有效能监察员可以进行此操作", code="not_supervisor")


def _require_in_region(actor: Staff, subject: Staff) -> None:
    if not staff_can_read_region(actor, subject.region):
        raise PermissionDenied("该工作人员不在您的监察范围内", code="out_of_scope")


def _lock() -> None:
    """Serialise numbering and rule evaluation on the policy row (a no-op lock on SQLite)."""
    policy_get()
    SupervisionPolicy.objects.select_for_update().get(pk=1)


def _head_of_department(department_id: int | None, region_code: str) -> Staff | None:
    if department_id is None:
        return None
    for head in Staff.objects.filter(is_active=True, department_id=department_id,
                                     roles__code=Role.DEPT_HEAD).select_related("region").order_by("employee_no"):
        if region_code.startswith(head.region.code_prefix):
            return head
    return None


# -- 效能告诫 ---------------------------------------------------------------------------------------------


def admonition_issue(*, supervisor: Staff, staff: Staff, reason: str, evidence: str, case: Case | None = None,
                     window: Window | None = None, evidence_file=None) -> Admonition:
    """Issue a 效能告诫 with its reason and the facts and evidence it rests on; runs the rules for that person."""
    _require_supervisor(supervisor)
    _require_in_region(supervisor, staff)
    if supervisor.pk == staff.pk:
        raise DomainError("self_admonition", "不能对本人作出效能告诫")
    reason, evidence = (reason or "").strip(), (evidence or "").strip()
    if not reason:
        raise DomainError("reason_required", "请写明告诫事由")
    if not evidence and not evidence_file:
        raise DomainError("evidence_required", "请写明事实与证据，或上传证据材料")
    if evidence_file:
        check_upload(evidence_file)  # the same types, content check and size limit as case materials
    if case is not None and not staff_can_read_region(supervisor, case.hall.region):
        raise PermissionDenied("该办件不在您的监察范围内", code="out_of_scope")
    if window is None:
        windows = list(staff.windows.all()[:2])
        window = windows[0] if len(windows) == 1 else None
    today = clock.today()
    with transaction.atomic():
        _lock()
        seq = Admonition.objects.filter(issued_on__year=today.year).count() + 1
        adm = Admonition.objects.create(
            doc_no=f"效告〔{today.year}〕{seq}号", staff=staff, department_id=staff.department_id, window=window,
            case=case, issued_on=today, issued_by=supervisor, reason=reason, evidence=evidence,
            evidence_file=evidence_file or "")
        audit_record(actor=supervisor.user, action="create", obj=adm,
                     summary=f"对{staff.name}作出效能告诫 {adm.doc_no}：{reason}")
        text = f"【效能告诫】{staff.name}：因{reason}，现对您作出效能告诫（{adm.doc_no}）。"
        head = _head_of_department(staff.department_id, staff.region.code)
        for to in dict.fromkeys([staff, head]):
            if to is not None:
                notify(Message(to_phone=to.phone, to_user_id=to.user_id, kind="admonition", text=text,
                               data={"doc_no": adm.doc_no}))
        _evaluate(today=today, staff_ids={staff.pk})
    return adm


def admonition_revoke(*, supervisor: Staff, admonition: Admonition, reason: str) -> Admonition:
    """Revoke a 告诫 found wrong on review; the flags resting on it are resolved with the reason."""
    _require_supervisor(supervisor)
    _require_in_region(supervisor, admonition.staff)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", "请写明撤销理由")
    today = clock.today()
    with transaction.atomic():
        n = Admonition.objects.filter(pk=admonition.pk, revoked_on__isnull=True).update(
            revoked_on=today, revoked_reason=reason[:200])
        if n != 1:
            raise DomainError("already_revoked", "该效能告诫已撤销", status=409)
        admonition.revoked_on, admonition.revoked_reason = today, reason[:200]
        for flag in AccountabilityFlag.objects.filter(staff_id=admonition.staff_id, resolved_on__isnull=True,
                                                      rule__kind=AccountabilityRule.Kind.ADMONITIONS):
            if admonition.pk in flag.evidence.get("admonitions", []):
                AccountabilityFlag.objects.filter(pk=flag.pk).update(
                    resolved_on=today, resolved_by=supervisor, resolution=f"所依据的{admonition.doc_no}已撤销")
        audit_record(actor=supervisor.user, action="update", obj=admonition,
                     summary=f"撤销效能告诫 {admonition.doc_no}：{reason}")
    return admonition


# -- praise and 超时默认 confirmation --------------------------------------------------------------------


def commendation_record(*, recorder: Staff, note: str, staff: Staff | None = None, window: Window | None = None,
                        on: dt.date | None = None, source: str = "表扬信") -> Commendation:
    """Record praise received from the public; counted in the month's assessment."""
    if not recorder.is_active or not recorder.has_role(Role.SUPERVISOR, Role.HALL_ADMIN):
        raise PermissionDenied("只有效能监察员或中心管理员可以登记表扬", code="not_supervisor")
    if staff is None and window is None:
        raise DomainError("subject_required", "请选择受表扬的工作人员或窗口")
    if staff is not None:
        _require_in_region(recorder, staff)
    if window is not None and not staff_can_read_region(recorder, window.hall.region):
        raise PermissionDenied("该窗口不在您的管理范围内", code="out_of_scope")
    note = (note or "").strip()
    if not note:
        raise DomainError("note_required", "请写明表扬事由")
    return Commendation.objects.create(staff=staff, window=window, on=on or clock.today(), source=source or "表扬信",
                                       note=note[:200], recorded_by=recorder)


def deemed_confirm(*, record: DeemedApproval, officer: Staff, note: str) -> DeemedApproval:
    """The late department states that it issued its approval document (within the reply period)."""
    if not officer.is_active or officer.department_id != record.department_id or not officer.has_role(
            Role.DEPT_HEAD, Role.CHIEF_REP):
        raise PermissionDenied("只有超时部门的负责人或首席代表可以确认", code="not_department_head")
    note = (note or "").strip()
    if not note:
        raise DomainError("note_required", "请填写批准文书文号或说明")
    today = clock.today()
    with transaction.atomic():
        n = DeemedApproval.objects.filter(pk=record.pk, status=DeemedApproval.Status.ISSUED).update(
            status=DeemedApproval.Status.CONFIRMED, confirmed_on=today, confirmed_by=officer,
            confirm_note=note[:200])
        if n != 1:
            raise DomainError("already_confirmed", "该超时默认通知单已确认", status=409)
        clock_finish(subject=("deemed", record.pk), reason="已出具批准文书")
    record.status, record.confirmed_on, record.confirmed_by, record.confirm_note = (
        DeemedApproval.Status.CONFIRMED, today, officer, note[:200])
    return record


def flag_resolve(*, supervisor: Staff, flag: AccountabilityFlag, resolution: str) -> AccountabilityFlag:
    """Record what was done about a flag (组织处理结果)."""
    _require_supervisor(supervisor)
    _require_in_region(supervisor, flag.staff)
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError("resolution_required", "请填写处理结果")
    today = clock.today()
    n = AccountabilityFlag.objects.filter(pk=flag.pk, resolved_on__isnull=True).update(
        resolved_on=today, resolved_by=supervisor, resolution=resolution[:200])
    if n != 1:
        raise DomainError("already_resolved", "该问责提示已处理", status=409)
    flag.resolved_on, flag.resolved_by, flag.resolution = today, supervisor, resolution[:200]
    return flag


# -- accountability rules ------------------------------------------------------------------------------


def accountability_evaluate(*, today: dt.date | None = None, staff_ids: set[int] | None = None) -> int:
    """Evaluate every active rule; flags each trigger once. Returns the number of new flags."""
    with transaction.atomic():
        _lock()
        return _evaluate(today=today or clock.today(), staff_ids=staff_ids)


def _evaluate(*, today: dt.date, staff_ids: set[int] | None) -> int:
    new = 0
    for rule in accountability_rules():
        if rule.kind == AccountabilityRule.Kind.ADMONITIONS:
            candidates = _admonition_triggers(rule, staff_ids)
        elif staff_ids is None:
            candidates = _ranking_triggers(rule)
        else:
            continue
        open_for = set(AccountabilityFlag.objects.filter(rule=rule, resolved_on__isnull=True)
                       .values_list("staff_id", flat=True))
        seen = set(AccountabilityFlag.objects.filter(rule=rule).values_list("staff_id", "key"))
        for staff_id, key, reason, evidence in candidates:
            if (staff_id, key) in seen or staff_id in open_for:
                continue
            AccountabilityFlag.objects.create(rule=rule, staff_id=staff_id, key=key, raised_on=today,
                                              reason=reason, evidence=evidence)
            open_for.add(staff_id)
            new += 1
    return new


def _admonition_triggers(rule: AccountabilityRule, staff_ids: set[int] | None):
    qs = Admonition.objects.filter(revoked_on__isnull=True).order_by("staff_id", "issued_on", "id")
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=staff_ids)
    if rule.roles:  # e.g. removal from a leading post: only those who hold one
        qs = qs.filter(staff__in=Staff.objects.filter(roles__code__in=rule.roles).values("pk"))
    by_staff: dict[int, list[Admonition]] = defaultdict(list)
    for adm in qs.only("id", "staff_id", "issued_on", "doc_no"):
        by_staff[adm.staff_id].append(adm)
    for staff_id, adms in by_staff.items():
        for i, adm in enumerate(adms):
            since = add_months(adm.issued_on, -rule.months)
            inside = [a for a in adms[: i + 1] if a.issued_on > since]
            if len(inside) >= rule.count:
                listed = "、".join(f"{a.doc_no}（{cn_date(a.issued_on)}）" for a in inside)
                reason = f"{rule.months}个月内受到{len(inside)}次效能告诫：{listed}"
                yield staff_id, f"adm:{adm.pk}", reason, {"admonitions": [a.pk for a in inside]}


def bottom_windows(scores: list[MonthlyScore], bottom: int) -> set[int]:
    """Windows among the last ``bottom`` places of one hall's month; nobody is last when all are equal."""
    if not scores:
        return set()
    top = max(s.score for s in scores)
    out = set()
    for s in scores:
        lower = sum(1 for o in scores if o.score < s.score)
        if s.score < top and lower < bottom:
            out.add(s.window_id)
    return out


def window_head(window: Window) -> Staff | None:
    """Who answers for a window: its department's 首席代表 in that hall, else the department head;
    a 综合窗口's head is the hall's 中心管理员."""
    qs = Staff.objects.filter(is_active=True).order_by("employee_no")
    if window.department_id is None:
        return qs.filter(hall_id=window.hall_id, roles__code=Role.HALL_ADMIN).first()
    chief = qs.filter(hall_id=window.hall_id, department_id=window.department_id, roles__code=Role.CHIEF_REP).first()
    return chief or _head_of_department(window.department_id, window.hall.region.code)


def _ranking_triggers(rule: AccountabilityRule):
    rows = list(MonthlyScore.objects.filter(kind=MonthlyScore.Kind.WINDOW)
                .select_related("window__hall__region", "window__department").order_by("month", "hall_id"))
    groups: dict[tuple, list[MonthlyScore]] = defaultdict(list)
    for s in rows:
        groups[(s.hall_id, s.month)].append(s)
    bottom_months: dict[int, list[dt.date]] = defaultdict(list)
    windows: dict[int, Window] = {}
    for (_hall, month), scores in sorted(groups.items(), key=lambda kv: kv[0][1]):
        for wid in bottom_windows(scores, rule.bottom):
            bottom_months[wid].append(month)
        for s in scores:
            windows[s.window_id] = s.window
    place = "末位" if rule.bottom == 1 else f"后{rule.bottom}名"
    for wid, months in bottom_months.items():
        run: list[dt.date] = []
        for month in months:
            run = [*run, month] if run and add_months(run[-1], 1) == month else [month]
            if len(run) >= rule.count:
                window = windows[wid]
                head = window_head(window)
                if head is None:
                    continue
                listed = "、".join(cn_month(m) for m in run[-rule.count:])
                reason = (f"{window.hall.name}{window.number}号窗口（{window.name}）{listed}"
                          f"连续{rule.count}个月在窗口月考核中排名{place}，{head.name}为窗口负责人")
                yield head.pk, f"rank:{wid}:{month:%Y-%m}", reason, {
                    "window": wid, "months": [f"{m:%Y-%m}" for m in run[-rule.count:]]}
