"""The trading API (``/api/trading``): projects and rounds, actions as
``POST /api/trading/tenders/{id}/actions/{action}``, bids, experts, flags, and the OCDS feeds."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["公共资源交易"])
