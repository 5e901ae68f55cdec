"""A rater's answer through the one-time link.

Anonymous by construction (see ``models``): the answers are written without any reference to the
invitation, the invitation is marked used (the day only) in the same transaction, and nothing here writes
an audit row or a log line. A second submit on a used link is refused with a Chinese message and changes
nothing.
"""

from __future__ import annotations

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from ..models import Answer, AnswerScore, Campaign, CampaignStatus, Invitation, QuestionKind
from .common import hash_token

COMMENT_MAX = 1000


def _refusal(inv: Invitation | None) -> DomainError:
    if inv is None:
        return DomainError("invite_invalid", "评议链接无效，请核对短信中的链接", status=410)
    if inv.used_on is not None:
        return DomainError("invite_used", "该评议链接已经使用过，每个链接只能提交一次", status=410)
    c = inv.campaign
    if c.status != CampaignStatus.OPEN or clock.today() > c.ends_on:
        return DomainError("campaign_closed", "本次评议已经结束，感谢您的关注", status=410)
    if clock.today() < c.starts_on:
        return DomainError("campaign_not_started", f"本次评议将于{c.starts_on:%Y年%-m月%-d日}开始", status=409)
    return DomainError("invite_invalid", "评议链接无效，请核对短信中的链接", status=410)


def invitation_for_token(raw: str) -> Invitation:
    """The usable invitation of ``raw``, or the refusal that says why not."""
    if not isinstance(raw, str) or not 8 <= len(raw) <= 128:
        raise _refusal(None)
    inv = Invitation.objects.select_related("campaign").filter(token_hash=hash_token(raw)).first()
    if inv is None or inv.used_on is not None or inv.campaign.status != CampaignStatus.OPEN \
            or not inv.campaign.starts_on <= clock.today() <= inv.campaign.ends_on:
        raise _refusal(inv)
    return inv


def _clean(c: Campaign, sections: list) -> list[tuple[int, bool, dict[int, int], str]]:
    if not isinstance(sections, list) or not sections:
        raise DomainError("missing_field", "请至少评议一个科室")
    known = set(c.sections.values_list("id", flat=True))
    questions = {q.pk: q for q in c.questions.all()}
    out, seen = [], set()
    for item in sections:
        if not isinstance(item, dict):
            raise DomainError("invalid_input", "评议内容格式不正确")
        sid = item.get("section_id")
        if not isinstance(sid, int) or sid not in known:
            raise DomainError("unknown_section", "所评议的科室不在本次评议名单中")
        if sid in seen:
            raise DomainError("duplicate_section", "同一科室只能评议一次")
        seen.add(sid)
        if item.get("unknown"):
            out.append((sid, True, {}, ""))
            continue
        scores = item.get("scores") or {}
        if not isinstance(scores, dict):
            raise DomainError("invalid_input", "评分格式不正确")
        clean: dict[int, int] = {}
        for qid, q in questions.items():
            v = scores.get(qid, scores.get(str(qid)))
            top = 3 if q.kind == QuestionKind.SATISFACTION else 5
            if v is None or v == "":
                raise DomainError("missing_score", f"请对每个科室的“{q.text}”作出评价，或选择“不了解”")
            try:
                v = int(v)
            except (TypeError, ValueError):
                raise DomainError("invalid_score", f"“{q.text}”的评分不正确") from None
            if not 1 <= v <= top:
                raise DomainError("invalid_score", f"“{q.text}”的评分不正确")
            clean[qid] = v
        extra = {str(k) for k in scores} - {str(k) for k in questions}
        if extra:
            raise DomainError("invalid_score", "评分中有不属于本次评议的内容")
        comment = item.get("comment") or ""
        if not isinstance(comment, str):
            raise DomainError("invalid_input", "意见建议应为文字")
        comment = comment.strip()
        if len(comment) > COMMENT_MAX:
            raise DomainError("too_long", f"意见建议不能超过{COMMENT_MAX}字")
        out.append((sid, False, clean, comment))
    if all(unknown for _, unknown, _, _ in out):
        raise DomainError("all_unknown", "请至少对一个您了解的科室作出评价")
    return out


def answer_submit(*, token: str, sections: list) -> int:
    """Record one rater's answers: ``sections`` is a list of ``{"section_id", "unknown", "scores":
    {question id: value}, "comment"}`` (sections left out are simply not rated). Returns how many sections
    were rated (不了解 not counted)."""
    inv = invitation_for_token(token)
    rows = _clean(inv.campaign, sections)
    with transaction.atomic():
        # The campaign's row lock orders answers against ``close`` (results are computed under it).
        c = Campaign.objects.select_for_update().get(pk=inv.campaign_id)
        if c.status != CampaignStatus.OPEN:
            raise _refusal(inv)
        used = Invitation.objects.filter(pk=inv.pk, used_on__isnull=True).update(used_on=clock.today())
        if used != 1:
            raise _refusal(Invitation.objects.select_related("campaign").get(pk=inv.pk))
        answers = [Answer(section_id=sid, unknown=unknown, comment=comment) for sid, unknown, _, comment in rows]
        Answer.objects.bulk_create(answers)
        AnswerScore.objects.bulk_create([AnswerScore(answer=a, question_id=qid, value=v)
                                         for a, (_, _, scores, _) in zip(answers, rows, strict=True)
                                         for qid, v in scores.items()])
    return sum(1 for _, unknown, _, _ in rows if not unknown)
