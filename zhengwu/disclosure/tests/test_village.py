"""村务公开: the catalogue's calendar, the finance table that must add up, the relief list's masking, the
chain and the period it closes. 2026: 10-01…07 National Day (10-10, a Saturday, is a working day)."""

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.disclosure import village_calendar as vcal
from zhengwu.disclosure.models import (
    FinanceLine,
    Publication,
    PublicationEvent,
    ReliefRow,
    Setting,
    VillageCadence,
    VillageCategory,
    VillageDisclosure,
    VillageDueOverride,
    VillagePeriod,
)
from zhengwu.disclosure.services.village import (
    Line,
    mask_person,
    village_disclosure_act,
    village_periods_open,
)
from zhengwu.disclosure.village_defaults import seed
from zhengwu.supervision.models import Clock

from .village_factories import FINANCE, enter, publish, village_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return village_world()


def snapshot():
    return [m.objects.count() for m in (Publication, PublicationEvent, VillageDisclosure, FinanceLine, ReliefRow,
                                        VillagePeriod, Clock)]


def test_the_catalogue_is_seeded_as_policy_rows():
    seed()  # what migration 0009 runs (a transactional test elsewhere may have flushed its rows)
    assert seed() == 0
    rows = {c.code: (c.catalogue, c.content_kind, c.cadence, c.due_day) for c in VillageCategory.objects.all()}
    assert rows["finance"] == ("village", "finance", "quarter", 10)
    assert rows["relief"] == ("village", "relief", "quarter", 10)
    assert rows["assets"][:3] == ("village", "text", "half")
    assert {k for k, v in rows.items() if v[0] == "party"} == {"party_org", "party_members", "party_dues"}


def test_periods_and_their_keys():
    p = vcal.period_containing(D(2026, 8, 15), "quarter")
    assert (p.start, p.end, p.label, p.key) == (D(2026, 7, 1), D(2026, 9, 30), "2026年第三季度", "2026Q3")
    assert vcal.last_ended(D(2026, 10, 1), "month").key == "2026M09"
    assert vcal.last_ended(D(2026, 1, 5), "half").label == "2025年下半年"
    assert vcal.period_from_key("2026Q3") == p
    assert vcal.period_from_key("2026Y").end == D(2026, 12, 31)
    for bad in ("", "2026Q5", "2026M13", "abcdQ1", "2026Q", "2026\x00", "9999Q1", "2026M1234"):
        assert vcal.period_from_key(bad) is None


def test_the_due_date_follows_the_calendar_and_its_holidays(w):
    finance = VillageCategory.objects.get(code="finance")
    q3 = vcal.period_from_key("2026Q3")
    # the 10th of the month after: Saturday 10-10 is a 调休 working day, so it stays
    assert vcal.due_date(finance, q3, region=w.village_region) == D(2026, 10, 10)
    # an administrator moves the rule to the 5th: in the holiday, so the next working day
    finance.due_day = 5
    finance.save()
    assert vcal.due_date(finance, q3, region=w.village_region) == D(2026, 10, 8)
    finance.roll_to_workday = False
    finance.save()
    assert vcal.due_date(finance, q3, region=w.village_region) == D(2026, 10, 5)
    # and an override row for one period wins
    VillageDueOverride.objects.create(category=finance, period_end=q3.end, due_date=D(2026, 10, 16))
    assert vcal.due_date(finance, q3, region=w.village_region) == D(2026, 10, 16)


def test_a_finance_table_that_does_not_add_up_is_refused_and_nothing_is_written(w):
    before = snapshot()
    cases = [
        ({**FINANCE, "income_total": "57000"}, "收入明细合计58,000.00元，与填报的本期收入合计57,000.00元不符"),
        ({**FINANCE, "expense_total": "45000"}, "支出明细合计45,500.50元，与填报的本期支出合计45,000.00元不符"),
        ({**FINANCE, "closing_balance": "24500"},
         "期初余额12,000.00元＋本期收入58,000.00元－本期支出45,500.50元＝24,499.50元，与填报的期末余额24,500.00元不符"),
        ({**FINANCE, "income": [Line("上级转移支付", "五万")]}, "收入第1行（上级转移支付）的金额“五万”不是有效的金额"),
        ({**FINANCE, "income": [Line("", "50000")]}, "收入第1行：请填写项目名称"),
        ({**FINANCE, "expense": [Line("道路维修", "-1")]}, "支出第1行（道路维修）的金额不能为负数"),
        ({**FINANCE, "opening_balance": "1.234"}, "期初余额应为最多两位小数"),
        ({**FINANCE, "opening_balance": ""}, "请填写期初余额"),
    ]
    for finance, message in cases:
        with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
            enter(w, finance=finance)
        assert message in exc.value.message, exc.value.message
    with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
        enter(w, finance={**FINANCE, "income_total": "1", "closing_balance": "1"})
    assert exc.value.code == "totals" and len(exc.value.details) == 2
    assert exc.value.message.startswith("财务收支表不平衡：") and exc.value.message.endswith("本次未保存。")
    assert snapshot() == before


