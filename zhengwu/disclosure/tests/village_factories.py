"""A town with two villages for 村务公开: a 文书, a 村务监督委员会 member and a 书记 in the first, the town's
效能监察员, and helpers to enter and publish disclosures."""

from __future__ import annotations

from types import SimpleNamespace

from zhengwu.core import clock
from zhengwu.disclosure.models import Body, BodyMember
from zhengwu.disclosure.services.village import (
    Household,
    Line,
    village_disclosure_act,
    village_disclosure_create,
)
from zhengwu.disclosure.village_defaults import seed
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

from .factories import _id, body, build_world, member

D = BodyMember.Duty


def village_world() -> SimpleNamespace:
    seed()  # the migration's rows, gone if a transactional test flushed the tables before
    w = build_world()
    w.clerk = f.staff("3001", Role.VILLAGE_AGENT, region=w.village_region, name="王文书")
    w.monitor = f.staff("3002", Role.VILLAGE_AGENT, region=w.village_region, name="赵监委")
    w.secretary = f.staff("3003", Role.VILLAGE_AGENT, region=w.village_region, name="钱书记")
    member(w.village, w.clerk, D.OFFICER)
    member(w.village, w.monitor, D.REVIEWER)
    member(w.village, w.secretary, D.SIGNER, D.HEAD)
    w.village2_region = f.village(w.town_region, code="130621100202", name="西关村")
    w.village2 = body("XGC", "西关村村民委员会", Body.Kind.VILLAGE, w.village2_region, parent=w.town)
    w.clerk2 = f.staff("3004", Role.VILLAGE_AGENT, region=w.village2_region, name="李文书")
    member(w.village2, w.clerk2, D.OFFICER, D.REVIEWER, D.SECRECY, D.SIGNER, D.HEAD)
    w.town_supervisor = f.staff("3009", Role.SUPERVISOR, region=w.town_region, name="周纪委")
    return w


FINANCE = {
    "opening_balance": "12,000.00", "income_total": "58000", "expense_total": "45500.50",
    "closing_balance": "24499.50",
    "income": [Line("上级转移支付", "50000"), Line("集体土地承包费", "8000", "2026年度")],
    "expense": [Line("村干部报酬", "30000"), Line("道路维修", "15500.50", "东街路面修补")],
}

RELIEF = [
    Household("张小三", _id("13062119560101001"), "2", "1260"),
    Household("欧阳娜娜", _id("13062119700202002"), "3", "1890", "特困供养"),
    Household("李四", _id("13062119800303003"), "1", "630"),
]


def enter(w, category="finance", period="2026Q3", *, village=None, clerk=None, **kw):
    if category == "finance" and "finance" not in kw:
        kw["finance"] = FINANCE
    if category == "relief" and "relief" not in kw:
        kw["relief"] = RELIEF
    return village_disclosure_create(body=village or w.village, officer=clerk or w.clerk, category=category,
                                     period_key=period, **kw)


def publish(w, disc, *, village2=False):
    if village2:
        for a in ("submit", "approve", "sign", "publish"):
            village_disclosure_act(disclosure=disc, staff=w.clerk2, action=a)
        return disc
    village_disclosure_act(disclosure=disc, staff=w.clerk, action="submit")
    village_disclosure_act(disclosure=disc, staff=w.monitor, action="approve")
    village_disclosure_act(disclosure=disc, staff=w.secretary, action="sign")
    village_disclosure_act(disclosure=disc, staff=w.clerk, action="publish")
    return disc


def at(day, fn, *args, **kw):
    with clock.frozen(day):
        return fn(*args, **kw)
