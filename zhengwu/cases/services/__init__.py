"""One function per case action (办件), each a single transaction.

Shape of every action: check in memory (state from the transition table, the actor's scope
and role, the input) → one guarded UPDATE of the case row (``WHERE id = … AND row_version = …``,
so of two officers acting at once exactly one wins) → the rows the action adds → one event row.
Deadlines are computed in memory by the working-day engine. The guarded UPDATE replaces a
``SELECT … FOR UPDATE`` round trip: it is the lock, the state check and the write at once.

The actions live by concern in ``common`` (policy, limits, the applicant, shared helpers),
``apply``, ``supplement``, ``handling`` and ``delivery``; import them from here.
"""

from .. import clocks as case_clocks
from .apply import case_add_materials, case_submit, default_hall
from .common import (
    POLICY_DEFAULTS,
    TEXT_MAX_CEILING,
    TEXT_MAX_FLOOR,
    Applicant,
    check_upload,
    clean_applicant,
    clean_text,
    policy,
    text_max,
    too_long,
)
from .delivery import case_complete, case_deliver, case_withdraw
from .handling import (
    case_accept,
    case_decide,
    case_extend,
    case_prereview,
    case_reject,
    case_resume,
    case_review,
    case_suspend,
    deadlines_refresh_provisional,
)
from .supplement import MISSING_MAX_ITEMS, case_request_supplement, case_supplement, case_supplement_item

__all__ = [
    "MISSING_MAX_ITEMS",
    "POLICY_DEFAULTS",
    "TEXT_MAX_CEILING",
    "TEXT_MAX_FLOOR",
    "Applicant",
    "case_accept",
    "case_add_materials",
    "case_clocks",
    "case_complete",
    "case_decide",
    "case_deliver",
    "case_extend",
    "case_prereview",
    "case_reject",
    "case_request_supplement",
    "case_resume",
    "case_review",
    "case_submit",
    "case_supplement",
    "case_supplement_item",
    "case_suspend",
    "case_withdraw",
    "check_upload",
    "clean_applicant",
    "clean_text",
    "deadlines_refresh_provisional",
    "default_hall",
    "policy",
    "text_max",
    "too_long",
]
