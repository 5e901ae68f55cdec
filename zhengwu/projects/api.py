"""The 工程建设项目 API (mounted under /api/projects)."""

from ninja import Router

from zhengwu.api import AUTH

router = Router(tags=["工程建设项目"], auth=AUTH)
