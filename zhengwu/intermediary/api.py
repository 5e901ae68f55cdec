"""The intermediary API (``/api/intermediary``) — owned by the API helper."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["网上中介服务超市"])
