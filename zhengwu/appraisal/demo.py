"""Demo data for appraisal: ``build_appraisal(stdout=None) -> dict`` after ``load_demo``; idempotent.

- Last year's campaign, published about three weeks ago: eight sections of county departments, thirty
  raters, the ranking, the bottom three in rectification — one accepted (its follow-up public), one filed
  (waiting for 效能监察员 xnjc), one running (the department of the demo head bmfzr, who can file it).
- This year's campaign, open: twelve raters, five of whom have answered. Its unused links are
  ``/appraisal/r/demo-appraisal-open-NNNN/`` (NNNN from 0005 to 0011): demo tokens, deterministic on purpose.

Built through the services with the clock set back to each step's day, so dates, clocks and audit rows are
what they would have been. Prints nothing; the accounts are the demo county's (xnjc, bmfzr).
"""

from __future__ import annotations

import datetime as dt

from zhengwu.core import clock
from zhengwu.core.notify import ConsoleNotifier
from zhengwu.org.models import Department, Region, Staff

from .models import Campaign, DutyType, Invitation, QuestionKind, RaterKind, Rectification
from .services import answers, campaigns, rectifications
from .services.common import hash_token

COUNTY_CODE = "130621000000"
SECTION_NAMES = ["行政审批服务科", "执法监督科", "综合服务科", "政策法规科", "登记管理科", "监督检查科",
                 "窗口服务科", "综合执法大队"]
