from __future__ import annotations

from ninja import Query, Router, Schema

from zhengwu.api import AUTH
from zhengwu.core.errors import PermissionDenied
from zhengwu.core.pagination import page, page_limit, page_offset

from . import selectors
from .models import Hall, Region

router = Router(tags=["组织机构"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class HallOut(Schema):
    code: str
    name: str
    kind: str
    region_code: str
    address: str
    phone: str
    opening_hours: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str
    region_code: str
    approval_section: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code


class WindowOut(Schema):
    hall_code: str
    number: str
    name: str
    department_code: str | None
    is_open: bool
    floor: str

    @staticmethod
    def resolve_hall_code(obj):
        return obj.hall.code

    @staticmethod
    def resolve_department_code(obj):
        return obj.department.code if obj.department_id else None


class StaffOut(Schema):
    employee_no: str
    name: str
    department: str | None
    hall: str | None
    roles: list[str]

    @staticmethod
    def resolve_department(obj):
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_hall(obj):
        return obj.hall.name if obj.hall_id else None

    @staticmethod
    def resolve_roles(obj):
        return [r.code for r in obj.roles.all()]


# Lists are paged (limit, offset) in each model's own order, so pages neither overlap nor skip rows.


@router.get("/regions", response=list[RegionOut], summary="行政区划")
def regions(request, limit: int = page_limit(1000), offset: int = page_offset()):
    return page(Region.objects.select_related("parent").all(), limit=limit, offset=offset)


@router.get("/halls", response=list[HallOut], summary="服务大厅与便民服务中心/站")
def halls(request, kind: Hall.Kind | None = None, limit: int = page_limit(1000), offset: int = page_offset()):
    return page(selectors.hall_list(kind=kind), limit=limit, offset=offset)


@router.get("/departments", response=list[DepartmentOut], summary="入驻部门")
def departments(request, limit: int = page_limit(1000), offset: int = page_offset()):
    return page(selectors.department_list(), limit=limit, offset=offset)


@router.get("/windows", response=list[WindowOut], summary="窗口")
def windows(request, hall: str | None = Query(None, max_length=Hall._meta.get_field("code").max_length),
            limit: int = page_limit(1000), offset: int = page_offset()):
    qs = selectors.window_list()
    if hall:
        qs = qs.filter(hall__code=hall)
    return page(qs, limit=limit, offset=offset)


@router.get("/staff", response=list[StaffOut], auth=AUTH, summary="工作人员（本人管辖区划内，需登录）")
def staff(request, limit: int = page_limit(1000), offset: int = page_offset()):
    viewer = selectors.staff_for_user(request.auth if hasattr(request.auth, "pk") else request.user)
    if viewer is None:
        raise PermissionDenied("仅工作人员可查看人员名单")
    return page(selectors.staff_list_for(viewer=viewer), limit=limit, offset=offset)
