from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum, IntEnum

from ninja import Field, Query, Router, Schema

from zhengwu.core.pagination import page, page_limit, page_offset

from . import selectors
from .models import TIERS, BundleMode, ItemKind, ItemVersion, ProjectStage

router = Router(tags=["事项清单"])

ItemKindEnum = Enum("CatalogItemKind", {v: v for v in ItemKind.values}, type=str)
TierEnum = Enum("CatalogTier", {code: code for code, _ in TIERS}, type=str)


class ItemBrief(Schema):
    impl_code: str
    name: str
    department: str
    kind: str
    case_type: str
    legal_limit: int | None
    promised_limit: int
    visits: int
    online_depth: int
    version: int

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_kind(obj):
        return obj.current.get_kind_display()

    @staticmethod
    def resolve_case_type(obj):
        return obj.current.get_case_type_display()

    @staticmethod
    def resolve_legal_limit(obj):
        return obj.current.legal_limit

    @staticmethod
    def resolve_promised_limit(obj):
        return obj.current.promised_limit

    @staticmethod
    def resolve_visits(obj):
        return obj.current.visits

    @staticmethod
    def resolve_online_depth(obj):
        return obj.current.online_depth

    @staticmethod
    def resolve_version(obj):
        return obj.current.version


class StepOut(Schema):
    seq: int
    name: str
    role: str
    days: int


class MaterialOut(Schema):
    seq: int
    name: str
    necessity: str
    form: str
    copies: int
    source: str


class FeeOut(Schema):
    seq: int
    name: str
    amount: Decimal
    unit: str
    basis: str
    waivable: bool


class ItemDetail(ItemBrief):
    basic_code: str
    status: str
    level: str
    legal_limit_unit: str
    promised_limit_unit: str
    max_extension_days: int | None = Field(description="实施清单填写的延期上限（工作日）；空表示按行政许可法第四十二条")
    extension_limit: int = Field(description="办件经负责人批准最多可延长的工作日数（只能延期一次）")
    legal_basis: str
    conditions: str
    special_procedures: list[str]
    handling_tiers: list[str]
    village_intake: bool
    place: str
    hours: str
    consult_channel: str
    complaint_channel: str
    published_at: dt.datetime | None
    steps: list[StepOut]
    materials: list[MaterialOut]
    fees: list[FeeOut]

    @staticmethod
    def resolve_basic_code(obj):
        return obj.current.basic_code

    @staticmethod
    def resolve_status(obj):
        return obj.current.status

    @staticmethod
    def resolve_level(obj):
        return obj.current.level

    @staticmethod
    def resolve_legal_limit_unit(obj):
        return obj.current.legal_limit_unit

    @staticmethod
    def resolve_promised_limit_unit(obj):
        return obj.current.promised_limit_unit

    @staticmethod
    def resolve_max_extension_days(obj):
        return obj.current.max_extension_days

    @staticmethod
    def resolve_extension_limit(obj):
        return obj.current.extension_limit

    @staticmethod
    def resolve_legal_basis(obj):
        return obj.current.legal_basis

    @staticmethod
    def resolve_conditions(obj):
        return obj.current.conditions

    @staticmethod
    def resolve_special_procedures(obj):
        return obj.current.special_procedures

    @staticmethod
    def resolve_handling_tiers(obj):
        return obj.current.handling_tiers

    @staticmethod
    def resolve_village_intake(obj):
        return obj.current.village_intake

    @staticmethod
    def resolve_place(obj):
        return obj.current.place

    @staticmethod
    def resolve_hours(obj):
        return obj.current.hours

    @staticmethod
    def resolve_consult_channel(obj):
        return obj.current.consult_channel

    @staticmethod
    def resolve_complaint_channel(obj):
        return obj.current.complaint_channel

    @staticmethod
    def resolve_published_at(obj):
        return obj.current.published_at

    @staticmethod
    def resolve_steps(obj):
        return list(obj.current.steps.all())

    @staticmethod
    def resolve_materials(obj):
        return list(obj.current.materials.all())

    @staticmethod
    def resolve_fees(obj):
        return list(obj.current.fees.all())


