"""One function per case action (办件), each a single transaction.

Shape of every action: check in memory (state from the transition table, the actor's scope
and role, the input) → one guarded UPDATE of the case row (``WHERE id = … AND row_version = …``,
so of two officers acting at once exactly one wins) → the rows the action adds → one event row.
Deadlines are computed in memory by the working-day engine. The guarded UPDATE replaces a
``SELECT … FOR UPDATE`` round trip: it is the lock, the state check and the write at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock, fastsql
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.core.uploads import check_upload as core_check_upload
from zhengwu.core.validators import validate_id_number, validate_phone, validate_uscc
from zhengwu.org.models import Hall, Role, Staff, Window
from zhengwu.org.scope import agent_can_submit_at, staff_can_act_at
from zhengwu.workdays import engine

from . import clocks as case_clocks
from .models import (
    ApplicantKind,
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    ClockStop,
    Decision,
    Delivery,
    Extension,
    FeeLine,
    PolicySetting,
    Status,
    SupplementItem,
    SupplementRequest,
)
from .plan import ONLINE_APPLY_MIN_DEPTH, Plan, plan_for
from .selectors import supplement_open
from .transitions import APPLICANT, TRANSITIONS, Transition

# -- policy -------------------------------------------------------------------------------------

# Free text (notes, reasons, results) is capped by policy between these bounds: the API schemas
# carry the ceiling, the services the policy's figure. Text up to the floor needs no look-up.
TEXT_MAX_FLOOR, TEXT_MAX_CEILING = 200, 10_000

POLICY_DEFAULTS = {
    "upload_types": ("pdf,jpg,jpeg,png,ofd,doc,docx,xls,xlsx", "允许上传的材料文件类型"),
    "text_max_chars": ("2000", f"说明、理由、意见等自由文字的最大字数（{TEXT_MAX_FLOOR}至{TEXT_MAX_CEILING}）"),
}


def policy(key: str) -> str:
    row = PolicySetting.objects.filter(key=key).values_list("value", flat=True).first()
    return row if row is not None else POLICY_DEFAULTS[key][0]


def text_max() -> int:
    """The most characters a note or reason may have (policy ``text_max_chars``, within the bounds)."""
    try:
        n = int(policy("text_max_chars"))
    except ValueError:
        n = int(POLICY_DEFAULTS["text_max_chars"][0])
    return max(TEXT_MAX_FLOOR, min(n, TEXT_MAX_CEILING))


def too_long(code: str, *, field: str, message: str) -> DomainError:
    """A 422 naming the field, in the shape the API gives every refused input (``details[].field``)."""
    return DomainError(code, message, status=422,
                       details=[{"field": field, "in": "body", "type": "string_too_long", "message": message}])


def clean_text(value, *, field: str, label: str) -> str:
    """Free text stripped, refused (422, naming the field) when longer than the policy allows."""
    text = (value or "").strip()
    if len(text) > TEXT_MAX_FLOOR and len(text) > (limit := text_max()):
        raise too_long("text_too_long", field=field, message=f"{label}不能超过{limit}个字（现为{len(text)}个字）")
    return text


def _check_length(value: str, *, model, name: str, field: str, label: str) -> str:
    """A value bound for a CharField, refused (422, naming the field) when longer than the column."""
    limit = model._meta.get_field(name).max_length
    if len(value) > limit:
        raise too_long("too_long", field=field, message=f"{label}不能超过{limit}个字（现为{len(value)}个字）")
    return value


# -- input checks ---------------------------------------------------------------------------------

def check_upload(upload) -> None:
    """Refuse a file of a type the policy does not allow (``upload_types``), too large, empty, or that
    does not open as its type with a real parser (``zhengwu.core.uploads``)."""
    allowed = [t.strip() for t in policy("upload_types").split(",") if t.strip()]
    core_check_upload(upload, allowed_types=allowed, max_bytes=settings.ZHENGWU_MAX_UPLOAD_BYTES)


@dataclass
class Applicant:
    kind: str
    name: str
    phone: str
    id_number: str = ""
    uscc: str = ""
    legal_rep: str = ""
    address: str = ""


def clean_applicant(a: Applicant) -> Applicant:
    """Validate an applicant (GB 11643 ID, GB 32100 credit code, phone); return the normalised copy."""
    if a.kind not in ApplicantKind.values:
        raise DomainError("applicant_kind", "申请人类型应为自然人或法人")
    name = (a.name or "").strip()
    if not name:
        raise DomainError("applicant_name", "请填写申请人姓名或单位名称")
    _check_length(name, model=Case, name="applicant_name", field="name", label="申请人姓名或单位名称")
    phone = validate_phone(a.phone)
    id_number, uscc, legal_rep = "", "", (a.legal_rep or "").strip()
    _check_length(legal_rep, model=Case, name="legal_rep", field="legal_rep", label="法定代表人")
    address = _check_length((a.address or "").strip(), model=Case, name="address", field="address", label="联系地址")
    if a.kind == ApplicantKind.PERSON:
        id_number = validate_id_number(a.id_number)
    else:
        uscc = validate_uscc(a.uscc)
        if not legal_rep:
            raise DomainError("legal_rep", "法人申请请填写法定代表人")
        if a.id_number:
            id_number = validate_id_number(a.id_number)
    return Applicant(a.kind, name, phone, id_number, uscc, legal_rep, address)


# -- helpers ------------------------------------------------------------------------------------------


def _next_case_no(hall: Hall, day: dt.date) -> str:
    """Hall code + date + a per-hall daily sequence, from one atomic upsert (race-free on PostgreSQL)."""
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cases_casecounter (hall_id, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (hall_id, day) DO UPDATE SET last = cases_casecounter.last + 1 RETURNING last",
            [hall.pk, day],
        )
        seq = cur.fetchone()[0]
    return f"{hall.code}-{day:%Y%m%d}-{seq:05d}"


def _officer_role(officer: Staff, t: Transition, case: Case, plan: Plan) -> str:
    """The role in which ``officer`` may do ``t`` on ``case``; raises when none."""
    if not staff_can_act_at(officer, department_id=case.department_id, hall=case.hall):
        raise PermissionDenied("该办件不属于您所在部门或大厅，您无权办理", code="out_of_scope")
    codes = officer.role_codes()
    if t.step_role:
        step = plan.step(case.current_step)
        if step.role in codes:
            return step.role
        label = dict(Role.DEFAULTS).get(step.role, step.role)
        raise PermissionDenied(f"当前环节“{step.name}”应由{label}办理", code="wrong_role")
    for role in t.roles:
        if role in codes:
            return role
    if Role.HALL_ADMIN in codes and Role.DEPT_HEAD not in t.roles:
        return Role.HALL_ADMIN
    names = "、".join(dict(Role.DEFAULTS)[r] for r in sorted(t.roles))
    raise PermissionDenied(f"“{t.label}”应由{names}办理", code="wrong_role")


def _check_state(case: Case, t: Transition) -> None:
    if case.status not in t.sources:
        raise DomainError("bad_state", f"办件当前状态为“{Status(case.status).label}”，不能{t.label}", status=409)


def _update(case: Case, t: Transition, target: str, **changes) -> None:
    """The guarded UPDATE: applies only if nobody changed the case since it was read."""
    n = fastsql.update_guarded(Case, pk=case.pk, version=case.row_version, values={"status": target, **changes})
    if n != 1:
        fresh = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        if fresh is not None and fresh not in t.sources:
            raise DomainError("bad_state", f"办件当前状态为“{Status(fresh).label}”，不能{t.label}", status=409)
        raise DomainError("conflict", "办件刚刚被其他人更新，请刷新后重试", status=409)
    case.status = target
    case.row_version += 1
    for k, v in changes.items():
        setattr(case, k, v)


def _event(case, action, from_status, to_status, *, officer=None, user=None, role="", window=None,
           step=0, note="", data=None) -> CaseEvent:
    return CaseEvent(
        case_id=case.pk, action=action, from_status=from_status, to_status=to_status,
        actor_id=officer.user_id if officer else (user.pk if user is not None else None),
        actor_name=officer.name if officer else (getattr(user, "display_name", "") if user else ""),
        role=role, window=window, step=step, note=note, data=data or {},
    )


def _log(case, action, from_status, to_status, **kw) -> None:
    """Write the action's event row (append-only, so without the ORM's per-call compilation)."""
    fastsql.insert([_event(case, action, from_status, to_status, **kw)])


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _tell_applicant(case: Case, kind: str, text: str) -> None:
    """An SMS (or in-app message) to the applicant, sent when the surrounding transaction commits."""
    if not case.contact_phone:
        return
    notify(Message(to_phone=case.contact_phone, to_user_id=case.applicant_user_id, kind=f"case_{kind}",
                   text=f"【{settings.ZHENGWU_SITE_NAME}】{text}", data={"case_no": case.case_no}))


def _region(case: Case):
    return case.hall.region


def _deadline(case: Case, plan: Plan, *, start: dt.date, extension_days: int, stops) -> engine.Deadline:
    n = plan.promised_limit + extension_days
    cal = engine.calendar_for(_region(case))
    if plan.calendar_days:
        return cal.due_calendar_days(start, n, stops)
    return cal.due(start, n, stops)


def _closed_stops(case: Case) -> list[tuple[dt.date, dt.date]]:
    return list(ClockStop.objects.filter(case=case, end_on__isnull=False).values_list("start_on", "end_on"))


# -- submit ----------------------------------------------------------------------------------------------


def _handling_hall(item: Item, plan: Plan, station: Hall) -> Hall:
    """The hall that handles a case taken in at a village station: the nearest tier that handles the item."""
    region = station.region.parent
    while region is not None:
        kind = Hall.Kind.TOWN_CENTER if region.level == "town" else Hall.Kind.CENTER
        tier = "town" if region.level == "town" else "county"
        if tier in plan.handling_tiers or (tier == "county" and not plan.handling_tiers):
            hall = Hall.objects.filter(region=region, kind=kind, is_active=True).select_related("region").first()
            if hall is not None:
                return hall
        region = region.parent
    raise DomainError("no_hall", "未找到受理该事项的服务大厅")


def default_hall(item: Item) -> Hall:
    """Where an online application goes: the county center of the item's department."""
    hall = (Hall.objects.filter(kind=Hall.Kind.CENTER, is_active=True,
                                region__code__startswith=item.department.region.code_prefix)
            .select_related("region").first())
    if hall is None:
        hall = Hall.objects.filter(kind=Hall.Kind.CENTER, is_active=True).select_related("region").first()
    if hall is None:
        raise DomainError("no_hall", "未找到受理该事项的服务大厅")
    return hall


