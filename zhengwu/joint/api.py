"""The 并联审批 API. A 联办件 is read and acted on under /api/cases/{case_no} (cases/api.py calls the helpers
below when the number is a 联办件's); the router mounted under /api/joint lists the 联办件 in the caller's
scope."""

from __future__ import annotations

import json

from ninja import Router

from zhengwu.api import AUTH
from zhengwu.catalog.models import Material
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.selectors import staff_for_user

from . import selectors
from .actions import APPLICANT_ACTIONS, JOINT_ACTIONS
from .models import JointCase, JointStatus

router = Router(tags=["并联审批"], auth=AUTH)


def joint_for(case_no: str) -> JointCase | None:
    if "-" in case_no[-4:] or not selectors.is_joint_no(case_no):  # a 子件 number ends in -<seq>
        return None
    return selectors.joint_get(case_no=case_no)


def action_out(joint: JointCase) -> dict:
    return {"kind": "joint", "case_no": joint.case_no, "status": joint.status,
            "status_label": JointStatus(joint.status).label, "due_date": joint.due_date}


def detail(joint: JointCase, *, user, staff) -> dict:
    from .services import bundle_plan_of, children_state

    view = selectors.joint_view(joint=joint, user=user, staff=staff)
    kids = selectors.joint_children(joint)
    state = {c.id: c for c in children_state(joint)}
    ops = {o.case_id: (o.kind, o.absent_invite_id is not None) for o in view.opinions()}
    bp = bundle_plan_of(joint)
    depts = {m.item_id: m.item.department.name for m in bp.members}
    materials = [{"line": n, "name": ln.name, "required": ln.necessity == Material.Necessity.REQUIRED,
                  "departments": list(dict.fromkeys(depts[i] for i, _ in ln.uses if i in depts))}
                 for n, ln in enumerate(bp.lines, start=1)]
    result = None
    if joint.result_no:
        result = {"result_no": joint.result_no, "kind": joint.result.get("kind", "approval"),
                  "issued_at": joint.result_issued_at}
    return {
        "kind": "joint", "case_no": joint.case_no, "bundle_code": joint.bundle.code,
        "bundle_name": joint.bundle_version.name, "lead_department": joint.lead_department.name,
        "status": joint.status, "status_label": JointStatus(joint.status).label,
        "submitted_at": joint.submitted_at, "accepted_on": joint.accepted_on, "promised_due": joint.promised_due,
        "due_date": joint.due_date,
        "children": [{"case_no": c.case_no, "item_code": c.item.impl_code, "item_name": c.item_version.name,
                      "department": c.department.name, "status": c.status, "due_date": c.due_date,
                      "decision": c.decision or None, "deemed": state[c.pk].deemed,
                      "opinion": ops[c.pk][0] if c.pk in ops else None,
                      "opinion_deemed_absent": ops[c.pk][1] if c.pk in ops else False}
                     for c in kids],
        "materials": materials, "result": result,
        "events": [{"action": e.action, "at": e.at, "actor_name": e.actor_name,
                    "department": e.department.name if e.department else "", "from_status": e.from_status,
                    "to_status": e.to_status, "note": e.note} for e in view.events()],
    }


def _payload(request) -> dict:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise DomainError("invalid_input", "请求体不是有效的 JSON", status=400) from exc
    if not isinstance(data, dict):
        raise DomainError("invalid_input", "请求体应为 JSON 对象", status=400)
    return data


def act(request, joint: JointCase, action: str, *, user) -> dict:
    """A joint-only action through the registry (JOINT_ACTIONS); the 联办件 as it stands after it."""
    staff = staff_for_user(user)
    applicant = joint.applicant_user_id is not None and joint.applicant_user_id == user.pk
    if staff is None and not applicant:
        raise NotFound("未找到该办件")
    if action not in JOINT_ACTIONS:
        raise DomainError("unknown_action", f"未知的联办件操作：{action}", status=404)
    _label, handler = JOINT_ACTIONS[action]
    payload = _payload(request)
    if action in APPLICANT_ACTIONS:
        handler(joint=joint, staff=staff if not applicant else None, payload=payload, user=user)
    else:
        if staff is None:
            raise PermissionDenied("该操作须使用工作人员账号")
        handler(joint=joint, staff=staff, payload=payload)
    return action_out(JointCase.objects.get(pk=joint.pk))


def add_materials(request, joint: JointCase, *, user, line, file) -> dict:
    from .services import joint_add_materials

    if line is None:
        raise DomainError("line_required", "联办件的材料请按合并材料清单序号（line）上传", status=422)
    staff = staff_for_user(user)
    applicant = joint.applicant_user_id is not None and joint.applicant_user_id == user.pk
    if staff is None and not applicant:
        raise NotFound("未找到该办件")
    joint_add_materials(joint=joint, files=[(line, file)], user=user if applicant else None,
                        officer=None if applicant else staff)
    return action_out(JointCase.objects.get(pk=joint.pk))
