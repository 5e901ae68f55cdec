"""The demo county's 12345 hotline: its settings, a 派单目录 covering its departments and towns, a
knowledge base, and two months of work orders in every state — all made through the services, so the
events, clocks (cards, assessment) and 12345 ratings are real. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.org.models import Department, Hall, Region, Role, Staff
from zhengwu.workdays import engine

from . import services
from .demo_data import ARTICLES, CATEGORIES, GIVEN, KINDS, LOCAL, MORE_CATEGORIES, PHONES, SURNAMES, TEXTS
from .models import Article, Category, DispatchRule, HotlineSetting, Order, Status

SEED = 12345
DAYS = 60


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load_demo_hotline(*, stdout=None) -> int:
    """Build the hotline (settings, catalogue, knowledge base) and, on the first run, two months of
    orders; returns the number of orders made (0 when they exist already)."""
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    centre = Hall.objects.filter(kind=Hall.Kind.CENTER).order_by("code").first()
    if county is None or centre is None:
        return 0
    with transaction.atomic():
        services.limits_ensure()
        if not HotlineSetting.objects.exists():
            HotlineSetting.objects.create(jurisdiction=county, centre_hall=centre)
        cats = _catalogue(county)
        _articles(cats)
        if Order.objects.exists():
            return 0
        n = _orders(county, cats)
    if stdout is not None:
        stdout.write(f"已生成12345热线工单 {n} 件。\n")
    return n


def _dept(short: str) -> Department | None:
    from zhengwu.demo.layout import UNITS

    name = next((u.name for u in UNITS if u.key == short), None)
    return Department.objects.filter(name=name).first() if name else None


def _catalogue(county: Region) -> dict[str, Category]:
    cats = {}
    for sort, (code, name, unit, keywords, urgency) in enumerate([*CATEGORIES, *MORE_CATEGORIES], start=1):
        cat, _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "keywords": keywords,
                "urgency": urgency,
                "sort": sort,
                "description": "属地乡镇（街道）、村（社区）承办" if unit == LOCAL else "",
            },
        )
        cats[code] = cat
        if DispatchRule.objects.filter(category=cat).exists():
            continue
        if unit != LOCAL:
            dept = _dept(unit)
            if dept is not None:
                DispatchRule.objects.create(category=cat, department=dept)
            continue
        for town_hall in Hall.objects.filter(
            kind=Hall.Kind.TOWN_CENTER, region__code__startswith=county.code_prefix
        ):
            DispatchRule.objects.create(category=cat, region=town_hall.region, hall=town_hall)
        if code == "XC-03":  # 村务: each village's own station
            for station in Hall.objects.filter(
                kind=Hall.Kind.VILLAGE_STATION, region__code__startswith=county.code_prefix
            ):
                DispatchRule.objects.create(category=cat, region=station.region, hall=station)
    return cats


def _articles(cats: dict[str, Category]) -> None:
    have = set(Article.objects.values_list("title", flat=True))
    for title, code, body in ARTICLES:
        if title not in have:
            cat = cats[code]
            rule = cat.rules.filter(department__isnull=False).select_related("department").first()
            services.article_save(
                title=title,
                body=body,
                category=cat,
                department=rule.department if rule else None,
                keywords=cat.keywords,
            )


class _People:
    def __init__(self):
        self.takers = list(
            Staff.objects.filter(roles__code=Role.CALL_TAKER, is_active=True).order_by("employee_no")
        )
        self.admin = (
            Staff.objects.filter(roles__code=Role.HOTLINE_ADMIN, is_active=True)
            .order_by("employee_no")
            .first()
        )
        self._cache: dict = {}

    def doer(self, order: Order) -> Staff | None:
        return self._pick(order, head=False)

    def head(self, order: Order) -> Staff | None:
        return self._pick(order, head=True)

    def _pick(self, order: Order, *, head: bool) -> Staff | None:
        key = (order.main_department_id, order.main_hall_id, head)
        if key not in self._cache:
            if order.main_department_id:
                role = Role.DEPT_HEAD if head else Role.CHIEF_REP
                qs = Staff.objects.filter(department_id=order.main_department_id, roles__code=role)
            else:
                hall = order.main_hall
                if hall.kind == Hall.Kind.VILLAGE_STATION and head:
                    qs = Staff.objects.filter(
                        hall__kind=Hall.Kind.TOWN_CENTER,
                        hall__region_id=hall.region.parent_id,
                        roles__code=Role.HALL_ADMIN,
                    )
                else:
                    role = (
                        Role.HALL_ADMIN
                        if head
                        else (
                            Role.VILLAGE_AGENT
                            if hall.kind == Hall.Kind.VILLAGE_STATION
                            else Role.WINDOW_OFFICER
                        )
                    )
                    qs = Staff.objects.filter(hall=hall, roles__code=role)
            self._cache[key] = qs.filter(is_active=True).order_by("employee_no").first()
        return self._cache[key]


def _orders(county: Region, cats: dict[str, Category]) -> int:
    """Orders created on the working days of the last two months, walked through their steps by the
    services at plausible moments; how far each goes depends on its age (older ones are closed)."""
    people = _People()
    if not people.takers or people.admin is None:
        return 0
    rng = random.Random(SEED)
    now = clock.now()
    today = clock.today()
    towns = list(Region.objects.filter(level=Region.Level.TOWN, code__startswith=county.code_prefix))
    villages = list(Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=county.code_prefix))
    codes = [c[0] for c in CATEGORIES]  # the first list only: the orders stay as they were
    days = [today - dt.timedelta(days=d) for d in range(DAYS, -1, -1)]
    made: list[Order] = []
    specials = {"transfer": 0, "merge": 0, "return": 0, "redo": 0, "extend": 0, "answer": 0}
    for day in days:
        workday = engine.is_workday(day, region=county)
        for i in range(rng.randint(2, 4) if workday else rng.randint(0, 1)):
            hour = (
                rng.randint(8, 19)
                if day < today
                else rng.randint(8, max(8, timezone.localtime(now).hour - 1))
            )
            at = _at(day, hour, rng.randint(0, 59))
            if at >= now:
                continue
            code = rng.choice(codes)
            cat = cats[code]
            local = code.startswith("XC")
            region = rng.choice(villages if (local or rng.random() < 0.5) else towns)
            kind = rng.choice(KINDS)
            text = TEXTS[kind].format(place=region.name, topic=cat.name)
            taker = people.takers[i % len(people.takers)]
            with clock.frozen(at):
                order = services.order_create(
                    channel=rng.choice(["phone"] * 6 + ["web", "wechat", "sms"]),
                    source=rng.choice(["12345"] * 8 + ["8890", "961890", "leader"]),
                    kind=kind,
                    category=cat,
                    region=region,
                    text=text,
                    caller_phone=rng.choice(PHONES),
                    caller_name=_name(rng),
                    confidential=rng.random() < 0.1,
                    publish_consent=rng.random() < 0.6,
                    address=f"{region.name}{rng.randint(1, 60)}号",
                    actor=taker,
                )
            made.append(order)
            _walk(order, people, rng, specials, now=now, made=made)
    return len(made) + _ensure_states(people, cats, now=now, villages=villages)


def _ensure_states(people: _People, cats: dict[str, Category], *, now: dt.datetime, villages) -> int:
    """Whatever day the demo is built on, the queues show something: a reply awaiting sign-off
    (待审核) and a call just taken (待派单)."""
    made = 0
    moment = now - dt.timedelta(minutes=30)
    handling = (
        Order.objects.filter(status=Status.HANDLING, extensions__isnull=True).order_by("-created_at").first()
    )
    if handling is not None and not Order.objects.filter(status=Status.REVIEWING).exists():
        doer = people.doer(handling)
        if doer is not None:
            with clock.frozen(max(moment, handling.signed_at + dt.timedelta(minutes=1))):
                services.order_reply(order=handling, staff=doer, text="已现场处理，请审核。", solved=True)
    if not Order.objects.filter(status=Status.PENDING).exists():
        with clock.frozen(moment):
            services.order_create(
                channel="web",
                kind="suggestion",
                category=cats["ZW-01"],
                region=villages[0],
                text="建议政务服务中心周末也开放一个综合窗口。",
                caller_phone=PHONES[0],
                caller_name="李建国",
                publish_consent=True,
            )
        made += 1
    return made


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _step_at(order: Order, base: dt.datetime, workdays: int, *, hour: int) -> dt.datetime:
    day = (
        engine.add_workdays(timezone.localdate(base), workdays, region=order.region)
        if workdays
        else timezone.localdate(base)
    )
    at = _at(day, hour, 17)
    return at if at > base else base + dt.timedelta(minutes=20)


def _walk(
    order: Order, people: _People, rng: random.Random, specials: dict, *, now: dt.datetime, made: list[Order]
) -> None:
    """Take ``order`` as far as its age allows, with a few special courses spread over the months."""
    taker = people.takers[0]
    admin = people.admin
    t = order.created_at
    age = (now - t).days

    def step(moment, fn, **kw):
        if moment >= now:
            return None
        with clock.frozen(moment):
            return fn(**kw)

    # intake decisions: a 110 transfer, a direct answer, a merge with an earlier order of the same category
    if specials["transfer"] < 1 and order.kind == "help" and age > 10:
        specials["transfer"] += 1
        step(
            t + dt.timedelta(minutes=3),
            services.order_transfer,
            order=order,
            staff=taker,
            to="110",
            reason="来电人称有人持械斗殴，属110警情，已一键转接",
        )
        return
    if order.kind == "consult" and rng.random() < 0.4 and order.category.articles.exists():
        specials["answer"] += 1
        art = order.category.articles.first()
        step(
            t + dt.timedelta(minutes=6),
            services.order_answer,
            order=order,
            staff=taker,
            answer=art.body,
            article_id=art.pk,
        )
        return
    if age <= 1 and rng.random() < 0.5:
        return  # still 待派单
    twin = (
        Order.objects.filter(
            category_id=order.category_id,
            created_at__lt=order.created_at,
            status__in=[Status.DISPATCHED, Status.HANDLING],
        )
        .order_by("-created_at")
        .first()
    )
    if twin is not None and specials["merge"] < 3 and age > 3:
        specials["merge"] += 1
        step(
            t + dt.timedelta(minutes=8),
            services.order_merge,
            order=order,
            into=twin,
            staff=taker,
            note="同一地点同一问题的重复来电",
        )
        return
    order = step(t + dt.timedelta(minutes=5), services.order_dispatch, order=order, staff=taker)
    if order is None:
        return
    doer, head = people.doer(order), people.head(order)
    if doer is None or head is None:
        return
    # 退单 → 改派 (to the department the 派单目录 would not have named)
    if specials["return"] < 3 and order.main_department_id and age > 6:
        specials["return"] += 1
        m = _step_at(order, t, 1, hour=9)
        order = step(
            m, services.order_return, order=order, staff=doer, reason="该事项不属于本单位职责，请改派"
        )
        if specials["return"] == 3:
            return  # one stays 退单待审
        others = list(
            Department.objects.exclude(pk=order.main_department_id).filter(is_active=True).order_by("code")
        )
        other = rng.choice(others)
        order = step(
            m + dt.timedelta(hours=2),
            services.order_reassign,
            order=order,
            staff=admin,
            main=other,
            note="经核实由该单位承办",
        )
        if order is None:
            return
        doer, head = people.doer(order), people.head(order)
        if doer is None or head is None:
            return
    sign_at = (
        t + dt.timedelta(minutes=rng.randint(8, 90))
        if order.urgency != "normal"
        else _step_at(order, t, rng.choice([0, 0, 1]), hour=rng.randint(9, 16))
    )
    if rng.random() < 0.08 and age < 12:
        return  # left unsigned (red cards on the board)
    order = step(sign_at, services.order_sign, order=order, staff=doer)
    if order is None:
        return
    limit_days = 3 if order.kind in ("consult", "help", "praise") else 13
    if specials["extend"] < 2 and limit_days == 13 and age > 8:
        specials["extend"] += 1
        ext = step(
            _step_at(order, sign_at, 2, hour=10),
            services.order_extend_request,
            order=order,
            staff=doer,
            days=5,
            reason="需协调多个部门现场核查",
        )
        if ext is not None and specials["extend"] == 1:
            step(
                _step_at(order, sign_at, 2, hour=15),
                services.order_extend_decide,
                extension=ext,
                staff=admin,
                approve=True,
                note="同意延期",
            )
        elif ext is not None:
            return  # one 延期 waits for the centre
        limit_days += 5
    late = rng.random() < 0.12
    work = rng.randint(1, max(1, limit_days - 1)) + (limit_days if late else 0)
    reply_at = _step_at(order, sign_at, work, hour=rng.randint(9, 16))
    order_r = step(
        reply_at,
        services.order_reply,
        order=Order.objects.get(pk=order.pk),
        staff=doer,
        text=f"已联系诉求人并现场核实，{order.category.name}问题已处理完毕。",
        solved=rng.random() < 0.85,
    )
    if order_r is None:
        return
    if now - reply_at < dt.timedelta(days=3) and rng.random() < 0.6:
        return  # the head has not signed the reply off yet (待审核)
    order = step(reply_at + dt.timedelta(hours=1), services.order_approve, order=order_r, staff=head)
    if order is None:
        return
    if now - reply_at < dt.timedelta(days=6) and rng.random() < 0.5:
        return  # not called back yet (待回访)
    cb_at = _step_at(order, reply_at, 1, hour=rng.randint(9, 17))
    roll = rng.random()
    result = "satisfied" if roll < 0.75 else ("basic" if roll < 0.92 else "dissatisfied")
    redo = result == "dissatisfied" and specials["redo"] < 2
    order = step(
        cb_at,
        services.order_callback,
        order=order,
        staff=taker,
        result=result,
        solved=result != "dissatisfied",
        unit_fault=redo,
        note="诉求人表示问题仍未解决" if result == "dissatisfied" else "",
    )
    if order is None or not redo:
        return
    specials["redo"] += 1
    again = _step_at(order, cb_at, 2, hour=11)
    order = step(
        again,
        services.order_reply,
        order=order,
        staff=doer,
        text="重新安排人员处理，已彻底解决。",
        solved=True,
    )
    if order is None:
        return
    order = step(again + dt.timedelta(hours=1), services.order_approve, order=order, staff=head)
    if order is not None:
        step(
            _step_at(order, again, 1, hour=10),
            services.order_callback,
            order=order,
            staff=taker,
            result="satisfied",
            solved=True,
        )