def test_a_balanced_table_is_stored_with_its_lines_and_the_period_due(w):
    with clock.frozen(D(2026, 10, 9)):
        disc = enter(w)
    pub = disc.publication
    assert (pub.title, pub.category, pub.status, pub.publish_due) == (
        "东关村2026年第三季度财务收支公开", "village_finance", "draft", D(2026, 10, 10))
    assert (disc.opening_balance, disc.income_total, disc.expense_total, disc.closing_balance) == (
        Decimal("12000.00"), Decimal("58000.00"), Decimal("45500.50"), Decimal("24499.50"))
    assert [(ln.direction, ln.item, ln.amount) for ln in disc.finance_lines.all()] == [
        ("expense", "村干部报酬", Decimal("30000.00")), ("expense", "道路维修", Decimal("15500.50")),
        ("income", "上级转移支付", Decimal("50000.00")), ("income", "集体土地承包费", Decimal("8000.00"))]
    assert "期末余额：24,499.50元" in pub.content
    p = disc.period
    assert (p.label, p.due_date, p.state, p.opened_on) == ("2026年第三季度", D(2026, 10, 10), "open", D(2026, 10, 1))
    # the clock was opened with the period (the daily run had not run yet)
    c = Clock.objects.get(subject_type="gk_village_period", subject_id=p.pk)
    assert (c.kind_id, c.due_date, c.region_id, c.officer_id, c.state) == (
        "gk_village", D(2026, 10, 10), w.village_region.pk, w.village_officer.pk, "running")
    # one disclosure per period
    with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
        enter(w)
    assert exc.value.code == "period_taken"


def test_the_cadence_is_the_villages_own(w):
    VillageCadence.objects.create(body=w.village, category=VillageCategory.objects.get(code="finance"),
                                  cadence="month")
    with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
        enter(w, period="2026Q3")
    assert "每月公开" in exc.value.message and "2026M10" in exc.value.message
    with clock.frozen(D(2026, 10, 9)):
        disc = enter(w, period="2026M09")
    assert (disc.period.label, disc.period.due_date) == ("2026年9月", D(2026, 10, 10))
    with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
        enter(w, period="2026M11")
    assert exc.value.message == "2026年11月尚未开始，不能填报"


def test_only_the_villages_officer_enters_and_each_duty_does_its_step(w):
    with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
        enter(w, clerk=w.clerk2)
    assert exc.value.status == 403
    with clock.frozen(D(2026, 10, 9)):
        disc = enter(w)
        village_disclosure_act(disclosure=disc, staff=w.clerk, action="submit")
        with pytest.raises(DomainError) as exc:
            village_disclosure_act(disclosure=disc, staff=w.clerk, action="approve")
        assert exc.value.code == "wrong_duty" and "分管领导" in exc.value.message
        with pytest.raises(DomainError):
            village_disclosure_act(disclosure=disc, staff=w.monitor, action="return")  # a return needs a reason
        village_disclosure_act(disclosure=disc, staff=w.monitor, action="return", note="请补充摘要")
        disc.publication.refresh_from_db()
        assert disc.publication.status == "draft"
        with pytest.raises(DomainError) as exc:
            village_disclosure_act(disclosure=disc, staff=w.clerk, action="nonsense")
        assert exc.value.code == "unknown_action"


def test_publishing_closes_the_period_and_finishes_the_clock(w):
    with clock.frozen(D(2026, 10, 9)):
        disc = publish(w, enter(w))
    p = VillagePeriod.objects.get(pk=disc.period_id)
    assert (p.state, p.published_on, p.late) == ("published", D(2026, 10, 9), False)
    c = Clock.objects.get(subject_type="gk_village_period", subject_id=p.pk)
    assert (c.state, c.finish_reason, c.late) == ("finished", "已公开", False)
    assert [e.action for e in disc.publication.events.all()] == ["create", "submit", "secrecy", "review", "sign",
                                                                  "publish"]


