"""Demo cases: about two months of a county center's work, made through the case services.

Every case is submitted, accepted, reviewed, decided and finished by the service functions
with the platform clock moved to the day it happened, so events, due dates and holidays are
exactly what a real center would have. A share of cases is left open, some of them late,
so the workbench, the supervision board and the dashboard have something to show.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from zhengwu.cases import fees
from zhengwu.cases import services as s
from zhengwu.cases.models import Case, Channel
from zhengwu.cases.plan import ONLINE_APPLY_MIN_DEPTH, plan_for
from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core import clock
from zhengwu.core.validators import id_number_check_char
from zhengwu.org.models import Hall, Role, Staff
from zhengwu.workdays import engine

from .geography import CENTER_CODE
from .people import CITIZEN, CITIZEN_NAME

DEMO_AGENT = "dby"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华志红"


def workdays_before(today: dt.date, n: int, *, region) -> list[dt.date]:
    """The ``n`` working days before ``today`` in ``region``, oldest first (the demo's history)."""
    days, d = [], today
    while len(days) < n:
        d -= dt.timedelta(days=1)
        if engine.is_workday(d, region=region):
            days.append(d)
    return days[::-1]


def _person(rng: random.Random, n: int) -> s.Applicant:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 55))
    first17 = f"130621{birth:%Y%m%d}{n % 1000:03d}"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    phone = f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}"
    return s.Applicant(kind="person", name=name, phone=phone, id_number=first17 + id_number_check_char(first17),
                       address="示范县城关街道")


def _at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=minute)


def load_demo_cases(*, stdout=None, working_days: int = 40, seed: int = 2026) -> int:
    """Create the demo's cases once (skipped when any case exists); returns how many were made."""
    if Case.objects.exists():
        return 0
    say = stdout.write if stdout is not None else (lambda _m: None)
    rng = random.Random(seed)
    center = Hall.objects.select_related("region").get(code=CENTER_CODE)
    staff = list(Staff.objects.select_related("department", "hall__region", "region").prefetch_related("roles"))
    front = {}
    for st in staff:
        codes = st.role_codes()
        if st.department_id and st.hall_id == center.pk and Role.WINDOW_OFFICER in codes:
            front.setdefault(st.department_id, st)
    chiefs = {st.department_id: st for st in staff if Role.CHIEF_REP in st.role_codes() and st.department_id}
    heads = {st.department_id: st for st in staff if Role.DEPT_HEAD in st.role_codes() and st.department_id}
    agents = [st for st in staff if Role.VILLAGE_AGENT in st.role_codes()]
    citizen = get_user_model().objects.filter(username=CITIZEN.username).first()
    by_role = {}
    items = []
    for item in (Item.objects.select_related("current", "department__region")
                 .filter(status=ItemVersion.Status.ACTIVE, department_id__in=list(front)).order_by("impl_code")):
        plan = plan_for(item.current)
        if plan.handling_tiers and "county" not in plan.handling_tiers:
            continue
        d = item.department_id
        by_role[d] = {Role.WINDOW_OFFICER: front[d], Role.CHIEF_REP: chiefs.get(d), Role.DEPT_HEAD: heads.get(d)}
        if all(by_role[d].get(step.role) for step in plan.steps):
            items.append((item, plan))
    if not items:
        return 0
    today = clock.today()
    days = workdays_before(today, working_days, region=center.region)
    made = 0
    say("正在生成演示办件……\n")
    for day_index, day in enumerate(days):
        for k in range(rng.randint(3, 7)):
            item, plan = rng.choice(items)
            people = by_role[item.department_id]
            officer = people[Role.WINDOW_OFFICER]
            applicant = _person(rng, made)
            roll = rng.random()
            with clock.frozen(_at(day, 25 * k)):
                if plan.village_intake and agents and roll < 0.15:
                    agent = rng.choice(agents)
                    case = s.case_submit(item=item, applicant=applicant, channel=Channel.AGENT, agent=agent)
                    if case.hall_id != center.pk:
                        made += 1
                        continue  # handled in a town center; left waiting there
                elif roll < 0.45 and plan.online_depth >= ONLINE_APPLY_MIN_DEPTH:
                    user = citizen if (citizen is not None and rng.random() < 0.1) else None
                    case = s.case_submit(item=item, applicant=applicant, channel=Channel.ONLINE, user=user)
                else:
                    case = s.case_submit(item=item, applicant=applicant, channel=Channel.WINDOW, officer=officer)
                made += 1
                fate = rng.random()
                if fate < 0.04:
                    s.case_reject(case=case, officer=officer, reason="申请事项依法不需要取得行政许可（行政许可法第三十二条）")
                    continue
                if fate < 0.10 and day_index >= len(days) - 5:
                    s.case_request_supplement(case=case, officer=officer, missing=[*plan.required.values()][:2] or ["身份证明"])
                    continue
                s.case_accept(case=case, officer=officer, paper_materials=list(plan.required))
            if plan.immediate:
                continue
            # The review steps, one working day apart, while that is still in the past.
            stalled = rng.random() < 0.2
            step_day = day
            while case.status == "in_review" and not stalled:
                step_day = engine.add_workdays(step_day, rng.choice((1, 1, 2)), region=center.region)
                if step_day >= today:
                    break
                step = plan.step(case.current_step)
                actor = people[step.role]
                with clock.frozen(_at(step_day, 30 + k)):
                    if case.current_step < plan.last_seq:
                        s.case_review(case=case, officer=actor, note="审查通过")
                    else:
                        s.case_decide(case=case, officer=actor, decision="approve")
                        if plan.fees:  # paid at the central cashier before the licence is handed over
                            fees.fee_pay(case=case, cashier=officer, method=rng.choice(PAY_METHODS))
                        s.case_complete(case=case, officer=officer)
                        if rng.random() < 0.6:
                            s.case_deliver(case=case, officer=officer, method="pickup")
    agent_made = _agent_cases(rng, days[-AGENT_DAYS:], agents, front, by_role)
    made += agent_made
    say(f"已生成演示办件 {made} 件（其中村站代办 {agent_made} 件）。\n")
    return made


