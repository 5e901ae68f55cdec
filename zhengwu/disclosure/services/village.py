"""村务公开 and 党务公开: open each period's supervised clock, enter a disclosure, take it through the chain.

The chain is the publication's (提供 → 审核 → 签发 → 公开) with the village's people in the duties:
the 村文书 is the 经办人, the 村务监督委员会 the 分管领导 (审核; its review also covers personal data,
recorded as the 保密审查), the 村党组织书记 or 村委会主任 the 签发人. Publishing the disclosure publishes
the period: its clock (kind ``gk_village``) finishes and its cards clear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_id_number
from zhengwu.org.models import Staff

from .. import clocks as gk_clocks
from .. import village_calendar as vcal
from ..models import (
    Body,
    BodyMember,
    Cadence,
    ContentKind,
    FinanceLine,
    Publication,
    ReliefRow,
    VillageCadence,
    VillageCategory,
    VillageDisclosure,
    VillageDueOverride,
    VillagePeriod,
)
from ..models.village import VillageAction
from ..policy import village_name_mask
from .common import require_duty
from .publications import (
    publication_create,
    publication_publish,
    publication_review,
    publication_secrecy_review,
    publication_sign,
    publication_submit,
    publication_update,
)

D = BodyMember.Duty
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_LINES = 100
MAX_RELIEF_ROWS = 500


ACTIONS = dict(VillageAction.choices)


# -- periods and their clocks ---------------------------------------------------------------------------------


def _officers(body_ids) -> dict[int, int | None]:
    out: dict[int, int | None] = {}
    for body_id, staff_id in (BodyMember.objects.filter(body_id__in=body_ids, duty=D.OFFICER)
                              .order_by("body_id", "staff__employee_no").values_list("body_id", "staff_id")):
        out.setdefault(body_id, staff_id)
    return out


def _new_period(body: Body, category: VillageCategory, period: vcal.Period, today: dt.date, *,
                overrides: dict | None = None) -> VillagePeriod:
    return VillagePeriod(body=body, category=category, cadence=period.cadence, period_start=period.start,
                         period_end=period.end, label=period.label,
                         due_date=vcal.due_date(category, period, region=body.region, overrides=overrides),
                         opened_on=min(today, period.end + dt.timedelta(days=1)))


def village_periods_open(*, today: dt.date | None = None) -> list[VillagePeriod]:
    """The daily run: for every active village and category, the period that ended last is opened (with
    its supervised clock, due on the calendar's day) unless it already is. Returns what was opened."""
    today = today or clock.today()
    bodies = list(Body.objects.filter(kind=Body.Kind.VILLAGE, is_active=True).select_related("region__parent"))
    categories = list(VillageCategory.objects.filter(is_active=True))
    if not bodies or not categories:
        return []
    cadences = {(b, c): k for b, c, k in VillageCadence.objects.values_list("body_id", "category_id", "cadence")}
    wanted = []
    for body in bodies:
        for cat in categories:
            wanted.append((body, cat, vcal.last_ended(today, vcal.cadence_for(body, cat, cadences))))
    ends = {p.end for _, _, p in wanted}
    have = set(VillagePeriod.objects.filter(period_end__in=ends).values_list("body_id", "category_id",
                                                                             "period_start", "period_end"))
    overrides = {(c, e): d for c, e, d in VillageDueOverride.objects.filter(period_end__in=ends)
                 .values_list("category_id", "period_end", "due_date")}
    new = [_new_period(b, c, p, today, overrides=overrides) for b, c, p in wanted
           if (b.pk, c.pk, p.start, p.end) not in have]
    if not new:
        return []
    with transaction.atomic():
        created = VillagePeriod.objects.bulk_create(new, batch_size=500)
        if any(p.pk is None for p in created):  # backends without RETURNING ids: read them back
            keys = {(p.body_id, p.category_id, p.period_start, p.period_end): p for p in created}
            for row in VillagePeriod.objects.filter(period_end__in=ends, state=VillagePeriod.State.OPEN):
                if (k := (row.body_id, row.category_id, row.period_start, row.period_end)) in keys:
                    keys[k].pk = row.pk
        gk_clocks.village_clock_start_many(created, officers=_officers({p.body_id for p in created}))
    return created


def village_period_ensure(*, body: Body, category: VillageCategory, period: vcal.Period) -> VillagePeriod:
    """The period's row (and clock), opened now if the daily run has not opened it yet."""
    row = VillagePeriod.objects.filter(body=body, category=category, period_start=period.start,
                                       period_end=period.end).first()
    if row is not None:
        return row
    row = _new_period(body, category, period, clock.today())
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            gk_clocks.village_clock_start_many([row], officers=_officers([body.pk]))
    except IntegrityError:  # opened at the same moment by the daily run or another entry
        return VillagePeriod.objects.get(body=body, category=category, period_start=period.start,
                                         period_end=period.end)
    return row


# -- entering a disclosure ------------------------------------------------------------------------------------------


@dataclass
class Line:
    item: str
    amount: object
    note: str = ""


@dataclass
class Household:
    name: str
    id_number: str
    household_size: object
    amount: object
    relief_type: str = "低保"


def parse_amount(value, what: str, *, allow_negative: bool = False) -> Decimal:
    """An amount in 元 with at most two decimals; a clear message naming ``what`` otherwise."""
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        raise DomainError("amount_required", f"请填写{what}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError("amount", f"{what}“{text[:20]}”不是有效的金额") from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) > MAX_AMOUNT:
        raise DomainError("amount", f"{what}应为最多两位小数、不超过一万亿元的金额")
    if amount < 0 and not allow_negative:
        raise DomainError("amount", f"{what}不能为负数")
    return amount.quantize(CENT)


def _yuan(d: Decimal) -> str:
    return f"{d:,.2f}"


def clean_finance(*, opening_balance, income_total, expense_total, closing_balance, income=(), expense=()) -> dict:
    """The 财务收支表 checked: every line named and priced, the declared totals the sums of the lines,
    and 期初余额 + 本期收入 − 本期支出 = 期末余额. Raises with the numbers in the message."""
    lines = []
    for direction, rows, label in ((FinanceLine.Direction.INCOME, income, "收入"),
                                   (FinanceLine.Direction.EXPENSE, expense, "支出")):
        rows = [r for r in rows if str(r.item or "").strip() or str(r.amount or "").strip()]
        if len(rows) > MAX_LINES:
            raise DomainError("too_many_lines", f"{label}明细最多{MAX_LINES}行")
        for i, r in enumerate(rows, 1):
            item = str(r.item or "").strip()
            if not item:
                raise DomainError("line_item", f"{label}第{i}行：请填写项目名称")
            if len(item) > 60 or len(str(r.note or "")) > 100:
                raise DomainError("line_item", f"{label}第{i}行：项目名称最多60字，摘要最多100字")
            lines.append(FinanceLine(direction=direction, item=item, note=str(r.note or "").strip(), order=i,
                                     amount=parse_amount(r.amount, f"{label}第{i}行（{item}）的金额")))
    opening = parse_amount(opening_balance, "期初余额", allow_negative=True)
    declared_in = parse_amount(income_total, "本期收入合计")
    declared_out = parse_amount(expense_total, "本期支出合计")
    closing = parse_amount(closing_balance, "期末余额", allow_negative=True)
    sum_in = sum((ln.amount for ln in lines if ln.direction == FinanceLine.Direction.INCOME), Decimal("0.00"))
    sum_out = sum((ln.amount for ln in lines if ln.direction == FinanceLine.Direction.EXPENSE), Decimal("0.00"))
    problems = []
    if sum_in != declared_in:
        problems.append(f"收入明细合计{_yuan(sum_in)}元，与填报的本期收入合计{_yuan(declared_in)}元不符")
    if sum_out != declared_out:
        problems.append(f"支出明细合计{_yuan(sum_out)}元，与填报的本期支出合计{_yuan(declared_out)}元不符")
    expected = opening + declared_in - declared_out
    if expected != closing:
        problems.append(f"期初余额{_yuan(opening)}元＋本期收入{_yuan(declared_in)}元－本期支出{_yuan(declared_out)}元"
                        f"＝{_yuan(expected)}元，与填报的期末余额{_yuan(closing)}元不符")
    if problems:
        raise DomainError("totals", "财务收支表不平衡：" + "；".join(problems) + "。请核对后重新填报，本次未保存。",
                          details=problems)
    return {"opening_balance": opening, "income_total": declared_in, "expense_total": declared_out,
            "closing_balance": closing, "lines": lines}


def clean_relief(rows, *, today: dt.date) -> list[ReliefRow]:
    rows = [r for r in rows if any(str(getattr(r, f) or "").strip() for f in ("name", "id_number", "amount"))]
    if not rows:
        raise DomainError("relief_empty", "救助名单至少填写一户")
    if len(rows) > MAX_RELIEF_ROWS:
        raise DomainError("relief_too_many", f"救助名单一次最多{MAX_RELIEF_ROWS}户")
    out, seen = [], set()
    for i, r in enumerate(rows, 1):
        name = str(r.name or "").strip()
        if not name or len(name) > 30:
            raise DomainError("relief_name", f"名单第{i}行：请填写户主姓名（最多30字）")
        try:
            id_number = validate_id_number(str(r.id_number or ""), today=today)
        except DomainError as exc:
            raise DomainError("relief_id_number", f"名单第{i}行（{name}）：{exc.message}") from None
        if id_number in seen:
            raise DomainError("relief_duplicate", f"名单第{i}行（{name}）：身份证号与前面的行重复")
        seen.add(id_number)
        size = str(r.household_size or "").strip()
        if not size.isdigit() or not 1 <= int(size) <= 30:
            raise DomainError("relief_size", f"名单第{i}行（{name}）：保障人数应为1至30的整数")
        kind = str(r.relief_type or "").strip() or "低保"
        if len(kind) > 20:
            raise DomainError("relief_type", f"名单第{i}行（{name}）：救助类别最多20字")
        amount = parse_amount(r.amount, f"名单第{i}行（{name}）的保障金额")
        if amount > Decimal("99999999.99"):
            raise DomainError("amount", f"名单第{i}行（{name}）的保障金额过大")
        out.append(ReliefRow(relief_type=kind, name=name, id_number=id_number, household_size=int(size),
                             amount=amount, order=i))
    return out


def mask_person(name: str, style: str | None = None) -> str:
    """The name as a public list shows it: ``middle`` 张*三, 欧阳*娜, 李* (surname and last character kept),
    ``surname`` 张**, 欧阳** (the surname only, 复姓 kept whole). The style is policy (``village_name_mask``)."""
    from zhengwu.core.validators import COMPOUND_SURNAMES, mask_name

    name = (name or "").strip()
    style = style or village_name_mask()
    keep = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    if style == "surname" or len(name) - keep <= 1:
        return mask_name(name)
    return name[:keep] + "*" * (len(name) - keep - 1) + name[-1]


def _finance_text(data: dict) -> str:
    rows = [f"期初余额：{_yuan(data['opening_balance'])}元", f"本期收入合计：{_yuan(data['income_total'])}元"]
    rows += [f"  {ln.item}：{_yuan(ln.amount)}元{('（' + ln.note + '）') if ln.note else ''}"
             for ln in data["lines"] if ln.direction == FinanceLine.Direction.INCOME]
    rows.append(f"本期支出合计：{_yuan(data['expense_total'])}元")
    rows += [f"  {ln.item}：{_yuan(ln.amount)}元{('（' + ln.note + '）') if ln.note else ''}"
             for ln in data["lines"] if ln.direction == FinanceLine.Direction.EXPENSE]
    rows.append(f"期末余额：{_yuan(data['closing_balance'])}元")
    return "\n".join(rows)


def _relief_text(rows: list[ReliefRow]) -> str:
    """The public text of a relief list: masked names, masked 身份证号 never (only on the staff's pages)."""
    style = village_name_mask()
    total = sum((r.amount for r in rows), Decimal("0.00"))
    lines = [f"{r.relief_type} {mask_person(r.name, style)} 保障人数{r.household_size}人 每月{_yuan(r.amount)}元"
             for r in rows]
    return "\n".join([*lines, f"合计{len(rows)}户，保障人数{sum(r.household_size for r in rows)}人，"
                                f"每月{_yuan(total)}元"])


def _period_for(body: Body, category: VillageCategory, period_key: str, today: dt.date) -> vcal.Period:
    period = vcal.period_from_key(period_key)
    cadence = vcal.cadence_for(body, category)
    if period is None or period.cadence != cadence:
        example = vcal.period_containing(today, cadence)
        raise DomainError("period", f"{body.name}的“{category.name}”{Cadence(cadence).label}公开，"
                                    f"请选择相应的期间（如 {example.key}：{example.label}）")
    if period.start > today:
        raise DomainError("period", f"{period.label}尚未开始，不能填报")
    if period.end < today - dt.timedelta(days=3 * 366):
        raise DomainError("period", f"{period.label}已超过三年，不能补填")
    return period


@dataclass
class _Content:
    fields: dict
    lines: list
    households: list
    text: str
    title: str


def _content(body: Body, cat: VillageCategory, period: vcal.Period, *, title: str, content: str,
             finance: dict | None, relief: list[Household] | None, today: dt.date) -> _Content:
    """Everything a disclosure stores, checked before anything is written."""
    fields: dict = {}
    lines: list[FinanceLine] = []
    households: list[ReliefRow] = []
    extra = (content or "").strip()
    if cat.content_kind == ContentKind.FINANCE:
        data = clean_finance(**(finance or {}))
        lines = data.pop("lines")
        fields = data
        text = _finance_text({**data, "lines": lines})
    elif cat.content_kind == ContentKind.RELIEF:
        households = clean_relief(relief or [], today=today)
        text = _relief_text(households)
    else:
        if not extra:
            raise DomainError("content_required", "请填写公开内容")
        text, extra = extra, ""
    if extra:
        text = f"{text}\n\n说明：{extra}"
    short = body.name.removesuffix("村民委员会").removesuffix("居民委员会")
    title = (title or "").strip() or f"{short}{period.label}{cat.name}公开"
    if len(title) > 200:
        raise DomainError("title", "标题最多200字")
    return _Content(fields, lines, households, text, title)


def _store_rows(disc: VillageDisclosure, c: _Content) -> None:
    for ln in c.lines:
        ln.disclosure = disc
    FinanceLine.objects.bulk_create(c.lines)
    for h in c.households:
        h.disclosure = disc
    ReliefRow.objects.bulk_create(c.households)


def village_disclosure_create(*, body: Body, officer: Staff, category: str, period_key: str, title: str = "",
                              content: str = "", finance: dict | None = None,
                              relief: list[Household] | None = None) -> VillageDisclosure:
    """提供: the village's 经办人 enters the disclosure of one category and period (a draft).

    ``finance``: ``clean_finance``'s keywords (a table that does not add up is refused, nothing written);
    ``relief``: the households of the list. The publication's text is made from the table; a relief
    list's public text carries masked names only."""
    if body.kind != Body.Kind.VILLAGE:
        raise DomainError("not_village", "村务公开仅由村（居）民委员会填报")
    require_duty(officer, body, D.OFFICER, action="填报村务公开")
    cat = VillageCategory.objects.filter(code=category, is_active=True).first()
    if cat is None:
        raise DomainError("category", "请选择村务（党务）公开目录中的公开事项")
    today = clock.today()
    period = _period_for(body, cat, period_key, today)
    c = _content(body, cat, period, title=title, content=content, finance=finance, relief=relief, today=today)
    with transaction.atomic():
        row = village_period_ensure(body=body, category=cat, period=period)
        row = VillagePeriod.objects.select_for_update().get(pk=row.pk)
        if row.state == VillagePeriod.State.PUBLISHED or row.disclosures.exists():
            existing = row.disclosures.select_related("publication").first()
            where = f"（索引号{existing.publication.index_no}）" if existing else ""
            raise DomainError("period_taken", f"{row.label}的“{cat.name}”已有公开内容{where}，请在原稿上修改",
                              status=409)
        pub = publication_create(body=body, officer=officer, title=c.title, category=cat.pub_category,
                                 topic=cat.get_catalogue_display(), content=c.text, made_on=today)
        Publication.objects.filter(pk=pub.pk).update(publish_due=row.due_date, publish_due_provisional=False)
        pub.publish_due, pub.publish_due_provisional = row.due_date, False
        disc = VillageDisclosure.objects.create(publication=pub, period=row, content_kind=cat.content_kind,
                                                created_by=officer, **c.fields)
        _store_rows(disc, c)
    return disc


def village_disclosure_update(*, disclosure: VillageDisclosure, officer: Staff, title: str = "", content: str = "",
                              finance: dict | None = None,
                              relief: list[Household] | None = None) -> VillageDisclosure:
    """Change a draft (one sent back by the 村务监督委员会): the table or list is replaced as a whole,
    checked as on entry; a table that does not add up changes nothing."""
    pub = disclosure.publication
    require_duty(officer, pub.body, D.OFFICER, action="修改村务公开")
    period = disclosure.period
    cat = period.category
    today = clock.today()
    c = _content(pub.body, cat, vcal.Period(period.cadence, period.period_start, period.period_end), title=title,
                 content=content, finance=finance, relief=relief, today=today)
    with transaction.atomic():
        publication_update(publication=pub, officer=officer, title=c.title, content=c.text, made_on=today)
        Publication.objects.filter(pk=pub.pk).update(publish_due=period.due_date, publish_due_provisional=False)
        pub.publish_due, pub.publish_due_provisional = period.due_date, False
        VillageDisclosure.objects.filter(pk=disclosure.pk).update(
            **{k: c.fields.get(k) for k in ("opening_balance", "income_total", "expense_total", "closing_balance")})
        disclosure.finance_lines.all().delete()
        disclosure.relief_rows.all().delete()
        _store_rows(disclosure, c)
    disclosure.refresh_from_db()
    return disclosure


# -- the chain ----------------------------------------------------------------------------------------------------------


def village_disclosure_act(*, disclosure: VillageDisclosure, staff: Staff, action: str,
                           note: str = "") -> VillageDisclosure:
    """One step of the chain by name (``ACTIONS``); ``publish`` also closes the period and its clock."""
    pub = disclosure.publication
    if action == VillageAction.SUBMIT:
        publication_submit(publication=pub, officer=staff, note=note)
    elif action == VillageAction.APPROVE:
        with transaction.atomic():
            publication_secrecy_review(publication=pub, reviewer=staff, passed=True,
                                       note="已核对个人信息按规定隐去")
            publication_review(publication=pub, reviewer=staff, approve=True, note=note or "村务监督委员会审核同意")
    elif action == VillageAction.RETURN:
        publication_review(publication=pub, reviewer=staff, approve=False, note=note)
    elif action == VillageAction.SIGN:
        publication_sign(publication=pub, signer=staff, note=note)
    elif action == VillageAction.PUBLISH:
        village_disclosure_publish(disclosure=disclosure, officer=staff)
    else:
        raise NotFound(f"没有“{action[:20]}”这个操作", code="unknown_action")
    return disclosure


def village_disclosure_publish(*, disclosure: VillageDisclosure, officer: Staff) -> VillageDisclosure:
    """公开: the publication goes public, the period is published (late or not) and its clock finishes."""
    require_duty(officer, disclosure.publication.body, D.OFFICER, action="公开")
    today = clock.today()
    with transaction.atomic():
        period = VillagePeriod.objects.select_for_update().select_related("body", "category").get(
            pk=disclosure.period_id)
        if period.state == VillagePeriod.State.PUBLISHED:
            raise DomainError("bad_state", f"{period.label}的“{period.category.name}”已经公开", status=409)
        publication_publish(publication=disclosure.publication, officer=officer)
        VillagePeriod.objects.filter(pk=period.pk).update(state=VillagePeriod.State.PUBLISHED, published_on=today)
        period.state, period.published_on = VillagePeriod.State.PUBLISHED, today
        gk_clocks.village_clock_finish(period)
        audit_record(actor=officer.user, action="publish", obj=period,
                     summary=f"村务公开：{period}{'（逾期）' if period.late else ''}")
    disclosure.period = period
    return disclosure


def village_disclosure_get_for_staff(*, pk: int, staff: Staff) -> VillageDisclosure:
    """A disclosure for the village's own staff (any duty); anyone else gets the same 404 as a wrong id."""
    from .common import duties_of

    disc = (VillageDisclosure.objects.filter(pk=pk)
            .select_related("publication__body__region", "period__category", "created_by").first())
    if disc is None or not duties_of(staff, disc.publication.body):
        raise NotFound("未找到该村务公开")
    return disc


__all__ = ["ACTIONS", "Household", "Line", "VillageAction", "clean_finance", "clean_relief", "mask_person",
           "parse_amount", "village_disclosure_act", "village_disclosure_create", "village_disclosure_get_for_staff",
           "village_disclosure_publish", "village_disclosure_update", "village_period_ensure", "village_periods_open"]
