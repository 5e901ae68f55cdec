"""Joint-case services (并联审批): apply for a bundle, accept for all (一门受理), one 补正 for all, 不予受理 and
撤回 for all, the co-departments' opinions, the lead's rulings, the combined result, and the 联办件's derived
status (``joint_refresh``, also called by every action on a 子件). Each a keyword-only function in one
transaction with its JointEvent row; the 子件 go through the ordinary case services.
"""

from . import deemed  # noqa: F401  (registers the 子件 with the sweep's 超时默认)
from .apply import bundle_plan, bundle_plan_of, joint_add_materials, joint_submit, lead_member, link_files
from .common import member_limit
from .intake import (
    joint_accept,
    joint_may_withdraw,
    joint_missing,
    joint_reject,
    joint_request_supplement,
    joint_supplement,
    joint_withdraw,
)
from .opinions import (
    joint_opinion,
    joint_opinion_absent,
    joint_result,
    joint_resume,
    joint_ruling,
    result_lines,
)
from .refresh import children_state, deemed_case_ids, joint_refresh

__all__ = [
    "bundle_plan", "bundle_plan_of", "children_state", "joint_add_materials", "deemed_case_ids", "joint_accept", "joint_missing",
    "joint_opinion", "joint_opinion_absent", "joint_refresh", "joint_reject", "joint_request_supplement", "joint_result", "joint_resume",
    "joint_may_withdraw", "joint_ruling", "joint_submit", "joint_supplement", "joint_withdraw", "lead_member", "link_files",
    "member_limit", "result_lines",
]

from . import handlers  # noqa: E402,F401  (registers the joint-only API actions)
