"""Importing an upstream system's Excel export: good files, bad rows named, nothing half-imported."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.agency import services
from zhengwu.agency.models import AgreementEvent, UpstreamStep
from zhengwu.agency.upstream import HEADERS
from zhengwu.core import clock
from zhengwu.core.errors import DomainError
from zhengwu.core.testing import upload

from .factories import DAY, active, build_world, xlsx_upload

pytestmark = pytest.mark.django_db

LATER = dt.date(2026, 3, 20)


@pytest.fixture
def w():
    return build_world()


def _import(w, a, f):
    with clock.frozen(LATER):
        return services.upstream_import(agreement=a, staff=w.agent, file=f)


def test_good_file_then_the_same_export_with_results(w):
    a = active(w, items=[w.eia, w.water])
    rows = [
        ("SFX-HB-001", "示范市生态环境局", "受理", dt.date(2026, 3, 3), "", None, ""),
        ("SFX-HB-001", "示范市生态环境局", "技术评估", "2026-03-05", "", "", ""),
        ("SFX-HB-002", "河北省水利厅", "受理", "2026年3月4日", "受理", "2026/3/4", ""),
    ]
    r = _import(w, a, xlsx_upload(rows))
    assert (r.created, r.updated) == (3, 0)
    steps = list(UpstreamStep.objects.filter(agreement=a).order_by("filed_on", "id"))
    assert [(s.step_name, s.filed_on, s.source) for s in steps] == [
        ("受理", dt.date(2026, 3, 3), "import"), ("受理", dt.date(2026, 3, 4), "import"),
        ("技术评估", dt.date(2026, 3, 5), "import")]
    rows[1] = ("SFX-HB-001", "示范市生态环境局", "技术评估", "2026-03-05", "通过", "2026-03-16", "示环评〔2026〕3号")
    r = _import(w, a, xlsx_upload(rows))
    assert (r.created, r.updated) == (0, 1)
    s = UpstreamStep.objects.get(agreement=a, step_name="技术评估")
    assert (s.result, s.result_on, s.document_no) == ("通过", dt.date(2026, 3, 16), "示环评〔2026〕3号")


def test_columns_in_any_order_and_extra_columns(w):
    a = active(w)
    header = ["备注", *reversed(HEADERS)]
    row = ["x", "", "", "", "2026-03-03", "受理", "示范市生态环境局", "SFX-HB-001"]
    r = _import(w, a, xlsx_upload([row], header=header))
    assert r.created == 1


def test_bad_rows_named_and_nothing_imported(w):
    a = active(w)
    events = AgreementEvent.objects.filter(agreement=a).count()
    rows = [
        ("SFX-HB-001", "示范市生态环境局", "受理", "2026-03-03", "", "", ""),      # row 2 good
        ("SFX-HB-001", "", "审查", "2026-03-04", "", "", ""),                   # row 3 no department
        ("SFX-HB-001", "示范市生态环境局", "审查", "明天", "", "", ""),             # row 4 bad date
        (None, None, None, None, None, None, None),                             # row 5 empty: skipped
        ("SFX-HB-001", "示范市生态环境局", "决定", "2026-03-06", "准予", "2026-03-05", ""),  # row 6 result before
    ]
    with pytest.raises(DomainError) as e:
        _import(w, a, xlsx_upload(rows))
    assert e.value.code == "import_rows"
    assert [d["row"] for d in e.value.details] == [3, 4, 6]
    assert "第3行" in e.value.message and "第4行" in e.value.message and "第6行" in e.value.message
    assert "未导入任何数据" in e.value.message
    assert UpstreamStep.objects.count() == 0
    assert AgreementEvent.objects.filter(agreement=a).count() == events


def test_rows_failing_business_rules_refuse_the_file(w):
    a = active(w)
    rows = [
        ("SFX-HB-001", "示范市生态环境局", "受理", "2026-03-03", "", "", ""),
        ("SFX-HB-003", "示范县生态环境局", "受理", "2026-03-03", "", "", ""),   # not covered
        ("NOPE-1", "某局", "受理", "2026-03-03", "", "", ""),                  # unknown item
        ("SFX-HB-001", "示范市生态环境局", "受理", "2026-03-03", "", "", ""),   # duplicate of row 2
        ("SFX-HB-001", "示范市生态环境局", "受理", "2026-02-27", "", "", ""),   # before signing
    ]
    with pytest.raises(DomainError) as e:
        _import(w, a, xlsx_upload(rows))
    assert [d["row"] for d in e.value.details] == [3, 4, 5, 6]
    assert UpstreamStep.objects.count() == 0


def test_wrong_header_and_wrong_file(w):
    a = active(w)
    with pytest.raises(DomainError) as e:
        _import(w, a, xlsx_upload([("a", "b")], header=["事项", "部门"]))
    assert e.value.code == "import_header" and "报送日期" in e.value.message
    with pytest.raises(DomainError) as e:
        _import(w, a, upload("export.pdf"))
    assert e.value.code == "file_type"
    with pytest.raises(DomainError) as e:
        _import(w, a, upload("export.xlsx", b"PK\x03\x04 not really"))
    assert e.value.code in ("file_content", "file_type")
    with pytest.raises(DomainError) as e:
        _import(w, a, xlsx_upload([]))
    assert e.value.code == "import_empty"
    assert UpstreamStep.objects.count() == 0


def test_import_refused_before_signing(w):
    from .factories import draft

    a = draft(w)
    with pytest.raises(DomainError) as e:
        _import(w, a, xlsx_upload([("SFX-HB-001", "示范市生态环境局", "受理", "2026-03-03", "", "", "")]))
    assert e.value.code == "bad_state"
    assert UpstreamStep.objects.count() == 0
    assert DAY