_NAME_MAX = ItemVersion._meta.get_field("name").max_length
_THEME_MAX = ItemVersion._meta.get_field("theme").max_length


_TIER_QUERY = Query(None, description="受理层级：county 县级、town 乡镇、village 村")
_KIND_QUERY = Query(None, description="事项类型")


@router.get("/items", response=list[ItemBrief], summary="检索事项（名称、拼音或拼音首字母）")
def items(request,
          q: str = Query("", max_length=_NAME_MAX, description="事项名称、实施编码、全拼或拼音首字母（如 yyzz）"),
          department_id: int | None = Query(None, ge=1, le=2_147_483_647, description="实施部门 id"),
          theme: str = Query("", max_length=_THEME_MAX, description="主题分类"),
          tier: TierEnum | None = _TIER_QUERY,
          kind: ItemKindEnum | None = _KIND_QUERY,
          limit: int = page_limit(50),
          offset: int = page_offset()):
    return list(page(selectors.item_search(q=q, department_id=department_id, theme=theme,
                                           tier=tier.value if tier else "", kind=kind.value if kind else ""),
                     limit=limit, offset=offset))


@router.get("/items/{impl_code}", response=ItemDetail, summary="事项详情（现行版本）")
def item_detail(request, impl_code: str):
    return selectors.item_get_public(impl_code=impl_code)


# --- bundles (联办事项 / 一件事) ------------------------------------------------------------

BundleModeEnum = Enum("CatalogBundleMode", {v: v for v in BundleMode.values}, type=str)
ProjectStageEnum = IntEnum("CatalogProjectStage", {s.name: s.value for s in ProjectStage})


class BundleMemberOut(Schema):
    seq: int
    item_code: str
    item_name: str
    department: str
    limit_days: int = Field(description="本部门办理时限（工作日）：联办设定的本部门时限，未设定的取事项承诺时限与联办总时限中较短者；0 为即办")


class CombinedMaterialOut(Schema):
    name: str
    necessity: str = Field(description="required 必要、optional 非必要、conditional 容缺后补（任一成员事项必要即为必要）")
    form: str
    copies: int
    item_codes: list[str] = Field(description="要求该材料的成员事项（同名材料只提交一次）")


class BundleOut(Schema):
    code: str
    name: str
    version: int
    lead_department: str
    mode: BundleModeEnum = Field(description="notify 抄告制（牵头部门抄告、各部门并联审查）；meeting 联审制（联审会议）")
    mode_label: str
    promised_days: int = Field(description="联办总承诺时限（工作日），自受理之日起计算")
    deemed: bool = Field(description="适用超时默认：协办部门逾期未答复的视为同意")
    absent_deemed: bool = Field(description="适用缺席默认：无正当理由不参加联合踏勘或联审会议的视为同意")
    project_stage: ProjectStageEnum = Field(
        description="工程建设项目审批阶段：0 不属于，1 立项用地规划许可，2 工程建设许可，3 施工许可，4 竣工验收，5 并行推进")
    project_stage_label: str
    members: list[BundleMemberOut]
    materials: list[CombinedMaterialOut]


class BundleDetail(BundleOut):
    description: str
    inspection_stops_clock: bool
    max_inspection_rounds: int
    published_at: dt.datetime | None


