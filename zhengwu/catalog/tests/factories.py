"""Builders for catalog tests: org rows, users with roles, and items published through ``item_upsert``."""

from __future__ import annotations

from decimal import Decimal

from zhengwu.accounts.models import User
from zhengwu.catalog.services import item_upsert
from zhengwu.org.models import Department, Region, Role, Staff


def region(*, code: str = "330100000000", name: str = "示例县", level: str = Region.Level.COUNTY) -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name, "level": level})[0]


def department(*, code: str = "D-SCJG", name: str = "县市场监督管理局") -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name": name, "region": region()})[0]


def user(*, username: str, superuser: bool = False, roles: tuple[str, ...] = ()) -> User:
    """A login; with ``roles`` it is also a member of staff holding those role codes."""
    u = User.objects.create_user(username=username, password="pass-1234-word", is_superuser=superuser,
                                 is_staff=superuser, real_name=username)
    if roles:
        staff = Staff.objects.create(user=u, employee_no=username[:16], name=username, region=region())
        staff.roles.set(Role.objects.filter(code__in=roles))
    return u


def hall_admin(username: str = "admin1") -> User:
    return user(username=username, roles=(Role.HALL_ADMIN,))


def item_fields(**overrides) -> dict:
    fields = {
        "name": "食品经营许可证核发",
        "basic_code": "00012345600Y",
        "business_code": "0001234560001",
        "business_kind": "new",
        "kind": "license",
        "status": "active",
        "level": "county",
        "legal_limit": 20,
        "legal_limit_unit": "workday",
        "legal_limit_note": "",
        "promised_limit": 5,
        "promised_limit_unit": "workday",
        "promised_limit_note": "承诺压缩至5个工作日",
        "case_type": "promised",
        "visits": 1,
        "online_depth": 4,
        "handling_tiers": ["county", "town"],
        "village_intake": True,
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "有与经营的食品品种、数量相适应的经营场所",
        "special_procedures": ["site_survey", "expert_review"],
        "theme": "市场监管",
        "service_object": "both",
        "place": "县政务服务中心二楼B区",
        "hours": "工作日 9:00-17:00",
        "consult_channel": "0571-12345678",
        "complaint_channel": "12345",
    }
    fields.update(overrides)
    return fields


def steps() -> list[dict]:
    return [
        {"seq": 1, "name": "受理", "role": Role.WINDOW_OFFICER, "days": 0},
        {"seq": 2, "name": "审查", "role": Role.CHIEF_REP, "days": 3},
        {"seq": 3, "name": "决定", "role": Role.DEPT_HEAD, "days": 2},
    ]


def materials() -> list[dict]:
    return [
        {"seq": 1, "name": "食品经营许可申请书", "necessity": "required", "form": "both", "source": "申请人自备",
         "copies": 1, "spec": "A4", "notes": "法定代表人签字", "acceptance_standard": "内容完整"},
        {"seq": 2, "name": "营业执照", "necessity": "conditional", "form": "electronic", "source": "政府部门核发",
         "copies": 1, "spec": "", "notes": "", "acceptance_standard": ""},
    ]


def fees() -> list[dict]:
    return [
        {"seq": 1, "name": "工本费", "amount": Decimal("10.50"), "unit": "件", "standard": "每证10.5元",
         "basis": "收费文件", "waivable": True, "waiver_basis": "小微企业免收"},
    ]


def item(*, impl_code: str = "11330100MB0001-01", dept: Department | None = None, **overrides):
    """A published item with three steps, two materials and one fee."""
    obj, _ = item_upsert(impl_code=impl_code, department=dept or department(), fields=item_fields(**overrides),
                         steps=steps(), materials=materials(), fees=fees())
    return obj


def bundle_items() -> dict:
    """Three published items of three departments, for bundles: 市场监管 (lead), 卫健, 城管."""
    scj = department()
    wjj = department(code="D-WJJ", name="县卫生健康局")
    cgj = department(code="D-CGJ", name="县城市管理局")
    mats = materials()
    shared = {"seq": 3, "name": "营业执照", "necessity": "required", "form": "electronic", "source": "共享",
              "copies": 1, "spec": "", "notes": "", "acceptance_standard": ""}
    food, _ = item_upsert(impl_code="B-FOOD", department=scj, fields=item_fields(name="食品经营许可"),
                          steps=steps(), materials=mats, fees=[])
    health, _ = item_upsert(impl_code="B-HEALTH", department=wjj,
                            fields=item_fields(name="公共场所卫生许可", promised_limit=8, legal_limit=20),
                            steps=steps(), materials=[{**shared, "seq": 1}, {**mats[0], "seq": 2,
                                                                            "name": "卫生许可申请书"}], fees=[])
    sign, _ = item_upsert(impl_code="B-SIGN", department=cgj,
                          fields=item_fields(name="设置户外招牌审批", promised_limit=3),
                          steps=steps(), materials=[{**shared, "seq": 1}], fees=[])
    return {"scj": scj, "wjj": wjj, "cgj": cgj, "food": food, "health": health, "sign": sign}


def bundle(*, code: str = "BD-FOOD", items: dict | None = None, **overrides):
    """A published bundle of the three ``bundle_items`` (food lead, health 8 days, sign 3 days), 10 days."""
    from zhengwu.catalog.bundles import bundle_upsert

    items = items or bundle_items()
    fields = {"name": "开办餐饮店", "lead_department": items["scj"], "mode": "notify", "promised_days": 10,
              "deemed": True, "absent_deemed": True, "inspection_stops_clock": False, "max_inspection_rounds": 2,
              "project_stage": 0, "description": "一次告知、一表申请、一窗受理、并联审批"}
    fields.update(overrides)
    obj, _ = bundle_upsert(code=code, fields=fields,
                           members=[items["food"], items["health"], {"item": items["sign"], "promised_days": 3}])
    return obj
