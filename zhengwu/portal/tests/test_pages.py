"""Public pages rendered through the test client: search, filters, guide, 404, KPIs, home."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhengwu.catalog.models import Material
from zhengwu.org.models import Hall, Role

from .factories import DepartmentFactory, HallFactory, TownFactory, WindowFactory, make_item

pytestmark = pytest.mark.django_db

RESULT = re.compile(r'class="result-item" data-impl-code="([^"]+)"')


def result_codes(response) -> list[str]:
    assert response.status_code == 200
    return RESULT.findall(response.content.decode())


@pytest.fixture
def catalog():
    market = DepartmentFactory(code="SCJG", name="县市场监督管理局", phone="0572-8881234")
    civil = DepartmentFactory(code="MZ", name="县民政局")
    licence = make_item(
        "营业执照核发",
        impl_code="YYZZ-HF",
        department=market,
        theme="开办企业",
        service_object="legal",
        handling_tiers=["county", "town"],
        legal_limit=15,
        promised_limit=1,
        visits=1,
        online_depth=6,
        conditions="申请人具有完全民事行为能力",
        legal_basis="《中华人民共和国市场主体登记管理条例》",
        place="县政务服务中心一楼",
        hours="工作日 9:00-17:00",
        consult_channel="0572-8881234",
        complaint_channel="12345 政务服务热线",
        special_procedures=["site_survey"],
    )
    sole = make_item(
        "个体工商户营业执照办理",
        impl_code="YYZZ-GT",
        department=market,
        theme="开办企业",
        service_object="person",
        handling_tiers=["county", "town", "village"],
        village_intake=True,
        legal_limit=15,
        promised_limit=0,
        visits=0,
        online_depth=6,
    )
    relief = make_item(
        "最低生活保障金给付",
        impl_code="DB-GF",
        department=civil,
        kind="payment",
        theme="社会救助",
        service_object="person",
        handling_tiers=["town", "village"],
        village_intake=True,
        legal_limit=None,
        promised_limit=10,
        visits=1,
        online_depth=3,
        fees=[
            {
                "seq": 1,
                "name": "工本费",
                "amount": "10.00",
                "unit": "件",
                "standard": "",
                "basis": "某价费〔2020〕1号",
                "waivable": True,
                "waiver_basis": "低保对象免收",
            }
        ],
    )
    return {"market": market, "civil": civil, "licence": licence, "sole": sole, "relief": relief}


@pytest.mark.parametrize("q", ["营业执照", "yyzz", "YYZZ", "yingyezhizhao", "ying ye zhi zhao"])
def test_search_by_chinese_initials_and_full_pinyin(client, catalog, q):
    response = client.get(reverse("portal:items"), {"q": q})

    # best match first: the name that starts with the query, then the one that contains it
    assert result_codes(response) == ["YYZZ-HF", "YYZZ-GT"]


def test_search_without_query_lists_every_active_item(client, catalog):
    make_item("已暂停的营业执照事项", impl_code="ZZ-STOP", status="suspended")

    assert result_codes(client.get(reverse("portal:items"))) == ["DB-GF", "YYZZ-GT", "YYZZ-HF"]


def test_search_with_no_match_says_so(client, catalog):
    response = client.get(reverse("portal:items"), {"q": "不存在的事项"})

    assert result_codes(response) == []
    assert "未找到符合条件的事项" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "civil"}, ["DB-GF"]),
        ({"theme": "开办企业"}, ["YYZZ-GT", "YYZZ-HF"]),
        ({"tier": "village"}, ["DB-GF", "YYZZ-GT"]),
        ({"tier": "county"}, ["YYZZ-GT", "YYZZ-HF"]),
        ({"kind": "payment"}, ["DB-GF"]),
        ({"q": "yyzz", "tier": "village"}, ["YYZZ-GT"]),
        ({"tier": "nowhere", "kind": "nothing"}, ["DB-GF", "YYZZ-GT", "YYZZ-HF"]),  # unknown values ignored
        ({"department": "9" * 30, "page": "x"}, ["DB-GF", "YYZZ-GT", "YYZZ-HF"]),
        ({"department": "²"}, ["DB-GF", "YYZZ-GT", "YYZZ-HF"]),
    ],
)
def test_filters(client, catalog, params, expected):
    if params.get("department") == "civil":
        params = {**params, "department": catalog["civil"].id}

    assert result_codes(client.get(reverse("portal:items"), params)) == expected


def test_result_shows_the_facts_a_citizen_needs(client, catalog):
    html = client.get(reverse("portal:items"), {"q": "营业执照核发"}).content.decode()

    assert 'for="q"' in html and 'id="q"' in html  # labelled search input
    assert "县市场监督管理局" in html
    assert "承诺件" in html
    assert "15 个工作日" in html and "1 个工作日" in html
    assert "1 次" in html
    assert "六级：网上办结（全程网办）" in html
    assert reverse("portal:item_guide", args=["YYZZ-HF"]) in html


def test_immediate_item_says_so_in_results(client, catalog):
    html = client.get(reverse("portal:items"), {"q": "个体工商户"}).content.decode()

    assert "即办件" in html and "即办" in html
    assert "0 次" in html


def test_search_is_paginated_by_20_without_n_plus_one(client, django_assert_max_num_queries):
    departments = [DepartmentFactory() for _ in range(5)]
    for n in range(25):
        make_item(f"营业执照测试事项{n:02d}", impl_code=f"T{n:02d}", department=departments[n % 5])

    with django_assert_max_num_queries(5):
        first = client.get(reverse("portal:items"), {"q": "yyzz"})
    second = client.get(reverse("portal:items"), {"q": "yyzz", "page": 2})

    assert result_codes(first) == [f"T{n:02d}" for n in range(20)]
    assert result_codes(second) == [f"T{n:02d}" for n in range(20, 25)]
    assert "第 1/2 页" in first.content.decode()
    assert "q=yyzz&amp;page=2" in first.content.decode()  # pagination keeps the query


def test_guide_shows_the_four_notices_and_materials(client, catalog, django_assert_max_num_queries):
    Role.objects.filter(code="chief_rep").update(name="审批科首席代表")
    item = catalog["licence"]
    Material.objects.filter(version=item.current, seq=1).update(blank_form="catalog/forms/sqs.docx")
    hall = HallFactory(name="县政务服务中心")
    WindowFactory(hall=hall, number="08", name="市场准入窗口", floor="一楼A区").items.add(item)
    WindowFactory(hall=hall, number="09", name="已关闭窗口", is_open=False).items.add(item)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("portal:item_guide", args=["YYZZ-HF"]))

    assert response.status_code == 200
    html = response.content.decode()
    for heading in [
        "一、办理流程",
        "二、受理条件",
        "三、办理时限",
        "四、收费标准",
        "申请材料",
        "设定依据",
        "办理地点与时间",
        "特别程序",
        "咨询与投诉",
    ]:
        assert heading in html, heading
    assert "<h1>营业执照核发</h1>" in html
    # steps in order, with role names from org.Role and each step's days
    assert re.search(
        r"受理.*窗口人员.*当场办理.*审查.*审批科首席代表.*2 个工作日.*决定.*部门负责人.*1 个工作日",
        html,
        re.S,
    )
    assert "申请人具有完全民事行为能力" in html
    assert "15 个工作日" in html and "1 个工作日" in html
    assert "不收费" in html
    # materials table
    assert "申请书" in html and "身份证明" in html and "须申请人签字" in html and "公安机关" in html
    assert "/media/catalog/forms/sqs.docx" in html
    assert "《中华人民共和国市场主体登记管理条例》" in html
    assert "县市场监督管理局（0572-8881234）" in html
    assert "县政务服务中心 08号窗口（市场准入窗口，一楼A区）" in html
    assert "已关闭窗口" not in html
    assert "县级政务服务中心、乡镇便民服务中心" in html
    assert "村（社区）便民服务站不代办此事项" in html
    assert "现场踏勘" in html
    assert "12345 政务服务热线" in html
    assert "第 1 版" in html and "发布日期" in html
    assert "data-print" in html and "zhengwu/guide.js" in html


def test_guide_of_immediate_item_with_fees_and_village_intake(client, catalog):
    html = client.get(reverse("portal:item_guide", args=["YYZZ-GT"])).content.decode()
    assert "<strong>即办</strong>" in html
    assert "可在村（社区）便民服务站由代办员代为受理、转交" in html

    html = client.get(reverse("portal:item_guide", args=["DB-GF"])).content.decode()
    assert "法律法规未规定" in html
    assert "工本费" in html and "10.00 元/件" in html and "某价费〔2020〕1号" in html
    assert "允许减免（低保对象免收）" in html
    assert "不收费" not in html


def test_unknown_item_is_a_chinese_404(client, catalog):
    response = client.get(reverse("portal:item_guide", args=["NO-SUCH-CODE"]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "尚未发布" in html


def test_kpi_page_renders_table_and_local_chart(client, catalog):
    response = client.get(reverse("portal:kpi"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "事项清单指标" in html
    for label in ["即办率", "承诺时限压缩比", "网上可办率", "全程网办率", "跑零次率", "最多跑一次率"]:
        assert label in html
    assert "县市场监督管理局" in html and "县民政局" in html
    # 1 of 3 items immediate overall; civil affairs has no statutory limit at all
    assert "33.3%" in html
    assert "<td>—</td>" in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert 'id="kpi-data"' in html
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)  # nothing from a CDN


def test_home_has_search_themes_halls_and_links(client, catalog):
    county_hall = HallFactory(name="县政务服务中心", address="县府路1号", phone="0572-8000001")
    HallFactory(
        name="新市镇便民服务中心",
        kind=Hall.Kind.TOWN_CENTER,
        region=TownFactory(name="新市镇"),
        address="新市镇人民路8号",
        opening_hours="工作日 8:30-17:00",
    )
    HallFactory(name="某村便民服务站", kind=Hall.Kind.VILLAGE_STATION, region=county_hall.region)

    html = client.get(reverse("portal:home")).content.decode()

    assert 'action="/items/"' in html and 'name="q"' in html and "搜索办事事项" in html
    person = html[html.index("个人办事") : html.index("法人办事")]
    legal = html[html.index("法人办事") : html.index("服务大厅")]
    assert "开办企业" in person and "社会救助" in person
    assert "开办企业" in legal and "社会救助" not in legal
    assert "县府路1号" in html and "0572-8000001" in html
    assert "新市镇便民服务中心" in html and "新市镇人民路8号" in html and "工作日 8:30-17:00" in html
    assert "某村便民服务站" not in html
    assert 'href="/kpi/"' in html and 'href="/api/docs"' in html and 'href="/items/"' in html


def test_guide_offers_online_application_only_where_the_item_takes_it(client, catalog):
    """网办深度 3 (网上预审) and up: an 在线申请 button; below: go to the window, book if possible."""
    item = catalog["licence"]
    assert item.current.online_depth >= 3
    html = client.get(reverse("portal:item_guide", args=["YYZZ-HF"])).content.decode()
    assert f'href="{reverse("cases:apply", args=["YYZZ-HF"])}"' in html and "在线申请" in html

    window_only = make_item("户外广告设施设置审批", impl_code="GG-SZ", online_depth=2, appointment=True)
    hall = HallFactory(name="县政务服务中心")
    WindowFactory(hall=hall, number="12").items.add(window_only)
    html = client.get(reverse("portal:item_guide", args=["GG-SZ"])).content.decode()
    assert reverse("cases:apply", args=["GG-SZ"]) not in html
    assert "该事项暂不支持网上申请，请携带材料到窗口办理" in html
    assert f'{reverse("hall:appointments", args=[hall.code])}?item={window_only.pk}' in html


def _user(username, **extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password="x-unused-123", **extra)


def test_me_requires_login(client):
    response = client.get(reverse("portal:me"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login"))


def test_me_for_a_citizen_lists_their_own_services(client):
    client.force_login(_user("zhangsan", real_name="张三"))
    html = client.get(reverse("portal:me")).content.decode()
    assert "<h1>我的办事</h1>" in html
    for url in [reverse("cases:my_cases"), reverse("ratings:my_ratings"), reverse("disclosure:my_requests")]:
        assert f'href="{url}"' in html
    assert reverse("cases:workbench") not in html


@pytest.mark.parametrize(
    ("roles", "present", "absent"),
    [
        pytest.param([Role.WINDOW_OFFICER], ["cases:workbench", "hall:my_windows", "ratings:staff_ratings"],
                     ["supervision:board", "cases:agent_cases", "ratings:appeals"], id="window-officer"),
        pytest.param([Role.VILLAGE_AGENT], ["cases:agent_cases"], ["cases:workbench", "hall:my_windows"],
                     id="village-agent"),
        pytest.param([Role.SUPERVISOR], ["supervision:board", "supervision:dashboard", "ratings:appeals"],
                     ["cases:workbench", "hall:my_windows"], id="supervisor"),
        pytest.param([Role.LEADER], ["supervision:dashboard", "supervision:assessment", "portal:kpi"],
                     ["cases:workbench", "ratings:appeals"], id="leader"),
    ],
)
def test_me_for_staff_follows_their_roles(client, roles, present, absent):
    from zhengwu.org.models import Staff

    hall = HallFactory(name="县政务服务中心")
    staff = Staff.objects.create(user=_user("s1"), employee_no="9001", name="王工作", hall=hall, region=hall.region)
    staff.roles.set(Role.objects.filter(code__in=roles))
    client.force_login(staff.user)
    html = client.get(reverse("portal:me")).content.decode()
    assert "<h1>我的工作</h1>" in html and "王工作（9001）" in html
    for name in present:
        assert f'href="{reverse(name)}"' in html, name
    for name in absent:
        assert f'href="{reverse(name)}"' not in html, name


def test_me_offers_the_disclosure_workbench_to_members_of_a_body_only(client):
    from zhengwu.disclosure.models import Body, BodyMember
    from zhengwu.disclosure.tests.factories import body, member
    from zhengwu.org.models import Staff

    hall = HallFactory(name="县政务服务中心")
    staff = Staff.objects.create(user=_user("gk"), employee_no="9002", name="赵公开", hall=hall, region=hall.region)
    staff.roles.set(Role.objects.filter(code=Role.CHIEF_REP))
    client.force_login(staff.user)
    link = f'href="{reverse("disclosure:workbench")}"'
    assert link not in client.get(reverse("portal:me")).content.decode()
    member(body("GOV", "示范县人民政府", Body.Kind.GOVERNMENT, hall.region), staff, BodyMember.Duty.OFFICER)
    assert link in client.get(reverse("portal:me")).content.decode()


def test_login_lands_on_me_and_offers_registration(client):
    html = client.get(reverse("portal:login")).content.decode()
    assert f'href="{reverse("cases:register")}"' in html
    _user("lisi")
    response = client.post(reverse("portal:login"), {"username": "lisi", "password": "x-unused-123"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:me")
