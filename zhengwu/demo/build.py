"""``load_demo()``: write the demo county into the database, idempotently.

Every row is keyed by a natural key (区划代码, 大厅编码, 单位编码, 实施编码, 工号, 用户名), so
a second run creates nothing and changes nothing; items go through ``item_upsert``, which
publishes a new version only when the content changed. A finished load leaves an audit
row carrying ``DEMO_VERSION``; when it is there the load is skipped at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from zhengwu.accounts.models import ApiToken, hash_token
from zhengwu.catalog.models import Item
from zhengwu.catalog.services import item_upsert
from zhengwu.core.models import AuditEvent
from zhengwu.core.services import audit_record
from zhengwu.org.models import Department, Hall, Region, Role, Staff, Window

from . import geography as geo
from .bundles import build_bundles
from .layout import UNITS, center_windows
from .people import (
    CITIZEN,
    CITIZEN_NAME,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    SUPERUSER,
    SUPERUSER_NAME,
    TOKEN_NAME,
    staff_plan,
)
from .spec import center_place, demo_uscc, expand_unit

DEMO_VERSION = "2026.2"
MARKER_TYPE = "zhengwu.demo"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    token: str
    where: str


@dataclass
class DemoInfo:
    logins: list[DemoLogin]
    base_url: str = DEFAULT_BASE_URL
    created: bool = False
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def urls(self) -> dict[str, str]:
        base = self.base_url.rstrip("/")
        hall = f"{base}/hall/{geo.CENTER_CODE}"
        return {"门户首页": f"{base}/", "我的工作（登录后）": f"{base}/me/", "大厅取号机": f"{hall}/kiosk/",
                "叫号大屏": f"{hall}/board/", "政务公开": f"{base}/gk/", "统计大屏（监察员/领导）":
                f"{base}/supervision/dashboard/", "管理后台": f"{base}/admin/", "接口文档": f"{base}/api/docs",
                "一件事（联办事项）": f"{base}/catalog/bundles/", "工程建设项目": f"{base}/projects/",
                "Open311 接口（api_key：zw_demo_open311）": f"{base}/open311/v2/discovery.json"}


def demo_loaded() -> bool:
    return (AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, object_type=MARKER_TYPE,
                                      object_id=DEMO_VERSION).exists()
            and Hall.objects.filter(code=geo.CENTER_CODE).exists())


def load_demo(*, stdout=None, force: bool = False, base_url: str = DEFAULT_BASE_URL) -> DemoInfo:
    """Build the demo county (or find it built) and return the logins to print."""
    started = time.monotonic()
    say = stdout.write if stdout is not None else (lambda _msg: None)
    created = False
    if force or not demo_loaded():
        say("正在生成示范县演示数据……\n")
        with transaction.atomic():
            _build(say)
        created = True
    info = DemoInfo(logins=_logins(), base_url=base_url, created=created, counts=_counts())
    info.seconds = time.monotonic() - started
    if created:
        c = info.counts
        say(f"演示数据已就绪：{c['departments']} 个部门、{c['center_windows']} 个中心窗口、{c['staff']} 名工作人员、"
            f"{c['items']} 个事项（用时 {info.seconds:.1f} 秒）。\n")
    else:
        say("演示数据已存在，跳过生成。\n")
    return info


# ---------------------------------------------------------------- the build


def _build(say) -> None:
    roles = _roles()
    regions = _regions()
    halls = _halls(regions)
    depts = _departments(regions)
    windows_plan = center_windows()
    item_specs = _items(depts, windows_plan, say)
    build_bundles(depts, say)
    windows = _windows(halls, depts, windows_plan)
    _window_items(windows, item_specs, windows_plan)
    _staff(roles, regions, halls, depts, windows)
    _tokens()
    if not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, object_type=MARKER_TYPE,
                                     object_id=DEMO_VERSION).exists():
        audit_record(actor=None, action=AuditEvent.Action.IMPORT, object_type=MARKER_TYPE, object_id=DEMO_VERSION,
                     summary=f"加载示范县演示数据（版本 {DEMO_VERSION}）")


def _roles() -> dict[str, Role]:
    for code, name in Role.DEFAULTS:
        Role.objects.get_or_create(code=code, defaults={"name": name})
    return {r.code: r for r in Role.objects.all()}


def _sync(model: type[models.Model], key: str, rows: list[dict]) -> dict:
    """Create missing rows and update changed fields; return every row by its key."""
    existing = model.objects.in_bulk([r[key] for r in rows], field_name=key)
    new, dirty, dirty_fields = [], [], set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            new.append(model(**row))
            continue
        changed = False
        for name, value in row.items():
            f = model._meta.get_field(name)
            current = getattr(obj, f.attname)
            wanted = value.pk if f.is_relation and value is not None else value
            if current != wanted:
                setattr(obj, name, value)
                dirty_fields.add(name)
                changed = True
        if changed:
            dirty.append(obj)
    if new:
        model.objects.bulk_create(new)
    if dirty:
        model.objects.bulk_update(dirty, sorted(dirty_fields))
    return model.objects.in_bulk([r[key] for r in rows], field_name=key)


def _sync_m2m(through: type[models.Model], left: str, right: str, left_ids: Iterable[int],
              pairs: set[tuple[int, int]]) -> None:
    """Make the M2M rows of ``left_ids`` exactly ``pairs``."""
    left_ids = list(left_ids)
    have = set(through.objects.filter(**{f"{left}__in": left_ids}).values_list(left, right))
    extra = have - pairs
    if extra:
        for lid, rid in extra:
            through.objects.filter(**{left: lid, right: rid}).delete()
    through.objects.bulk_create([through(**{left: lid, right: rid}) for lid, rid in sorted(pairs - have)])


def _regions() -> dict[str, Region]:
    city = _sync(Region, "code", [dict(code=geo.CITY[0], name=geo.CITY[1], level=Region.Level.CITY, parent=None)])
    city_obj = city[geo.CITY[0]]
    county = _sync(Region, "code", [dict(code=geo.COUNTY[0], name=geo.COUNTY[1], level=Region.Level.COUNTY,
                                         parent=city_obj)])
    county_obj = county[geo.COUNTY[0]]
    towns = _sync(Region, "code", [dict(code=t.code, name=t.name, level=Region.Level.TOWN, parent=county_obj)
                                   for t in geo.TOWNS])
    villages = _sync(Region, "code", [dict(code=code, name=name, level=Region.Level.VILLAGE, parent=towns[t.code])
                                      for t in geo.TOWNS for code, name in t.villages])
    return {**city, **county, **towns, **villages}


def _halls(regions: dict[str, Region]) -> dict[str, Hall]:
    rows = [dict(code=geo.CENTER_CODE, name=geo.CENTER_NAME, kind=Hall.Kind.CENTER, region=regions[geo.COUNTY[0]],
                 address=geo.CENTER_ADDRESS, opening_hours=geo.HOURS, area_m2=geo.CENTER_AREA_M2)]
    for town in geo.TOWNS:
        rows.append(dict(code=town.hall_code, name=town.hall_name, kind=Hall.Kind.TOWN_CENTER,
                         region=regions[town.code], address=f"示范县{town.name}人民政府院内", opening_hours=geo.HOURS,
                         area_m2=600))
        for i, (code, name) in enumerate(town.villages):
            committee = "社区居民委员会" if name.endswith("社区") else "村民委员会"
            rows.append(dict(code=geo.village_hall_code(town, i), name=geo.village_hall_name(name),
                             kind=Hall.Kind.VILLAGE_STATION, region=regions[code],
                             address=f"示范县{town.name}{name}{committee}", opening_hours=geo.HOURS, area_m2=120))
    return _sync(Hall, "code", rows)


def _department_code(index: int) -> str:
    return demo_uscc(UNITS[index].category, index + 1)


def _departments(regions: dict[str, Region]) -> dict[str, Department]:
    county = regions[geo.COUNTY[0]]
    rows = [dict(code=_department_code(i), name=u.name, short_name=u.short, region=county,
                 approval_section=u.section, section_in_hall=True, authorised=True, is_active=True)
            for i, u in enumerate(UNITS)]
    by_code = _sync(Department, "code", rows)
    return {u.key: by_code[_department_code(i)] for i, u in enumerate(UNITS)}


def _items(depts: dict[str, Department], windows_plan, say) -> dict[str, dict]:
    """Upsert every item; return the expanded specs by 实施编码 (for assigning windows)."""
    spans: dict[str, list] = {}
    for w in windows_plan:
        if w.unit_key:
            spans.setdefault(w.unit_key, []).append(w)
    specs: dict[str, dict] = {}
    changed = 0
    for i, unit in enumerate(UNITS):
        ws = spans[unit.key]
        place = center_place(ws[0].floor, ws[0].number, ws[-1].number)
        for kw in expand_unit(unit, i + 1, _department_code(i), place):
            _item, did_change = item_upsert(department=depts[unit.key], note="示范县演示数据", **kw)
            changed += did_change
            specs[kw["impl_code"]] = dict(unit_key=unit.key, **kw["fields"], has_fees=bool(kw["fees"]))
    if changed:
        say(f"  已写入 {changed} 个事项版本。\n")
    return specs


def _windows(halls: dict[str, Hall], depts: dict[str, Department], windows_plan) -> dict[tuple[str, str], Window]:
    wanted: list[tuple[Hall, dict]] = []
    center = halls[geo.CENTER_CODE]
    for w in windows_plan:
        wanted.append((center, dict(number=w.number, name=w.name, floor=w.floor,
                                    department=depts[w.unit_key] if w.unit_key else None)))
    for town in geo.TOWNS:
        for number, name in geo.TOWN_WINDOWS:
            wanted.append((halls[town.hall_code], dict(number=number, name=name, floor="一楼", department=None)))
        for i in range(len(town.villages)):
            number, name = geo.VILLAGE_WINDOW
            wanted.append((halls[geo.village_hall_code(town, i)],
                           dict(number=number, name=name, floor="", department=None)))
    hall_ids = {h.pk for h, _ in wanted}
    existing = {(w.hall_id, w.number): w for w in Window.objects.filter(hall_id__in=hall_ids)}
    new, dirty = [], []
    for hall, row in wanted:
        obj = existing.get((hall.pk, row["number"]))
        if obj is None:
            new.append(Window(hall=hall, is_open=True, **row))
        elif (obj.name, obj.floor, obj.department_id) != (row["name"], row["floor"],
                                                          row["department"].pk if row["department"] else None):
            obj.name, obj.floor, obj.department = row["name"], row["floor"], row["department"]
            dirty.append(obj)
    Window.objects.bulk_create(new)
    if dirty:
        Window.objects.bulk_update(dirty, ["name", "floor", "department"])
    code_of = {h.pk: h.code for h, _ in wanted}
    return {(code_of[w.hall_id], w.number): w for w in Window.objects.filter(hall_id__in=hall_ids)}


_TOWN_BUILDING_THEMES = {"住房", "工程建设", "农林牧渔"}


def _window_items(windows: dict[tuple[str, str], Window], specs: dict[str, dict], windows_plan) -> None:
    ids = dict(Item.objects.filter(impl_code__in=list(specs)).values_list("impl_code", "id"))
    by_unit: dict[str, list[int]] = {}
    for code, s in specs.items():
        by_unit.setdefault(s["unit_key"], []).append(ids[code])
    person = [ids[c] for c, s in specs.items() if s["service_object"] == "person"]
    with_fees = [ids[c] for c, s in specs.items() if s["has_fees"]]
    town_all = [c for c, s in specs.items() if "town" in s["handling_tiers"]]
    town_social = [ids[c] for c in town_all if specs[c]["service_object"] == "person"]
    town_building = [ids[c] for c in town_all if specs[c]["theme"] in _TOWN_BUILDING_THEMES]
    village = [ids[c] for c, s in specs.items() if s["village_intake"]]

    pairs: set[tuple[int, int]] = set()

    def serve(window: Window, item_ids: Iterable[int]) -> None:
        pairs.update((window.pk, i) for i in item_ids)

    for w in windows_plan:
        window = windows[(geo.CENTER_CODE, w.number)]
        if w.unit_key:
            serve(window, by_unit[w.unit_key])
        elif w.name == "综合受理窗口":
            serve(window, person)
        elif w.name == "集中收费窗口":
            serve(window, with_fees)
    for town in geo.TOWNS:
        comprehensive, social, building = (windows[(town.hall_code, n)] for n, _ in geo.TOWN_WINDOWS)
        serve(comprehensive, (ids[c] for c in town_all))
        serve(social, town_social)
        serve(building, town_building)
        for i in range(len(town.villages)):
            serve(windows[(geo.village_hall_code(town, i), geo.VILLAGE_WINDOW[0])], village)
    _sync_m2m(Window.items.through, "window_id", "item_id", [w.pk for w in windows.values()], pairs)


def _staff(roles, regions, halls, depts, windows) -> None:
    plans = staff_plan()
    demo = {a.username for a in DEMO_ACCOUNTS}
    password = make_password(DEMO_PASSWORD)
    User = get_user_model()
    user_rows = [dict(username=p.username, real_name=p.name, is_staff=p.username == "zxgly",
                      is_superuser=False, is_active=True) for p in plans]
    user_rows.append(dict(username=CITIZEN.username, real_name=CITIZEN_NAME, is_staff=False, is_superuser=False,
                          is_active=True))
    user_rows.append(dict(username=SUPERUSER, real_name=SUPERUSER_NAME, is_staff=True, is_superuser=True,
                          is_active=True))
    demo = demo | {SUPERUSER}
    existing = set(User.objects.filter(username__in=[r["username"] for r in user_rows])
                   .values_list("username", flat=True))
    # Passwords are set once, at creation: a re-run never resets a password someone changed.
    User.objects.bulk_create([
        User(**r, password=password if r["username"] in demo else f"!demo-{r['username']}")
        for r in user_rows if r["username"] not in existing
    ])
    users = _sync(User, "username", user_rows)

    staff_rows = [dict(employee_no=p.employee_no, user=users[p.username], name=p.name,
                       department=depts[p.unit_key] if p.unit_key else None,
                       hall=halls[p.hall] if p.hall else None, region=regions[p.region], title=p.title,
                       is_active=True) for p in plans]
    staff = _sync(Staff, "employee_no", staff_rows)
    staff_ids = [s.pk for s in staff.values()]
    _sync_m2m(Staff.roles.through, "staff_id", "role_id", staff_ids,
              {(staff[p.employee_no].pk, roles[r].pk) for p in plans for r in p.roles})
    _sync_m2m(Staff.windows.through, "staff_id", "window_id", staff_ids,
              {(staff[p.employee_no].pk, windows[w].pk) for p in plans for w in p.windows})
    # Bulk writes send no signals: give the 中心管理员 their admin access as the signals would.
    from zhengwu.org.admin_access import sync_admin_access

    for s in Staff.objects.filter(pk__in=staff_ids, roles__code=Role.HALL_ADMIN).select_related("user"):
        sync_admin_access(s)


def _tokens() -> None:
    User = get_user_model()
    users = User.objects.in_bulk([a.username for a in DEMO_ACCOUNTS], field_name="username")
    have = set(ApiToken.objects.filter(key_hash__in=[hash_token(a.token) for a in DEMO_ACCOUNTS])
               .values_list("key_hash", flat=True))
    for account in DEMO_ACCOUNTS:
        if hash_token(account.token) not in have:
            ApiToken.issue(user=users[account.username], name=TOKEN_NAME, raw=account.token)


# ---------------------------------------------------------------- what to print


def _where(staff: Staff | None) -> str:
    if staff is None:
        return "普通用户（非工作人员）"
    window = staff.windows.order_by("number").first()
    if staff.has_role(Role.WINDOW_OFFICER) and window is not None:
        return f"{staff.hall.name} {window.number}号窗口（{window.name}）"
    if staff.department is not None:
        place = staff.department.name
    elif staff.hall is not None:
        place = staff.hall.name
    else:
        place = staff.region.name
    note = "，可登录管理后台（限本中心的窗口、人员、事项与规则）" if staff.user.is_staff else ""
    return f"{place} · {staff.title}{note}"


def _logins() -> list[DemoLogin]:
    User = get_user_model()
    users = User.objects.in_bulk([a.username for a in DEMO_ACCOUNTS], field_name="username")
    staff = {s.user_id: s for s in Staff.objects.filter(user__in=users.values())
             .select_related("user", "hall", "department", "region").prefetch_related("roles")}
    out = []
    for a in DEMO_ACCOUNTS:
        user = users.get(a.username)
        where = _where(staff.get(user.pk)) if user is not None else "（账号不存在）"
        out.append(DemoLogin(role=a.label, username=a.username, password=DEMO_PASSWORD, token=a.token, where=where))
    return out


def _counts() -> dict[str, int]:
    return {
        "regions": Region.objects.filter(code__startswith=geo.COUNTY[0][:6]).count(),
        "towns": Region.objects.filter(code__startswith=geo.COUNTY[0][:6], level=Region.Level.TOWN).count(),
        "villages": Region.objects.filter(code__startswith=geo.COUNTY[0][:6], level=Region.Level.VILLAGE).count(),
        "halls": Hall.objects.filter(region__code__startswith=geo.COUNTY[0][:6]).count(),
        "departments": Department.objects.filter(code__in=[_department_code(i) for i in range(len(UNITS))]).count(),
        "center_windows": Window.objects.filter(hall__code=geo.CENTER_CODE).count(),
        "windows": Window.objects.filter(hall__region__code__startswith=geo.COUNTY[0][:6]).count(),
        "staff": Staff.objects.filter(employee_no__startswith="SF").count(),
        "items": Item.objects.filter(department__code__in=[_department_code(i) for i in range(len(UNITS))]).count(),
    }
