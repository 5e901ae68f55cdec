"""The demo county's 村务公开 and 党务公开: a 公开主体 for every town and village, every village's disclosures
of the period that ended last (most on time, some late, some missing with red cards), 东街村's full
three-person chain with its 低保 list and 党务公开, a monthly-finance village and a current-quarter item
still running.

``build_village_disclosure()`` runs inside ``load_demo_disclosure`` (after the county's own 政务公开) and
does nothing once any village body exists. Everything goes through the services with the platform clock
at the day it happened; the cards come from supervision's own sweep.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.demo.geography import COUNTY, TOWNS, village_hall_code
from zhengwu.demo.kit import demo_token, demo_user, id_number_fake
from zhengwu.demo.people import DEMO_PASSWORD, FEMALE, MALE, SURNAMES
from zhengwu.org.models import Region, Role, Staff
from zhengwu.workdays import engine

from . import village_calendar as vcal
from .models import Body, BodyMember, VillageCadence, VillageCategory, VillageDisclosure, VillagePeriod
from .services.village import (
    Household,
    Line,
    village_disclosure_act,
    village_disclosure_create,
    village_period_ensure,
)
from .village_defaults import seed as seed_catalogue

D = BodyMember.Duty
DEMO_VILLAGE = "QHZ01"  # 清河镇东街村: the 代办员 dby is its 文书
LATE = {("QHZ03", "finance"), ("LLZ02", "relief")}  # published after the due day
MISSING = {("QHZ02", "finance"), ("QHZ02", "relief"), ("SQZ03", "party_dues")}  # not published: red cards
MONTHLY = {"QHZ04"}  # 前营村 publishes its finances every month
#: the demo village's other two people and the town's supervisor: (username, 工号, name, title, region, roles)
PEOPLE = [
    ("cwjd", "SFCW01", "高建国", "东街村村务监督委员会主任", "130621100201", Role.VILLAGE_AGENT),
    ("cwsj", "SFCW02", "刘振华", "东街村党支部书记、村委会主任", "130621100201", Role.VILLAGE_AGENT),
    ("xzjw", "SFCW09", "邵文静", "清河镇纪委书记（村务公开监督）", "130621100000", Role.SUPERVISOR),
]
TEXTS = {
    "assets": "一、集体资产：村委会办公楼1处、文化活动中心1处、农机库房2间，账面价值共计186.4万元。\n"
              "二、集体资源：集体耕地312亩，已发包298亩，机动地14亩；坑塘2处。\n"
              "三、集体资金：{period}末银行存款{money}元，无对外借款。",
    "projects": "{period}村内工程项目：\n1. 村东生产路硬化工程，长1.2公里，中标单位示范县路桥工程有限公司，合同价38.6万元，"
                "已完工，待验收。\n2. 村文化广场照明改造，采购价4.2万元，已完工并验收合格。",
    "subsidies": "{period}发放惠农补贴：耕地地力保护补贴每亩{per}元，涉及农户{households}户，合计{money}元，"
                 "已通过“一卡通”直接发放到户，明细可到村委会查阅。",
    "party_org": "{period}党组织建设情况：召开支部委员会3次、党员大会1次、党课1次；开展“主题党日”活动3次；"
                 "按期完成支委会换届筹备工作。",
    "party_members": "{period}发展党员情况：确定入党积极分子2名，发展对象1名，预备党员转正1名。"
                     "以上人员已按程序在本村公示，公示期内无异议。",
    "party_dues": "{period}党费收缴情况：本支部党员{n}名，应缴党费{money}元，实缴{money}元，已全额上缴镇党委。",
}


def build_village_disclosure(*, stdout=None, seed: int = 2026) -> dict:
    """Build once; returns what was made and the demo logins (nothing when village bodies exist;
    ``village_logins()`` lists the accounts at any time)."""
    made = {"towns": 0, "villages": 0, "disclosures": 0, "published": 0, "overdue": 0, "logins": []}
    if Body.objects.filter(kind=Body.Kind.VILLAGE).exists():
        return made
    gov = Body.objects.filter(code="SFX").first()
    county = Region.objects.filter(code=COUNTY[0]).first()
    if gov is None or county is None:
        raise RuntimeError("请先生成示范县政务公开演示数据")
    rng = random.Random(seed)
    with transaction.atomic():
        seed_catalogue()
        people = _people()
        villages = _bodies(gov, people)
        today = clock.today()
        for code, body in villages.items():
            _village(rng, body, code, today)
        _sweep(today)
    made.update(towns=Body.objects.filter(kind=Body.Kind.TOWN).count(), villages=len(villages),
                disclosures=VillageDisclosure.objects.count(),
                published=VillagePeriod.objects.filter(state=VillagePeriod.State.PUBLISHED).count(),
                overdue=VillagePeriod.objects.filter(state=VillagePeriod.State.OPEN, due_date__lt=today).count(),
                logins=village_logins())
    if stdout is not None:
        stdout.write(f"已生成村务公开演示数据：{made['villages']} 个村（居）、{made['disclosures']} 条村务（党务）公开。\n")
    return made


def _people() -> dict[str, Staff]:
    password = make_password(DEMO_PASSWORD)
    out = {}
    for n, (username, employee_no, name, title, region, role) in enumerate(PEOPLE):
        user = demo_user(username, name, f"1393071{n:04d}", password)
        staff = Staff.objects.filter(employee_no=employee_no).first()
        if staff is None:
            staff = Staff.objects.create(user=user, employee_no=employee_no, name=name, title=title,
                                         region=Region.objects.get(code=region))
            staff.roles.set([Role.objects.get(code=role)])
        demo_token(user)
        out[username] = staff
    return out


def village_logins() -> list:
    from zhengwu.demo.build import DemoLogin

    rows = [("村文书（代办员）", "dby", "清河镇东街村 · 村务公开工作台 /gk/work/village/QHZ01/")]
    rows += [(title.split("（")[0], u, "清河镇东街村" if u != "xzjw" else "清河镇 · /gk/work/village/town/130621100000/")
             for u, _no, _n, title, _r, _role in PEOPLE]
    return [DemoLogin(role=role, username=u, password=DEMO_PASSWORD, token=f"zw_demo_{u}", where=where)
            for role, u, where in rows]


def _bodies(gov: Body, people: dict[str, Staff]) -> dict[str, Body]:
    villages: dict[str, Body] = {}
    for town in TOWNS:
        region = Region.objects.get(code=town.code)
        kind = "街道办事处" if town.name.endswith("街道") else "人民政府"
        tb = Body.objects.create(code=town.hall_code, name=f"{town.name}{kind}", kind=Body.Kind.TOWN, region=region,
                                 parent=gov, office=f"{town.name}党政办公室", address=f"示范县{town.name}政府街1号",
                                 phone="0312-62" + town.code[6:9] + "00")
        head = (Staff.objects.filter(region=region, roles__code=Role.HALL_ADMIN).order_by("employee_no").first())
        if head is not None:
            BodyMember.objects.bulk_create([BodyMember(body=tb, staff=head, duty=d) for d in D.values])
        for i, (vcode, vname) in enumerate(town.villages):
            code = village_hall_code(town, i)
            committee = "居民委员会" if vname.endswith("社区") else "村民委员会"
            vregion = Region.objects.get(code=vcode)
            vb = Body.objects.create(code=code, name=f"{vname}{committee}", kind=Body.Kind.VILLAGE, region=vregion,
                                     parent=tb, office=f"{vname}{committee}", address=f"示范县{town.name}{vname}",
                                     phone="0312-62" + vcode[9:12] + "88")
            agent = Staff.objects.filter(region=vregion, roles__code=Role.VILLAGE_AGENT).order_by("employee_no").first()
            if code == DEMO_VILLAGE:
                duties = [(agent, D.OFFICER), (people["cwjd"], D.REVIEWER), (people["cwjd"], D.SECRECY),
                          (people["cwsj"], D.SIGNER), (people["cwsj"], D.HEAD)]
            else:  # a small village: its 文书 holds every duty
                duties = [(agent, d) for d in D.values]
            BodyMember.objects.bulk_create([BodyMember(body=vb, staff=s, duty=d) for s, d in duties if s is not None])
            villages[code] = vb
            if code in MONTHLY:
                VillageCadence.objects.create(body=vb, category=VillageCategory.objects.get(code="finance"),
                                              cadence="month")
    return villages


def _team(body: Body) -> tuple[Staff, Staff, Staff]:
    """(经办人, 审核人, 签发人) of the village."""
    by = {m.duty: m.staff for m in body.members.select_related("staff")}
    return by[D.OFFICER], by[D.REVIEWER], by[D.SIGNER]


def _at(day: dt.date, hour: int):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 17)))
    return clock.frozen(min(moment, clock.now()))


def _workday_before(day: dt.date, n: int, region) -> dt.date:
    while n > 0 or not engine.is_workday(day, region=region):
        day -= dt.timedelta(days=1)
        if engine.is_workday(day, region=region):
            n -= 1
    return day


def _name(rng: random.Random) -> str:
    chars = FEMALE if rng.random() < 0.5 else MALE
    return rng.choice(SURNAMES) + rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")


def _finance(rng: random.Random, opening: Decimal) -> dict:
    income = [Line("上级转移支付", f"{rng.randint(30, 60) * 1000}"), Line("集体土地承包费", f"{rng.randint(40, 120) * 100}"),
              Line("集体资产租赁收入", f"{rng.randint(10, 40) * 100}.50")]
    expense = [Line("村干部报酬", f"{rng.randint(20, 30) * 1000}"), Line("办公费", f"{rng.randint(8, 30) * 100}.20"),
               Line("环境卫生保洁", f"{rng.randint(20, 60) * 100}"), Line("道路维修", f"{rng.randint(5, 20) * 1000}", "生产路修补")]
    tin = sum(Decimal(x.amount) for x in income)
    tout = sum(Decimal(x.amount) for x in expense)
    return {"opening_balance": str(opening), "income_total": str(tin), "expense_total": str(tout),
            "closing_balance": str(opening + tin - tout), "income": income, "expense": expense}


def _relief(rng: random.Random, area: str) -> list[Household]:
    rows = []
    for i in range(rng.randint(3, 6)):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 50))
        size = rng.randint(1, 4)
        kind = "特困供养" if i == 0 else "低保"
        rows.append(Household(_name(rng), id_number_fake(area, born, rng.randint(1, 400), rng.random() < 0.5),
                              str(size), str(size * 630 if kind == "低保" else 1080), kind))
    return rows


def _enter(rng, body, cat: VillageCategory, period: vcal.Period, day: dt.date, opening: Decimal) -> VillageDisclosure:
    officer, _r, _s = _team(body)
    fmt = {"period": period.label, "money": f"{rng.randint(50, 400) * 1000:,}", "per": rng.choice((96, 105, 112)),
           "households": rng.randint(80, 260), "n": rng.randint(18, 46)}
    kw: dict = {}
    if cat.content_kind == "finance":
        kw["finance"] = _finance(rng, opening)
    elif cat.content_kind == "relief":
        kw["relief"] = _relief(rng, body.region.code[:6])
    else:
        kw["content"] = TEXTS[cat.code].format(**fmt)
    with _at(day, 9):
        return village_disclosure_create(body=body, officer=officer, category=cat.code, period_key=period.key, **kw)


def _publish(body: Body, disc: VillageDisclosure, day: dt.date, *, stop: str = "publish") -> None:
    officer, reviewer, signer = _team(body)
    steps = [("submit", officer, 10), ("approve", reviewer, 14), ("sign", signer, 15), ("publish", officer, 16)]
    for action, staff, hour in steps:
        with _at(day, hour):
            village_disclosure_act(disclosure=disc, staff=staff, action=action)
        if action == stop:
            return


def _village(rng: random.Random, body: Body, code: str, today: dt.date) -> None:
    region = body.region
    for cat in VillageCategory.objects.filter(is_active=True):
        cadence = vcal.cadence_for(body, cat)
        periods = [vcal.last_ended(today, cadence)]
        if code == DEMO_VILLAGE and cat.code in ("finance", "relief"):
            periods.insert(0, vcal.period_before(periods[0]))  # a published history
        opening = Decimal(rng.randint(20, 90) * 1000)
        for period in periods:
            opened = min(today, period.end + dt.timedelta(days=1))
            with _at(opened, 1):
                row = village_period_ensure(body=body, category=cat, period=period)
            if (code, cat.code) in MISSING and period == periods[-1]:
                continue
            if (code, cat.code) in LATE:
                day = min(today, engine.add_workdays(row.due_date, 3, region=region))
            else:
                day = max(opened, _workday_before(row.due_date, rng.randint(0, 3), region))
                day = min(day, today)
            disc = _enter(rng, body, cat, period, day, opening)
            _publish(body, disc, day)
            if disc.closing_balance is not None:
                opening = disc.closing_balance
    if code == DEMO_VILLAGE:
        # this quarter's 工程项目, entered and waiting for the 村务监督委员会: its clock runs
        cat = VillageCategory.objects.get(code="projects")
        period = vcal.period_containing(today, cat.cadence)
        disc = _enter(rng, body, cat, period, today, Decimal(0))
        _publish(body, disc, today, stop="submit")


def _sweep(today: dt.date) -> None:
    """Supervision's daily sweep, as the night's job would run it: the missing ones get their red cards."""
    from zhengwu.supervision.services import sweep_run

    sweep_run(today=today, deliver=False)
