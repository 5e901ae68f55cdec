"""Scoped reads of cases: who may see which case, and in what detail."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.db import connections, router
from django.db.models import Count, Q, QuerySet

from zhengwu.catalog.models import ItemVersion
from zhengwu.core import clock
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.core.validators import mask_name, validate_phone
from zhengwu.org.models import Department, Hall, Role, Staff
from zhengwu.org.scope import staff_can_act_at, staff_can_read_region
from zhengwu.workdays import engine

from .models import Case, CaseEvent, CaseMaterial, Status, SupplementItem, SupplementRequest
from .plan import plan_for

_RELATED = ("hall__region", "item", "item_version", "department", "agent", "agent_station", "accepted_by",
            "first_officer")


def case_get(*, case_no: str) -> Case:
    case = Case.objects.select_related(*_RELATED).filter(case_no=case_no).first()
    if case is None:
        raise NotFound("未找到该办件")
    return case


def staff_can_read_case(staff: Staff, case: Case) -> bool:
    if staff_can_act_at(staff, department_id=case.department_id, hall=case.hall):
        return True
    codes = staff.role_codes()
    if codes & {Role.LEADER, Role.SUPERVISOR} and staff_can_read_region(staff, case.hall.region):
        return True
    if Role.VILLAGE_AGENT in codes and case.agent_id == staff.pk:
        return True
    return False


def case_get_for_staff(*, case_no: str, staff: Staff) -> Case:
    case = case_get(case_no=case_no)
    if not staff_can_read_case(staff, case):
        raise PermissionDenied("该办件不在您的管辖范围内", code="out_of_scope")
    return case


def case_get_for_user(*, case_no: str, user) -> Case:
    """A case as its applicant (logged in) sees it."""
    case = case_get(case_no=case_no)
    if case.applicant_user_id != user.pk:
        raise NotFound("未找到该办件")
    return case


def case_list_for_staff(*, staff: Staff, status: str = "", q: str = "", due: str = "") -> QuerySet[Case]:
    """The workbench inbox: what this member of staff may see, newest first."""
    codes = staff.role_codes()
    qs = Case.objects.select_related("item", "department", "hall")
    if codes & {Role.LEADER, Role.SUPERVISOR}:
        qs = qs.filter(hall__region__code__startswith=staff.region.code_prefix)
    elif Role.HALL_ADMIN in codes:
        qs = qs.filter(hall_id=staff.hall_id)
    elif Role.DEPT_HEAD in codes:
        qs = qs.filter(department_id=staff.department_id,
                       hall__region__code__startswith=staff.region.code_prefix)
    elif codes & {Role.WINDOW_OFFICER, Role.CHIEF_REP}:
        qs = qs.filter(hall_id=staff.hall_id)
        if staff.department_id:
            qs = qs.filter(department_id=staff.department_id)
    elif Role.VILLAGE_AGENT in codes:
        qs = qs.filter(agent_id=staff.pk)
    else:
        return Case.objects.none()
    if status == "open":
        qs = qs.filter(status__in=[Status.SUBMITTED, Status.PENDING, Status.SUPPLEMENT, Status.IN_REVIEW,
                                   Status.SUSPENDED])
    elif status:
        qs = qs.filter(status=status)
    if q:
        # Only readers who see names whole search by name: a masked name must not be confirmable by a query.
        # (the inboxes of 领导, 效能监察员 and 中心管理员 span cases they do not handle).
        found = Q(case_no__icontains=q) | Q(item__name__contains=q)
        if not codes & {Role.LEADER, Role.SUPERVISOR, Role.HALL_ADMIN}:
            found |= Q(applicant_name__contains=q)
        qs = qs.filter(found)
    if due:
        today = clock.today()
        open_q = Q(status=Status.IN_REVIEW)  # stopped clocks (特别程序, 补正) are neither late nor due
        if due == "overdue":
            qs = qs.filter(open_q, due_date__lt=today)
        elif due == "soon":
            qs = qs.filter(open_q, due_date__gte=today, due_date__lte=engine.add_workdays(today, 1))
    return qs.order_by("-submitted_at", "-id")


def case_counts_for_staff(*, staff: Staff) -> dict[str, int]:
    """The workbench's counters (在办, 待补正, 即将到期, 已超期) over the same inbox as ``case_list_for_staff``,
    in one query over the open cases (all four are open) instead of one ``COUNT`` each."""
    today = clock.today()
    in_review = Q(status=Status.IN_REVIEW)  # stopped clocks (特别程序, 补正) are neither late nor due
    return case_list_for_staff(staff=staff, status="open").order_by().aggregate(
        open=Count("id"),
        supplement=Count("id", filter=Q(status=Status.SUPPLEMENT)),
        soon=Count("id", filter=in_review & Q(due_date__gte=today, due_date__lte=engine.add_workdays(today, 1))),
        overdue=Count("id", filter=in_review & Q(due_date__lt=today)),
    )


def case_list_for_applicant(*, user) -> QuerySet[Case]:
    return Case.objects.select_related("item", "hall").filter(applicant_user=user).order_by("-submitted_at")


def case_list_for_agent(*, agent: Staff) -> QuerySet[Case]:
    return Case.objects.select_related("item", "hall").filter(agent=agent).order_by("-submitted_at")


PROGRESS_FAILURES, PROGRESS_WINDOW = 10, 600  # ten wrong pairs per client in ten minutes, page and API together


def case_no_normal(case_no: str | None) -> str:
    """A case number as people type it: lower case, full-width letters and digits (中文输入法), spaces
    around it — all hall codes are upper case, so ``sfxzw－20261207－00001`` finds SFXZW-20261207-00001."""
    return unicodedata.normalize("NFKC", case_no or "").strip().upper()


# The busiest public read (page and API, benchmarks/load): two statements of fixed text instead of two ORM
# queries. The ORM compiled about 120 columns of four tables per lookup; here the SQL is built once per
# process and database, the columns are only what the answer shows and checks, and the model's own
# converters still turn each value into its Python type.
PROGRESS_FIELDS = ("id", "case_no", "status", "applicant_name", "id_number", "contact_phone", "submitted_at",
                   "accepted_on", "due_date", "due_provisional", "completed_on", "delivery_method",
                   "item_version_id", "department_id", "hall_id")
PROGRESS_EVENT_FIELDS = ("id", "case_id", "action", "step", "at", "data")
_progress_sql: dict[str, tuple[str, str]] = {}


def _progress_statements(connection) -> tuple[str, str]:
    sql = _progress_sql.get(connection.vendor)
    if sql is None:
        qn = connection.ops.quote_name
        col = {f: qn(Case._meta.get_field(f).column) for f in PROGRESS_FIELDS}
        case_sql = (
            "SELECT " + ", ".join(f"c.{col[f]}" for f in PROGRESS_FIELDS)
            + ", iv.{n} AS {a}, d.{n} AS {b}, h.{n} AS {h}".format(
                n=qn("name"), a=qn("iv_name"), b=qn("department_name"), h=qn("hall_name"))
            + f" FROM {qn(Case._meta.db_table)} c"
            + f" INNER JOIN {qn(ItemVersion._meta.db_table)} iv ON iv.{qn('id')} = c.{col['item_version_id']}"
            + f" INNER JOIN {qn(Department._meta.db_table)} d ON d.{qn('id')} = c.{col['department_id']}"
            + f" INNER JOIN {qn(Hall._meta.db_table)} h ON h.{qn('id')} = c.{col['hall_id']}"
            + f" WHERE c.{qn(Case._meta.get_field('case_no').column)} = %s LIMIT 1")
        ecol = {f: qn(CaseEvent._meta.get_field(f).column) for f in PROGRESS_EVENT_FIELDS}
        events_sql = (f"SELECT {', '.join(ecol[f] for f in PROGRESS_EVENT_FIELDS)} FROM {qn(CaseEvent._meta.db_table)}"
                      f" WHERE {ecol['case_id']} = %s ORDER BY {ecol['id']}")
        sql = _progress_sql[connection.vendor] = (case_sql, events_sql)
    return sql


def _progress_case(case_no: str) -> Case | None:
    """The case with only the public answer's fields, and its item version's, department's and hall's
    names as those instances (their other fields are deferred: read on first use)."""
    alias = router.db_for_read(Case)
    case_sql, _ = _progress_statements(connections[alias])
    found = list(Case.objects.raw(case_sql, [case_no]).using(alias))
    if not found:
        return None
    case = found[0]
    for name, model, attr in (("item_version", ItemVersion, "iv_name"), ("department", Department, "department_name"),
                              ("hall", Hall, "hall_name")):
        related = model.from_db(alias, ["id", "name"], [getattr(case, f"{name}_id"), getattr(case, attr)])
        Case._meta.get_field(name).set_cached_value(case, related)
    return case


def case_progress_events(case: Case) -> list:
    """The case's events as the public answer shows them (what, when), oldest first."""
    alias = case._state.db or "default"
    _, events_sql = _progress_statements(connections[alias])
    return list(CaseEvent.objects.raw(events_sql, [case.pk]).using(alias))