def test_relief_list_names_are_masked_in_the_public_text_and_id_numbers_checked(w):
    with clock.frozen(D(2026, 10, 9)):
        disc = enter(w, "relief")
    text = disc.publication.content
    assert "张*三" in text and "欧阳*娜" in text and "李*" in text
    assert "张小三" not in text and "欧阳娜娜" not in text and "130621" not in text
    assert "合计3户，保障人数6人，每月3,780.00元" in text
    assert [r.name for r in disc.relief_rows.all()] == ["张小三", "欧阳娜娜", "李四"]  # the full data is kept
    Setting.objects.create(key="village_name_mask", value="surname")
    assert (mask_person("张小三"), mask_person("欧阳娜娜"), mask_person("李四")) == ("张**", "欧阳**", "李*")
    before = snapshot()
    from .village_factories import RELIEF, Household

    bad = [*RELIEF[:1], Household("王五", "130621195601010011", "2", "100")]
    with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
        enter(w, "relief", period="2027Q1")
    assert exc.value.code == "period"
    with clock.frozen(D(2026, 10, 9)), pytest.raises(DomainError) as exc:
        enter(w, "relief", period="2026Q2", relief=bad)
    assert exc.value.message.startswith("名单第2行（王五）：身份证号")
    assert snapshot() == before


def test_the_daily_run_opens_each_village_category_once(w):
    with clock.frozen(D(2026, 10, 1)):
        opened = village_periods_open(today=D(2026, 10, 1))
        again = village_periods_open(today=D(2026, 10, 1))
    n = VillageCategory.objects.filter(is_active=True).count()
    assert len(opened) == 2 * n and again == []
    assert Clock.objects.filter(kind_id="gk_village", state="running").count() == 2 * n
    labels = {(p.body.code, p.category.code): (p.label, p.due_date) for p in VillagePeriod.objects.all()}
    assert labels[("DGC", "finance")] == ("2026年第三季度", D(2026, 10, 10))
    assert labels[("DGC", "assets")] == ("2026年上半年", D(2026, 7, 15))  # late already: its clock is red at once
    assert all(c.officer_id in (w.village_officer.pk, w.clerk2.pk) for c in Clock.objects.filter(kind_id="gk_village"))


def test_the_database_refuses_a_finance_row_that_does_not_add_up(w):
    from django.db import IntegrityError, transaction

    with clock.frozen(D(2026, 10, 9)):
        disc = enter(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        VillageDisclosure.objects.filter(pk=disc.pk).update(closing_balance=Decimal("24499.51"))
    VillageDisclosure.objects.filter(pk=disc.pk).update(opening_balance=Decimal("12000.01"),
                                                        closing_balance=Decimal("24499.51"))


def test_a_returned_draft_is_corrected_and_a_bad_correction_changes_nothing(w, client):
    from zhengwu.disclosure.services.village import village_disclosure_update

    with clock.frozen(D(2026, 10, 9)):
        disc = enter(w, "relief")
        village_disclosure_act(disclosure=disc, staff=w.clerk, action="submit")
        village_disclosure_act(disclosure=disc, staff=w.monitor, action="return", note="李四已迁出，请删除")
        before = (list(ReliefRow.objects.values_list("name", "id_number")), Publication.objects.values().get(),
                  PublicationEvent.objects.count())
        with pytest.raises(DomainError) as exc:
            village_disclosure_update(disclosure=disc, officer=w.clerk, relief=[])
        assert exc.value.message == "救助名单至少填写一户"
        with pytest.raises(DomainError) as exc:
            village_disclosure_update(disclosure=disc, officer=w.monitor, relief=[])
        assert exc.value.status == 403
        assert (list(ReliefRow.objects.values_list("name", "id_number")), Publication.objects.values().get(),
                PublicationEvent.objects.count()) == before
        from .village_factories import RELIEF

        village_disclosure_update(disclosure=disc, officer=w.clerk, relief=RELIEF[:2])
    assert [r.name for r in disc.relief_rows.all()] == ["张小三", "欧阳娜娜"]
    disc.publication.refresh_from_db()
    assert "合计2户" in disc.publication.content and disc.publication.publish_due == D(2026, 10, 10)
    client.force_login(w.clerk.user)
    page = client.get(f"/gk/work/village/d/{disc.pk}/edit/").content.decode()
    assert "修改低保、特困供养和临时救助名单" in page and "欧阳娜娜，" in page
    with clock.frozen(D(2026, 10, 9)):
        village_disclosure_act(disclosure=disc, staff=w.clerk, action="submit")
        with pytest.raises(DomainError) as exc:
            village_disclosure_update(disclosure=disc, officer=w.clerk, relief=RELIEF)
    assert exc.value.code == "bad_state"
