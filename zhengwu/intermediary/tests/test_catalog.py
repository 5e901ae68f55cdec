"""The service list: listing with a legal basis, the item links and their refusals, the 办事指南 list."""

from __future__ import annotations

import pytest

from zhengwu.catalog.tests import factories as cf
from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.intermediary.models import Event, LinkStage, Service, ServiceLink, ServiceStatus
from zhengwu.intermediary.services import catalog
from zhengwu.intermediary.services.common import RULES
from zhengwu.intermediary.tests.factories import DAY, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    with clock.frozen(DAY):
        yield build_world()


def _new(w, **over):
    values = dict(region=w.county, code="ZJ010", name="水土保持方案编制", basis="《中华人民共和国水土保持法》第二十五条",
                  department=w.nature, time_limit=20, qualifications=[w.q_survey], category="评估",
                  actor=w.admin.user)
    values.update(over)
    return catalog.service_upsert(**values)


def test_service_upsert_lists_then_updates_and_records_events(w):
    with clock.frozen(DAY):
        s = _new(w)
        assert (s.code, s.status, s.time_limit, s.fee_mode) == ("ZJ010", ServiceStatus.ACTIVE, 20, "market")
        assert list(s.qualifications.values_list("code", flat=True)) == ["CH"]
        again = _new(w, name="编制水土保持方案", time_limit=15, qualifications=[], fee_mode="standard",
                     fee_standard="按投资额0.1%")
    assert again.pk == s.pk
    s.refresh_from_db()
    assert (s.name, s.time_limit, s.fee_mode, s.qualifications.count()) == ("编制水土保持方案", 15, "standard", 0)
    events = list(Event.objects.filter(action="service_upsert").values_list("label", "note"))
    assert events == [("登记中介服务事项", "列入清单：水土保持方案编制"), ("登记中介服务事项", "修改清单事项：编制水土保持方案")]


@pytest.mark.parametrize("over, code, words", [
    ({"basis": "  "}, "intermediary_service_basis", "设定依据"),
    ({"name": ""}, "intermediary_service_name", "名称"),
    ({"time_limit": 0}, "intermediary_service_time_limit", "服务时限"),
    ({"fee_mode": "standard"}, "intermediary_service_fee_standard", "收费标准"),
    ({"fee_mode": "free"}, "intermediary_service_fee_mode", "收费方式"),
])
def test_service_upsert_refusals_change_nothing(w, over, code, words):
    before = Service.objects.count()
    with pytest.raises(DomainError) as e:
        _new(w, **over)
    assert e.value.code == code and words in e.value.message
    if code == "intermediary_service_basis":
        assert RULES["LIST"] in e.value.message
    assert Service.objects.count() == before
    assert not Event.objects.filter(action="service_upsert").exists()


def test_only_the_regions_admin_lists_services(w):
    for actor in (w.env_supervisor.user, w.foreign_admin.user):
        with pytest.raises(PermissionDenied):
            _new(w, actor=actor)
    assert not Service.objects.filter(code="ZJ010").exists()


def test_link_and_the_guide_list_ordered_and_without_cancelled(w):
    with clock.frozen(DAY):
        link = catalog.service_link(service=w.survey, item=w.build_item, basis="《不动产登记暂行条例实施细则》第三十一条",
                                    stage=LinkStage.PRECONDITION, actor=w.admin.user)
        catalog.service_link(service=w.eia, item=w.build_item, basis="《环境影响评价法》第二十五条",
                             stage=LinkStage.PRECONDITION, actor=None)
    assert link.stage == LinkStage.PRECONDITION and link.review_limit is None
    rows = catalog.services_for_item(w.build_item)
    # 受理条件 first (ZJ001, ZJ003 by code), then the one commissioned during review (ZJ002).
    assert [(r.service.code, r.stage) for r in rows] == [("ZJ001", "precondition"), ("ZJ003", "precondition"),
                                                         ("ZJ002", "review")]
    with clock.frozen(DAY):
        catalog.service_cancel(service=w.survey, actor=w.admin.user, reason="国务院决定取消")
    assert [r.service.code for r in catalog.services_for_item(w.build_item)] == ["ZJ001", "ZJ002"]
    assert ServiceLink.objects.filter(service=w.survey, item=w.build_item).exists()  # kept as history
    ev = Event.objects.get(action="service_cancel")
    assert ev.label == "取消中介服务事项" and "国务院决定取消" in ev.note and ev.data["links"] == 1


def test_linking_again_updates_the_link(w):
    with clock.frozen(DAY):
        link = catalog.service_link(service=w.drawings, item=w.build_item, basis="《建筑工程施工许可管理办法》第四条第一款",
                                    stage=LinkStage.REVIEW, review_limit=20, actor=w.admin.user)
    assert ServiceLink.objects.filter(service=w.drawings, item=w.build_item).count() == 1
    link.refresh_from_db()
    assert (link.basis, link.review_limit) == ("《建筑工程施工许可管理办法》第四条第一款", 20)


