"""Test data for the portal (and the catalog KPI tests): regions, halls, departments, items."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import factory

from zhengwu.cases import services as s
from zhengwu.cases.tests.factories import _fields, applicant, build_world, pdf
from zhengwu.catalog.models import CaseType, Item
from zhengwu.catalog.services import item_upsert
from zhengwu.hall.models import WindowGroup
from zhengwu.org.models import Department, Hall, Region, Window


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "330521000000"
    name = "德清县"
    level = Region.Level.COUNTY


class TownFactory(RegionFactory):
    code = factory.Sequence(lambda n: f"330521{100 + n:03d}000")
    name = factory.Sequence(lambda n: f"第{n + 1}镇")
    level = Region.Level.TOWN
    parent = factory.SubFactory(RegionFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"县第{n + 1}局")
    region = factory.SubFactory(RegionFactory)
    phone = "0572-8000000"


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall

    code = factory.Sequence(lambda n: f"H{n:03d}")
    name = "县政务服务中心"
    kind = Hall.Kind.CENTER
    region = factory.SubFactory(RegionFactory)
    address = "县府路1号"
    phone = "0572-8000001"


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    hall = factory.SubFactory(HallFactory)
    number = factory.Sequence(lambda n: f"{n + 1:02d}")
    name = "综合受理窗口"


_codes = itertools.count(1)

DEFAULT_STEPS = [
    {"seq": 1, "name": "受理", "role": "window_officer", "days": 0},
    {"seq": 2, "name": "审查", "role": "chief_rep", "days": 2},
    {"seq": 3, "name": "决定", "role": "dept_head", "days": 1},
]
DEFAULT_MATERIALS = [
    {
        "seq": 1,
        "name": "申请书",
        "necessity": "required",
        "form": "paper",
        "copies": 1,
        "source": "申请人自备",
        "notes": "须申请人签字",
    },
    {
        "seq": 2,
        "name": "身份证明",
        "necessity": "required",
        "form": "both",
        "copies": 1,
        "source": "公安机关",
    },
]


def make_item(
    name: str,
    *,
    department: Department | None = None,
    impl_code: str | None = None,
    steps: list[dict] | None = None,
    materials: list[dict] | None = None,
    fees: list[dict] | None = None,
    **fields,
) -> Item:
    """Create and publish an item through ``item_upsert``.

    ``promised_limit=0`` makes an immediate item (即办件); any other value a promised one.
    """
    fields = {
        "kind": "license",
        "legal_limit": 20,
        "promised_limit": 5,
        "visits": 1,
        "online_depth": 4,
        "handling_tiers": ["county"],
        "theme": "",
        **fields,
        "name": name,
    }
    fields.setdefault("case_type", CaseType.IMMEDIATE if fields["promised_limit"] == 0 else CaseType.PROMISED)
    item, _changed = item_upsert(
        impl_code=impl_code or f"11330521MB{next(_codes):06d}",
        department=department or DepartmentFactory(),
        fields=fields,
        steps=DEFAULT_STEPS if steps is None else steps,
        materials=DEFAULT_MATERIALS if materials is None else materials,
        fees=fees or [],
    )
    return item


# -- the browser tests' site (accessibility and phone widths) ---------------------------------------------------


def build_site() -> SimpleNamespace:
    """The cases world with an appointable item, a kiosk queue, a search hit and two of the citizen's cases:
    one waiting for 补正 and one accepted."""
    w = build_world(appointment=True)
    item_upsert(impl_code="SFX-SCJG-003", department=w.dept,
                fields=_fields(name="营业执照遗失补领", promised_limit=0, case_type="immediate", special_procedures=[]),
                steps=[{"seq": 1, "name": "受理并办结", "role": "window_officer", "days": 0}],
                materials=[], fees=[])
    w.window.items.set([w.item, w.immediate])
    group = WindowGroup.objects.create(hall=w.center, code="A", name="市场准入", sort=1)
    group.windows.set([w.window])
    w.supplement = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                                 files=[(w.m1.pk, pdf("申请书.pdf"))])
    s.case_request_supplement(case=w.supplement, officer=w.officer, missing=["经营场所平面图"])
    w.accepted = s.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                               files=[(w.m1.pk, pdf("申请书.pdf")), (w.m2.pk, pdf("平面图.pdf"))])
    s.case_accept(case=w.accepted, officer=w.officer)
    return w


def show_progress(pg, case_no: str) -> None:
    pg.goto(f"/progress/?case_no={case_no}")
    pg.locator("input[name=credential]").fill("13812345678")
    pg.get_by_role("button", name="查询").click()
    pg.get_by_test_id("progress-result").wait_for()