AGENT_DAYS = 12  # the village agents' cases come from the last dozen working days
PAY_METHODS = ["qr", "qr", "qr", "pos", "cash"]


def _agent_cases(rng: random.Random, days: list[dt.date], agents: list[Staff], front: dict, by_role: dict) -> int:
    """Village agents taking in applications for residents (代办) at their stations.

    The demo agent (``dby``) takes about half of them, so their list is not empty. A case goes to
    the nearest hall that handles the item: a town center's comprehensive window accepts it (and
    does the 承办 step when the item gives that step to a window officer); a county case is
    accepted by the department's window and goes through its steps like any other. The newest
    ones wait for acceptance.
    """
    if not agents or not days:
        return 0
    demo_agent = next((a for a in agents if a.user.username == DEMO_AGENT), agents[0])
    items = [(item, plan) for item in (Item.objects.select_related("current", "department__region")
                                       .filter(status=ItemVersion.Status.ACTIVE).order_by("impl_code"))
             if (plan := plan_for(item.current)).village_intake and not plan.immediate]
    if not items:
        return 0
    town_officers = {}
    for st in (Staff.objects.select_related("department", "hall__region", "region").prefetch_related("roles")
               .filter(hall__kind=Hall.Kind.TOWN_CENTER, department__isnull=True, is_active=True).order_by("employee_no")):
        if Role.WINDOW_OFFICER in st.role_codes():
            town_officers.setdefault(st.hall_id, st)
    made = 0
    for age, day in enumerate(reversed(days)):  # age 0 is the last working day before today
        for k in range(rng.randint(1, 3)):
            item, plan = rng.choice(items)
            agent = demo_agent if rng.random() < 0.5 else rng.choice(agents)
            with clock.frozen(_at(day, 150 + 40 * k)):
                case = s.case_submit(item=item, applicant=_person(rng, 5000 + made), channel=Channel.AGENT,
                                     agent=agent)
            made += 1
            if age < 2:
                continue  # handed in at the station; the hall has not taken it in yet
            county = case.hall.kind == Hall.Kind.CENTER
            officer = front.get(item.department_id) if county else town_officers.get(case.hall_id)
            if officer is None:
                continue
            accept_day = engine.add_workdays(day, 1, region=case.hall.region)  # the papers reach the hall
            with clock.frozen(_at(accept_day, 60 + 10 * k)):
                s.case_accept(case=case, officer=officer, paper_materials=list(plan.required))
            people = by_role.get(item.department_id, {}) if county else {Role.WINDOW_OFFICER: officer}
            step_day = accept_day
            while case.status == "in_review" and age > 3:
                actor = people.get(plan.step(case.current_step).role)
                step_day = engine.add_workdays(step_day, 1, region=case.hall.region)
                if actor is None or step_day >= clock.today():
                    break
                with clock.frozen(_at(step_day, 90 + 10 * k)):
                    if case.current_step < plan.last_seq:
                        s.case_review(case=case, officer=actor, note="审查通过")
                    else:
                        s.case_decide(case=case, officer=actor, decision="approve")
                        s.case_complete(case=case, officer=officer)
    return made


