"""Public pages: home, catalog search, the printable guide (办事指南) and the catalog KPIs.

Thin views: reads go through ``zhengwu.catalog.selectors`` and ``zhengwu.catalog.kpi``.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from zhengwu.cases.plan import ONLINE_APPLY_MIN_DEPTH
from zhengwu.catalog.kpi import KPI_FIELDS, catalog_kpi_by_department, catalog_kpi_overall
from zhengwu.catalog.models import TIERS, Item, ItemKind, ItemVersion, ServiceObject, SpecialProcedure
from zhengwu.catalog.selectors import item_get_public, item_search
from zhengwu.core.errors import NotFound
from zhengwu.core.pagecache import public_page
from zhengwu.intermediary.services.catalog import services_for_item
from zhengwu.org.models import Department, Hall, Role

PAGE_SIZE = 20
# The search form's department and theme choices are kept this many seconds in the shared cache: a newly
# published theme or department may show in the filters up to a minute late (search results never lag).
FILTERS_TTL = 60
TIER_LABELS = dict(TIERS)
_LATIN_WITH_SPACES = re.compile(r"^[A-Za-z\s]+$")
_ID = re.compile(r"[1-9][0-9]{0,17}")


def _public_items():
    return Item.objects.filter(current__isnull=False, status=ItemVersion.Status.ACTIVE)


def _tier_q(tier: str) -> Q:
    """Items whose current version can be handled at ``tier``.

    ``handling_tiers`` is a JSON list of at most ``len(TIERS)`` codes. A JSON ``contains``
    lookup is not available on SQLite, so compare each position instead: this works on
    SQLite and PostgreSQL alike.
    """
    q = Q()
    for index in range(len(TIERS)):
        q |= Q(**{f"current__handling_tiers__{index}": tier})
    return q


def _themes() -> list[str]:
    # order_by(): the model's default ordering would put impl_code into the DISTINCT (one row per item).
    rows = _public_items().exclude(current__theme="").values_list("current__theme", flat=True).distinct().order_by()
    return sorted(set(rows))


def _search_filters() -> dict:
    """The departments that have public items and the themes, for the search form; built once a minute for
    every worker (a DISTINCT over the whole catalog on each search otherwise) when the shared cache is Redis.
    The database cache is itself queries (more than it would save), so without Redis they are read as they are."""

    def build() -> dict:
        departments = (
            Department.objects.filter(pk__in=_public_items().values("department_id"))
            .order_by("region__code", "code")
            .values("id", "name")
        )
        return {"departments": list(departments), "themes": _themes()}

    if isinstance(caches["default"], DatabaseCache):
        return build()
    return cache.get_or_set("zw:portal:search-filters", build, FILTERS_TTL)


def _themes_by_audience() -> dict[str, list[str]]:
    """Themes present in the catalog, split into 个人办事 (person) and 法人办事 (legal)."""
    person: set[str] = set()
    legal: set[str] = set()
    rows = (
        _public_items()
        .exclude(current__theme="")
        .values_list("current__theme", "current__service_object")
        .order_by()  # not the model's ordering: it would put impl_code into the DISTINCT
        .distinct()
    )
    for theme, audience in rows:
        if audience in (ServiceObject.PERSON, ServiceObject.BOTH):
            person.add(theme)
        if audience in (ServiceObject.LEGAL, ServiceObject.BOTH):
            legal.add(theme)
    return {"person": sorted(person), "legal": sorted(legal)}


def home(request):
    halls = list(
        Hall.objects.filter(is_active=True, kind__in=[Hall.Kind.CENTER, Hall.Kind.TOWN_CENTER])
        .select_related("region")
        .order_by("region__code", "code")
    )
    return render(
        request,
        "portal/home.html",
        {
            "centers": [h for h in halls if h.kind == Hall.Kind.CENTER],
            "town_centers": [h for h in halls if h.kind == Hall.Kind.TOWN_CENTER],
            "themes": _themes_by_audience(),
            "kpi": catalog_kpi_overall(),
        },
    )


def _clean_query(raw: str) -> str:
    """Trim the query; ``ying ye`` typed with spaces is searched as ``yingye``."""
    q = (raw or "").strip()[:100]
    if _LATIN_WITH_SPACES.match(q):
        q = re.sub(r"\s+", "", q)
    return q


@public_page("catalog")
def items(request):
    params = request.GET
    q = _clean_query(params.get("q", ""))
    department = params.get("department", "")
    department_id = int(department) if _ID.fullmatch(department) else None
    theme = params.get("theme", "").strip()
    tier = params.get("tier", "") if params.get("tier", "") in TIER_LABELS else ""
    kind = params.get("kind", "") if params.get("kind", "") in ItemKind.values else ""

    qs = item_search(q=q, department_id=department_id, theme=theme, kind=kind)
    if tier:
        qs = qs.filter(_tier_q(tier))
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    filters = _search_filters()
    filtered = bool(q or department_id or theme or tier or kind)
    return render(
        request,
        "portal/items.html",
        {
            "q": q,
            "page_obj": page,
            "filtered": filtered,
            "departments": filters["departments"],
            "themes": filters["themes"],
            "tiers": TIERS,
            "kinds": ItemKind.choices,
            "selected": {"department": department_id, "theme": theme, "tier": tier, "kind": kind},
        },
    )


def _role_names(codes: set[str]) -> dict[str, str]:
    names = dict(Role.DEFAULTS)
    if codes:
        names.update(Role.objects.filter(code__in=codes).values_list("code", "name"))
    return names


@public_page("catalog")
def item_guide(request, impl_code: str):
    try:
        item = item_get_public(impl_code=impl_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    version = item.current
    steps = list(version.steps.all())
    role_names = _role_names({s.role for s in steps})
    procedures = dict(SpecialProcedure.choices)
    windows = [w for w in item.windows.all() if w.is_open and w.hall.is_active]
    return render(
        request,
        "portal/item_guide.html",
        {
            "item": item,
            "v": version,
            "steps": [(step, role_names.get(step.role, step.role)) for step in steps],
            "steps_days": sum(step.days for step in steps),
            "materials": list(version.materials.all()),
            "fees": list(version.fees.all()),
            "windows": windows,
            "tiers": [TIER_LABELS.get(t, t) for t in version.handling_tiers or []],
            "special_procedures": [procedures.get(p, p) for p in version.special_procedures or []],
            "is_active": version.status == ItemVersion.Status.ACTIVE,
            "can_apply_online": version.online_depth >= ONLINE_APPLY_MIN_DEPTH,
            "appointment_hall": windows[0].hall if windows else None,
            "intermediary_links": services_for_item(item),
        },
    )


def kpi(request):
    overall = catalog_kpi_overall()
    rows = catalog_kpi_by_department()

    def percents(k):
        return [None if r is None else round(r * 100, 1) for r in k.ratios().values()]

    chart = {
        "kpis": [label for _attr, label in KPI_FIELDS],
        "overall": percents(overall),
        "departments": [{"name": r.department_name, "values": percents(r)} for r in rows],
    }
    return render(
        request,
        "portal/kpi.html",
        {
            "overall": overall,
            "overall_cards": [(label, getattr(overall, attr)) for attr, label in KPI_FIELDS],
            "rows": rows,
            "kpi_fields": KPI_FIELDS,
            "chart": chart,
        },
    )


# -- 我的办事 / 我的工作: one page that leads each signed-in person to what their roles allow ----
# Policy as data: (label, url name, url args from the staff row, description, the roles that see it
# or "disclosure_member" for members of a 公开主体, whatever their role).
STAFF_ENTRIES = [
    ("办件工作台", "cases:workbench", None, "受理、审核、办结本部门的办件",
     {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN}),
    ("窗口叫号", "hall:my_windows", None, "选择窗口，叫号、暂停、离岗登记",
     {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.HALL_ADMIN}),
    ("代办服务", "cases:agent_cases", None, "为村（居）民代为申请、跟踪、领取",
     {Role.VILLAGE_AGENT}),
    ("我的评价", "ratings:staff_ratings", None, "群众对我的好差评，差评申诉", {Role.WINDOW_OFFICER, Role.CHIEF_REP}),
    ("差评整改", "ratings:rectifications", None, "差评回访、整改与反馈", {Role.CHIEF_REP, Role.DEPT_HEAD}),
    ("申诉复核", "ratings:appeals", None, "复核窗口人员对差评的申诉", {Role.SUPERVISOR}),
    ("评价统计", "ratings:metrics", None, "好评率、差评整改率",
     {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN, Role.SUPERVISOR, Role.LEADER}),
    # Not a role but a duty: members of a 公开主体, whatever their role.
    ("政务公开工作台", "disclosure:workbench", None, "依申请公开答复、主动公开发布、年度报告", "disclosure_member"),
    ("大厅统计", "hall:stats", "hall_code", "取号、等候、办理时长、离岗情况",
     {Role.HALL_ADMIN, Role.DEPT_HEAD, Role.SUPERVISOR, Role.LEADER}),
    ("叫号大屏", "hall:board", "hall_code", "大厅综合显示屏（可投到电视）", {Role.HALL_ADMIN}),
    ("显示屏管理", "hall:screens", "hall_code", "大厅各显示屏的地址、显示的叫号分组和翻页间隔", {Role.HALL_ADMIN}),
    ("取号机", "hall:kiosk", "hall_code", "自助取号（可投到触摸屏）", {Role.HALL_ADMIN}),
    ("监察看板", "supervision:board", None, "红黄牌、超时默认、效能告诫", {Role.SUPERVISOR, Role.LEADER, Role.HALL_ADMIN}),
    ("月度考核", "supervision:assessment", None, "窗口与工作人员月度考核、红旗窗口",
     {Role.SUPERVISOR, Role.LEADER, Role.HALL_ADMIN}),
    ("统计大屏", "supervision:dashboard", None, "办件量、时限、满意率、排名", {Role.SUPERVISOR, Role.LEADER}),
    ("清单指标", "portal:kpi", None, "即办率、承诺时限压缩比、网上可办率", {Role.LEADER, Role.HALL_ADMIN}),
    ("12345坐席受理", "hotline:intake", None, "接听来电、检索知识库、派单、直接答复、转警",
     {Role.CALL_TAKER, Role.HOTLINE_ADMIN}),
    ("12345工单队列", "hotline:orders", None, "待派单、退单审核、延期审批、催办督办、回访",
     {Role.CALL_TAKER, Role.HOTLINE_ADMIN}),
    ("12345知识库", "hotline:knowledge", None, "查阅知识库（热线管理员维护：新增、修改、停用文章）",
     {Role.CALL_TAKER, Role.HOTLINE_ADMIN}),
    ("12345工单", "hotline:orders", None, "签收、退单、延期申请、办结反馈与审核",
     {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN, Role.VILLAGE_AGENT}),
    ("热线统计", "hotline:kpi", None, "三率、按时办结率、退单率、重办率、热点诉求",
     {Role.CALL_TAKER, Role.HOTLINE_ADMIN, Role.SUPERVISOR, Role.LEADER}),
    ("联办件（并联审批）", "joint:list", None, "一件事联办件：一窗受理、协办意见、联合踏勘、联合审批结果",
     {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN}),
    ("工程建设项目", "projects:list", None, "四个审批阶段、各阶段用时与卡点、全流程时限",
     {Role.WINDOW_OFFICER, Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN, Role.SUPERVISOR, Role.LEADER}),
    ("全程代办", "agency:list", None, "市级以上事项代办协议、上级办理环节、结果交接",
     {Role.VILLAGE_AGENT, Role.HALL_ADMIN, Role.SUPERVISOR, Role.LEADER}),
    ("转交中心代办", "agency:refer", None, "把需要全程代办的村（居）民转交县政务服务中心代办员", {Role.VILLAGE_AGENT}),
    ("公共资源交易", "trading:manage", None, "交易项目与招标（采购）轮次、开标、抽取评标专家",
     {Role.TRADING_ADMIN, Role.TRADING_SUPERVISOR}),
    ("交易监督", "trading:supervise", None, "串通投标预警、专家抽取记录、交易期限红黄牌", {Role.TRADING_SUPERVISOR}),
    ("公开承诺", "commitments:work", None, "起草、提交、签发本部门和窗口的服务承诺",
     {Role.CHIEF_REP, Role.DEPT_HEAD, Role.HALL_ADMIN}),
    ("违诺投诉", "commitments:breaches", None, "登记违反公开承诺的投诉，限期核实", {Role.SUPERVISOR}),
    ("涉企活动申报", "declarations:work", None, "事先申报涉企检查、会议、培训、收费，登记执行情况",
     {Role.CHIEF_REP, Role.DEPT_HEAD}),
    ("涉企活动审批", "declarations:queue", None, "审批各部门的涉企活动申报（备案码）", {"business_env"}),
    ("涉企活动监督", "declarations:supervise", None, "核查未备案涉企活动举报、按部门统计", {Role.SUPERVISOR, Role.LEADER}),
    ("重点科室评议", "appraisal:workbench", None, "评议活动、评议人、结果公布、整改验收", {Role.SUPERVISOR}),
    ("评议整改", "appraisal:department", None, "本部门科室的评议得分、意见和整改报告", {Role.DEPT_HEAD}),
]
CITIZEN_ENTRIES = [
    ("我的办件", "cases:my_cases", "查看进度、补正材料、撤回申请；认领在窗口或代办员处申请的办件"),
    ("在线申请", "portal:items", "查找事项，在线提交申请"),
    ("待评价办件", "ratings:my_ratings", "对办结的办件作出评价"),
    ("我的政府信息公开申请", "disclosure:my_requests", "依申请公开的答复与进度"),
    ("办件进度查询", "cases:progress", "凭办件编号和手机号查询"),
    ("12345工单进度查询", "hotline:progress", "凭工单编号和来电号码查询"),
    ("我的全程代办", "agency:mine", "代办协议、上级办理进度与结果交接"),
    ("交易公告", "trading:list", "招标（采购）公告、开标记录、中标候选人公示与结果"),
]


def _trading_entries(user) -> list[tuple[str, str, str]]:
    """A market party's members and the pool's experts get their trading pages."""
    out = []
    if user.trading_parties.filter(Q(is_agency=True) | Q(is_buyer=True)).exists():
        out.append(("我的交易项目", reverse("trading:manage"), "发布公告、澄清修改、答复异议、开标、定标、合同与保证金退还"))
    if getattr(user, "trading_expert", None) is not None:
        out.append(("评标专家", reverse("trading:expert"), "我的评标任务：评分、否决、签署评标报告"))
    return out


def oversight(request):
    """社会监督: where the public holds the offices to account — published commitments, the section
    appraisal's results, checking a visit's 备案码 and reporting an undeclared one, ratings, 12345."""
    from zhengwu.appraisal.models import Campaign
    from zhengwu.commitments.models import Commitment

    latest = Campaign.objects.filter(status="published").order_by("-published_on", "-pk").first()
    return render(request, "portal/oversight.html", {
        "commitments": Commitment.objects.filter(current__isnull=False).count(),
        "campaign": latest,
    })


@login_required
def me(request):
    """我的工作 (staff) or 我的办事 (citizens): the entries this person's roles open."""
    staff = getattr(request.user, "staff", None)  # the reverse one-to-one raises an AttributeError
    if staff is None or not staff.is_active:
        entries = [(label, reverse(name), desc) for label, name, desc in CITIZEN_ENTRIES]
        entries += _trading_entries(request.user)
        return render(request, "portal/me.html", {"entries": entries, "staff": None})
    codes = staff.role_codes()
    hall_code = staff.hall.code if staff.hall_id else None
    entries = []
    for label, name, arg, desc, roles in STAFF_ENTRIES:
        if roles == "disclosure_member":
            from zhengwu.disclosure.selectors import bodies_for_staff

            if not bodies_for_staff(staff).exists():
                continue
        elif not (codes & roles):
            continue
        if arg == "hall_code":
            if hall_code is None:
                continue
            entries.append((label, reverse(name, args=[hall_code]), desc))
        else:
            entries.append((label, reverse(name), desc))
    role_names = dict(Role.DEFAULTS)
    return render(request, "portal/me.html", {
        "entries": entries, "staff": staff, "is_admin": request.user.is_staff,
        "roles": [role_names.get(c, c) for c in sorted(codes)],
    })