def _bundle_out(bundle, *, detail: bool = False) -> dict:
    v = bundle.current
    members = list(v.members.all())
    codes = {m.item_id: m.item.impl_code for m in members}
    out = {
        "code": bundle.code, "name": v.name, "version": v.version, "lead_department": v.lead_department.name,
        "mode": v.mode, "mode_label": v.get_mode_display(), "promised_days": v.promised_days, "deemed": v.deemed,
        "absent_deemed": v.absent_deemed, "project_stage": v.project_stage,
        "project_stage_label": v.get_project_stage_display(),
        "members": [{"seq": m.seq, "item_code": m.item.impl_code, "item_name": m.item.name,
                     "department": m.item.department.name, "limit_days": selectors.member_limit(m)}
                    for m in members],
        "materials": [{"name": c.name, "necessity": c.necessity, "form": c.form, "copies": c.copies,
                       "item_codes": list(dict.fromkeys(codes[item_id] for item_id, _ in c.uses))}
                      for c in selectors.bundle_materials(v)],
    }
    if detail:
        out.update(description=v.description, inspection_stops_clock=v.inspection_stops_clock,
                   max_inspection_rounds=v.max_inspection_rounds, published_at=v.published_at)
    return out


_STAGE_QUERY = Query(None, description="工程建设项目审批阶段：0 不属于，1 立项用地规划许可，2 工程建设许可，3 施工许可，4 竣工验收，5 并行推进")


@router.get("/bundles", response=list[BundleOut], summary="联办事项（一件事）列表：牵头部门、成员事项、合并材料")
def bundles(request,
            q: str = Query("", max_length=_NAME_MAX, description="联办事项名称、编码，或成员事项的名称、全拼、拼音首字母"),
            department_id: int | None = Query(None, ge=1, le=2_147_483_647, description="牵头或参与的部门 id"),
            stage: ProjectStageEnum | None = _STAGE_QUERY,
            limit: int = page_limit(50),
            offset: int = page_offset()):
    rows = page(selectors.bundle_list(q=q, department_id=department_id,
                                      stage=stage.value if stage is not None else None), limit=limit, offset=offset)
    return [_bundle_out(b) for b in rows]


@router.get("/bundles/{code}", response=BundleDetail, summary="联办事项详情（现行版本）")
def bundle_detail(request, code: str):
    return _bundle_out(selectors.bundle_get_public(code=code), detail=True)


# --- Excel import/export of the whole catalog (中心管理员) ---------------------------------

from django.conf import settings  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.utils import timezone  # noqa: E402
from ninja import File, UploadedFile  # noqa: E402

from zhengwu.api import AUTH  # noqa: E402

from .excel import XLSX_CONTENT_TYPE, catalog_admin_check, catalog_export, catalog_import  # noqa: E402


class ImportErrorOut(Schema):
    sheet: str
    row: int | None
    column: str
    message: str


class ImportReportOut(Schema):
    ok: bool
    dry_run: bool
    summary: str
    created: int
    updated: int
    unchanged: int
    created_codes: list[str]
    updated_codes: list[str]
    bundles_created: list[str] = Field(default_factory=list, description="新增的联办事项编码")
    bundles_updated: list[str] = Field(default_factory=list, description="发布了新版本的联办事项编码")
    bundles_unchanged: list[str] = Field(default_factory=list, description="内容未变的联办事项编码")
    errors: list[ImportErrorOut]


@router.get("/export.xlsx", auth=AUTH, summary="导出事项实施清单（Excel，需中心管理员）")
def export_xlsx(request):
    catalog_admin_check(request.auth)
    data = catalog_export(actor=request.auth)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="catalog-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@router.post("/import", auth=AUTH, response={200: ImportReportOut, 400: ImportReportOut},
             summary="导入事项实施清单（Excel，需中心管理员；有任何错误则不导入并返回全部错误）")
def import_xlsx(request, file: File[UploadedFile], dry_run: bool = False):
    catalog_admin_check(request.auth)
    report = catalog_import(data=file.read(settings.ZHENGWU_MAX_UPLOAD_BYTES + 1), actor=request.auth,
                            dry_run=dry_run)
    # A plain JsonResponse carries the status on every django-ninja version pyproject allows.
    return JsonResponse(report.as_dict(), status=200 if report.ok else 400, json_dumps_params={"ensure_ascii": False})
