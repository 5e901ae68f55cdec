"""The end of a case: 办结, 送达 and the applicant's 撤回."""

from __future__ import annotations

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.org.models import Staff, Window
from zhengwu.supervision.clocks import clocks_batch

from .. import clocks as case_clocks
from ..models import Case, ClockStop, Delivery, Status
from ..plan import plan_for
from ..transitions import TRANSITIONS
from .common import (
    _check_length,
    _check_state,
    _event,
    _log,
    _may_act_for_applicant,
    _officer_role,
    _tell_applicant,
    _update,
    case_tx,
    clean_text,
)


def case_complete(*, case: Case, officer: Staff, note: str = "", window: Window | None = None) -> Case:
    """办结."""
    t = TRANSITIONS["complete"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="办结说明")
    now = clock.now()
    with case_tx(case):
        with clocks_batch():  # the UPDATE, its event and the clocks' end: one statement
            _update(case, t, Status.COMPLETED, completed_at=now, completed_on=clock.today(), closed_at=now,
                    event=_event(case, t.action, Status.DECIDED, Status.COMPLETED, officer=officer, role=role,
                                 window=window, step=case.current_step, note=note))
            case_clocks.case_clocks_finish(case, reason=case_clocks.COMPLETED)
        _tell_applicant(case, "completed", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）已办结，"
                        f"请按约定方式领取办理结果，并对本次服务作出评价。")
    return case


def case_deliver(*, case: Case, officer: Staff, method: str, tracking_no: str = "",
                 window: Window | None = None) -> Case:
    """送达: picked up at the window, posted with a tracking number, or sent electronically."""
    t = TRANSITIONS["deliver"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    if method not in Delivery.values:
        raise DomainError("delivery_method", "送达方式应为窗口领取、邮寄送达或电子送达")
    tracking_no = _check_length((tracking_no or "").strip(), model=Case, name="tracking_no", field="tracking_no",
                                label="快递单号")
    if method == Delivery.POST and not tracking_no:
        raise DomainError("tracking_required", "邮寄送达须填写快递单号")
    with case_tx(case):
        _update(case, t, Status.DELIVERED, delivery_method=method, tracking_no=tracking_no,
                delivered_at=clock.now())
        _log(case, t.action, Status.COMPLETED, Status.DELIVERED, officer=officer, role=role, window=window,
               data={"method": method, "tracking_no": tracking_no})
    return case


def case_withdraw(*, case: Case, user=None, officer: Staff | None = None, reason: str = "") -> Case:
    """The applicant withdraws the application (撤回)."""
    t = TRANSITIONS["withdraw"]
    _check_state(case, t)
    role = _may_act_for_applicant(case, user=user, officer=officer)
    reason = clean_text(reason, field="reason", label="撤回原因")
    now = clock.now()
    frm = case.status
    with case_tx(case):
        _update(case, t, Status.WITHDRAWN, closed_at=now)
        ClockStop.objects.filter(case=case, end_on__isnull=True).update(end_on=clock.today(), result="申请人撤回")
        case_clocks.case_clocks_finish(case, reason=case_clocks.WITHDRAWN, counts=False)
        _log(case, t.action, frm, case.status, officer=officer, user=user, role=role, note=reason)
    return case
