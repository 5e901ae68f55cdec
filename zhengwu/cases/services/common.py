"""Shared by every case action: policy look-ups, text and length limits, the upload check, the
applicant (申请人) and the helpers each action uses (scope and role, the guarded UPDATE, the event row,
the due date, the message to the applicant)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from zhengwu.core import fastsql
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.notify import Message, notify
from zhengwu.core.uploads import check_upload as core_check_upload
from zhengwu.core.validators import validate_id_number, validate_phone, validate_uscc
from zhengwu.org.models import Hall, Role, Staff
from zhengwu.org.scope import staff_can_act_at
from zhengwu.supervision.clocks import clocks_batch_lead
from zhengwu.workdays import engine

from .. import progress
from ..models import ApplicantKind, Case, CaseEvent, ClockStop, PolicySetting, Status
from ..plan import Plan
from ..transitions import APPLICANT, Transition

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


# -- 并联审批: the 子件 of a 联办件 ------------------------------------------------------------------------
# A 子件 (``case.joint_id`` set) is accepted, told to 补正, refused (不予受理) and withdrawn only for all
# together, on its 联办件 (一门受理, zhengwu.joint.services), which runs these same case actions inside
# ``acting_for_joint``: the lead's window officer then acts on every 子件 (scope checked on the 联办件), the
# applicant gets one message for all, and the 联办件 is refreshed once at the end. Every other action on
# a 子件 refreshes its 联办件's derived status and due date from ``_update`` (the hook).
# (After acceptance a department may still ask for a 补正 of its own 子件 during review.)
JOINT_ONLY_ACTIONS = frozenset({"prereview", "accept", "reject", "withdraw"})
JOINT_BEFORE_ACCEPTANCE = frozenset({"add_materials", "request_supplement", "supplement", "supplement_item"})
_acting_for_joint: ContextVar[int | None] = ContextVar("acting_for_joint", default=None)


@contextmanager
def acting_for_joint(joint_id: int) -> Iterator[None]:
    token = _acting_for_joint.set(joint_id)
    try:
        yield
    finally:
        _acting_for_joint.reset(token)


def _for_joint(case: Case) -> bool:
    return case.joint_id is not None and _acting_for_joint.get() == case.joint_id


# The 联办件 row locked by ``case_tx`` for the action on one of its 子件 (its status is refreshed through it),
# and its 子件' states read with the lock ({id: row}; the acting 子件's row follows the action's changes).
_locked_joint: ContextVar[tuple | None] = ContextVar("locked_joint", default=None)


@contextmanager
def case_tx(case: Case) -> Iterator[None]:
    """The transaction of one case action.

    Lock order: on a 子件, the 联办件 row is locked first, before the action's first statement, as the joint
    services do before they touch their 子件 (``joint.services.common.lock``), so two people acting on the
    same 联办件 at once (one on the 联办件, one on a 子件) queue on that row instead of deadlocking on
    PostgreSQL. Inside a joint service (``acting_for_joint``: the 联办件 is locked already) the case action
    joins the joint service's transaction without a savepoint of its own (an error undoes the whole).

    Every action's transaction tells the progress query's kept answers (``zhengwu.cases.progress``) that the
    case changed, once it commits."""
    if case.joint_id is None:
        with transaction.atomic():
            progress.changed(case.case_no)
            yield
        return
    if _for_joint(case):
        with transaction.atomic(savepoint=False):
            progress.changed(case.case_no)
            yield
        return
    from zhengwu.joint.services.common import lock_row_children

    with transaction.atomic():
        progress.changed(case.case_no)
        joint, kids = lock_row_children(case.joint_id)
        token = _locked_joint.set((joint, {k[0]: k for k in kids}) if joint is not None else None)
        try:
            yield
        finally:
            _locked_joint.reset(token)


def _joint_follow(case: Case) -> None:
    """A 子件 moved (status or due date): its 联办件's derived status and due date follow, through the row
    ``case_tx`` locked (else locked here)."""
    from zhengwu.joint.services import joint_refresh

    held = _locked_joint.get()
    if held is not None and held[0].pk == case.joint_id:
        joint, kids = held
        row = kids.get(case.pk)
        if row is not None:  # the acting 子件 as the action left it (its other columns and 不同意 unchanged)
            kids[case.pk] = (row[0], row[1], case.status, case.due_date, case.decision, row[5], row[6])
        joint_refresh(joint=joint, locked=True, rows=list(kids.values()))
    else:
        joint_refresh(joint_id=case.joint_id)


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


_insert_case_sql: dict[tuple, tuple[str, list, list]] = {}


_COUNTER_UPSERT = ("INSERT INTO cases_casecounter (hall_id, day, last) VALUES (%s, %s, 1) "
                   "ON CONFLICT (hall_id, day) DO UPDATE SET last = cases_casecounter.last + 1 RETURNING last")


def _insert_case(case: Case, *, event: CaseEvent | None = None, numbered: tuple[Hall, dt.date] | None = None) -> None:
    """INSERT a new case and set its primary key: ``Case.objects.create`` written out once per database
    vendor (values adapted by each field's ``get_db_prep_save``, as ``zhengwu.core.fastsql`` does).

    With ``event`` (its ``case_id`` filled in here) the event row goes with it: on PostgreSQL in the same
    statement (``WITH c AS (INSERT … RETURNING id) INSERT … SELECT c.id, … FROM c``), elsewhere right after.
    With ``numbered`` (the hall and the day) the case is given its number here (``_next_case_no``): on
    PostgreSQL with an event, by the same statement (the counter's upsert first in it), elsewhere before.
    """
    merged = event is not None and connection.vendor == "postgresql"
    if numbered is not None and not merged:
        case.case_no = _next_case_no(*numbered)
    if not connection.features.can_return_columns_from_insert:
        case.save(force_insert=True)
    else:
        counted = merged and numbered is not None
        key = (connection.vendor, merged, counted)
        cached = _insert_case_sql.get(key)
        if cached is None:
            qn = connection.ops.quote_name
            meta = Case._meta
            fields = [f for f in meta.concrete_fields if not f.primary_key]
            pk = qn(meta.pk.column)
            if counted:  # the number from the counter: the hall's prefix and the sequence, 5 digits at least
                marks = ", ".join("%s || lpad(n.last::text, greatest(5, length(n.last::text)), '0')"
                                  if f.name == "case_no" else "%s" for f in fields)
                sql = (f"WITH n AS ({_COUNTER_UPSERT}), c AS (INSERT INTO {qn(meta.db_table)} "
                       f"({', '.join(qn(f.column) for f in fields)}) SELECT {marks} FROM n "
                       f"RETURNING {pk}, {qn(meta.get_field('case_no').column)})")
            else:
                sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
                       f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {pk}")
            ev_fields = []
            if merged:
                ev_fields = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key]
                cols = ", ".join(qn(f.column) for f in ev_fields)
                marks = ", ".join(f"c.{pk}" if f.name == "case" else "%s" for f in ev_fields)
                insert_event = (f"INSERT INTO {qn(CaseEvent._meta.db_table)} ({cols}) SELECT {marks} FROM c")
                if counted:
                    sql = f"{sql}, e AS ({insert_event}) SELECT c.{pk}, c.{qn(meta.get_field('case_no').column)} FROM c"
                else:
                    sql = (f"WITH c AS ({sql}) {insert_event} "
                           f"RETURNING {qn(CaseEvent._meta.get_field('case').column)}")
            cached = _insert_case_sql[key] = (sql, fields, [f for f in ev_fields if f.name != "case"])
        sql, fields, ev_fields = cached
        conn = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy, for the many values
        params = [f.get_db_prep_save(f.pre_save(case, True), conn) for f in fields]
        if counted:
            hall, day = numbered
            params = [hall.pk, day, *params]
            params[2 + [f.name for f in fields].index("case_no")] = f"{hall.code}-{day:%Y%m%d}-"
        params += [f.get_db_prep_save(f.pre_save(event, True), conn) for f in ev_fields]
        with connection.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
            case.pk = row[0]
            if counted:
                case.case_no = row[1]
        case._state.adding = False
        case._state.db = connection.alias
    if event is not None:
        event.case_id = case.pk
        if not merged:
            fastsql.insert([event])


def _officer_role(officer: Staff, t: Transition, case: Case, plan: Plan) -> str:
    """The role in which ``officer`` may do ``t`` on ``case``; raises when none."""
    if _for_joint(case):  # the joint service checked the officer on the 联办件 (lead department, hall)
        return next(iter(sorted(t.roles & officer.role_codes())), Role.WINDOW_OFFICER)
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
    if case.joint_id is not None and not _for_joint(case) and (
            t.action in JOINT_ONLY_ACTIONS or (t.action in JOINT_BEFORE_ACCEPTANCE and case.accepted_on is None)):
        raise DomainError("joint_child", f"该办件是联办件的子件，{t.label}须在联办件上统一办理", status=409)
    if case.status not in t.sources:
        raise DomainError("bad_state", f"办件当前状态为“{Status(case.status).label}”，不能{t.label}", status=409)


def _update(case: Case, t: Transition, target: str, *, event: CaseEvent | None = None, **changes) -> None:
    """The guarded UPDATE: applies only if nobody changed the case since it was read.

    With ``event`` (the action's event row) the row is written with it: on PostgreSQL in the same
    statement (``WITH u AS (UPDATE … RETURNING id) INSERT … SELECT … FROM u``, one round trip fewer;
    the event is written only if the update applied), elsewhere right after it. Inside ``clocks_batch`` on
    PostgreSQL (an action whose clocks move with it) the UPDATE and its event go with the clock writes, in one
    statement sent when the batch ends (``_update_in_batch``).
    """
    values = {"status": target, **changes}
    progress.changed(case.case_no)  # (case_tx says so too; an _update outside one is told here)
    if case.joint_id is None and _update_in_batch(case, t, values, event):
        return  # sent with the action's clock writes (the case shows the changes already)
    if event is not None and connection.vendor == "postgresql":
        n = _update_and_log(case, values, event)
    else:
        n = fastsql.update_guarded(Case, pk=case.pk, version=case.row_version, values=values)
        if n == 1 and event is not None:
            fastsql.insert([event])
    if n != 1:
        _refuse(case, t)
    case.status = target
    case.row_version += 1
    for k, v in changes.items():
        setattr(case, k, v)
    if case.joint_id is not None and not _for_joint(case):  # a 子件 moved: its 联办件 follows
        _joint_follow(case)


def _refuse(case: Case, t: Transition):
    """The guarded UPDATE changed nothing: say why (the case moved on, or someone else just changed it)."""
    fresh = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
    if fresh is not None and fresh not in t.sources:
        raise DomainError("bad_state", f"办件当前状态为“{Status(fresh).label}”，不能{t.label}", status=409)
    raise DomainError("conflict", "办件刚刚被其他人更新，请刷新后重试", status=409)


def _update_in_batch(case: Case, t: Transition, values: dict, event: CaseEvent | None) -> bool:
    """Inside ``clocks_batch`` (PostgreSQL): the guarded UPDATE and its event go first in the batch, sent with
    the clock writes the action makes next, in one statement that writes those only if the UPDATE applied.
    The case shows the action's changes meanwhile (the clock code reads them); if the UPDATE changed nothing
    they are put back and the action is refused when the batch is sent (before anything else is).
    False: no batch open here (the caller runs the UPDATE itself)."""
    sql, params = fastsql.update_guarded_statement(Case, pk=case.pk, version=case.row_version, values=values)
    attnames = [Case._meta.get_field(k).attname for k in ("row_version", *values)]  # no related-object reads
    before = {k: getattr(case, k) for k in attnames}

    def done(ids):
        if len(ids) != 1:
            for k, v in before.items():
                setattr(case, k, v)
            _refuse(case, t)

    if not clocks_batch_lead(sql, params, done=done, inserts=[event] if event is not None else []):
        return False
    for k, v in values.items():
        setattr(case, k, v)
    case.row_version += 1
    return True


_update_and_log_sql: dict[tuple, tuple[str, list]] = {}


def _update_and_log(case: Case, values: dict, event: CaseEvent) -> int:
    """PostgreSQL: the guarded UPDATE and the event's INSERT as one statement; the rows changed (0 or 1).

    SQL built once per column set; values adapted by each field's ``get_db_prep_save`` (as in
    ``zhengwu.core.fastsql``)."""
    meta = Case._meta
    fields = [meta.get_field(name) for name in values]
    key = tuple(f.column for f in fields)
    cached = _update_and_log_sql.get(key)
    if cached is None:
        qn = connection.ops.quote_name
        ev_fields = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key]
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        version, pk = qn(meta.get_field("row_version").column), qn(meta.pk.column)
        cached = _update_and_log_sql[key] = (
            f"WITH u AS (UPDATE {qn(meta.db_table)} SET {sets}, {version} = {version} + 1 "
            f"WHERE {pk} = %s AND {version} = %s RETURNING {pk}) "
            f"INSERT INTO {qn(CaseEvent._meta.db_table)} ({', '.join(qn(f.column) for f in ev_fields)}) "
            f"SELECT {', '.join(['%s'] * len(ev_fields))} FROM u", ev_fields)
    sql, ev_fields = cached
    params = [f.get_db_prep_save(v.pk if isinstance(v, models.Model) else v, connection)
              for f, v in zip(fields, values.values(), strict=True)]
    params += [case.pk, case.row_version]
    params += [f.get_db_prep_save(f.pre_save(event, True), connection) for f in ev_fields]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


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
    progress.changed(case.case_no)
    fastsql.insert([_event(case, action, from_status, to_status, **kw)])


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _tell_applicant(case: Case, kind: str, text: str) -> None:
    """An SMS (or in-app message) to the applicant, sent when the surrounding transaction commits."""
    if not case.contact_phone or _for_joint(case):  # the 联办件 sends one message for all its 子件
        return
    notify(Message(to_phone=case.contact_phone, to_user_id=case.applicant_user_id, kind=f"case_{kind}",
                   text=f"【{settings.ZHENGWU_SITE_NAME}】{text}", data={"case_no": case.case_no}))


def _region(case: Case):
    return case.hall.region


def _deadline(case: Case, plan: Plan, *, start: dt.date, extension_days: int, stops) -> engine.Deadline:
    # a 子件 runs on its department's share of the bundle's limit, fixed when it was filed
    n = (case.promised_days if case.joint_id is not None else plan.promised_limit) + extension_days
    cal = engine.calendar_for(_region(case))
    if plan.calendar_days:
        return cal.due_calendar_days(start, n, stops)
    return cal.due(start, n, stops)


def _closed_stops(case: Case) -> list[tuple[dt.date, dt.date]]:
    return list(ClockStop.objects.filter(case=case, end_on__isnull=False).values_list("start_on", "end_on"))


def _may_act_for_applicant(case: Case, *, user=None, officer: Staff | None = None) -> str:
    if officer is not None:
        if case.agent_id and officer.pk == case.agent_id:
            return Role.VILLAGE_AGENT
        if _for_joint(case):
            return Role.WINDOW_OFFICER
        if staff_can_act_at(officer, department_id=case.department_id, hall=case.hall):
            return Role.WINDOW_OFFICER
    if user is not None and case.applicant_user_id and user.pk == case.applicant_user_id:
        return APPLICANT
    raise PermissionDenied("只有申请人本人、代办员或受理窗口可以为该办件操作")
