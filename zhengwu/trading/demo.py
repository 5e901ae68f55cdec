"""The demo county's 公共资源交易中心: the centre (a hall), its 交易中心管理员, a 交易监督人员 in the 住建局 and the
财政局, a pool of 60 评标专家, three 代理机构, nine 投标人/供应商 and the county units that buy, and a year
(2026) of projects in every round status under both regimes (资格预审 only in engineering: one round went
through it, one is in it): a 流标 followed by a re-tender, an 异议 that
paused a round and was answered, one still open, a 串通投标预警 (two bidders with the same 项目负责人 on the
same device) and a 废标 (fewer than three responsive suppliers).

Everything after the people is done THROUGH THE SERVICES, each step frozen at its past moment
(``clock.frozen``) so the law's periods hold: publication, sealed bids (``sealing.seal`` +
``bids.bid_submit``), opening and decryption, the committee draw, scores, the report, the 公示, the award,
the contract, the deposit refunds, payments and acceptance. Every step after 2026-12-04 is a period still
running (a bid deadline, a 公示, a 30-day contract clock), so the rounds stand where a live centre's would.

Call after ``load_demo``: ``build_trading(stdout=...)``. Idempotent: people are got or created; the
projects are made once (a second call finds them and makes nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhengwu.core import clock
from zhengwu.demo.build import DemoLogin
from zhengwu.demo.geography import CENTER_ADDRESS, COUNTY, HOURS
from zhengwu.demo.kit import demo_token as _token
from zhengwu.demo.kit import demo_user as _user
from zhengwu.demo.kit import id_number_fake as _id_number
from zhengwu.demo.kit import money as _money
from zhengwu.demo.kit import name_maker as _names
from zhengwu.demo.kit import uscc_completed as _uscc
from zhengwu.demo.kit import uscc_valid as _valid_uscc
from zhengwu.demo.people import DEMO_PASSWORD
from zhengwu.org.models import Department, Hall, Region, Role, Staff
from zhengwu.workdays import engine

from .models import (
    Bid,
    BidStatus,
    Category,
    CollusionFlag,
    Expert,
    Method,
    Objection,
    ObjectionStage,
    Party,
    Project,
    Refund,
    Regime,
    RejectReason,
    Tender,
    TenderStatus,
    TieKind,
)

S = TenderStatus

HALL_CODE = "SFXJY"  # a Hall of kind TRADING_CENTER: it takes no applications or hotline orders
HALL_NAME = "示范县公共资源交易中心"
WORKS_DEPT = "示范县住房和城乡建设局"
FINANCE_DEPT = "示范县财政局"
# The last moment any step is taken; what comes later (deadlines, 公示 ends, contract clocks) is still running.
LAST_DAY = dt.date(2026, 12, 4)
SEED = "zhengwu-trading-2026"

# (username, employee no, name, role, department name or None for the centre, title)
STAFF = (
    ("jyzx", "SFJY01", "孙建业", Role.TRADING_ADMIN, None, "交易中心主任"),
    ("jyjd_zjj", "SFJY02", "周正平", Role.TRADING_SUPERVISOR, WORKS_DEPT, "建筑市场监管股股长"),
    ("jyjd_czj", "SFJY03", "吴晓雯", Role.TRADING_SUPERVISOR, FINANCE_DEPT, "政府采购监督管理股股长"),
)

# (key, name, username, person)
AGENCIES = (
    ("zx", "示范县正信招标代理有限公司", "dl_zhengxin", "郑代理"),
    ("cd", "河北诚达工程咨询有限公司", "dl_chengda", "陈诚达"),
    ("gx", "示范市公信政府采购代理有限公司", "dl_gongxin", "高公信"),
)

# (name, username, representative, legal rep, categories, project manager)
BIDDERS = (
    ("示范县宏基建筑工程有限公司", "tb_hongji", "王宏基", "王振华", ("works",), "李建军"),
    ("河北安泰建设集团有限公司", "tb_antai", "刘安泰", "刘国庆", ("works",), "赵立新"),
    ("示范县鼎盛市政工程有限公司", "tb_dingsheng", "张鼎盛", "张德明", ("works",), "孙志强"),
    ("示范市永固建筑有限公司", "tb_yonggu", "陈永固", "陈永胜", ("works",), "马海涛"),
    ("示范县远大路桥工程有限公司", "tb_yuanda", "杨远大", "杨光远", ("works",), "周建平"),
    ("示范市华信科技有限公司", "tb_huaxin", "黄华信", "黄文杰", ("goods", "services"), "吴思远"),
    ("河北康泰医疗器械有限公司", "tb_kangtai", "郭康泰", "郭春生", ("goods",), "郑晓东"),
    ("示范县洁美物业服务有限公司", "tb_jiemei", "何洁美", "何秀英", ("services",), "冯丽娟"),
    ("示范市文达办公设备有限公司", "tb_wenda", "林文达", "林少华", ("goods", "services"), "许国栋"),
)

# County units that buy (招标人/采购人): (name, 登记管理部门码 + 机构类别码, username or "")
BUYERS = (
    ("示范县教育局", "11", "cg_jyj"),
    ("示范县卫生健康局", "11", ""),
    ("示范县交通运输局", "11", ""),
    ("示范县水利局", "11", ""),
    ("示范县城市管理综合行政执法局", "11", ""),
    ("示范县第一中学", "12", ""),
    ("示范县人民医院", "12", ""),
)

SPECIALTIES = ("房屋建筑", "市政工程", "水利工程", "公路工程", "工程造价", "信息化设备", "医疗设备", "物业服务")
EMPLOYERS = (
    "示范市建筑设计研究院有限公司", "河北示范学院", "示范市交通规划设计院", "示范市水利水电勘测设计院",
    "示范市人民医院", "示范市信息中心", "示范市工程造价咨询有限公司", "示范市物业管理协会",
    "河北省第三建筑工程有限公司", "示范市市政设计研究院",
)
TITLES = ("高级工程师", "正高级工程师", "高级经济师", "副主任医师", "高级会计师", "教授")


def _party_uscc(category: str, seq: int) -> str:
    """A valid, fictitious 统一社会信用代码 (organisation-code body ``MA``/``MB`` + 7 digits)."""
    return _uscc(f"{category}{COUNTY[0][:6]}{'MA' if category.startswith('9') else 'MB'}{seq:07d}")


# ---------------------------------------------------------------- time


class _Days:
    """Working days of the county (2026 holidays and 调休) and aware Beijing-time moments."""

    def __init__(self, region: Region):
        self.cal = engine.calendar_for(region)

    def wd(self, day: dt.date) -> dt.date:
        """``day`` or the next working day."""
        while not self.cal.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def back(self, day: dt.date) -> dt.date:
        """``day`` or the working day before it."""
        while not self.cal.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def after(self, day: dt.date, days: int) -> dt.date:
        return self.wd(day + dt.timedelta(days=days))

    @staticmethod
    def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        from .services.common import SHANGHAI

        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- people and parties


@dataclass
class _World:
    county: Region
    hall: Hall
    works_dept: Department
    finance_dept: Department
    admin: object  # User
    supervisors: dict
    agencies: dict  # key -> (Party, User)
    bidders: list  # [(Party, User, categories, manager)]
    buyers: list  # [Party]
    buyer_user: object
    experts: list = field(default_factory=list)
    days: _Days | None = None
    logins: list = field(default_factory=list)


def _people(password: str) -> _World:
    county = Region.objects.get(code=COUNTY[0])
    hall, _ = Hall.objects.get_or_create(code=HALL_CODE, defaults=dict(
        name=HALL_NAME, kind=Hall.Kind.TRADING_CENTER, region=county, address=f"{CENTER_ADDRESS}（政务服务中心四楼）",
        phone="0312-6210088", opening_hours=HOURS, area_m2=1800))
    depts = {d.name: d for d in Department.objects.filter(name__in=[WORKS_DEPT, FINANCE_DEPT])}
    roles = {code: Role.objects.get_or_create(code=code, defaults={"name": name})[0]
             for code, name in Role.DEFAULTS if code in (Role.TRADING_ADMIN, Role.TRADING_SUPERVISOR)}
    users = {}
    for username, employee_no, name, role, dept_name, title in STAFF:
        user = _user(username, name, f"1393060{employee_no[-2:]}88", password)
        staff = Staff.objects.filter(employee_no=employee_no).first()
        if staff is None:
            dept = depts[dept_name] if dept_name else None
            staff = Staff.objects.create(user=user, employee_no=employee_no, name=name, title=title,
                                         department=dept, hall=None if dept else hall, region=county)
            staff.roles.set([roles[role]])
        users[username] = user
    agencies = {}
    for n, (key, name, username, person) in enumerate(AGENCIES, start=1):
        party, _ = Party.objects.get_or_create(uscc=_party_uscc("91", 6100 + n), defaults=dict(
            name=name, is_agency=True, legal_rep=person, contact_name=person, contact_phone=f"1393061{n:04d}",
            address=f"示范县人民路{100 + n * 6}号"))
        user = _user(username, person, f"1393061{n:04d}", password)
        party.members.add(user)
        agencies[key] = (party, user)
    bidders = []
    for n, (name, username, rep, legal_rep, categories, manager) in enumerate(BIDDERS, start=1):
        party, _ = Party.objects.get_or_create(uscc=_party_uscc("91", 6200 + n), defaults=dict(
            name=name, is_bidder=True, legal_rep=legal_rep, contact_name=rep, contact_phone=f"1393062{n:04d}",
            address=f"示范县经济开发区创业路{n * 3}号", basic_account=f"6217 0006 2100 {n:04d}"))
        user = _user(username, rep, f"1393062{n:04d}", password)
        party.members.add(user)
        bidders.append((party, user, categories, manager))
    buyers = []
    buyer_user = None
    for n, (name, category, username) in enumerate(BUYERS, start=1):
        dept = Department.objects.filter(name=name).first()
        code = dept.code if dept is not None and _valid_uscc(dept.code) else _party_uscc(category, 6300 + n)
        party, _ = Party.objects.get_or_create(uscc=code, defaults=dict(
            name=name, is_buyer=True, contact_name="采购经办人", contact_phone=f"0312-62{n:02d}001"))
        if username:
            buyer_user = _user(username, "赵采购", f"1393063{n:04d}", password)
            party.members.add(buyer_user)
        buyers.append(party)
    w = _World(county=county, hall=hall, works_dept=depts[WORKS_DEPT], finance_dept=depts[FINANCE_DEPT],
               admin=users["jyzx"], supervisors={"works": users["jyjd_zjj"], "finance": users["jyjd_czj"]},
               agencies=agencies, bidders=bidders, buyers=buyers, buyer_user=buyer_user,
               days=_Days(county))
    place = {"jyzx": f"{HALL_NAME} · 交易中心管理员", "jyjd_zjj": f"{WORKS_DEPT} · 交易监督人员（工程建设）",
             "jyjd_czj": f"{FINANCE_DEPT} · 交易监督人员（政府采购）"}
    rows = [("交易中心管理员" if u == "jyzx" else "交易监督人员", u, place[u]) for u in ("jyzx", "jyjd_zjj", "jyjd_czj")]
    rows += [("招标代理机构", a[2], a[1]) for a in AGENCIES]
    rows += [("投标人/供应商", b[1], b[0]) for b in BIDDERS]
    if buyer_user is not None:
        rows.append(("采购人（自行采购）", buyer_user.username, BUYERS[0][0]))
    w.logins = [DemoLogin(role=role, username=u, password=DEMO_PASSWORD, token=f"zw_demo_{u}", where=where)
                for role, u, where in rows]
    return w


def _experts(w: _World, password: str) -> None:
    """The pool of 60, through ``experts.expert_add``; each gets a login to score with."""
    from .services import experts as expert_services

    if Expert.objects.count() >= 60:
        w.experts = list(Expert.objects.order_by("id")[:60])
        return
    name, rng = _names(SEED)
    areas = ("130621", "130602", "130606", "130104", "130682")
    User = get_user_model()
    for i in range(60):
        person, female = name()
        born = dt.date(1962 + rng.randrange(24), 1 + rng.randrange(12), 1 + rng.randrange(28))
        first, second = SPECIALTIES[i % 8], SPECIALTIES[(i * 3 + 1) % 8]
        specialties = [first] if first == second else [first, second]
        employer = EMPLOYERS[i % len(EMPLOYERS)]
        with clock.frozen(dt.date(2026, 1, 6)):
            expert = expert_services.expert_add(
                user=w.admin, name=person, id_number=_id_number(areas[i % 5], born, i + 11, female),
                employer_name=employer, employer_uscc=_party_uscc("91", 6400 + i % len(EMPLOYERS)),
                specialties=specialties, title=TITLES[i % len(TITLES)], years=8 + rng.randrange(20),
                phone=f"1393064{i:04d}")
        if expert.user_id is None:
            # The expert's own login (to score and sign); the pool itself is kept by the service.
            username = f"zj{i + 1:02d}"
            user = User.objects.filter(username=username).first() or User.objects.create(
                username=username, real_name=person, phone=expert.phone, password=password)
            Expert.objects.filter(pk=expert.pk).update(user=user)
            expert.user = user
        w.experts.append(expert)
    # Declared ties: former employees of bidders (within three years: excluded from their tenders; one
    # ended in 2021, no longer excluded), a board seat and a relative of a legal representative.
    ties = (
        (0, 0, TieKind.EMPLOYER, dt.date(2025, 3, 31), "2019—2025年任该公司技术负责人"),
        (1, 1, TieKind.EMPLOYER, dt.date(2024, 8, 31), "曾任该公司项目总工"),
        (4, 2, TieKind.EMPLOYER, dt.date(2021, 6, 30), "已离职满三年"),
        (9, 5, TieKind.BOARD, None, "该公司监事"),
        (13, 6, TieKind.RELATIVE, None, "配偶系该公司法定代表人之妹"),
        (20, 4, TieKind.OTHER, None, "持有该公司股份"),
    )
    for e, b, kind, ended, note in ties:
        party = w.bidders[b][0]
        with clock.frozen(dt.date(2026, 1, 6)):
            expert_services.expert_tie_add(user=w.admin, expert=w.experts[e], party_uscc=party.uscc,
                                           party_name=party.name, kind=kind, ended_on=ended, note=note)


# ---------------------------------------------------------------- a round, step by step


@dataclass(frozen=True)
class Plan:
    """One project and how far its (last) round goes."""

    name: str
    regime: str
    category: str
    method: str
    buyer: int  # index in BUYERS
    agency: str | None  # key in AGENCIES; None: the buyer runs it itself
    estimate: int
    start: dt.date
    target: str
    bidders: tuple[int, ...]  # indexes in BIDDERS
    specialty: str
    objection: str = ""  # "open" | "answered": on the documents; "results": answered during the 公示
    collusion: bool = False  # the first two bidders: same 项目负责人, same device
    rejects: tuple[int, ...] = ()  # bidders every expert rejects (否决投标)
    retender: Plan | None = None  # the next round after this one fails
    prequal: bool = False  # 资格预审 first (engineering open tendering); target PREQUAL stops in it
    rep: bool = False  # the committee has a 招标人代表 with an account (the buyer's user), who scores and signs


def _plans() -> list[Plan]:
    E, P = Regime.ENGINEERING, Regime.PROCUREMENT
    W, G, V = Category.WORKS, Category.GOODS, Category.SERVICES
    OP, INV, INQ, NEG, CON = Method.OPEN, Method.INVITED, Method.INQUIRY, Method.NEGOTIATION, Method.CONSULTATION
    d = dt.date
    goods = (5, 6, 8, 7)
    return [
        # 工程建设: the whole year
        Plan("示范县第一中学综合楼新建工程", E, W, OP, 5, "zx", 12_800_000, d(2026, 2, 2), S.COMPLETED, (0, 1, 3),
             "房屋建筑", objection="results", prequal=True),
        Plan("示范县城关街道老旧小区改造工程（一期）", E, W, OP, 4, "cd", 6_500_000, d(2026, 3, 9), S.COMPLETED,
             (1, 2, 4), "市政工程"),
        Plan("示范县清河镇农田水利灌溉渠道改造工程", E, W, INV, 3, "zx", 4_600_000, d(2026, 5, 11), S.COMPLETED,
             (0, 2, 4), "水利工程"),
        Plan("示范县人民路雨污分流改造工程", E, W, OP, 4, "cd", 8_900_000, d(2026, 8, 3), S.FAILED, (2, 4),
             "市政工程", retender=Plan("", E, W, OP, 4, "cd", 0, d(2026, 9, 7), S.CONTRACTED, (0, 2, 4), "市政工程")),
        Plan("示范县柳林镇中心小学风雨操场工程", E, W, OP, 0, "zx", 4_200_000, d(2026, 10, 12), S.AWARDED,
             (1, 3, 4), "房屋建筑", rep=True),
        Plan("示范县S231线石桥段路面大修工程", E, W, OP, 2, "cd", 15_600_000, d(2026, 11, 6), S.PUBLICITY, (2, 3, 4),
             "公路工程"),
        Plan("示范县杏花乡卫生院业务用房新建工程", E, W, OP, 1, "zx", 5_300_000, d(2026, 11, 9), S.EVALUATING,
             (0, 3, 2, 4), "房屋建筑", collusion=True),
        Plan("示范县城区供水管网改造工程", E, W, OP, 3, "cd", 7_200_000, d(2026, 11, 10), S.OPENING, (0, 1, 4),
             "水利工程"),
        Plan("示范县文化路社区综合服务中心工程", E, W, OP, 4, "zx", 4_800_000, d(2026, 11, 20), S.PUBLISHED,
             (0, 1), "房屋建筑", objection="open"),
        Plan("示范县体育公园二期工程", E, W, OP, 0, "cd", 9_600_000, d(2026, 9, 21), S.CANCELLED, (), "房屋建筑"),
        Plan("示范县职业技术教育中心实训楼新建工程", E, W, OP, 0, "zx", 13_600_000, d(2026, 11, 23), S.PREQUAL,
             (0, 1, 2, 3), "房屋建筑", prequal=True),
        Plan("示范县北环路桥梁加固工程", E, W, OP, 2, "zx", 6_100_000, d(2026, 11, 30), S.DRAFT, (), "公路工程"),
        # 政府采购
        Plan("示范县人民医院医用DR设备采购项目", P, G, OP, 6, "gx", 4_600_000, d(2026, 3, 2), S.COMPLETED, (6, 5, 8),
             "医疗设备", objection="answered"),
        Plan("示范县教育局中小学智慧教室设备采购", P, G, INQ, 0, None, 1_280_000, d(2026, 4, 13), S.COMPLETED,
             (5, 8, 6), "信息化设备"),
        Plan("示范县政务服务中心物业管理服务采购", P, V, CON, 4, "gx", 960_000, d(2026, 6, 1), S.COMPLETED,
             (7, 5, 8), "物业服务"),
        Plan("示范县卫生健康局基层医疗机构设备采购", P, G, OP, 1, "gx", 4_300_000, d(2026, 8, 24), S.CONTRACTED,
             (6, 8, 5), "医疗设备"),
        Plan("示范县第一中学学生宿舍家具采购", P, G, NEG, 5, "gx", 860_000, d(2026, 11, 9), S.AWARDED, (8, 5, 6),
             "信息化设备"),
        Plan("示范县交通运输局视频监控系统采购", P, G, INQ, 2, "gx", 1_150_000, d(2026, 11, 20), S.PUBLICITY,
             (5, 8, 6), "信息化设备"),
        Plan("示范县水利局防汛物资采购", P, G, INQ, 3, "gx", 680_000, d(2026, 11, 24), S.EVALUATING, (5, 6, 8),
             "信息化设备"),
        Plan("示范县人民医院信息化系统升级采购", P, G, OP, 6, "gx", 4_500_000, d(2026, 9, 28), S.FAILED, goods,
             "信息化设备", rejects=(6, 7),
             retender=Plan("", P, G, OP, 6, "gx", 0, d(2026, 11, 2), S.DRAFT, (), "信息化设备")),
        Plan("示范县城市管理局环卫车辆采购", P, G, INQ, 4, "gx", 1_900_000, d(2026, 11, 25), S.OPENING, (5, 6, 8),
             "信息化设备"),
        Plan("示范县教育局校园安保服务采购", P, V, OP, 0, None, 4_400_000, d(2026, 11, 23), S.PUBLISHED, (7, 5),
             "物业服务"),
        Plan("示范县交通运输局办公设备采购", P, G, INQ, 2, "gx", 420_000, d(2026, 9, 7), S.CANCELLED, (), "信息化设备"),
        Plan("示范县卫生健康局家庭医生签约服务包采购", P, V, CON, 1, "gx", 780_000, d(2026, 12, 1), S.DRAFT, (),
             "物业服务"),
    ]


# Bid prices as shares of the estimate: irregular, so that only the planted 串通 case raises flags
# (a regular spacing of prices is itself an indicator, 招标投标法实施条例第四十条).
RATIOS = ("0.912", "0.873", "0.947", "0.889", "0.931", "0.866", "0.958", "0.902", "0.881")


def bid_price(estimate: Decimal, seq: int, bidder: int) -> Decimal:
    ratio = Decimal(RATIOS[(bidder * 4 + seq * 2) % 9]) + Decimal((seq * 7 + bidder * 3) % 10) / 1000
    return _money(estimate * ratio / 1000) * 1000


class _Runner:
    def __init__(self, w: _World):
        self.w = w
        self.days = w.days
        from . import sealing
        from .services import bids, experts, lifecycle

        self.lifecycle, self.bids, self.experts, self.sealing = lifecycle, bids, experts, sealing
        self.passphrases: dict[tuple[int, int], str] = {}

    # -- helpers
    def frozen(self, moment: dt.datetime):
        if moment.date() > LAST_DAY:
            raise RuntimeError(f"trading demo: a step at {moment} is after {LAST_DAY:%Y-%m-%d}")
        return clock.frozen(moment)

    def actor(self, project: Project):
        return self.w.agencies[self._agency_key(project)][1] if project.agency_id else self.w.buyer_user

    def _agency_key(self, project: Project) -> str:
        for key, (party, _member) in self.w.agencies.items():
            if party.pk == project.agency_id:
                return key
        raise KeyError(project.agency_id)

    # -- the project
    def project(self, plan: Plan, seq: int) -> Project:
        w, days = self.w, self.days
        self.seq = seq
        day = days.wd(plan.start)
        agency = w.agencies[plan.agency] if plan.agency else None
        user = agency[1] if agency else w.buyer_user
        with self.frozen(days.at(day, 9)):
            project = self.lifecycle.project_create(
                user=user, hall=w.hall, regime=plan.regime, category=plan.category, name=plan.name,
                buyer=w.buyers[plan.buyer], supervisor=w.works_dept if plan.regime == Regime.ENGINEERING
                else w.finance_dept, estimate=Decimal(plan.estimate), agency=agency[0] if agency else None,
                description=f"{plan.name}，资金来源为县级财政资金，已列入2026年度预算。")
            tender = self.lifecycle.tender_create(project=project, user=user, method=plan.method,
                                                  title=self._title(project, 1))
        self.round(tender, plan, day)
        return project

    def _title(self, project: Project, round_no: int) -> str:
        word = "招标公告" if project.regime == Regime.ENGINEERING else "采购公告"
        again = "（重新招标）" if round_no > 1 else ""
        return f"{project.name}{word}{again}"

    def round(self, tender: Tender, plan: Plan, day: dt.date) -> None:
        if plan.target == S.DRAFT:
            return
        project = tender.project
        user = self.actor(project)
        days = self.days
        engineering = project.regime == Regime.ENGINEERING
        bidders = [self.w.bidders[i] for i in plan.bidders]

        # 资格预审 (engineering open tendering): the 资格预审公告, the documents on sale for 7 日, the applications
        # due 6 日 after, a clarification, the result; the 招标文件 then go to those who passed
        publish = days.after(day, 2)
        if plan.prequal:
            publish = self.prequalify(tender, plan, publish, [self.w.bidders[i] for i in plan.bidders])
            if plan.target == S.PREQUAL:
                return
        start = days.at(publish, 9, 30)
        if plan.method in (Method.OPEN, Method.INVITED):
            deadline_day = days.after(publish, 22)
        elif plan.method == Method.CONSULTATION:
            deadline_day = days.after(publish, 12)
        else:
            deadline_day = days.wd(self._workday_due(publish, 4) + dt.timedelta(days=1))
        deadline = days.at(deadline_day, 9, 30)
        docs_until = min(days.at(self._workday_due(publish, 7), 17, 0), deadline)
        deposit, form = Decimal(0), "none"
        if plan.method == Method.OPEN:
            deposit = _money(project.estimate * Decimal("0.01") / 1000) * 1000 if project.estimate else Decimal(0)
            form = "cash" if engineering else "guarantee"
        with self.frozen(start):
            tender = self.lifecycle.tender_publish(
                tender=tender, user=user, documents_from=start, documents_until=docs_until, bid_deadline=deadline,
                opening_place=f"{HALL_NAME}第一开标室（电子开标）", bid_deposit=deposit, deposit_form=form,
                max_price=project.estimate,
                invitees=[b[0] for b in bidders] if plan.method == Method.INVITED else ())

        if plan.target == S.CANCELLED:
            with self.frozen(days.at(days.after(publish, 3), 10)):
                tender = self.lifecycle.tender_cancel(tender=tender, user=user,
                                                      reason="项目建设方案调整，经批准终止本次招标（采购）")
            self.refunds(tender, days.after(publish, 5))
            return

        # 获取招标文件
        for n, (party, bidder_user, _c, _m) in enumerate(bidders):
            with self.frozen(days.at(publish, 14, 5 * n)):
                self.lifecycle.tender_obtain(tender=tender, user=bidder_user, bidder=party)

        # 异议/质疑 on the documents
        if plan.objection in ("open", "answered") and bidders:
            # the open one is recent: its 3-day answer period is still running
            raised = days.back(LAST_DAY - dt.timedelta(days=1)) if plan.objection == "open" else days.after(publish, 3)
            with self.frozen(days.at(raised, 10)):
                objection = self.lifecycle.objection_raise(
                    tender=tender, user=bidders[0][1], bidder=bidders[0][0], stage=ObjectionStage.DOCUMENTS,
                    text="招标文件第三章资格条件要求“近三年在本县有同类业绩”，排斥县外潜在投标人，请予修改。")
            if plan.objection == "answered":
                with self.frozen(days.at(days.after(raised, 1), 15)):
                    self.lifecycle.objection_answer(
                        objection=objection, user=user, upheld=True,
                        answer="经复核，异议成立。已删除“本县同类业绩”要求，修改内容见澄清公告。")

        # 递交投标文件 (sealed in the bidder's browser; here sealed with a demo passphrase)
        submit_day = max(days.back(deadline_day - dt.timedelta(days=3)), publish)
        if plan.target == S.PUBLISHED:
            submit_day = min(submit_day, LAST_DAY)
        for n, (party, bidder_user, _c, manager) in enumerate(bidders):
            same = plan.collusion and n < 2
            price = bid_price(project.estimate, self.seq, plan.bidders[n])
            passphrase = f"demo-{project.pk}-{tender.round}-{party.pk}"
            self.passphrases[(tender.pk, party.pk)] = passphrase
            form_data = {
                "price": str(price), "duration_days": 180 if engineering else 30,
                "project_manager": bidders[0][3] if same else manager,
                "quality": "合格" if engineering else "符合采购需求，质保三年",
                "deposit_account": party.basic_account,
            }
            plain = self.sealing.bid_plaintext(form_data, [("投标文件.pdf", f"{party.name} 投标文件".encode())])
            envelope = self.sealing.seal(plain, passphrase, iterations=self.sealing.MIN_ITERATIONS)
            with self.frozen(days.at(submit_day, 10 + n % 6, 7 * n % 60)):
                self.bids.bid_submit(tender=tender, user=bidder_user, bidder=party, envelope=envelope,
                                     ip=f"10.62.{party.pk % 200}.{11 if same else 20 + n}",
                                     device="PC-7F3A9C21" if same else f"PC-{party.uscc[-8:]}")
        if plan.target == S.PUBLISHED:
            return

        # 开标 at the deadline; fewer than three bids: 流标
        with self.frozen(deadline):
            tender = self.bids.tender_open(tender=tender, user=self.w.admin)
        if tender.status == S.FAILED:
            self.refunds(tender, days.after(deadline_day, 2))
            self.retender(tender, plan, deadline_day)
            return
        for n, (party, bidder_user, _c, _m) in enumerate(bidders):
            if plan.target == S.OPENING and n >= 2:
                break
            with self.frozen(deadline + dt.timedelta(minutes=5 + 3 * n)):
                self.bids.bid_decrypt(tender=tender, user=bidder_user, bidder=party,
                                      passphrase=self.passphrases[(tender.pk, party.pk)])
        if plan.target == S.OPENING:
            return
        with self.frozen(deadline + dt.timedelta(minutes=45)):
            tender = self.bids.opening_close(tender=tender, user=self.w.admin)
        if tender.status == S.FAILED:
            self.refunds(tender, days.after(deadline_day, 2))
            self.retender(tender, plan, deadline_day)
            return

        # 评标
        with self.frozen(deadline + dt.timedelta(minutes=50)):
            committee = self.experts.committee_draw(tender=tender, user=self.w.admin, specialty=plan.specialty,
                                                    **({"size": 5, "buyer_reps": 1} if plan.rep else {}))
        scorers = [m.expert.user for m in committee.members.filter(active=True, expert__isnull=False)
                   .select_related("expert__user")]
        if plan.rep:  # the 招标人's own representative scores and signs too
            seat = committee.members.get(expert__isnull=True)
            with self.frozen(deadline + dt.timedelta(minutes=55)):
                self.experts.committee_rep_assign(tender=tender, user=user, member=seat, rep_user=self.w.buyer_user)
            scorers.append(self.w.buyer_user)
        bids = list(Bid.objects.filter(tender=tender, status__in=[BidStatus.DECRYPTED, BidStatus.VALID])
                    .select_related("bidder").order_by("id"))
        rejected = {self.w.bidders[i][0].pk for i in plan.rejects}
        for k, scorer in enumerate(scorers):
            if plan.target == S.EVALUATING and k >= 2:
                break
            for b in bids:
                with self.frozen(deadline + dt.timedelta(hours=2, minutes=k * 4)):
                    if b.bidder_id in rejected:
                        self.experts.score_submit(tender=tender, user=scorer, bid=b,
                                                  reject_reason=RejectReason.UNRESPONSIVE,
                                                  comment="未按采购文件要求提供检测报告，未实质性响应。")
                    else:
                        base = 92 - (b.price / project.estimate - Decimal("0.86")) * 100
                        score = _money(base - Decimal((k * 3 + b.pk) % 4) / 2)
                        self.experts.score_submit(tender=tender, user=scorer, bid=b, score=score,
                                                  comment="技术方案可行，报价合理。")
        if plan.target == S.EVALUATING:
            return
        for k, scorer in enumerate(scorers):
            with self.frozen(deadline + dt.timedelta(hours=4, minutes=k * 2)):
                self.experts.report_sign(tender=tender, user=scorer)
        tender.refresh_from_db()
        if tender.status == S.FAILED:
            self.refunds(tender, days.after(deadline_day, 2))
            self.retender(tender, plan, deadline_day)
            return

        # 中标候选人公示
        publicity = days.after(deadline_day, 1)
        with self.frozen(days.at(publicity, 9)):
            tender = self.lifecycle.candidates_publish(tender=tender, user=user, publicity_days=3)
        award_day = days.after(tender.publicity_ends_on, 1)
        if plan.objection == "results":
            raised = days.after(publicity, 1)
            loser = [b for b in bidders if b[0].pk != self._first(tender)][0]
            with self.frozen(days.at(raised, 11)):
                objection = self.lifecycle.objection_raise(
                    tender=tender, user=loser[1], bidder=loser[0], stage=ObjectionStage.RESULTS,
                    text="第一中标候选人项目负责人同时在其他在建项目任职，不符合招标文件要求，请核实。")
            answered = days.after(raised, 1)
            award_day = max(award_day, days.after(answered, 1))
            with self.frozen(days.at(answered, 16)):
                self.lifecycle.objection_answer(
                    objection=objection, user=user,
                    answer="经核查，该项目负责人原任职项目已于2026年1月竣工验收，不存在在建项目任职情形，异议不成立。")
        if plan.target == S.PUBLICITY:
            return

        # 定标; in procurement the result 公告 within 2 工作日 (采购条例第四十三条)
        with self.frozen(days.at(award_day, 10)):
            award = self.lifecycle.tender_award(tender=tender, user=user)
        if not engineering:
            with self.frozen(days.at(award_day, 16)):
                self.lifecycle.result_notice_publish(tender=tender, user=user)
        self.refunds(tender, days.after(award_day, 2))
        if engineering:
            with self.frozen(days.at(days.after(award_day, 10), 15)):
                self.lifecycle.report_file(tender=tender, user=user)
        if plan.target == S.AWARDED:
            return

        # 合同, 保证金退还, 书面报告, 支付, 验收
        signed = days.after(award_day, 7)
        with self.frozen(days.at(signed, 10)):
            contract = self.lifecycle.contract_sign(
                tender=tender, user=user, contract_no=f"{project.code}-HT", amount=award.amount,
                signed_on=signed, performance_bond=_money(award.amount * Decimal("0.05")),
                period_end=signed + dt.timedelta(days=180 if engineering else 60))
        if not engineering:  # the contract published within 2 工作日, filed within 7 工作日 (G6)
            with self.frozen(days.at(days.after(signed, 1), 10)):
                self.lifecycle.contract_publish(tender=tender, user=user)
            with self.frozen(days.at(days.after(signed, 4), 10)):
                self.lifecycle.contract_file(tender=tender, user=user)
        self.refunds(tender, days.after(signed, 2))
        paid = days.after(signed, 20)
        with self.frozen(days.at(paid, 10)):
            self.lifecycle.payment_record(contract=contract, user=user, paid_on=paid,
                                          amount=_money(contract.amount * Decimal("0.3")), note="预付款（30%）")
        if plan.target == S.CONTRACTED:
            return
        paid = days.after(signed, 45)
        with self.frozen(days.at(paid, 10)):
            self.lifecycle.payment_record(contract=contract, user=user, paid_on=paid,
                                          amount=_money(contract.amount * Decimal("0.4")), note="进度款（至70%）")
        accepted = days.after(signed, 60)
        with self.frozen(days.at(accepted, 10)):
            self.lifecycle.contract_accept(contract=contract, user=user, accepted_on=accepted,
                                           note="经验收，符合合同约定，验收合格。")

    def prequalify(self, tender: Tender, plan: Plan, day: dt.date, applicants: list) -> dt.date:
        """资格预审 from ``day``; the day the 招标文件 may be issued (after the result), or ``day`` if the
        round stays in 资格预审."""
        days, user = self.days, self.actor(tender.project)
        until = days.after(day, 7)
        deadline = days.after(until, 6)
        with self.frozen(days.at(day, 9, 30)):
            self.lifecycle.prequal_publish(tender=tender, user=user, documents_from=days.at(day, 9, 30),
                                           documents_until=days.at(until, 17), application_deadline=days.at(deadline, 9))
        for n, (party, bidder_user, _c, _m) in enumerate(applicants):
            with self.frozen(days.at(days.after(day, 1), 10, 5 * n)):
                self.lifecycle.tender_obtain(tender=tender, user=bidder_user, bidder=party)
        # a clarification that may affect the applications, more than 3 日 before their deadline (第二十一条)
        with self.frozen(days.at(days.after(day, 4), 11)):
            self.lifecycle.tender_amend(tender=tender, user=user, affects_bids=True,
                                        summary="资格预审文件第三章“类似工程业绩”修改为近五年内完成的同类工程业绩。")
        if plan.target == S.PREQUAL:
            return day
        with self.frozen(days.at(deadline, 15)):
            self.lifecycle.prequal_result(tender=tender, user=user, passed=[a[0] for a in applicants])
        return days.after(deadline, 1)

    def _first(self, tender: Tender) -> int:
        first = tender.candidates.order_by("rank").select_related("bid").first()
        return first.bid.bidder_id if first else 0

    def _workday_due(self, day: dt.date, n: int) -> dt.date:
        return engine.due_date(day, n, region=self.w.county).due

    def refunds(self, tender: Tender, day: dt.date) -> None:
        """Return the deposits that are due (the 投标保证金 with interest for cash deposits)."""
        user = self.actor(tender.project)
        for refund in Refund.objects.filter(tender=tender, refunded_on__isnull=True, kept=False).order_by("id"):
            on = min(day, refund.due_on)
            with self.frozen(self.days.at(on, 15)):
                self.lifecycle.refund_record(refund=refund, user=user, refunded_on=on,
                                             interest=_money(refund.amount * Decimal("0.0035") * 30 / 360))

    def retender(self, tender: Tender, plan: Plan, day: dt.date) -> None:
        if plan.retender is None:
            return
        again = self.days.after(day, 3)
        with self.frozen(self.days.at(again, 9)):
            round2 = self.lifecycle.tender_retender(project=tender.project, user=self.actor(tender.project),
                                                    title=self._title(tender.project, tender.round + 1))
        self.round(round2, plan.retender, max(again, self.days.wd(plan.retender.start)))


@contextlib.contextmanager
def _bidders_remember_their_keys():
    """While the demo runs, a key derived from a passphrase (PBKDF2, >= 200,000 iterations: the bulk of
    the demo's time) is derived once: when the bidder seals, then reused when the server unseals the very
    same envelope (same passphrase, same salt). Every check of the envelope and of AES-GCM still runs."""
    from . import sealing

    derive = sealing._passphrase_key
    sealing._passphrase_key = functools.lru_cache(maxsize=512)(derive)
    try:
        yield
    finally:
        sealing._passphrase_key = derive


# ---------------------------------------------------------------- entry point


def _summary(hall: Hall) -> dict:
    tenders = Tender.objects.filter(project__hall=hall)
    by_status = Counter(tenders.values_list("status", flat=True))
    return {
        "projects": Project.objects.filter(hall=hall).count(),
        "tenders": tenders.count(),
        "statuses": {label: by_status.get(value, 0) for value, label in TenderStatus.choices},
        "experts": Expert.objects.count(),
        "flags": CollusionFlag.objects.filter(tender__project__hall=hall).count(),
        "objections": Objection.objects.filter(tender__project__hall=hall).count(),
        "objections_open": Objection.objects.filter(tender__project__hall=hall, status="open").count(),
    }


def build_trading(*, stdout=None) -> dict:
    """Build the trading centre, its people and a year of projects (once); print and return a summary:
    ``{"created": bool, "projects", "tenders", "statuses": {label: n}, "experts", "flags", "objections",
    "objections_open", "logins": [(role, username, where)], "password"}``."""
    say = stdout.write if stdout is not None else (lambda _msg: None)
    started = time.monotonic()
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        w = _people(password)
        for login in w.logins:
            _token(get_user_model().objects.get(username=login.username))
        _experts(w, password)
        created = not Project.objects.filter(hall=w.hall).exists()
        if created:
            runner = _Runner(w)
            with _bidders_remember_their_keys():
                for seq, plan in enumerate(_plans()):
                    runner.project(plan, seq)
    out = {"created": created, **_summary(w.hall), "logins": w.logins, "password": DEMO_PASSWORD,
           "seconds": round(time.monotonic() - started, 1)}
    statuses = "、".join(f"{label} {n}" for label, n in out["statuses"].items())
    say(f"已生成公共资源交易演示数据：{out['projects']} 个交易项目、{out['tenders']} 个招标（采购）轮次"
        f"（{statuses}），评标专家 {out['experts']} 名，异议/质疑 {out['objections']} 件"
        f"（待答复 {out['objections_open']} 件），串通投标预警 {out['flags']} 条。\n")
    say("交易中心演示账号（密码同上）：" + "；".join(f"{x.role} {x.username}" for x in w.logins)
        + "；评标专家 zj01—zj60。\n")
    return out
