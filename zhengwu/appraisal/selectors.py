"""Reads of 重点科室评议 that depend on who asks.

- The supervisor (效能监察员 whose region covers the campaign's) reads everything but the link between a
  rater and an answer, which does not exist (see ``models``).
- A department head reads their department's sections of *published* campaigns: score, rank, answers,
  per-question scores and the comments (text only, in random order, and only when the section has enough
  answers), and their rectification. Never the invitations.
- The public reads published campaigns: the bottom sections with their scores and the follow-up.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q, Sum

from zhengwu.core.errors import NotFound, PermissionDenied
from zhengwu.org.models import Role, Staff
from zhengwu.org.scope import region_q

from .models import Answer, Campaign, CampaignStatus, Rectification, Section, SectionResult
from .services.common import is_supervisor


def campaign_list_for_supervisor(*, staff: Staff | None):
    if not (staff and staff.has_role(Role.SUPERVISOR)):
        raise PermissionDenied("只有效能监察员可以查看评议活动")
    return (Campaign.objects.filter(region_q(staff.region))
            .annotate(n_sections=Count("sections", distinct=True), n_invites=Count("invitations", distinct=True),
                      n_used=Count("invitations", filter=Q(invitations__used_on__isnull=False), distinct=True))
            .order_by("-starts_on", "-id"))


def campaign_get_for_supervisor(*, campaign_id: int, staff: Staff | None) -> Campaign:
    c = Campaign.objects.select_related("region").filter(pk=campaign_id).first()
    if c is None:
        raise NotFound("未找到该评议活动", code="appraisal_campaign_not_found")
    if not is_supervisor(staff, c.region):
        raise PermissionDenied("只有本级效能监察员可以查看该评议活动")
    return c


def invitation_counts(c: Campaign) -> dict:
    rows = c.invitations.aggregate(total=Count("id"), sent=Count("id", filter=Q(sent_on__isnull=False)),
                                   used=Count("id", filter=Q(used_on__isnull=False)))
    return rows


def results(c: Campaign) -> list[SectionResult]:
    """Every section's result, best first (样本不足 last)."""
    rows = list(SectionResult.objects.filter(section__campaign=c).select_related("section__department",
                                                                                 "section__rectification"))
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.section.sort, r.section.pk))


def comments(section: Section, result: SectionResult | None = None) -> list[str]:
    """The section's comments, text only, in the order of the answers' random ids; none while the section
    has too few answers (a handful could be recognised)."""
    result = result if result is not None else SectionResult.objects.filter(section=section).first()
    if result is None or result.score is None:
        return []
    return [c for c in Answer.objects.filter(section=section, unknown=False).exclude(comment="")
            .order_by("id").values_list("comment", flat=True)]


def department_view(*, staff: Staff | None) -> list[dict]:
    """The department head's sections in published campaigns, newest first."""
    if not (staff and staff.is_active and staff.has_role(Role.DEPT_HEAD) and staff.department_id):
        raise PermissionDenied("该页面供部门负责人查看本部门科室的评议结果")
    sections = list(Section.objects.filter(department_id=staff.department_id, campaign__status=CampaignStatus.PUBLISHED)
                    .select_related("campaign", "result", "department", "rectification")
                    .prefetch_related("campaign__questions").order_by("-campaign__published_on", "sort"))
    ranked = {r["section__campaign"]: r["n"] for r in SectionResult.objects
              .filter(section__campaign__in={s.campaign_id for s in sections}, score__isnull=False)
              .values("section__campaign").annotate(n=Count("id"))}
    out = []
    for s in sections:
        res = getattr(s, "result", None)
        out.append({"section": s, "campaign": s.campaign, "result": res, "ranked": ranked.get(s.campaign_id, 0),
                    "questions": question_rows(s.campaign, res), "comments": comments(s, res),
                    "rectification": getattr(s, "rectification", None)})
    return out


def question_rows(c: Campaign, res: SectionResult | None) -> list[tuple[str, str]]:
    qs = (res.question_scores if res else {}) or {}
    return [(q.text, qs.get(str(q.pk), "")) for q in c.questions.all()]


def rectification_for_department(*, rectification_id: int, staff: Staff | None) -> Rectification:
    r = Rectification.objects.select_related("campaign", "section").filter(pk=rectification_id).first()
    if r is None:
        raise NotFound("未找到该整改事项", code="appraisal_rectification_not_found")
    if not (is_supervisor(staff, r.campaign.region)
            or (staff and staff.has_role(Role.DEPT_HEAD) and staff.department_id == r.department_id)):
        raise PermissionDenied("只有责任部门负责人和效能监察员可以查看该整改事项")
    return r


def public_campaigns():
    return Campaign.objects.filter(status=CampaignStatus.PUBLISHED).order_by("-published_on", "-id")


def public_campaign(*, campaign_id: int) -> dict:
    c = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.PUBLISHED).first()
    if c is None:
        raise NotFound("未找到已公布的评议结果", code="appraisal_campaign_not_found")
    bottom = list(SectionResult.objects.filter(section__campaign=c, is_bottom=True)
                  .select_related("section__department", "section__rectification").order_by("score", "rank"))
    ranked = SectionResult.objects.filter(section__campaign=c, score__isnull=False).count()
    return {"campaign": c, "bottom": bottom, "sections": c.sections.count(), "ranked": ranked,
            "answers": SectionResult.objects.filter(section__campaign=c).aggregate(n=Sum("answers"))["n"] or 0}


def bottom_counts_by_department(*, start: dt.date, end: dt.date) -> dict[int, int]:
    """{department id: bottom sections} of the campaigns published in [start, end] (for the assessment)."""
    rows = SectionResult.objects.filter(is_bottom=True, section__campaign__status=CampaignStatus.PUBLISHED,
                                        section__campaign__published_on__range=(start, end)).values_list(
        "section__department_id", flat=True)
    return dict(Counter(rows))
