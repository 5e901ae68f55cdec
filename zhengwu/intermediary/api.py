"""The intermediary API (``/api/intermediary``): the service list, the agency directory, purchases and their
verifiable draws (public reads); the owner's purchases and their actions as
``POST /api/intermediary/purchases/{id}/actions/{action}`` (files through ``…/uploads/{action}``, multipart);
the agency's entry, certificates, staff, offerings, changes and appeals; the administrator's review, sanctions,
scores and monthly credit; the supervisor's department score and credit records.

The public reads need no login and show what the public pages show (``selectors``: no 待发布 purchase, no ID
number, no sign-up before the selection). Everything else needs a session or a token (``zhengwu.api.AUTH``);
the services check who may do what, and every refusal is ``{code, message}`` in Chinese.
"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from ninja import File, Form, Path, Query, Router
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from zhengwu.api import AUTH
from zhengwu.cases.api_docs import _errors
from zhengwu.catalog.models import Item
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.pagination import page, page_limit, page_offset
from zhengwu.core.validators import mask_id_number
from zhengwu.org.models import Region, Role

from . import selectors
from .api_schemas import (
    ActionIn,
    ActionOut,
    AgencyBrief,
    AgencyDetail,
    AgencyIn,
    AgencyPrivate,
    AgencyUpdateIn,
    AppealDecideIn,
    AppealIn,
    AppealOut,
    ApprovalTimeOut,
    CertificateIn,
    ChangeOut,
    ComputeIn,
    ComputeOut,
    CreditEventIn,
    CreditEventOut,
    CreditOut,
    DrawOut,
    IntermediaryAction,
    IntermediaryAgencyStatus,
    IntermediaryAgencyStatusAction,
    IntermediaryFileKind,
    IntermediaryMode,
    IntermediaryPurchaseStatus,
    IntermediaryUploadAction,
    ItemServiceOut,
    MySignupOut,
    OfferingIn,
    OfferingOut,
    OwnerIn,
    OwnerOut,
    PractitionerIn,
    PractitionerOut,
    PurchaseBrief,
    PurchaseCreated,
    PurchaseIn,
    PurchaseOut,
    QueueOut,
    ReasonIn,
    ReviewIn,
    ScoreIn,
    ScoreOut,
    ServiceDetailOut,
    ServiceOut,
    UploadActionIn,
    WorkbenchOut,
)
from .models import Agency, AgencyChange, Appeal, Purchase, Qualification, Service

router = Router(tags=["网上中介服务超市"])

ID = {"ge": 1, "le": 2**63 - 1}
_AGENCY_ID = Path(..., description="中介机构 id", **ID)
_PURCHASE_ID = Path(..., description="采购公告 id", **ID)
_Q = Query("", max_length=100, description="按名称、编号查找")
_ITEM_ID_Q = Query(None, description="需要该服务的审批事项 id", **ID)
_REGION_Q = Query("", max_length=12, description="区划代码（含上级区划设定的事项）")
_SERVICE_Q = Query("", max_length=32, description="中介服务事项编码")
_GRADE_Q = Query("", max_length=1, pattern="^[A-Za-z]?$", description="信用等级（A–E）")
_MONTH_Q = Query(None, description="月份（该月任一日，如 2026-03-01）")
_STATUS_Q = Query(None, description="状态")
_MODE_Q = Query(None, description="选取方式")
_LICENCE = File(None, description="营业执照")
_PLEDGE = File(None, description="承诺书（上传即签署）")
_CERT_FILE = File(None, description="证书扫描件")
_CHANGE_ID = Path(..., description="变更 id", **ID)
_APPEAL_ID = Path(..., description="申诉 id", **ID)
_SIGNUP_ID_Q = Query(None, description="报名 id（proposal 时必填）", **ID)
_UPLOAD = File(..., description="上传的文件：服务方案 PDF（signup）、合同文本（register_contract）、服务成果（deliver）")

# The fields of ``ActionIn`` each action passes to ``purchases.purchase_act`` (its docstring lists them).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "publish": (), "signup": ("quote", "discount", "agency_id"), "withdraw_signup": ("agency_id",),
    "close_signup": (), "select": ("agency_id",), "pick": ("agency_id",), "confirm": (), "decline": ("reason",),
    "register_contract": ("amount", "signed_on", "service_start"), "request_extension": ("days", "reason"),
    "decide_extension": ("approve",), "deliver": ("note",),
    "rate": ("quality", "timeliness", "price", "attitude", "comment"), "terminate": ("reason",),
    "cancel": ("reason",), "republish": ("signup_deadline", "select_at"),
}
# The upload field's name in ``purchase_act``'s data, per action.
UPLOAD_FIELD = {"signup": "proposal", "register_contract": "file", "deliver": "result_file"}
UPLOAD_FORM_FIELDS = {"signup": ("quote", "discount", "agency_id"),
                      "register_contract": ("amount", "signed_on", "service_start"), "deliver": ("note",)}


def _user(request):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _value(choice) -> str:
    return choice.value if choice is not None else ""


# -- the service list (public) ---------------------------------------------------------------------------------


@router.get("/services", response={200: list[ServiceOut], **_errors(422)}, auth=None,
            summary="中介服务事项清单（公开：在用的事项）")
def service_list(request, q: str = _Q,
                 item_id: int | None = _ITEM_ID_Q,
                 region: str = _REGION_Q,
                 limit: int = page_limit(100), offset: int = page_offset()):
    qs = selectors.services_list(region=region or None, q=q, item_id=item_id)
    return [selectors.service_row(s) for s in page(qs, limit=limit, offset=offset)]


@router.get("/services/{code}", response={200: ServiceDetailOut, **_errors(404)}, auth=None,
            summary="中介服务事项详情：设定依据、需要它的审批事项、承接的中介机构")
def service_detail(request, code: str):
    return selectors.service_public(selectors.service_get(code[:32]))


@router.get("/items/{item_code}/services", response={200: list[ItemServiceOut], **_errors(404)}, auth=None,
            summary="审批事项需要的中介服务（办事指南：受理条件在前，审查中委托在后）")
def item_services(request, item_code: str):
    from .services.catalog import services_for_item

    item = Item.objects.filter(impl_code=item_code[:64]).first()
    if item is None:
        raise NotFound("未找到该审批事项", code="item_not_found")
    return [{"service": selectors.service_row(link.service), "basis": link.basis, "stage": link.stage,
             "stage_label": link.get_stage_display(), "review_limit": link.review_limit}
            for link in services_for_item(item)]


# -- the agency directory (public) -------------------------------------------------------------------------------


@router.get("/agencies", response={200: list[AgencyBrief], **_errors(422)}, auth=None,
            summary="中介机构名录（公开：已入驻、暂停选取的机构；资质、收费区间、完成服务数、平均评价、信用等级）")
def agency_list(request, q: str = _Q,
                service: str = _SERVICE_Q,
                grade: str = _GRADE_Q,
                limit: int = page_limit(50), offset: int = page_offset()):
    return selectors.agencies_directory(service_code=service, grade=grade, q=q, limit=limit, offset=offset)


@router.get("/agencies/{agency_id}", response={200: AgencyDetail, **_errors(404, 422)}, auth=None,
            summary="中介机构详情（公开；执业人员身份证号部分隐藏）")
def agency_detail(request, agency_id: int = _AGENCY_ID):
    return selectors.agency_public(agency_id)


@router.get("/agencies/{agency_id}/credit", response={200: CreditOut, **_errors(404, 422)}, auth=None,
            summary="中介机构信用评价及计算说明（公开；默认最近一个月）")
def agency_credit(request, agency_id: int = _AGENCY_ID,
                  month: dt.date | None = _MONTH_Q):
    return selectors.credit_explained(agency_id, month)


# -- purchases (public) -------------------------------------------------------------------------------------------


@router.get("/purchases", response={200: list[PurchaseBrief], **_errors(422)}, auth=None,
            summary="采购公告列表（公开：已发布的；选取前不含报名信息）")
def purchase_list(request, status: IntermediaryPurchaseStatus | None = _STATUS_Q,
                  mode: IntermediaryMode | None = _MODE_Q,
                  service: str = _SERVICE_Q, q: str = _Q,
                  limit: int = page_limit(50), offset: int = page_offset()):
    return selectors.purchases_public(status=_value(status), mode=_value(mode), service_code=service, q=q,
                                      limit=limit, offset=offset)


@router.get("/purchases/{code}", response={200: PurchaseOut, **_errors(404)}, auth=None,
            summary="采购公告详情（公开：选取前公布随机种子承诺值；选取后公布报名机构、种子和选取过程）")
def purchase_detail(request, code: str):
    return selectors.purchase_public(code[:32])


@router.get("/purchases/{code}/draw", response={200: DrawOut, **_errors(404)}, auth=None,
            summary="随机选取的承诺与揭示（公开验证记录）",
            description="发布时公布随机种子的 SHA-256 承诺值；选取后公布种子、候选名单和规则，任何人可按 recipe 重新计算中选结果，"
                        "recomputed 为平台按公开记录重新计算的结果。")
def purchase_draw(request, code: str):
    return selectors.draw_get(code[:32])


# -- purchases (owner, agencies, administrator) ----------------------------------------------------------------


def _owner_for(user, owner_id: int | None):
    owners = user.intermediary_owners.all() if getattr(user, "is_authenticated", False) else None
    if owners is None:
        raise PermissionDenied("请先登录")
    if owner_id is not None:
        owner = owners.filter(pk=owner_id).first()
        if owner is None:
            raise PermissionDenied("您不是该项目业主的经办人")
        return owner
    rows = list(owners.order_by("pk")[:2])
    if not rows:
        raise PermissionDenied("您的账号未登记为项目业主的经办人")
    if len(rows) > 1:
        raise DomainError("intermediary_owner_required", "您是多个项目业主的经办人，请指明项目业主（owner_id）")
    return rows[0]


@router.post("/purchases", response={201: PurchaseCreated, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="登记采购需求（项目业主的经办人；待发布，发布用 actions/publish）",
             description="机关事业单位为申请人的行政审批直接选取中介机构的、财政性资金达到政府采购限额的，拒绝并引用条文；"
                         "价格、选取方式、名单数不自洽的，中文说明原因，不作任何登记。")
def purchase_create(request, payload: PurchaseIn):
    from .services.purchases import purchase_create as create

    user = _user(request)
    owner = _owner_for(user, payload.owner_id)
    service = Service.objects.filter(code=payload.service.strip()).first()
    if service is None:
        raise NotFound(f"中介服务事项清单内没有编码为“{payload.service}”的事项", code="intermediary_service_not_found")
    qualification = None
    if payload.qualification:
        qualification = Qualification.objects.filter(code=payload.qualification.strip()).first()
        if qualification is None:
            raise NotFound(f"未找到资质类别“{payload.qualification}”", code="intermediary_qualification_not_found")
    item = None
    if payload.item:
        item = Item.objects.filter(impl_code=payload.item.strip()).first()
        if item is None:
            raise NotFound(f"未找到审批事项“{payload.item}”", code="item_not_found")
    case = None
    if payload.case:
        from zhengwu.cases.models import Case

        case = Case.objects.filter(case_no=payload.case.strip()).first()
        if case is None:
            raise NotFound(f"未找到办件“{payload.case}”", code="case_not_found")
    p = create(owner=owner, user=user, service=service, title=payload.title, content=payload.content,
               service_days=payload.service_days, funding=payload.funding.value, mode=payload.mode.value,
               signup_deadline=payload.signup_deadline, select_at=payload.select_at,
               price_mode=payload.price_mode.value, price_fixed=payload.price_fixed, price_min=payload.price_min,
               price_max=payload.price_max, base_amount=payload.base_amount, discount_max=payload.discount_max,
               bidding_rule=_value(payload.bidding_rule), merit_rule=_value(payload.merit_rule),
               long_list=payload.long_list, short_list=payload.short_list, qualification=qualification,
               for_approval=payload.for_approval, item=item, case=case, contact_name=payload.contact_name,
               contact_phone=payload.contact_phone)
    return HttpStatus(201, {"id": p.pk, "code": p.code, "status": p.status, "status_label": p.get_status_display(),
                            "min_participants": p.min_participants})


def _workbench(purchase_id: int, user) -> dict:
    view = selectors.purchase_for_user(purchase_id=purchase_id, user=user)
    return {"roles": view["roles"], "actions": view["actions"], "purchase": view["view"],
            "my_signup": view["my_signup"], "signups": view["signups"], "signup_count": view["signup_count"],
            "extensions": view["extensions"], "events": view["events"]}


@router.get("/purchases/{purchase_id}/workbench", response={200: WorkbenchOut, **_errors(401, 403, 404, 422)},
            auth=AUTH, summary="采购项目办理信息（业主经办人、报名机构、超市管理员、行业主管部门监管人员）",
            description="选取前报名机构只能看到自己的报名，业主、管理员和监管人员看不到报名机构及报名数。")
def purchase_workbench(request, purchase_id: int = _PURCHASE_ID):
    return _workbench(purchase_id, _user(request))


def _act(purchase_id: int, user, action: str, data: dict) -> dict:
    from .services.purchases import purchase_act

    if not Purchase.objects.filter(pk=purchase_id).exists():
        raise NotFound("未找到该采购公告", code="intermediary_purchase_not_found")
    result = purchase_act(purchase_id=purchase_id, user=user, action=action, data=data)
    p = Purchase.objects.get(pk=purchase_id)
    return {"id": p.pk, "code": p.code, "status": p.status, "status_label": p.get_status_display(),
            "action": action, "result": {k: _plain(v) for k, v in result.items()}}


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@router.post("/purchases/{purchase_id}/actions/{action}", response={200: ActionOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH,
             summary="采购操作：publish 发布、signup 报名、withdraw_signup 撤回报名、close_signup 报名截止、select 选取、"
                     "pick 业主选定、confirm 中选机构确认、decline 中选机构放弃、register_contract 登记合同、"
                     "request_extension 申请延期、decide_extension 同意/不同意延期、deliver 提交服务成果、rate 服务评价、"
                     "terminate 中止服务、cancel 取消采购、republish 重新采购",
             description="每个操作只使用请求体中与之相关的字段。需要上传文件的（方案择优的服务方案、合同文本、服务成果）"
                         "请用 POST /purchases/{id}/uploads/{action}（multipart）。报价超出限价、报名截止后报名、"
                         "机关为申请人指定中介机构等，答复中文说明，采购不作任何改变。")
def purchase_action(request, action: IntermediaryAction, purchase_id: int = _PURCHASE_ID,
                    body: ActionIn | None = None):
    b = body or ActionIn()
    if action.value == "decide_extension" and b.approve is None:
        raise DomainError("missing_field", "请选择是否同意延期（approve：true 同意，false 不同意）")
    data = {name: getattr(b, name) for name in ACTION_FIELDS[action.value]}
    return _act(purchase_id, _user(request), action.value, data)


@router.post("/purchases/{purchase_id}/uploads/{action}", response={200: ActionOut, **_errors(400, 401, 403, 404, 413, 422)},
             auth=AUTH, summary="带文件的采购操作（multipart，文件字段 file）：signup 报名并上传服务方案（PDF）、"
                                "register_contract 登记合同并上传合同文本、deliver 提交服务成果",
             description="其余字段与 actions 接口相同（表单字段）。文件类型或大小不符的，中文说明，采购不作任何改变。")
def purchase_upload(request, action: IntermediaryUploadAction, purchase_id: int = _PURCHASE_ID,
                    file: UploadedFile = _UPLOAD, form: Form[UploadActionIn] = None):
    f = form or UploadActionIn()
    data = {name: getattr(f, name) for name in UPLOAD_FORM_FIELDS[action.value]}
    data[UPLOAD_FIELD[action.value]] = file
    return _act(purchase_id, _user(request), action.value, data)


FILE_RESPONSE = {"responses": {200: {"description": "文件（附件下载）",
                                     "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                         "format": "binary"}}}}}}


@router.get("/purchases/{purchase_id}/files/{kind}", response=_errors(401, 403, 404, 422), auth=AUTH,
            openapi_extra=FILE_RESPONSE,
            summary="下载采购项目的文件：proposal 服务方案（signup_id 指明报名）、contract 合同文本、result 服务成果",
            description="服务方案：报名机构本身随时可下载；直接选取、方案择优的业主和管理员自报名截止起可下载；其他人自选取起。"
                        "合同和成果：业主经办人、中选机构、超市管理员和行业主管部门监管人员。")
def purchase_file(request, kind: IntermediaryFileKind, purchase_id: int = _PURCHASE_ID,
                  signup_id: int | None = _SIGNUP_ID_Q):
    f = selectors.purchase_file(purchase_id=purchase_id, user=_user(request), kind=kind.value, signup_id=signup_id)
    name = f.name.rsplit("/", 1)[-1]
    try:
        handle = f.open("rb")
    except FileNotFoundError:
        raise NotFound("文件已不在存储中，请联系超市管理员", code="file_missing") from None
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/octet-stream")


# -- the user's own ------------------------------------------------------------------------------------------------


def _owner_out(o) -> dict:
    return {"id": o.pk, "kind": o.kind, "name": o.name, "uscc": o.uscc, "id_number": mask_id_number(o.id_number),
            "contact_name": o.contact_name, "contact_phone": o.contact_phone}


@router.post("/owners", response={201: OwnerOut, **_errors(400, 401, 403, 422)}, auth=AUTH,
             summary="登记项目业主（登录账号成为其经办人）",
             description="自然人按身份证号、企业和机关事业单位按统一社会信用代码核验校验码；机关事业单位须由该部门的在岗"
                         "工作人员登记。已登记的单位不能凭代码加入，须由其现有经办人添加。")
def owner_register(request, payload: OwnerIn):
    from .services.owners import owner_register as register

    user = _user(request)
    staff = getattr(user, "staff", None)
    owner = register(user=user, kind=payload.kind.value, name=payload.name, contact_name=payload.contact_name,
                     contact_phone=payload.contact_phone, uscc=payload.uscc, id_number=payload.id_number,
                     department=getattr(staff, "department", None) if payload.kind.value == "government" else None)
    return HttpStatus(201, _owner_out(owner))


@router.get("/my/owners", response={200: list[OwnerOut], **_errors(401, 422)}, auth=AUTH,
            summary="我作为经办人的项目业主")
def my_owners(request):
    return [_owner_out(o) for o in selectors.my_owners(_user(request))]


@router.get("/my/purchases", response={200: list[PurchaseBrief], **_errors(401, 422)}, auth=AUTH,
            summary="我的采购（项目业主经办人：含待发布的）")
def my_purchases(request, limit: int = page_limit(50), offset: int = page_offset()):
    return [selectors.purchase_row(p) for p in page(selectors.my_purchases(_user(request)), limit=limit,
                                                    offset=offset)]


@router.get("/my/signups", response={200: list[MySignupOut], **_errors(401, 422)}, auth=AUTH,
            summary="我的报名（中介机构经办人）")
def my_signups(request, limit: int = page_limit(50), offset: int = page_offset()):
    rows = page(selectors.my_signups(_user(request)), limit=limit, offset=offset)
    return [{"id": s.pk, "purchase_id": s.purchase_id, "purchase_code": s.purchase.code,
             "purchase_title": s.purchase.title, "purchase_status": s.purchase.status,
             "purchase_status_label": s.purchase.get_status_display(), "agency": s.agency.name, "at": s.at,
             "quote": s.quote, "discount": s.discount, "status": s.status, "status_label": s.get_status_display()}
            for s in rows]


@router.get("/my/agency", response={200: AgencyPrivate, **_errors(401, 404)}, auth=AUTH,
            summary="本机构的入驻信息（中介机构经办人）")
def my_agency(request):
    agency = selectors.my_agency(_user(request))
    if agency is None:
        raise NotFound("您的账号尚未登记为中介机构的经办人", code="intermediary_agency_not_found")
    return _private(agency.pk)


@router.get("/my/open-purchases", response={200: list[PurchaseBrief], **_errors(401, 404, 422)}, auth=AUTH,
            summary="本机构可报名的采购公告（报名中、本机构承接的服务）")
def my_open_purchases(request, limit: int = page_limit(50), offset: int = page_offset()):
    agency = selectors.my_agency(_user(request))
    if agency is None:
        raise NotFound("您的账号尚未登记为中介机构的经办人", code="intermediary_agency_not_found")
    return [selectors.purchase_row(p) for p in page(selectors.open_purchases_for(agency), limit=limit,
                                                    offset=offset)]


# -- agencies: entry and upkeep (the agency's members) ------------------------------------------------------------


def _private(agency_id: int) -> dict:
    agency = (Agency.objects.select_related("region")
              .prefetch_related("certificates__qualification", "practitioners", "offerings__service")
              .get(pk=agency_id))
    return selectors.agency_private(agency)


def _mine(request, agency_id: int) -> tuple[object, Agency]:
    user = _user(request)
    return user, selectors.agency_for_member(agency_id=agency_id, user=user)


def _market_region(code: str) -> Region:
    if code:
        region = Region.objects.filter(code=code.strip()).first()
        if region is None:
            raise NotFound(f"未找到区划“{code}”", code="region_not_found")
        return region
    regions = list(Region.objects.filter(pk__in=Service.objects.values("region_id")).distinct()[:2])
    if len(regions) != 1:
        raise DomainError("intermediary_region_required", "请填写入驻的中介超市区划代码（region）")
    return regions[0]


@router.post("/agencies", response={201: AgencyPrivate, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="中介机构填报入驻信息（登录账号成为该机构的经办人）",
             description="统一社会信用代码、授权人身份证号按校验码核验；营业执照和承诺书用 POST /agencies/{id}/files 上传。")
def agency_register(request, payload: AgencyIn):
    from .services.agencies import agency_register as register

    agency = register(region=_market_region(payload.region), user=_user(request), name=payload.name,
                      uscc=payload.uscc, kind=payload.kind.value, legal_rep=payload.legal_rep,
                      contact_name=payload.contact_name, contact_id_number=payload.contact_id_number,
                      contact_phone=payload.contact_phone, home_region=payload.home_region,
                      address=payload.address, intro=payload.intro)
    return HttpStatus(201, _private(agency.pk))


def _changes(payload: AgencyUpdateIn) -> dict:
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "kind" in data:
        data["kind"] = getattr(data["kind"], "value", data["kind"])
    return data


@router.post("/agencies/{agency_id}/update", response={200: AgencyPrivate, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="修改入驻信息（入驻前：填报中或退回修改）")
def agency_update(request, payload: AgencyUpdateIn, agency_id: int = _AGENCY_ID):
    from .services.agencies import agency_update as update

    user, agency = _mine(request, agency_id)
    update(agency=agency, user=user, data=_changes(payload))
    return _private(agency.pk)


@router.post("/agencies/{agency_id}/files", response={200: AgencyPrivate, **_errors(400, 401, 403, 404, 413, 422)},
             auth=AUTH, summary="上传营业执照（licence）和/或签字盖章的承诺书（pledge）（multipart；PDF、JPG、PNG）")
def agency_files(request, agency_id: int = _AGENCY_ID, licence: UploadedFile | None = _LICENCE,
                 pledge: UploadedFile | None = _PLEDGE):
    from .services.agencies import agency_update as update

    user, agency = _mine(request, agency_id)
    update(agency=agency, user=user, licence=licence, pledge=pledge)
    return _private(agency.pk)


@router.post("/agencies/{agency_id}/certificates", response={201: AgencyPrivate, **_errors(400, 401, 403, 404, 413, 422)},
             auth=AUTH, summary="登记（续期）资质证书（multipart 表单；证书扫描件 file 可选，PDF、JPG、PNG）")
def certificate_add(request, agency_id: int = _AGENCY_ID, form: Form[CertificateIn] = None,
                    file: UploadedFile | None = _CERT_FILE):
    from .services.agencies import certificate_add as add

    if form is None:
        raise DomainError("missing_field", "请填写资质类别、证书编号和有效期")
    user, agency = _mine(request, agency_id)
    qualification = Qualification.objects.filter(code=form.qualification.strip()).first()
    if qualification is None:
        raise NotFound(f"未找到资质类别“{form.qualification}”", code="intermediary_qualification_not_found")
    add(agency=agency, user=user, qualification=qualification, number=form.number, valid_until=form.valid_until,
        level=form.level, issuer=form.issuer, file=file)
    return HttpStatus(201, _private(agency.pk))


@router.post("/agencies/{agency_id}/practitioners", response={201: PractitionerOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="登记执业人员（身份证号按校验码核验，答复中部分隐藏）")
def practitioner_add(request, payload: PractitionerIn, agency_id: int = _AGENCY_ID):
    from .services.agencies import practitioner_add as add

    user, agency = _mine(request, agency_id)
    p = add(agency=agency, user=user, name=payload.name, id_number=payload.id_number, title=payload.title,
            certificate_no=payload.certificate_no)
    return HttpStatus(201, {"id": p.pk, "name": p.name, "id_number": mask_id_number(p.id_number), "title": p.title,
                            "certificate_no": p.certificate_no})


def _offering_out(o) -> dict:
    return {"service_code": o.service.code, "service_name": o.service.name, "price_min": o.price_min,
            "price_max": o.price_max, "price_note": o.price_note, "status": o.status,
            "status_label": o.get_status_display(), "status_reason": o.status_reason}


def _service(code: str) -> Service:
    service = Service.objects.filter(code=code.strip()).first()
    if service is None:
        raise NotFound(f"中介服务事项清单内没有编码为“{code}”的事项", code="intermediary_service_not_found")
    return service


@router.post("/agencies/{agency_id}/offerings", response={200: OfferingOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="登记（修改）承接的服务及收费区间（须持有该服务所需的有效资质证书）")
def offering_set(request, payload: OfferingIn, agency_id: int = _AGENCY_ID):
    from .services.agencies import offering_set as set_

    user, agency = _mine(request, agency_id)
    o = set_(agency=agency, user=user, service=_service(payload.service), price_min=payload.price_min,
             price_max=payload.price_max, price_note=payload.price_note)
    return _offering_out(o)


@router.post("/agencies/{agency_id}/offerings/{service_code}/withdraw",
             response={200: OfferingOut, **_errors(400, 401, 403, 404, 422)}, auth=AUTH,
             summary="退出承接某项服务")
def offering_withdraw(request, service_code: str, agency_id: int = _AGENCY_ID):
    from .services.agencies import offering_withdraw as withdraw

    user, agency = _mine(request, agency_id)
    return _offering_out(withdraw(agency=agency, user=user, service=_service(service_code[:32])))


@router.post("/agencies/{agency_id}/submit", response={200: AgencyPrivate, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="提交入驻申请（须已签署承诺书，并登记资质证书、执业人员和承接服务）")
def agency_submit(request, agency_id: int = _AGENCY_ID):
    from .services.agencies import agency_submit as submit

    user, agency = _mine(request, agency_id)
    submit(agency=agency, user=user)
    return _private(agency.pk)


def _change_out(c: AgencyChange) -> dict:
    data = dict(c.data or {})
    if data.get("contact_id_number"):
        data["contact_id_number"] = mask_id_number(str(data["contact_id_number"]))
    return {"id": c.pk, "agency_id": c.agency_id, "agency": c.agency.name, "data": data, "state": c.state,
            "state_label": c.get_state_display(), "submitted_at": c.submitted_at, "reviewed_at": c.reviewed_at,
            "note": c.note}


@router.post("/agencies/{agency_id}/changes", response={201: ChangeOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="已入驻机构提交信息变更（审核通过后生效）")
def agency_change(request, payload: AgencyUpdateIn, agency_id: int = _AGENCY_ID):
    from .services.agencies import agency_change_submit

    user, agency = _mine(request, agency_id)
    change = agency_change_submit(agency=agency, user=user, data=_changes(payload))
    return HttpStatus(201, _change_out(AgencyChange.objects.select_related("agency").get(pk=change.pk)))


def _appeal_out(a: Appeal) -> dict:
    return {"id": a.pk, "agency_id": a.agency_id, "agency": a.agency.name, "kind": a.kind,
            "kind_label": a.get_kind_display(), "event_id": a.event_id,
            "event": f"{a.event.rule.name}（{a.event.on:%Y-%m-%d}）" if a.event_id else "", "reason": a.reason,
            "state": a.state, "state_label": a.get_state_display(), "filed_at": a.filed_at,
            "decided_at": a.decided_at, "decision": a.decision}


def _appeal(pk: int) -> Appeal:
    return Appeal.objects.select_related("agency", "event__rule").get(pk=pk)


@router.post("/agencies/{agency_id}/appeals", response={201: AppealOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="提出信用异议申诉（appeal）或信用修复（repair）")
def appeal_file(request, payload: AppealIn, agency_id: int = _AGENCY_ID):
    from .models import CreditEvent
    from .services.credit import appeal_file as file_

    user, agency = _mine(request, agency_id)
    event = None
    if payload.event_id is not None:
        event = CreditEvent.objects.filter(pk=payload.event_id, agency=agency).first()
        if event is None:
            raise NotFound("未找到本机构的这条失信记录", code="intermediary_credit_event_not_found")
    appeal = file_(agency=agency, user=user, kind=payload.kind.value, reason=payload.reason, event=event)
    return HttpStatus(201, _appeal_out(_appeal(appeal.pk)))


# -- the administrator ----------------------------------------------------------------------------------------------


def _agency(agency_id: int) -> Agency:
    agency = Agency.objects.select_related("region").filter(pk=agency_id).first()
    if agency is None:
        raise NotFound("未找到该中介机构", code="intermediary_agency_not_found")
    return agency


@router.get("/admin/queue", response={200: QueueOut, **_errors(401, 403)}, auth=AUTH,
            summary="待办（中介超市管理员）：入驻审核、信息变更审核、信用申诉与修复")
def admin_queue(request):
    q = selectors.admin_queue(_user(request))
    return {"agencies": [{"id": a.pk, "name": a.name, "uscc": a.uscc, "home_region": a.home_region,
                          "status": a.status, "status_label": a.get_status_display(),
                          "submitted_at": a.submitted_at} for a in q["agencies"][:500]],
            "changes": [_change_out(c) for c in q["changes"][:500]],
            "appeals": [_appeal_out(a) for a in q["appeals"][:500]]}


@router.get("/admin/agencies", response={200: list[AgencyPrivate], **_errors(401, 403, 422)}, auth=AUTH,
            summary="本超市的全部中介机构（中介超市管理员；身份证号部分隐藏）")
def admin_agencies(request, status: IntermediaryAgencyStatus | None = _STATUS_Q,
                   limit: int = page_limit(50), offset: int = page_offset()):
    qs = selectors.admin_agencies(_user(request), status=_value(status)).prefetch_related(
        "certificates__qualification", "practitioners", "offerings__service")
    return [selectors.agency_private(a) for a in page(qs, limit=limit, offset=offset)]


@router.post("/agencies/{agency_id}/review", response={200: AgencyPrivate, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="入驻审核（中介超市管理员）：approve=true 通过；false 退回（须填写意见）")
def agency_review(request, payload: ReviewIn, agency_id: int = _AGENCY_ID):
    from .services.agencies import agency_review as review

    review(agency=_agency(agency_id), staff=_user(request), approve=payload.approve, note=payload.note)
    return _private(agency_id)


@router.post("/changes/{change_id}/review", response={200: ChangeOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="信息变更审核（中介超市管理员）")
def change_review(request, payload: ReviewIn, change_id: int = _CHANGE_ID):
    from .services.agencies import agency_change_review

    change = AgencyChange.objects.select_related("agency").filter(pk=change_id).first()
    if change is None:
        raise NotFound("未找到该信息变更", code="intermediary_change_not_found")
    agency_change_review(change=change, staff=_user(request), approve=payload.approve, note=payload.note)
    return _change_out(AgencyChange.objects.select_related("agency").get(pk=change_id))


@router.post("/agencies/{agency_id}/status/{action}", response={200: AgencyPrivate, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="暂停选取（suspend）、恢复选取（restore）、清退（delist）（中介超市管理员）")
def agency_status(request, action: IntermediaryAgencyStatusAction, payload: ReasonIn | None = None,
                  agency_id: int = _AGENCY_ID):
    from .services import agencies

    fn = {"suspend": agencies.agency_suspend, "restore": agencies.agency_restore,
          "delist": agencies.agency_delist}[action.value]
    fn(agency=_agency(agency_id), staff=_user(request), reason=(payload or ReasonIn()).reason)
    return _private(agency_id)


def _score_out(row) -> dict:
    return {"agency_id": row.agency_id, "month": row.month, "score": row.score, "note": row.note}


@router.post("/agencies/{agency_id}/market-score", response={200: ScoreOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="超市管理机构月度评价（中介超市管理员，百分制）")
def market_score(request, payload: ScoreIn, agency_id: int = _AGENCY_ID):
    from .services.credit import market_score_set

    return _score_out(market_score_set(agency=_agency(agency_id), staff=_user(request), month=payload.month,
                                       score=payload.score, note=payload.note))


@router.get("/supervise/purchases", response={200: list[PurchaseBrief], **_errors(401, 403, 422)}, auth=AUTH,
            summary="本部门主管服务的采购项目（行业主管部门的中介服务监管人员）")
def supervised_purchases(request, limit: int = page_limit(50), offset: int = page_offset()):
    qs = selectors.supervised_purchases(_user(request))
    return [selectors.purchase_row(p) for p in page(qs, limit=limit, offset=offset)]


@router.post("/agencies/{agency_id}/department-score", response={200: ScoreOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="行业主管部门月度评价（本部门主管服务的中介服务监管人员，百分制）")
def department_score(request, payload: ScoreIn, agency_id: int = _AGENCY_ID):
    from .services.credit import department_score_set

    return _score_out(department_score_set(agency=_agency(agency_id), staff=_user(request), month=payload.month,
                                           score=payload.score, note=payload.note))


@router.post("/agencies/{agency_id}/credit-events", response={201: CreditEventOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="记录失信行为（按规则的认定方：行业主管部门监管人员或中介超市管理员）")
def credit_event(request, payload: CreditEventIn, agency_id: int = _AGENCY_ID):
    from .services.credit import credit_event_add

    purchase = None
    if payload.purchase:
        purchase = Purchase.objects.select_related("service").filter(code=payload.purchase.strip()).first()
        if purchase is None:
            raise NotFound("未找到该采购项目", code="intermediary_purchase_not_found")
    e = credit_event_add(agency=_agency(agency_id), staff=_user(request), rule_code=payload.rule_code.strip(),
                         note=payload.note, purchase=purchase)
    return HttpStatus(201, {"id": e.pk, "rule_code": e.rule.code, "rule": e.rule.name, "points": e.rule.points,
                            "veto": e.rule.veto, "on": e.on, "note": e.note, "state": e.state,
                            "state_label": e.get_state_display(), "purchase": purchase.code if purchase else ""})


@router.post("/appeals/{appeal_id}/decide", response={200: AppealOut, **_errors(400, 401, 403, 404, 422)},
             auth=AUTH, summary="处理信用申诉与修复（中介超市管理员；成立的立即重算本月信用）")
def appeal_decide(request, payload: AppealDecideIn, appeal_id: int = _APPEAL_ID):
    from .services.credit import appeal_decide as decide

    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("未找到该申诉或修复申请", code="intermediary_appeal_not_found")
    decide(appeal=appeal, staff=_user(request), upheld=payload.upheld, decision=payload.decision)
    return _appeal_out(_appeal(appeal_id))


@router.post("/credit/compute", response={200: ComputeOut, **_errors(400, 401, 403, 422)}, auth=AUTH,
             summary="计算月度信用评价（中介超市管理员：本超市区划内的机构；可重算）")
def credit_compute(request, payload: ComputeIn):
    from .services.credit import credit_month_compute, month_start

    staff = selectors.staff_with_role_any(_user(request), Role.INTERMEDIARY_ADMIN)
    if staff is None or not staff.region_id:
        raise PermissionDenied("只有中介超市管理员可以计算月度信用评价")
    month = month_start(payload.month)
    if month > month_start(clock.today()):
        raise DomainError("intermediary_month", f"不能计算未到的月份（{month:%Y年%m月}）")
    n = credit_month_compute(month=month, region=staff.region)
    return {"month": month, "agencies": n}


@router.get("/reports/approval-time", response={200: ApprovalTimeOut, **_errors(400, 401, 403, 422)}, auth=AUTH,
            summary="审批用时与含中介服务的总用时（本区划，按办结日期）",
            description="中介超市管理员、中介服务监管人员、领导、效能监察员可查；期间最长一年。")
def approval_time(request, since: dt.date, until: dt.date):
    return selectors.approval_time_report(user=_user(request), since=since, until=until)
