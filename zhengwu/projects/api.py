"""The 工程建设项目 API (mounted under /api/projects): list and read projects with their stages, days used and
blockers; register; act (link a stage's joint case, refresh, close). Staff only, scope as in ``scope.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum, IntEnum

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH, column
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.pagination import page_limit, page_offset
from zhengwu.joint.models import JointCase, JointStatus
from zhengwu.org.models import Region
from zhengwu.org.selectors import staff_for_user

from . import scope, selectors, services
from .models import CurrentStage, LandSource, Project, ProjectStatus, StageCode

router = Router(tags=["工程建设项目"], auth=AUTH)


def _enum(name: str, values) -> type[Enum]:
    return Enum(name, {v: v for v in values}, type=str)


StageCodeEnum = IntEnum("ProjectStageCode", {f"STAGE_{v}": v for v in StageCode.values})
CurrentStageEnum = IntEnum("ProjectCurrentStage", {f"STAGE_{v}": v for v in CurrentStage.values})
ProjectStatusEnum = _enum("ProjectStatus", ProjectStatus.values)
LandSourceEnum = _enum("ProjectLandSource", LandSource.values)
JointStatusEnum = _enum("ProjectJointStatus", JointStatus.values)
StageStateEnum = _enum("ProjectStageState", ["waiting", "pending", "running", "finished", "failed"])
BlockerKindEnum = _enum("ProjectBlockerKind", ["no_joint", "joint_pending", "child", "lead_result"])
ProjectActionEnum = _enum("ProjectAction", ["link_stage", "refresh", "close"])
MAX_AMOUNT = Decimal("999999999999.99")
MAX_AREA = Decimal("9999999999.99")


class ErrorOut(Schema):
    code: str = Field(description="错误代码（供程序判断）")
    message: str = Field(description="中文提示（原样显示给用户）")
    details: dict | list | None = None


def _errors(*codes: int) -> dict:
    return dict.fromkeys(codes, ErrorOut)


class ProjectIn(Schema):
    code: str = Field(max_length=30, description="投资项目代码，如 2026-130621-47-01-000001")
    name: str = column(Project, "name", description="项目名称")
    owner_name: str = column(Project, "owner_name", description="建设单位名称")
    owner_uscc: str = Field(max_length=30, description="建设单位统一社会信用代码（18位，校验位检查）")
    investment: Decimal = Field(ge=0, le=MAX_AMOUNT, max_digits=14, decimal_places=2, description="总投资（万元）")
    land_source: LandSourceEnum = Field(description="土地获取方式：" + "、".join(
        f"{v} {label}" for v, label in LandSource.choices))
    land_area: Decimal = Field(ge=0, le=MAX_AREA, max_digits=12, decimal_places=2, description="用地面积（平方米）")
    building_area: Decimal = Field(ge=0, le=MAX_AREA, max_digits=12, decimal_places=2,
                                   description="建筑面积（平方米）")
    region: str = Field("", max_length=12, description="项目所在地的12位区划代码（默认为登记大厅所在区划）")


class ActionIn(Schema):
    stage: StageCodeEnum | None = Field(None, description="link_stage：阶段 1 立项用地规划许可、2 工程建设许可、"
                                                          "3 施工许可、4 竣工验收、5 并行推进")
    joint_case_no: str = column(JointCase, "case_no", "", description="link_stage：本阶段联办件编号")
    reason: str = column(Project, "close_reason", "", description="close：关闭原因（必填）")


class StageOut(Schema):
    stage: StageCodeEnum
    name: str
    limit_days: int = Field(description="阶段时限（工作日）")
    joint_case_no: str | None = Field(description="本阶段联办件编号")
    joint_status: JointStatusEnum | None
    joint_status_label: str
    lead_department: str = Field(description="牵头部门")
    started_on: dt.date | None = Field(description="联办件受理日")
    finished_on: dt.date | None = Field(description="联办件办结日")
    days_used: int = Field(description="已用工作日（受理日次日起至办结日或今日）")
    over_limit: bool
    state: StageStateEnum = Field(description="waiting 未关联联办件、pending 待受理、running 办理中、finished 已完成、"
                                              "failed 联办件未获办理")


class BlockerOut(Schema):
    kind: BlockerKindEnum = Field(description="no_joint 未关联本阶段联办件、joint_pending 联办件待受理、"
                                              "child 未办结的子件、lead_result 待牵头部门出具联合审批结果")
    text: str
    department: str
    case_no: str
    item: str
    status_label: str
    due_date: dt.date | None
    overdue: bool
    deemed: bool = Field(description="已由监察发出超时默认通知单")
    notice_no: str


class ProjectBrief(Schema):
    code: str
    name: str
    owner_name: str
    stage: CurrentStageEnum = Field(description="当前阶段 1–4，5 为全部完成")
    stage_name: str
    status: ProjectStatusEnum
    region: str = Field(description="项目所在地")
    hall: str = Field(description="登记大厅")
    days_used: int = Field(description="全流程已用工作日（四个阶段之和，阶段之间申请人的时间不计）")
    limit_days: int = Field(description="全流程审批时限（工作日）")
    over_limit: bool = Field(description="全流程超过时限")
    overdue: bool = Field(description="全流程或某一阶段超过时限")
    stage_days_used: int | None = Field(description="当前阶段已用工作日")
    stage_limit_days: int | None = Field(description="当前阶段时限")


class ProjectOut(ProjectBrief):
    owner_uscc: str
    investment: Decimal
    land_source: LandSourceEnum
    land_area: Decimal
    building_area: Decimal
    registered_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    close_reason: str
    stages: list[StageOut]
    parallel: StageOut | None = Field(description="并行推进事项")
    blockers: list[BlockerOut] = Field(description="当前阶段的卡点")
    can_manage: bool = Field(description="当前用户可关联阶段、更新进度、关闭项目")


def _staff(request):
    user = request.auth if hasattr(request.auth, "pk") else request.user
    staff = staff_for_user(user)
    if staff is None:
        raise PermissionDenied("工程建设项目仅限工作人员查看", code="not_staff")
    return staff


def _stage_out(s: selectors.StageView) -> dict:
    j = s.joint
    return {"stage": s.stage, "name": s.label, "limit_days": s.limit_days, "joint_case_no": j.case_no if j else None,
            "joint_status": j.status if j else None, "joint_status_label": JointStatus(j.status).label if j else "",
            "lead_department": j.lead_department.name if j else "", "started_on": s.started_on,
            "finished_on": s.finished_on, "days_used": s.days_used, "over_limit": s.over_limit, "state": s.state}


def _brief(pr: selectors.Progress) -> dict:
    p, cur = pr.project, pr.current
    return {"code": p.code, "name": p.name, "owner_name": p.owner_name, "stage": p.stage,
            "stage_name": CurrentStage(p.stage).label, "status": p.status, "region": p.region.name,
            "hall": p.hall.name, "days_used": pr.days_used, "limit_days": pr.limit_days, "over_limit": pr.over_limit,
            "overdue": pr.overdue, "stage_days_used": cur.days_used if cur else None,
            "stage_limit_days": cur.limit_days if cur else None}


def _out(pr: selectors.Progress, staff) -> dict:
    p = pr.project
    return {**_brief(pr), "owner_uscc": p.owner_uscc, "investment": p.investment, "land_source": p.land_source,
            "land_area": p.land_area, "building_area": p.building_area, "registered_by": p.registered_by.name,
            "created_at": p.created_at, "closed_at": p.closed_at, "close_reason": p.close_reason,
            "stages": [_stage_out(s) for s in pr.stages],
            "parallel": _stage_out(pr.parallel) if pr.parallel else None,
            "blockers": [b.__dict__ for b in pr.blockers], "can_manage": scope.can_manage(staff, p)}


def _detail(code: str, staff) -> dict:
    project = selectors.project_get_for_staff(code=code, staff=staff)
    return _out(selectors.progress_of(project, today=clock.today()), staff)


_STAGE_QUERY = Query(None, description="当前阶段 1–4，5 为全部完成")
_OVERDUE_QUERY = Query(None, description="true：只看超过时限的项目；false：只看未超时的")
_Q_QUERY = Query("", max_length=40, description="按项目代码、名称或建设单位查找")


@router.get("", response={200: list[ProjectBrief], **_errors(401, 403, 422)},
            summary="工程建设项目列表（超时的在前）",
            description="综合窗口和中心管理员：本大厅登记的项目；领导、效能监察员：本辖区的项目；部门：本部门参与的项目。"
                        "超过全流程或阶段时限的排在前面，其次按已用时间占时限的比例。")
def project_list(request,
                 stage: CurrentStageEnum | None = _STAGE_QUERY,
                 status: ProjectStatusEnum | None = None,
                 overdue: bool | None = _OVERDUE_QUERY,
                 q: str = _Q_QUERY,
                 limit: int = page_limit(50),
                 offset: int = page_offset()):
    staff = _staff(request)
    qs = selectors.project_list_for_staff(staff=staff, stage=stage.value if stage else None,
                                          status=status.value if status else "", q=q.strip())
    rows = selectors.progress_sorted(selectors.progress_many(qs,
                                                             today=clock.today()))
    if overdue is not None:
        rows = [r for r in rows if r.overdue == overdue]
    return [_brief(r) for r in rows[offset:offset + limit]]


@router.post("", response={201: ProjectOut, **_errors(400, 401, 403, 409, 422)},
             summary="登记工程建设项目（政务服务中心综合窗口、中心管理员）")
def project_create(request, body: ProjectIn):
    staff = _staff(request)
    region = None
    if body.region:
        region = Region.objects.filter(code=body.region).first()
        if region is None:
            raise DomainError("unknown_region", f"没有代码为“{body.region}”的区划", status=422)
    project = services.project_register(
        staff=staff, code=body.code, name=body.name, owner_name=body.owner_name, owner_uscc=body.owner_uscc,
        investment=body.investment, land_source=body.land_source.value, land_area=body.land_area,
        building_area=body.building_area, region=region)
    return HttpStatus(201, _detail(project.code, staff))


@router.get("/{code}", response={200: ProjectOut, **_errors(401, 403, 404)},
            summary="工程建设项目详情（各阶段联办件、已用时间与时限、卡点）")
def project_get(request, code: str):
    return _detail(code[:40], _staff(request))


@router.post("/{code}/actions/{action}", response={200: ProjectOut, **_errors(400, 401, 403, 404, 409, 422)},
             summary="工程建设项目操作",
             description="link_stage 关联阶段联办件（stage、joint_case_no）、refresh 按联办件更新阶段进度、"
                         "close 关闭项目（reason）")
def project_act(request, code: str, action: ProjectActionEnum, body: ActionIn | None = None):
    staff = _staff(request)
    body = body or ActionIn()
    project = selectors.project_get_for_staff(code=code[:40], staff=staff)
    a = action.value
    if a == "link_stage":
        if body.stage is None or not body.joint_case_no.strip():
            raise DomainError("link_input", "请填写阶段（stage）和本阶段联办件编号（joint_case_no）", status=422)
        joint = JointCase.objects.filter(case_no=body.joint_case_no.strip()).first()
        if joint is None:
            raise NotFound(f"没有编号为“{body.joint_case_no.strip()}”的联办件")
        services.project_stage_link(project=project, stage=int(body.stage), joint=joint, staff=staff)
    elif a == "refresh":
        services.project_stage_refresh(project=project, actor=staff)
    elif a == "close":
        services.project_close(project=project, staff=staff, reason=body.reason)
    return _detail(project.code, staff)
