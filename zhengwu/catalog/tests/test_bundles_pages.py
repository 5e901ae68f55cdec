"""Public pages of bundles: the 一件事 list with its search, the printable guide, and the search-page tag."""

import pytest
from django.template import Context, Template

from zhengwu.catalog.bundles import bundle_set_status

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle():
    return f.bundle()


def test_the_list_shows_each_bundle_with_lead_and_members(client, bundle):
    html = client.get("/catalog/bundles/").content.decode()
    assert 'data-bundle-code="BD-FOOD"' in html
    assert "牵头部门：县市场监督管理局" in html and "10 个工作日" in html
    assert "食品经营许可（县市场监督管理局）、公共场所卫生许可（县卫生健康局）、设置户外招牌审批（县城市管理局）" in html


@pytest.mark.parametrize(("params", "found"), [
    ({"q": "餐饮"}, True), ({"q": "ggcs wsxk"}, True), ({"q": "护照"}, False), ({"stage": "3"}, False),
    ({"stage": "0"}, True), ({"stage": "x"}, True), ({"department": "99999"}, False), ({"page": "abc"}, True),
])
def test_search_and_filters(client, bundle, params, found):
    r = client.get("/catalog/bundles/", params)
    assert r.status_code == 200
    assert ('data-bundle-code="BD-FOOD"' in r.content.decode()) is found


def test_the_guide_lists_lead_members_limits_materials_once_and_deemed_consent(client, bundle,
                                                                                django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        r = client.get("/catalog/bundles/BD-FOOD/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "县市场监督管理局（一窗受理、统一出件）" in html
    assert "县市场监督管理局、县卫生健康局、县城市管理局" in html
    assert "<strong>10 个工作日</strong>" in html
    assert "抄告制（牵头部门抄告，各部门并联审查）" in html
    assert "本事项实行超时默认" in html and "《超时默认通知单》" in html
    members = html.split('data-testid="members"')[1].split("</table>")[0]
    assert [x in members for x in ("5 个工作日", "8 个工作日", "3 个工作日")] == [True, True, True]
    assert '/items/B-HEALTH/' in members
    materials = html.split('data-testid="materials"')[1].split("</table>")[0]
    assert materials.count("<td>营业执照</td>") == 1  # asked once, for all three items
    assert "食品经营许可、公共场所卫生许可、设置户外招牌审批" in materials
    assert "data-print" in html


def test_a_bundle_without_deemed_consent_says_so(client):
    f.bundle(deemed=False)
    assert "本事项不实行超时默认" in client.get("/catalog/bundles/BD-FOOD/").content.decode()


def test_a_suspended_bundle_leaves_the_list_and_its_guide_says_so(client, bundle):
    bundle_set_status(bundle=bundle, status="suspended")
    assert 'data-bundle-code="BD-FOOD"' not in client.get("/catalog/bundles/").content.decode()
    assert "该联办事项当前暂停受理" in client.get("/catalog/bundles/BD-FOOD/").content.decode()


def test_an_unknown_bundle_is_a_chinese_404(client, bundle):
    r = client.get("/catalog/bundles/NOPE/")
    assert r.status_code == 404


def test_the_search_page_tag_shows_matching_bundles(bundle):
    tpl = Template("{% load catalog_bundles %}{% bundle_hits q %}")
    assert 'data-bundle-code="BD-FOOD"' in tpl.render(Context({"q": "spjy"}))  # 食品经营许可, a member
    assert tpl.render(Context({"q": "护照"})).strip() == ""
