"""延期 (行政许可法第四十二条): decided before the period runs out, once, and by no more than the law
allows for the item: 10 working days on the 20-day rule, 15 on the 45-day rule of joint handling,
another law's figure as catalog data (``ItemVersion.max_extension_days``)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseEvent, Extension
from zhengwu.catalog.services import item_upsert
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.supervision.models import Clock

from .factories import FEES, MATERIALS, STEPS, _fields, applicant, build_world

pytestmark = pytest.mark.django_db
D = dt.date
ACCEPTED = D(2026, 3, 10)  # Tue; 5 working days → due Tue 03-17


@pytest.fixture
def w():
    return build_world()


def accepted(w, item=None) -> Case:
    with clock.frozen(ACCEPTED):
        case = s.case_submit(item=item or w.item, applicant=applicant(), channel="window", officer=w.officer)
        s.case_accept(case=case, officer=w.officer, paper_materials=[m for m in case.item_version.materials
                                                                     .values_list("pk", flat=True)])
    assert case.due_date == D(2026, 3, 17)
    return case


def state(case):
    row = Case.objects.filter(pk=case.pk).values_list("due_date", "extension_days", "row_version").get()
    return row, Extension.objects.filter(case=case).count(), CaseEvent.objects.filter(case=case).count()


def refused(case, code, message, **kw):
    before = state(case)
    with pytest.raises(DomainError) as exc:
        s.case_extend(case=case, head=kw.pop("head"), reason="需征求相关部门意见", **kw)
    assert (exc.value.code, exc.value.message) == (code, message)
    assert state(case) == before
    return exc.value


def _item(w, code, **over):
    item, _ = item_upsert(impl_code=code, department=w.dept, fields=_fields(**over), steps=STEPS,
                          materials=MATERIALS, fees=FEES)
    return item


def test_an_overdue_case_cannot_be_extended(w):
    """The case of the report: a head extended an overdue case by 30 working days."""
    case = accepted(w)
    with clock.frozen(D(2026, 3, 18)):
        exc = refused(case, "deadline_passed", "办结期限已届满，不能延期", head=w.head, days=30)
        refused(case, "deadline_passed", "办结期限已届满，不能延期", head=w.head, days=10)
    assert exc.status == 409


def test_on_the_last_day_of_the_period_it_still_can(w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 17)):
        s.case_extend(case=case, head=w.head, reason="需征求卫生健康部门意见")
    # 10 working days (the default is the item's limit): 18, 19, 20, 23 … 27, 30, 31.
    assert (case.due_date, case.extension_days) == (D(2026, 3, 31), 10)
    clock_row = Clock.objects.get(subject_type="case", subject_id=case.pk, kind_id="case")
    assert clock_row.due_date == D(2026, 3, 31)  # case_clocks_move followed the due date


def test_no_more_than_ten_working_days_on_the_twenty_day_rule(w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 12)):
        refused(case, "extension_days", "该事项最多可延长10个工作日（行政许可法第四十二条），请填写1至10之间的天数",
                head=w.head, days=30)
        s.case_extend(case=case, head=w.head, reason="需征求相关部门意见", days=10)
    assert case.due_date == D(2026, 3, 31)


def test_only_once_and_the_database_says_so_too(w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 12)):
        s.case_extend(case=case, head=w.head, reason="需征求相关部门意见", days=3)
        exc = refused(case, "already_extended", "该办件已延期，不能再次延期", head=w.head, days=3)
    assert exc.status == 409
    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.create(case=case, days=1, reason="绕过服务", approved_by=w.head)


@pytest.mark.parametrize(("over", "limit", "basis"), [
    ({"max_extension_days": 15}, 15, "事项实施清单规定"),
    ({"legal_limit": 45}, 15, "行政许可法第四十二条"),
    ({"max_extension_days": 30}, 30, "事项实施清单规定"),
])
def test_other_limits_come_from_the_catalog(w, over, limit, basis):
    case = accepted(w, _item(w, "SFX-SCJG-009", **over))
    with clock.frozen(D(2026, 3, 12)):
        refused(case, "extension_days", f"该事项最多可延长{limit}个工作日（{basis}），请填写1至{limit}之间的天数",
                head=w.head, days=limit + 1)
        s.case_extend(case=case, head=w.head, reason="需组织专家论证")
    assert case.extension_days == limit


def test_an_item_the_catalog_says_may_not_be_extended(w):
    case = accepted(w, _item(w, "SFX-SCJG-010", max_extension_days=0))
    with clock.frozen(D(2026, 3, 12)):
        refused(case, "extension_not_allowed", "事项“食品经营许可证核发”依法不得延长办理期限", head=w.head)


def test_while_a_special_procedure_stops_the_clock_the_period_has_not_run_out(w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 16)):
        s.case_suspend(case=case, officer=w.chief, kind="expert_review", reason="组织专家评审")
    with clock.frozen(D(2026, 3, 25)):  # past the stored due date, but the clock stood still since 03-16
        s.case_extend(case=case, head=w.head, reason="专家评审后需补充论证", days=5)
    assert case.extension_days == 5


def test_a_procedure_started_after_the_deadline_does_not_reopen_it(w):
    case = accepted(w)
    with clock.frozen(D(2026, 3, 18)):
        s.case_suspend(case=case, officer=w.chief, kind="expert_review", reason="组织专家评审")
    with clock.frozen(D(2026, 3, 19)):
        refused(case, "deadline_passed", "办结期限已届满，不能延期", head=w.head, days=5)
