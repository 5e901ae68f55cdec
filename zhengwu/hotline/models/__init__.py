"""The 12345 hotline (12345政务服务便民热线): work orders (工单) from the call to the call-back (回访).

- ``Category``: an entry of the dispatch catalogue (派单目录); ``DispatchRule`` maps it (and a region)
  to the responsible unit: a department, or a town centre / village station (属地).
- ``Order``: one 诉求, with its caller, channel, type, place and text; its status moves only through
  ``transitions.py``. ``OrderUnit``: the 主办 and 协办 units it was dispatched to, each signing for it.
- ``OrderEvent``: one row per step (the public ones are what the caller and Open311 clients see).
- ``Extension``: a unit's 延期 request and the centre's decision.
- ``TimeLimitRule`` and ``HotlineSetting``: the local rules (签收/办结/退单/延期 limits, service hours,
  the jurisdiction, duplicate window) as data an admin edits.
- ``Article``: the knowledge base (知识库) call-takers search before dispatching.
- ``KpiDay`` and ``KpiRollupState``: the KPI page's daily rollup and its watermark.

Every write goes through ``services``; every read with rules through ``selectors``.
"""

from .catalogue import Article, Category, DispatchRule
from .choices import (
    OPEN_STATUSES,
    UNIT_STATUSES,
    Callback,
    Channel,
    Emergency,
    Kind,
    Source,
    Status,
    Urgency,
)
from .kpi import KpiDay, KpiPart, KpiRollupState
from .orders import (
    Attachment,
    Extension,
    ExtensionState,
    Order,
    OrderCounter,
    OrderEvent,
    OrderUnit,
    UnitRole,
    UnitState,
    attachment_upload_to,
)
from .policy import HotlineSetting, LimitUnit, TimeLimitRule

__all__ = [
    "OPEN_STATUSES",
    "UNIT_STATUSES",
    "Article",
    "Attachment",
    "Callback",
    "Category",
    "Channel",
    "DispatchRule",
    "Emergency",
    "Extension",
    "ExtensionState",
    "HotlineSetting",
    "Kind",
    "KpiDay",
    "KpiPart",
    "KpiRollupState",
    "LimitUnit",
    "Order",
    "OrderCounter",
    "OrderEvent",
    "OrderUnit",
    "Source",
    "Status",
    "TimeLimitRule",
    "UnitRole",
    "UnitState",
    "Urgency",
    "attachment_upload_to",
]
