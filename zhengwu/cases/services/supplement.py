"""补正: the one complete notice of what is missing (一次性告知), what the applicant hands in, and
the officer's record of each listed item."""

from __future__ import annotations

import datetime as dt

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.uploads import original_name
from zhengwu.org.models import Staff, Window

from .. import clocks as case_clocks
from ..models import Case, CaseMaterial, ClockStop, Status, SupplementItem, SupplementRequest
from ..plan import Plan, plan_for
from ..selectors import supplement_open
from ..transitions import TRANSITIONS, Transition
from .common import (
    _check_length,
    _check_state,
    _closed_stops,
    _deadline,
    _log,
    _may_act_for_applicant,
    _officer_role,
    _tell_applicant,
    _update,
    case_tx,
    check_upload,
    clean_text,
)

MISSING_MAX_ITEMS = 50  # one 补正告知 lists at most this many items


def _supplement_list(plan: Plan, *, missing, material_ids) -> list[tuple[str, int | None]]:
    """(name, catalog material id or None) of each item to list, in order, without repeats.

    Materials named by id come first; a typed name equal to a material of the item's list is that
    material (the page pre-fills the names of the missing ones); anything else is free text.
    """
    by_name: dict[str, int] = {}
    for mid, name in plan.materials.items():
        by_name.setdefault(name, mid)
    out: list[tuple[str, int | None]] = []
    names: set[str] = set()
    for mid in material_ids or ():
        if mid not in plan.materials:
            raise DomainError("unknown_material", "需补正的材料不属于该事项的材料清单")
        if plan.materials[mid] not in names:
            names.add(plan.materials[mid])
            out.append((plan.materials[mid], mid))
    for raw in missing or ():
        name = (raw or "").strip()
        if not name or name in names:
            continue
        _check_length(name, model=SupplementItem, name="name", field="missing", label="需补正材料名称")
        names.add(name)
        out.append((name, by_name.get(name)))
    if len(out) > MISSING_MAX_ITEMS:
        message = f"一次补正告知最多列明{MISSING_MAX_ITEMS}项材料"
        raise DomainError("missing_too_many", message, status=422,
                          details=[{"field": "missing", "in": "body", "type": "too_long", "message": message}])
    return out


def case_request_supplement(*, case: Case, officer: Staff, missing: list[str] = (), material_ids=(),
                            note: str = "", window: Window | None = None) -> Case:
    """补正: tell the applicant once and completely what is missing (一次性告知).

    ``material_ids`` name materials of the item's list; ``missing`` adds names (a name equal to a
    listed material is that material; others are free text an officer will confirm). Before
    acceptance the application waits; during review the clock stops until the 补正 is complete.
    """
    t = TRANSITIONS["request_supplement"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="补正要求")
    items = _supplement_list(plan, missing=missing, material_ids=material_ids)
    if not items:
        raise DomainError("missing_empty", "请一次性列明需要补正的全部材料")
    names = [name for name, _ in items]
    today = clock.today()
    during_review = case.status == Status.IN_REVIEW
    frm = case.status
    with case_tx(case):
        _update(case, t, Status.SUPPLEMENT, first_officer_id=case.first_officer_id or officer.pk)
        request = SupplementRequest.objects.create(case=case, requested_on=today, requested_by=officer,
                                                   during_review=during_review, missing=names, note=note)
        SupplementItem.objects.bulk_create([SupplementItem(request=request, seq=i, name=name, material_id=mid)
                                            for i, (name, mid) in enumerate(items, start=1)])
        if during_review:
            ClockStop.objects.create(case=case, kind="supplement", reason="审查中要求补正：" + "、".join(names),
                                     start_on=today, started_by=officer)
            case_clocks.case_clocks_stop(case, today=today)
        _log(case, t.action, frm, case.status, officer=officer, role=role, window=window, step=case.current_step,
               note=note, data={"missing": names})
        _tell_applicant(case, "supplement", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）需要补正材料："
                        f"{'、'.join(names)}。请一次性补齐后提交，可登录门户上传或到窗口递交。")
    return case


def _supplement_complete(case: Case, t: Transition, plan: Plan, request: SupplementRequest | None, *,
                         today: dt.date) -> dict:
    """Inside the action's transaction: the last listed item is in. The case goes back to 待受理, or
    to 审查中 with its clock running again and its due date moved by the days it stood still."""
    during_review = bool(request and request.during_review)
    changes: dict = {}
    if during_review:
        ClockStop.objects.filter(case=case, kind="supplement", end_on__isnull=True).update(end_on=today)
        stops = _closed_stops(case)
        deadline = _deadline(case, plan, start=case.accepted_on, extension_days=case.extension_days, stops=stops)
        changes = {"due_date": deadline.due, "due_provisional": deadline.provisional}
    _update(case, t, Status.IN_REVIEW if during_review else Status.PENDING, **changes)
    if during_review:
        case_clocks.case_clocks_resume(case, plan, stops=stops)
    if request is not None:
        SupplementRequest.objects.filter(pk=request.pk).update(received_on=today)
    return changes


def _mark_received(items: list[SupplementItem], *, today: dt.date, officer: Staff | None = None,
                   state: str = SupplementItem.State.RECEIVED, note: str = "") -> None:
    if items:
        SupplementItem.objects.filter(pk__in=[i.pk for i in items], state=SupplementItem.State.PENDING).update(
            state=state, resolved_on=today, resolved_by=officer, note=note)