def case_progress_public(*, case_no: str, credential: str) -> Case:
    """The public progress query: case number plus the applicant's phone or 身份证号.

    A wrong pair answers exactly like a missing case, so nobody learns whose case a number is.
    An enterprise's 统一社会信用代码 is public, so it is not a credential: its contact phone is.
    """
    case = _progress_case(case_no_normal(case_no))
    cred = (credential or "").strip().upper()
    ok = False
    if case is not None and cred:
        if case.id_number and cred == case.id_number.upper():
            ok = True
        else:
            try:
                ok = validate_phone(cred) == case.contact_phone
            except Exception:
                ok = False
    if not ok:
        raise NotFound("未找到与该办件编号和联系电话（或身份证号）匹配的办件，请核对后重试")
    return case


def case_stages(case, plan, events) -> list[dict]:
    """The road of a case: 提交申请 → 受理 → the item's review steps → 办结, each with its date."""
    first = {}
    by_step = {}
    for e in events:
        first.setdefault(e.action, e.at)
        if e.action in ("review", "decide"):
            by_step.setdefault(e.step, e.at)
    stages = [{"name": "提交申请", "at": case.submitted_at}, {"name": "受理", "at": first.get("accept")}]
    stages += [{"name": s.name, "at": by_step.get(s.seq)} for s in plan.steps[1:]]
    if case.status == Status.REJECTED:
        stages = stages[:1] + [{"name": "不予受理", "at": first.get("reject")}]
    elif case.status == Status.WITHDRAWN:
        stages = [s for s in stages if s["at"]] + [{"name": "已撤回", "at": first.get("withdraw")}]
    else:
        stages.append({"name": "办结", "at": first.get("complete")})
        if case.delivery_method or case.status == Status.DELIVERED:
            stages.append({"name": "送达", "at": first.get("deliver")})
    current_set = False
    for s in stages:
        s["state"] = "done" if s["at"] else "todo"
        if not s["at"] and not current_set and case.is_open:
            s["state"], current_set = "current", True
    return stages


