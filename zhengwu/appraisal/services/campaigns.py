"""A campaign's writes: create it, add its sections, questions and raters (by hand or from the applicants of
a department's finished cases), send the one-time links, close it (results computed, phones masked) and
publish it (the bottom sections' rectifications opened, each with a supervised clock).

Each is one transaction that locks the campaign row (``select_for_update``), checks the action in
``transitions.CAMPAIGN`` and writes an audit row; messages go out on commit (``zhengwu.core.notify``).
A refusal is a ``DomainError`` raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.models import Status as CaseStatus
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, FieldChecks, NotFound, PermissionDenied
from zhengwu.core.notify import Message, notify_many
from zhengwu.core.services import audit_record
from zhengwu.core.validators import mask_phone, validate_phone
from zhengwu.org.models import Department, Role, Staff
from zhengwu.supervision.clocks import Subject, clock_start
from zhengwu.workdays.engine import add_workdays

from .. import clocks
from ..models import (
    AnswerScore,
    Campaign,
    CampaignStatus,
    DutyType,
    Invitation,
    Question,
    QuestionKind,
    RaterKind,
    Rectification,
    Section,
    SectionResult,
)
from ..transitions import CAMPAIGN, CAMPAIGN_ACTIONS
from .common import hash_token, is_supervisor, require, text

FINISHED = [CaseStatus.COMPLETED, CaseStatus.DELIVERED]
CENT = Decimal("0.01")


def _locked(campaign_id: int) -> Campaign:
    c = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if c is None:
        raise NotFound("未找到该评议活动", code="appraisal_campaign_not_found")
    return c


def _check(c: Campaign, action: str, staff: Staff | None) -> None:
    require(CAMPAIGN[action], c.status, staff=staff, region=c.region, status_label=c.get_status_display())


def _int(value, *, field: str, lo: int, hi: int) -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid_input", f"{field}应为整数") from None
    if not lo <= v <= hi:
        raise DomainError("invalid_input", f"{field}应在{lo}–{hi}之间")
    return v


def campaign_create(*, staff: Staff, title: str, starts_on: dt.date, ends_on: dt.date, bottom_n: int = 3,
                    min_answers: int = 5, rectify_workdays: int = 20, basic_points: int = 60,
                    intro: str = "") -> Campaign:
    """A new campaign in 草稿, organised for the supervisor's own region."""
    if not (staff and staff.has_role(Role.SUPERVISOR)):
        raise PermissionDenied("只有效能监察员可以组织重点科室评议")
    checks = FieldChecks()  # every field checked, all refusals at once (the page shows each beside its field)
    with checks.field("title"):
        title = text(title, field="活动名称", max_length=100, required=True)
    with checks.field("intro"):
        intro = text(intro, field="评议说明", max_length=500)
    with checks.field("starts_on"):
        if not isinstance(starts_on, dt.date):
            raise DomainError("invalid_input", "请填写评议开始日期")
    with checks.field("ends_on"):
        if not isinstance(ends_on, dt.date):
            raise DomainError("invalid_input", "请填写评议截止日期")
        if isinstance(starts_on, dt.date) and ends_on < starts_on:
            raise DomainError("invalid_period", "评议截止日期不能早于开始日期")
    fields = {}
    for name, value, label, lo, hi in (("bottom_n", bottom_n, "公布末位科室数", 1, 50),
                                       ("min_answers", min_answers, "最少有效评议数", 1, 1000),
                                       ("rectify_workdays", rectify_workdays, "整改期限（工作日）", 1, 250),
                                       ("basic_points", basic_points, "“基本满意”折合分", 0, 100)):
        with checks.field(name):
            fields[name] = _int(value, field=label, lo=lo, hi=hi)
    checks.done()
    with transaction.atomic():
        c = Campaign.objects.create(title=title, region=staff.region, starts_on=starts_on, ends_on=ends_on,
                                    intro=intro, created_by=staff, created_at=clock.now(), **fields)
        audit_record(actor=staff.user, action="create", obj=c, summary=f"创建重点科室评议：{title}")
    return c


