"""The demo county's 网上中介服务超市: the 中介服务事项清单 of 20 services tied to the county's approval items
(with the provision that makes each one a requirement), 40 agencies from the county, the province and
elsewhere, project owners (enterprises, a person, government units) and half a year (May–December 2026)
of purchases in every status and every selection mode, six months of credit records.

What it shows:

- every 采购 status: 待发布 … 已完成, 流标 (too few sign-ups for state money, and a selected agency that
  declined), each 流标 republished; 已取消 and 服务中止; a 服务中 purchase whose period was extended;
- every mode: 直接选取, 随机选取, 竞价 (最低价; 合理均价 with a price range and with a 下浮率), 择优 (信用择优
  with a short list waiting for the owner, 方案择优); the draws are public and recompute (``draws.verify``);
- two purchases commissioned by a department during review (企业投资项目核准 评估, 环评 技术评估: 特别程序);
- agencies in every status: 填报中, 待审核, 退回修改, 已入驻, one 暂停选取 by its credit (grade D after a
  decline, a late delivery and a poor rating) and one 清退 (grade E, a veto: false materials) whose appeal
  is pending; one whose certificate expired, so its offerings are suspended by the daily sweep.

Everything after the people is done THROUGH THE SERVICES (``services.catalog``, ``agencies``, ``credit``,
``purchases.purchase_create`` / ``purchase_act``), each step frozen at its moment (``clock.frozen``). The
steps of all purchases, admissions and monthly credit runs are interleaved in time order by one timeline
(``_Timeline``), so a monthly recalculation sees exactly what had happened by then. No step is after
2026-12-04 (``LAST_DAY``); every period still running (sign-ups, confirmation, contract, service, rating,
review and appeal clocks) ends on 2026-12-07 or later.

Call after ``load_demo``: ``build_intermediary(stdout=...)``. Idempotent: people are got or created; the
service list, agencies and purchases are made once (a second call makes nothing and records no step).
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import io
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from zhengwu.catalog.models import Item
from zhengwu.core import clock
from zhengwu.demo.build import DemoLogin
from zhengwu.demo.geography import CENTER_CODE, COUNTY
from zhengwu.demo.kit import demo_token as _token
from zhengwu.demo.kit import demo_user as _user
from zhengwu.demo.kit import id_number_fake as _id_number
from zhengwu.demo.kit import money as _money
from zhengwu.demo.kit import name_maker as _person_names
from zhengwu.demo.kit import uscc_completed as _uscc
from zhengwu.demo.kit import uscc_valid as _valid_uscc
from zhengwu.demo.people import DEMO_PASSWORD
from zhengwu.org.models import Department, Hall, Region, Role, Staff
from zhengwu.workdays import engine

from .models import (
    DEFAULT_GRADE_BANDS,
    Agency,
    AgencyKind,
    AgencyStatus,
    Appeal,
    BiddingRule,
    CreditEvent,
    CreditRecord,
    FeeMode,
    Funding,
    LinkStage,
    MeritRule,
    Mode,
    Offering,
    OfferingStatus,
    Owner,
    OwnerKind,
    Policy,
    PriceMode,
    Purchase,
    PurchaseStatus,
    Qualification,
    Service,
    ServiceLink,
    Signup,
    SignupStatus,
)
from .services.common import SHANGHAI

P = PurchaseStatus
LAST_DAY = dt.date(2026, 12, 4)
SEED = "zhengwu-intermediary-2026"
CODE_PREFIX = "ZJFW-130621-"
CREDIT_MONTHS = tuple(dt.date(2026, m, 1) for m in range(6, 12))  # June–November 2026

# Departments (the names the demo county's catalog uses), by a short key.
DEPARTMENTS = {
    "hb": "示范市生态环境局示范县分局",
    "yj": "示范县应急管理局",
    "fg": "示范县发展和改革局",
    "sl": "示范县水利局",
    "zr": "示范县自然资源和规划局",
    "zj": "示范县住房和城乡建设局",
    "xf": "示范县消防救援大队",
    "qx": "示范县气象局",
}

# (username, 工号, name, department key or None for the marketplace, title)
STAFF = (
    ("zjcs", "SFZJ01", "钱明远", None, "中介超市管理员"),
    ("zjjd_hb", "SFZJ11", "赵清波", "hb", "环评审批科中介服务监管员"),
    ("zjjd_yj", "SFZJ12", "孙安平", "yj", "安全生产许可科中介服务监管员"),
    ("zjjd_fg", "SFZJ13", "周振兴", "fg", "投资科中介服务监管员"),
    ("zjjd_sl", "SFZJ14", "吴润泽", "sl", "水政水资源科中介服务监管员"),
    ("zjjd_zr", "SFZJ15", "郑国土", "zr", "测绘地理信息科中介服务监管员"),
    ("zjjd_zj", "SFZJ16", "王建设", "zj", "建筑市场监管股中介服务监管员"),
    ("zjjd_xf", "SFZJ17", "冯消安", "xf", "防火监督科中介服务监管员"),
    ("zjjd_qx", "SFZJ18", "陈雷防", "qx", "防雷减灾科中介服务监管员"),
)

# (code, name, issuer)
QUALIFICATIONS = (
    ("ZZ-HP", "环境影响评价编制单位（环境影响评价信用平台登记）", "生态环境部"),
    ("ZZ-AP", "安全评价机构资质", "应急管理部门"),
    ("ZZ-GC", "工程咨询单位备案（全国投资项目在线审批监管平台）", "发展改革部门"),
    ("ZZ-ZJ", "工程造价咨询（注册造价工程师执业）", "住房和城乡建设部门"),
    ("ZZ-SB", "生产建设项目水土保持方案编制单位水平评价", "中国水土保持学会"),
    ("ZZ-SZ", "水文、水资源调查评价资质", "水行政主管部门"),
    ("ZZ-DZ", "地质灾害危险性评估资质", "自然资源主管部门"),
    ("ZZ-CH", "测绘资质（不动产测绘、工程测量）", "自然资源主管部门"),
    ("ZZ-SJ", "工程设计资质（建筑行业）", "住房和城乡建设部门"),
    ("ZZ-TS", "施工图审查机构认定", "省住房和城乡建设厅"),
    ("ZZ-XF", "社会消防技术服务机构（社会消防技术服务信息系统备案）", "消防救援机构"),
    ("ZZ-FL", "雷电防护装置检测资质", "省气象主管机构"),
)

ISSUERS = {code: issuer for code, _name, issuer in QUALIFICATIONS}

_EIA_LAW = "《中华人民共和国环境影响评价法》"
_RE = "《不动产登记暂行条例实施细则》"


@dataclass(frozen=True)
class Link:
    item: str  # the item's name in the demo catalog
    dept: str  # DEPARTMENTS key of the item's 实施主体
    basis: str
    stage: str = LinkStage.PRECONDITION
    review_limit: int | None = None


@dataclass(frozen=True)
class ServiceSpec:
    no: str
    name: str
    category: str
    dept: str
    quals: tuple[str, ...]
    time_limit: int
    basis: str
    links: tuple[Link, ...]
    price: tuple[int, int]  # the usual offering range (元)
    fee_mode: str = FeeMode.MARKET
    fee_standard: str = "市场调节价"
    note: str = ""


PRE, REVIEW = LinkStage.PRECONDITION, LinkStage.REVIEW

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("01", "建设项目环境影响报告书编制", "评价", "hb", ("ZZ-HP",), 60,
                _EIA_LAW + "第十六条、第十九条；《建设项目环境保护管理条例》第七条",
                (Link("建设项目环境影响报告书审批", "hb",
                      _EIA_LAW + "第二十二条：建设项目的环境影响报告书，由建设单位按照国务院的规定报有审批权的生态环境主管部门审批"),),
                (120_000, 300_000)),
    ServiceSpec("02", "建设项目环境影响报告表编制", "评价", "hb", ("ZZ-HP",), 30,
                _EIA_LAW + "第十六条、第十九条",
                (Link("建设项目环境影响报告表审批", "hb",
                      _EIA_LAW + "第二十二条：建设项目的环境影响报告表，由建设单位报有审批权的生态环境主管部门审批"),),
                (20_000, 80_000)),
    ServiceSpec("03", "建设项目环境影响报告书技术评估", "评估", "hb", ("ZZ-HP",), 20,
                "《优化营商环境条例》第四十三条（行政机关在审批过程中委托技术性服务的，通过竞争性方式选择并自行承担费用）；"
                + _EIA_LAW,
                (Link("建设项目环境影响报告书审批", "hb",
                      "《中华人民共和国行政许可法》第四十五条：专家评审所需时间不计算在审批期限内（审批部门组织技术评估，费用由审批部门承担）",
                      REVIEW, 30),),
                (15_000, 40_000)),
    ServiceSpec("04", "安全评价（安全预评价、安全现状评价）", "评价", "yj", ("ZZ-AP",), 30,
                "《中华人民共和国安全生产法》第三十二条、第七十二条；《安全评价检测检验机构管理办法》（应急管理部令第1号）",
                (Link("危险化学品经营许可（新办）", "yj",
                      "《危险化学品经营许可证管理办法》：带有储存设施的经营单位申请经营许可，应当提交安全评价报告"),),
                (40_000, 120_000)),
    ServiceSpec("05", "固定资产投资项目节能报告编制", "评估", "fg", ("ZZ-GC",), 20,
                "《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》（国家发展改革委令2023年第2号）",
                (Link("固定资产投资项目节能审查", "fg",
                      "《固定资产投资项目节能审查办法》：建设单位应在项目开工建设前报送节能报告，由节能审查机关审查"),),
                (15_000, 50_000)),
    ServiceSpec("06", "政府投资项目可行性研究报告编制", "咨询", "fg", ("ZZ-GC",), 30,
                "《政府投资条例》（国务院令第712号）第九条",
                (Link("政府投资项目可行性研究报告审批", "fg",
                      "《政府投资条例》第九条：项目单位应当编制可行性研究报告，按照政府投资管理权限和规定的程序报投资主管部门审批"),),
                (100_000, 300_000)),
    ServiceSpec("07", "社会稳定风险评估", "评估", "fg", ("ZZ-GC",), 20,
                "《国家发展改革委重大固定资产投资项目社会稳定风险评估暂行办法》（发改投资〔2012〕2492号）",
                (Link("政府投资项目可行性研究报告审批", "fg",
                      "《国家发展改革委重大固定资产投资项目社会稳定风险评估暂行办法》：可行性研究报告应当包括社会稳定风险分析，"
                      "并附社会稳定风险评估报告"),),
                (30_000, 80_000)),
    ServiceSpec("08", "企业投资项目核准咨询评估", "评估", "fg", ("ZZ-GC",), 30,
                "《企业投资项目核准和备案管理条例》（国务院令第673号）第九条",
                (Link("企业投资项目核准", "fg",
                      "《企业投资项目核准和备案管理条例》第九条、第十条：核准机关委托评估的，评估时间不超过30个工作日，"
                      "由核准机关承担费用，评估时间不计入核准期限", REVIEW, 30),),
                (20_000, 60_000)),
    ServiceSpec("09", "工程造价咨询（初步设计概算编制）", "咨询", "zj", ("ZZ-ZJ",), 15,
                "《政府投资条例》第十二条；《建设工程工程量清单计价标准》（GB/T 50500）",
                (Link("政府投资项目初步设计及概算审批", "fg",
                      "《政府投资条例》第九条、第十二条：初步设计及其提出的投资概算报投资主管部门审批，"
                      "核定的投资概算是控制政府投资项目总投资的依据"),),
                (30_000, 90_000)),
    ServiceSpec("10", "生产建设项目水土保持方案编制", "编制", "sl", ("ZZ-SB",), 20,
                "《中华人民共和国水土保持法》第二十五条",
                (Link("生产建设项目水土保持方案审批", "sl",
                      "《中华人民共和国水土保持法》第二十五条：生产建设单位应当编制水土保持方案，报县级以上人民政府水行政主管部门审批"),),
                (30_000, 120_000)),
    ServiceSpec("11", "建设项目水资源论证报告编制", "论证", "sl", ("ZZ-SZ",), 20,
                "《中华人民共和国水法》第二十三条；《取水许可和水资源费征收管理条例》第十一条",
                (Link("取水许可（新办）", "sl",
                      "《取水许可和水资源费征收管理条例》第十一条：申请取水应当提交建设项目水资源论证报告书"),),
                (30_000, 80_000)),
    ServiceSpec("12", "防洪评价报告编制", "评价", "sl", ("ZZ-SZ",), 20,
                "《中华人民共和国防洪法》第二十七条、第三十三条",
                (Link("河道管理范围内建设项目工程建设方案审批", "sl",
                      "《中华人民共和国防洪法》第二十七条：工程建设方案应当经有关水行政主管部门审查同意（附防洪评价报告）"),
                 Link("洪水影响评价类审批", "sl",
                      "《中华人民共和国防洪法》第十七条、第二十七条、第三十三条：报送洪水影响评价报告")),
                (50_000, 150_000)),
    ServiceSpec("13", "地质灾害危险性评估", "评估", "zr", ("ZZ-DZ",), 20,
                "《地质灾害防治条例》（国务院令第394号）第二十一条",
                (Link("建设项目用地预审与选址意见书核发", "zr",
                      "《地质灾害防治条例》第二十一条：在地质灾害易发区内进行工程建设应当在可行性研究阶段进行地质灾害危险性评估"),),
                (20_000, 60_000)),
    ServiceSpec("14", "建设项目勘测定界及不动产权籍调查（地籍测绘）", "测绘", "zr", ("ZZ-CH",), 10,
                "《中华人民共和国测绘法》；" + _RE,
                (Link("建设用地规划许可证核发", "zr", "《中华人民共和国城乡规划法》第三十七条、第三十八条：申请材料含标注用地范围的勘测定界图"),
                 Link("国有建设用地使用权首次登记", "bdc",
                      _RE + "：国有建设用地使用权首次登记，应当提交不动产权籍调查成果")),
                (1_500, 40_000)),
    ServiceSpec("15", "房产测绘", "测绘", "zr", ("ZZ-CH",), 10,
                "《房产测绘管理办法》（建设部、国家测绘局令第83号）",
                (Link("国有建设用地使用权及房屋所有权首次登记", "bdc",
                      _RE + "：房屋所有权首次登记，应当提交房地产调查或者测绘报告"),
                 Link("商品房预售许可", "zj", "《城市商品房预售管理办法》：预售面积以房产测绘机构的预测面积为准")),
                (10_000, 90_000)),
    ServiceSpec("16", "建设工程竣工规划核实测量", "测绘", "zr", ("ZZ-CH",), 10,
                "《中华人民共和国城乡规划法》第四十五条；《中华人民共和国测绘法》",
                (Link("建设工程规划核实", "zr",
                      "《中华人民共和国城乡规划法》第四十五条：建设工程竣工验收前由城乡规划主管部门核实，申请材料含竣工测量成果报告"),),
                (8_000, 30_000)),
    ServiceSpec("17", "建设工程设计方案编制", "设计", "zr", ("ZZ-SJ",), 20,
                "《中华人民共和国城乡规划法》第四十条；《建设工程勘察设计管理条例》",
                (Link("建设工程规划许可证核发", "zr",
                      "《中华人民共和国城乡规划法》第四十条：申请办理建设工程规划许可证，应当提交建设工程设计方案等材料"),),
                (150_000, 400_000)),
    ServiceSpec("18", "施工图设计文件审查", "审图", "zj", ("ZZ-TS",), 15,
                "《建设工程质量管理条例》第十一条；《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》（住房和城乡建设部令第13号）",
                (Link("建筑工程施工许可证核发（新办）", "zj",
                      "《建筑工程施工许可管理办法》第四条：申请施工许可应当具备施工图设计文件已按规定审查合格的条件"),),
                (40_000, 120_000)),
    ServiceSpec("19", "消防设施检测", "检测", "xf", ("ZZ-XF",), 10,
                "《中华人民共和国消防法》第三十四条；《社会消防技术服务管理规定》（应急管理部令第7号）",
                (Link("建设工程消防验收", "zj",
                      "《建设工程消防设计审查验收管理暂行规定》（住房和城乡建设部令第51号）：申请消防验收应当提交涉及消防的"
                      "建设工程竣工图纸及消防设施检测报告"),),
                (8_000, 30_000)),
    ServiceSpec("20", "雷电防护装置检测", "检测", "qx", ("ZZ-FL",), 10,
                "《气象灾害防御条例》第二十三条；《雷电防护装置检测资质管理办法》",
                (Link("防雷装置竣工验收", "qx",
                      "《防雷装置设计审核和竣工验收规定》：申请防雷装置竣工验收应当提交防雷装置检测报告"),),
                (3_000, 20_000), FeeMode.STANDARD, "按《示范省防雷装置检测收费标准》（政府指导价）计收"),
)
# The 不动产登记中心 holds the registration items (it is a unit of its own in the demo catalog).
DEPARTMENTS_ITEMS = {**DEPARTMENTS, "bdc": "示范县不动产登记中心"}

# Practitioners' titles by qualification.
TITLES = {
    "ZZ-HP": "环境影响评价工程师", "ZZ-AP": "注册安全评价师", "ZZ-GC": "注册咨询工程师（投资）",
    "ZZ-ZJ": "一级注册造价工程师", "ZZ-SB": "水土保持工程师", "ZZ-SZ": "注册土木工程师（水利水电工程）",
    "ZZ-DZ": "注册土木工程师（岩土）", "ZZ-CH": "注册测绘师", "ZZ-SJ": "一级注册建筑师",
    "ZZ-TS": "一级注册结构工程师", "ZZ-XF": "一级注册消防工程师", "ZZ-FL": "防雷检测专业技术人员",
}

# Where agencies come from: (home, 6-digit 区划代码 used in their 统一社会信用代码 and 授权人身份证号).
HOMES = {
    "sfx": ("河北省示范市示范县", "130621"), "sfs": ("河北省示范市", "130602"), "sjz": ("河北省石家庄市", "130102"),
    "xt": ("河北省邢台市", "130502"), "bj": ("北京市海淀区", "110108"), "bjx": ("北京市西城区", "110102"),
    "tj": ("天津市滨海新区", "120116"), "sd": ("山东省济南市", "370102"), "hn": ("河南省郑州市", "410102"),
    "js": ("江苏省南京市", "320102"),
}


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    home: str
    services: tuple[str, ...]
    registered: dt.date
    stage: str = "active"  # "draft" | "pending" | "returned" | "active"
    kind: str = AgencyKind.LEGAL
    expires: dt.date | None = None  # every certificate's expiry (None: two to three years on)


_APRIL = dt.date(2026, 4, 1)
ENV, SAFETY, CONSULT = ("01", "02", "03"), ("04",), ("05", "06", "07", "08")
WATER, SURVEY = ("10", "11", "12"), ("14", "15", "16")

AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec("a01", "河北清源环境科技有限公司", "sjz", ENV, _APRIL),
    AgencySpec("a02", "北京绿城环评技术有限公司", "bj", ENV[:2], _APRIL),
    AgencySpec("a03", "示范县正源环保咨询有限公司", "sfx", ENV, dt.date(2026, 4, 2)),
    AgencySpec("a04", "天津滨海环境工程评价中心有限公司", "tj", ENV, dt.date(2026, 4, 2)),
    AgencySpec("a05", "河北恒信环境工程有限公司", "xt", ENV, dt.date(2026, 4, 3)),
    AgencySpec("a06", "山东鲁环生态技术有限公司", "sd", ENV[:2], dt.date(2026, 4, 3), expires=dt.date(2026, 10, 31)),
    AgencySpec("a07", "河北安评科技有限公司", "sjz", SAFETY, dt.date(2026, 4, 7)),
    AgencySpec("a08", "示范市安泰安全评价有限公司", "sfs", SAFETY, dt.date(2026, 4, 7)),
    AgencySpec("a09", "河南中安安全技术有限公司", "hn", SAFETY, dt.date(2026, 4, 8)),
    AgencySpec("a10", "示范市工程咨询院有限公司", "sfs", CONSULT, dt.date(2026, 4, 8)),
    AgencySpec("a11", "河北宏远工程咨询有限公司", "sjz", CONSULT, dt.date(2026, 4, 9)),
    AgencySpec("a12", "中咨华信（北京）工程咨询有限公司", "bjx", CONSULT, dt.date(2026, 4, 9)),
    AgencySpec("a13", "邢台中诚工程咨询有限公司", "xt", CONSULT, dt.date(2026, 4, 10)),
    AgencySpec("a14", "示范县正信项目管理咨询有限公司", "sfx", CONSULT[:3], dt.date(2026, 4, 10)),
    AgencySpec("a15", "江苏苏咨工程咨询有限公司", "js", CONSULT, dt.date(2026, 4, 13)),
    AgencySpec("a16", "河北建信工程造价咨询有限公司", "sjz", ("09",), dt.date(2026, 4, 13)),
    AgencySpec("a17", "示范市华审造价咨询事务所（普通合伙）", "sfs", ("09",), dt.date(2026, 4, 14),
               kind=AgencyKind.UNINCORPORATED),
    AgencySpec("a18", "天津中审工程造价咨询有限公司", "tj", ("09",), dt.date(2026, 4, 14)),
    AgencySpec("a19", "河北水润水利技术咨询有限公司", "sjz", WATER, dt.date(2026, 4, 15)),
    AgencySpec("a20", "示范市水利水电勘测设计院有限公司", "sfs", WATER, dt.date(2026, 4, 15)),
    AgencySpec("a21", "河北清水水土保持技术有限公司", "sjz", ("10",), dt.date(2026, 4, 16)),
    AgencySpec("a22", "山东鲁水工程咨询有限公司", "sd", WATER, dt.date(2026, 4, 16)),
    AgencySpec("a23", "河北省地矿勘查评估有限公司", "sjz", ("13",), dt.date(2026, 4, 17)),
    AgencySpec("a24", "示范市地质工程勘察院有限公司", "sfs", ("13", "14"), dt.date(2026, 4, 17)),
    AgencySpec("a25", "河北天衡测绘有限公司", "sjz", SURVEY, dt.date(2026, 4, 20)),
    AgencySpec("a26", "示范县信达测绘有限公司", "sfx", SURVEY, dt.date(2026, 4, 20)),
    AgencySpec("a27", "示范市国土测绘院有限公司", "sfs", SURVEY, dt.date(2026, 4, 21)),
    AgencySpec("a28", "北京京测空间信息技术有限公司", "bj", SURVEY, dt.date(2026, 4, 21)),
    AgencySpec("a29", "示范县精诚房产测绘服务部", "sfx", ("14", "15"), dt.date(2026, 4, 22), kind=AgencyKind.INDIVIDUAL),
    AgencySpec("a30", "河北华图测绘科技有限公司", "sjz", SURVEY, dt.date(2026, 11, 30), stage="draft"),
    AgencySpec("a31", "示范市建筑设计研究院有限公司", "sfs", ("17",), dt.date(2026, 4, 22)),
    AgencySpec("a32", "河北华丰建筑设计有限公司", "sjz", ("17",), dt.date(2026, 4, 23)),
    AgencySpec("a33", "北京中建华筑设计有限公司", "bj", ("17",), dt.date(2026, 12, 1), stage="pending"),
    AgencySpec("a34", "示范市筑信施工图审查中心有限公司", "sfs", ("18",), dt.date(2026, 4, 23)),
    AgencySpec("a35", "河北建审工程技术有限公司", "sjz", ("18",), dt.date(2026, 4, 24)),
    AgencySpec("a36", "河北正衡施工图审查有限公司", "sjz", ("18",), dt.date(2026, 11, 9), stage="returned"),
    AgencySpec("a37", "河北安消消防技术服务有限公司", "sjz", ("19",), dt.date(2026, 4, 24)),
    AgencySpec("a38", "示范市消安检测有限公司", "sfs", ("19",), dt.date(2026, 4, 27)),
    AgencySpec("a39", "河北气象防雷技术服务有限公司", "sjz", ("20",), dt.date(2026, 4, 27)),
    AgencySpec("a40", "示范市雷安防雷检测有限公司", "sfs", ("20",), dt.date(2026, 4, 28)),
)
DOWNGRADED = "a26"  # declines after selection, delivers late, rated poorly: grade D, suspended
DELISTED = "a09"  # false materials (a veto): grade E, delisted, appeal pending
EXPIRED = "a06"  # its certificate expires on 2026-10-31: its offerings are suspended on 2026-11-02
CHANGED = "a01"  # an admitted agency's change of address, reviewed and approved
AGENCY_LOGINS = ("a01", "a10", "a25", DOWNGRADED, DELISTED)

# (key, kind, name, username, contact person, department name for a government unit)
OWNERS = (
    ("hongda", OwnerKind.ENTERPRISE, "示范县宏达食品有限公司", "yz_hongda", "刘宏达", ""),
    ("hengji", OwnerKind.ENTERPRISE, "示范县恒基房地产开发有限公司", "yz_hengji", "王恒基", ""),
    ("chem", OwnerKind.ENTERPRISE, "河北示范化工有限公司", "yz_huagong", "赵化成", ""),
    ("solar", OwnerKind.ENTERPRISE, "示范县清河新能源科技有限公司", "yz_xinneng", "陈新能", ""),
    ("zhang", OwnerKind.PERSON, "张建国", "yz_zhangjg", "张建国", ""),
    ("jyj", OwnerKind.GOVERNMENT, "示范县教育局", "yz_jyj", "李育才", "示范县教育局"),
    ("slj", OwnerKind.GOVERNMENT, "示范县水利局", "yz_slj", "何水清", "示范县水利局"),
    ("fgj", OwnerKind.GOVERNMENT, "示范县发展和改革局", "yz_fgj", "高发展", "示范县发展和改革局"),
    ("hbj", OwnerKind.GOVERNMENT, "示范市生态环境局示范县分局", "yz_hbj", "林绿洲", "示范市生态环境局示范县分局"),
)
OWNER_LOGINS = ("hengji", "zhang", "jyj", "fgj")


# ---------------------------------------------------------------- purchases


@dataclass(frozen=True)
class Plan:
    """One purchase and how far it goes; ``again`` is the republished purchase after a 流标."""

    title: str
    service: str  # ServiceSpec.no
    owner: str
    mode: str
    target: str
    start: dt.date  # created and published that (working) day
    signups: tuple[str, ...] = ()
    funding: str = Funding.PRIVATE
    price: tuple = ("range", 20_000, 60_000)  # ("range", lo, hi) | ("fixed", amount) | ("discount", base, max %)
    rule: str = ""  # BiddingRule or MeritRule
    quotes: tuple = ()  # per sign-up: an amount (元), or a 下浮率 (%)
    lists: tuple[int | None, int | None] = (None, None)  # 信用择优: long list, short list
    pick: str = ""  # the agency the owner names (直接选取, 方案择优, 信用择优 pick)
    item: str = ""  # the approval item the purchase is for (its link must exist)
    signup_days: int = 5  # working days from publication to the sign-up deadline
    select_days: int = 1  # working days from the deadline to the selection
    close: bool = False  # the owner closes the sign-up at the next working day (待选取)
    days: int | None = None  # service_days (None: the service's time limit)
    late: bool = False
    rating: tuple[int, int, int, int] = (5, 5, 5, 5)
    extension: int = 0  # working days asked for (and agreed) before the end
    decline: bool = False  # the selected agency declines → 流标
    terminate: bool = False
    again: Plan | None = None


R, B, M, D = Mode.RANDOM, Mode.BIDDING, Mode.MERIT, Mode.DIRECT
LOW, AVG, CREDIT, PROPOSAL = BiddingRule.LOWEST, BiddingRule.AVERAGE, MeritRule.CREDIT, MeritRule.PROPOSAL
STATE = Funding.STATE
d = dt.date

PLANS: tuple[Plan, ...] = (
    # -- finished: ratings that feed the credit months
    Plan("宏达食品年产2万吨速冻食品扩建项目环境影响报告表编制", "02", "hongda", R, P.COMPLETED, d(2026, 5, 11),
         ("a01", "a02", "a03", "a06"), price=("range", 30_000, 60_000), item="建设项目环境影响报告表审批",
         rating=(5, 5, 4, 5)),
    Plan("恒基·翰林苑一期房产测绘", "15", "hengji", B, P.COMPLETED, d(2026, 5, 18), ("a25", "a27", "a28", "a29"),
         rule=LOW, price=("range", 40_000, 80_000), quotes=(61_000, 58_800, 64_500, 59_900),
         item="国有建设用地使用权及房屋所有权首次登记", rating=(5, 4, 5, 5)),
    Plan("恒基·翰林苑一期建设工程竣工规划核实测量", "16", "hengji", D, P.COMPLETED, d(2026, 5, 25), (DOWNGRADED,),
         price=("fixed", 18_000), pick=DOWNGRADED, item="建设工程规划核实", days=5, rating=(4, 4, 5, 4)),
    Plan("示范县第二实验小学新建工程可行性研究报告编制", "06", "jyj", B, P.COMPLETED, d(2026, 6, 1),
         ("a10", "a11", "a12", "a13", "a14"), funding=STATE, rule=AVG, price=("range", 150_000, 260_000),
         quotes=(218_000, 196_500, 245_000, 188_000, 207_600), item="政府投资项目可行性研究报告审批",
         rating=(5, 5, 5, 4)),
    Plan("恒基·翰林苑二期建设用地勘测定界", "14", "hengji", B, P.FAILED, d(2026, 6, 1), (DOWNGRADED, "a25", "a27"),
         rule=LOW, price=("range", 20_000, 40_000), quotes=(21_000, 26_800, 25_500), decline=True,
         item="建设用地规划许可证核发",
         again=Plan("", "14", "hengji", B, P.COMPLETED, d(2026, 6, 15), ("a25", "a27", "a28"), rule=LOW,
                    price=("range", 20_000, 40_000), quotes=(26_000, 24_900, 27_300), rating=(5, 5, 5, 5))),
    Plan("河北示范化工有限公司危险化学品仓储项目安全预评价", "04", "chem", M, P.COMPLETED, d(2026, 6, 15),
         ("a07", "a08", DELISTED), rule=PROPOSAL, price=("range", 50_000, 90_000), quotes=(78_000, 72_000, 69_000),
         pick="a08", item="危险化学品经营许可（新办）", rating=(5, 5, 4, 5)),
    Plan("恒基·翰林苑二期房产预测绘", "15", "hengji", D, P.COMPLETED, d(2026, 6, 22), (DOWNGRADED,),
         price=("fixed", 35_000), pick=DOWNGRADED, item="商品房预售许可", days=10, late=True, rating=(3, 3, 2, 3)),
    Plan("示范县第二实验小学新建工程社会稳定风险评估", "07", "jyj", M, P.COMPLETED, d(2026, 7, 6),
         ("a10", "a11", "a12", "a13", "a15"), funding=STATE, rule=CREDIT, lists=(4, 2), price=("fixed", 60_000),
         item="政府投资项目可行性研究报告审批", rating=(5, 5, 5, 5)),
    Plan("示范县清河城区段防洪治理工程防洪评价报告编制", "12", "slj", R, P.FAILED, d(2026, 7, 13), ("a19", "a20"),
         funding=STATE, price=("range", 80_000, 150_000), item="河道管理范围内建设项目工程建设方案审批",
         again=Plan("", "12", "slj", R, P.COMPLETED, d(2026, 7, 23), ("a19", "a20", "a22"), funding=STATE,
                    price=("range", 80_000, 150_000), rating=(5, 4, 5, 5))),
    Plan("宏达食品扩建项目节能报告编制", "05", "hongda", R, P.COMPLETED, d(2026, 7, 20), ("a10", "a11", "a14", "a15"),
         price=("range", 15_000, 30_000), item="固定资产投资项目节能审查", rating=(4, 5, 5, 5)),
    Plan("清河新能源50MW光伏电站项目水土保持方案编制", "10", "solar", B, P.COMPLETED, d(2026, 8, 3),
         ("a19", "a20", "a21", "a22"), rule=AVG, price=("discount", 120_000, 20), quotes=(8, 12, 15, 10),
         item="生产建设项目水土保持方案审批", rating=(5, 5, 5, 4)),
    Plan("清河新能源50MW光伏电站项目核准咨询评估（核准机关委托）", "08", "fgj", B, P.COMPLETED, d(2026, 8, 17),
         ("a10", "a12", "a13", "a15"), funding=STATE, rule=LOW, price=("range", 30_000, 50_000),
         quotes=(42_000, 39_500, 44_800, 40_200), item="企业投资项目核准", rating=(5, 5, 5, 5)),
    Plan("河北示范化工有限公司危化品仓储项目环境影响报告书技术评估（审批部门委托）", "03", "hbj", R, P.COMPLETED,
         d(2026, 9, 7), ("a01", "a03", "a04", "a05"), funding=STATE, price=("fixed", 25_000),
         item="建设项目环境影响报告书审批", rating=(5, 5, 5, 5)),
    Plan("宏达食品新厂房雷电防护装置检测", "20", "hongda", D, P.COMPLETED, d(2026, 9, 14), ("a39",),
         price=("fixed", 8_000), pick="a39", item="防雷装置竣工验收", days=5, rating=(5, 5, 5, 5)),
    Plan("宏达食品新厂房消防设施检测", "19", "hongda", B, P.COMPLETED, d(2026, 10, 12), ("a37", "a38"), rule=LOW,
         price=("range", 10_000, 20_000), quotes=(16_800, 15_200), item="建设工程消防验收", rating=(4, 4, 5, 5)),
    Plan("张建国宅基地住房不动产权籍调查", "14", "zhang", D, P.COMPLETED, d(2026, 11, 2), ("a29",),
         price=("fixed", 1_500), pick="a29", days=5, rating=(5, 5, 5, 5)),
    # -- still running at the end
    Plan("恒基·翰林苑二期施工图设计文件审查", "18", "hengji", R, P.TERMINATED, d(2026, 9, 21), ("a34", "a35"),
         price=("range", 60_000, 90_000), item="建筑工程施工许可证核发（新办）", terminate=True),
    Plan("宏达食品冷库项目环境影响报告表编制", "02", "hongda", R, P.CANCELLED, d(2026, 10, 19), ("a01", "a05")),
    Plan("示范县第二实验小学初步设计概算编制", "09", "jyj", B, P.IN_SERVICE, d(2026, 10, 19), ("a16", "a17", "a18"),
         funding=STATE, rule=LOW, price=("range", 40_000, 70_000), quotes=(56_000, 52_800, 61_000),
         item="政府投资项目初步设计及概算审批", extension=12),
    Plan("示范县清河灌区取水工程水资源论证报告编制", "11", "slj", R, P.DELIVERED, d(2026, 10, 26),
         ("a19", "a20", "a22"), funding=STATE, price=("range", 40_000, 60_000), item="取水许可（新办）"),
    Plan("恒基·翰林苑三期建设工程设计方案编制", "17", "hengji", M, P.IN_SERVICE, d(2026, 11, 2), ("a31", "a32"),
         rule=PROPOSAL, price=("range", 200_000, 350_000), quotes=(298_000, 276_000), pick="a31",
         item="建设工程规划许可证核发"),
    Plan("清河新能源50MW光伏电站项目节能报告编制", "05", "solar", B, P.CONFIRMED, d(2026, 11, 20),
         ("a10", "a11", "a14", "a15"), rule=AVG, price=("range", 20_000, 35_000),
         quotes=(29_800, 27_600, 31_500, 26_900), item="固定资产投资项目节能审查"),
    Plan("河北示范化工有限公司危化品仓储项目环境影响报告书编制", "01", "chem", M, P.SHORTLISTED, d(2026, 11, 23),
         ("a01", "a02", "a03", "a04", "a05"), rule=CREDIT, lists=(4, 2), price=("range", 150_000, 250_000),
         item="建设项目环境影响报告书审批"),
    Plan("河北示范化工有限公司危化品仓储安全现状评价", "04", "chem", M, P.SELECTING, d(2026, 11, 24), ("a07", "a08"),
         rule=PROPOSAL, price=("range", 50_000, 90_000), quotes=(71_000, 68_500), close=True, select_days=5),
    Plan("宏达食品冷库项目水土保持方案编制", "10", "hongda", R, P.SELECTED, d(2026, 11, 26), ("a19", "a21", "a22"),
         price=("range", 30_000, 60_000), item="生产建设项目水土保持方案审批"),
    Plan("示范县第三中学教学楼改扩建工程可行性研究报告编制", "06", "jyj", R, P.SIGNUP, d(2026, 12, 2), ("a10", "a12"),
         funding=STATE, price=("range", 120_000, 200_000), item="政府投资项目可行性研究报告审批"),
    Plan("张建国自建住房房产测绘", "15", "zhang", D, P.DRAFT, d(2026, 12, 3), price=("fixed", 1_200)),
)

CONTENT = {
    "评价": "按相关技术导则开展调查、监测、预测和评价，编制报告并配合审批部门的技术审查和修改完善",
    "评估": "开展现场踏勘、资料分析和论证，出具评估报告，参加评审会并按评审意见修改",
    "咨询": "收集基础资料，开展方案比选和投资测算，编制咨询成果文件并配合评审",
    "编制": "开展现场调查，编制方案报告书（表）并配合技术评审、按意见修改完善",
    "论证": "开展水资源现状调查和取用水合理性分析，编制论证报告并配合审查",
    "测绘": "按国家测绘标准开展外业测量和内业成图，出具测绘成果报告",
    "设计": "编制建设工程设计方案（总平面图、单体方案、技术经济指标），配合规划审查修改",
    "审图": "对施工图设计文件进行技术审查，出具审查意见和审查合格书",
    "检测": "按国家标准对设施进行现场检测，出具检测报告",
}


# ---------------------------------------------------------------- small helpers


@functools.lru_cache(maxsize=1)
def _pdf_bytes() -> bytes:
    """A one-page blank PDF: what the demo uploads as licences, 承诺书, proposals and results."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _pdf_bytes(), content_type="application/pdf")


