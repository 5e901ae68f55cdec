"""Table 二: 行政许可 decisions and 行政事业性收费 come from the department's cases (办件)."""

import datetime as dt

import pytest

from zhengwu.cases import services as cs
from zhengwu.cases.models import FeeLine
from zhengwu.cases.tests.factories import applicant, pdf
from zhengwu.cases.tests.factories import build_world as cases_world
from zhengwu.core import clock
from zhengwu.disclosure.models import Body
from zhengwu.disclosure.tables import report_data

pytestmark = pytest.mark.django_db
D = dt.date


def test_licence_decisions_and_fees_paid_in_the_year():
    w = cases_world()
    body = Body.objects.create(code="SFXSCJ", name=w.dept.name, kind=Body.Kind.DEPARTMENT, region=w.county,
                               department=w.dept)
    with clock.frozen(D(2026, 12, 30)):
        case = cs.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen,
                              files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
        cs.case_accept(case=case, officer=w.officer)
        cs.case_review(case=case, officer=w.chief)
        cs.case_decide(case=case, officer=w.head, decision="approve")
        cs.case_submit(item=w.item, applicant=applicant(), channel="online", user=w.citizen)  # not decided
    FeeLine.objects.filter(case=case).update(paid_on=D(2026, 12, 30))
    t2 = report_data(body, 2026).tables["table2"]
    assert (t2["行政许可"], t2["行政事业性收费"]) == ({"本年处理决定数量": 1}, {"本年收费金额": 0.001})
    assert report_data(body, 2027).tables["table2"]["行政许可"] == {"本年处理决定数量": 0}
