"""The demo county's bundles (联办事项 / 一件事): 开办餐饮店, 开办企业, and 新建厂房 as the four stages of
工程建设项目审批 (国办发〔2019〕11号: 立项用地规划许可 → 工程建设许可 → 施工许可 → 竣工验收, each led by one
department, "一家牵头、并联审批、限时办结"; HOTLINE-JOINT.md §4–§5).

Members are the demo's own items, found by their unit and name. ``build_bundles`` goes through
``bundle_upsert``, which publishes a new version only when the content changed, so a second run creates
nothing and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.catalog.bundles import bundle_upsert
from zhengwu.catalog.models import Bundle, BundleMode, Item, ProjectStage
from zhengwu.org.models import Department

from .layout import UNITS
from .spec import demo_uscc


@dataclass(frozen=True)
class B:
    """One bundle: its code, name, lead unit, members as (unit key, item name[, own limit]) and settings."""

    code: str
    name: str
    lead: str
    members: tuple[tuple, ...]
    promised_days: int
    mode: str = BundleMode.NOTIFY
    deemed: bool = True
    absent_deemed: bool = True
    inspection_stops_clock: bool = False
    stage: int = ProjectStage.NONE
    description: str = ""


_STAGE_NOTE = ("新建厂房（工业项目）工程建设项目审批第{n}阶段：{name}。按国办发〔2019〕11号“一家牵头、并联审批、限时办结”，"
               "由牵头部门一窗受理、一次告知本阶段全部材料，各部门并联审查，本阶段材料其他阶段共享，不重复提交。")

BUNDLES: tuple[B, ...] = (
    B("YJS-CYD", "开办餐饮店", "SCJ", (
        ("SCJ", "公司设立登记"),
        ("SCJ", "食品经营许可（新办）"),
        ("XFDD", "公众聚集场所投入使用、营业前消防安全检查（一般程序）"),
        ("ZJJ", "城镇污水排入排水管网许可"),
        ("CGJ", "设置大型户外广告审批", 5),
    ), promised_days=8, deemed=True,
        description="开办餐饮店“一件事”：营业执照、食品经营许可、消防安全检查、排水许可、户外招牌设置一次申请、一窗受理、"
                    "并联审批。需要现场核查的，由县市场监管局组织联合踏勘。"),
    B("YJS-QYKB", "开办企业", "SCJ", (
        ("SCJ", "公司设立登记"),
        ("GAJ", "公章刻制备案"),
        ("SWU", "发票领用"),
        ("RSJ", "职工基本养老保险参保登记（单位）"),
        ("GJJ", "住房公积金单位缴存登记"),
    ), promised_days=1, deemed=False, absent_deemed=False,
        description="企业开办“一件事”：营业执照、公章刻制、发票申领、社保登记、公积金缴存登记一表申请、一日办结。"),
    B("GCJS-XJCF-1", "新建厂房·立项用地规划许可", "FGJ", (
        ("FGJ", "企业投资项目备案"),
        ("FGJ", "固定资产投资项目节能审查"),
        ("ZRGH", "建设项目用地预审与选址意见书核发"),
        ("ZRGH", "建设用地规划许可证核发"),
        ("HBFJ", "建设项目环境影响报告表审批"),
    ), promised_days=15, stage=ProjectStage.PLANNING,
        description=_STAGE_NOTE.format(n="一", name="立项用地规划许可")),
    B("GCJS-XJCF-2", "新建厂房·工程建设许可", "ZRGH", (
        ("ZRGH", "建设工程规划许可证核发"),
        ("SLJ", "生产建设项目水土保持方案审批"),
        ("QXJ", "防雷装置设计审核"),
    ), promised_days=10, mode=BundleMode.MEETING, inspection_stops_clock=True,
        stage=ProjectStage.CONSTRUCTION_PERMIT, description=_STAGE_NOTE.format(n="二", name="工程建设许可")),
    B("GCJS-XJCF-3", "新建厂房·施工许可", "ZJJ", (
        ("ZJJ", "建设工程消防设计审查"),
        ("RFB", "应建防空地下室的民用建筑项目报建审批"),
        ("CGJ", "城市道路占用、挖掘审批"),
        ("ZJJ", "建筑工程施工许可证核发（新办）"),
    ), promised_days=10, stage=ProjectStage.BUILDING_PERMIT,
        description=_STAGE_NOTE.format(n="三", name="施工许可")),
    B("GCJS-XJCF-4", "新建厂房·竣工验收", "ZJJ", (
        ("ZJJ", "房屋建筑和市政基础设施工程竣工联合验收及备案"),
        ("ZRGH", "建设工程规划核实"),
        ("ZJJ", "建设工程消防验收"),
        ("QXJ", "防雷装置竣工验收"),
        ("SLJ", "生产建设项目水土保持设施自主验收报备"),
    ), promised_days=10, mode=BundleMode.MEETING, stage=ProjectStage.ACCEPTANCE,
        description=_STAGE_NOTE.format(n="四", name="竣工验收") + "规划、消防、防雷、水土保持等专项验收限时联合验收，统一出具验收意见。"),
)


def _departments() -> dict[str, Department]:
    codes = {u.key: demo_uscc(u.category, i + 1) for i, u in enumerate(UNITS)}
    by_code = Department.objects.in_bulk(list(codes.values()), field_name="code")
    return {key: by_code[code] for key, code in codes.items() if code in by_code}


def build_bundles(depts: dict[str, Department] | None = None, say=None) -> dict[str, Bundle]:
    """Upsert the demo bundles (after the demo's items); return them by code."""
    depts = depts or _departments()
    wanted = {(depts[m[0]].pk, m[1]) for b in BUNDLES for m in b.members}
    items = {(i.department_id, i.name): i
             for i in Item.objects.filter(department_id__in={d for d, _ in wanted}, name__in={n for _, n in wanted})}
    out, changed = {}, 0
    for b in BUNDLES:
        members = []
        for unit, name, *days in b.members:
            item = items.get((depts[unit].pk, name))
            if item is None:
                raise LookupError(f"demo bundle {b.code}: no item {name!r} of unit {unit}")
            members.append({"item": item, "promised_days": days[0] if days else None})
        fields = {"name": b.name, "lead_department": depts[b.lead], "mode": b.mode, "promised_days": b.promised_days,
                  "deemed": b.deemed, "absent_deemed": b.absent_deemed,
                  "inspection_stops_clock": b.inspection_stops_clock, "max_inspection_rounds": 2,
                  "project_stage": b.stage, "description": b.description}
        bundle, did = bundle_upsert(code=b.code, fields=fields, members=members, note="示范县演示数据")
        out[b.code] = bundle
        changed += did
    if changed and say is not None:
        say(f"  已写入 {changed} 个联办事项版本。\n")
    return out