def section_add(*, campaign_id: int, staff: Staff, name: str, department_id: int, duty_type: str,
                sort: int | None = None) -> Section:
    name = text(name, field="科室名称", max_length=64, required=True)
    if duty_type not in DutyType.values:
        raise DomainError("invalid_input", "请选择科室职能类型（执法类、综合类、服务类）")
    dept = Department.objects.filter(pk=department_id, is_active=True).first() if department_id else None
    if dept is None:
        raise DomainError("invalid_input", "请选择科室所属部门")
    with transaction.atomic():
        c = _locked(campaign_id)
        _check(c, "edit", staff)
        if Section.objects.filter(campaign=c, department=dept, name=name).exists():
            raise DomainError("duplicate", f"{dept.name}{name}已在评议名单中", status=409)
        n = sort if sort is not None else Section.objects.filter(campaign=c).count() + 1
        s = Section.objects.create(campaign=c, name=name, department=dept, duty_type=duty_type, sort=n)
        audit_record(actor=staff.user, action="update", obj=c, summary=f"评议科室：{dept.name}{name}")
    return s


def question_add(*, campaign_id: int, staff: Staff, text_: str, kind: str = QuestionKind.SATISFACTION,
                 weight=Decimal("1")) -> Question:
    q_text = text(text_, field="评议内容", max_length=100, required=True)
    if kind not in QuestionKind.values:
        raise DomainError("invalid_input", "请选择评分方式（1–5分，或满意/基本满意/不满意）")
    try:
        w = Decimal(str(weight).strip()[:20]).quantize(CENT)
    except (ArithmeticError, ValueError):  # decimal.InvalidOperation is an ArithmeticError
        raise DomainError("invalid_input", "权重应为正数") from None
    if not w.is_finite() or not Decimal("0.01") <= w <= Decimal("100"):
        raise DomainError("invalid_input", "权重应在0.01–100之间")
    with transaction.atomic():
        c = _locked(campaign_id)
        _check(c, "edit", staff)
        q = Question.objects.create(campaign=c, text=q_text, kind=kind, weight=w,
                                    sort=Question.objects.filter(campaign=c).count() + 1)
        audit_record(actor=staff.user, action="update", obj=c, summary=f"评议内容：{q_text}")
    return q


# -- raters -------------------------------------------------------------------------------------------


def _link(raw: str) -> str:
    return getattr(settings, "ZHENGWU_SITE_URL", "").rstrip("/") + reverse("appraisal:rate", args=[raw])


def _send(c: Campaign, invites: list[Invitation]) -> int:
    """Give each unsent invitation a token, store its hash, and queue the message (after commit)."""
    today = clock.today()
    messages = []
    for inv in invites:
        raw = secrets.token_urlsafe(24)
        inv.token_hash, inv.sent_on = hash_token(raw), today
        messages.append(Message(
            to_phone=inv.phone, kind="appraisal_invite",
            text=(f"【{settings.ZHENGWU_SITE_NAME}】诚邀您参加“{c.title}”，对部门重点科室作出评价（匿名）："
                  f"{_link(raw)} （{c.ends_on:%Y年%-m月%-d日}前有效，仅可提交一次）"),
            data={"campaign": c.pk}))
    Invitation.objects.bulk_update(invites, ["token_hash", "sent_on"], batch_size=500)
    notify_many(messages)
    return len(invites)


def _rater(rater_kind: str, name: str, phone: str, org_name: str) -> dict:
    if rater_kind not in RaterKind.values:
        raise DomainError("invalid_input", "请选择评议人类别（企业代表、办事群众、人大代表、政协委员）")
    return dict(rater_kind=rater_kind, name=text(name, field="评议人姓名", max_length=64, required=True),
                org_name=text(org_name, field="单位/企业", max_length=100),
                phone=validate_phone(text(phone, field="手机号码", max_length=20, required=True)))


def invitation_add(*, campaign_id: int, staff: Staff, rater_kind: str, name: str, phone: str,
                   org_name: str = "") -> Invitation:
    """One rater; while the campaign is open the link is sent at once."""
    row = _rater(rater_kind, name, phone, org_name)
    try:
        with transaction.atomic():
            c = _locked(campaign_id)
            _check(c, "invite", staff)
            if Invitation.objects.filter(campaign=c, phone=row["phone"]).exists():
                raise DomainError("duplicate", "该手机号码已在评议人名单中", status=409)
            inv = Invitation.objects.create(campaign=c, created_on=clock.today(), **row)
            if c.status == CampaignStatus.OPEN:
                _send(c, [inv])
            audit_record(actor=staff.user, action="update", obj=c,
                         summary=f"增加评议人（{RaterKind(row['rater_kind']).label}）")
    except IntegrityError as exc:
        raise DomainError("duplicate", "该手机号码已在评议人名单中", status=409) from exc
    return inv