def case_submit(*, item: Item, applicant: Applicant, channel: str, hall: Hall | None = None, user=None,
                officer: Staff | None = None, agent: Staff | None = None, files=(), window: Window | None = None,
                note: str = "") -> Case:
    """Submit an application (申请): online by the applicant, at a window by an officer, or by a village agent."""
    t = TRANSITIONS["submit"]
    if item.current_id is None or item.status != ItemVersion.Status.ACTIVE:
        raise DomainError("item_unavailable", f"事项“{item.name}”当前不可申请（已暂停或取消）")
    version = item.current
    plan = plan_for(version)
    a = clean_applicant(applicant)
    if channel == Channel.ONLINE:
        if plan.online_depth < ONLINE_APPLY_MIN_DEPTH:
            raise DomainError("not_online", f"事项“{item.name}”暂不支持网上申请，请携带材料到窗口办理（可先网上预约）")
        hall = hall or default_hall(item)
        status = Status.SUBMITTED
    elif channel == Channel.WINDOW:
        if officer is None or officer.hall is None:
            raise PermissionDenied("窗口申请须由大厅窗口人员录入")
        hall = officer.hall
        if not staff_can_act_at(officer, department_id=item.department_id, hall=hall):
            raise PermissionDenied("该事项不属于您所在部门或大厅，您无权受理", code="out_of_scope")
        status = Status.PENDING
    elif channel == Channel.AGENT:
        if agent is None or agent.hall is None or not agent_can_submit_at(agent, agent.hall):
            raise PermissionDenied("只有便民服务站的代办员可以代办申请", code="not_agent")
        if not plan.village_intake:
            raise DomainError("no_village_intake", f"事项“{item.name}”不能在村便民服务站代办")
        hall = _handling_hall(item, plan, agent.hall)
        status = Status.PENDING
    else:
        raise DomainError("channel", "申请渠道应为网上申请、窗口申请或代办员代办")
    if plan.handling_tiers and hall.tier not in plan.handling_tiers and channel != Channel.AGENT:
        raise DomainError("wrong_tier", f"事项“{item.name}”不在{hall.name}受理")
    note = clean_text(note, field="note", label="申请说明")
    uploads = []
    for material_id, upload in files:
        if material_id is not None and material_id not in plan.materials:
            raise DomainError("unknown_material", "上传的材料不属于该事项的材料清单")
        check_upload(upload)
        uploads.append((material_id, upload))

    today = clock.today()
    with transaction.atomic():
        case = Case.objects.create(
            case_no=_next_case_no(hall, today), item=item, item_version=version, department_id=item.department_id,
            hall=hall, channel=channel, status=status, applicant_kind=a.kind, applicant_name=a.name,
            id_number=a.id_number, uscc=a.uscc, legal_rep=a.legal_rep, contact_phone=a.phone, address=a.address,
            applicant_user=user if (user is not None and channel == Channel.ONLINE) else None,
            agent=agent if channel == Channel.AGENT else None,
            agent_station=agent.hall if channel == Channel.AGENT else None,
            first_officer=officer if channel == Channel.WINDOW else None,
            promised_days=plan.promised_limit,
        )
        for material_id, upload in uploads:
            CaseMaterial.objects.create(case=case, material_id=material_id,
                                        name=plan.materials.get(material_id, upload.name), file=upload,
                                        size=upload.size, uploaded_by=user if user is not None else None)
        actor_user = user if officer is None and agent is None else None
        _log(case, t.action, "", status, officer=officer or agent, user=actor_user,
               role=Role.WINDOW_OFFICER if officer else (Role.VILLAGE_AGENT if agent else "applicant"),
               window=window, note=note, data={"channel": channel})
    return case


