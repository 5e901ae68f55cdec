"""Reads of 政务公开 that carry rules: what the public sees, whose request it is, what is due."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.errors import NotFound
from zhengwu.org.models import Staff
from zhengwu.workdays import engine

from .models import (
    Body,
    BodyMember,
    Category,
    ClockStop,
    Consultation,
    InfoRequest,
    Publication,
    PublicationAttachment,
    PubStatus,
    ReqStatus,
    RequestAttachment,
)
from .models.publications import GOVERNMENT_CATEGORIES, VILLAGE_CATEGORIES
from .models.requests import OPEN_STATUSES
from .policy import limits as policy_limits


def body_list_public() -> QuerySet[Body]:
    return Body.objects.filter(is_active=True).select_related("region", "parent")


def body_get_public(code: str) -> Body:
    body = Body.objects.filter(code=code, is_active=True).select_related("region", "parent").first()
    if body is None:
        raise NotFound("未找到该公开主体")
    return body


def categories_for(body: Body) -> list[Category]:
    if body.kind == Body.Kind.VILLAGE:
        return list(VILLAGE_CATEGORIES)
    return [*GOVERNMENT_CATEGORIES, Category.PARTY]


def publication_list_public(*, body: Body | None = None, q: str = "", category: str = "",
                            year: int | None = None) -> QuerySet[Publication]:
    """Published information; ``q`` matches title, 文号, 索引号 or the text (icontains, both databases)."""
    qs = Publication.objects.filter(status=PubStatus.PUBLISHED, body__is_active=True).select_related("body")
    if body is not None:
        qs = qs.filter(body=body)
    if category:
        qs = qs.filter(category=category)
    if year:
        qs = qs.filter(published_on__year=year)
    for word in (q or "").split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(content__icontains=word) | Q(doc_no__icontains=word)
                       | Q(index_no__icontains=word))
    return qs.order_by("-published_on", "-id")


def publication_get_public(*, body: Body, pk: int) -> Publication:
    pub = (Publication.objects.filter(pk=pk, body=body, status=PubStatus.PUBLISHED)
           .select_related("body").prefetch_related("attachments").first())
    if pub is None:
        raise NotFound("未找到该公开信息")
    return pub


def attachment_get(*, body: Body, publication_id: int, attachment_id: int,
                   staff: Staff | None = None) -> PublicationAttachment:
    """An attachment anyone may fetch once its publication is public; before that, only the body's staff.

    A draft's file looks like no file at all to everyone else (the same 404 as a wrong number).
    """
    att = (PublicationAttachment.objects.filter(pk=attachment_id, publication_id=publication_id,
                                                publication__body=body)
           .select_related("publication").first())
    if att is not None and att.publication.status != PubStatus.PUBLISHED and (
            staff is None or not staff.is_active
            or not BodyMember.objects.filter(body=body, staff=staff).exists()):
        att = None
    if att is None:
        raise NotFound("未找到该附件")
    return att


def category_counts(body: Body) -> dict[str, int]:
    rows = (Publication.objects.filter(body=body, status=PubStatus.PUBLISHED).values("category")
            .annotate(n=Count("id")))
    return {r["category"]: r["n"] for r in rows}


# -- requests ----------------------------------------------------------------------------------------------


def request_get_for_user(*, request_no: str, user) -> InfoRequest:
    """The applicant's own request; someone else's looks like no request at all."""
    req = (InfoRequest.objects.filter(request_no=request_no, user=user).select_related("body__region", "body__parent")
           .first() if getattr(user, "is_authenticated", False) else None)
    if req is None:
        raise NotFound("未找到该申请")
    return req


def request_attachment_get(*, request: InfoRequest, attachment_id: int) -> RequestAttachment:
    """A file of ``request``; the caller got ``request`` through ``request_get_for_user`` or ``…_for_staff``,
    so whoever asks is the applicant or the body's staff. A file of another request is no file."""
    att = RequestAttachment.objects.filter(pk=attachment_id, request=request).first()
    if att is None:
        raise NotFound("未找到该附件")
    return att


def bodies_for_staff(staff: Staff | None) -> QuerySet[Body]:
    if staff is None:
        return Body.objects.none()
    return Body.objects.filter(members__staff=staff, is_active=True).distinct().order_by("code")


