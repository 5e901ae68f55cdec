"""The 并联审批 API (mounted under /api/joint)."""

from ninja import Router

from zhengwu.api import AUTH

router = Router(tags=["并联审批"], auth=AUTH)
