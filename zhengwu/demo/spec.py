"""The compact notation the demo's units and items are written in, and its expansion.

A unit (``Unit``) lists its windows and its service items (``S``); ``expand_unit`` turns every
item, and every business variant (新办/变更/延续/注销) of it, into the keyword
arguments of :func:`zhengwu.catalog.services.item_upsert`.

Materials are short strings: ``"?名称"`` is optional, ``"~名称"`` may be handed in later
(容缺后补), ``"名称*2"`` asks for two copies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from zhengwu.catalog.models import BusinessKind, CaseType, ItemKind, Material, ServiceObject, TimeUnit
from zhengwu.core.validators import uscc_check_char

from .geography import CENTER_NAME, COUNTY, HOURS

COUNTY_DIGITS = COUNTY[0][:6]

# 事项类型 codes of the national implementation-list standard, used in 基本编码.
KIND_CODES = {
    ItemKind.LICENSE: "01", ItemKind.PUNISHMENT: "02", ItemKind.LEVY: "04", ItemKind.PAYMENT: "05",
    ItemKind.INSPECTION: "06", ItemKind.CONFIRMATION: "07", ItemKind.REWARD: "08",
    ItemKind.ADJUDICATION: "09", ItemKind.OTHER: "10", ItemKind.PUBLIC_SERVICE: "20",
}
VARIANT_DIGITS = {BusinessKind.NEW: 1, BusinessKind.CHANGE: 2, BusinessKind.RENEW: 3, BusinessKind.CANCEL: 4}
VARIANT_LABELS = {BusinessKind.NEW: "新办", BusinessKind.CHANGE: "变更", BusinessKind.RENEW: "延续",
                  BusinessKind.CANCEL: "注销"}
ALL_VARIANTS = (BusinessKind.NEW, BusinessKind.CHANGE, BusinessKind.RENEW, BusinessKind.CANCEL)

CONSULT = "窗口咨询；电话咨询：12345政务服务便民热线；网上咨询：示范县政务服务网“我要咨询”栏目"
COMPLAINT = "示范县政务服务中心效能监察室（三楼）；12345政务服务便民热线；政务服务“好差评”评价器及二维码"

LAW = "《中华人民共和国行政许可法》"


@dataclass(frozen=True)
class S:
    """One service item as written in the unit tables; omitted fields take the unit's defaults."""

    name: str
    kind: str = ItemKind.LICENSE
    legal: int | None = 20
    promised: int = 5
    unit: str = TimeUnit.WORKDAY
    visits: int = 1
    depth: int = 4
    tiers: tuple[str, ...] = ("county",)
    village: bool = False
    obj: str | None = None
    theme: str | None = None
    basis: str = ""
    conditions: str = ""
    result: str = ""
    result_type: str = "证照"
    special: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    fees: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    joint: str = ""
    intermediary: bool = False
    scope: str = "全县"
    limit_note: str = ""
    onsite: str = ""
    bk: str = BusinessKind.NEW  # business kind of an item written without variants
    keywords: str = ""  # 俗称, searched like the name (营业执照 → 公司设立登记)


@dataclass(frozen=True)
class Unit:
    """A unit stationed in the center (入驻单位) with its windows and items."""

    key: str
    name: str
    short: str
    section: str
    zone: str
    windows: tuple[str, ...]
    obj: str
    theme: str
    items: tuple[S, ...]
    category: str = "11"  # 登记管理部门码 + 机构类别码 of the 统一社会信用代码
    nature: str = "法定机关"
    default_basis: str = ""


# ---------------------------------------------------------------- codes

_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def _org_code_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def demo_uscc(category: str, seq: int) -> str:
    """A well-formed, fictitious 统一社会信用代码 for the ``seq``-th demo unit."""
    prefix = "MA" if category.startswith("9") else "MB"
    body = f"{prefix}{seq + 1000:06d}"
    first17 = f"{category}{COUNTY_DIGITS}{body}{_org_code_check(body)}"
    return first17 + uscc_check_char(first17)


# ---------------------------------------------------------------- fees

_BDC_BASIS = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
_BDC_WAIVER = ("《财政部 国家发展改革委关于不动产登记收费有关政策问题的通知》（财税〔2016〕79号）："
               "小微企业（含个体工商户）申请不动产登记的，免征不动产登记费")