def test_an_item_may_not_list_a_cancelled_service(w):
    item = cf.item(impl_code="11130621MB0202-01", dept=w.nature, name="不动产首次登记",
                   basic_code="00012345603Y", business_code="0001234560301")
    with clock.frozen(DAY):
        catalog.service_cancel(service=w.survey, actor=w.admin.user)
        events = Event.objects.count()
        with pytest.raises(DomainError) as e:
            catalog.service_link(service=w.survey, item=item, basis="《测绘法》第二十七条",
                                 stage=LinkStage.PRECONDITION, actor=w.admin.user)
    assert e.value.code == "intermediary_link_unlisted"
    assert "已取消" in e.value.message and "优化营商环境条例第四十三条" in e.value.message
    assert not ServiceLink.objects.filter(item=item).exists()
    assert catalog.services_for_item(item) == []
    assert Event.objects.count() == events
    with pytest.raises(DomainError) as e:
        catalog.service_cancel(service=w.survey, actor=w.admin.user)
    assert e.value.code == "intermediary_service_status"


@pytest.mark.parametrize("kwargs, code", [
    ({"basis": " ", "stage": LinkStage.PRECONDITION}, "intermediary_link_basis"),
    ({"basis": "依据", "stage": "later"}, "intermediary_link_stage"),
    ({"basis": "依据", "stage": LinkStage.PRECONDITION, "review_limit": 30}, "intermediary_link_review_limit"),
    ({"basis": "依据", "stage": LinkStage.REVIEW, "review_limit": 0}, "intermediary_link_review_limit"),
])
def test_link_refusals_change_nothing(w, kwargs, code):
    with pytest.raises(DomainError) as e:
        catalog.service_link(service=w.survey, item=w.env_item, actor=w.admin.user, **kwargs)
    assert e.value.code == code
    assert not ServiceLink.objects.filter(service=w.survey, item=w.env_item).exists()
    assert not Event.objects.filter(action="service_link").exists()


def test_link_by_a_non_admin_refused(w):
    with pytest.raises(PermissionDenied):
        catalog.service_link(service=w.survey, item=w.env_item, basis="依据", stage=LinkStage.PRECONDITION,
                             actor=w.housing_supervisor.user)
    assert not ServiceLink.objects.filter(service=w.survey, item=w.env_item).exists()


def test_unlink(w):
    with clock.frozen(DAY):
        catalog.service_unlink(service=w.eia, item=w.env_item, actor=w.admin.user)
        assert catalog.services_for_item(w.env_item) == []
        with pytest.raises(DomainError) as e:
            catalog.service_unlink(service=w.eia, item=w.env_item, actor=w.admin.user)
    assert e.value.code == "intermediary_link_missing"
    assert Event.objects.filter(action="service_unlink").count() == 1


def test_a_cancelled_service_listed_again(w):
    with clock.frozen(DAY):
        catalog.service_cancel(service=w.survey, actor=w.admin.user)
        s = catalog.service_upsert(region=w.county, code="ZJ003", name="房产测绘", basis="《测绘法》第二十七条",
                                   department=w.nature, time_limit=10, actor=w.admin.user)
    assert s.status == ServiceStatus.ACTIVE
    assert Event.objects.filter(action="service_upsert").get().note == "重新列入清单：房产测绘"
    assert [r.service.code for r in catalog.services_for_item(w.build_item)] == ["ZJ002"]


def test_admin_pages_open_and_a_cancelled_service_takes_no_new_link(w, client, django_user_model):
    from django.contrib import admin as django_admin

    from zhengwu.intermediary import models as m

    client.force_login(django_user_model.objects.create_superuser(username="root", password="pass-123456"))
    registered = [model for model in django_admin.site._registry if model._meta.app_label == "intermediary"]
    assert len(registered) == 19  # certificates, staff and offerings are inlines of the agency
    for model in registered:
        url = f"/admin/intermediary/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
    for obj in (w.eia, w.agencies[0], w.government, w.policy):
        url = f"/admin/intermediary/{obj._meta.model_name}/{obj.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200, url
    assert "1306**********" in client.get(f"/admin/intermediary/agency/{w.agencies[0].pk}/change/").text
    post = {"code": "ZJ003", "name": "房产测绘", "category": "测绘", "region": w.county.pk, "department": w.nature.pk,
            "status": "cancelled", "basis": "《测绘法》第二十七条", "qualifications": [w.q_survey.pk], "time_limit": 10,
            "time_limit_note": "", "fee_mode": "market", "fee_standard": "", "conditions": "", "process": "",
            "links-TOTAL_FORMS": 1, "links-INITIAL_FORMS": 0, "links-MIN_NUM_FORMS": 0, "links-MAX_NUM_FORMS": 1000,
            "links-0-item": w.env_item.pk, "links-0-basis": "依据", "links-0-stage": "precondition",
            "links-0-review_limit": ""}
    page = client.post(f"/admin/intermediary/service/{w.survey.pk}/change/", post)
    assert page.status_code == 200 and "不在清单内，不能关联审批事项" in page.text
    assert not m.ServiceLink.objects.filter(service=w.survey).exists()
    assert m.Service.objects.get(pk=w.survey.pk).status == "active"
