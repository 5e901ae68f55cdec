"""村务公开/党务公开 through the OpenAPI (mounted under ``/api/disclosure``).

- ``GET /village-categories``: the catalogue with its cadence and publication calendar (anyone).
- ``GET /villages/{code}/disclosures``, ``GET /village-disclosures/{id}``: published disclosures, names and
  身份证号 masked; the village's own staff (token or session) get drafts and the full list.
- ``POST /village-disclosures``: the 文书 enters a disclosure (a 财务收支表 that does not add up is refused
  with the numbers in Chinese, nothing written).
- ``POST /village-disclosures/{id}/actions/{action}``: submit / approve / return / sign / publish.
- ``GET /towns/{code}/village-status``: the town's villages × categories with status (supervisors and the
  town's staff).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

from ninja import Field, Path, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH, column
from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.selectors import staff_for_user

from . import selectors_village as sv
from .models import FinanceLine, Publication, ReliefRow, VillageDisclosure
from .models.village import Cadence, Catalogue, ContentKind
from .services.common import duties_of
from .services.village import ACTIONS, Household, Line, village_disclosure_act, village_disclosure_create

router = Router(tags=["村务公开"])

GkVillageAction = Enum("GkVillageAction", {k: k for k in ACTIONS}, type=str)
GkVillageStatus = Enum("GkVillageStatus", {k: k for k in sv.STATUS_LABELS}, type=str)
GkCadence = Enum("GkCadence", {k: k for k in Cadence.values}, type=str)
GkCatalogue = Enum("GkCatalogue", {k: k for k in Catalogue.values}, type=str)
GkContentKind = Enum("GkContentKind", {k: k for k in ContentKind.values}, type=str)
AMOUNT = {"max_digits": 14, "decimal_places": 2}


class CategoryOut(Schema):
    code: str
    name: str
    catalogue: GkCatalogue
    content_kind: GkContentKind
    cadence: GkCadence
    cadence_label: str
    due_months_after: int
    due_day: int
    roll_to_workday: bool
    basis: str


class LineIn(Schema):
    item: str = column(FinanceLine, "item")
    amount: Decimal = Field(..., ge=0, **AMOUNT)
    note: str = column(FinanceLine, "note", "")


class FinanceIn(Schema):
    opening_balance: Decimal = Field(..., **AMOUNT)
    income_total: Decimal = Field(..., ge=0, **AMOUNT)
    expense_total: Decimal = Field(..., ge=0, **AMOUNT)
    closing_balance: Decimal = Field(..., **AMOUNT)
    income: list[LineIn] = Field(default_factory=list, max_length=100)
    expense: list[LineIn] = Field(default_factory=list, max_length=100)


class HouseholdIn(Schema):
    name: str = column(ReliefRow, "name")
    id_number: str = column(ReliefRow, "id_number")
    household_size: int = Field(..., ge=1, le=30)
    amount: Decimal = Field(..., ge=0, max_digits=10, decimal_places=2)
    relief_type: str = column(ReliefRow, "relief_type", "低保")


class DisclosureIn(Schema):
    body_code: str = Field(..., max_length=32)
    category: str = Field(..., max_length=30, description="公开事项代码，见 GET /village-categories")
    period: str = Field(..., max_length=8, description="期间：2026Q3（季度）、2026M09（月）、2026H2（半年）、2026Y（年）")
    title: str = column(Publication, "title", "")
    content: str = Field("", max_length=20000, description="文字说明；文字类事项必填")
    finance: FinanceIn | None = None
    relief: list[HouseholdIn] | None = Field(None, max_length=500)


class ActionIn(Schema):
    note: str = Field("", max_length=300)


class LineOut(Schema):
    item: str
    amount: Decimal
    note: str


class HouseholdOut(Schema):
    relief_type: str
    name: str
    id_number: str
    household_size: int
    amount: Decimal


class DisclosureOut(Schema):
    id: int
    body: str
    body_name: str
    index_no: str
    title: str
    category: str
    category_name: str
    catalogue: GkCatalogue
    period: str
    period_label: str
    due_date: dt.date
    status: str
    status_label: str
    published_on: dt.date | None
    late: bool
    content_kind: GkContentKind
    content: str
    opening_balance: Decimal | None
    income_total: Decimal | None
    expense_total: Decimal | None
    closing_balance: Decimal | None
    income: list[LineOut]
    expense: list[LineOut]
    relief: list[HouseholdOut]
    full: bool = Field(description="true：完整名单（仅本村工作人员）；false：姓名和身份证号已隐去部分字符")


class CellOut(Schema):
    category: str
    period_label: str
    due_date: dt.date
    status: GkVillageStatus
    status_label: str
    disclosure_id: int | None
    cards: list[str]
    older_overdue: int


class VillageStatusOut(Schema):
    body: str
    name: str
    cells: list[CellOut]


def _anyone(request):
    return request.user if request.user.is_authenticated else "anonymous"


def _staff_of(request, body) -> bool:
    staff = staff_for_user(request.user) if request.user.is_authenticated else None
    return staff is not None and staff.is_active and bool(duties_of(staff, body))


def _out(disc: VillageDisclosure, *, full: bool) -> dict:
    from . import village_calendar as vcal

    pub, p = disc.publication, disc.period
    t = sv.table_for(disc, full=full)
    return {
        "id": disc.pk, "body": pub.body.code, "body_name": pub.body.name, "index_no": pub.index_no, "title": pub.title,
        "category": p.category.code, "category_name": p.category.name, "catalogue": p.category.catalogue,
        "period": vcal.Period(p.cadence, p.period_start, p.period_end).key, "period_label": p.label,
        "due_date": p.due_date, "status": pub.status, "status_label": pub.get_status_display(),
        "published_on": pub.published_on, "late": p.late,
        "content_kind": disc.content_kind, "content": pub.content,
        "opening_balance": disc.opening_balance, "income_total": disc.income_total,
        "expense_total": disc.expense_total, "closing_balance": disc.closing_balance,
        "income": [{"item": ln.item, "amount": ln.amount, "note": ln.note} for ln in t.income],
        "expense": [{"item": ln.item, "amount": ln.amount, "note": ln.note} for ln in t.expense],
        "relief": t.relief, "full": full}


def _get(pk: int) -> VillageDisclosure:
    disc = (VillageDisclosure.objects.filter(pk=pk).select_related("publication__body", "period__category").first())
    if disc is None:
        raise NotFound("未找到该村务公开")
    return disc


@router.get("/village-categories", response=list[CategoryOut], auth=None, summary="村务公开和党务公开目录")
def village_categories(request):
    return [{"code": c.code, "name": c.name, "catalogue": c.catalogue, "content_kind": c.content_kind,
             "cadence": c.cadence, "cadence_label": c.get_cadence_display(), "due_months_after": c.due_months_after,
             "due_day": c.due_day, "roll_to_workday": c.roll_to_workday, "basis": c.basis} for c in sv.categories()]


@router.get("/villages/{code}/disclosures", response=list[DisclosureOut], auth=[*AUTH, _anyone],
            summary="某村（居）已公开的村务、党务信息（姓名、身份证号隐去部分字符）")
def village_disclosures(request, code: str = Path(..., max_length=32), limit: int = 50):
    body = sv.village_get_public(code)
    full = _staff_of(request, body)
    qs = sv.disclosures_public(body).prefetch_related("finance_lines", "relief_rows")[: max(1, min(limit, 200))]
    return [_out(d, full=full) for d in qs]


@router.get("/village-disclosures/{pk}", response=DisclosureOut, auth=[*AUTH, _anyone],
            summary="村务公开详情（公众：已公开且隐去个人信息；本村工作人员：含草稿和完整名单）")
def village_disclosure(request, pk: int):
    disc = _get(pk)
    full = _staff_of(request, disc.publication.body)
    if not full and disc.publication.status != "published":
        raise NotFound("未找到该村务公开")
    return _out(disc, full=full)


def _staff(request):
    staff = staff_for_user(request.user)
    if staff is None or not staff.is_active:
        raise PermissionDenied("仅限村（居）村务公开工作人员")
    return staff


@router.post("/village-disclosures", response={201: DisclosureOut}, auth=AUTH, summary="填报村务公开（草稿）",
             description="财务收支类须填 finance：明细之和须等于合计，期初余额＋本期收入－本期支出＝期末余额，"
                         "否则中文说明不平衡之处，不作任何保存；救助名单类须填 relief。")
def village_disclosure_create_api(request, payload: DisclosureIn):
    staff = _staff(request)
    body = sv.village_get_public(payload.body_code)
    finance = None
    if payload.finance is not None:
        f = payload.finance
        finance = {"opening_balance": str(f.opening_balance), "income_total": str(f.income_total),
                   "expense_total": str(f.expense_total), "closing_balance": str(f.closing_balance),
                   "income": [Line(ln.item, str(ln.amount), ln.note) for ln in f.income],
                   "expense": [Line(ln.item, str(ln.amount), ln.note) for ln in f.expense]}
    relief = None
    if payload.relief is not None:
        relief = [Household(h.name, h.id_number, str(h.household_size), str(h.amount), h.relief_type)
                  for h in payload.relief]
    disc = village_disclosure_create(body=body, officer=staff, category=payload.category, period_key=payload.period,
                                     title=payload.title, content=payload.content, finance=finance, relief=relief)
    return HttpStatus(201, _out(_get(disc.pk), full=True))


@router.post("/village-disclosures/{pk}/actions/{action}", response=DisclosureOut, auth=AUTH,
             summary="村务公开流程：submit 提交审核 / approve 村务监督委员会审核通过 / return 退回修改 / sign 签发 / "
                     "publish 公开")
def village_disclosure_act_api(request, pk: int, action: GkVillageAction, payload: ActionIn | None = None):
    staff = _staff(request)
    disc = _get(pk)
    if not duties_of(staff, disc.publication.body):
        raise NotFound("未找到该村务公开")
    village_disclosure_act(disclosure=disc, staff=staff, action=action.value, note=(payload or ActionIn()).note)
    return _out(_get(pk), full=True)


@router.get("/towns/{code}/village-status", response=list[VillageStatusOut], auth=AUTH,
            summary="乡镇（街道）各村村务公开情况（最近一个已结束期间）")
def town_village_status(request, code: str = Path(..., max_length=12)):
    town = sv.town_get_for_staff(code, _staff(request))
    _cats, rows = sv.town_status(town)
    return [{"body": r.body.code, "name": r.body.name, "cells": [
        {"category": c.category.code, "period_label": c.label, "due_date": c.due, "status": c.status,
         "status_label": c.status_label, "disclosure_id": c.disclosure_id, "cards": [k.level for k in c.cards],
         "older_overdue": c.older_overdue} for c in r.cells]} for r in rows]

