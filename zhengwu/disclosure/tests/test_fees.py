"""信息处理费 by 国办函〔2020〕109号: 按件 or 按量, 超额累进, never both; the bands are editable data."""

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import ClockStop, FeeBand, InfoRequest, ReqStatus
from zhengwu.disclosure.policy import fee_amount

from .factories import build_world, person, person_n

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(("n", "amount"), [
    (1, "0.00"), (10, "0.00"), (11, "100.00"), (30, "100.00"), (31, "200.00"), (40, "200.00"), (41, "300.00"),
    (51, "400.00"),
])
def test_per_request_band_of_the_nth_request_in_the_month(n, amount):
    assert fee_amount("per_request", n) == Decimal(amount)


@pytest.mark.parametrize(("pages", "amount"), [
    (30, "0.00"), (31, "10.00"), (100, "700.00"), (101, "720.00"), (200, "2700.00"), (201, "2740.00"),
    (250, "4700.00"),
])
def test_per_page_is_progressive(pages, amount):
    assert fee_amount("per_page", pages) == Decimal(amount)


def test_the_bands_are_data_an_admin_edits():
    FeeBand.objects.filter(method="per_page", lower=31).update(unit_price=5)
    assert fee_amount("per_page", 100) == Decimal("350.00")


def test_the_11th_request_of_a_month_costs_100_and_one_method_only():
    w = build_world()
    with clock.frozen(D(2026, 5, 11)):
        reqs = [s.request_file(body=w.scj, applicant=person(), description=f"第{i}项信息", channel="in_person",
                               officer=w.officer) for i in range(1, 12)]
        other = s.request_file(body=w.scj, applicant=person_n(7), description="别人的申请", channel="in_person",
                               officer=w.officer)
        tenth, eleventh = reqs[9], reqs[10]
        s.request_assess_fee(request=tenth, officer=w.officer, method="per_request")
        assert (tenth.status, tenth.fee_units, tenth.fee_amount) == (ReqStatus.PROCESSING, 10, Decimal("0.00"))
        s.request_assess_fee(request=other, officer=w.officer, method="per_request")
        assert (other.fee_units, other.fee_amount) == (1, Decimal("0.00"))
        s.request_assess_fee(request=eleventh, officer=w.officer, method="per_request")
        assert (eleventh.status, eleventh.fee_units, eleventh.fee_amount, eleventh.fee_notice_on) == (
            ReqStatus.FEE_NOTICE, 11, Decimal("100.00"), D(2026, 5, 11))
        before = InfoRequest.objects.filter(pk=eleventh.pk).values().get()
        with pytest.raises(DomainError) as exc:
            s.request_assess_fee(request=eleventh, officer=w.officer, method="per_page", pages=40)
        assert exc.value.code == "fee_once"
        assert InfoRequest.objects.filter(pk=eleventh.pk).values().get() == before
        first = reqs[0]
        with pytest.raises(DomainError) as exc:
            s.request_assess_fee(request=first, officer=w.officer, method="per_request", pages=40)
        assert exc.value.message == "按件计收时不再按页数计费，两种标准不得同时适用"
        assert InfoRequest.objects.get(pk=first.pk).fee_method == ""
    assert ClockStop.objects.filter(request=eleventh, kind="fee").count() == 1
