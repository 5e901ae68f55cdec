"""A county trading centre for the trading tests: the centre's administrator, the 行政监督部门 (住建局 for
works, 财政局 for procurement) with a supervisor each, a buyer, an agency, five bidders with a user
each, and a pool of twelve experts (one of them a former employee of bidder 1).

Projects are made here as rows (the services that publish and run them are what the tests test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from zhengwu.core import clock
from zhengwu.core.validators import id_number_check_char, uscc_check_char
from zhengwu.org.models import Hall, Role
from zhengwu.org.tests import factories as f
from zhengwu.trading.models import Category, Expert, ExpertTie, Party, Project, Regime, Tender, TieKind

# Monday 2 March 2026, a working day; the 2026 holidays (清明 4–6 April, 劳动节 1–5 May, 端午 19 June,
# 国庆 1–7 October) are what the period tests cross.
DAY = dt.date(2026, 3, 2)


def uscc(n: int) -> str:
    """A valid 统一社会信用代码 for party ``n``."""
    first17 = f"91130621MA{n:07d}"
    return first17 + uscc_check_char(first17)


def id_number(n: int) -> str:
    first17 = f"13062119700101{n:03d}"
    return first17 + id_number_check_char(first17)


def user(username: str, real_name: str):
    return get_user_model().objects.create_user(username=username, password="pass-123456", real_name=real_name)


def party(n: int, name: str, **flags) -> Party:
    p = Party.objects.create(name=name, uscc=uscc(n), legal_rep=f"法人{n}", contact_name=f"联系人{n}",
                             contact_phone=f"1391234{n:04d}", basic_account=f"6222 0000 0000 {n:04d}", **flags)
    return p


def build_world() -> SimpleNamespace:
    county = f.county()
    centre = f.hall(county, code="SFXJY", kind=Hall.Kind.TRADING_CENTER, name="示范县公共资源交易中心")
    other_county = f.county(code="130622000000", name="邻县")
    other_centre = f.hall(other_county, code="LXJY", kind=Hall.Kind.TRADING_CENTER, name="邻县公共资源交易中心")
    housing = f.department(county, code="D101", name="示范县住房和城乡建设局")
    finance = f.department(county, code="D102", name="示范县财政局")
    admin = f.staff("3001", Role.TRADING_ADMIN, hall=centre, name="孙交易")
    works_supervisor = f.staff("3002", Role.TRADING_SUPERVISOR, department=housing, name="周监督")
    procurement_supervisor = f.staff("3003", Role.TRADING_SUPERVISOR, department=finance, name="吴监督")
    foreign_admin = f.staff("3004", Role.TRADING_ADMIN, hall=other_centre, name="外县交易")
    buyer = party(1, "示范县第一中学", is_buyer=True)
    agency = party(2, "示范县正信招标代理有限公司", is_agency=True)
    buyer.members.add(user("buyer", "校长甲"))
    agent_user = user("agent", "代理乙")
    agency.members.add(agent_user)
    bidders = []
    bidder_users = []
    for i, name in enumerate(["示范县宏基建筑工程有限公司", "示范县安泰建设集团有限公司", "示范县鼎盛市政工程有限公司",
                              "示范县永固建筑有限公司", "示范县远大路桥有限公司"], start=1):
        p = party(10 + i, name, is_bidder=True)
        u = user(f"bidder{i}", f"投标代表{i}")
        p.members.add(u)
        bidders.append(p)
        bidder_users.append(u)
    experts = []
    expert_users = []
    for i in range(1, 13):
        u = user(f"expert{i}", f"专家{i}")
        e = Expert.objects.create(name=f"专家{i}", id_number=id_number(i), user=u,
                                  specialties=["房屋建筑", "市政工程"] if i % 2 else ["房屋建筑", "货物采购"],
                                  employer_name=f"示范市设计院{i}", employer_uscc=uscc(100 + i),
                                  phone=f"1380000{i:04d}")
        experts.append(e)
        expert_users.append(u)
    # 专家1 left bidder 1 last year: within three years, so excluded from bidder 1's tenders.
    ExpertTie.objects.create(expert=experts[0], party_uscc=bidders[0].uscc, party_name=bidders[0].name,
                             kind=TieKind.EMPLOYER, ended_on=dt.date(2025, 6, 30))
    stranger = user("stranger", "路人")
    return SimpleNamespace(**locals())


def project(w, *, regime=Regime.ENGINEERING, category=Category.WORKS, estimate=Decimal("5000000"),
            state_fund_percent=100, name="示范县第一中学教学楼新建工程", code=None) -> Project:
    n = Project.objects.count() + 1
    with clock.frozen(DAY):
        return Project.objects.create(
            code=code or f"SFX-JY-2026-{n:04d}", name=name, region=w.county, hall=w.centre, regime=regime,
            category=category, buyer=w.buyer, agency=w.agency,
            supervisor=w.housing if regime == Regime.ENGINEERING else w.finance, estimate=estimate,
            state_fund_percent=state_fund_percent, created_by=w.agent_user, created_at=clock.now())


def draft_tender(w, p: Project | None = None, **fields) -> Tender:
    """A round in 待发布 (no dates yet: publishing sets and checks them)."""
    p = p or project(w)
    fields.setdefault("method", "open")
    fields.setdefault("title", f"{p.name}招标公告")
    return Tender.objects.create(project=p, **fields)