def _tell_remaining(case: Case, plan: Plan, received: list[str], remaining: list[str]) -> None:
    got = f"已收到补正材料：{'、'.join(received)}。" if received else ""
    _tell_applicant(case, "supplement_partial", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）{got}"
                    f"尚需补正：{'、'.join(remaining)}，全部补齐后继续办理。")


def case_supplement(*, case: Case, user=None, officer: Staff | None = None, files=(), paper_materials=(),
                    note: str = "") -> Case:
    """The applicant (or the window or agent for them) hands in what was missing.

    A file or paper original of a listed catalog material marks that item received. The 补正 is
    complete, and the clock restarts from that day, only when no listed item is pending; until
    then the case stays 待补正 and the applicant is told what is still missing. Free-text items
    are confirmed by an officer (``case_supplement_item``).
    """
    t = TRANSITIONS["supplement"]
    _check_state(case, t)
    role = _may_act_for_applicant(case, user=user, officer=officer)
    if paper_materials and officer is None:
        raise PermissionDenied("纸质材料须由窗口或代办员核收后登记，申请人请上传材料文件", code="paper_by_staff")
    plan = plan_for(case.item_version_id)
    note = clean_text(note, field="note", label="补正说明")
    uploads = []
    for material_id, upload in files:
        if material_id is not None and material_id not in plan.materials:
            raise DomainError("unknown_material", "上传的材料不属于该事项的材料清单")
        check_upload(upload)
        uploads.append((material_id, upload))
    paper = [m for m in paper_materials if m in plan.materials]
    if not uploads and not paper and not note:
        raise DomainError("supplement_empty", "请上传补正材料或填写补正说明")
    today = clock.today()
    frm = case.status
    request = supplement_open(case)
    pending = [i for i in (request.items.all() if request else []) if i.state == SupplementItem.State.PENDING]
    arrived = {m for m, _ in uploads if m is not None} | set(paper)
    received = [i for i in pending if i.material_id in arrived]
    remaining = [i.name for i in pending if i not in received]
    uploader = user if user is not None else (officer.user if officer else None)
    with case_tx(case):
        changes = {}
        if remaining:
            _update(case, t, Status.SUPPLEMENT)
        else:
            changes = _supplement_complete(case, t, plan, request, today=today)
        _mark_received(received, today=today)
        for material_id, upload in uploads:
            CaseMaterial.objects.create(case=case, material_id=material_id,
                                        name=plan.materials.get(material_id, upload.name), file=upload,
                                        file_name=original_name(upload),
                                        size=upload.size, uploaded_by=uploader)
        CaseMaterial.objects.bulk_create(
            [CaseMaterial(case=case, material_id=m, name=plan.materials[m], paper_received=True,
                          uploaded_by=uploader) for m in paper]
        )
        _log(case, t.action, frm, case.status, officer=officer, user=user, role=role, note=note,
             data={"files": [u.name for _, u in uploads], "received": [i.name for i in received],
                   "remaining": remaining,
                   **({"due_date": changes["due_date"].isoformat()} if changes else {})})
        if remaining:
            _tell_remaining(case, plan, [i.name for i in received], remaining)
    return case


def case_supplement_item(*, case: Case, officer: Staff, item_id: int, state: str, note: str = "",
                         window: Window | None = None) -> Case:
    """An officer records that one listed item has come in (已收到: a paper original, or a free-text
    item no catalog material stands for) or is no longer needed (不再需要). When it was the last
    pending item the 补正 is complete and the clock restarts."""
    t = TRANSITIONS["supplement_item"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    if state not in (SupplementItem.State.RECEIVED, SupplementItem.State.WAIVED):
        raise DomainError("item_state", "请选择“已收到”或“不再需要”")
    note = _check_length((note or "").strip(), model=SupplementItem, name="note", field="note", label="说明")
    request = supplement_open(case)
    items = list(request.items.all()) if request else []
    item = next((i for i in items if i.pk == item_id), None)
    if item is None:
        raise NotFound("该办件当前的补正告知中没有这项材料", code="supplement_item")
    if item.state != SupplementItem.State.PENDING:
        raise DomainError("item_resolved", f"“{item.name}”已登记为{item.get_state_display()}", status=409)
    remaining = [i.name for i in items if i.state == SupplementItem.State.PENDING and i.pk != item.pk]
    today = clock.today()
    frm = case.status
    with case_tx(case):
        changes = {}
        if remaining:
            _update(case, t, Status.SUPPLEMENT)
        else:
            changes = _supplement_complete(case, t, plan, request, today=today)
        _mark_received([item], today=today, officer=officer, state=state, note=note)
        if state == SupplementItem.State.RECEIVED and item.material_id is not None:
            CaseMaterial.objects.create(case=case, material_id=item.material_id, name=item.name,
                                        paper_received=True, uploaded_by_id=officer.user_id)
        _log(case, t.action, frm, case.status, officer=officer, role=role, window=window, step=case.current_step,
             note=note, data={"item": item.name, "state": state, "remaining": remaining,
                              **({"due_date": changes["due_date"].isoformat()} if changes else {})})
    return case