_CERT_BASIS = "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）"
_EXIT_BASIS = "《国家发展改革委关于降低部分行政事业性收费标准的通知》（发改价格规〔2019〕914号）"
_PLATE_BASIS = "《国家发展改革委 财政部关于公安交警部门机动车号牌工本费等收费标准的通知》（发改价格〔2004〕2831号）"

FEES: dict[str, dict] = {
    "bdc_home": dict(name="不动产登记费（住宅）", amount=Decimal("80"), unit="件",
                     standard="住宅类不动产登记每件80元", basis=_BDC_BASIS, waivable=True, waiver_basis=_BDC_WAIVER),
    "bdc_other": dict(name="不动产登记费（非住宅）", amount=Decimal("550"), unit="件",
                      standard="非住宅类不动产登记每件550元", basis=_BDC_BASIS, waivable=True,
                      waiver_basis=_BDC_WAIVER),
    "bdc_cert": dict(name="不动产权证书工本费", amount=Decimal("10"), unit="本",
                     standard="核发一本证书免收工本费，每增加一本加收10元", basis=_BDC_BASIS, waivable=False,
                     waiver_basis=""),
    "id_card": dict(name="居民身份证工本费", amount=Decimal("20"), unit="证",
                    standard="申领、换领、补领第二代居民身份证每证20元", basis=_CERT_BASIS, waivable=True,
                    waiver_basis="城乡居民最低生活保障对象按规定减免"),
    "temp_id": dict(name="临时居民身份证工本费", amount=Decimal("10"), unit="证",
                    standard="每证10元", basis=_CERT_BASIS, waivable=True,
                    waiver_basis="城乡居民最低生活保障对象按规定减免"),
    "passport": dict(name="普通护照工本费", amount=Decimal("120"), unit="本", standard="每本120元",
                     basis=_EXIT_BASIS, waivable=False, waiver_basis=""),
    "hk_permit": dict(name="往来港澳通行证工本费", amount=Decimal("60"), unit="证", standard="卡式证件每证60元",
                      basis=_EXIT_BASIS, waivable=False, waiver_basis=""),
    "tw_permit": dict(name="往来台湾通行证工本费", amount=Decimal("60"), unit="证", standard="卡式证件每证60元",
                      basis=_EXIT_BASIS, waivable=False, waiver_basis=""),
    "plate": dict(name="机动车号牌工本费", amount=Decimal("100"), unit="副", standard="汽车号牌每副100元",
                  basis=_PLATE_BASIS, waivable=False, waiver_basis=""),
    "vehicle_license": dict(name="机动车行驶证工本费", amount=Decimal("10"), unit="证", standard="每证10元",
                            basis=_PLATE_BASIS, waivable=False, waiver_basis=""),
    "driving_license": dict(name="机动车驾驶证工本费", amount=Decimal("10"), unit="证", standard="每证10元",
                            basis=_PLATE_BASIS, waivable=False, waiver_basis=""),
    "notary": dict(name="公证服务费", amount=Decimal("100"), unit="件", standard="证明类公证每件100元",
                   basis="《示范省公证服务收费标准》（政府指导价）", waivable=True,
                   waiver_basis="《中华人民共和国公证法》第三十四条：符合法律援助条件的当事人，公证机构应当按照规定减免公证费"),
}


# ---------------------------------------------------------------- expansion

def _material(seq: int, text: str) -> dict:
    necessity = Material.Necessity.REQUIRED
    if text.startswith("?"):
        necessity, text = Material.Necessity.OPTIONAL, text[1:]
    elif text.startswith("~"):
        necessity, text = Material.Necessity.CONDITIONAL, text[1:]
    copies = 1
    if "*" in text:
        text, n = text.rsplit("*", 1)
        copies = int(n)
    form, source, notes, standard = Material.Form.BOTH, "申请人自备", "", "真实、有效、完整"
    if "身份证" in text or "户口簿" in text or "身份证件" in text:
        form, source, standard = Material.Form.PAPER, "公安机关", "核验原件，应在有效期内"
    elif "营业执照" in text or "统一社会信用代码" in text:
        source, standard = "市场监管部门（可通过数据共享获取）", "核验原件或共享电子证照"
        notes = "已通过数据共享获取的，申请人免于提交"
    elif "申请" in text and ("表" in text or "书" in text):
        source = "窗口领取或网上下载"
        notes = "如实填写，申请人签字；单位申请的加盖公章"
        standard = "内容完整、签字（盖章）齐全"
    elif "照片" in text:
        form, notes, standard = Material.Form.BOTH, "近期免冠彩色照片", "白色背景，不得佩戴饰品"
    elif "证明" in text or "报告" in text or "意见" in text:
        source = "相关部门或机构出具"
    return dict(seq=seq, name=text, necessity=necessity, form=form, source=source, copies=copies,
                spec="A4", notes=notes, acceptance_standard=standard)


