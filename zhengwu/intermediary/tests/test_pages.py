"""The marketplace's pages: the 办事指南 lists the item's intermediary services with a link to the marketplace;
the public list, service, directory and notice pages (the commitment hash before the selection, the whole draw
and 如何验证 after it, with a Python snippet that recomputes the winner when run); the owner's and the agency's
workbenches driving a purchase from the form to the rating; the administrator's and the supervisor's pages.
Refusals show their Chinese message and change nothing; strangers get a Chinese 403 page."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.core import clock
from zhengwu.core.testing import pdf_bytes
from zhengwu.intermediary.models import (
    Agency,
    AgencyStatus,
    Certificate,
    CreditEvent,
    DepartmentScore,
    Funding,
    MeritRule,
    Mode,
    Offering,
    OfferingStatus,
    Purchase,
    PurchaseStatus,
    Rating,
    Signup,
)
from zhengwu.intermediary.services import purchases

from .factories import DAY, at, build_world, id_number, purchase, uscc, user

pytestmark = pytest.mark.django_db

PUBLISH = at(DAY, 9)
DEADLINE = at(DAY + dt.timedelta(days=7), 17)  # Monday 9 March
SELECT = DEADLINE + dt.timedelta(hours=16)  # Tuesday 10 March 09:00


@pytest.fixture
def w():
    return build_world()


def text(r) -> str:
    return r.content.decode("utf-8")


def login(client, username: str):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def act(client, p: Purchase, action: str, data: dict | None = None):
    return client.post(f"/intermediary/work/{p.pk}/act/{action}/", data or {}, follow=True)


def published(client, w, **fields) -> Purchase:
    p = purchase(w, signup_deadline=DEADLINE, select_at=SELECT, **fields)
    login(client, "owner" if p.owner == w.enterprise else "govowner")
    with clock.frozen(PUBLISH):
        r = act(client, p, "publish")
    assert "已发布采购公告" in text(r), text(r)
    p.refresh_from_db()
    assert p.status == PurchaseStatus.SIGNUP
    return p


def snippet_of(page: str) -> str:
    found = re.search(r'<pre class="mono small" data-testid="snippet">(.*?)</pre>', page, re.S)
    assert found, "no snippet on the page"
    return html.unescape(found.group(1))


def messages_of(r) -> str:
    return " ".join(re.findall(r'<ul class="messages">(.*?)</ul>', text(r), re.S))


def run_snippet(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), {})  # noqa: S102 - the page's own published snippet
    return out.getvalue()


# -- the 办事指南 and the public pages ---------------------------------------------------------------------------


def test_the_guide_lists_the_services_an_item_needs_with_a_link_to_the_marketplace(client, w):
    page = text(client.get(f"/items/{w.env_item.impl_code}/"))
    assert "所需中介服务" in page and "编制建设项目环境影响报告表" in page
    assert "受理条件（申请人受理前自行委托）" in page and "《环境影响评价法》第二十二条" in page
    assert f'href="/intermediary/services/{w.eia.code}/?item={w.env_item.pk}"' in page

    page = text(client.get(f"/items/{w.build_item.impl_code}/"))
    assert "施工图设计文件审查" in page and "特别程序时限 30 个工作日" in page and "环境影响报告表" not in page

    w.eia.status = "cancelled"
    w.eia.save(update_fields=["status"])
    assert "所需中介服务" not in text(client.get(f"/items/{w.env_item.impl_code}/"))


def test_the_public_pages_list_services_agencies_and_only_published_purchases(client, w):
    draft = purchase(w, title="尚未发布的采购")
    p = published(client, w)
    client.logout()

    page = text(client.get("/intermediary/"))
    assert "网上中介服务超市" in page and "房产测绘" in page and p.code in page and draft.code not in page
    assert "房产测绘" not in text(client.get("/intermediary/?q=环境"))
    assert 'href="/intermediary/"' in text(client.get("/items/"))  # the nav link

    page = text(client.get(f"/intermediary/services/{w.eia.code}/?item={w.env_item.pk}"))
    assert "建设项目环境影响报告表审批" in page and w.agencies[0].name in page and "发布采购需求" in page
    assert f"/intermediary/owner/?service={w.eia.code}&amp;item={w.env_item.pk}" in page
    assert client.get("/intermediary/services/NOPE/").status_code == 404

    page = text(client.get("/intermediary/agencies/"))
    assert all(a.name in page for a in w.agencies)
    w.agencies[1].status = AgencyStatus.PENDING
    w.agencies[1].save(update_fields=["status"])
    page = text(client.get("/intermediary/agencies/"))
    assert w.agencies[1].name not in page and w.agencies[0].name in page
    assert client.get(f"/intermediary/agencies/{w.agencies[1].pk}/").status_code == 404
    page = text(client.get(f"/intermediary/agencies/{w.agencies[0].pk}/"))
    assert "工程师1" in page and id_number(101) not in page and "甲级" in page

    page = text(client.get("/intermediary/purchases/"))
    assert p.code in page and draft.code not in page
    assert client.get(f"/intermediary/purchases/{draft.code}/").status_code == 404


def test_the_notice_shows_the_commitment_and_no_sign_up_before_the_selection(client, w):
    p = published(client, w)
    login(client, "agency1")
    with clock.frozen(at(DAY + dt.timedelta(days=1), 10)):
        r = client.post(f"/intermediary/agency/signup/{p.pk}/", {}, follow=True)
    assert "已报名" in text(r)
    client.logout()
    page = text(client.get(f"/intermediary/purchases/{p.code}/"))
    assert p.seed_hash and p.seed_hash in page and "随机选取承诺" in page
    assert w.agencies[0].name not in page and w.agencies[0].uscc not in page and "如何验证" not in page


# -- a purchase through the pages, from the form to the rating ------------------------------------------------


def test_an_enterprise_buys_a_service_through_the_pages_from_the_form_to_the_rating(client, w):
    login(client, "owner")
    with clock.frozen(PUBLISH):
        page = text(client.get(f"/intermediary/owner/?service={w.eia.code}&item={w.env_item.pk}"))
        assert 'value="20"' in page and "建设项目环境影响报告表审批" in page
        form = {"owner": w.enterprise.pk, "service": w.eia.code, "item": w.env_item.pk, "title": "宏达食品扩建环评",
                "content": "编制环境影响报告表", "service_days": "15", "funding": "private", "mode": "random",
                "price_mode": "range", "price_min": "10000", "price_max": "30000",
                "signup_deadline": "2026-03-09T17:00", "select_at": "2026-03-10T09:00",
                "contact_name": "刘经理", "contact_phone": "13900000001", "for_approval": "1"}
        r = client.post("/intermediary/owner/create/", form, follow=True)
        assert "采购需求已登记" in text(r)
        p = Purchase.objects.get(title="宏达食品扩建环评")
        assert (p.status, p.item, p.signup_deadline, p.service_days) == ("draft", w.env_item, DEADLINE, 15)
        r = act(client, p, "publish")
    p.refresh_from_db()
    assert p.status == "signup" and "报名中" in text(r)

    # three agencies sign up from their workbench; a fourth too late is refused and nothing is written
    with clock.frozen(at(DAY + dt.timedelta(days=2), 10)):
        for n in (1, 2, 3):
            login(client, f"agency{n}")
            page = text(client.get("/intermediary/agency/"))
            assert p.code in page
            r = client.post(f"/intermediary/agency/signup/{p.pk}/", {}, follow=True)
            assert "已报名" in text(r)
            assert p.code in text(r)  # now under 我的报名
            own = text(client.get(f"/intermediary/work/{p.pk}/"))
            assert 'data-testid="signup-status">有效' in own and w.agencies[n % 3].name not in own
    with clock.frozen(DEADLINE + dt.timedelta(minutes=1)):
        login(client, "agency4")
        r = client.post(f"/intermediary/agency/signup/{p.pk}/", {}, follow=True)
        assert messages_of(r) and "已报名" not in messages_of(r)
    assert Signup.objects.filter(purchase=p).count() == 3

    # the owner runs the selection at the announced time; the public page shows the draw and how to verify it
    login(client, "owner")
    with clock.frozen(SELECT):
        r = act(client, p, "select")
    assert "已选取" in text(r)
    p.refresh_from_db()
    assert p.status == "selected"
    winner = p.selected.agency
    assert all(a.name in text(client.get(f"/intermediary/work/{p.pk}/")) for a in w.agencies[:3])
    client.logout()
    page = text(client.get(f"/intermediary/purchases/{p.code}/"))
    assert "如何验证" in page and p.seed in page and p.seed_hash in page and winner.name in page
    assert all(a.uscc in page for a in w.agencies[:3]) and "与公布结果一致" in page
    assert run_snippet(snippet_of(page)).strip() == f"中选机构： {winner.uscc}"

    # the winner confirms, the owner registers the contract, the winner delivers, the owner rates
    n = w.agencies.index(winner) + 1
    login(client, f"agency{n}")
    with clock.frozen(SELECT + dt.timedelta(hours=2)):
        assert "已中选机构确认" in text(act(client, p, "confirm"))
    login(client, "owner")
    with clock.frozen(SELECT + dt.timedelta(days=1)):
        r = act(client, p, "register_contract", {"amount": "abc", "signed_on": "2026-03-11",
                                                 "service_start": "2026-03-11"})
        assert "“合同金额”填写不正确" in text(r)
        p.refresh_from_db()
        assert p.status == "confirmed"
        r = act(client, p, "register_contract", {"amount": "25000", "signed_on": "2026-03-11",
                                                 "service_start": "2026-03-11"})
        assert "已登记合同" in text(r) and "服务中" in text(r)
    login(client, f"agency{n}")
    with clock.frozen(SELECT + dt.timedelta(days=5)):
        r = act(client, p, "deliver", {"result_file": SimpleUploadedFile("报告表.pdf", pdf_bytes(), "application/pdf"),
                                       "note": "报告表终稿"})
        assert "已提交服务成果" in text(r), re.findall(r"<ul class=\"messages\">.*?</ul>", text(r), re.S)
        assert client.get(f"/intermediary/work/{p.pk}/file/result/").status_code == 200
    client.force_login(user("stranger", "路人"))
    assert client.get(f"/intermediary/work/{p.pk}/file/result/").status_code == 403
    login(client, "owner")
    with clock.frozen(SELECT + dt.timedelta(days=6)):
        r = act(client, p, "rate", {"quality": "5", "timeliness": "5", "price": "4", "attitude": "5",
                                    "comment": "按时交付"})
        assert "已服务评价" in text(r)
    p.refresh_from_db()
    rating = Rating.objects.get(purchase=p)
    assert (p.status, rating.score, rating.agency) == ("completed", Decimal(95), winner)
    client.logout()
    assert "折合 95 分" in text(client.get(f"/intermediary/purchases/{p.code}/"))


def test_a_government_unit_may_not_designate_an_agency_and_bad_input_changes_nothing(client, w):
    login(client, "govowner")
    form = {"owner": w.government.pk, "service": w.drawings.code, "title": "办公楼审图", "content": "施工图审查",
            "service_days": "10", "funding": "state", "mode": "direct", "price_mode": "range",
            "price_min": "1000", "price_max": "9000", "signup_deadline": "2026-03-09T17:00",
            "select_at": "2026-03-10T09:00", "for_approval": "1"}
    with clock.frozen(PUBLISH):
        r = client.post("/intermediary/owner/create/", form)
        assert r.status_code == 400 and "行政机关不得为市场主体指定或者变相指定中介服务机构" in text(r)
        assert 'value="办公楼审图"' in text(r)  # the form keeps what was typed
        r = client.post("/intermediary/owner/create/", {**form, "mode": "random", "price_max": "九千"})
        assert r.status_code == 400 and "“最高限价”填写不正确" in text(r)
        r = client.post("/intermediary/owner/create/", {**form, "mode": "random", "service_days": "99"})
        assert r.status_code == 400 and "不能超过" in text(r)
    assert not Purchase.objects.exists()


def test_strangers_get_a_chinese_403_and_anonymous_users_the_login(client, w):
    p = published(client, w)
    client.logout()
    r = client.get(f"/intermediary/work/{p.pk}/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    client.force_login(user("stranger", "路人"))
    r = client.get(f"/intermediary/work/{p.pk}/")
    assert r.status_code == 403 and "您无权" in text(r)
    r = client.post(f"/intermediary/work/{p.pk}/act/cancel/", {"reason": "捣乱"})
    assert r.status_code == 403
    p.refresh_from_db()
    assert p.status == "signup"
    assert client.get("/intermediary/manage/").status_code == 403
    assert "仅限中介服务监管人员" in text(client.get("/intermediary/supervise/"))
    assert "尚未登记为项目业主" in text(client.get("/intermediary/owner/"))
    assert client.get("/intermediary/work/999999/").status_code == 404
    r = client.post(f"/intermediary/work/{p.pk}/act/fly/")
    assert r.status_code == 404 and "不支持的操作" in text(r)


# -- the draw's snippet for every rule that uses chance --------------------------------------------------------


def _sign(p: Purchase, agencies, quotes=None, scores=None):
    for i, a in enumerate(agencies):
        if scores:
            Agency.objects.filter(pk=a.pk).update(credit_score=scores[i])
        with clock.frozen(at(DAY + dt.timedelta(days=1), 10 + i)):
            data = {"quote": quotes[i]} if quotes else {}
            purchases.purchase_act(purchase_id=p.pk, user=a.members.first(), action="signup", data=data)


@pytest.mark.parametrize("kind", ["lowest", "average", "credit"])
def test_the_snippet_recomputes_each_rule_from_the_published_values(client, w, kind):
    fields = {"funding": Funding.STATE, "min_participants": 3}
    if kind == "credit":
        fields.update(mode=Mode.MERIT, merit_rule=MeritRule.CREDIT, long_list=4, short_list=2)
    else:
        fields.update(mode=Mode.BIDDING, bidding_rule=kind)
    p = published(client, w, **fields)
    agencies = w.agencies[:5]
    quotes = ["20000", "18000", "18000", "25000", "21000"] if kind != "credit" else None
    _sign(p, agencies, quotes, scores=["91", "85", "85", "70", "99"] if kind == "credit" else None)
    login(client, "owner")
    with clock.frozen(SELECT):
        r = act(client, p, "select")
    p.refresh_from_db()
    assert p.status == ("shortlisted" if kind == "credit" else "selected"), text(r)
    client.logout()
    page = text(client.get(f"/intermediary/purchases/{p.code}/"))
    assert "如何验证" in page and "与公布结果一致" in page
    printed = run_snippet(snippet_of(page))
    if kind == "credit":
        assert printed.strip() == f"短名单： {p.draw['short_list']}"
        login(client, "owner")
        page = text(client.get(f"/intermediary/work/{p.pk}/"))
        chosen = Agency.objects.get(uscc=p.draw["short_list"][1])
        assert f'<option value="{chosen.pk}">{chosen.name}（{chosen.uscc}）</option>' in page
        with clock.frozen(SELECT + dt.timedelta(hours=1)):
            r = act(client, p, "pick", {"agency_id": chosen.pk})
        assert "已业主选定" in messages_of(r) and chosen.name in messages_of(r)
        p.refresh_from_db()
        assert (p.status, p.selected.agency) == ("selected", chosen)
    else:
        assert printed.strip().endswith(f"中选机构： {p.selected.agency.uscc}")
        if kind == "average":
            assert f"基准价 {p.draw['benchmark']}" in printed and "平均价" in page


# -- the agency's workbench ----------------------------------------------------------------------------------


def test_an_agency_enters_through_its_workbench_and_a_wrong_file_changes_nothing(client, w):
    client.force_login(user("newagency", "新机构经办人"))
    page = text(client.get("/intermediary/agency/"))
    assert "中介机构入驻" in page and "示范县" in page
    form = {"region": w.county.pk, "name": "石家庄新锐环评有限公司", "uscc": uscc(77), "kind": "legal",
            "legal_rep": "周法人", "contact_name": "吴授权", "contact_id_number": id_number(77),
            "contact_phone": "13912345677", "home_region": "河北省石家庄市"}
    r = client.post("/intermediary/agency/register/",
                    {**form, "pledge": SimpleUploadedFile("承诺书.exe", b"MZ\x90\x00", "application/octet-stream")},
                    follow=True)
    assert "承诺书" in text(r) and "中介机构入驻" in text(r)
    assert not Agency.objects.filter(uscc=uscc(77)).exists()
    bad = uscc(77)[:-1] + ("0" if uscc(77)[-1] != "0" else "1")
    r = client.post("/intermediary/agency/register/", {**form, "uscc": bad}, follow=True)
    assert "统一社会信用代码" in messages_of(r)
    assert not Agency.objects.filter(name="石家庄新锐环评有限公司").exists()

    r = client.post("/intermediary/agency/register/",
                    {**form, "pledge": SimpleUploadedFile("承诺书.pdf", pdf_bytes(), "application/pdf")}, follow=True)
    assert "入驻信息已保存" in text(r)
    agency = Agency.objects.get(uscc=uscc(77))
    r = client.post("/intermediary/agency/certificate/", {"qualification": w.q_env.pk, "number": "HP-77",
                                                          "valid_until": "2027-12-31", "level": "甲级"}, follow=True)
    assert "资质证书已登记" in text(r) and "HP-77" in text(r)
    r = client.post("/intermediary/agency/practitioner/", {"name": "郑工", "id_number": id_number(178),
                                                           "title": "注册环评工程师"}, follow=True)
    assert "执业人员已登记" in text(r) and id_number(178) not in text(r)
    r = client.post("/intermediary/agency/offering/", {"service": w.eia.code, "price_min": "8000",
                                                       "price_max": "40000"}, follow=True)
    assert "已登记承接" in text(r)
    r = client.post("/intermediary/agency/submit/", {}, follow=True)
    assert "入驻申请已提交" in text(r)
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.PENDING and Certificate.objects.filter(agency=agency).count() == 1

    # the administrator reviews it from the management page
    client.force_login(w.admin.user)
    page = text(client.get("/intermediary/manage/"))
    assert "石家庄新锐环评有限公司" in page
    r = client.post("/intermediary/manage/review/", {"agency_id": agency.pk, "approve": "0", "note": ""},
                    follow=True)
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.PENDING and "已审核" not in text(r)
    r = client.post("/intermediary/manage/review/", {"agency_id": agency.pk, "approve": "1"}, follow=True)
    assert "已审核" in text(r)
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.ACTIVE


def test_the_administrator_suspends_and_a_suspended_agency_cannot_sign_up(client, w):
    p = published(client, w)
    a = w.agencies[0]
    client.force_login(w.foreign_admin.user)
    r = client.post("/intermediary/manage/suspend/", {"agency_id": a.pk, "reason": "外县"})
    assert r.status_code == 404
    client.force_login(w.admin.user)
    r = client.post("/intermediary/manage/status/", {"agency_id": a.pk, "op": "suspend", "reason": ""}, follow=True)
    a.refresh_from_db()
    assert a.status == AgencyStatus.ACTIVE and "已暂停选取" not in messages_of(r)
    r = client.post("/intermediary/manage/status/", {"agency_id": a.pk, "op": "suspend", "reason": "材料存疑，暂停选取"},
                    follow=True)
    assert "已暂停选取" in text(r)
    a.refresh_from_db()
    assert a.status == AgencyStatus.SUSPENDED
    login(client, "agency1")
    with clock.frozen(at(DAY + dt.timedelta(days=1), 10)):
        r = client.post(f"/intermediary/agency/signup/{p.pk}/", {}, follow=True)
    assert "暂停选取" in text(r) and not Signup.objects.filter(purchase=p).exists()


def test_the_supervisor_scores_and_records_a_credit_event(client, w):
    client.force_login(w.env_supervisor.user)
    page = text(client.get("/intermediary/supervise/"))
    assert "行业主管部门评价" in page and w.agencies[0].name in page
    r = client.post("/intermediary/supervise/department_score/",
                    {"agency_id": w.agencies[0].pk, "month": "2026-02", "score": "88"}, follow=True)
    assert "已登记" in text(r)
    row = DepartmentScore.objects.get(agency=w.agencies[0])
    assert (row.month, row.score, row.department) == (dt.date(2026, 2, 1), Decimal("88"), w.env)
    r = client.post("/intermediary/supervise/department_score/",
                    {"agency_id": w.agencies[0].pk, "month": "2026-02", "score": "高"}, follow=True)
    assert "“评分”填写不正确" in text(r) and DepartmentScore.objects.get(agency=w.agencies[0]).score == 88
    rules = re.findall(r'<option value="([a-z_]+)">', text(client.get("/intermediary/supervise/")))
    assert rules, "the supervisor's page offers the department's credit rules"
    r = client.post("/intermediary/supervise/credit_event/",
                    {"agency_id": w.agencies[0].pk, "rule_code": rules[0], "note": "检查发现问题"}, follow=True)
    assert "已记录" in text(r), text(r)
    assert CreditEvent.objects.filter(agency=w.agencies[0]).count() == 1


def test_direct_choice_by_a_private_owner_and_an_extension_with_consent(client, w):
    p = published(client, w, mode=Mode.DIRECT)
    _sign(p, w.agencies[:2])
    login(client, "owner")
    with clock.frozen(DEADLINE - dt.timedelta(minutes=5)):
        page = text(client.get(f"/intermediary/work/{p.pk}/"))
        assert w.agencies[1].name not in page  # before the deadline nobody sees who signed up
    with clock.frozen(DEADLINE + dt.timedelta(minutes=5)):
        act(client, p, "close_signup")
        page = text(client.get(f"/intermediary/work/{p.pk}/"))
        assert f'<option value="{w.agencies[1].pk}">{w.agencies[1].name}' in page
    with clock.frozen(SELECT):
        r = act(client, p, "select", {"agency_id": w.agencies[1].pk})
    assert "已选取" in messages_of(r) and w.agencies[1].name in messages_of(r)
    p.refresh_from_db()
    assert (p.status, p.selected.agency) == ("selected", w.agencies[1])
    login(client, "agency2")
    with clock.frozen(SELECT + dt.timedelta(hours=1)):
        act(client, p, "confirm")
    login(client, "owner")
    with clock.frozen(SELECT + dt.timedelta(hours=2)):
        act(client, p, "register_contract", {"amount": "20000", "signed_on": "2026-03-10",
                                             "service_start": "2026-03-10"})
    end = p.contract.service_end
    login(client, "agency2")
    with clock.frozen(SELECT + dt.timedelta(days=3)):
        r = act(client, p, "request_extension", {"days": "三", "reason": "补充监测"})
        assert "“延长工作日”填写不正确" in messages_of(r)
        r = act(client, p, "request_extension", {"days": "3", "reason": "补充监测"})
        assert "已申请延期" in messages_of(r)
    login(client, "owner")
    with clock.frozen(SELECT + dt.timedelta(days=4)):
        page = text(client.get(f"/intermediary/work/{p.pk}/"))
        assert "机构申请延长 3 个工作日：补充监测" in page
        r = act(client, p, "decide_extension", {"approve": "1"})
        assert "已同意延期" in messages_of(r)
    p.contract.refresh_from_db()
    assert p.contract.service_end > end
    assert "业主已同意" in text(client.get(f"/intermediary/work/{p.pk}/"))
    assert f'data-testid="service-end">{p.contract.service_end:%Y-%m-%d}' in text(client.get(f"/intermediary/work/{p.pk}/"))


def test_too_few_sign_ups_fail_and_the_owner_republishes_from_the_page(client, w):
    p = published(client, w, funding=Funding.STATE, min_participants=3)
    _sign(p, w.agencies[:1])
    login(client, "owner")
    with clock.frozen(SELECT):
        r = act(client, p, "select")
    assert "采购已流标" in messages_of(r)
    p.refresh_from_db()
    assert p.status == "failed" and p.selected_id is None
    page = text(client.get(f"/intermediary/purchases/{p.code}/"))
    assert p.status_reason in page and "流标" in page
    with clock.frozen(SELECT + dt.timedelta(hours=1)):
        r = act(client, p, "republish", {"signup_deadline": "2026-03-20T17:00", "select_at": "2026-03-23T09:00"})
    new = Purchase.objects.get(previous=p)
    assert "已重新采购" in messages_of(r) and new.code in messages_of(r)
    assert r.redirect_chain[-1][0] == f"/intermediary/work/{new.pk}/"
    assert Purchase.objects.count() == 2


def test_the_monthly_credit_is_run_from_the_page_explained_publicly_and_appealed(client, w):
    a = w.agencies[0]
    client.force_login(w.admin.user)
    with clock.frozen(at(dt.date(2026, 3, 10), 10)):
        r = client.post("/intermediary/manage/market_score/", {"agency_id": a.pk, "month": "2026-03", "score": "90"},
                        follow=True)
        assert "已登记" in messages_of(r)
        r = client.post("/intermediary/manage/credit_event/", {"agency_id": a.pk, "rule_code": "false_materials",
                                                               "note": "入驻材料虚假"}, follow=True)
        assert "已记录" in messages_of(r), messages_of(r)
        r = client.post("/intermediary/manage/run_month/", {"month": "2026-03"}, follow=True)
        assert "已完成 2026年03月 信用评价" in messages_of(r)
        r = client.post("/intermediary/manage/run_month/", {"month": "二月"}, follow=True)
        assert "“月份”填写不正确" in messages_of(r)
    a.refresh_from_db()
    assert (a.credit_grade, a.status) == ("E", AgencyStatus.DELISTED)
    assert client.get(f"/intermediary/agencies/{a.pk}/").status_code == 404  # no longer in the directory

    login(client, "agency1")
    page = text(client.get("/intermediary/agency/"))
    assert 'data-testid="credit-explanation"' in page and "入驻材料虚假" in page and "否决项" in page
    event = CreditEvent.objects.get(agency=a)
    with clock.frozen(at(dt.date(2026, 3, 11), 10)):
        r = client.post("/intermediary/agency/appeal/", {"kind": "appeal", "event": event.pk, "reason": "按合同收费"},
                        follow=True)
    assert "申诉/修复申请已提交" in messages_of(r)
    client.force_login(w.admin.user)
    appeal = a.appeals.get()
    assert "按合同收费" in text(client.get("/intermediary/manage/"))
    with clock.frozen(at(dt.date(2026, 3, 12), 10)):
        r = client.post("/intermediary/manage/appeal/", {"appeal_id": appeal.pk, "upheld": "1",
                                                         "decision": "经核实按合同收费"}, follow=True)
    assert "已处理" in messages_of(r)
    event.refresh_from_db()
    assert event.state == CreditEvent.State.REVOKED


def test_an_agency_withdraws_an_offering_and_can_no_longer_sign_up_for_it(client, w):
    p = published(client, w)
    a = w.agencies[1]
    login(client, "agency2")
    page = text(client.get("/intermediary/agency/"))
    assert f'data-testid="withdraw-{w.eia.code}"' in page
    r = client.post("/intermediary/agency/offering_withdraw/", {"service": "NOPE"})
    assert r.status_code == 404 and "未找到该中介服务事项" in text(r)
    r = client.post("/intermediary/agency/offering_withdraw/", {"service": w.eia.code}, follow=True)
    assert f"已退出承接“{w.eia.name}”" in text(r) and f'data-testid="withdraw-{w.eia.code}"' not in text(r)
    offering = Offering.objects.get(agency=a, service=w.eia)
    assert offering.status == OfferingStatus.WITHDRAWN
    with clock.frozen(at(DAY + dt.timedelta(days=1), 10)):
        r = client.post(f"/intermediary/agency/signup/{p.pk}/", {}, follow=True)
    assert "未登记承接" in text(r) and not Signup.objects.filter(purchase=p, agency=a).exists()
