"""The joint-only API actions of the core (accept, supplement, reject, withdraw, ruling, resume, result),
registered in ``joint.actions.JOINT_ACTIONS``. ``request_supplement`` is the window's 一次性告知;
``supplement`` the applicant's answer to it."""

from __future__ import annotations

from zhengwu.core.errors import DomainError

from ..actions import register_joint_action
from .intake import joint_accept, joint_reject, joint_request_supplement, joint_supplement, joint_withdraw
from .opinions import joint_result, joint_resume, joint_ruling


def _ints(payload: dict, key: str) -> list[int]:
    raw = payload.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in raw):
        raise DomainError("invalid_input", f"{key} 应为整数列表", status=422)
    return raw


def _text(payload: dict, key: str) -> str:
    v = payload.get(key) or ""
    if not isinstance(v, str):
        raise DomainError("invalid_input", f"{key} 应为文字", status=422)
    return v


def _window(staff, joint):
    return staff.windows.filter(hall_id=joint.hall_id).order_by("number").first()


def _accept(*, joint, staff, payload):
    return joint_accept(joint=joint, officer=staff, paper_lines=_ints(payload, "paper_lines"),
                        window=_window(staff, joint), note=_text(payload, "note"))


def _request_supplement(*, joint, staff, payload):
    missing = payload.get("missing") or []
    if not isinstance(missing, list) or not all(isinstance(x, str) for x in missing):
        raise DomainError("invalid_input", "missing 应为材料名称列表", status=422)
    return joint_request_supplement(joint=joint, officer=staff, lines=_ints(payload, "lines"), missing=missing,
                                    note=_text(payload, "note"), window=_window(staff, joint))


def _supplement(*, joint, staff, payload, user=None):
    if staff is not None:
        return joint_supplement(joint=joint, officer=staff, paper_lines=_ints(payload, "paper_lines"),
                                note=_text(payload, "note"))
    return joint_supplement(joint=joint, user=user, note=_text(payload, "note"))


def _reject(*, joint, staff, payload):
    return joint_reject(joint=joint, officer=staff, reason=_text(payload, "reason"), window=_window(staff, joint))


def _withdraw(*, joint, staff, payload, user=None):
    reason = _text(payload, "reason") or _text(payload, "note")
    if staff is not None and joint.applicant_user_id != getattr(user, "pk", None):
        return joint_withdraw(joint=joint, officer=staff, reason=reason)
    return joint_withdraw(joint=joint, user=user, reason=reason)


def _ruling(*, joint, staff, payload):
    opinion_id = payload.get("opinion_id")
    if opinion_id is not None and (not isinstance(opinion_id, int) or isinstance(opinion_id, bool)):
        raise DomainError("invalid_input", "opinion_id 应为整数", status=422)
    return joint_ruling(joint=joint, officer=staff, kind=_text(payload, "ruling"), reason=_text(payload, "reason"),
                        opinion_id=opinion_id)


def _resume(*, joint, staff, payload):
    return joint_resume(joint=joint, officer=staff, reason=_text(payload, "reason"))


def _result(*, joint, staff, payload):
    return joint_result(joint=joint, officer=staff, note=_text(payload, "note"))


register_joint_action("accept", "统一受理（一门受理，paper_lines：已收纸质原件的合并清单序号）", _accept)
register_joint_action("request_supplement", "一次性告知补正（lines：合并清单序号；missing：清单外材料名称）",
                      _request_supplement)
register_joint_action("supplement", "补正材料（申请人上传后发送；窗口可用 paper_lines 登记纸质原件）", _supplement,
                      applicant=True)
register_joint_action("reject", "统一不予受理（reason 必填）", _reject)
register_joint_action("withdraw", "整体撤回申请", _withdraw, applicant=True)
register_joint_action("ruling", "牵头部门处理不同意意见（ruling：refuse 不予办理、suspend 中止、proceed 继续；reason 必填）",
                      _ruling)
register_joint_action("resume", "牵头部门恢复中止的联办件（reason 必填）", _resume)
register_joint_action("result", "出具联合审批结果（全部子件已决定或超时默认后）", _result)
