"""工程建设项目 pages: the list (staff and leaders, overdue first, days-used bars), the project page (stages
timeline, each stage's joint case, days used against the limits, what blocks it), the register form and the
centre's actions (link a stage, refresh, close).

Thin views: reads through ``selectors`` (scope checked there), each change through one ``services`` function;
a refused change is a ``DomainError`` whose Chinese message is shown as it is.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.pages import staff_pages
from zhengwu.joint.models import JointCase
from zhengwu.org.models import Region, Role

from . import scope, selectors, services
from .models import CurrentStage, LandSource, Project, ProjectStatus, StageCode

PAGE = 50
FORM_FIELDS = ["code", "name", "owner_name", "owner_uscc", "investment", "land_source", "land_area",
               "building_area", "region"]


projects_staff = staff_pages("projects/message.html", "工程建设项目页面仅限在岗工作人员使用。")


def _ctx(request, **extra) -> dict:
    staff = request.staff
    return {"staff": staff, "can_register": scope.can_register_at(staff, staff.hall),
            "is_leader": staff.has_role(Role.LEADER, Role.SUPERVISOR), **extra}


@projects_staff
def project_list(request):
    staff = request.staff
    stage = request.GET.get("stage", "")
    stage = int(stage) if stage.isdigit() and int(stage) in CurrentStage.values else None
    status = request.GET.get("status", "open")
    status = status if status in (*ProjectStatus.values, "open", "all") else "open"
    q = (request.GET.get("q") or "").strip()[:40]
    qs = selectors.project_list_for_staff(staff=staff, stage=stage, q=q,
                                          status=status if status in ProjectStatus.values else "")
    if status == "open":
        qs = qs.exclude(status=ProjectStatus.CLOSED)
    rows = selectors.progress_sorted(selectors.progress_many(qs, today=clock.today()))
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    counts = {s: 0 for s in CurrentStage.values}
    for r in rows:
        counts[r.project.stage] += 1
    return render(request, "projects/list.html", _ctx(
        request, page=page, rows=page.object_list, stage=stage, status=status, q=q, total=len(rows),
        stages=[(v, label, counts[v]) for v, label in CurrentStage.choices],
        statuses=[("open", "未关闭"), *ProjectStatus.choices, ("all", "全部")],
        over=sum(1 for r in rows if r.overdue)))


@projects_staff
def project_detail(request, code: str):
    staff = request.staff
    project = selectors.project_get_for_staff(code=code[:40], staff=staff)
    progress = selectors.progress_of(project, today=clock.today())
    can_manage = scope.can_manage(staff, project)
    link_stages = []
    if can_manage and project.status == ProjectStatus.ACTIVE:
        if project.stage in StageCode.values and project.stage != StageCode.PARALLEL:
            link_stages.append((project.stage, StageCode(project.stage).label))
        link_stages.append((StageCode.PARALLEL.value, StageCode.PARALLEL.label))
    return render(request, "projects/detail.html", _ctx(
        request, project=project, progress=progress, can_manage=can_manage, link_stages=link_stages,
        events=list(project.events.order_by("at", "id")), stage_labels=dict(StageCode.choices),
        is_open=project.status == ProjectStatus.ACTIVE))


@projects_staff
def project_register(request):
    staff = request.staff
    if not scope.can_register_at(staff, staff.hall):
        raise PermissionDenied("工程建设项目由政务服务中心综合窗口的工作人员或中心管理员登记")
    form = {f: (request.POST.get(f) or "").strip() for f in FORM_FIELDS} if request.method == "POST" else {
        "region": staff.hall.region.code}
    error = ""
    if request.method == "POST":
        try:
            region = Region.objects.filter(code=form["region"]).first() if form["region"] else None
            if form["region"] and region is None:
                raise DomainError("unknown_region", "请选择项目所在地")
            project = services.project_register(
                staff=staff, code=form["code"], name=form["name"], owner_name=form["owner_name"],
                owner_uscc=form["owner_uscc"], investment=form["investment"], land_source=form["land_source"],
                land_area=form["land_area"], building_area=form["building_area"], region=region)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"工程建设项目 {project.code} 已登记")
            return redirect("projects:detail", code=project.code)
    regions = Region.objects.filter(code__startswith=staff.hall.region.code_prefix).exclude(
        level=Region.Level.VILLAGE).order_by("code")
    return render(request, "projects/register.html", _ctx(
        request, form=form, error=error, land_sources=LandSource.choices, regions=regions),
        status=422 if error else 200)


def _done(request, project: Project, text: str):
    messages.success(request, text)
    return redirect("projects:detail", code=project.code)


def _failed(request, project: Project, exc: DomainError):
    messages.error(request, exc.message)
    return redirect("projects:detail", code=project.code)


@require_POST
@projects_staff
def project_link(request, code: str):
    staff = request.staff
    project = selectors.project_get_for_staff(code=code[:40], staff=staff)
    try:
        stage = int(request.POST.get("stage") or 0)
        case_no = (request.POST.get("joint_case_no") or "").strip()[:40]
        joint = JointCase.objects.filter(case_no=case_no).first()
        if joint is None:
            raise DomainError("joint_not_found", f"没有编号为“{case_no}”的联办件")
        services.project_stage_link(project=project, stage=stage, joint=joint, staff=staff)
    except ValueError:
        return _failed(request, project, DomainError("invalid_stage", "请选择阶段"))
    except DomainError as exc:
        return _failed(request, project, exc)
    return _done(request, project, f"已关联联办件 {case_no}")


@require_POST
@projects_staff
def project_refresh(request, code: str):
    staff = request.staff
    project = selectors.project_get_for_staff(code=code[:40], staff=staff)
    try:
        project = services.project_stage_refresh(project=project, actor=staff)
    except DomainError as exc:
        return _failed(request, project, exc)
    return _done(request, project, f"阶段进度已更新：{CurrentStage(project.stage).label}")


@require_POST
@projects_staff
def project_close(request, code: str):
    staff = request.staff
    project = selectors.project_get_for_staff(code=code[:40], staff=staff)
    try:
        services.project_close(project=project, staff=staff, reason=(request.POST.get("reason") or "")[:300])
    except DomainError as exc:
        return _failed(request, project, exc)
    return _done(request, project, "项目已关闭")