def _identity_material(obj: str) -> str:
    if obj == ServiceObject.PERSON:
        return "申请人居民身份证"
    return "营业执照或统一社会信用代码证书"


def _materials(spec: S, obj: str) -> list[dict]:
    names = list(spec.materials)
    if not any(k in n for n in names for k in ("身份证", "营业执照", "统一社会信用代码", "身份证件")):
        names.insert(0, _identity_material(obj))
    if len(names) < 2:
        names.append("?其他需要说明的材料")
    return [_material(i + 1, n) for i, n in enumerate(names[:6])]


def _steps(spec: S) -> list[dict]:
    p = spec.promised
    if p == 0:
        return [dict(seq=1, name="受理并办结", role="window_officer", days=0)]
    accept = 1 if p >= 3 else 0
    approve = max(1, p // 4) if p >= 2 else 0
    review = p - accept - approve
    steps = [("受理", "window_officer", accept)]
    if "site_survey" in spec.special:
        survey = min(review - 1, max(1, review // 2)) if review > 1 else 0
        review -= survey
        steps.append(("现场踏勘", "chief_rep", survey))
    steps.append(("审核", "chief_rep", review))
    steps.append(("批准", "dept_head", approve))
    return [dict(seq=i + 1, name=n, role=r, days=d) for i, (n, r, d) in enumerate(steps)]


def _variant(spec: S, kind: str) -> S:
    label = VARIANT_LABELS[kind]
    name = f"{spec.name}（{label}）"
    if kind == BusinessKind.NEW:
        return replace(spec, name=name)
    form = f"{spec.name}{label}申请书"
    ids = tuple(m for m in spec.materials if "身份证" in m or "营业执照" in m)[:1]
    if kind == BusinessKind.CHANGE:
        promised = 0 if spec.promised == 0 else max(1, spec.promised // 2)
        return replace(spec, name=name, promised=promised, special=(),
                       materials=(form, *ids, "原许可证正、副本", "变更事项的相关证明材料"))
    if kind == BusinessKind.RENEW:
        return replace(spec, name=name, special=tuple(s for s in spec.special if s != "site_survey"),
                       materials=(form, *ids, "原许可证正、副本", "?许可有效期内的经营情况说明"),
                       conditions=spec.conditions or "许可有效期届满30个工作日前提出延续申请。")
    return replace(spec, name=name, promised=0, special=(), depth=max(spec.depth, 5), visits=min(spec.visits, 1),
                   result="准予注销通知书", result_type="其他", fees=(),
                   materials=(form, *ids, "原许可证正、副本", "?注销原因说明"))


def _default_conditions(spec: S, obj: str) -> str:
    who = "申请人" if obj == ServiceObject.PERSON else "申请单位"
    if spec.kind == ItemKind.LICENSE:
        return f"{who}符合法律、法规规定的条件，申请材料齐全、符合法定形式。"
    if spec.kind == ItemKind.PAYMENT:
        return f"{who}符合国家和省规定的保障条件，经审核认定。"
    if spec.kind == ItemKind.CONFIRMATION:
        return f"{who}提交的材料真实、完整，符合确认条件。"
    return f"{who}提交材料齐全、真实有效。"


def expand_unit(unit: Unit, unit_no: int, uscc: str, place: str) -> list[dict]:
    """Every item of a unit as ``item_upsert`` keyword arguments (department left out)."""
    out: list[dict] = []
    for item_no, base in enumerate(unit.items, start=1):
        kinds = base.variants or (None,)
        kind_code = KIND_CODES[ItemKind(base.kind)]
        basic_code = f"{kind_code}{unit_no:04d}{item_no:03d}000"
        for bk in kinds:
            spec = _variant(base, bk) if bk else base
            digit = VARIANT_DIGITS[bk] if bk else 0
            impl_code = f"{uscc}{basic_code}{digit}"
            out.append(dict(impl_code=impl_code, fields=_fields(spec, unit, basic_code, impl_code, bk, place),
                            steps=_steps(spec), materials=_materials(spec, spec.obj or unit.obj),
                            fees=[dict(seq=i + 1, **FEES[k]) for i, k in enumerate(spec.fees)]))
    return out


def _fields(spec: S, unit: Unit, basic_code: str, impl_code: str, bk: str | None, place: str) -> dict:
    obj = spec.obj or unit.obj
    immediate = spec.promised == 0
    tiers = list(spec.tiers)
    if spec.village and "village" not in tiers:
        tiers.append("village")
    where = place
    if "town" in tiers:
        where += "；各乡镇（街道）便民服务中心"
    if spec.village:
        where += "；各村（社区）便民服务站可代办"
    online = "窗口办理、网上办理" if spec.depth >= 4 else "窗口办理"
    steps = _steps(spec)
    process = "→".join(s["name"] for s in steps)
    if immediate:
        process += "（即办件：材料齐全、符合法定形式的，当场办结）"
    return dict(
        name=spec.name,
        basic_code=basic_code,
        business_code=f"{impl_code}001",
        business_kind=bk or spec.bk,
        kind=spec.kind,
        subject_name=unit.name,
        subject_nature=unit.nature,
        joint_agencies=spec.joint,
        legal_limit=spec.legal,
        legal_limit_unit=spec.unit,
        legal_limit_note=spec.limit_note,
        promised_limit=spec.promised,
        promised_limit_unit=spec.unit,
        promised_limit_note="材料齐全、符合法定形式的当场办结" if immediate else "自受理之日的次日起计算",
        case_type=CaseType.IMMEDIATE if immediate else CaseType.PROMISED,
        handling_form=online,
        visits=spec.visits,
        onsite_reason=spec.onsite or ("需核验申请材料原件" if spec.visits else ""),
        online_depth=spec.depth,
        appointment=spec.depth >= 2,
        express=spec.visits == 0 or spec.depth >= 5,
        online_payment=bool(spec.fees) and spec.depth >= 4,
        intermediary=spec.intermediary,
        tongban_scope=spec.scope,
        handling_tiers=tiers,
        village_intake=spec.village,
        legal_basis=spec.basis or unit.default_basis or LAW,
        conditions=spec.conditions or _default_conditions(spec, obj),
        process_note=process,
        special_procedures=list(spec.special),
        result_name=spec.result,
        result_type=spec.result_type if spec.result else "其他",
        service_object=obj,
        theme=spec.theme or unit.theme,
        keywords=spec.keywords,
        place=where,
        hours=HOURS,
        consult_channel=CONSULT,
        complaint_channel=COMPLAINT,
    )


def center_place(floor: str, first: str, last: str) -> str:
    span = first if first == last else f"{first}-{last}"
    return f"{CENTER_NAME}{floor}{span}号窗口"


# ---------------------------------------------------------------- shorthands for the unit tables

LIC, PAY, CONF, PUB, OTHER, LEVY, ADJ = (ItemKind.LICENSE, ItemKind.PAYMENT, ItemKind.CONFIRMATION,
                                         ItemKind.PUBLIC_SERVICE, ItemKind.OTHER, ItemKind.LEVY,
                                         ItemKind.ADJUDICATION)
PERSON, LEGAL, BOTH = ServiceObject.PERSON, ServiceObject.LEGAL, ServiceObject.BOTH
CAL = TimeUnit.CALENDAR_DAY
NEW, CHANGE, RENEW, CANCEL = BusinessKind.NEW, BusinessKind.CHANGE, BusinessKind.RENEW, BusinessKind.CANCEL
CT = ("county", "town")
CTV = ("county", "town", "village")
SURVEY, EXPERT, QUARANTINE, APPRAISAL, AUCTION = ("site_survey",), ("expert_review",), ("quarantine",), \
    ("appraisal",), ("auction",)