def request_get_for_staff(*, request_no: str, staff: Staff) -> InfoRequest:
    req = InfoRequest.objects.filter(request_no=request_no).select_related("body__region", "body__parent").first()
    if req is None or not BodyMember.objects.filter(body=req.body_id, staff=staff).exists():
        raise NotFound("未找到该申请，或该申请不属于您所在的公开主体")
    return req


def with_clock(qs: QuerySet[InfoRequest]) -> QuerySet[InfoRequest]:
    """What ``due_state`` reads besides the row, fetched for a whole list in two queries."""
    return qs.prefetch_related(
        Prefetch("consultations", queryset=Consultation.objects.filter(replied_on__isnull=True)
                 .select_related("stop").order_by("-id"), to_attr="open_consultations"),
        Prefetch("stops", queryset=ClockStop.objects.filter(end_on__isnull=False), to_attr="closed_stops"))


def request_list_for_staff(*, staff: Staff, state: str = "open") -> QuerySet[InfoRequest]:
    qs = InfoRequest.objects.filter(body__in=bodies_for_staff(staff)).select_related("body__region")
    if state == "open":
        qs = with_clock(qs.filter(status__in=OPEN_STATUSES))
    elif state == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES)
    return qs.order_by("due_date", "id") if state == "open" else qs.order_by("-closed_on", "-id")


def confirm_due(req: InfoRequest, *, limits: dict[str, int] | None = None) -> dt.date:
    """The last working day to confirm receipt of a request filed online, by plain letter or fax.

    The law fixes no number (条例第三十一条: the day both sides confirm is the day of receipt; the
    body should confirm promptly); ``confirm_days`` is the body's own rule, 2 working days by default.
    """
    days = (limits or policy_limits())["confirm_days"]
    return engine.add_workdays(timezone.localdate(req.filed_at), days, region=req.body.region)


def open_consultation(req: InfoRequest) -> Consultation | None:
    if hasattr(req, "open_consultations"):
        return req.open_consultations[0] if req.open_consultations else None
    return (Consultation.objects.filter(request=req, replied_on__isnull=True).select_related("stop")
            .order_by("-id").first())


def lapsed_consultation_due(req: InfoRequest, consultation: Consultation, *,
                            limits: dict[str, int] | None = None) -> engine.Deadline:
    """The reply deadline once the other side's 15 working days are over without an opinion.

    The clock stops only for those days (条例第三十二条、第三十三条; ``request_consultation_reply``
    ends the stop at ``opinion_due`` at the latest), so it runs again from the day after, whether or
    not anyone has recorded the silence yet. The same date ``consultations_sweep`` then stores.
    """
    if hasattr(req, "closed_stops"):
        stops = [(st.start_on, st.end_on) for st in req.closed_stops]
    else:
        stops = list(ClockStop.objects.filter(request=req, end_on__isnull=False).values_list("start_on", "end_on"))
    stops.append((consultation.stop.start_on, consultation.opinion_due))
    days = (limits or policy_limits())["reply_days"] + req.extension_days
    return engine.due_date(req.clock_start, days, stops=stops, region=req.body.region)


def _left(today: dt.date, due: dt.date, region, warn_days: int) -> tuple[str, str]:
    if today > due:
        return "overdue", f"已超过答复期限（{due:%Y-%m-%d}）"
    left = engine.count_workdays(today, due, region=region)
    if left <= warn_days:
        return "soon", f"即将到期：还剩{left}个工作日（{due:%Y-%m-%d}）"
    return "ok", f"还剩{left}个工作日（{due:%Y-%m-%d}）"