def _hash(*parts) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


class _Days:
    """Working days of the county and aware Beijing-time moments."""

    def __init__(self, region: Region):
        self.region = region
        self.cal = engine.calendar_for(region)

    def wd(self, day: dt.date) -> dt.date:
        while not self.cal.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def back(self, day: dt.date) -> dt.date:
        while not self.cal.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def due(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day``."""
        return engine.due_date(day, n, region=self.region).due

    @staticmethod
    def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


class _Timeline:
    """Steps of many stories in time order: each story is a generator that yields the moment of its next
    step and takes it when resumed (under ``clock.frozen`` of that moment)."""

    def __init__(self):
        self.heap: list[tuple[dt.datetime, int, Iterator]] = []
        self.seq = 0

    def add(self, story: Iterator[dt.datetime]) -> None:
        moment = next(story, None)
        if moment is not None:
            heapq.heappush(self.heap, (moment, self.seq, story))
            self.seq += 1

    def run(self) -> None:
        while self.heap:
            moment, seq, story = heapq.heappop(self.heap)
            if moment.astimezone(SHANGHAI).date() > LAST_DAY:
                raise RuntimeError(f"intermediary demo: a step at {moment} is after {LAST_DAY:%Y-%m-%d}")
            with clock.frozen(moment):
                following = next(story, None)
            if following is not None:
                if following < moment:
                    raise RuntimeError(f"intermediary demo: a step at {following} goes back before {moment}")
                heapq.heappush(self.heap, (following, seq, story))


# ---------------------------------------------------------------- people and the list


@dataclass
class _World:
    county: Region
    days: _Days
    admin: object  # User of the 中介超市管理员
    supervisors: dict  # department key -> User
    depts: dict  # department key -> Department
    quals: dict  # code -> Qualification
    services: dict = field(default_factory=dict)  # no -> Service
    owners: dict = field(default_factory=dict)  # key -> (Owner, User)
    agencies: dict = field(default_factory=dict)  # key -> (Agency, User)
    users: dict = field(default_factory=dict)  # username -> User
    logins: list = field(default_factory=list)


def _people(password: str) -> _World:
    county = Region.objects.get(code=COUNTY[0])
    center = Hall.objects.get(code=CENTER_CODE)
    depts = {key: Department.objects.get(name=name, region=county) for key, name in DEPARTMENTS.items()}
    roles = {code: Role.objects.get_or_create(code=code, defaults={"name": name})[0]
             for code, name in Role.DEFAULTS if code in (Role.INTERMEDIARY_ADMIN, Role.INTERMEDIARY_SUPERVISOR)}
    users, supervisors = {}, {}
    for n, (username, employee_no, name, dept_key, title) in enumerate(STAFF):
        user = _user(username, name, f"1393070{n:04d}", password)
        if not Staff.objects.filter(employee_no=employee_no).exists():
            dept = depts[dept_key] if dept_key else None
            staff = Staff.objects.create(user=user, employee_no=employee_no, name=name, title=title,
                                         department=dept, hall=None if dept else center, region=county)
            staff.roles.set([roles[Role.INTERMEDIARY_SUPERVISOR if dept else Role.INTERMEDIARY_ADMIN]])
        users[username] = user
        if dept_key:
            supervisors[dept_key] = user
    policy, _ = Policy.objects.get_or_create(region=county, defaults={"grade_bands": dict(DEFAULT_GRADE_BANDS)})
    quals = {}
    for code, name, issuer in QUALIFICATIONS:
        quals[code], _ = Qualification.objects.get_or_create(code=code, defaults={"name": name, "issuer": issuer})
    w = _World(county=county, days=_Days(county), admin=users["zjcs"], supervisors=supervisors, depts=depts,
               quals=quals, users=users)
    _owners(w, password)
    return w


def _owners(w: _World, password: str) -> None:
    for n, (key, kind, name, username, contact, dept_name) in enumerate(OWNERS, start=1):
        user = _user(username, contact, f"1393071{n:04d}", password)
        w.users[username] = user
        phone = f"1393071{n:04d}"
        if kind == OwnerKind.PERSON:
            ident = {"id_number": _id_number("130621", dt.date(1968, 5, 12), 40 + n, False)}
        elif kind == OwnerKind.GOVERNMENT:
            dept = Department.objects.get(name=dept_name, region=w.county)
            ident = {"uscc": dept.code if _valid_uscc(dept.code) else _uscc(f"11130621MB{7100 + n:07d}"),
                     "department": dept}
        else:
            ident = {"uscc": _uscc(f"91130621MA{7100 + n:07d}")}
        lookup = {k: v for k, v in ident.items() if k in ("uscc", "id_number")}
        owner = Owner.objects.filter(**lookup).first()
        if owner is None:
            owner = Owner.objects.create(kind=kind, name=name, contact_name=contact, contact_phone=phone, **ident)
        owner.members.add(user)
        w.owners[key] = (owner, user)


def _service_list(w: _World) -> None:
    """The 20 services through ``service_upsert`` and their items through ``service_link``; once (when the
    list is there already, it is read, so a second run records no step)."""
    from .services import catalog

    listed = Service.objects.in_bulk([CODE_PREFIX + spec.no for spec in SERVICES], field_name="code")
    if len(listed) == len(SERVICES):
        w.services = {spec.no: listed[CODE_PREFIX + spec.no] for spec in SERVICES}
        return
    item_depts = {key: Department.objects.get(name=name, region=w.county)
                  for key, name in DEPARTMENTS_ITEMS.items()}
    with clock.frozen(dt.date(2026, 3, 2)):
        for spec in SERVICES:
            service = catalog.service_upsert(
                region=w.county, code=CODE_PREFIX + spec.no, name=spec.name, basis=spec.basis,
                department=w.depts[spec.dept], time_limit=spec.time_limit,
                qualifications=[w.quals[q] for q in spec.quals], category=spec.category, fee_mode=spec.fee_mode,
                fee_standard=spec.fee_standard, time_limit_note="自合同约定的服务开始之日起计算的工作日",
                conditions="具备所列资质之一且证书在有效期内，已在本超市入驻并登记承接本事项",
                process="项目业主发布采购公告→中介机构报名→按公告的方式选取→中选机构确认→登记合同→提交服务成果→业主评价",
                actor=w.admin)
            for link in spec.links:
                item = Item.objects.get(name=link.item, department=item_depts[link.dept])
                catalog.service_link(service=service, item=item, basis=link.basis, stage=link.stage,
                                     review_limit=link.review_limit, actor=w.admin)
            w.services[spec.no] = service


def _logins(w: _World) -> list[DemoLogin]:
    rows = [("中介超市管理员", "zjcs", "示范县政务服务中心 · 网上中介服务超市")]
    for username, _no, _name, dept_key, title in STAFF[1:]:
        rows.append(("中介服务监管人员", username, f"{DEPARTMENTS[dept_key]} · {title}"))
    kinds = {OwnerKind.ENTERPRISE: "项目业主（企业）", OwnerKind.PERSON: "项目业主（个人）",
             OwnerKind.GOVERNMENT: "项目业主（机关单位）"}
    by_key = {o[0]: o for o in OWNERS}
    for key in OWNER_LOGINS:
        _k, kind, name, username, _c, _d = by_key[key]
        rows.append((kinds[kind], username, name))
    specs = {a.key: a for a in AGENCIES}
    for key in AGENCY_LOGINS:
        rows.append(("中介机构", _agency_username(key), specs[key].name))
    return [DemoLogin(role=role, username=u, password=DEMO_PASSWORD, token=f"zw_demo_{u}", where=where)
            for role, u, where in rows]


def _agency_username(key: str) -> str:
    return f"zjjg{key[1:]}"


# ---------------------------------------------------------------- the stories


class _Runner:
    def __init__(self, w: _World, password: str):
        from .services import agencies, credit, purchases

        self.w, self.days, self.password = w, w.days, password
        self.agencies, self.credit, self.purchases = agencies, credit, purchases
        self.names, self.rng = _person_names(SEED)
        self.by_agency_id: dict[int, object] = {}  # agency pk -> member User

    # -- agencies
    def agency_story(self, n: int, spec: AgencySpec) -> Iterator[dt.datetime]:
        w, days = self.w, self.days
        home, area = HOMES[spec.home]
        contact, female = self.names()
        legal_rep, _ = self.names()
        user = _user(_agency_username(spec.key), contact, f"1393072{n:04d}", self.password)
        day = days.wd(spec.registered)
        yield days.at(day, 9, n)
        agency = self.agencies.agency_register(
            region=w.county, user=user, name=spec.name, uscc=_uscc(f"91{area}MA{7000 + n:07d}"), kind=spec.kind,
            legal_rep=legal_rep, contact_name=contact,
            contact_id_number=_id_number(area, dt.date(1975 + n % 15, 1 + n % 12, 1 + n % 27), n, female),
            contact_phone=f"1393072{n:04d}", home_region=home, address=f"{home}建设路{100 + n}号",
            intro=f"{spec.name}，专业从事" + "、".join(w.services[s].name for s in spec.services) + "等技术服务。",
            licence=_pdf("营业执照.pdf"), pledge=_pdf("入驻承诺书.pdf"))
        w.agencies[spec.key] = (agency, user)
        self.by_agency_id[agency.pk] = user
        quals = []
        for s in spec.services:
            quals += [q for q in SERVICES[int(s) - 1].quals if q not in quals]
        for k, code in enumerate(quals):
            valid = spec.expires or dt.date(2028 + k % 2, 1 + n % 12, 28)
            self.agencies.certificate_add(agency=agency, user=user, qualification=w.quals[code],
                                          number=f"{code[3:]}{area}{n:04d}{k}", valid_until=valid,
                                          level="甲级" if n % 3 else "乙级", issuer=ISSUERS[code])
        for k in range(2):
            person, female = self.names()
            born = dt.date(1970 + self.rng.randrange(25), 1 + self.rng.randrange(12), 1 + self.rng.randrange(28))
            self.agencies.practitioner_add(agency=agency, user=user, name=person,
                                           id_number=_id_number(area, born, 200 + n * 2 + k, female),
                                           title=TITLES[quals[k % len(quals)]],
                                           certificate_no=f"ZY{area}{n:03d}{k}")
        for s in spec.services:
            lo, hi = SERVICES[int(s) - 1].price
            spread = Decimal(90 + _hash(spec.key, s) % 21) / 100  # 0.90–1.10 of the usual range
            self.agencies.offering_set(agency=agency, user=user, service=w.services[s],
                                       price_min=_money(lo * spread), price_max=_money(hi * spread),
                                       price_note="按项目规模和工作量协商，不超过公示上限")
        if spec.stage == "draft":
            return
        submitted = days.wd(day + dt.timedelta(days=2)) if spec.stage == "pending" else day
        yield days.at(submitted, 15, n)
        self.agencies.agency_submit(agency=agency, user=user)
        if spec.stage == "pending":
            return
        yield days.at(days.due(submitted, 1), 10, n)
        if spec.stage == "returned":
            self.agencies.agency_review(agency=agency, staff=w.admin, approve=False,
                                        note="营业执照扫描件不清晰，承诺书未加盖单位公章，请重新上传后提交")
            return
        self.agencies.agency_review(agency=agency, staff=w.admin, approve=True, note="材料齐全，准予入驻")
        if spec.key == CHANGED:
            yield days.at(dt.date(2026, 9, 8), 10)
            change = self.agencies.agency_change_submit(agency=agency, user=user,
                                                        data={"address": "河北省石家庄市长安区中山东路318号"})
            yield days.at(dt.date(2026, 9, 9), 15)
            self.agencies.agency_change_review(change=change, staff=w.admin, approve=True, note="经核实，准予变更")

    def expiry_story(self) -> Iterator[dt.datetime]:
        """The daily sweep the morning after the certificate expired (2026-11-01 is a Sunday)."""
        yield self.days.at(dt.date(2026, 11, 2), 1)
        self.agencies.qualifications_expire(today=dt.date(2026, 11, 2))

    def veto_story(self) -> Iterator[dt.datetime]:
        yield self.days.at(dt.date(2026, 10, 15), 10)
        agency, user = self.w.agencies[DELISTED]
        event = self.credit.credit_event_add(
            agency=agency, staff=self.w.admin, rule_code="false_materials",
            note="经向发证机关核实，该机构入驻时提交的两名注册安全评价师证书系伪造，属提供虚假材料入驻")
        yield self.days.at(dt.date(2026, 11, 27), 10)
        self.credit.appeal_file(agency=agency, user=user, kind=Appeal.Kind.APPEAL, event=event,
                                reason="两名安全评价师已于2026年9月离职，证书由其本人提供，本机构不知情；"
                                       "现已补充三名持证人员，请求撤销该失信记录。")

    def credit_story(self) -> Iterator[dt.datetime]:
        """Each month, on its last working day: the marketplace scores every admitted agency, and each
        行业主管部门 the agencies that took part in a purchase of its services that month or have bad behaviour on
        record (the ones it follows up); on the 1st of the next month the recalculation (``intermediary_daily``)."""
        w, days = self.w, self.days
        sup_by_dept = {w.depts[k].pk: u for k, u in w.supervisors.items()}
        for month in CREDIT_MONTHS:
            nxt = (month + dt.timedelta(days=32)).replace(day=1)
            yield days.at(days.back(nxt - dt.timedelta(days=1)), 16)
            rows = list(Agency.objects.filter(region=w.county, status__in=[AgencyStatus.ACTIVE,
                                                                           AgencyStatus.SUSPENDED]).order_by("pk"))
            # the department of its first service (the later rows win), or of a purchase it joined this month
            dept_of = dict(Offering.objects.filter(agency__in=rows).order_by("agency_id", "-service__code")
                           .values_list("agency_id", "service__department_id"))
            joined = dict(Signup.objects.filter(purchase__region=w.county, at__gte=days.at(month, 0),
                                                at__lt=days.at(nxt, 0)).order_by("-at")
                          .values_list("agency_id", "purchase__service__department_id"))
            followed = set(CreditEvent.objects.filter(agency__in=rows, state=CreditEvent.State.VALID)
                           .values_list("agency_id", flat=True))
            dept_of.update(joined)
            key_of = {a.pk: key for key, (a, _u) in w.agencies.items()}
            for agency in rows:
                market, dept = self._scores(key_of.get(agency.pk, ""), month)
                self.credit.market_score_set(agency=agency, staff=w.admin, month=month, score=market,
                                             note="信息公示、响应及时性和合同履约情况")
                if agency.pk in joined or agency.pk in followed:
                    self.credit.department_score_set(agency=agency, staff=sup_by_dept[dept_of[agency.pk]],
                                                     month=month, score=dept, note="执业规范、成果质量抽查情况")
            yield days.at(nxt, 2)
            self.credit.credit_month_compute(month=month, region=w.county)

    @staticmethod
    def _scores(key: str, month: dt.date) -> tuple[Decimal, Decimal]:
        if key == DOWNGRADED:
            return Decimal("90"), Decimal("90")
        return (Decimal(86 + _hash(key, month, "m") % 12), Decimal(84 + _hash(key, month, "d") % 14))

    # -- purchases
    def purchase_story(self, plan: Plan) -> Iterator[dt.datetime]:
        w, days = self.w, self.days
        owner, user = w.owners[plan.owner]
        service = w.services[plan.service]
        day = days.wd(plan.start)
        deadline, select_at = self._times(plan, day)
        yield days.at(day, 9, 0)
        kind, *values = plan.price
        if kind == PriceMode.FIXED:
            prices = {"price_fixed": _money(values[0])}
        elif kind == PriceMode.RANGE:
            prices = {"price_min": _money(values[0]), "price_max": _money(values[1])}
        else:
            prices = {"base_amount": _money(values[0]), "discount_max": _money(values[1])}
        item = Item.objects.get(name=plan.item, intermediary_links__service=service) if plan.item else None
        purchase = self.purchases.purchase_create(
            owner=owner, user=user, service=service, title=plan.title, content=CONTENT[service.category],
            service_days=plan.days or service.time_limit, funding=plan.funding, mode=plan.mode,
            signup_deadline=deadline, select_at=select_at, price_mode=PriceMode(kind),
            bidding_rule=plan.rule if plan.mode == Mode.BIDDING else "",
            merit_rule=plan.rule if plan.mode == Mode.MERIT else "",
            long_list=plan.lists[0], short_list=plan.lists[1], qualification=service.qualifications.first(),
            item=item, contact_name=owner.contact_name, contact_phone=owner.contact_phone, **prices)
        yield from self._round(purchase, plan, day, deadline, select_at)

    def _times(self, plan: Plan, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        deadline_day = self.days.due(day, plan.signup_days)
        return self.days.at(deadline_day, 17), self.days.at(self.days.due(deadline_day, plan.select_days), 9, 30)

    def _act(self, purchase: Purchase, user, action: str, **data) -> dict:
        return self.purchases.purchase_act(purchase_id=purchase.pk, user=user, action=action, data=data)

    def _round(self, purchase: Purchase, plan: Plan, day: dt.date, deadline: dt.datetime,
               select_at: dt.datetime, *, published: bool = False) -> Iterator[dt.datetime]:
        """The purchase from publication (a republished one is published already) to ``plan.target``."""
        w, days = self.w, self.days
        _owner, owner_user = w.owners[plan.owner]
        if plan.target == P.DRAFT:
            return
        if not published:
            yield days.at(day, 9, 30)
            self._act(purchase, owner_user, "publish")

        # 报名 (the first working days of the period)
        for n, key in enumerate(plan.signups):
            on = min(days.due(day, 1 if 2 * n < len(plan.signups) else 2), LAST_DAY)
            yield days.at(on, 10 + n, 7 * n % 60)
            agency, user = w.agencies[key]
            data = {}
            if plan.quotes:
                q = plan.quotes[n]
                data = {"discount": _money(q)} if plan.price[0] == "discount" else {"quote": _money(q)}
            if plan.rule == PROPOSAL:
                data["proposal"] = _pdf(f"{agency.name}服务方案.pdf")
            self._act(purchase, user, "signup", **data)
        if plan.target == P.SIGNUP:
            return
        if plan.target == P.CANCELLED:
            yield days.at(days.due(day, 3), 15)
            self._act(purchase, owner_user, "cancel", reason="项目选址调整，经研究取消本次采购，待新选址确定后重新采购")
            return
        if plan.close:
            yield days.at(days.due(deadline.date(), 1), 9)
            self._act(purchase, owner_user, "close_signup")
            return

        # 选取 at the announced time
        yield select_at
        data = {"agency_id": w.agencies[plan.pick][0].pk} if plan.mode == Mode.DIRECT or plan.rule == PROPOSAL else {}
        self._act(purchase, owner_user, "select", **data)
        purchase.refresh_from_db()
        if purchase.status == P.FAILED:
            yield from self._republish(purchase, plan, select_at.date())
            return
        if purchase.status == P.SHORTLISTED:
            if plan.target == P.SHORTLISTED:
                return
            yield days.at(days.due(select_at.date(), 1), 10)
            short = list(Signup.objects.filter(purchase=purchase, status=SignupStatus.SHORT_LISTED)
                         .order_by("rank", "agency__uscc").values_list("agency_id", flat=True))
            self._act(purchase, owner_user, "pick", agency_id=short[0])
            purchase.refresh_from_db()
        if plan.target == P.SELECTED:
            return
        agency_user = self.by_agency_id[purchase.selected.agency_id]
        on = days.due(purchase.selected_at.astimezone(SHANGHAI).date(), 1)
        yield days.at(on, 11)
        if plan.decline:
            self._act(purchase, agency_user, "decline", reason="项目负责人近期另有任务，无法按期完成，放弃中选")
            yield from self._republish(purchase, plan, on)
            return
        self._act(purchase, agency_user, "confirm")
        if plan.target == P.CONFIRMED:
            return

        # 合同
        signed = days.due(on, 2)
        yield days.at(signed, 15)
        amount = self._amount(purchase)
        self._act(purchase, owner_user, "register_contract", amount=amount, signed_on=signed, service_start=signed,
                  file=_pdf("中介服务合同.pdf"))
        purchase = Purchase.objects.select_related("contract").get(pk=purchase.pk)
        end = purchase.contract.service_end
        if plan.terminate:
            yield days.at(days.due(signed, 5), 10)
            self._act(purchase, owner_user, "terminate",
                      reason="项目规划调整暂缓建设，经双方协商一致中止服务，已完成部分按合同结算")
            return
        if plan.extension:
            asked = days.due(signed, 8)
            yield days.at(asked, 10)
            self._act(purchase, agency_user, "request_extension", days=plan.extension,
                      reason="初步设计图纸经专家评审需修改，概算须按修改后的图纸重新编制")
            yield days.at(days.due(asked, 1), 16)
            self._act(purchase, owner_user, "decide_extension", approve=True)
            purchase.contract.refresh_from_db()
            end = purchase.contract.service_end
        if plan.target == P.IN_SERVICE:
            return

        # 成果 and 评价
        delivered = days.due(end, 2) if plan.late else days.back(end - dt.timedelta(days=2))
        delivered = max(delivered, signed)
        yield days.at(delivered, 16)
        self._act(purchase, agency_user, "deliver", result_file=_pdf("服务成果报告.pdf"),
                  note=f"已完成{purchase.service.name}，提交成果报告一份")
        if plan.target == P.DELIVERED:
            return
        yield days.at(days.due(delivered, 2), 10)
        q, t, p, a = plan.rating
        comment = "成果质量好，按期提交，收费规范" if sum(plan.rating) >= 16 else "逾期提交成果，报告质量一般，多次修改"
        self._act(purchase, owner_user, "rate", quality=q, timeliness=t, price=p, attitude=a, comment=comment)

    def _republish(self, purchase: Purchase, plan: Plan, day: dt.date) -> Iterator[dt.datetime]:
        again = plan.again
        if again is None:
            return
        _owner, owner_user = self.w.owners[plan.owner]
        start = self.days.wd(max(again.start, self.days.due(day, 1)))
        deadline, select_at = self._times(again, start)
        yield self.days.at(start, 8, 30)
        answer = self._act(purchase, owner_user, "republish", signup_deadline=deadline, select_at=select_at)
        fresh = Purchase.objects.get(pk=answer["id"])
        yield from self._round(fresh, again, start, deadline, select_at, published=True)

    @staticmethod
    def _amount(purchase: Purchase) -> Decimal:
        chosen = purchase.selected
        if chosen.quote is not None:
            return chosen.quote
        if purchase.price_fixed is not None:
            return purchase.price_fixed
        if chosen.discount is not None and purchase.base_amount is not None:
            return _money(purchase.base_amount * (100 - chosen.discount) / 100)
        return _money(purchase.price_max * Decimal("0.9") / 100) * 100


# ---------------------------------------------------------------- entry point


def _summary(county: Region) -> dict:
    purchases = Purchase.objects.filter(region=county)
    agencies = Agency.objects.filter(region=county)
    by_status = Counter(purchases.values_list("status", flat=True))
    by_mode = Counter(purchases.values_list("mode", flat=True))
    by_agency = Counter(agencies.values_list("status", flat=True))
    return {
        "services": Service.objects.filter(region=county).count(),
        "links": ServiceLink.objects.filter(service__region=county).count(),
        "agencies": agencies.count(),
        "agency_statuses": {label: by_agency.get(value, 0) for value, label in AgencyStatus.choices},
        "purchases": purchases.count(),
        "statuses": {label: by_status.get(value, 0) for value, label in PurchaseStatus.choices},
        "modes": {label: by_mode.get(value, 0) for value, label in Mode.choices},
        "credit_records": CreditRecord.objects.filter(agency__region=county).count(),
        "suspended_offerings": Offering.objects.filter(agency__region=county,
                                                       status=OfferingStatus.SUSPENDED).count(),
    }


def build_intermediary(*, stdout=None) -> dict:
    """Build the county's marketplace (once): the list, its people, agencies, purchases and credit; print and
    return a summary: ``{"created", "services", "links", "agencies", "agency_statuses", "purchases",
    "statuses", "modes", "credit_records", "suspended_offerings", "logins": [DemoLogin], "password",
    "seconds"}``."""
    say = stdout.write if stdout is not None else (lambda _msg: None)
    started = time.monotonic()
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        w = _people(password)
        _service_list(w)
        w.logins = _logins(w)
        created = not Agency.objects.filter(region=w.county).exists()
        if created:
            runner = _Runner(w, password)
            line = _Timeline()
            for n, spec in enumerate(AGENCIES, start=1):
                line.add(runner.agency_story(n, spec))
            for plan in PLANS:
                line.add(runner.purchase_story(plan))
            line.add(runner.expiry_story())
            line.add(runner.veto_story())
            line.add(runner.credit_story())
            line.run()
        User = get_user_model()
        for login in w.logins:
            _token(User.objects.get(username=login.username))
    out = {"created": created, **_summary(w.county), "logins": w.logins, "password": DEMO_PASSWORD,
           "seconds": round(time.monotonic() - started, 1)}
    statuses = "、".join(f"{label} {n}" for label, n in out["statuses"].items() if n)
    agencies = "、".join(f"{label} {n}" for label, n in out["agency_statuses"].items() if n)
    say(f"已生成网上中介服务超市演示数据：{out['services']} 项中介服务事项（关联审批事项 {out['links']} 项），"
        f"{out['agencies']} 家中介机构（{agencies}），{out['purchases']} 个采购项目（{statuses}），"
        f"月度信用评价 {out['credit_records']} 条。\n")
    say("中介超市演示账号（密码同上）：" + "；".join(f"{x.role} {x.username}" for x in w.logins) + "。\n")
    return out