DUTIES = [DutyType.SERVICE, DutyType.ENFORCEMENT, DutyType.COMPREHENSIVE]
QUESTIONS = [("服务态度", QuestionKind.SATISFACTION, 2), ("办事效率", QuestionKind.SATISFACTION, 2),
             ("依法行政、公正执法", QuestionKind.SATISFACTION, 2), ("廉洁自律", QuestionKind.SATISFACTION, 1),
             ("政务公开和首问负责落实情况", QuestionKind.SCORE5, 1)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
KINDS = [RaterKind.ENTERPRISE, RaterKind.ENTERPRISE, RaterKind.CITIZEN, RaterKind.DEPUTY, RaterKind.MEMBER]
COMMENTS = ["办事需要多次跑腿，希望一次告知到位", "窗口人员态度好，效率高", "检查过于频繁，希望合并",
            "电话经常无人接听", "材料要求前后不一致"]


def _raters(c: Campaign, n: int, prefix: str, phone_base: int) -> list[str]:
    """``n`` invitations with demo tokens (sent, as ``open`` would have)."""
    tokens = []
    for i in range(n):
        raw = f"{prefix}-{i:04d}"
        kind = KINDS[i % len(KINDS)]
        Invitation.objects.create(
            campaign=c, rater_kind=kind, name=f"{SURNAMES[i % len(SURNAMES)]}{'某' * (1 + i % 2)}",
            org_name=f"示范县{'宏达恒信华泰鑫源'[i % 8]}实业有限公司" if kind == RaterKind.ENTERPRISE else "",
            phone=f"139{phone_base + i:08d}", created_on=clock.today(), token_hash=hash_token(raw),
            sent_on=clock.today())
        tokens.append(raw)
    return tokens


def _setup(supervisor: Staff, depts: list[Department], title: str, start: dt.date, end: dt.date) -> Campaign:
    c = campaigns.campaign_create(staff=supervisor, title=title, starts_on=start, ends_on=end, min_answers=5,
                                  rectify_workdays=30, intro="请根据您近一年与下列科室打交道的实际感受作出评价。")
    for i, d in enumerate(depts):
        campaigns.section_add(campaign_id=c.pk, staff=supervisor, name=SECTION_NAMES[i % len(SECTION_NAMES)],
                              department_id=d.pk, duty_type=DUTIES[i % len(DUTIES)])
    for text, kind, weight in QUESTIONS:
        campaigns.question_add(campaign_id=c.pk, staff=supervisor, text_=text, kind=kind, weight=weight)
    return c


def _answer(c: Campaign, token: str, i: int, low: list[int]) -> None:
    """Rater ``i``: sections at ``low`` positions get 基本满意/不满意, the rest mostly 满意; one 不了解."""
    sections = list(c.sections.order_by("sort"))
    questions = list(c.questions.order_by("sort"))
    payload = []
    for pos, s in enumerate(sections):
        if (pos + i) % 7 == 6:
            payload.append({"section_id": s.pk, "unknown": True})
            continue
        if pos in low:
            v = 1 + (i + low.index(pos)) % 2 + (1 if (i % 5 == 0 and low.index(pos) == 2) else 0)
        else:
            v = 3 if (i + pos) % 4 else 2
        scores = {q.pk: (v if q.kind == QuestionKind.SATISFACTION else {3: 5, 2: 3, 1: 2}[v]) for q in questions}
        comment = COMMENTS[(i + pos) % len(COMMENTS)] if (i + pos) % 3 == 0 else ""
        payload.append({"section_id": s.pk, "scores": scores, "comment": comment})
    answers.answer_submit(token=token, sections=payload)


def build_appraisal(*, stdout=None) -> dict:
    county = Region.objects.filter(code=COUNTY_CODE).first()
    supervisor = Staff.objects.filter(user__username="xnjc", is_active=True).first()
    if county is None or supervisor is None:
        return {"logins": []}
    head = Staff.objects.filter(user__username="bmfzr", is_active=True).select_related("department").first()
    depts = list(Department.objects.filter(region=county, is_active=True).order_by("code")[:8])
    if head and head.department and head.department not in depts:
        depts = [head.department, *depts[:7]]
    if len(depts) < 4:
        return {"logins": []}
    today = clock.today()
    sent_before = len(ConsoleNotifier.sent)
    last_title = f"{today.year - 1}年度县直部门重点科室评议"
    if not Campaign.objects.filter(title=last_title).exists():
        _published(supervisor, depts, head, last_title, today)
    open_title = f"{today.year}年度县直部门重点科室评议（年中）"
    if not Campaign.objects.filter(title=open_title).exists():
        with clock.frozen(today - dt.timedelta(days=5)):
            c = _setup(supervisor, depts, open_title, today - dt.timedelta(days=5), today + dt.timedelta(days=25))
            tokens = _raters(c, 12, "demo-appraisal-open", 61000000)
            campaigns.campaign_act(campaign_id=c.pk, staff=supervisor, action="open")
        for i, t in enumerate(tokens[:5]):
            with clock.frozen(today - dt.timedelta(days=4 - i % 4)):
                _answer(c, t, i, low=[1, 4])
    del ConsoleNotifier.sent[sent_before:]  # nothing was sent for real; keep the demo's outbox as it was
    return {"logins": []}


def _published(supervisor: Staff, depts: list[Department], head: Staff | None, title: str, today: dt.date):
    start, end = today - dt.timedelta(days=70), today - dt.timedelta(days=35)
    with clock.frozen(start):
        c = _setup(supervisor, depts, title, start, end)
        tokens = _raters(c, 30, "demo-appraisal-last", 60000000)
        campaigns.campaign_act(campaign_id=c.pk, staff=supervisor, action="open")
    # the demo head's department (position 0) runs its rectification; positions 2 and 5 are the others
    low = [2, 5, 0]
    for i, t in enumerate(tokens[:26]):
        with clock.frozen(start + dt.timedelta(days=1 + i % 30)):
            _answer(c, t, i, low=low)
    with clock.frozen(end + dt.timedelta(days=1)):
        campaigns.campaign_act(campaign_id=c.pk, staff=supervisor, action="close")
    published = end + dt.timedelta(days=10)
    with clock.frozen(published):
        campaigns.campaign_act(campaign_id=c.pk, staff=supervisor, action="publish")
    rects = {r.section.sort - 1: r for r in Rectification.objects.filter(campaign=c).select_related("section")}
    heads = {d.pk: Staff.objects.filter(department=d, roles__code="dept_head", is_active=True).first()
             for d in depts}
    accepted, filed = rects.get(2), rects.get(5)
    if accepted and heads.get(accepted.department_id):
        with clock.frozen(published + dt.timedelta(days=12)):
            rectifications.rectification_act(
                rectification_id=accepted.pk, staff=heads[accepted.department_id], action="file",
                data={"report": "一、梳理办事材料，统一一次性告知单；二、设立帮办代办岗；三、每月回访办事企业。"
                                "整改后平均办理时间由5个工作日压缩到2个工作日。"})
        with clock.frozen(published + dt.timedelta(days=15)):
            rectifications.rectification_act(
                rectification_id=accepted.pk, staff=supervisor, action="accept",
                data={"public_note": "已统一一次性告知单并设立帮办代办岗，平均办理时间由5个工作日压缩到2个工作日；"
                                     "经回访企业，满意度明显提升。"})
    if filed and heads.get(filed.department_id):
        with clock.frozen(today - dt.timedelta(days=2)):
            rectifications.rectification_act(
                rectification_id=filed.pk, staff=heads[filed.department_id], action="file",
                data={"report": "已对检查计划统筹合并，推行“综合查一次”，对执法人员开展作风纪律教育。"})
    return c

