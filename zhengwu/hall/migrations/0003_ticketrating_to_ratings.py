"""Carry the rating pad's old records (hall.TicketRating, dropped by 0004) into 好差评.

Each becomes what the pad records now: a ratings.Rating of kind ``hall``, channel ``pad``, for its
ticket (ticket_ref ``YYYYMMDD-<number>``), with the rated officer, window and department, at the
time it was given, so it counts in 满意率, the monthly assessment and the dashboard. Each 差评
among them (不满意, 非常不满意) opens its rectification (待核实), due the policy's number of working
days after the migration day by the nationwide calendar. A ticket rated through 好差评 meanwhile
keeps that rating. Going back leaves the carried ratings in 好差评.
"""

from django.db import migrations
from django.utils import timezone

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def carry_over(apps, schema_editor):
    TicketRating = apps.get_model("hall", "TicketRating")
    Rating = apps.get_model("ratings", "Rating")
    RatingEvent = apps.get_model("ratings", "RatingEvent")
    RatingPolicy = apps.get_model("ratings", "RatingPolicy")
    Rectification = apps.get_model("ratings", "Rectification")
    old = list(TicketRating.objects.select_related("ticket", "window", "officer").order_by("rated_at", "id"))
    if not old:
        return
    now = timezone.now()
    today = timezone.localdate(now)
    deadline = None
    for tr in old:
        ticket = tr.ticket
        ref = f"{ticket.day:%Y%m%d}-{ticket.number}"
        if Rating.objects.filter(hall_id=ticket.hall_id, ticket_ref=ref).exists():
            continue
        is_bad = tr.score <= 2
        department_id = tr.window.department_id or (tr.officer.department_id if tr.officer is not None else None)
        rating = Rating.objects.create(
            kind="hall", channel="pad", overall=tr.score, comment=tr.comment, is_bad=is_bad, ticket_ref=ref,
            hall_id=ticket.hall_id, window_id=tr.window_id, officer_id=tr.officer_id, department_id=department_id,
            rated_at=tr.rated_at, rated_on=timezone.localdate(tr.rated_at),
        )
        events = [RatingEvent(rating=rating, at=tr.rated_at, action="rate", label="评价",
                              note=f"窗口评价器：{LEVELS[tr.score]}（由大厅评价器原记录转入）")]
        if is_bad:
            if deadline is None:
                from zhengwu.workdays import engine

                policy = RatingPolicy.objects.filter(key="default").first()
                deadline = engine.due_date(today, policy.rectify_workdays if policy else 15)
            Rectification.objects.create(
                rating=rating, department_id=department_id, hall_id=ticket.hall_id, status="verify", opened_at=now,
                opened_on=today, due_on=deadline.due, due_provisional=deadline.provisional,
            )
            events.append(RatingEvent(rating=rating, at=now, action="open", label="生成差评整改", to_status="verify",
                                      note=f"整改期限 {deadline.due:%Y-%m-%d}"))
        RatingEvent.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0002_default_policy"),
        ("ratings", "0001_initial"),
        ("workdays", "0001_initial"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