def invitations_from_cases(*, campaign_id: int, staff: Staff, department_id: int, start: dt.date, end: dt.date,
                           limit: int = 20) -> int:
    """Invite the applicants of the department's cases finished in [start, end] (办事群众; a legal person's
    case invites the enterprise): one per phone, newest first, at most ``limit``; phones already in the
    list are skipped. Returns the number added."""
    limit = _int(limit, field="人数", lo=1, hi=500)
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        raise DomainError("invalid_period", "请填写正确的办结日期范围")
    if not Department.objects.filter(pk=department_id).exists():
        raise DomainError("invalid_input", "请选择部门")
    with transaction.atomic():
        c = _locked(campaign_id)
        _check(c, "invite", staff)
        have = set(Invitation.objects.filter(campaign=c).values_list("phone", flat=True))
        rows = (Case.objects.filter(department_id=department_id, status__in=FINISHED, completed_on__gte=start,
                                    completed_on__lte=end)
                .order_by("-completed_on", "-id").values_list("applicant_kind", "applicant_name", "contact_phone"))
        new: list[Invitation] = []
        for kind, name, phone in rows.iterator():
            try:
                phone = validate_phone(phone)
            except DomainError:
                continue
            if phone in have:
                continue
            have.add(phone)
            new.append(Invitation(campaign=c, rater_kind=RaterKind.CITIZEN if kind == "person" else
                                  RaterKind.ENTERPRISE, name=name[:64], phone=phone, created_on=clock.today(),
                                  org_name=name[:100] if kind != "person" else ""))
            if len(new) >= limit:
                break
        made = Invitation.objects.bulk_create(new)
        if c.status == CampaignStatus.OPEN and made:
            _send(c, list(Invitation.objects.filter(campaign=c, token_hash__isnull=True)))
        audit_record(actor=staff.user, action="update", obj=c, summary=f"从办件申请人中增加评议人{len(made)}名")
    return len(made)


# -- lifecycle ----------------------------------------------------------------------------------------


def campaign_act(*, campaign_id: int, staff: Staff, action: str) -> Campaign:
    """open, send, close or publish (``transitions.CAMPAIGN_ACTIONS``)."""
    if action not in CAMPAIGN_ACTIONS:
        raise DomainError("unknown_action", f"未知的操作：{action[:32]}")
    with transaction.atomic():
        c = _locked(campaign_id)
        _check(c, action, staff)
        summary = {"open": _open, "send": _send_unsent, "close": _close, "publish": _publish}[action](c, staff)
        audit_record(actor=staff.user, action="update", obj=c, summary=summary)
    return c


def _open(c: Campaign, staff: Staff) -> str:
    if not c.sections.exists():
        raise DomainError("no_sections", "请先添加评议科室")
    if not c.questions.exists():
        raise DomainError("no_questions", "请先添加评议内容")
    if not c.invitations.exists():
        raise DomainError("no_raters", "请先添加评议人")
    if c.ends_on < clock.today():
        raise DomainError("period_over", "评议截止日期已过，请修改评议期间")
    c.status, c.opened_on = CampaignStatus.OPEN, clock.today()
    c.save(update_fields=["status", "opened_on"])
    n = _send(c, list(c.invitations.filter(token_hash__isnull=True)))
    return f"开始评议，向{n}名评议人发出邀请"


def _send_unsent(c: Campaign, staff: Staff) -> str:
    n = _send(c, list(c.invitations.filter(token_hash__isnull=True)))
    if not n:
        raise DomainError("nothing_to_send", "没有待发送的评议邀请")
    return f"向{n}名新增评议人发出邀请"


def _close(c: Campaign, staff: Staff) -> str:
    c.status, c.closed_on = CampaignStatus.CLOSED, clock.today()
    c.save(update_fields=["status", "closed_on"])
    results_compute(c)
    # The rater list has served its purpose: the phones stay only masked.
    invites = list(c.invitations.only("id", "phone"))
    for inv in invites:
        inv.phone = mask_phone(inv.phone)
    Invitation.objects.bulk_update(invites, ["phone"], batch_size=500)
    return "结束评议，计算评议结果"


