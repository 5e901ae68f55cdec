"""Applying for a bundle (联办事项): one 联办件 and one 子件 per member item, through the same three channels
as a case (online, at a window, by a village agent); the materials are handed in once against the
bundle's combined list and linked to every 子件 whose item asks for them (一张表单、一套材料)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zhengwu.cases.models import Case, CaseEvent, CaseMaterial, Channel, Status
from zhengwu.cases.plan import ONLINE_APPLY_MIN_DEPTH, plan_for
from zhengwu.cases.services import Applicant, check_upload, clean_applicant, clean_text, default_hall
from zhengwu.cases.services.apply import _handling_hall
from zhengwu.cases.services.common import _next_case_no
from zhengwu.catalog.models import Bundle, Item, ItemVersion
from zhengwu.catalog.selectors import CombinedMaterial, bundle_materials
from zhengwu.core import clock, fastsql
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.uploads import original_name
from zhengwu.org.models import Hall, Role, Staff, Window
from zhengwu.org.scope import agent_can_submit_at, staff_can_act_at

from ..models import JointCase, JointStatus
from .common import event, member_limit


@dataclass(frozen=True)
class BundlePlan:
    """What an application for a bundle version needs: its members (in order) and the combined list."""

    version: object
    members: list
    lines: list[CombinedMaterial]

    def line(self, no: int) -> CombinedMaterial:
        if not 1 <= no <= len(self.lines):
            raise DomainError("unknown_material", "上传的材料不属于该联办事项的材料清单")
        return self.lines[no - 1]


def bundle_plan(bundle: Bundle) -> BundlePlan:
    """The plan of the bundle's published version (what an application is filed under)."""
    if bundle.current_id is None or bundle.status != "active":
        raise DomainError("bundle_unavailable", f"联办事项“{bundle.name}”当前不可申请")
    plan = _plan(bundle.current)
    # a member item may have published a new version since the plan was made: then make it again
    current = dict(Item.objects.filter(pk__in=[m.item_id for m in plan.members]).values_list("pk", "current_id"))
    if any(current.get(m.item_id) != m.item.current_id for m in plan.members):
        _plans.pop(bundle.current_id, None)
        plan = _plan(bundle.current)
    return plan


_plans: dict[int, BundlePlan] = {}


def bundle_plan_of(joint: JointCase) -> BundlePlan:
    """The plan of the bundle version a 联办件 was filed under."""
    plan = _plans.get(joint.bundle_version_id)
    return plan if plan is not None else _plan(joint.bundle_version)


def _plan(version) -> BundlePlan:
    """A published version never changes, so its plan is kept for the life of the process (like
    ``cases.plan.plan_for``); the member items' current versions are read when it is made."""
    plan = _plans.get(version.pk)
    if plan is not None:
        return plan
    members = list(version.members.select_related("item__current", "item__department__region").order_by("seq"))
    plan = BundlePlan(version, members, bundle_materials(version))
    if version.state != ItemVersion.State.DRAFT:
        _plans[version.pk] = plan
    return plan


def lead_member(bp: BundlePlan):
    return next((m for m in bp.members if m.item.department_id == bp.version.lead_department_id), bp.members[0])


def _hall_for(bp: BundlePlan, channel: str, *, hall, officer, agent) -> tuple[Hall, str]:
    lead = lead_member(bp)
    plans = [plan_for(m.item.current_id) for m in bp.members]
    if channel == Channel.ONLINE:
        for m, plan in zip(bp.members, plans, strict=True):
            if plan.online_depth < ONLINE_APPLY_MIN_DEPTH:
                raise DomainError("not_online", f"成员事项“{m.item.name}”暂不支持网上申请，请携带材料到窗口办理")
        return hall or default_hall(lead.item), Status.SUBMITTED
    if channel == Channel.WINDOW:
        if officer is None or officer.hall is None or not officer.role_codes() & {Role.WINDOW_OFFICER,
                                                                                   Role.CHIEF_REP}:
            raise PermissionDenied("窗口申请须由大厅窗口人员录入")
        if not staff_can_act_at(officer, department_id=bp.version.lead_department_id, hall=officer.hall):
            raise PermissionDenied("联办事项由牵头部门窗口或综合窗口统一收件（一门受理）", code="out_of_scope")
        return officer.hall, Status.PENDING
    if channel == Channel.AGENT:
        if agent is None or agent.hall is None or not agent_can_submit_at(agent, agent.hall):
            raise PermissionDenied("只有便民服务站的代办员可以代办申请", code="not_agent")
        for m, plan in zip(bp.members, plans, strict=True):
            if not plan.village_intake:
                raise DomainError("no_village_intake", f"成员事项“{m.item.name}”不能在村便民服务站代办")
        return _handling_hall(lead.item, plan_for(lead.item.current_id), agent.hall), Status.PENDING
    raise DomainError("channel", "申请渠道应为网上申请、窗口申请或代办员代办")


