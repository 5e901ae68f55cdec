"""The demo's life after its cases: hall queues set up, finished cases rated, supervision run.

Each part goes through the same services the pages use, so the demo shows what the platform
would hold after a few weeks of work: window groups at every hall (so the kiosk issues
numbers), 好差评 on most finished cases (a few 差评 with their rectifications open), and the
efficiency supervision sweep with three months of assessments and the dashboard statistics.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count

from zhengwu.cases.models import Case, Channel
from zhengwu.core import clock
from zhengwu.org.models import Hall

# Overall levels drawn for a rated case: mostly 非常满意, a few 差评 (≤ 2) to work on.
LEVELS = [(5, 0.72), (4, 0.18), (3, 0.06), (2, 0.03), (1, 0.01)]
RATED_SHARE = 0.65


def load_demo_hall_setup() -> int:
    """Window groups (A 综合受理, B 市场监管 …) at every hall that has windows; returns groups made."""
    from zhengwu.hall.models import WindowGroup
    from zhengwu.hall.services.setup import window_groups_autocreate

    made = 0
    for hall in Hall.objects.annotate(n=Count("windows")).filter(n__gt=0, is_active=True).order_by("code"):
        if not WindowGroup.objects.filter(hall=hall).exists():
            made += len(window_groups_autocreate(hall=hall))
    _demo_screens()
    return made


def _demo_screens() -> None:
    """The county center's screens (显示屏管理): the main board, one per half of the queues, the commitments TV."""
    from zhengwu.hall.models import HallScreen, ScreenKind, WindowGroup

    hall = Hall.objects.filter(kind="center", is_active=True).order_by("code").first()
    if hall is None or HallScreen.objects.filter(hall=hall).exists():
        return
    groups = list(WindowGroup.objects.filter(hall=hall, is_active=True).order_by("sort", "code"))
    half = max(1, len(groups) // 2)
    now = clock.now()
    for code, name, kind, members in [("MAIN", "一楼大厅综合叫号屏", ScreenKind.BOARD, []),
                                      ("1F-EAST", "一楼东区叫号屏", ScreenKind.BOARD, groups[:half]),
                                      ("2F", "二楼叫号屏", ScreenKind.BOARD, groups[half:]),
                                      ("PROMISE", "入口公开承诺屏", ScreenKind.COMMITMENTS, [])]:
        screen = HallScreen.objects.create(hall=hall, code=code, name=name, kind=kind, updated_at=now)
        screen.groups.set(members)


def _level(rng: random.Random) -> int:
    x, acc = rng.random(), 0.0
    for level, p in LEVELS:
        acc += p
        if x < acc:
            return level
    return 5


COMMENTS = {5: ["办事很快，态度很好", "一次就办好了，点赞", "窗口人员耐心细致", ""],
            4: ["整体满意", "等候时间稍长", ""],
            3: ["材料要求能不能提前说清楚", ""],
            2: ["等了很久，窗口人员解释不清楚"],
            1: ["跑了两趟还没办成，态度差"]}


def load_demo_ratings(*, seed: int = 2026) -> int:
    """Rate about two thirds of the finished cases, at the moment they were finished; returns how many."""
    from zhengwu.ratings import services as r
    from zhengwu.ratings.models import Channel as RatingChannel
    from zhengwu.ratings.models import Rating

    if Rating.objects.exists():
        return 0
    rng = random.Random(seed)
    made = 0
    cases = Case.objects.filter(status__in=r.FINISHED).select_related("hall__region").order_by("pk")
    for case in cases:
        if rng.random() >= RATED_SHARE:
            continue
        level = _level(rng)
        kind = r.rating_kind_for_case(case)
        if case.channel == Channel.ONLINE:
            channel, user = (RatingChannel.WEB, case.applicant_user) if case.applicant_user_id else (
                RatingChannel.QR, None)
        else:
            channel, user = RatingChannel.PAD, None
        when = (case.completed_at or clock.now()) + dt.timedelta(minutes=rng.randint(2, 90))
        with clock.frozen(min(when, clock.now())):
            r.rating_record(kind=kind, channel=channel, overall=level, case=case, user=user,
                            comment=rng.choice(COMMENTS[level]))
        made += 1
    return made


def _demo_deemed_rule() -> None:
    """超时默认 for the department of the longest-overdue running case, so the demo shows its notices."""
    from zhengwu.supervision.models import Clock, DeemedRule

    if DeemedRule.objects.exists():
        return
    dept = (Clock.objects.filter(kind_id="case", state="running", department__isnull=False)
            .order_by("due_date", "id").values_list("department_id", flat=True).first())
    if dept:
        DeemedRule.objects.create(department_id=dept, basis="超时默认制（演示：该部门全部事项）")


def load_demo_activity(*, stdout=None) -> dict[str, int]:
    say = stdout.write if stdout is not None else (lambda _m: None)
    out = {"window_groups": load_demo_hall_setup()}
    out["ratings"] = load_demo_ratings()
    # After the ratings above, so the citizen's finished case is still there to rate once claimed.
    from .cases import load_demo_claimable_cases
    from .queues import load_demo_queues

    out["claimable_cases"] = len(load_demo_claimable_cases())
    out["tickets"] = load_demo_queues()
    from zhengwu.open311.demo import load_demo_open311

    load_demo_open311()  # the Open311 client system whose api_key is zw_demo_open311
    from zhengwu.hotline.demo import load_demo_hotline
    from zhengwu.supervision.services import supervise, supervise_demo

    load_demo_hotline(stdout=stdout)  # before the sweep: its clocks get their cards
    say("正在运行效能监察（红黄牌、超时默认、月度考核、统计）……\n")
    _demo_deemed_rule()
    if out["ratings"]:  # the first start: three months of assessments and the statistics
        supervise_demo()
    else:  # a later start: today's sweep, as the scheduler would run it
        supervise()
    say(f"已设置排队分组 {out['window_groups']} 个，生成评价 {out['ratings']} 条、排队号 {out['tickets']} 个。\n")
    return out