def due_state(case: Case, today: dt.date | None = None) -> str:
    """ok / soon (due within one working day) / overdue / paused / none — for the workbench colours.

    A case in 特别程序 or 补正 has its clock stopped: its stored due date moves on when the clock
    restarts, so it is shown as paused rather than judged against today.
    """
    if case.due_date is None or case.status not in (Status.IN_REVIEW, Status.SUSPENDED, Status.SUPPLEMENT):
        return "none"
    if case.status != Status.IN_REVIEW:
        return "paused"
    today = today or clock.today()
    if case.due_date < today:
        return "overdue"
    if case.due_date <= engine.add_workdays(today, 1, region=case.hall.region):
        return "soon"
    return "ok"


FULL_ID_ROLES = {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD}


def staff_handles_case(staff: Staff, case: Case) -> bool:
    """Is ``staff`` one of the case's handling officers? Its department's 窗口人员 and 首席代表 in its
    hall (a 综合窗口 officer without a department: every department's), and the department's
    部门负责人 anywhere in their region. A 中心管理员, 领导 or 效能监察员 reads without handling."""
    if not staff.is_active:
        return False
    codes = staff.role_codes()
    if (Role.DEPT_HEAD in codes and staff.department_id == case.department_id
            and case.hall.region.code.startswith(staff.region.code_prefix)):
        return True
    return bool(codes & {Role.WINDOW_OFFICER, Role.CHIEF_REP}) and staff.hall_id == case.hall_id and (
        staff.department_id is None or staff.department_id == case.department_id)


