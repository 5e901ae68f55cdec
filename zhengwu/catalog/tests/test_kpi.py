"""Catalog KPIs against a small catalog whose figures are worked out by hand below."""

from __future__ import annotations

import pytest

from zhengwu.catalog.kpi import CatalogKpi, catalog_kpi_by_department, catalog_kpi_overall
from zhengwu.portal.tests.factories import DepartmentFactory, RegionFactory, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    """Eight active items in two departments, plus a suspended one in a third.

    | item | dept | 法定            | 承诺     | visits | depth |
    |------|------|-----------------|----------|--------|-------|
    | A1   | A    | 20 工作日       | 0 (即办) | 0      | 6     |
    | A2   | A    | 20 工作日       | 5        | 1      | 5     |
    | A3   | A    | none            | 3        | 1      | 2     |
    | A4   | A    | 10 工作日       | 5        | 2      | 4     |
    | A5   | A    | 60 自然日       | 10 工作日 | 1     | 1     |
    | B1   | B    | 10 工作日       | 0 (即办) | 0      | 7     |
    | B2   | B    | 10 工作日       | 5        | 2      | 3     |
    | B3   | B    | 10 自然日       | 0 (即办) | 0      | 5     |
    | S    | C    | 100 (suspended) | 0        | 0      | 7     |

    A3 has no statutory limit and A5 mixes units: both are out of the compression ratio.
    B3 is immediate, and 0 is 0 in any unit, so it stays in.
    """
    a = DepartmentFactory(code="A01", name="县市场监督管理局")
    b = DepartmentFactory(code="B01", name="县民政局")
    c = DepartmentFactory(code="C01", name="县文化广电旅游局")
    make_item("A1", department=a, legal_limit=20, promised_limit=0, visits=0, online_depth=6)
    make_item("A2", department=a, legal_limit=20, promised_limit=5, visits=1, online_depth=5)
    make_item("A3", department=a, legal_limit=None, promised_limit=3, visits=1, online_depth=2)
    make_item("A4", department=a, legal_limit=10, promised_limit=5, visits=2, online_depth=4)
    make_item(
        "A5",
        department=a,
        legal_limit=60,
        legal_limit_unit="calendar_day",
        promised_limit=10,
        visits=1,
        online_depth=1,
    )
    make_item("B1", department=b, legal_limit=10, promised_limit=0, visits=0, online_depth=7)
    make_item("B2", department=b, legal_limit=10, promised_limit=5, visits=2, online_depth=3)
    make_item(
        "B3",
        department=b,
        legal_limit=10,
        legal_limit_unit="calendar_day",
        promised_limit=0,
        visits=0,
        online_depth=5,
    )
    make_item(
        "S", department=c, legal_limit=100, promised_limit=0, visits=0, online_depth=7, status="suspended"
    )
    return a, b, c


def test_overall_kpis(catalog):
    kpi = catalog_kpi_overall()

    assert kpi.total == 8  # S is suspended
    assert kpi.immediate == 3  # A1, B1, B3
    assert kpi.immediate_rate == 0.375
    assert kpi.with_legal_limit == 6  # A3 (no limit) and A5 (mixed units) left out
    assert (kpi.legal_days, kpi.promised_days) == (80, 15)
    assert kpi.compression_ratio == 0.8125  # (80 - 15) / 80
    assert kpi.online_rate == 0.875  # all but A5
    assert kpi.full_online_rate == 0.5  # A1, A2, B1, B3
    assert kpi.zero_visit_rate == 0.375  # A1, B1, B3
    assert kpi.at_most_one_visit_rate == 0.75  # all but A4, B2


def test_per_department_kpis_in_one_query(catalog, django_assert_num_queries):
    a, b, _c = catalog

    with django_assert_num_queries(1):
        rows = catalog_kpi_by_department()

    assert [(r.department_id, r.department_name) for r in rows] == [(a.id, a.name), (b.id, b.name)]
    dept_a, dept_b = rows
    assert dept_a.total == 5
    assert dept_a.ratios() == {
        "immediate_rate": 0.2,
        "compression_ratio": 0.8,  # (50 - 10) / 50: A1, A2, A4
        "online_rate": 0.8,
        "full_online_rate": 0.4,
        "zero_visit_rate": 0.2,
        "at_most_one_visit_rate": 0.8,
    }
    assert dept_b.total == 3
    assert dept_b.ratios() == {
        "immediate_rate": 2 / 3,
        "compression_ratio": 25 / 30,
        "online_rate": 1.0,
        "full_online_rate": 2 / 3,
        "zero_visit_rate": 2 / 3,
        "at_most_one_visit_rate": 2 / 3,
    }


def test_per_department_counts_add_up_to_overall(catalog):
    rows = catalog_kpi_by_department()
    overall = catalog_kpi_overall()

    for field in [
        "total",
        "immediate",
        "with_legal_limit",
        "legal_days",
        "promised_days",
        "online",
        "full_online",
        "zero_visit",
        "at_most_one_visit",
    ]:
        assert sum(getattr(r, field) for r in rows) == getattr(overall, field), field


def test_region_scope_leaves_out_other_counties(catalog):
    county = RegionFactory()
    other = RegionFactory(code="330522000000", name="长兴县")
    make_item("外县事项", department=DepartmentFactory(region=other), promised_limit=0, visits=0)

    assert catalog_kpi_overall().total == 9
    assert catalog_kpi_overall(region=county).total == 8
    assert catalog_kpi_overall(region=other).total == 1


def test_empty_catalog_has_no_ratios():
    kpi = catalog_kpi_overall()

    assert kpi == CatalogKpi()
    assert set(kpi.ratios().values()) == {None}
    assert catalog_kpi_by_department() == []
