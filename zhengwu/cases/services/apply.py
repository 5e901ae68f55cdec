"""Applications (申请): online, at a window or by a village agent, and further material files
attached before acceptance."""

from __future__ import annotations

from django.db import transaction

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.uploads import original_name
from zhengwu.org.models import Hall, Role, Staff, Window
from zhengwu.org.scope import agent_can_submit_at, staff_can_act_at

from ..models import Case, CaseMaterial, Channel, Status, SupplementItem
from ..plan import ONLINE_APPLY_MIN_DEPTH, Plan, plan_for
from ..selectors import supplement_open
from ..transitions import TRANSITIONS
from .common import (
    Applicant,
    _check_state,
    _event,
    _insert_case,
    _log,
    _may_act_for_applicant,
    _update,
    case_tx,
    check_upload,
    clean_applicant,
    clean_text,
)
from .supplement import _mark_received

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
        case = Case(
            case_no="", item=item, item_version=version, department_id=item.department_id,
            hall=hall, channel=channel, status=status, applicant_kind=a.kind, applicant_name=a.name,
            id_number=a.id_number, uscc=a.uscc, legal_rep=a.legal_rep, contact_phone=a.phone, address=a.address,
            applicant_user=user if (user is not None and channel == Channel.ONLINE) else None,
            agent=agent if channel == Channel.AGENT else None,
            agent_station=agent.hall if channel == Channel.AGENT else None,
            first_officer=officer if channel == Channel.WINDOW else None,
            promised_days=plan.promised_limit,
        )
        actor_user = user if officer is None and agent is None else None
        _insert_case(case, numbered=(hall, today), event=_event(
            case, t.action, "", status, officer=officer or agent, user=actor_user,
            role=Role.WINDOW_OFFICER if officer else (Role.VILLAGE_AGENT if agent else "applicant"),
            window=window, note=note, data={"channel": channel}))
        for material_id, upload in uploads:
            CaseMaterial.objects.create(case=case, material_id=material_id,
                                        name=plan.materials.get(material_id, upload.name), file=upload,
                                        file_name=original_name(upload),
                                        size=upload.size, uploaded_by=user if user is not None else None)
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
    with case_tx(case):
        _update(case, t, case.status)
        _mark_received(received, today=clock.today())
        for material_id, upload in uploads:
            CaseMaterial.objects.create(case=case, material_id=material_id,
                                        name=plan.materials.get(material_id, upload.name), file=upload,
                                        file_name=original_name(upload),
                                        size=upload.size, uploaded_by=uploader)
        _log(case, t.action, case.status, case.status, officer=officer, user=user, role=role,
               data={"files": [u.name for _, u in uploads],
                     **({"received": [i.name for i in received]} if received else {})})
    return case
