"""What the sweep sends and writes: the new cards, the messages to the responsible officer and the
department head, and the 超时默认 notices."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from zhengwu.catalog.models import Item
from zhengwu.core.notify import Message, notify_many
from zhengwu.org.models import Hall, Role, Staff

from ..models import Card, DeemedApproval, SupervisionPolicy
from .bulk import insert_rows

BATCH = 2000


class NewCard(NamedTuple):
    case_id: int
    scope: str
    step: int
    step_name: str
    level: str
    due_date: dt.date
    officer_id: int | None
    department_id: int
    hall_id: int
    case_no: str
    item_id: int


class People:
    """Who answers for a card: the officer of the step and the department head, loaded once per sweep."""

    def __init__(self):
        self.info: dict[int, tuple[str, str, int]] = {}
        self.chiefs: dict[tuple[int, int], int] = {}
        self.heads: dict[int, list[tuple[int, str]]] = {}
        rows = (Staff.objects.filter(is_active=True, roles__code__in=[Role.CHIEF_REP, Role.DEPT_HEAD])
                .order_by("employee_no")
                .values_list("id", "name", "phone", "user_id", "department_id", "hall_id", "region__code",
                             "region__level", "roles__code"))
        for sid, name, phone, user_id, dept, hall, rcode, rlevel, role in rows:
            self.info[sid] = (name, phone, user_id)
            if role == Role.CHIEF_REP and dept and hall:
                self.chiefs.setdefault((dept, hall), sid)
            elif role == Role.DEPT_HEAD and dept:
                prefix = rcode[: {"city": 4, "county": 6, "town": 9, "village": 12}[rlevel]]
                self.heads.setdefault(dept, []).append((sid, prefix))

    def head(self, department_id: int, region_code: str) -> int | None:
        for sid, prefix in self.heads.get(department_id, []):
            if region_code.startswith(prefix):
                return sid
        return None

    def officer(self, role: str, *, department_id: int, hall_id: int, region_code: str,
                handler: int | None) -> int | None:
        if role == Role.CHIEF_REP:
            return self.chiefs.get((department_id, hall_id)) or handler
        if role == Role.DEPT_HEAD:
            return self.head(department_id, region_code) or handler
        return handler

    def load(self, staff_ids) -> None:
        missing = [s for s in staff_ids if s and s not in self.info]
        for i in range(0, len(missing), 900):
            for sid, name, phone, user_id in Staff.objects.filter(pk__in=missing[i:i + 900]).values_list(
                    "id", "name", "phone", "user_id"):
                self.info[sid] = (name, phone, user_id)

    def message(self, staff_id: int, *, kind: str, text: str, data: dict) -> Message:
        name, phone, user_id = self.info[staff_id]
        return Message(to_phone=phone, to_user_id=user_id, kind=kind, text=text, data=data)


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _card_text(level: str, scope: str, step_name: str, case_no: str, item_name: str, due: dt.date) -> str:
    what = "办结期限" if scope == Card.Scope.CASE else f"“{step_name}”环节时限"
    if level == Card.Level.RED:
        return (f"【效能监察·红牌】办件{case_no}（{item_name}）已超过{what}（{_cn(due)}），"
                "请立即办理并说明超期原因。")
    return (f"【效能监察·黄牌】办件{case_no}（{item_name}）的{what}为{_cn(due)}，即将到期，请抓紧办理。")


CARD_COLUMNS = [("case_id", "bigint"), ("scope", "varchar"), ("step", "smallint"), ("step_name", "varchar"),
                ("level", "varchar"), ("due_date", "date"), ("officer_id", "bigint"), ("department_id", "bigint"),
                ("hall_id", "bigint"), ("raised_on", "date"), ("raised_at", "timestamptz"),
                ("cleared_reason", "varchar")]


def insert_cards(cards: list[NewCard], *, today: dt.date, now: dt.datetime) -> list[int]:
    """Insert the new cards; returns their ids in order."""
    return insert_rows(Card, CARD_COLUMNS, [(*c[:9], today, now, "") for c in cards], returning=True)


def notify_cards(cards: list[NewCard], ids: list[int], people: People, halls: dict[int, Hall],
                  policy: SupervisionPolicy) -> int:
    if not cards:
        return 0
    item_names = dict(Item.objects.filter(pk__in={c.item_id for c in cards}).values_list("id", "name"))
    heads = {}
    for c in cards:
        key = (c.department_id, c.hall_id)
        if key not in heads:
            heads[key] = people.head(c.department_id, halls[c.hall_id].region.code) if policy.notify_head else None
    people.load({c.officer_id for c in cards} | set(heads.values()))
    out = []
    for c, card_id in zip(cards, ids, strict=True):
        text = _card_text(c.level, c.scope, c.step_name, c.case_no, item_names[c.item_id], c.due_date)
        data = {"case_no": c.case_no, "card_id": card_id, "level": c.level, "scope": c.scope, "step": c.step}
        for to in dict.fromkeys([c.officer_id, heads[(c.department_id, c.hall_id)]]):
            if to:
                out.append(people.message(to, kind=f"card_{c.level}", text=text, data=data))
    notify_many(out)
    return len(out)


def issue_deemed(rows, today, policy, people: People, halls, steps, cal_by_hall) -> tuple[int, int]:
    """超时默认: the notice, and the department deemed to agree; the department must confirm in writing."""
    reply_workdays = policy.deemed_reply_workdays
    item_names = dict(Item.objects.filter(pk__in={r[5] for r in rows}).values_list("id", "name"))
    names = {r[0]: (r[11], item_names[r[5]]) for r in rows}
    records = []
    for cid, _status, due, k, vid, _item, dept, hall_id, _by, _first, _acc, _no in rows:
        cal = cal_by_hall[hall_id]
        plan = steps.get(vid) or ()
        records.append(DeemedApproval(
            case_id=cid, department_id=dept, notice_no=f"CSMR-{names[cid][0]}", due_date=due, issued_on=today,
            overdue_workdays=cal.count(due, today), reply_by=cal.add(today, reply_workdays),
            step_name=plan[k - 1].name if 1 <= k <= len(plan) else ""))
    DeemedApproval.objects.bulk_create(records, batch_size=BATCH)
    out = []
    for rec, row in zip(records, rows, strict=True):
        head = people.head(rec.department_id, halls[row[7]].region.code)
        handler = row[8] or row[9]
        people.load([head, handler])
        case_no, item_name = names[rec.case_id]
        text = (f"【超时默认通知】办件{case_no}（{item_name}）已超过办结期限（{_cn(rec.due_date)}）"
                f"{rec.overdue_workdays}个工作日，依照超时默认制视为贵单位同意，"
                f"请于{_cn(rec.reply_by)}前出具批准文书。通知单编号：{rec.notice_no}")
        for to in dict.fromkeys([head, handler]):
            if to:
                out.append(people.message(to, kind="deemed_approval", text=text,
                                          data={"case_no": case_no, "notice_no": rec.notice_no}))
    notify_many(out)
    return len(records), len(out)
