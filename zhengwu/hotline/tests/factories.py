"""A small county with a hotline centre, two departments, a town centre and a village station."""

from __future__ import annotations

from types import SimpleNamespace

from zhengwu.hotline import services
from zhengwu.hotline.models import Category, DispatchRule, HotlineSetting, Urgency
from zhengwu.org.models import Hall, Role
from zhengwu.org.tests import factories as f

PHONE = "13912345678"


def build_world() -> SimpleNamespace:
    county = f.county()
    town = f.town(county)
    village = f.village(town)
    other_county = f.county(code="130622000000", name="邻县")
    center = f.hall(county)
    town_hall = f.hall(town, code="CGZ", kind=Hall.Kind.TOWN_CENTER)
    station = f.hall(village, code="DGC", kind=Hall.Kind.VILLAGE_STATION)
    dept = f.department(county, code="D001", name="示范县住房和城乡建设局")
    other = f.department(county, code="D002", name="示范县市场监督管理局")
    water = f.department(county, code="D003", name="示范县水务局")
    HotlineSetting.objects.create(jurisdiction=county, centre_hall=center)
    roads = Category.objects.create(code="CJ-01", name="市政道路", keywords="路灯 井盖 道路")
    food = Category.objects.create(code="SC-01", name="食品安全", keywords="食品 餐馆")
    water_cat = Category.objects.create(code="SW-01", name="供水停水", urgency=Urgency.UTILITY)
    gas = Category.objects.create(code="AQ-01", name="燃气泄漏", urgency=Urgency.DANGER)
    village_cat = Category.objects.create(code="XC-01", name="村内环境卫生")
    old = Category.objects.create(code="OLD-01", name="已停用目录", active=False)
    DispatchRule.objects.create(category=roads, department=dept)
    DispatchRule.objects.create(category=food, department=other)
    DispatchRule.objects.create(category=water_cat, department=water)
    DispatchRule.objects.create(category=gas, department=water)
    DispatchRule.objects.create(category=village_cat, hall=town_hall)
    DispatchRule.objects.create(category=village_cat, region=village, hall=station)
    taker = f.staff("9001", Role.CALL_TAKER, hall=center, region=county, name="周话务")
    admin = f.staff("9002", Role.HOTLINE_ADMIN, hall=center, region=county, name="吴热线")
    officer = f.staff("2001", Role.WINDOW_OFFICER, department=dept, hall=center, name="郑住建")
    head = f.staff("2002", Role.DEPT_HEAD, department=dept, region=county, name="王局长")
    other_officer = f.staff("3001", Role.WINDOW_OFFICER, department=other, hall=center, name="冯市监")
    other_head = f.staff("3002", Role.DEPT_HEAD, department=other, region=county, name="陈局长")
    water_officer = f.staff("4001", Role.WINDOW_OFFICER, department=water, hall=center, name="褚水务")
    town_admin = f.staff("5001", Role.HALL_ADMIN, hall=town_hall, name="卫镇长")
    town_officer = f.staff("5002", Role.WINDOW_OFFICER, hall=town_hall, name="蒋镇员")
    station_agent = f.staff("6001", Role.VILLAGE_AGENT, hall=station, region=village, name="沈代办")
    leader = f.staff("7001", Role.LEADER, region=county, name="韩县长")
    for s in (officer, head, other_officer, water_officer, town_admin, town_officer):
        s.phone = "13800000000"
        s.save(update_fields=["phone"])
    return SimpleNamespace(**locals())


def new_order(w, *, category=None, kind="complaint", actor=None, **over):
    args = dict(
        channel="phone",
        kind=kind,
        category=category or w.roads,
        region=w.town,
        text="城关镇东大街路灯坏了三天",
        caller_phone=PHONE,
        caller_name="张大明",
        address="城关镇东大街12号",
        actor=actor or w.taker,
    )
    args.update(over)
    return services.order_create(**args)


def dispatched(w, **over):
    order = new_order(w, **over)
    return services.order_dispatch(order=order, staff=w.taker)


def signed(w, **over):
    order = dispatched(w, **over)
    return services.order_sign(order=order, staff=w.officer)


def replied(w, **over):
    order = signed(w, **over)
    order = services.order_reply(order=order, staff=w.officer, text="已更换路灯灯泡", solved=True)
    return services.order_approve(order=order, staff=w.head)
