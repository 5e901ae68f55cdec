"""Every write on a 代办协议: keyword-only, one transaction, the agreement row locked, an event row.

The center's 代办员 drafts (or a village station's 代办员 refers a resident: a 待签订 draft assigned to a
center 代办员), confirms the signature given on paper, receives and returns materials, records the upstream
steps by hand or from an Excel export, records the hand-over, finishes or terminates.

Upstream time is deliberately not supervised: no clock of ``zhengwu.supervision`` is started for an
upstream step — the city or provincial department's days are shown, never counted against the county's
departments (HOTLINE-JOINT.md §6; issue 13).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from zhengwu.catalog.models import Item, Level, ProjectStage
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.models import AuditEvent
from zhengwu.core.notify import Message, notify
from zhengwu.core.services import audit_record
from zhengwu.core.uploads import check_upload
from zhengwu.core.validators import TEXT_MAX_LENGTH, validate_id_number, validate_phone, validate_uscc
from zhengwu.org.models import Staff

from . import selectors, upstream
from .models import (
    TERMS,
    UPSTREAM_LEVELS,
    Agreement,
    AgreementCounter,
    AgreementEvent,
    AgreementMaterial,
    ApplicantKind,
    HandOver,
    Status,
    UpstreamStep,
)
from .transitions import TRANSITIONS, Transition

AGENCY_STAGES = (ProjectStage.PLANNING, ProjectStage.CONSTRUCTION_PERMIT, ProjectStage.BUILDING_PERMIT,
                 ProjectStage.ACCEPTANCE)


# -- input ------------------------------------------------------------------------------------------


@dataclass
class Applicant:
    """甲方: a person (身份证号) or an enterprise (统一社会信用代码 and 法定代表人)."""

    kind: str
    name: str
    phone: str
    id_number: str = ""
    uscc: str = ""
    legal_rep: str = ""
    contact_name: str = ""
    address: str = ""


def _text(value, *, field: str, label: str, limit: int = TEXT_MAX_LENGTH) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        message = f"{label}不能超过{limit}个字（现为{len(text)}个字）"
        raise DomainError("too_long", message, status=422,
                          details=[{"field": field, "in": "body", "type": "string_too_long", "message": message}])
    return text


def _col(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def clean_applicant(a: Applicant) -> Applicant:
    """Validated and normalised (GB 11643 身份证号, GB 32100 统一社会信用代码, phone)."""
    if a.kind not in ApplicantKind.values:
        raise DomainError("applicant_kind", "申请人类型应为自然人或企业（其他组织）")
    name = _text(a.name, field="name", label="申请人（单位）名称", limit=_col(Agreement, "applicant_name"))
    if not name:
        raise DomainError("applicant_name", "请填写申请人姓名或单位名称")
    phone = validate_phone(a.phone)
    legal_rep = _text(a.legal_rep, field="legal_rep", label="法定代表人", limit=_col(Agreement, "legal_rep"))
    contact = _text(a.contact_name, field="contact_name", label="联系人", limit=_col(Agreement, "contact_name"))
    address = _text(a.address, field="address", label="联系地址", limit=_col(Agreement, "address"))
    id_number = uscc = ""
    if a.kind == ApplicantKind.PERSON:
        id_number = validate_id_number(a.id_number, today=clock.today())
    else:
        uscc = validate_uscc(a.uscc)
        if not legal_rep:
            raise DomainError("legal_rep", "企业申请请填写法定代表人")
        if a.id_number:
            id_number = validate_id_number(a.id_number, today=clock.today())
    return Applicant(a.kind, name, phone, id_number, uscc, legal_rep, contact, address)


def _date(value: dt.date | None, *, label: str, default_today: bool = True) -> dt.date | None:
    today = clock.today()
    if value is None:
        return today if default_today else None
    if value > today:
        raise DomainError("future_date", f"{label}不能晚于今天")
    return value


# -- helpers ----------------------------------------------------------------------------------------------


def _next_no(hall, year: int) -> str:
    """Hall code + DB + year + a per-hall yearly sequence, from one atomic upsert (race-free on PostgreSQL)."""
    table = AgreementCounter._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (hall_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608 — our own table name
            f"ON CONFLICT (hall_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [hall.pk, year],
        )
        seq = cur.fetchone()[0]
    return f"{hall.code}-DB{year}-{seq:04d}"


def _event(agreement: Agreement, action: str, frm: str, to: str, *, staff: Staff | None, note: str = "",
           data: dict | None = None) -> AgreementEvent:
    return AgreementEvent.objects.create(
        agreement=agreement, action=action, from_status=frm, to_status=to,
        actor_id=staff.user_id if staff else None, actor_name=staff.name if staff else "",
        note=note, data=data or {}, at=clock.now())


def _tell(agreement: Agreement, kind: str, text: str) -> None:
    notify(Message(to_phone=agreement.contact_phone, to_user_id=agreement.applicant_user_id,
                   kind=f"agency_{kind}", text=f"【{settings.ZHENGWU_SITE_NAME}】{text}",
                   data={"agreement_no": agreement.agreement_no}))


def _locked(agreement: Agreement, t: Transition, staff: Staff) -> Agreement:
    """The agreement row locked for this transaction, after the scope and state checks."""
    if not selectors.staff_can_act(staff, agreement):
        raise PermissionDenied("只有该代办中心的代办员可以办理此代办协议", code="out_of_scope")
    fresh = Agreement.objects.select_for_update().select_related("hall__region").get(pk=agreement.pk)
    if fresh.status not in t.sources:
        raise DomainError("bad_state", f"代办协议当前状态为“{Status(fresh.status).label}”，不能{t.label}",
                          status=409)
    return fresh


def _sync(agreement: Agreement, fresh: Agreement) -> None:
    """Copy the locked row's new values onto the caller's object."""
    for f in Agreement._meta.concrete_fields:
        setattr(agreement, f.attname, getattr(fresh, f.attname))


def _upstream_items(items) -> list[Item]:
    out = []
    for item in items:
        version = item.current
        if version is None:
            raise DomainError("item_unpublished", f"事项“{item.name}”没有现行版本")
        if version.level not in UPSTREAM_LEVELS:
            raise DomainError("item_not_upstream",
                              f"事项“{item.name}”由{Level(version.level).label}部门办理，不属于全程代办范围"
                              "（全程代办限市级及以上部门审批的事项）")
        out.append(item)
    return out


def items_by_codes(codes) -> list[Item]:
    codes = [c.strip() for c in codes if c and c.strip()]
    found = {i.impl_code: i for i in Item.objects.select_related("current").filter(impl_code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise NotFound(f"未找到事项：{'、'.join(missing)}", code="item_not_found")
    return [found[c] for c in dict.fromkeys(codes)]


def _clean_stages(stages) -> list[int]:
    out = []
    for s in stages:
        try:
            stage = ProjectStage(int(s))
        except (TypeError, ValueError):
            raise DomainError("bad_stage", f"审批阶段“{s}”不存在，应为1至4") from None
        if stage not in AGENCY_STAGES:
            raise DomainError("bad_stage", f"审批阶段“{s}”不存在，应为1至4")
        out.append(int(stage))
    return sorted(set(out))


# -- draft and signing -----------------------------------------------------------------------------------


def agreement_draft(*, staff: Staff, applicant: Applicant, items=(), stages=(), project_name: str = "",
                    note: str = "", center_agent: Staff | None = None, applicant_username: str = "") -> Agreement:
    """起草 a 待签订 agreement.

    By a center 代办员: assigned to themselves in their hall. By a village (town) station's 代办员: a
    referral (转交中心代办) assigned to ``center_agent`` (a 代办员 of a 政务服务中心 over the station),
    or to the first one there when none is named.
    """
    if selectors.is_center_agent(staff):
        if center_agent is not None and center_agent.pk != staff.pk:
            raise DomainError("agent_self", "中心代办员起草的协议由本人承办")
        agent, referred_by = staff, None
    elif selectors.is_station_agent(staff):
        candidates = selectors.center_agents(region=staff.hall.region)
        if center_agent is None:
            center_agent = candidates.first()
            if center_agent is None:
                raise DomainError("no_center_agent", "本县政务服务中心尚未设置代办员，暂不能转交")
        elif not candidates.filter(pk=center_agent.pk).exists():
            raise DomainError("bad_center_agent", f"{center_agent.name}不是本县政务服务中心的代办员")
        agent, referred_by = center_agent, staff
    else:
        raise PermissionDenied("只有政务服务中心代办员或村（社区）代办员可以起草代办协议")
    a = clean_applicant(applicant)
    items = _upstream_items(items)
    stages = _clean_stages(stages)
    if not items and not stages:
        raise DomainError("nothing_covered", "请选择委托代办的事项或审批阶段（至少一项）")
    project_name = _text(project_name, field="project_name", label="项目名称", limit=_col(Agreement, "project_name"))
    note = _text(note, field="note", label="备注")
    user = None
    username = (applicant_username or "").strip()
    if username:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise DomainError("applicant_account", f"未找到网上账号“{username[:30]}”")
        if (user.real_name or "").strip() not in {a.name, a.contact_name, a.legal_rep} - {""}:
            raise DomainError("applicant_account", "该网上账号的实名与申请人、法定代表人或联系人不一致，不能关联")
    now = clock.now()
    with transaction.atomic():
        agreement = Agreement.objects.create(
            agreement_no=_next_no(agent.hall, clock.today().year), status=Status.PENDING, hall=agent.hall,
            agent=agent, referred_by=referred_by, applicant_kind=a.kind, applicant_name=a.name,
            id_number=a.id_number, uscc=a.uscc, legal_rep=a.legal_rep, contact_name=a.contact_name,
            contact_phone=a.phone, address=a.address, applicant_user=user, project_name=project_name,
            stages=stages, terms=TERMS, note=note, created_at=now)
        agreement.items.set(items)
        data = {"items": [i.impl_code for i in items], "stages": stages, "agent": agent.employee_no}
        if referred_by:
            data["referred_by"] = referred_by.employee_no
        _event(agreement, "draft", "", Status.PENDING, staff=staff, note=note, data=data)
        audit_record(actor=staff.user, action=AuditEvent.Action.CREATE, obj=agreement,
                     summary=f"起草代办协议 {agreement.agreement_no}"
                             + (f"（{referred_by.name}转交）" if referred_by else ""))
    return agreement


def agreement_sign(*, agreement: Agreement, staff: Staff, signed_on: dt.date | None = None,
                   note: str = "") -> Agreement:
    """确认签订: the applicant signed the printed agreement; the 代办员 confirms it (待签订 → 代办中)."""
    t = TRANSITIONS["sign"]
    signed_on = _date(signed_on, label="签订日期")
    note = _text(note, field="note", label="说明")
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        if signed_on < timezone.localdate(fresh.created_at):
            raise DomainError("sign_date", "签订日期不能早于协议起草日期")
        fresh.status, fresh.signed_on, fresh.signed_by = Status.ACTIVE, signed_on, staff
        fresh.save(update_fields=["status", "signed_on", "signed_by"])
        _event(fresh, "sign", Status.PENDING, Status.ACTIVE, staff=staff, note=note,
               data={"signed_on": signed_on.isoformat()})
        _tell(fresh, "signed", f"您与{fresh.hall.name}的代办协议（编号{fresh.agreement_no}）已签订，"
                               f"代办员{fresh.agent.name}将为您全程免费代办。")
    _sync(agreement, fresh)
    return agreement


# -- materials -------------------------------------------------------------------------------------------


def material_receive(*, agreement: Agreement, staff: Staff, name: str, copies: int = 1, original: bool = False,
                     received_on: dt.date | None = None, note: str = "") -> AgreementMaterial:
    t = TRANSITIONS["receive_material"]
    name = _text(name, field="name", label="材料名称", limit=_col(AgreementMaterial, "name"))
    if not name:
        raise DomainError("material_name", "请填写材料名称")
    if not 1 <= int(copies) <= 99:
        raise DomainError("material_copies", "份数应为1至99")
    received_on = _date(received_on, label="接收日期")
    note = _text(note, field="note", label="备注", limit=_col(AgreementMaterial, "note"))
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        m = AgreementMaterial.objects.create(agreement=fresh, name=name, copies=int(copies), original=original,
                                             received_on=received_on, received_by=staff, note=note)
        _event(fresh, t.action, fresh.status, fresh.status, staff=staff, note=note,
               data={"material": name, "copies": int(copies), "original": bool(original)})
    return m


def material_return(*, agreement: Agreement, staff: Staff, material_id: int,
                    returned_on: dt.date | None = None) -> AgreementMaterial:
    t = TRANSITIONS["return_material"]
    returned_on = _date(returned_on, label="退还日期")
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        m = AgreementMaterial.objects.select_for_update().filter(agreement=fresh, pk=material_id).first()
        if m is None:
            raise NotFound("该协议没有这份材料", code="material_not_found")
        if m.returned_on is not None:
            raise DomainError("material_returned", f"材料“{m.name}”已于{m.returned_on:%Y-%m-%d}退还", status=409)
        if returned_on < m.received_on:
            raise DomainError("return_date", "退还日期不能早于接收日期")
        m.returned_on = returned_on
        m.save(update_fields=["returned_on"])
        _event(fresh, t.action, fresh.status, fresh.status, staff=staff, data={"material": m.name})
    return m


# -- upstream steps -------------------------------------------------------------------------------------


@dataclass
class StepIn:
    item: Item
    department: str
    step_name: str
    filed_on: dt.date
    result: str = ""
    result_on: dt.date | None = None
    document_no: str = ""


def _clean_step(agreement: Agreement, s: StepIn, covered: set[int]) -> StepIn:
    """Checks shared by the form, the API and the import; raises a DomainError naming the problem."""
    if covered and s.item.pk not in covered:
        raise DomainError("item_not_covered", f"事项“{s.item.name}”不在本协议委托代办的范围内")
    if not covered:
        _upstream_items([s.item])
    department = _text(s.department, field="department", label="上级部门", limit=_col(UpstreamStep, "department"))
    step_name = _text(s.step_name, field="step_name", label="环节名称", limit=_col(UpstreamStep, "step_name"))
    if not department or not step_name:
        raise DomainError("step_fields", "请填写上级部门和环节名称")
    result = _text(s.result, field="result", label="办理结果", limit=_col(UpstreamStep, "result"))
    document_no = _text(s.document_no, field="document_no", label="文号", limit=_col(UpstreamStep, "document_no"))
    today = clock.today()
    if s.filed_on is None:
        raise DomainError("step_fields", "请填写报送日期")
    if s.filed_on > today:
        raise DomainError("future_date", "报送日期不能晚于今天")
    if agreement.signed_on and s.filed_on < agreement.signed_on:
        raise DomainError("filed_before_sign", "报送日期不能早于协议签订日期")
    if s.result_on is not None:
        if s.result_on > today:
            raise DomainError("future_date", "结果日期不能晚于今天")
        if s.result_on < s.filed_on:
            raise DomainError("result_date", "结果日期不能早于报送日期")
    if result and s.result_on is None:
        raise DomainError("result_date", "填写办理结果时须填写结果日期")
    return StepIn(s.item, department, step_name, s.filed_on, result, s.result_on, document_no)


def upstream_step_record(*, agreement: Agreement, staff: Staff, step: StepIn) -> UpstreamStep:
    """登记 one upstream step (filed with the city or provincial department), with its result if known."""
    t = TRANSITIONS["record_step"]
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        s = _clean_step(fresh, step, set(fresh.items.values_list("pk", flat=True)))
        if UpstreamStep.objects.filter(agreement=fresh, item=s.item, step_name=s.step_name,
                                       filed_on=s.filed_on).exists():
            raise DomainError("step_exists", f"“{s.item.name}”的环节“{s.step_name}”（{s.filed_on:%Y-%m-%d}报送）已登记",
                              status=409)
        row = UpstreamStep.objects.create(
            agreement=fresh, item=s.item, department=s.department, step_name=s.step_name, filed_on=s.filed_on,
            result=s.result, result_on=s.result_on, document_no=s.document_no, recorded_by=staff)
        _event(fresh, t.action, fresh.status, fresh.status, staff=staff,
               data={"item": s.item.impl_code, "department": s.department, "step": s.step_name,
                     "filed_on": s.filed_on.isoformat(), "result": s.result})
    return row


def upstream_result_record(*, agreement: Agreement, staff: Staff, step_id: int, result: str,
                           result_on: dt.date | None = None, document_no: str = "") -> UpstreamStep:
    """登记 the result of an upstream step recorded earlier."""
    t = TRANSITIONS["record_result"]
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        row = UpstreamStep.objects.select_for_update().select_related("item").filter(
            agreement=fresh, pk=step_id).first()
        if row is None:
            raise NotFound("该协议没有这个上级办理环节", code="step_not_found")
        if not (result or "").strip():
            raise DomainError("result_required", "请填写办理结果")
        s = _clean_step(fresh, StepIn(row.item, row.department, row.step_name, row.filed_on, result,
                                      _date(result_on, label="结果日期"), document_no or row.document_no), set())
        row.result, row.result_on, row.document_no = s.result, s.result_on, s.document_no
        row.save(update_fields=["result", "result_on", "document_no"])
        _event(fresh, t.action, fresh.status, fresh.status, staff=staff,
               data={"step": row.step_name, "result": s.result, "result_on": s.result_on.isoformat()})
    return row


@dataclass
class ImportResult:
    created: int
    updated: int


def upstream_import(*, agreement: Agreement, staff: Staff, file) -> ImportResult:
    """Import an Excel export of the upstream system (columns: ``upstream.COLUMNS``). All rows or none:
    any bad row refuses the file, naming every bad row by number."""
    t = TRANSITIONS["import_steps"]
    check_upload(file, allowed_types=["xlsx"])
    rows = upstream.read_rows(file)
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        covered = set(fresh.items.values_list("pk", flat=True))
        items = {i.impl_code: i for i in Item.objects.select_related("current").filter(
            impl_code__in={r.item_code for r in rows})}
        existing = {(s.item_id, s.step_name, s.filed_on): s for s in fresh.steps.all()}
        errors, creates, updates, seen = [], [], [], set()
        for r in rows:
            item = items.get(r.item_code)
            if item is None:
                errors.append({"row": r.number, "message": f"事项编码“{r.item_code}”不存在"})
                continue
            try:
                s = _clean_step(fresh, StepIn(item, r.department, r.step_name, r.filed_on, r.result, r.result_on,
                                              r.document_no), covered)
            except DomainError as exc:
                errors.append({"row": r.number, "message": exc.message})
                continue
            key = (item.pk, s.step_name, s.filed_on)
            if key in seen:
                errors.append({"row": r.number, "message": "与前面的行重复（同一事项、环节和报送日期）"})
                continue
            seen.add(key)
            old = existing.get(key)
            if old is None:
                creates.append(UpstreamStep(agreement=fresh, item=item, department=s.department,
                                            step_name=s.step_name, filed_on=s.filed_on, result=s.result,
                                            result_on=s.result_on, document_no=s.document_no, recorded_by=staff,
                                            source=UpstreamStep.Source.IMPORT))
            elif (old.result, old.result_on, old.document_no) != (s.result, s.result_on, s.document_no):
                old.result, old.result_on, old.document_no = s.result, s.result_on, s.document_no
                updates.append(old)
        if errors:
            raise upstream.import_error(errors)
        UpstreamStep.objects.bulk_create(creates)
        if updates:
            UpstreamStep.objects.bulk_update(updates, ["result", "result_on", "document_no"])
        name = getattr(file, "name", "") or ""
        _event(fresh, t.action, fresh.status, fresh.status, staff=staff,
               data={"file": name[:100], "created": len(creates), "updated": len(updates)})
        audit_record(actor=staff.user, action=AuditEvent.Action.IMPORT, obj=fresh,
                     summary=f"导入上级办理环节：新增{len(creates)}条，更新{len(updates)}条")
    return ImportResult(created=len(creates), updated=len(updates))


# -- hand-over and the end -------------------------------------------------------------------------


def handover_record(*, agreement: Agreement, staff: Staff, what: str, handed_to: str,
                    handed_on: dt.date | None = None, note: str = "") -> HandOver:
    """交付 a result (批文、证照) or originals to the applicant; numbers the 交接单."""
    t = TRANSITIONS["handover"]
    what = _text(what, field="what", label="交接内容", limit=_col(HandOver, "what"))
    handed_to = _text(handed_to, field="handed_to", label="接收人", limit=_col(HandOver, "handed_to"))
    if not what or not handed_to:
        raise DomainError("handover_fields", "请填写交接内容和接收人")
    handed_on = _date(handed_on, label="交接日期")
    note = _text(note, field="note", label="备注", limit=_col(HandOver, "note"))
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        if fresh.signed_on and handed_on < fresh.signed_on:
            raise DomainError("handover_date", "交接日期不能早于协议签订日期")
        n = HandOver.objects.filter(agreement=fresh).count() + 1
        h = HandOver.objects.create(agreement=fresh, receipt_no=f"{fresh.agreement_no}-J{n:02d}", what=what,
                                    handed_on=handed_on, handed_to=handed_to, handed_by=staff, note=note)
        _event(fresh, t.action, fresh.status, fresh.status, staff=staff,
               data={"receipt_no": h.receipt_no, "what": what, "handed_to": handed_to})
        _tell(fresh, "handover", f"代办协议{fresh.agreement_no}的办理结果（{what[:40]}）已交付{handed_to}，"
                                 f"交接单号{h.receipt_no}。")
    return h


def agreement_finish(*, agreement: Agreement, staff: Staff, finished_on: dt.date | None = None,
                     note: str = "") -> Agreement:
    """办结: the result is handed back and every original returned (代办中 → 已办结)."""
    t = TRANSITIONS["finish"]
    finished_on = _date(finished_on, label="办结日期")
    note = _text(note, field="note", label="说明")
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        if not fresh.handovers.exists():
            raise DomainError("no_handover", "尚未登记办理结果交接，不能办结")
        kept = list(fresh.materials.filter(original=True, returned_on__isnull=True).values_list("name", flat=True))
        if kept:
            raise DomainError("originals_kept", f"以下原件尚未退还申请人：{'、'.join(kept)}")
        if fresh.signed_on and finished_on < fresh.signed_on:
            raise DomainError("finish_date", "办结日期不能早于协议签订日期")
        fresh.status, fresh.finished_on = Status.FINISHED, finished_on
        fresh.save(update_fields=["status", "finished_on"])
        _event(fresh, t.action, Status.ACTIVE, Status.FINISHED, staff=staff, note=note,
               data={"finished_on": finished_on.isoformat()})
        _tell(fresh, "finished", f"代办协议{fresh.agreement_no}已办结，感谢您的信任，欢迎对代办服务作出评价。")
    _sync(agreement, fresh)
    return agreement


def agreement_terminate(*, agreement: Agreement, staff: Staff, reason: str) -> Agreement:
    """终止 with the reason (the applicant withdrew, or the conditions are not met)."""
    t = TRANSITIONS["terminate"]
    reason = _text(reason, field="reason", label="终止原因")
    if not reason:
        raise DomainError("reason_required", "终止代办必须说明原因")
    with transaction.atomic():
        fresh = _locked(agreement, t, staff)
        frm = fresh.status
        fresh.status, fresh.terminated_on, fresh.terminate_reason = Status.TERMINATED, clock.today(), reason
        fresh.save(update_fields=["status", "terminated_on", "terminate_reason"])
        _event(fresh, t.action, frm, Status.TERMINATED, staff=staff, note=reason)
        _tell(fresh, "terminated", f"代办协议{fresh.agreement_no}已终止：{reason[:60]}")
    _sync(agreement, fresh)
    return agreement
