"""The pages: portal per body with its generated 指南 and 目录, search, views, applying, the workbench."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengwu.core import clock
from zhengwu.disclosure import services as s
from zhengwu.disclosure.models import InfoRequest, Publication, ReqStatus

from .factories import PERSON_ID, build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def published(w, title="示范县食品安全抽检信息公告", made_on=None, **over):
    made_on = made_on or D(2026, 5, 6)
    with clock.frozen(made_on):
        p = s.publication_create(body=w.scj, officer=w.officer, title=title, category=over.pop("category", "notice"),
                                 content=over.pop("content", "抽检合格率98.5%。"), made_on=made_on, **over)
        s.publication_submit(publication=p, officer=w.officer)
        s.publication_review(publication=p, reviewer=w.reviewer, approve=True)
        s.publication_secrecy_review(publication=p, reviewer=w.secrecy, passed=True)
        s.publication_sign(publication=p, signer=w.signer)
        s.publication_publish(publication=p, officer=w.officer)
    return p


def text(resp) -> str:
    assert resp.status_code == 200, resp.content[:500]
    return resp.content.decode()


def test_guide_and_catalog_are_generated_from_the_data(client, w):
    p = published(w)
    published(w, title="关于废止若干规范性文件的决定", category="regulation", doc_kind="normative",
              doc_no="示市监规〔2026〕2号", made_on=D(2026, 5, 7))
    guide = text(client.get("/gk/SFXSCJ/guide/"))
    assert "示范县市场监督管理局政府信息公开指南" in guide
    assert "公告公示</span><span class=\"muted\">1 条" in guide
    assert "自收到申请之日起20个工作日内答复" in guide
    assert "31–100页" in guide and "10 元/页" in guide
    catalog = text(client.get("/gk/SFXSCJ/catalog/"))
    assert "SFXSCJ/2026-00001" in catalog and "示市监规〔2026〕2号" in catalog and "现行有效" in catalog
    only = text(client.get("/gk/SFXSCJ/catalog/?category=notice"))
    assert "示范县食品安全抽检信息公告" in only and "关于废止若干规范性文件的决定" not in only
    assert text(client.get(f"/gk/SFXSCJ/p/{p.pk}/")).count("抽检合格率98.5%") == 1
    client.get(f"/gk/SFXSCJ/p/{p.pk}/")
    assert Publication.objects.get(pk=p.pk).view_count == 2


def test_search_is_full_text_over_title_and_body(client, w):
    published(w)
    published(w, title="2026年部门预算公开", category="budget", content="一般公共预算支出1234万元")
    found = text(client.get("/gk/search/", {"q": "预算 1234"}))
    assert "2026年部门预算公开" in found and "食品安全抽检" not in found
    assert "找到 1 条" in found
    assert "找到 0 条" in text(client.get("/gk/search/", {"q": "不存在的词"}))


def test_drafts_are_not_public(client, w):
    with clock.frozen(D(2026, 5, 6)):
        p = s.publication_create(body=w.scj, officer=w.officer, title="草稿", category="notice", content="x",
                                 made_on=D(2026, 5, 6))
    assert client.get(f"/gk/SFXSCJ/p/{p.pk}/").status_code == 404
    assert "草稿" not in text(client.get("/gk/SFXSCJ/catalog/"))


def test_village_portal_shows_village_affairs(client, w):
    home = text(client.get("/gk/DGC/"))
    assert "村务公开·财务收支" in home and "依申请公开" not in home
    assert client.get("/gk/DGC/apply/").status_code in (302, 404)


def test_the_application_form_names_every_problem_beside_its_field(client, w):
    """No description (the form's check), a bad ID and a bad postcode (the applicant's checks) and a bad phone:
    all four at once, beside their fields and in the summary; what was typed stays; nothing is written."""
    client.force_login(w.citizen)
    with clock.frozen(D(2026, 6, 1)):
        bad = client.post("/gk/SFXSCJ/apply/", {"kind": "person", "name": "张三", "id_number": "123",
                                                "phone": "1", "postcode": "abc", "description": "",
                                                "wanted_form": "电子文档", "delivery": "网上获取"})
    page = bad.content.decode()
    assert bad.status_code == 400 and not InfoRequest.objects.exists()
    assert "提交未成功，请修改以下4处内容" in page
    for field in ("id_number", "phone", "postcode", "description"):
        assert f'href="#f-{field}"' in page and f'aria-describedby="f-{field}-error"' in page, field
    assert 'value="张三"' in page and 'aria-describedby="f-name-error"' not in page


def test_citizen_applies_online_and_staff_acts_through_the_pages(client, w):
    client.force_login(w.citizen)
    with clock.frozen(D(2026, 6, 1)):
        resp = client.post("/gk/SFXSCJ/apply/", {
            "kind": "person", "name": "张三", "id_number": PERSON_ID, "phone": "13812345678",
            "description": "2025年度食品经营许可发放情况", "wanted_form": "电子文档", "delivery": "网上获取"})
    assert resp.status_code == 302
    req = InfoRequest.objects.get()
    assert (req.request_no, req.status, req.user) == ("SFXSCJ-2026-0001", ReqStatus.AWAITING_RECEIPT, w.citizen)
    assert "待确认收到" in text(client.get(resp["Location"]))
    bad = client.post("/gk/SFXSCJ/apply/", {"kind": "person", "name": "张三", "id_number": "123",
                                            "phone": "13812345678", "description": "信息", "wanted_form": "电子文档",
                                            "delivery": "网上获取"})
    assert bad.status_code == 400 and "身份证号应为18位" in bad.content.decode()
    assert InfoRequest.objects.count() == 1
    client.force_login(w.officer.user)
    work = text(client.get("/gk/work/"))
    assert "SFXSCJ-2026-0001" in work and "待确认收到" in work
    with clock.frozen(D(2026, 6, 2)):
        client.post(f"/gk/work/requests/{req.request_no}/act/confirm/", {"confirmed_on": "2026-06-02"})
        client.post(f"/gk/work/requests/{req.request_no}/act/reply/", {
            "result": "open", "reply_text": "见附件《许可发放统计表》"})
    req.refresh_from_db()
    assert (req.status, req.received_on, req.result) == (ReqStatus.REPLIED, D(2026, 6, 2), "open")
    pdf = client.get(f"/gk/work/requests/{req.request_no}/reply.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(w.outsider.user)
    assert client.get(f"/gk/work/requests/{req.request_no}/").status_code == 404
    client.force_login(w.citizen)
    assert client.get(f"/gk/my/{req.request_no}/reply.pdf").content.startswith(b"%PDF")
    assert client.get("/gk/work/").status_code == 403


def test_workbench_flags_deadlines(client, w):
    with clock.frozen(D(2026, 2, 5)):
        s.request_file(body=w.scj, applicant=s.Applicant(kind="person", name="李四", phone="13812345678",
                                                         id_number=PERSON_ID), description="食品抽检材料",
                       channel="in_person", officer=w.officer)
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 3, 5)):
        assert "即将到期：还剩4个工作日（2026-03-11）" in text(client.get("/gk/work/"))
    with clock.frozen(D(2026, 3, 12)):
        assert "已超过答复期限（2026-03-11）" in text(client.get("/gk/work/"))


def test_workbench_flags_unconfirmed_and_lapsed_requests_in_a_fixed_number_of_queries(
        client, w, django_assert_num_queries):
    def consulted(n):
        for _ in range(n):
            with clock.frozen(D(2026, 3, 2)):
                r = s.request_file(body=w.scj, applicant=s.Applicant(kind="person", name="李四", phone="13812345678",
                                                                     id_number=PERSON_ID),
                                   description="食品抽检材料", channel="in_person", officer=w.officer)
            with clock.frozen(D(2026, 3, 9)):
                s.request_consult(request=r, officer=w.officer, third_party="某某餐饮有限公司")
                s.request_consultation_receipt(request=r, officer=w.officer, received_on=D(2026, 3, 9),
                                               delivery="in_person")

    with clock.frozen(D(2026, 3, 2)):
        s.request_file(body=w.scj, applicant=s.Applicant(kind="person", name="张三", phone="13812345678",
                                                         id_number=PERSON_ID), description="2025年食品抽检结果",
                       channel="online", user=w.citizen)
    consulted(1)
    client.force_login(w.officer.user)
    with clock.frozen(D(2026, 4, 23)):
        html = text(client.get("/gk/work/"))
        assert "待确认逾期：2026-03-02提交，应于2026-03-04前确认收到" in html
        assert ("征求意见已逾期：第三方应于2026-03-30前提出意见，此后恢复计时，由本机关依照条例决定是否公开；"
                "已超过答复期限（2026-04-22）") in html
        assert '<strong class="flag">2</strong> 已逾期' in html
        with CaptureQueriesContext(connection) as one:
            client.get("/gk/work/")
        consulted(3)
        with django_assert_num_queries(len(one.captured_queries)):
            assert text(client.get("/gk/work/")).count("征求意见已逾期") == 4


def test_staff_edit_adjust_and_finalise_the_report_on_its_page(client, w):
    client.force_login(w.officer.user)
    url = "/gk/work/reports/SFXSCJ/2025/"
    with clock.frozen(D(2026, 1, 20)):
        assert "一、总体情况" in text(client.get(url))
        client.post(url, {"what": "text", "overview": "2025年，本局……", "problems": "一是……", "other": "无"})
        client.post(url, {"what": "adjust", "cell": "三|本年新收|自然人", "value": "2", "reason": "纸质申请补录"})
        page = text(client.get(url))
        assert "表三“自然人”列不平衡" in page and "三|本年新收|自然人 = 2（纸质申请补录，刘经办）" in page
        resp = client.post(url, {"what": "finalise"}, follow=True)
        assert "“年度报告定稿”应由示范县市场监督管理局的公开工作机构负责人、领导小组组长办理" in resp.content.decode()
        client.force_login(w.head.user)
        resp = client.post(url, {"what": "finalise"}, follow=True)
        assert "数据核对未通过" in resp.content.decode()
        client.post(url, {"what": "adjust", "cell": "三|本年新收|自然人", "value": "", "reason": ""})
        resp = client.post(url, {"what": "finalise"}, follow=True)
        assert "年度报告已定稿" in resp.content.decode()
    public = text(client.get("/gk/SFXSCJ/reports/2025/"))
    assert "已定稿" in public and "2025年，本局……" in public


def test_publication_chain_on_the_work_pages(client, w):
    with clock.frozen(D(2026, 5, 6)):
        client.force_login(w.officer.user)
        resp = client.post("/gk/work/publications/new/SFXSCJ/", {
            "title": "2026年“双随机、一公开”抽查计划", "category": "plan", "doc_kind": "general", "made_on": "2026-05-06",
            "content": "抽查事项……"})
        assert resp.status_code == 302
        pk = Publication.objects.get().pk
        for who, action in ((w.officer, "submit"), (w.reviewer, "review_ok"), (w.secrecy, "secrecy_ok"),
                            (w.signer, "sign"), (w.officer, "publish")):
            client.force_login(who.user)
            client.post(f"/gk/work/publications/{pk}/act/{action}/", {"note": ""})
    assert Publication.objects.get().status == "published"
    assert "2026年“双随机、一公开”抽查计划" in text(client.get("/gk/SFXSCJ/"))


def test_the_workbench_link_is_shown_to_members_of_a_body_only(client, w):
    from zhengwu.org.models import Role
    from zhengwu.org.tests import factories as f

    link = 'href="/gk/work/"'
    client.force_login(w.citizen)
    assert link not in text(client.get("/gk/"))
    client.force_login(f.staff("2999", Role.WINDOW_OFFICER, department=w.dept, name="钱非公开").user)
    assert link not in text(client.get("/gk/"))
    client.force_login(w.officer.user)
    assert link in text(client.get("/gk/"))


def test_the_applicants_contact_details_are_masked_until_revealed_and_each_reveal_is_audited(client, w):
    from zhengwu.core.models import AuditEvent

    with clock.frozen(D(2026, 6, 1)):
        req = s.request_file(body=w.scj, applicant=s.Applicant(kind="person", name="张三", id_number=PERSON_ID,
                                                               phone="13812345678", address="河北省示范县城关镇东关村12号",
                                                               email="zhangsan@example.cn"),
                             description="2025年度食品经营许可发放情况", channel="post_signed", officer=w.officer,
                             signed_for_on=D(2026, 6, 1))
    url = f"/gk/work/requests/{req.request_no}/"
    client.force_login(w.officer.user)
    page = text(client.get(url))
    assert "138****5678" in page and "河北省示范县****" in page and "z***@example.cn" in page
    for full in ("13812345678", "东关村12号", "zhangsan@example.cn"):
        assert full not in page
    assert not AuditEvent.objects.filter(summary__contains="完整联系方式").exists()

    page = text(client.post(url + "contact/"))
    assert "13812345678" in page and "河北省示范县城关镇东关村12号" in page and "zhangsan@example.cn" in page
    audit = AuditEvent.objects.get(summary=f"查看依申请公开 {req.request_no} 申请人的完整联系方式")
    assert audit.actor == w.officer.user
    assert client.get(url + "contact/").status_code == 405
    client.force_login(w.outsider.user)
    assert client.post(url + "contact/").status_code == 404
    assert AuditEvent.objects.filter(summary__contains="完整联系方式").count() == 1
