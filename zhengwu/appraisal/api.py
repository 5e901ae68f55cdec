"""The appraisal API (``/api/appraisal``).

- Supervisor (效能监察员): campaigns, their sections, questions and raters, the actions
  ``POST /campaigns/{id}/actions/{action}`` (open, send, close, publish), the full ranking, and the
  rectification actions accept / return.
- Department head: ``GET /my/sections`` (their sections' results and comments in published campaigns, no
  rater) and ``POST /rectifications/{id}/actions/file``.
- The rater: ``POST /answers/form`` and ``POST /answers`` with the one-time token **in the body** (never
  in a URL, which servers log). No login.
- The public: ``GET /public/campaigns`` and ``GET /public/campaigns/{id}`` (the bottom sections and the
  follow-up).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import TextChoices
from ninja import Field, Path, Router, Schema
from ninja import Status as HttpStatus

from zhengwu.api import AUTH
from zhengwu.cases.api_docs import _errors
from zhengwu.core.errors import DomainError
from zhengwu.org.selectors import staff_for_user

from . import selectors
from .models import (
    CampaignStatus,
    DutyType,
    QuestionKind,
    RaterKind,
    RectificationStatus,
)
from .services import answers, campaigns, rectifications

router = Router(tags=["重点科室评议"])

ID = {"ge": 1, "le": 2**63 - 1}
_CAMPAIGN_ID = Path(..., description="评议活动 id", **ID)
_RECT_ID = Path(..., description="整改事项 id", **ID)


class AppraisalCampaignAction(TextChoices):
    OPEN = "open", "发出邀请、开始评议"
    SEND = "send", "向新增评议人发出邀请"
    CLOSE = "close", "结束评议、计算结果"
    PUBLISH = "publish", "公布结果、启动整改"


class AppraisalRectificationAction(TextChoices):
    FILE = "file", "报送整改报告"
    ACCEPT = "accept", "验收通过"
    RETURN = "return", "退回重新整改"


# -- schemas ------------------------------------------------------------------------------------------


class AppraisalCampaignIn(Schema):
    title: str = Field(max_length=100, description="活动名称，如“2026年度市直部门重点科室评议”")
    starts_on: dt.date
    ends_on: dt.date
    bottom_n: int = Field(3, ge=1, le=50, description="公布末位科室数")
    min_answers: int = Field(5, ge=1, le=1000, description="最少有效评议数（少于此数为样本不足）")
    rectify_workdays: int = Field(20, ge=1, le=250, description="整改期限（工作日）")
    basic_points: int = Field(60, ge=0, le=100, description="“基本满意”折合分")
    intro: str = Field("", max_length=500)


class AppraisalCampaignOut(Schema):
    id: int
    title: str
    status: CampaignStatus
    starts_on: dt.date
    ends_on: dt.date
    bottom_n: int
    min_answers: int
    rectify_workdays: int
    opened_on: dt.date | None
    closed_on: dt.date | None
    published_on: dt.date | None


class AppraisalSectionIn(Schema):
    name: str = Field(max_length=64)
    department_id: int = Field(**ID)
    duty_type: DutyType


class AppraisalSectionOut(Schema):
    id: int
    name: str
    department_id: int
    department: str
    duty_type: DutyType


class AppraisalQuestionIn(Schema):
    text: str = Field(max_length=100)
    kind: QuestionKind = QuestionKind.SATISFACTION
    weight: Decimal = Field(Decimal("1"), gt=0, le=100, max_digits=5, decimal_places=2)


class AppraisalQuestionOut(Schema):
    id: int
    text: str
    kind: QuestionKind
    weight: Decimal


class AppraisalInvitationIn(Schema):
    rater_kind: RaterKind
    name: str = Field(max_length=64)
    phone: str = Field(max_length=20)
    org_name: str = Field("", max_length=100)


class AppraisalFromCasesIn(Schema):
    department_id: int = Field(**ID)
    start: dt.date
    end: dt.date
    limit: int = Field(20, ge=1, le=500)


class AppraisalInvitationOut(Schema):
    id: int
    rater_kind: RaterKind
    name: str
    org_name: str
    phone: str
    sent: bool
    used: bool


class AppraisalCampaignDetail(AppraisalCampaignOut):
    sections: list[AppraisalSectionOut]
    questions: list[AppraisalQuestionOut]
    invitations_total: int
    invitations_sent: int
    invitations_used: int


class AppraisalResultOut(Schema):
    section_id: int
    department: str
    section: str
    answers: int
    unknown: int
    score: Decimal | None = Field(description="样本不足时为空")
    rank: int | None
    is_bottom: bool
    question_scores: dict[str, str]
    rectification_id: int | None
    rectification_status: RectificationStatus | None


class AppraisalMySectionOut(Schema):
    campaign_id: int
    campaign: str
    section_id: int
    section: str
    answers: int | None
    score: Decimal | None
    rank: int | None
    ranked: int
    is_bottom: bool
    question_scores: list[dict]
    comments: list[str] = Field(description="意见建议（只有文字，不含评议人；样本不足时不提供）")
    rectification_id: int | None
    rectification_status: RectificationStatus | None
    rectification_due: dt.date | None


class AppraisalRectActionIn(Schema):
    report: str = Field("", max_length=4000, description="file：整改报告")
    public_note: str = Field("", max_length=4000, description="accept：公开的整改情况（留空则公开整改报告）")
    note: str = Field("", max_length=500, description="return：退回意见")


class AppraisalRectOut(Schema):
    id: int
    status: RectificationStatus
    due_date: dt.date
    filed_on: dt.date | None
    accepted_on: dt.date | None


class AppraisalTokenIn(Schema):
    token: str = Field(max_length=128, description="短信中评议链接的令牌")


class AppraisalAnswerSectionIn(Schema):
    section_id: int = Field(**ID)
    unknown: bool = Field(False, description="不了解该科室")
    scores: dict[str, int] = Field(default_factory=dict, description="{评议内容 id: 分值}（满意3、基本满意2、不满意1；或1–5分）")
    comment: str = Field("", max_length=1000)


class AppraisalAnswerIn(AppraisalTokenIn):
    sections: list[AppraisalAnswerSectionIn] = Field(max_length=200)


class AppraisalAnswerOut(Schema):
    rated: int = Field(description="已评价的科室数（不含“不了解”）")
    message: str


class AppraisalFormQuestionOut(Schema):
    id: int
    text: str
    kind: QuestionKind
    choices: list[dict]


class AppraisalFormOut(Schema):
    campaign: str
    intro: str
    ends_on: dt.date
    sections: list[AppraisalSectionOut]
    questions: list[AppraisalFormQuestionOut]


class AppraisalPublicBottomOut(Schema):
    rank: int | None
    department: str
    section: str
    score: Decimal | None
    rectification_status: RectificationStatus | None
    due_date: dt.date | None
    followup: str = Field(description="验收后公开的整改情况")


class AppraisalPublicCampaignOut(Schema):
    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    published_on: dt.date | None
    sections: int
    ranked: int
    answers: int
    bottom: list[AppraisalPublicBottomOut]


# -- helpers ------------------------------------------------------------------------------------------


def _staff(request):
    user = request.auth if hasattr(request.auth, "pk") else request.user
    return staff_for_user(user)


def _campaign_out(c) -> dict:
    return {f: getattr(c, f) for f in ("id", "title", "status", "starts_on", "ends_on", "bottom_n", "min_answers",
                                       "rectify_workdays", "opened_on", "closed_on", "published_on")}


def _section_out(s) -> dict:
    return {"id": s.pk, "name": s.name, "department_id": s.department_id, "department": s.department.name,
            "duty_type": s.duty_type}


def _detail(c) -> dict:
    counts = selectors.invitation_counts(c)
    return {**_campaign_out(c), "sections": [_section_out(s) for s in c.sections.select_related("department")],
            "questions": list(c.questions.values("id", "text", "kind", "weight")),
            "invitations_total": counts["total"], "invitations_sent": counts["sent"],
            "invitations_used": counts["used"]}


# -- supervisor ---------------------------------------------------------------------------------------


@router.get("/campaigns", response={200: list[AppraisalCampaignOut], **_errors(401, 403)}, auth=AUTH,
            summary="评议活动列表（效能监察员）")
def campaign_list(request):
    return [_campaign_out(c) for c in selectors.campaign_list_for_supervisor(staff=_staff(request))]


@router.post("/campaigns", response={201: AppraisalCampaignDetail, **_errors(400, 401, 403, 422)}, auth=AUTH,
             summary="创建评议活动（效能监察员）")
def campaign_create(request, payload: AppraisalCampaignIn):
    c = campaigns.campaign_create(staff=_staff(request), **payload.dict())
    return HttpStatus(201, _detail(c))


@router.get("/campaigns/{campaign_id}", response={200: AppraisalCampaignDetail, **_errors(401, 403, 404, 422)}, auth=AUTH,
            summary="评议活动详情（效能监察员）")
def campaign_detail(request, campaign_id: int = _CAMPAIGN_ID):
    return _detail(selectors.campaign_get_for_supervisor(campaign_id=campaign_id, staff=_staff(request)))


@router.post("/campaigns/{campaign_id}/sections", response={201: AppraisalSectionOut, **_errors(400, 401, 403, 404, 409, 422)},
             auth=AUTH, summary="添加评议科室（草稿状态）")
def section_add(request, payload: AppraisalSectionIn, campaign_id: int = _CAMPAIGN_ID):
    s = campaigns.section_add(campaign_id=campaign_id, staff=_staff(request), name=payload.name,
                              department_id=payload.department_id, duty_type=payload.duty_type.value)
    return HttpStatus(201, _section_out(s))


@router.post("/campaigns/{campaign_id}/questions", response={201: AppraisalQuestionOut, **_errors(400, 401, 403, 404, 409, 422)},
             auth=AUTH, summary="添加评议内容（草稿状态）")
def question_add(request, payload: AppraisalQuestionIn, campaign_id: int = _CAMPAIGN_ID):
    q = campaigns.question_add(campaign_id=campaign_id, staff=_staff(request), text_=payload.text,
                               kind=payload.kind.value, weight=payload.weight)
    return HttpStatus(201, {"id": q.pk, "text": q.text, "kind": q.kind, "weight": q.weight})


def _invite_out(i) -> dict:
    return {"id": i.pk, "rater_kind": i.rater_kind, "name": i.name, "org_name": i.org_name, "phone": i.phone,
            "sent": i.sent_on is not None, "used": i.used_on is not None}


@router.get("/campaigns/{campaign_id}/invitations", response={200: list[AppraisalInvitationOut], **_errors(401, 403, 404, 422)},
            auth=AUTH, summary="评议人名单（效能监察员；只有是否已提交，没有评价内容）")
def invitation_list(request, campaign_id: int = _CAMPAIGN_ID):
    c = selectors.campaign_get_for_supervisor(campaign_id=campaign_id, staff=_staff(request))
    return [_invite_out(i) for i in c.invitations.all()]


@router.post("/campaigns/{campaign_id}/invitations", response={201: AppraisalInvitationOut, **_errors(400, 401, 403, 404, 409, 422)},
             auth=AUTH, summary="增加评议人（评议中增加的立即发送邀请短信）")
def invitation_add(request, payload: AppraisalInvitationIn, campaign_id: int = _CAMPAIGN_ID):
    i = campaigns.invitation_add(campaign_id=campaign_id, staff=_staff(request), rater_kind=payload.rater_kind.value,
                                 name=payload.name, phone=payload.phone, org_name=payload.org_name)
    return HttpStatus(201, _invite_out(i))


@router.post("/campaigns/{campaign_id}/invitations/from-cases", response={200: dict, **_errors(400, 401, 403, 404, 409, 422)},
             auth=AUTH, summary="从部门办结办件的申请人中选取评议人")
def invitations_from_cases(request, payload: AppraisalFromCasesIn, campaign_id: int = _CAMPAIGN_ID):
    n = campaigns.invitations_from_cases(campaign_id=campaign_id, staff=_staff(request), **payload.dict())
    return {"added": n}


@router.post("/campaigns/{campaign_id}/actions/{action}", response={200: AppraisalCampaignOut, **_errors(400, 401, 403, 404, 409, 422)},
             auth=AUTH, summary="评议活动操作：open 发出邀请开始评议、send 向新增评议人发送、close 结束并计算结果、"
                                "publish 公布结果并启动末位科室整改",
             description="状态不允许、缺少科室/内容/评议人等，答复中文说明，活动不作任何改变。")
def campaign_action(request, action: AppraisalCampaignAction, campaign_id: int = _CAMPAIGN_ID):
    return _campaign_out(campaigns.campaign_act(campaign_id=campaign_id, staff=_staff(request), action=action.value))


def _result_out(r) -> dict:
    rect = getattr(r.section, "rectification", None)
    return {"section_id": r.section_id, "department": r.section.department.name, "section": r.section.name,
            "answers": r.answers, "unknown": r.unknown, "score": r.score, "rank": r.rank, "is_bottom": r.is_bottom,
            "question_scores": r.question_scores, "rectification_id": rect.pk if rect else None,
            "rectification_status": rect.status if rect else None}


@router.get("/campaigns/{campaign_id}/results", response={200: list[AppraisalResultOut], **_errors(401, 403, 404, 409, 422)},
            auth=AUTH, summary="评议结果排名（效能监察员）")
def campaign_results(request, campaign_id: int = _CAMPAIGN_ID):
    c = selectors.campaign_get_for_supervisor(campaign_id=campaign_id, staff=_staff(request))
    if c.status not in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED):
        raise DomainError("not_closed", "评议结束后才有结果", status=409)
    return [_result_out(r) for r in selectors.results(c)]


# -- department ---------------------------------------------------------------------------------------


@router.get("/my/sections", response={200: list[AppraisalMySectionOut], **_errors(401, 403)}, auth=AUTH,
            summary="本部门科室的评议结果（部门负责人；已公布的活动）",
            description="只有得分、名次和意见文字，不含任何评议人信息。")
def my_sections(request):
    out = []
    for row in selectors.department_view(staff=_staff(request)):
        res, rect = row["result"], row["rectification"]
        out.append({"campaign_id": row["campaign"].pk, "campaign": row["campaign"].title,
                    "section_id": row["section"].pk, "section": row["section"].name,
                    "answers": res.answers if res else None, "score": res.score if res else None,
                    "rank": res.rank if res else None, "ranked": row["ranked"],
                    "is_bottom": bool(res and res.is_bottom),
                    "question_scores": [{"question": t, "score": s} for t, s in row["questions"]],
                    "comments": row["comments"], "rectification_id": rect.pk if rect else None,
                    "rectification_status": rect.status if rect else None,
                    "rectification_due": rect.due_date if rect else None})
    return out


@router.post("/rectifications/{rectification_id}/actions/{action}",
             response={200: AppraisalRectOut, **_errors(400, 401, 403, 404, 409, 422)}, auth=AUTH,
             summary="整改操作：file 部门负责人报送整改报告、accept 效能监察员验收并公开整改情况、return 退回重新整改")
def rectification_action(request, action: AppraisalRectificationAction, rectification_id: int = _RECT_ID,
                         body: AppraisalRectActionIn | None = None):
    b = body or AppraisalRectActionIn()
    r = rectifications.rectification_act(rectification_id=rectification_id, staff=_staff(request),
                                         action=action.value, data=b.dict())
    return {"id": r.pk, "status": r.status, "due_date": r.due_date, "filed_on": r.filed_on,
            "accepted_on": r.accepted_on}


# -- the rater (token in the body) --------------------------------------------------------------------


@router.post("/answers/form", response={200: AppraisalFormOut, **_errors(409, 410, 422)}, auth=None,
             summary="评议表（凭评议链接的令牌）")
def answer_form(request, payload: AppraisalTokenIn):
    inv = answers.invitation_for_token(payload.token)
    c = inv.campaign
    return {"campaign": c.title, "intro": c.intro, "ends_on": c.ends_on,
            "sections": [_section_out(s) for s in c.sections.select_related("department")],
            "questions": [{"id": q.pk, "text": q.text, "kind": q.kind,
                           "choices": [{"value": v, "label": label} for v, label in q.choices()]}
                          for q in c.questions.all()]}


@router.post("/answers", response={201: AppraisalAnswerOut, **_errors(400, 409, 410, 422)}, auth=None,
             summary="提交评议（匿名，每个链接一次）",
             description="令牌放在请求体中。已使用的链接答复 410 及中文说明，不作任何改变。")
def answer_submit(request, payload: AppraisalAnswerIn):
    n = answers.answer_submit(token=payload.token, sections=[s.dict() for s in payload.sections])
    return HttpStatus(201, {"rated": n, "message": "感谢您的评议！"})


# -- public -------------------------------------------------------------------------------------------


@router.get("/public/campaigns", response={200: list[AppraisalCampaignOut]}, auth=None, summary="已公布的评议活动")
def public_campaigns(request):
    return [_campaign_out(c) for c in selectors.public_campaigns()]


@router.get("/public/campaigns/{campaign_id}", response={200: AppraisalPublicCampaignOut, **_errors(404, 422)}, auth=None,
            summary="评议结果公布：末位科室及整改情况")
def public_campaign(request, campaign_id: int = _CAMPAIGN_ID):
    d = selectors.public_campaign(campaign_id=campaign_id)
    c = d["campaign"]
    bottom = []
    for r in d["bottom"]:
        rect = getattr(r.section, "rectification", None)
        accepted = rect is not None and rect.status == RectificationStatus.ACCEPTED
        bottom.append({"rank": r.rank, "department": r.section.department.name, "section": r.section.name,
                       "score": r.score, "rectification_status": rect.status if rect else None,
                       "due_date": rect.due_date if rect else None, "followup": rect.public_note if accepted else ""})
    return {"id": c.pk, "title": c.title, "starts_on": c.starts_on, "ends_on": c.ends_on,
            "published_on": c.published_on, "sections": d["sections"], "ranked": d["ranked"],
            "answers": d["answers"], "bottom": bottom}
