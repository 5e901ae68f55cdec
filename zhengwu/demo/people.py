"""The demo's staff: who works where, in which roles, under which (deterministic) name.

About 300 people as in the seed's center: for every unit a 首席代表 (chief_rep) in the hall
and a 部门负责人 (dept_head) at the bureau, one or two 窗口人员 per window, the center's
own 中心管理员 and 效能监察员, the county's 领导, four people in each town's
便民服务中心 and one 代办员 in each village's 便民服务站.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from zhengwu.org.models import Role

from .geography import CENTER_CODE, COUNTY, TOWN_WINDOWS, TOWNS, VILLAGE_WINDOW, village_hall_code
from .layout import UNITS, center_windows

TOTAL_STAFF = 300
DEMO_PASSWORD = "zhengwu2026"
TOKEN_NAME = "演示令牌"
NAME_SEED = "zhengwu-demo-2026"

# Common surnames, most frequent first (repeated entries weight the draw).
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹"
    "黎易常武乔贺赖龚文"
)
FEMALE = "秀丽静敏燕艳娟霞芳玲婷雪慧丹颖琳晶洁莉佳欣悦倩雅梅红华英兰凤月萍琴璐蕊妍蕾楠瑶"
MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发成康星光天达安岩"
# The seed's center: 71% of the staff are women.
FEMALE_SHARE = 0.71


@dataclass(frozen=True)
class DemoAccount:
    """A login for trying one role; the password and token are printed by ``zhengwu demo``."""

    username: str
    role: str  # Role code; "" for the citizen
    label: str  # what the table shows

    @property
    def token(self) -> str:
        return f"zw_demo_{self.username}"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("ck_officer", Role.WINDOW_OFFICER, "窗口人员"),
    DemoAccount("sxdb", Role.CHIEF_REP, "首席代表"),
    DemoAccount("bmfzr", Role.DEPT_HEAD, "部门负责人"),
    DemoAccount("zxgly", Role.HALL_ADMIN, "中心管理员"),
    DemoAccount("xnjc", Role.SUPERVISOR, "效能监察员"),
    DemoAccount("dby", Role.VILLAGE_AGENT, "代办员"),
    DemoAccount("ld", Role.LEADER, "领导"),
    DemoAccount("rxgly", Role.HOTLINE_ADMIN, "热线管理员"),
    DemoAccount("hwy", Role.CALL_TAKER, "话务员"),
    DemoAccount("citizen", "", "办事群众"),
)
CITIZEN = DEMO_ACCOUNTS[-1]
# The platform's superuser (政务服务管理办公室): appoints roles and regions; not a member of staff, no token.
# The 中心管理员 zxgly is the restricted admin the README describes, not a superuser.
SUPERUSER = "sysadmin"
SUPERUSER_NAME = "系统管理员"
CITIZEN_NAME = "李明"
# The demo accounts' places in the plan below.
DEMO_UNIT_KEY = "SCJ"
DEMO_VILLAGE_HALL = "QHZ01"


@dataclass(frozen=True)
class StaffPlan:
    employee_no: str
    username: str
    name: str
    roles: tuple[str, ...]
    title: str
    region: str  # region code
    unit_key: str | None = None
    hall: str | None = None  # hall code
    windows: tuple[tuple[str, str], ...] = ()  # (hall code, window number)


class _Names:
    def __init__(self, seed: str):
        self.rng = random.Random(seed)

    def __call__(self) -> str:
        rng = self.rng
        chars = FEMALE if rng.random() < FEMALE_SHARE else MALE
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")
        return rng.choice(SURNAMES) + given


def staff_plan() -> list[StaffPlan]:
    """Everyone, in a fixed order; 工号 SF0001… follow that order."""
    county = COUNTY[0]
    rows: list[dict] = []

    def add(roles, title, region=county, unit_key=None, hall=None, windows=(), username=""):
        rows.append(dict(roles=tuple(roles), title=title, region=region, unit_key=unit_key, hall=hall,
                         windows=tuple(windows), username=username))

    add([Role.LEADER], "副县长（分管政务服务）", username="ld")
    add([Role.LEADER], "县政府办公室主任")
    add([Role.HALL_ADMIN], "政务服务中心主任", hall=CENTER_CODE, username="zxgly")
    add([Role.HALL_ADMIN], "政务服务中心副主任", hall=CENTER_CODE)
    add([Role.HALL_ADMIN], "政务服务中心副主任", hall=CENTER_CODE)
    add([Role.HALL_ADMIN], "中心综合科科长", hall=CENTER_CODE)
    add([Role.SUPERVISOR], "效能监察室主任", hall=CENTER_CODE, username="xnjc")
    add([Role.SUPERVISOR], "效能监察员", hall=CENTER_CODE)
    add([Role.SUPERVISOR], "效能监察员", hall=CENTER_CODE)

    windows = center_windows()
    by_unit: dict[str, list[str]] = {}
    for w in windows:
        if w.unit_key:
            by_unit.setdefault(w.unit_key, []).append(w.number)
    for unit in UNITS:
        demo = unit.key == DEMO_UNIT_KEY
        add([Role.DEPT_HEAD], "分管负责人", unit_key=unit.key, username="bmfzr" if demo else "")
        add([Role.CHIEF_REP], f"首席代表、{unit.section}负责人", unit_key=unit.key, hall=CENTER_CODE,
            windows=[(CENTER_CODE, n) for n in by_unit[unit.key]], username="sxdb" if demo else "")

    town_rows: list[dict] = []
    for town in TOWNS:
        numbers = [n for n, _ in TOWN_WINDOWS]
        town_rows.append(dict(roles=(Role.HALL_ADMIN, Role.WINDOW_OFFICER), title="便民服务中心主任",
                              region=town.code, unit_key=None, hall=town.hall_code,
                              windows=tuple((town.hall_code, n) for n in numbers), username=""))
        for n, name in TOWN_WINDOWS:
            town_rows.append(dict(roles=(Role.WINDOW_OFFICER,), title=f"{name.removesuffix('窗口')}窗口工作人员",
                                  region=town.code, unit_key=None, hall=town.hall_code,
                                  windows=((town.hall_code, n),), username=""))
        for i, (code, vname) in enumerate(town.villages):
            hall = village_hall_code(town, i)
            committee = "社区居委会" if vname.endswith("社区") else "村委会"
            town_rows.append(dict(roles=(Role.VILLAGE_AGENT,), title=f"{committee}委员、代办员", region=code,
                                  unit_key=None, hall=hall, windows=((hall, VILLAGE_WINDOW[0]),),
                                  username="dby" if hall == DEMO_VILLAGE_HALL else ""))

    # Window officers fill the rest: one per window, a second one at the busiest windows.
    officers = TOTAL_STAFF - len(rows) - len(town_rows)
    busy_units = {u.key for u in UNITS if len(u.windows) >= 3}
    busy = [w for w in windows if w.name == "综合受理窗口" or w.unit_key in busy_units]
    seats = list(windows) + busy[: max(0, officers - len(windows))]
    seats.sort(key=lambda w: w.number)
    demo_done = False
    for w in seats[:officers]:
        username = ""
        if not demo_done and w.unit_key == DEMO_UNIT_KEY:
            username, demo_done = "ck_officer", True
        rows.append(dict(roles=(Role.WINDOW_OFFICER,), title="窗口工作人员", region=county, unit_key=w.unit_key,
                         hall=CENTER_CODE, windows=((CENTER_CODE, w.number),), username=username))
    rows += town_rows
    # The 12345 hotline centre (at the end: the numbers and names above stay as they were).
    rows.append(dict(roles=(Role.HOTLINE_ADMIN,), title="12345热线中心主任", region=county, unit_key=None,
                     hall=CENTER_CODE, windows=(), username="rxgly"))
    for n in range(2):
        rows.append(dict(roles=(Role.CALL_TAKER,), title="12345热线话务员", region=county, unit_key=None,
                         hall=CENTER_CODE, windows=(), username="hwy" if n == 0 else ""))

    names = _Names(NAME_SEED)
    plans = []
    for i, r in enumerate(rows, start=1):
        employee_no = f"SF{i:04d}"
        username = r.pop("username") or employee_no.lower()
        plans.append(StaffPlan(employee_no=employee_no, username=username, name=names(), **r))
    return plans