def due_state(req: InfoRequest, today: dt.date | None = None, *,
              limits: dict[str, int] | None = None) -> tuple[str, str]:
    """(css state, Chinese text) for the workbench colours: ok / soon / overdue / paused / waiting.

    For a list, pass ``limits`` (``policy.limits()``, read once) and a queryset through ``with_clock``.
    """
    today = today or clock.today()
    region = req.body.region
    limits = limits or policy_limits()
    if req.status == ReqStatus.AWAITING_RECEIPT:
        due = confirm_due(req, limits=limits)
        if today > due:
            return "overdue", (f"待确认逾期：{timezone.localdate(req.filed_at):%Y-%m-%d}提交，应于{due:%Y-%m-%d}前"
                               "确认收到（确认之日为收到申请之日，未确认的申请不计入本年新收）")
        return "waiting", "待确认收到（确认之日为收到申请之日）"
    if req.status == ReqStatus.SUPPLEMENT:
        if today > req.supplement_deadline:
            return "overdue", f"补正期限已于{req.supplement_deadline:%Y-%m-%d}届满，可视为放弃申请"
        return "paused", f"等待补正，补正期限至{req.supplement_deadline:%Y-%m-%d}"
    if req.status == ReqStatus.FEE_NOTICE:
        if today > req.fee_pay_due:
            return "overdue", f"缴费期限已于{req.fee_pay_due:%Y-%m-%d}届满，可视为放弃申请"
        return "paused", f"暂停计时：等待缴费，缴费期限至{req.fee_pay_due:%Y-%m-%d}"
    if req.status == ReqStatus.CONSULTING:
        consultation = open_consultation(req)
        if consultation is None:
            return "paused", "暂停计时：征求意见中"
        who = "第三方" if not consultation.is_agency else consultation.third_party
        doing = Consultation.Kind(consultation.kind).label
        if consultation.opinion_due is None:
            # The 15 days run from the other side's receipt: without it nothing can lapse (条例第三十二条、第三十四条).
            sent = consultation.sent_on
            waited = engine.count_workdays(sent, today, region=region)
            if waited > limits["consult_receipt_days"]:
                return "soon", (f"送达未登记：征求意见书于{sent:%Y-%m-%d}发出，已{waited}个工作日未登记{who}收到之日；"
                                f"提出意见的15个工作日自收到之日起算，请核实送达并登记（暂停计时）")
            return "paused", f"暂停计时：{doing}中，征求意见书于{sent:%Y-%m-%d}发出，待登记{who}收到之日"
        if today <= consultation.opinion_due:
            return "paused", f"暂停计时：{doing}中，{who}意见期限至{consultation.opinion_due:%Y-%m-%d}"
        due = lapsed_consultation_due(req, consultation, limits=limits).due
        state, text = _left(today, due, region, limits["warn_days"])
        then = ("逾期未提出意见的视为同意公开（条例第三十四条）" if consultation.is_agency
                else "由本机关依照条例决定是否公开")
        # Past its 15 days the consultation needs a decision now, so it is never shown as merely "ok".
        return ("soon" if state == "ok" else state), (
            f"征求意见已逾期：{who}应于{consultation.opinion_due:%Y-%m-%d}前提出意见，此后恢复计时，{then}；{text}")
    if req.status != ReqStatus.PROCESSING or req.due_date is None:
        return "none", ""
    return _left(today, req.due_date, region, limits["warn_days"])


def publications_for_staff(*, staff: Staff) -> QuerySet[Publication]:
    return (Publication.objects.filter(body__in=bodies_for_staff(staff)).exclude(status=PubStatus.PUBLISHED)
            .select_related("body").order_by("publish_due", "id"))


def publication_get_for_staff(*, pk: int, staff: Staff) -> Publication:
    pub = Publication.objects.filter(pk=pk, body__in=bodies_for_staff(staff)).select_related("body").first()
    if pub is None:
        raise NotFound("未找到该公开信息，或不属于您所在的公开主体")
    return pub


def publication_overdue(pub: Publication, today: dt.date | None = None) -> bool:
    """Not public by its 20-working-day limit (or published after it)."""
    today = today or clock.today()
    if pub.published_on is not None:
        return pub.published_on > pub.publish_due
    return today > pub.publish_due


def publication_overdue_list(*, body: Body | None = None, today: dt.date | None = None) -> QuerySet[Publication]:
    today = today or clock.today()
    qs = Publication.objects.filter(Q(published_on__isnull=True, publish_due__lt=today)
                                    | Q(published_on__isnull=False, published_on__gt=F("publish_due")))
    if body is not None:
        qs = qs.filter(body=body)
    return qs.select_related("body")

