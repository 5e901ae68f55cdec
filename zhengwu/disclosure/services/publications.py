"""Proactive publication (主动公开), one function per step of the seed's chain:

提供 (draft, submit) → 分管领导审核 (review) → 保密审查 (secrecy review, recorded) → 领导小组研究、组长签发
(sign) → 公开 (publish). The information must be public within 20 working days of being made or
changed (条例第二十六条); ``publish_due`` comes from the working-day engine. Normative documents
carry 制发 (``made_on``) and 废止 (``repealed_on``) for table 二 of the annual report.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.db.models import F

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.services import audit_record
from zhengwu.org.models import Staff
from zhengwu.workdays import engine

from ..models import (
    Body,
    BodyMember,
    Category,
    DocKind,
    Publication,
    PublicationAttachment,
    PublicationEvent,
    PubStatus,
)
from ..models.publications import GOVERNMENT_CATEGORIES, VILLAGE_CATEGORIES, attachment_upload_to
from ..policy import setting
from .common import check_files, files_removed_on_failure, guarded_update, next_number, require_duty

D = BodyMember.Duty
LABELS = dict(PubStatus.choices)
EDITABLE = ["title", "category", "topic", "doc_kind", "doc_no", "content", "made_on"]


def _event(pub: Publication, action: str, label: str, staff: Staff, note: str = "") -> None:
    PublicationEvent.objects.create(publication=pub, action=action, label=label, actor_id=staff.user_id,
                                    actor_name=staff.name, note=note, at=clock.now())


def _clean(body: Body, fields: dict) -> dict:
    title = (fields.get("title") or "").strip()
    if not title:
        raise DomainError("title_required", "请填写标题")
    category = fields.get("category")
    allowed = VILLAGE_CATEGORIES if body.kind == Body.Kind.VILLAGE else [*GOVERNMENT_CATEGORIES, Category.PARTY]
    if category not in allowed:
        names = "、".join(Category(c).label for c in allowed)
        raise DomainError("category", f"{body.name}可用的公开类别为：{names}")
    doc_kind = fields.get("doc_kind") or DocKind.GENERAL
    if doc_kind not in DocKind.values:
        raise DomainError("doc_kind", "文件性质应为一般信息、规章或行政规范性文件")
    if doc_kind != DocKind.GENERAL and body.kind == Body.Kind.VILLAGE:
        raise DomainError("doc_kind", "村（居）民委员会不制发规章和行政规范性文件")
    doc_no = (fields.get("doc_no") or "").strip()
    if doc_kind != DocKind.GENERAL and not doc_no:
        raise DomainError("doc_no_required", "规章和行政规范性文件须填写文号")
    content = (fields.get("content") or "").strip()
    if not content:
        raise DomainError("content_required", "请填写正文")
    made_on = fields.get("made_on")
    if not isinstance(made_on, dt.date):
        raise DomainError("made_on", "请填写信息生成日期")
    if made_on > clock.today():
        raise DomainError("made_on", "信息生成日期不能晚于今天")
    return {"title": title, "category": category, "topic": (fields.get("topic") or "").strip(),
            "doc_kind": doc_kind, "doc_no": doc_no, "content": content, "made_on": made_on}


def _due(body: Body, made_on: dt.date) -> engine.Deadline:
    return engine.due_date(made_on, setting("publish_days"), region=body.region)


def publication_create(*, body: Body, officer: Staff, files=(), **fields) -> Publication:
    """提供: an officer drafts a publication; it is public only after the whole chain."""
    require_duty(officer, body, D.OFFICER, action="起草公开信息")
    data = _clean(body, fields)
    files = check_files(files)
    deadline = _due(body, data["made_on"])
    with files_removed_on_failure() as saved, transaction.atomic():
        seq = next_number(body, "pub", data["made_on"].year)
        pub = Publication.objects.create(
            body=body, index_no=f"{body.code}/{data['made_on'].year}-{seq:05d}", created_by=officer,
            publish_due=deadline.due, publish_due_provisional=deadline.provisional, **data)
        for upload in files:
            saved.append(PublicationAttachment.objects.create(publication=pub, name=upload.name, file=upload,
                                                              size=upload.size).file)
        _event(pub, "create", "提供", officer)
    return pub


def publication_update(*, publication: Publication, officer: Staff, files=(), **fields) -> Publication:
    """Change a draft (also one sent back by the 分管领导 or failed at 保密审查)."""
    require_duty(officer, publication.body, D.OFFICER, action="修改公开信息")
    data = _clean(publication.body, {**{k: getattr(publication, k) for k in EDITABLE}, **fields})
    files = check_files(files)
    deadline = _due(publication.body, data["made_on"])
    with files_removed_on_failure() as saved, transaction.atomic():
        guarded_update(publication, allowed=[PubStatus.DRAFT], target=PubStatus.DRAFT, what="修改", labels=LABELS,
                       publish_due=deadline.due, publish_due_provisional=deadline.provisional,
                       secrecy_passed=None, secrecy_by=None, secrecy_on=None, secrecy_note="", **data)
        for upload in files:
            saved.append(PublicationAttachment.objects.create(publication=publication, name=upload.name,
                                                              file=upload, size=upload.size).file)
        _event(publication, "update", "修改", officer)
    return publication


def publication_submit(*, publication: Publication, officer: Staff, note: str = "") -> Publication:
    require_duty(officer, publication.body, D.OFFICER, action="提交审核")
    with transaction.atomic():
        guarded_update(publication, allowed=[PubStatus.DRAFT], target=PubStatus.SUBMITTED, what="提交审核",
                       labels=LABELS)
        _event(publication, "submit", "提交分管领导审核", officer, note)
    return publication


def publication_review(*, publication: Publication, reviewer: Staff, approve: bool, note: str = "") -> Publication:
    """分管领导审核: whether the content is complete and true; sent back with reasons otherwise."""
    require_duty(reviewer, publication.body, D.REVIEWER, action="审核公开信息")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError("reason_required", "退回修改须写明意见")
    today = clock.today()
    with transaction.atomic():
        if approve:
            guarded_update(publication, allowed=[PubStatus.SUBMITTED], target=PubStatus.REVIEWED, what="审核",
                           labels=LABELS, reviewed_by=reviewer, reviewed_on=today)
            _event(publication, "review", "分管领导审核同意", reviewer, note)
        else:
            guarded_update(publication, allowed=[PubStatus.SUBMITTED, PubStatus.REVIEWED], target=PubStatus.DRAFT,
                           what="退回", labels=LABELS, reviewed_by=None, reviewed_on=None)
            _event(publication, "return", "分管领导退回修改", reviewer, note)
    return publication


def publication_secrecy_review(*, publication: Publication, reviewer: Staff, passed: bool,
                               note: str = "") -> Publication:
    """保密审查 (条例第十七条), recorded before 签发; a failed review sends the draft back."""
    require_duty(reviewer, publication.body, D.SECRECY, D.REVIEWER, action="保密审查")
    note = (note or "").strip()
    if not passed and not note:
        raise DomainError("reason_required", "保密审查不通过须写明意见")
    today = clock.today()
    target = publication.status if passed else PubStatus.DRAFT
    with transaction.atomic():
        guarded_update(publication, allowed=[PubStatus.SUBMITTED, PubStatus.REVIEWED], target=target,
                       what="保密审查", labels=LABELS, secrecy_passed=passed, secrecy_by=reviewer,
                       secrecy_on=today, secrecy_note=note)
        _event(publication, "secrecy", "保密审查通过" if passed else "保密审查不通过", reviewer, note)
    return publication


def publication_sign(*, publication: Publication, signer: Staff, note: str = "") -> Publication:
    """领导小组研究、组长签发."""
    require_duty(signer, publication.body, D.SIGNER, action="签发")
    if publication.secrecy_passed is not True:
        raise DomainError("secrecy_required", "未经保密审查或保密审查未通过，不能签发", status=409)
    with transaction.atomic():
        guarded_update(publication, allowed=[PubStatus.REVIEWED], target=PubStatus.SIGNED, what="签发",
                       labels=LABELS, signed_by=signer, signed_on=clock.today())
        _event(publication, "sign", "领导小组组长签发", signer, note)
    return publication


def publication_publish(*, publication: Publication, officer: Staff) -> Publication:
    """公开; a publication later than its 20-working-day limit is published but stays flagged."""
    require_duty(officer, publication.body, D.OFFICER, action="发布")
    today = clock.today()
    with transaction.atomic():
        guarded_update(publication, allowed=[PubStatus.SIGNED], target=PubStatus.PUBLISHED, what="发布",
                       labels=LABELS, published_by=officer, published_on=today)
        late = today > publication.publish_due
        _event(publication, "publish", "公开", officer,
               f"超过公开时限（应于{publication.publish_due:%Y-%m-%d}前公开）" if late else "")
        audit_record(actor=officer.user, action="publish", obj=publication, summary=f"公开：{publication.title}")
    return publication


def publication_repeal(*, publication: Publication, officer: Staff, repealed_on: dt.date,
                       note: str) -> Publication:
    """废止 a 规章 or 行政规范性文件; it stays public, marked 已废止, and counts in table 二."""
    require_duty(officer, publication.body, D.OFFICER, action="登记废止")
    if publication.doc_kind == DocKind.GENERAL:
        raise DomainError("not_normative", "只有规章和行政规范性文件登记废止")
    if publication.repealed_on is not None:
        raise DomainError("already_repealed", f"该文件已于{publication.repealed_on:%Y-%m-%d}废止", status=409)
    note = (note or "").strip()
    if not note:
        raise DomainError("reason_required", "请填写废止依据（如废止决定的文号）")
    if repealed_on < publication.made_on or repealed_on > clock.today():
        raise DomainError("repealed_on", "废止日期应在制发日期之后且不晚于今天")
    with transaction.atomic():
        guarded_update(publication, allowed=[PubStatus.PUBLISHED], target=PubStatus.PUBLISHED, what="登记废止",
                       labels=LABELS, repealed_on=repealed_on, repeal_note=note)
        _event(publication, "repeal", "废止", officer, note)
    return publication


def publication_count_view(*, publication: Publication) -> None:
    """One more view (浏览次数), as a single UPDATE so concurrent readers never lose a count."""
    Publication.objects.filter(pk=publication.pk).update(view_count=F("view_count") + 1)


# -- attachments stored before the token directories ------------------------------------------------------

#: where ``attachment_upload_to`` puts a file: one random directory per file
TOKEN_PATH = r"^gk/attachments/[0-9a-f]{32}/[^/]+$"


@dataclass
class AttachmentMove:
    attachment_id: int
    old: str
    new: str = ""
    problem: str = ""


def attachments_move_to_token_dirs(*, dry_run: bool = False) -> list[AttachmentMove]:
    """Move attachments uploaded before the token directories (``gk/attachments/%Y/%m/…``, a path
    anyone could guess) each into a random directory of its own, keeping its file name.

    Per file: copy to the new path, then one guarded UPDATE of the row (only if it still points at
    the old path) with its audit row, then delete the old file. Safe to run again: a moved file no
    longer matches; a file missing from storage is reported and its row left alone. ``dry_run``
    reports what would move and changes nothing.
    """
    out = []
    for att in PublicationAttachment.objects.exclude(file__regex=TOKEN_PATH).order_by("id"):
        old, storage = att.file.name, att.file.storage
        move = AttachmentMove(attachment_id=att.pk, old=old)
        out.append(move)
        if not old or not storage.exists(old) or old.endswith("/"):  # an empty name is the media root itself
            move.problem = "文件不存在，未移动"
            continue
        if dry_run:
            continue
        with storage.open(old, "rb") as fh:
            new = storage.save(attachment_upload_to(att, os.path.basename(old)), File(fh))
        try:
            with transaction.atomic():
                n = PublicationAttachment.objects.filter(pk=att.pk, file=old).update(file=new)
                if n != 1:
                    raise DomainError("conflict", "记录刚刚被其他人更新")
                audit_record(actor=None, action="update", obj=att,
                             summary=f"附件“{att.name}”移入随机目录：{old} → {new}")
        except DomainError as exc:
            storage.delete(new)
            move.problem = f"{exc.message}，未移动"
            continue
        except BaseException:
            storage.delete(new)
            raise
        storage.delete(old)
        move.new = new
    return out