def applicant_name_visible(*, case: Case, user=None, staff: Staff | None = None) -> bool:
    """The applicant's own account, the village agent who took the case in, and its handling
    officers see the applicant's name whole; everyone else who may read the case sees it masked."""
    if user is not None and case.applicant_user_id is not None and case.applicant_user_id == user.pk:
        return True
    if staff is None:
        return False
    if case.agent_id is not None and case.agent_id == staff.pk:
        return True
    return staff_handles_case(staff, case)


def applicant_name_for(*, case: Case, user=None, staff: Staff | None = None) -> tuple[str, bool]:
    """(the name as this reader may see it, whether it is masked)."""
    if applicant_name_visible(case=case, user=user, staff=staff):
        return case.applicant_name, False
    return mask_name(case.applicant_name), True


def supplement_open(case: Case) -> SupplementRequest | None:
    """The 补正告知 still waiting for materials, with its items."""
    return (SupplementRequest.objects.filter(case=case, received_on__isnull=True).prefetch_related("items")
            .order_by("-id").first())


def case_materials(case: Case) -> dict:
    """What the case has and still needs: every material of its item version with the files or paper
    originals received for it, the files outside the list, the required materials still missing
    before acceptance, and the open 补正告知 with each listed item's state."""
    plan = plan_for(case.item_version_id)
    files: dict[int | None, list[CaseMaterial]] = {}
    for m in CaseMaterial.objects.filter(case=case).order_by("id"):
        files.setdefault(m.material_id, []).append(m)

    def file_out(m: CaseMaterial) -> dict:
        return {"id": m.pk, "name": m.name, "file_name": m.shown_file_name, "size": m.size,
                "paper_received": m.paper_received,
                "uploaded_at": m.uploaded_at}

    materials = [
        {"material_id": m.pk, "seq": m.seq, "name": m.name, "necessity": m.necessity,
         "required": m.pk in plan.required, "received": m.pk in files,
         "files": [file_out(x) for x in files.get(m.pk, [])]}
        for m in case.item_version.materials.order_by("seq")
    ]
    request = supplement_open(case) if case.status == Status.SUPPLEMENT else None
    supplement = None
    if request is not None:
        items = list(request.items.all())
        supplement = {
            "requested_on": request.requested_on, "during_review": request.during_review, "note": request.note,
            "items": [{"id": i.pk, "seq": i.seq, "name": i.name, "material_id": i.material_id, "state": i.state,
                       "resolved_on": i.resolved_on} for i in items],
            "remaining": [i.name for i in items if i.state == SupplementItem.State.PENDING],
        }
    return {
        "materials": materials,
        "extra_files": [file_out(x) for x in files.get(None, [])],
        "missing_required": [{"material_id": mid, "name": name} for mid, name in plan.required.items()
                             if mid not in files],
        "supplement": supplement,
    }


def case_reveal_identity(*, case: Case, staff: Staff, request=None) -> dict:
    """Full ID numbers to the handling roles only; every such viewing is written to the audit trail."""
    if not staff_can_act_at(staff, department_id=case.department_id, hall=case.hall) or not (
        staff.role_codes() & FULL_ID_ROLES
    ):
        raise PermissionDenied("您的岗位无需查看完整证件号码", code="no_pii_access")
    audit_record(actor=staff.user, action="view", obj=case, summary=f"查看办件 {case.case_no} 申请人完整证件号码",
                 request=request)
    return {"id_number": case.id_number, "uscc": case.uscc, "contact_phone": case.contact_phone}
