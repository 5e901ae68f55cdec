"""The 全程代办 API (mounted under /api/agency)."""

from ninja import Router

from zhengwu.api import AUTH

router = Router(tags=["全程代办"], auth=AUTH)