# -- officer actions --------------------------------------------------------------------------------------


def case_prereview(*, case: Case, officer: Staff, window: Window | None = None, note: str = "") -> Case:
    """预审 of an online application: the materials look complete, it may be accepted."""
    t = TRANSITIONS["prereview"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="预审意见")
    frm = case.status
    with transaction.atomic():
        _update(case, t, Status.PENDING, first_officer_id=case.first_officer_id or officer.pk)
        _log(case, t.action, frm, case.status, officer=officer, role=role, window=window, note=note)
    return case


def case_accept(*, case: Case, officer: Staff, paper_materials=(), window: Window | None = None,
                note: str = "") -> Case:
    """受理: fixes the due date from the item's promised limit; a 即办件 is decided and finished at once."""
    t = TRANSITIONS["accept"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="受理意见")
    paper = [m for m in paper_materials if m in plan.materials]
    have: set[int] = set()
    if plan.required or paper:  # an item with no required material and nothing on paper skips the query
        have = set(CaseMaterial.objects.filter(case=case, material__isnull=False)
                   .values_list("material_id", flat=True))
    missing = [name for mid, name in plan.required.items() if mid not in have and mid not in paper]
    if missing:
        raise DomainError("materials_missing", f"缺少必要材料：{'、'.join(missing)}。请一次性告知申请人补正后再受理",
                          details={"missing": missing})
    now = clock.now()
    today = clock.today()
    deadline = _deadline(case, plan, start=today, extension_days=0, stops=[])
    frm = case.status
    first = case.first_officer_id or officer.pk
    with transaction.atomic():
        if plan.immediate:
            _update(case, t, Status.COMPLETED, accepted_by_id=officer.pk, accepted_window=window, accepted_on=today,
                    due_date=today, due_provisional=deadline.provisional, current_step=plan.last_seq,
                    decision=Decision.APPROVE, decided_at=now, completed_at=now, completed_on=today, closed_at=now,
                    first_officer_id=first)
            events = [
                _event(case, "accept", frm, Status.IN_REVIEW, officer=officer, role=role, window=window, step=1,
                       note=note, data={"due_date": today.isoformat(), "immediate": True}),
                _event(case, "decide", Status.IN_REVIEW, Status.DECIDED, officer=officer, role=role, window=window,
                       step=plan.last_seq, data={"decision": Decision.APPROVE}),
                _event(case, "complete", Status.DECIDED, Status.COMPLETED, officer=officer, role=role,
                       window=window, step=plan.last_seq, note="即办件当场办结"),
            ]
            _tell_applicant(case, "completed", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）已当场办结。")
        else:
            _update(case, t, Status.IN_REVIEW, accepted_by_id=officer.pk, accepted_window=window, accepted_on=today,
                    due_date=deadline.due, due_provisional=deadline.provisional,
                    current_step=min(2, plan.last_seq), first_officer_id=first)
            events = [_event(case, t.action, frm, case.status, officer=officer, role=role, window=window, step=1,
                             note=note, data={"due_date": deadline.due.isoformat(),
                                              "provisional": deadline.provisional})]
            _tell_applicant(case, "accepted", f"您申请的“{plan.item_name}”已受理，办件编号{case.case_no}，"
                            f"承诺于{_cn(deadline.due)}{'（暂定）' if deadline.provisional else ''}前办结。")
        case_clocks.case_clocks_accept(case, plan, today=today)
        if paper:
            CaseMaterial.objects.bulk_create(
                [CaseMaterial(case=case, material_id=m, name=plan.materials[m], paper_received=True,
                              uploaded_by_id=officer.user_id) for m in paper if m not in have]
            )
        if plan.fees:
            FeeLine.objects.bulk_create(
                [FeeLine(case=case, fee_id=f.fee_id, name=f.name, amount=f.amount) for f in plan.fees]
            )
        fastsql.insert(events)
    return case


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
    with transaction.atomic():
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


def _may_act_for_applicant(case: Case, *, user=None, officer: Staff | None = None) -> str:
    if officer is not None:
        if case.agent_id and officer.pk == case.agent_id:
            return Role.VILLAGE_AGENT
        if staff_can_act_at(officer, department_id=case.department_id, hall=case.hall):
            return Role.WINDOW_OFFICER
    if user is not None and case.applicant_user_id and user.pk == case.applicant_user_id:
        return APPLICANT
    raise PermissionDenied("只有申请人本人、代办员或受理窗口可以为该办件操作")


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
    with transaction.atomic():
        changes = {}
        if remaining:
            _update(case, t, Status.SUPPLEMENT)
        else:
            changes = _supplement_complete(case, t, plan, request, today=today)
        _mark_received(received, today=today)
        for material_id, upload in uploads:
            CaseMaterial.objects.create(case=case, material_id=material_id,
                                        name=plan.materials.get(material_id, upload.name), file=upload,
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
    with transaction.atomic():
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


def case_reject(*, case: Case, officer: Staff, reason: str, window: Window | None = None) -> Case:
    """不予受理, with the legal reason (written into the 不予受理决定书)."""
    t = TRANSITIONS["reject"]
    _check_state(case, t)
    if case.accepted_on is not None:
        raise DomainError("already_accepted", "办件已受理，不能再作不予受理；请在决定环节作出不予许可决定", status=409)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    reason = clean_text(reason, field="reason", label="不予受理理由")
    if not reason:
        raise DomainError("reason_required", "不予受理必须说明理由和法律依据")
    now = clock.now()
    frm = case.status
    with transaction.atomic():
        _update(case, t, Status.REJECTED, rejection_reason=reason, closed_at=now,
                first_officer_id=case.first_officer_id or officer.pk)
        _log(case, t.action, frm, case.status, officer=officer, role=role, window=window, note=reason)
        _tell_applicant(case, "rejected", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）不予受理，"
                        f"理由：{reason}。可凭办件编号领取不予受理决定书。")
    return case


def case_review(*, case: Case, officer: Staff, note: str = "", window: Window | None = None) -> Case:
    """Pass the current review step (承办 → 审核 → …) on to the next one."""
    t = TRANSITIONS["review"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    if case.current_step >= plan.last_seq:
        raise DomainError("decision_step", f"当前环节“{plan.step(case.current_step).name}”为决定环节，请作出决定",
                          status=409)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="审查意见")
    step = case.current_step
    with transaction.atomic():
        _update(case, t, Status.IN_REVIEW, current_step=step + 1)
        case_clocks.case_clocks_next_step(case, plan, passed=step, today=clock.today())
        _log(case, t.action, Status.IN_REVIEW, Status.IN_REVIEW, officer=officer, role=role, window=window,
               step=step, note=note, data={"step": plan.step(step).name})
    return case


def case_suspend(*, case: Case, officer: Staff, kind: str, reason: str, window: Window | None = None) -> Case:
    """Start a 特别程序 (听证、检验、检测、检疫、鉴定、专家评审、现场踏勘…): the clock stops."""
    t = TRANSITIONS["suspend"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    from zhengwu.catalog.models import SpecialProcedure

    if kind not in SpecialProcedure.values:
        raise DomainError("procedure_kind", "特别程序应为听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审或现场踏勘")
    if kind not in plan.special_procedures:
        raise DomainError("procedure_not_allowed",
                          f"该事项的实施清单未设定“{SpecialProcedure(kind).label}”特别程序，不能中止计时")
    reason = clean_text(reason, field="reason", label="特别程序原因")
    if not reason:
        raise DomainError("reason_required", "启动特别程序须写明原因（将书面告知申请人）")
    today = clock.today()
    with transaction.atomic():
        _update(case, t, Status.SUSPENDED)
        stop = ClockStop.objects.create(case=case, kind=kind, reason=reason, start_on=today, started_by=officer)
        case_clocks.case_clocks_stop(case, today=today)
        _log(case, t.action, Status.IN_REVIEW, Status.SUSPENDED, officer=officer, role=role, window=window,
               step=case.current_step, note=reason, data={"kind": kind, "stop_id": stop.pk})
        _tell_applicant(case, "special", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）需进行"
                        f"{SpecialProcedure(kind).label}（{reason}），所需时间不计入办理期限，结束后办结期限相应顺延。")
    return case


def case_resume(*, case: Case, officer: Staff, result: str, window: Window | None = None) -> Case:
    """End the 特别程序 with its result; the clock runs again and the due date moves."""
    t = TRANSITIONS["resume"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    result = clean_text(result, field="result", label="特别程序结果")
    if not result:
        raise DomainError("result_required", "请填写特别程序的结果")
    today = clock.today()
    with transaction.atomic():
        ClockStop.objects.filter(case=case, end_on__isnull=True).exclude(kind="supplement").update(
            end_on=today, result=result)
        stops = _closed_stops(case)
        deadline = _deadline(case, plan, start=case.accepted_on, extension_days=case.extension_days, stops=stops)
        _update(case, t, Status.IN_REVIEW, due_date=deadline.due, due_provisional=deadline.provisional)
        case_clocks.case_clocks_resume(case, plan, stops=stops)
        _log(case, t.action, Status.SUSPENDED, Status.IN_REVIEW, officer=officer, role=role, window=window,
               step=case.current_step, note=result, data={"due_date": deadline.due.isoformat()})
    return case


def case_extend(*, case: Case, head: Staff, reason: str, days: int | None = None) -> Case:
    """延期 (行政许可法第四十二条), approved by the 部门负责人 with the reason told to the applicant.

    Decided before the period runs out (a case past its due date is late, not extended), once, and
    by no more than the item version allows (``ItemVersion.extension_limit``: 10 working days on the
    20-day rule unless the catalog names another law's figure). ``days`` defaults to that limit.
    """
    t = TRANSITIONS["extend"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(head, t, case, plan)
    reason = clean_text(reason, field="reason", label="延期理由")
    if not reason:
        raise DomainError("reason_required", "延期须写明理由，并告知申请人")
    if Extension.objects.filter(case=case).exists():
        raise DomainError("already_extended", "该办件已延期，不能再次延期", status=409)
    today = clock.today()
    # While a 特别程序 stops the clock the period cannot run out: what counts is the day it stopped.
    running_on = today
    if case.status == Status.SUSPENDED:
        running_on = (ClockStop.objects.filter(case=case, end_on__isnull=True).order_by("start_on")
                      .values_list("start_on", flat=True).first()) or today
    if case.due_date is not None and running_on > case.due_date:
        raise DomainError("deadline_passed", "办结期限已届满，不能延期", status=409)
    limit = plan.extension_limit
    if limit <= 0:
        raise DomainError("extension_not_allowed", f"事项“{plan.item_name}”依法不得延长办理期限")
    days = limit if days is None else int(days)
    if not 1 <= days <= limit:
        raise DomainError("extension_days", f"该事项最多可延长{limit}个工作日（{plan.extension_basis}），"
                                            f"请填写1至{limit}之间的天数")
    total = case.extension_days + days
    deadline = _deadline(case, plan, start=case.accepted_on, extension_days=total, stops=_closed_stops(case))
    with transaction.atomic():
        frm = case.status
        _update(case, t, case.status, extension_days=total, due_date=deadline.due,
                due_provisional=deadline.provisional)
        Extension.objects.create(case=case, days=days, reason=reason, approved_by=head)
        case_clocks.case_clocks_move(case)
        _log(case, t.action, frm, case.status, officer=head, role=role, step=case.current_step, note=reason,
               data={"days": days, "due_date": deadline.due.isoformat()})
        _tell_applicant(case, "extended", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）因{reason}，"
                        f"经负责人批准延长办理期限{days}个工作日，办结期限延至{_cn(deadline.due)}。")
    return case


def case_decide(*, case: Case, officer: Staff, decision: str, reason: str = "",
                window: Window | None = None) -> Case:
    """The decision (准予/不予许可) at the last step; 不予 needs its reasons."""
    t = TRANSITIONS["decide"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    if case.current_step < plan.last_seq:
        raise DomainError("not_decision_step", f"当前环节为“{plan.step(case.current_step).name}”，尚未到决定环节",
                          status=409)
    role = _officer_role(officer, t, case, plan)
    if decision not in Decision.values:
        raise DomainError("decision", "决定应为准予或不予")
    reason = clean_text(reason, field="reason", label="决定理由")
    if decision == Decision.DENY and not reason:
        raise DomainError("reason_required", "作出不予许可决定必须说明理由")
    with transaction.atomic():
        _update(case, t, Status.DECIDED, decision=decision, decision_reason=reason, decided_at=clock.now())
        case_clocks.case_clocks_decided(case)
        _log(case, t.action, Status.IN_REVIEW, Status.DECIDED, officer=officer, role=role, window=window,
               step=case.current_step, note=reason, data={"decision": decision})
    return case


def case_complete(*, case: Case, officer: Staff, note: str = "", window: Window | None = None) -> Case:
    """办结."""
    t = TRANSITIONS["complete"]
    _check_state(case, t)
    plan = plan_for(case.item_version_id)
    role = _officer_role(officer, t, case, plan)
    note = clean_text(note, field="note", label="办结说明")
    now = clock.now()
    with transaction.atomic():
        _update(case, t, Status.COMPLETED, completed_at=now, completed_on=clock.today(), closed_at=now)
        case_clocks.case_clocks_finish(case, reason=case_clocks.COMPLETED)
        _log(case, t.action, Status.DECIDED, Status.COMPLETED, officer=officer, role=role, window=window,
               step=case.current_step, note=note)
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
    with transaction.atomic():
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
    with transaction.atomic():
        _update(case, t, Status.WITHDRAWN, closed_at=now)
        ClockStop.objects.filter(case=case, end_on__isnull=True).update(end_on=clock.today(), result="申请人撤回")
        case_clocks.case_clocks_finish(case, reason=case_clocks.WITHDRAWN, counts=False)
        _log(case, t.action, frm, case.status, officer=officer, user=user, role=role, note=reason)
    return case


def case_add_materials(*, case: Case, files, user=None, officer: Staff | None = None) -> Case:
    """Attach further material files before acceptance (e.g. uploaded one by one through the API)."""
    t = TRANSITIONS["add_materials"]
    _check_state(case, t)
    role = _may_act_for_applicant(case, user=user, officer=officer)
    plan = plan_for(case.item_version_id)
    uploads = []
    for material_id, upload in files:
        if material_id is not None and material_id not in plan.materials:
            raise DomainError("unknown_material", "上传的材料不属于该事项的材料清单")
        check_upload(upload)
        uploads.append((material_id, upload))
    if not uploads:
        raise DomainError("no_files", "请选择要上传的材料文件")
    uploader = user if user is not None else (officer.user if officer else None)
    received = []  # while 待补正: the listed materials these files stand for (the 补正 itself is sent after)
    if case.status == Status.SUPPLEMENT and (request := supplement_open(case)) is not None:
        arrived = {m for m, _ in uploads if m is not None}
        received = [i for i in request.items.all() if i.state == SupplementItem.State.PENDING
                    and i.material_id in arrived]
    with transaction.atomic():
        _update(case, t, case.status)
        _mark_received(received, today=clock.today())
        for material_id, upload in uploads:
            CaseMaterial.objects.create(case=case, material_id=material_id,
                                        name=plan.materials.get(material_id, upload.name), file=upload,
                                        size=upload.size, uploaded_by=uploader)
        _log(case, t.action, case.status, case.status, officer=officer, user=user, role=role,
               data={"files": [u.name for _, u in uploads],
                     **({"received": [i.name for i in received]} if received else {})})
    return case


def deadlines_refresh_provisional(*, today: dt.date | None = None) -> int:
    """Recompute the due dates that were fixed on a provisional calendar (a year whose holiday notice
    was not yet published), now that the calendar may know better. Returns how many changed.

    Only cases whose clock runs (审查中) are recomputed; a stopped one is recomputed when it
    restarts. Each change is its own guarded UPDATE with an event row; a case changed meanwhile
    by someone else is left for the next run.
    """
    changed = 0
    for case in Case.objects.select_related("hall__region").filter(status=Status.IN_REVIEW, due_provisional=True,
                                                                   accepted_on__isnull=False):
        plan = plan_for(case.item_version_id)
        deadline = _deadline(case, plan, start=case.accepted_on, extension_days=case.extension_days,
                             stops=_closed_stops(case))
        if (deadline.due, deadline.provisional) == (case.due_date, case.due_provisional):
            continue
        with transaction.atomic():
            n = fastsql.update_guarded(Case, pk=case.pk, version=case.row_version,
                                       values={"due_date": deadline.due, "due_provisional": deadline.provisional})
            if n != 1:
                continue
            before, case.due_date = case.due_date, deadline.due
            case_clocks.case_clocks_move(case)
            fastsql.insert([CaseEvent(case_id=case.pk, action="recalc", from_status=case.status,
                                      to_status=case.status, actor_name="系统", step=case.current_step,
                                      note="节假日安排公布后重新计算办结期限",
                                      data={"from": before.isoformat(), "due_date": deadline.due.isoformat(),
                                            "provisional": deadline.provisional})])
            if deadline.due != before:
                _tell_applicant(case, "recalc", f"您申请的“{plan.item_name}”（办件编号{case.case_no}）的办结期限"
                                f"已按公布的节假日安排调整为{_cn(deadline.due)}。")
        changed += 1
    return changed
