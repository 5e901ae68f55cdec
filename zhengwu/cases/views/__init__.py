"""Case pages (办件): the people's side and the officers' workbench.

People: sign up, apply online, follow their cases, hand in 补正 materials, withdraw, and the
public progress query; village agents (代办员) apply for residents. Officers: the inbox, the
case page with the actions they may take now, and intake at the window.

Thin views: reads go through ``selectors``, every change through one ``services`` function;
a refused change comes back as a ``DomainError`` whose Chinese message is shown as it is.

The pages live in ``people``, ``agent`` and ``work``; what they share is in ``common``.
"""

from .agent import agent_apply, agent_cases, pick_item
from .common import PAGE_SIZE, agent_required, staff_required
from .people import (
    PROGRESS_FAILURES,
    PROGRESS_WINDOW,
    apply,
    my_case,
    my_cases,
    my_claim,
    my_claim_confirm,
    my_claim_verified,
    my_material,
    my_supplement,
    my_withdraw,
    progress,
    register,
)
from .work import (
    FRONT_ROLES,
    act,
    officer_actions,
    reveal,
    staff_case,
    staff_material,
    window_apply,
    workbench,
)

__all__ = [
    "FRONT_ROLES",
    "PAGE_SIZE",
    "PROGRESS_FAILURES",
    "PROGRESS_WINDOW",
    "act",
    "agent_apply",
    "agent_cases",
    "agent_required",
    "apply",
    "my_case",
    "my_cases",
    "my_claim",
    "my_claim_confirm",
    "my_claim_verified",
    "my_material",
    "my_supplement",
    "my_withdraw",
    "officer_actions",
    "pick_item",
    "progress",
    "register",
    "reveal",
    "staff_case",
    "staff_material",
    "staff_required",
    "window_apply",
    "workbench",
]
