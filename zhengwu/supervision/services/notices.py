"""What the sweep owes people: 超时默认 notices, and delivering the messages of the runs' cards and notices."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.notify import Message, notify_many

from ..clocks import KindSpec, Subject, clocks_start_many, register_kind
from ..models import Card, Clock, ClockState, DeemedApproval, Notice, SupervisionPolicy, SweepRun

BATCH = 2000

DEEMED_REPLY = register_kind(KindSpec(
    code="deemed_reply", name="超时默认出具批准文书时限", subject_label="超时默认通知单", due_label="出具批准文书期限",
    weight=1, warn_workdays=0, sort=90))  # one working day in all: yellow on the day itself, red after


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _due_cn(card: Card) -> str:
    if card.due_date is not None:
        return _cn(card.due_date)
    at = timezone.localtime(card.due_at)
    return f"{_cn(at.date())}{at:%H:%M}"


def card_text(card: Card) -> str:
    c, k = card.clock, card.kind
    what = f"“{c.part_name}”环节时限" if card.part else k.due_label
    head = f"{k.subject_label}{c.subject_no}（{c.title}）" if c.title else f"{k.subject_label}{c.subject_no}"
    if card.level == Card.Level.RED:
        return f"【效能监察·红牌】{head}已超过{what}（{_due_cn(card)}），请立即办理并说明超期原因。"
    red_on = card.red_on
    if red_on is not None:
        return (f"【效能监察·黄牌】{head}的{what}（{_due_cn(card)}）已到期，{_cn(red_on)}起将亮红牌，"
                "请抓紧办理。")
    return f"【效能监察·黄牌】{head}的{what}为{_due_cn(card)}，即将到期，请抓紧办理。"


def deemed_text(rec: DeemedApproval) -> str:
    return (f"【超时默认通知】{rec.clock.kind.subject_label}{rec.subject_no}（{rec.title}）已超过"
            f"{rec.clock.kind.due_label}（{_cn(rec.due_date)}）{rec.overdue_workdays}个工作日，依照超时默认制视为贵单位同意，"
            f"请于{_cn(rec.reply_by)}前出具批准文书。通知单编号：{rec.notice_no}")


def issue_deemed(rows: list[tuple[Clock, object]], *, today: dt.date, policy: SupervisionPolicy, run_id: int) -> int:
    """超时默认: the notice and the record that the department is deemed to agree; the department must
    confirm in writing within ``deemed_reply_workdays`` — itself a supervised clock (``deemed_reply``)."""
    reply_workdays = policy.deemed_reply_workdays
    parts = {}
    subjects = {(c.subject_type, c.subject_id) for c, _g in rows}
    for stype, sid, name in (Clock.objects.filter(part__gt=0).exclude(state=ClockState.FINISHED)
                             .filter(subject_type__in={s for s, _ in subjects}, subject_id__in={i for _, i in subjects})
                             .values_list("subject_type", "subject_id", "part_name")):
        parts[(stype, sid)] = name
    recs = DeemedApproval.objects.bulk_create([DeemedApproval(
        clock=c, department_id=c.department_id, subject_no=c.subject_no, title=c.title,
        notice_no=f"CSMR-{c.subject_no}"[:40], due_date=c.due_date, issued_on=today,
        overdue_workdays=g.calendar.count(c.due_date, today), reply_by=g.calendar.add(today, reply_workdays),
        step_name=parts.get((c.subject_type, c.subject_id), "")) for c, g in rows], batch_size=BATCH)
    clocks_start_many(kind=DEEMED_REPLY.code, starts=[dict(
        subject=Subject("deemed", rec.pk, rec.notice_no, c.title, f"/supervision/deemed/{rec.notice_no}/"),
        region=c.region, due_date=rec.reply_by, hall=c.hall_id, department=c.department_id,
        officer=c.head_id or c.officer_id, head=c.head_id, item=c.item_id)
        for rec, (c, _g) in zip(recs, rows, strict=True)])
    notices = [Notice(run_id=run_id, deemed=rec, staff_id=to, rank=rank, kind="deemed_approval")
               for rec, (c, _g) in zip(recs, rows, strict=True)
               for rank, to in enumerate(dict.fromkeys([c.head_id, c.officer_id])) if to]
    Notice.objects.bulk_create(notices, batch_size=BATCH)
    return len(rows)


def notices_deliver(*, run_id: int | None = None, limit: int | None = None) -> int:
    """Send what the sweep owes (of one run, or of every run with messages pending) through the notifier:
    the cards' messages, read from the runs' cards, then the queued 超时默认 notices. Returns how many went."""
    sent = 0
    runs = SweepRun.objects.filter(cards_pending=True).order_by("pk")
    if run_id is not None:
        runs = runs.filter(pk=run_id)
    for pk in runs.values_list("pk", flat=True):
        sent += _deliver_cards(pk, None if limit is None else limit - sent)
        if limit is not None and sent >= limit:
            return sent
    return sent + _deliver_queued(run_id, None if limit is None else limit - sent)


def _deliver_cards(run_id: int, limit: int | None) -> int:
    """One run's card messages, a batch of cards per transaction. The run row is locked while a batch goes
    out and keeps the last card sent, so two deliverers never send the same batch and a crash resumes after
    the last committed batch."""
    notify_head = SupervisionPolicy.objects.values_list("notify_head", flat=True).first()
    sent = 0
    while limit is None or sent < limit:
        with transaction.atomic():
            run = SweepRun.objects.select_for_update().filter(pk=run_id, cards_pending=True).first()
            if run is None:
                return sent
            size = BATCH if limit is None else max(1, min(BATCH, (limit - sent + 1) // 2))
            cards = list(Card.objects.filter(run_id=run_id, pk__gt=run.cards_sent_to)
                         .select_related("clock", "kind", "officer", "head").order_by("pk")[:size])
            if not cards:
                SweepRun.objects.filter(pk=run_id).update(cards_pending=False)
                return sent
            out = []
            for c in cards:
                people = [c.officer]
                if notify_head and c.head_id and c.head_id != c.officer_id:
                    people.append(c.head)
                text = card_text(c)
                data = {"subject_no": c.clock.subject_no, "card_id": c.pk, "level": c.level, "kind": c.kind_id,
                        "part": c.part}
                out += [Message(to_phone=p.phone, to_user_id=p.user_id, kind=f"card_{c.level}", text=text, data=data)
                        for p in people if p is not None]
            SweepRun.objects.filter(pk=run_id).update(cards_sent_to=cards[-1].pk)
            notify_many(out)
        sent += len(out)
    return sent


def _deliver_queued(run_id: int | None, limit: int | None) -> int:
    """The queued 超时默认 notices (``Notice`` rows), in id order, a batch per transaction."""
    qs = (Notice.objects.filter(sent_at__isnull=True).select_related("staff", "deemed__clock__kind")
          .order_by("pk"))  # keyset by id: each batch reads only its own rows, however long the queue
    if run_id is not None:
        qs = qs.filter(run_id=run_id)
    sent, last = 0, 0
    while limit is None or sent < limit:
        batch = list(qs.filter(pk__gt=last)[:BATCH if limit is None else min(BATCH, limit - sent)])
        if not batch:
            return sent
        last = batch[-1].pk
        out = [Message(to_phone=n.staff.phone, to_user_id=n.staff.user_id, kind=n.kind, text=deemed_text(n.deemed),
                       data={"subject_no": n.deemed.subject_no, "notice_no": n.deemed.notice_no}) for n in batch]
        with transaction.atomic():
            Notice.objects.filter(pk__in=[n.pk for n in batch]).update(sent_at=clock.now())
            notify_many(out)
        sent += len(batch)
    return sent
