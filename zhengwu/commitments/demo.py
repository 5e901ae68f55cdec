"""Demo data for public commitments: ``build_commitments(stdout=None) -> dict`` after ``load_demo`` (and the
hotline and ratings demo, whose numbers the complaints cite). Idempotent: made once.

Through the services, so every row is what a user would have made: each department seated in the county
center gets its 部门承诺 (some in a second version, the first kept as history; one still a draft, one
waiting for its head, one returned), the center's windows their 窗口承诺, and the supervisor's complaints
in every state (待核实 with its running clock, 属实, 不属实).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from zhengwu.demo.geography import CENTER_CODE
from zhengwu.org.models import Department, Hall, Role, Staff

from . import services
from .models import BreachSource, ClauseKind, Commitment
from .services import ClauseIn

STANDARDS = ("严格按照事项清单和办事指南受理、审核、办结；办事指南载明的材料之外不要求申请人提供；"
             "能通过部门共享获取的材料不再要求申请人提交。\n"
             "实行首问负责、一次性告知、限时办结、责任追究制度，接受社会监督。")

CLAUSES = [
    ClauseIn(ClauseKind.FIRST_ASK, "首位接待的工作人员负责解答或引导到位，不推诿、不说“不知道”"),
    ClauseIn(ClauseKind.ONE_NOTICE, "材料不齐全的，一次性书面告知需要补正的全部内容"),
    ClauseIn(ClauseKind.TIME_LIMIT, "在承诺时限内办结，承诺时限见事项承诺时限表"),
    ClauseIn(ClauseKind.ONE_TRIP, "材料齐全、符合法定形式的，办事最多跑一次"),
    ClauseIn(ClauseKind.NO_REFUSAL, "不予受理、不予许可的，书面说明理由并告知复议、诉讼途径"),
    ClauseIn(ClauseKind.INTEGRITY, "不吃拿卡要，不收受服务对象的任何财物"),
]
EXTRA = ClauseIn(ClauseKind.EXTENDED, "工作日中午和周六上午提供预约服务，企业开办可预约上门服务")
WINDOW_CLAUSES = [
    ClauseIn(ClauseKind.CONDUCT, "亮牌上岗、文明用语，叫号后 1 分钟内开始办理"),
    ClauseIn(ClauseKind.ONE_NOTICE, "材料不齐全的，当场一次性书面告知"),
    ClauseIn(ClauseKind.FEES, "收费项目、标准和依据全部公开，不收取清单外费用"),
]


def _first(department: Department, role: str) -> Staff | None:
    return (Staff.objects.filter(department=department, is_active=True, roles__code=role)
            .select_related("region", "department", "hall").prefetch_related("roles")
            .order_by("employee_no").first())


def _publish(*, writer: Staff, head: Staff, department=None, window=None, clauses, note: str = "",
             hours: str = "工作日 上午8:30—12:00 下午13:30—17:30") -> None:
    v = services.commitment_open(actor=writer, department=department, window=window)
    services.version_update(actor=writer, version_id=v.pk, standards=STANDARDS, service_hours=hours,
                            supervision_phone="12345", change_note=note, clauses=clauses)
    services.version_act(actor=writer, version_id=v.pk, action="submit")
    services.version_act(actor=head, version_id=v.pk, action="sign")


def build_commitments(*, stdout=None) -> dict:
    say = stdout.write if stdout is not None else (lambda _msg: None)
    hall = Hall.objects.filter(code=CENTER_CODE).select_related("region").first()
    if hall is None or Commitment.objects.exists():
        return {"created": False, "logins": []}
    with transaction.atomic():
        depts = list(Department.objects.filter(windows__hall=hall).distinct().select_related("region").order_by("code"))
        done = []
        for n, dept in enumerate(depts):
            head, chief = _first(dept, Role.DEPT_HEAD), _first(dept, Role.CHIEF_REP)
            if head is None:
                continue
            writer = chief or head
            if n % 7 == 5:  # a first commitment still being written
                v = services.commitment_open(actor=writer, department=dept)
                services.version_update(actor=writer, version_id=v.pk, standards=STANDARDS, service_hours="",
                                        supervision_phone="12345", change_note="", clauses=CLAUSES[:3])
                continue
            _publish(writer=writer, head=head, department=dept, clauses=CLAUSES)
            if n % 3 == 0:  # revised: the first version stays as history
                _publish(writer=writer, head=head, department=dept, clauses=[*CLAUSES, EXTRA],
                         note="增加预约和上门服务承诺")
            if n % 7 == 1:  # a revision waiting for the head's signature
                v = services.commitment_open(actor=writer, department=dept)
                services.version_update(actor=writer, version_id=v.pk, standards=STANDARDS,
                                        service_hours="工作日 上午8:30—12:00 下午13:30—17:30 周六上午9:00—12:00",
                                        supervision_phone="12345", change_note="增加周六上午服务",
                                        clauses=[*CLAUSES, EXTRA])
                services.version_act(actor=writer, version_id=v.pk, action="submit")
            if n % 7 == 3:  # a revision the head sent back
                v = services.commitment_open(actor=writer, department=dept)
                services.version_update(actor=writer, version_id=v.pk, standards=STANDARDS, service_hours="",
                                        supervision_phone="", change_note="精简承诺", clauses=CLAUSES[:2])
                services.version_act(actor=writer, version_id=v.pk, action="submit")
                services.version_act(actor=head, version_id=v.pk, action="return",
                                     reason="承诺条款删减过多，限时办结和否定备案承诺不能取消")
            for window in dept.windows.filter(hall=hall).order_by("number")[:1]:
                _publish(writer=writer, head=head, window=window, clauses=WINDOW_CLAUSES)
            done.append(dept)
        breaches = _breaches(hall)
    say(f"已生成公开承诺演示数据：{len(done)} 个部门、{breaches} 件违诺投诉。\n")
    return {"created": True, "departments": len(done), "breaches": breaches, "logins": []}


def _breaches(hall: Hall) -> int:
    supervisor = (Staff.objects.filter(is_active=True, roles__code=Role.SUPERVISOR)
                  .filter(Q(hall=hall) | Q(region=hall.region)).select_related("region").prefetch_related("roles")
                  .order_by("employee_no").first())
    published = list(Commitment.objects.filter(current__isnull=False, scope="department").order_by("pk")[:3])
    if supervisor is None or len(published) < 3:
        return 0
    from zhengwu.hotline.models import Order
    from zhengwu.ratings.models import Rating

    order = Order.objects.order_by("pk").values_list("no", flat=True).first()
    rating = Rating.objects.filter(is_bad=True).order_by("pk").values_list("pk", flat=True).first()
    made = 0
    plan = [
        (published[0], ClauseKind.ONE_NOTICE, BreachSource.HOTLINE if order else BreachSource.LETTER, order or "LX-2026-031",
         "群众反映两次补交材料，窗口第一次没有一次性告知全部缺少的材料", True, "调取受理记录属实，首次告知只列了一项材料，已约谈窗口首席代表"),
        (published[1], ClauseKind.TIME_LIMIT, BreachSource.RATING if rating else BreachSource.OTHER,
         str(rating) if rating else "", "差评称事项超过承诺时限仍未办结", False,
         "该件因申请人补正材料中止计时，扣除补正时间后在承诺时限内办结"),
        (published[2], ClauseKind.FIRST_ASK, BreachSource.LETTER, "LX-2026-047",
         "来信反映咨询时工作人员让其到别的窗口询问，未引导到位", None, ""),
    ]
    for c, kind, source, no, summary, upheld, finding in plan:
        b = services.breach_file(actor=supervisor, commitment_id=c.pk, clause_kind=kind, source=source,
                                 source_no=no, summary=summary)
        if upheld is not None:
            services.breach_decide(actor=supervisor, breach_id=b.pk, upheld=upheld, finding=finding)
        made += 1
    return made