# 认领 in the demo: two window cases of the demo citizen (``citizen``, 李明), not linked to the
# account, so the 我的办件 claim can be tried: case number + this 身份证号, then the SMS code the
# demo prints on the server console. The first is dated on a fixed day, so its number is the same
# in every build (the README gives it); the second, still in review, comes along with the same code.
CLAIM_ID_NUMBER = "130621198603150316"
CLAIM_PHONE = "13903190316"
CLAIM_DAY = dt.date(2026, 9, 8)
CLAIM_CASE_NO = f"{CENTER_CODE}-{CLAIM_DAY:%Y%m%d}-00001"
CLAIM_ITEMS = ("无犯罪记录证明开具", "企业职工基本养老保险待遇申领")


def load_demo_claimable_cases() -> list[str]:
    """The citizen's two unclaimed window cases (once); returns their case numbers."""
    if Case.objects.filter(id_number=CLAIM_ID_NUMBER).exists():
        return []
    center = Hall.objects.select_related("region").filter(code=CENTER_CODE).first()
    items = {i.name: i for i in Item.objects.select_related("current", "department")
             .filter(name__in=CLAIM_ITEMS, status=ItemVersion.Status.ACTIVE)}
    if center is None or len(items) != len(CLAIM_ITEMS):
        return []
    applicant = s.Applicant(kind="person", name=CITIZEN_NAME, phone=CLAIM_PHONE, id_number=CLAIM_ID_NUMBER,
                            address="示范县城关街道建设路18号")
    made = []
    # An old 即办件, finished on the spot.
    item = items[CLAIM_ITEMS[0]]
    officer = _department_staff(center, item.department_id, Role.WINDOW_OFFICER)
    with clock.frozen(_at(CLAIM_DAY, 80)):
        case = s.case_submit(item=item, applicant=applicant, channel=Channel.WINDOW, officer=officer)
        s.case_accept(case=case, officer=officer, paper_materials=list(plan_for(item.current).required))
    made.append(case.case_no)
    # A recent one, accepted three working days ago and reviewed by the 首席代表, waiting for approval.
    item = items[CLAIM_ITEMS[1]]
    officer = _department_staff(center, item.department_id, Role.WINDOW_OFFICER)
    chief = _department_staff(center, item.department_id, Role.CHIEF_REP)
    day, back = clock.today(), 0
    while back < 3:
        day -= dt.timedelta(days=1)
        back += engine.is_workday(day, region=center.region)
    with clock.frozen(_at(day, 100)):
        case = s.case_submit(item=item, applicant=applicant, channel=Channel.WINDOW, officer=officer)
        s.case_accept(case=case, officer=officer, paper_materials=list(plan_for(item.current).required))
    with clock.frozen(_at(engine.add_workdays(day, 1, region=center.region), 60)):
        s.case_review(case=case, officer=chief, note="审查通过")
    made.append(case.case_no)
    return made


def _department_staff(hall: Hall, department_id: int, role: str) -> Staff:
    """The department's first 窗口人员 (not its 首席代表) or its 首席代表 in the hall."""
    qs = (Staff.objects.select_related("department", "hall__region", "region").prefetch_related("roles")
          .filter(hall=hall, department_id=department_id, roles__code=role, is_active=True))
    if role != Role.CHIEF_REP:
        qs = qs.exclude(roles__code=Role.CHIEF_REP)
    return qs.order_by("employee_no").first()