def link_files(children: dict[int, Case], bp: BundlePlan, files, *, uploader) -> list[CaseMaterial]:
    """Each file (combined-list line number, upload) stored once and linked to every 子件 using that line."""
    out = []
    for line_no, upload in files:
        line = bp.line(line_no)
        first = None
        for item_id, material_id in line.uses:
            child = children.get(item_id)
            if child is None:
                continue
            m = CaseMaterial(case=child, material_id=material_id, name=line.name, size=upload.size,
                             file_name=original_name(upload), uploaded_by=uploader)
            if first is None:
                m.file = upload
                m.save()
                first = m
            else:
                m.file = first.file.name
                m.save()
            out.append(m)
    return out


def joint_submit(*, bundle: Bundle, applicant: Applicant, channel: str, hall: Hall | None = None, user=None,
                 officer: Staff | None = None, agent: Staff | None = None, files=(), window: Window | None = None,
                 note: str = "") -> JointCase:
    """Apply for a bundle. ``files`` are (line number of the combined list, 1-based, upload)."""
    bp = bundle_plan(bundle)
    for m in bp.members:
        if m.item.current_id is None or m.item.status != ItemVersion.Status.ACTIVE:
            raise DomainError("item_unavailable", f"成员事项“{m.item.name}”当前不可申请（已暂停或取消）")
    a = clean_applicant(applicant)
    hall, child_status = _hall_for(bp, channel, hall=hall, officer=officer, agent=agent)
    note = clean_text(note, field="note", label="申请说明")
    uploads = []
    for line_no, upload in files:
        bp.line(line_no)
        check_upload(upload)
        uploads.append((line_no, upload))
    today = clock.today()
    uploader = user if user is not None else (officer.user if officer else (agent.user if agent else None))
    online_user = user if (user is not None and channel == Channel.ONLINE) else None
    with transaction.atomic():
        no = _next_case_no(hall, today)
        joint = JointCase.objects.create(
            case_no=no, bundle=bundle, bundle_version=bp.version, lead_department_id=bp.version.lead_department_id,
            hall=hall, status=JointStatus.SUBMITTED, applicant_name=a.name, applicant_user=online_user,
            contact_phone=a.phone)
        children = {}
        for k, m in enumerate(bp.members, start=1):
            item = m.item
            children[item.pk] = Case(
                case_no=f"{no}-{k}", item=item, item_version_id=item.current_id, department_id=item.department_id,
                hall=hall, channel=channel, status=child_status, applicant_kind=a.kind, applicant_name=a.name,
                id_number=a.id_number, uscc=a.uscc, legal_rep=a.legal_rep, contact_phone=a.phone,
                address=a.address, applicant_user=online_user, agent=agent if channel == Channel.AGENT else None,
                agent_station=agent.hall if channel == Channel.AGENT else None,
                first_officer=officer if channel == Channel.WINDOW else None,
                promised_days=member_limit(m, bp.version), joint=joint, joint_seq=k)
        Case.objects.bulk_create(list(children.values()))
        link_files(children, bp, uploads, uploader=uploader)
        role = Role.WINDOW_OFFICER if officer else (Role.VILLAGE_AGENT if agent else "applicant")
        actor = officer or agent
        fastsql.insert([CaseEvent(case_id=c.pk, action="submit", from_status="", to_status=child_status,
                                  actor_id=actor.user_id if actor else (online_user.pk if online_user else None),
                                  actor_name=actor.name if actor else getattr(online_user, "display_name", ""),
                                  role=role, window=window, note=note,
                                  data={"channel": channel, "joint": no}) for c in children.values()])
        event(joint, "submit", "", JointStatus.SUBMITTED, officer=actor, user=online_user, note=note,
              data={"channel": channel, "children": [c.case_no for c in children.values()]})
    return joint


def joint_add_materials(*, joint: JointCase, files, user=None, officer: Staff | None = None) -> JointCase:
    """Further files before acceptance, each against the combined list (stored once, linked to every 子件
    using it). While 待补正 use ``joint_supplement``."""
    from .common import check_lead, check_status, lock

    check_status(joint, (JointStatus.SUBMITTED,), "补充上传材料")
    if officer is not None:
        check_lead(officer, joint, label="补充上传材料")
    elif user is None or joint.applicant_user_id != user.pk:
        raise PermissionDenied("只有申请人本人或受理窗口可以为该联办件上传材料")
    bp = bundle_plan_of(joint)
    for n, upload in files:
        bp.line(n)
        check_upload(upload)
    if not files:
        raise DomainError("no_files", "请选择要上传的材料文件")
    with transaction.atomic():
        j = lock(joint)
        check_status(j, (JointStatus.SUBMITTED,), "补充上传材料")
        kids = {c.item_id: c for c in Case.objects.filter(joint=j)}
        link_files(kids, bp, files, uploader=user if user is not None else officer.user)
        event(j, "add_materials", j.status, j.status, officer=officer, user=user,
              data={"files": [u.name for _, u in files], "lines": [n for n, _ in files]})
    return joint