def results_compute(c: Campaign) -> list[SectionResult]:
    """Each section's score: per answer, the weighted mean of its questions' points (out of 100); the
    section's score is the mean over its answers (不了解 not counted), to two decimals. Sections with fewer
    than ``min_answers`` answers are 样本不足: no score, no rank, never in the bottom. Rank: 1 + the number
    of sections scoring higher. Bottom: the ``bottom_n`` lowest (ties by more answers first, then order)."""
    questions = {q.pk: q for q in c.questions.all()}
    total_w = sum((q.weight for q in questions.values()), Decimal(0))
    per_answer: dict = defaultdict(lambda: [Decimal(0), None])
    per_q: dict = defaultdict(lambda: defaultdict(list))
    rows = AnswerScore.objects.filter(answer__section__campaign=c, answer__unknown=False).values_list(
        "answer_id", "answer__section_id", "question_id", "value")
    for answer_id, section_id, qid, value in rows.iterator():
        q = questions[qid]
        pts = q.points(value, c.basic_points)
        per_answer[answer_id][0] += q.weight * pts
        per_answer[answer_id][1] = section_id
        per_q[section_id][qid].append(pts)
    by_section: dict = defaultdict(list)
    for weighted, section_id in per_answer.values():
        by_section[section_id].append(weighted / total_w)
    unknown = defaultdict(int)
    for sid in c.sections.filter(answers__unknown=True).values_list("id", flat=True):
        unknown[sid] += 1
    results = []
    for s in c.sections.all():
        scores = by_section.get(s.pk, [])
        ok = len(scores) >= c.min_answers
        score = (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, ROUND_HALF_UP) if ok else None
        qs = {str(qid): str((sum(v, Decimal(0)) / len(v)).quantize(CENT, ROUND_HALF_UP))
              for qid, v in per_q.get(s.pk, {}).items()} if ok else {}
        results.append(SectionResult(section=s, answers=len(scores), unknown=unknown[s.pk], score=score,
                                     question_scores=qs))
    ranked = [r for r in results if r.score is not None]
    for r in ranked:
        r.rank = 1 + sum(1 for o in ranked if o.score > r.score)
    bottom = sorted(ranked, key=lambda r: (r.score, -r.answers, r.section.sort, r.section.pk))[:c.bottom_n]
    for r in bottom:
        r.is_bottom = True
    SectionResult.objects.filter(section__campaign=c).delete()
    return SectionResult.objects.bulk_create(results)


def _publish(c: Campaign, staff: Staff) -> str:
    today = clock.today()
    c.status, c.published_on = CampaignStatus.PUBLISHED, today
    c.save(update_fields=["status", "published_on"])
    due = add_workdays(today, c.rectify_workdays, region=c.region)
    bottom = list(SectionResult.objects.filter(section__campaign=c, is_bottom=True)
                  .select_related("section__department"))
    messages = []
    for r in bottom:
        s = r.section
        rect = Rectification.objects.create(section=s, campaign=c, department=s.department, opened_on=today,
                                            due_date=due)
        clock_start(kind=clocks.RECTIFY.code, region=c.region, department=s.department, due_date=due,
                    subject=Subject(type=clocks.SUBJECT_TYPE, id=rect.pk, no=f"评议整改{rect.pk}",
                                    title=f"{s.department.name}{s.name}（{c.title}末位）",
                                    url=reverse("appraisal:index")))
        for phone in Staff.objects.filter(is_active=True, department=s.department, roles__code=Role.DEPT_HEAD
                                          ).exclude(phone="").values_list("phone", flat=True).distinct():
            messages.append(Message(to_phone=phone, kind="appraisal_rectify", data={"rectification": rect.pk},
                                    text=(f"【{settings.ZHENGWU_SITE_NAME}】{s.department.name}{s.name}在“{c.title}”"
                                          f"中排名末位，请于{due:%Y年%-m月%-d日}前完成整改并报送整改报告。")))
    notify_many(messages)
    return f"公布评议结果，末位科室{len(bottom)}个启动整改"


def campaign_can_run(staff: Staff | None, campaign: Campaign) -> bool:
    return is_supervisor(staff, campaign.region)
