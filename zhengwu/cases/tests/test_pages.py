"""Case pages through the test client: who sees what, and that refused input changes nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from zhengwu.cases import plan
from zhengwu.cases import services as s
from zhengwu.cases.models import Case, CaseEvent, CaseMaterial, Status, SupplementItem, SupplementRequest
from zhengwu.core.models import AuditEvent

from .factories import PERSON_ID, applicant, build_world, pdf

pytestmark = pytest.mark.django_db

MASKED_ID = "1101**********002X"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fresh_plans():
    """Plans are cached per version id for the process; ids come back after a rollback or flush."""
    plan._plans.clear()
    yield
    plan._plans.clear()


@pytest.fixture
def w():
    return build_world()


def login(client, user):
    client.force_login(user)
    return client


def submit(w, files=None, **over):
    files = [(w.m1.pk, pdf("申请书.pdf"))] if files is None else files
    return s.case_submit(item=w.item, applicant=applicant(**over), channel="online", user=w.citizen, files=files)


def apply_data(w, **over):
    data = {"kind": "person", "name": "张三", "id_number": PERSON_ID, "phone": "13812345678",
            "address": "示范县城关镇东关村1号"}
    data.update(over)
    return data


def action_names(response) -> list[str]:
    return re.findall(r'data-action="([a-z_]+)"', response.content.decode())


# -- access ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, args", [
    ("cases:apply", ["SFX-SCJG-001"]), ("cases:my_cases", []), ("cases:workbench", []),
    ("cases:agent_cases", []), ("cases:window_apply", ["SFX-SCJG-001"]),
])
def test_anonymous_visitors_are_sent_to_login(client, w, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('portal:login')}?next={url}"


def test_citizen_is_refused_the_officer_and_agent_pages(client, w):
    login(client, w.citizen)
    case = submit(w)
    for url in [reverse("cases:workbench"), reverse("cases:staff_case", args=[case.case_no]),
                reverse("cases:agent_cases"), reverse("cases:window_apply", args=["SFX-SCJG-001"])]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "仅限" in response.content.decode()


def test_officer_is_refused_the_agent_pages_and_agent_is_refused_window_intake(client, w):
    login(client, w.officer.user)
    response = client.get(reverse("cases:agent_cases"))
    assert response.status_code == 403
    assert "该页面仅限村（社区）便民服务站代办员使用" in response.content.decode()
    login(client, w.agent.user)
    response = client.get(reverse("cases:window_apply", args=["SFX-SCJG-001"]))
    assert response.status_code == 403
    assert "窗口收件仅限大厅窗口人员和首席代表" in response.content.decode()


def test_applicant_page_is_only_for_the_applicant(client, w):
    case = submit(w)
    other = get_user_model().objects.create_user(username="lisi", password="pass-123456", real_name="李四")
    login(client, other)
    assert client.get(reverse("cases:my_case", args=[case.case_no])).status_code == 404
    assert client.post(reverse("cases:my_withdraw", args=[case.case_no])).status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    login(client, w.citizen)
    response = client.get(reverse("cases:my_case", args=[case.case_no]))
    assert response.status_code == 200
    assert case.case_no in response.content.decode()


# -- sign-up and online application --------------------------------------------------------------------------


def test_register_creates_the_account_and_logs_in(client, w):
    response = client.post(reverse("cases:register"), {
        "username": "wangwu", "real_name": "王五", "phone": "139 1234 5678", "password1": "Zw-2026-pass",
        "password2": "Zw-2026-pass", "next": "/apply/SFX-SCJG-001/"})
    assert response.status_code == 302 and response.url == "/apply/SFX-SCJG-001/"
    user = get_user_model().objects.get(username="wangwu")
    assert (user.real_name, user.phone) == ("王五", "13912345678")
    page = client.get("/apply/SFX-SCJG-001/").content.decode()
    assert 'value="王五"' in page and 'value="13912345678"' in page


def test_register_refuses_a_bad_phone(client, w):
    response = client.post(reverse("cases:register"), {
        "username": "wangwu", "real_name": "王五", "phone": "12345", "password1": "Zw-2026-pass",
        "password2": "Zw-2026-pass"})
    assert response.status_code == 400
    assert "联系电话应为11位手机号码" in response.content.decode()
    assert not get_user_model().objects.filter(username="wangwu").exists()


def test_apply_page_lists_the_materials_of_the_current_version(client, w):
    login(client, w.citizen)
    page = client.get(reverse("cases:apply", args=["SFX-SCJG-001"])).content.decode()
    for m in (w.m1, w.m2, w.m3):
        assert m.name in page
        assert f'name="file_{m.pk}"' in page
    assert page.count('class="pill pill-req"') == 2


def test_online_application_creates_the_case_and_shows_its_number(client, w):
    login(client, w.citizen)
    response = client.post(reverse("cases:apply", args=["SFX-SCJG-001"]),
                           {**apply_data(w), f"file_{w.m1.pk}": pdf("申请书.pdf")})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:my_case", args=[case.case_no])
    assert (case.channel, case.status, case.applicant_user, case.id_number) == (
        "online", Status.SUBMITTED, w.citizen, PERSON_ID)
    assert list(case.materials.values_list("material_id", flat=True)) == [w.m1.pk]
    page = client.get(response.url).content.decode()
    assert f"申请已提交，办件编号 {case.case_no}" in page
    assert "待预审" in page


def test_bad_id_number_is_refused_and_nothing_is_created(client, w):
    login(client, w.citizen)
    response = client.post(reverse("cases:apply", args=["SFX-SCJG-001"]),
                           {**apply_data(w, id_number="110105194912310021"), f"file_{w.m1.pk}": pdf()})
    assert response.status_code == 400
    assert "身份证号校验位错误，请核对后重新输入" in response.content.decode()
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0
    # what was typed is kept
    assert 'value="110105194912310021"' in response.content.decode()


def test_every_error_is_shown_beside_its_field_and_in_the_summary(client, w, settings):
    """Name missing, a bad ID check digit, a bad phone and an oversize file: all four come back at once,
    each beside its field (aria-invalid, described by its message) and as a link in the summary."""
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1024
    login(client, w.citizen)
    response = client.post(reverse("cases:apply", args=["SFX-SCJG-001"]), {
        **apply_data(w, name="", id_number="110105194912310021", phone="12345", address="东关村1号"),
        f"file_{w.m1.pk}": pdf("大文件.pdf", size=4096)})
    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert "提交未成功，请修改以下4处内容" in summary
    for field, message in [("name", "请填写姓名"), ("id_number", "身份证号校验位错误，请核对后重新输入"),
                           ("phone", "联系电话应为11位手机号码"), (f"file_{w.m1.pk}", "超过 1 KB 的上限")]:
        assert f'href="#f-{field}"' in summary and message in summary
        assert re.search(rf'name="{field}"[^>]*id="f-{field}" aria-invalid="true" aria-describedby="f-{field}-error"',
                         page), field
        assert re.search(rf'<span class="field-error" id="f-{field}-error">[^<]*{re.escape(message)}', page), field
    assert 'name="address"' in page and 'aria-describedby="f-address-error"' not in page
    assert 'value="东关村1号"' in page and 'value="110105194912310021"' in page  # what was typed stays
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0


def test_legal_person_errors_name_the_legal_person_fields(client, w):
    login(client, w.citizen)
    response = client.post(reverse("cases:apply", args=["SFX-SCJG-001"]), {
        "kind": "legal", "name": "", "uscc": "91350100M000100Y44", "legal_rep": "", "phone": "0312-5551234"})
    page = response.content.decode()
    assert response.status_code == 400 and "请修改以下3处内容" in page
    assert "单位名称：请填写单位名称" in page and "统一社会信用代码校验位错误" in page
    assert "法定代表人：法人申请请填写法定代表人" in page
    assert 'aria-describedby="f-id_number-error"' not in page  # optional for a legal person, left empty


def test_oversize_file_is_refused_and_nothing_is_created(client, w, settings):
    settings.ZHENGWU_MAX_UPLOAD_BYTES = 1024
    login(client, w.citizen)
    response = client.post(reverse("cases:apply", args=["SFX-SCJG-001"]),
                           {**apply_data(w), f"file_{w.m1.pk}": pdf("大文件.pdf", size=4096)})
    assert response.status_code == 400
    assert "文件“大文件.pdf”大小为 4 KB，超过 1 KB 的上限" in response.content.decode()
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0


class _Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize("url", ["/apply/SFX-SCJG-001/", "/my/cases/SFXZW-20260310-00001/supplement/",
                                 "/agent/apply/SFX-SCJG-001/", "/workbench/new/SFX-SCJG-001/"])
def test_an_oversize_upload_form_is_refused_from_its_content_length_unread(client, w, settings, url):
    """The application and 补正 pages take several files: past the whole form's limit the body is never read."""
    settings.ZHENGWU_MAX_UPLOAD_BYTES, settings.ZHENGWU_MAX_REQUEST_BYTES = 1024 * 1024, 3 * 1024 * 1024
    login(client, w.citizen)
    r = client.generic("POST", url, b"x", content_type="multipart/form-data; boundary=zz",
                       CONTENT_LENGTH=str(5 * 1024 * 1024), **{"wsgi.input": _Unread()})
    assert r.status_code == 413
    assert "上传内容为 5 MB，超过 3 MB 的上限（单个文件不超过 1 MB）" in r.content.decode()
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0


def test_legal_person_application(client, w):
    login(client, w.citizen)
    response = client.post(reverse("cases:apply", args=["SFX-SCJG-001"]), {
        "kind": "legal", "name": "示范县好味道餐饮有限公司", "uscc": "91350100M000100Y43", "legal_rep": "张三",
        "phone": "0312-5551234"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.applicant_kind, case.uscc, case.legal_rep, case.id_number) == (
        "legal", "91350100M000100Y43", "张三", "")


# -- applicant: supplement and withdrawal ---------------------------------------------------------------------


def test_applicant_sees_the_supplement_request_and_hands_in_the_file(client, w):
    case = submit(w)
    s.case_request_supplement(case=case, officer=w.officer, missing=["经营场所平面图", "房屋租赁合同"],
                              note="请上传清晰扫描件")
    login(client, w.citizen)
    page = client.get(reverse("cases:my_case", args=[case.case_no])).content.decode()
    assert 'data-testid="supplement-request"' in page
    assert "经营场所平面图" in page and "房屋租赁合同" in page and "请上传清晰扫描件" in page
    assert f'name="file_{w.m2.pk}"' in page and 'name="extra_2"' in page
    response = client.post(reverse("cases:my_supplement", args=[case.case_no]),
                           {f"file_{w.m2.pk}": pdf("平面图.pdf"), "extra_2": pdf("租赁合同.pdf")}, follow=True)
    # the listed material is matched by its id; the lease is not on the list and waits for the window
    assert "补正尚未完成，还需：房屋租赁合同" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT
    assert sorted(case.materials.values_list("name", flat=True)) == sorted(
        ["食品经营许可申请书", "经营场所平面图", "租赁合同.pdf"])
    assert SupplementRequest.objects.get().received_on is None
    page = client.get(reverse("cases:my_case", args=[case.case_no])).content.decode()
    assert f'name="file_{w.m2.pk}"' not in page and 'name="extra_2"' in page
    assert '<li data-item-state="received">经营场所平面图' in page
    assert '<li data-item-state="pending">房屋租赁合同' in page

    # the window confirms the lease (已收到) on the case page: the 补正 is complete
    login(client, w.officer.user)
    page = client.get(reverse("cases:staff_case", args=[case.case_no])).content.decode()
    lease = SupplementItem.objects.get(name="房屋租赁合同")
    assert f'data-item="{lease.pk}"' in page
    client.post(reverse("cases:act", args=[case.case_no, "supplement_item"]), {"item_id": lease.pk,
                                                                             "state": "received"})
    case.refresh_from_db()
    assert case.status == Status.PENDING
    assert SupplementRequest.objects.get().received_on is not None
    lease.refresh_from_db()
    assert (lease.state, lease.resolved_by) == ("received", w.officer)


def test_empty_supplement_is_refused_with_the_message(client, w):
    case = submit(w)
    s.case_request_supplement(case=case, officer=w.officer, missing=["经营场所平面图"])
    login(client, w.citizen)
    response = client.post(reverse("cases:my_supplement", args=[case.case_no]), follow=True)
    assert "请上传补正材料或填写补正说明" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.SUPPLEMENT


def test_applicant_withdraws(client, w):
    case = submit(w)
    login(client, w.citizen)
    client.post(reverse("cases:my_withdraw", args=[case.case_no]), {"reason": "不办了"})
    assert Case.objects.get(pk=case.pk).status == Status.WITHDRAWN


def test_materials_keep_the_name_the_user_gave(client, w):
    """The second 申请书.pdf is stored as 申请书_<random>.pdf; the page and the download show 申请书.pdf."""
    first = submit(w, files=[(w.m1.pk, pdf("申请书.pdf"))])
    case = submit(w, files=[(w.m1.pk, pdf("申请书.pdf"))])
    material = case.materials.get()
    assert material.file.name != first.materials.get().file.name  # the storage renamed one of them
    assert material.file_name == "申请书.pdf"
    login(client, w.citizen)
    page = client.get(reverse("cases:my_case", args=[case.case_no])).content.decode()
    assert ">申请书.pdf</a>" in page and material.file.name.rsplit("/", 1)[-1] not in page
    response = client.get(reverse("cases:my_material", args=[case.case_no, material.pk]))
    assert "filename*=utf-8''%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf" in response["Content-Disposition"]
    api = client.get(f"/api/cases/{case.case_no}").json()
    assert [f["file_name"] for m in api["materials"] for f in m["files"]] == ["申请书.pdf"]


def test_applicant_downloads_own_material_but_not_anothers(client, w):
    case = submit(w)
    material = case.materials.get()
    login(client, w.citizen)
    response = client.get(reverse("cases:my_material", args=[case.case_no, material.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    other = get_user_model().objects.create_user(username="lisi", password="pass-123456")
    login(client, other)
    assert client.get(reverse("cases:my_material", args=[case.case_no, material.pk])).status_code == 404


# -- public progress query ------------------------------------------------------------------------------------


def test_progress_query_with_the_right_pair_shows_steps_and_a_masked_name(client, w):
    case = submit(w, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
    s.case_accept(case=case, officer=w.officer)
    for credential in ["13812345678", PERSON_ID.lower()]:
        response = client.post(reverse("cases:progress"), {"case_no": case.case_no, "credential": credential})
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="progress-result"' in page
        assert "食品经营许可证核发" in page and "审查中" in page
        assert ">张*<" in page and "张三" not in page
        assert PERSON_ID not in page and "13812345678" not in page
        assert "受理" in page and case.due_date.strftime("%Y年%-m月%-d日") in page


def test_progress_query_accepts_the_number_typed_in_lower_case_or_full_width(client, w):
    case = submit(w, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
    typed = [case.case_no.lower(), f"  {case.case_no.lower()} ",
             "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in case.case_no)]  # 全角
    for case_no in typed:
        page = client.post(reverse("cases:progress"), {"case_no": case_no, "credential": "13812345678"}).content.decode()
        assert 'data-testid="progress-result"' in page, case_no
        assert case.case_no in page


def test_progress_form_takes_the_case_number_from_the_printed_qr_link(client, w):
    page = client.get(reverse("cases:progress"), {"case_no": "SFXZW-20261126-00001"}).content.decode()
    assert 'value="SFXZW-20261126-00001"' in page
    assert 'data-testid="progress-result"' not in page


def test_progress_query_with_a_wrong_pair_says_not_found(client, w):
    case = submit(w)
    other = s.case_submit(item=w.item, applicant=applicant(name="李四", phone="13900001111",
                                                           id_number="110101199003070011"),
                          channel="online", user=None)
    message = "未找到与该办件编号和联系电话（或身份证号）匹配的办件，请核对后重试"
    for case_no, credential in [(case.case_no, "13900001111"), ("SFXZW-20000101-00001", "13812345678"),
                                (other.case_no, PERSON_ID)]:
        page = client.post(reverse("cases:progress"), {"case_no": case_no, "credential": credential}).content.decode()
        assert message in page
        assert 'data-testid="progress-result"' not in page


def test_an_enterprises_public_credit_code_does_not_open_its_case(client, w):
    from .factories import USCC

    case = s.case_submit(item=w.item, applicant=applicant(kind="legal", name="示范县好味道餐饮有限公司", uscc=USCC,
                                                          legal_rep="张三", id_number="", phone="13900002222"),
                         channel="online", user=None)
    page = client.post(reverse("cases:progress"), {"case_no": case.case_no, "credential": USCC}).content.decode()
    assert 'data-testid="progress-result"' not in page
    page = client.post(reverse("cases:progress"), {"case_no": case.case_no, "credential": "13900002222"}).content.decode()
    assert 'data-testid="progress-result"' in page


def test_progress_guessing_is_slowed_after_ten_wrong_pairs(client, w):
    from django.core.cache import cache

    cache.clear()
    case = submit(w)
    for i in range(10):
        client.post(reverse("cases:progress"), {"case_no": case.case_no, "credential": f"1390000{i:04d}"})
    response = client.post(reverse("cases:progress"), {"case_no": case.case_no, "credential": "13812345678"})
    assert response.status_code == 429
    assert "查询失败次数过多，请10分钟后再试" in response.content.decode()
    assert 'data-testid="progress-result"' not in response.content.decode()
    cache.clear()


# -- workbench ------------------------------------------------------------------------------------------------


def test_workbench_lists_only_the_officers_department(client, w):
    mine = submit(w)
    from zhengwu.catalog.services import item_upsert

    from .factories import MATERIALS, _fields

    police_item, _ = item_upsert(impl_code="SFX-GA-001", department=w.other_dept,
                                 fields=_fields(name="居住证签发"), steps=[], materials=MATERIALS[:1], fees=[])
    theirs = s.case_submit(item=police_item, applicant=applicant(), channel="online", user=w.citizen)
    login(client, w.officer.user)
    page = client.get(reverse("cases:workbench")).content.decode()
    assert mine.case_no in page and theirs.case_no not in page
    login(client, w.outsider.user)
    page = client.get(reverse("cases:workbench")).content.decode()
    assert theirs.case_no in page and mine.case_no not in page


def test_workbench_masks_id_numbers_and_filters(client, w):
    open_case = submit(w)
    done = submit(w, files=[(w.m1.pk, pdf())], name="王五", id_number="110101199003070011")
    s.case_reject(case=done, officer=w.officer, reason="不属于本部门职责")
    login(client, w.officer.user)
    page = client.get(reverse("cases:workbench")).content.decode()
    assert MASKED_ID in page and PERSON_ID not in page
    assert open_case.case_no in page and done.case_no not in page  # 待办 by default
    page = client.get(reverse("cases:workbench"), {"scope": "all"}).content.decode()
    assert done.case_no in page and "1101**********0011" in page
    page = client.get(reverse("cases:workbench"), {"status": "rejected"}).content.decode()
    assert done.case_no in page and open_case.case_no not in page
    page = client.get(reverse("cases:workbench"), {"q": "王五", "scope": "all"}).content.decode()
    assert done.case_no in page and open_case.case_no not in page
    assert 'data-testid="due-legend"' in page


def test_workbench_colours_due_dates(client, w):
    from zhengwu.core import clock

    case = submit(w, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
    s.case_accept(case=case, officer=w.officer)
    Case.objects.filter(pk=case.pk).update(due_date=clock.today().replace(year=clock.today().year - 1))
    login(client, w.officer.user)
    page = client.get(reverse("cases:workbench"), {"due": "overdue"}).content.decode()
    assert f'class="row-overdue" data-case-no="{case.case_no}"' in page
    assert "due due-overdue" in page
    # In 特别程序 the clock is stopped: neither overdue nor red, shown as paused.
    s.case_suspend(case=Case.objects.get(pk=case.pk), officer=w.chief, kind="expert_review", reason="组织专家评审")
    page = client.get(reverse("cases:workbench"), {"due": "overdue"}).content.decode()
    assert case.case_no not in page
    page = client.get(reverse("cases:workbench")).content.decode()
    row = re.search(rf'<tr[^>]*data-case-no="{case.case_no}".*?</tr>', page, re.S).group(0)
    assert 'class="due due-paused"' in row and "row-overdue" not in row


def test_workbench_query_count_does_not_grow_with_the_page(client, w, django_assert_max_num_queries):
    for i in range(25):
        case = submit(w, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())], name=f"申请人{i}")
        if i % 2:
            s.case_accept(case=case, officer=w.officer)
    login(client, w.officer.user)
    client.get(reverse("cases:workbench"))  # warm the working-day calendar
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:workbench"), {"scope": "all"})
    assert response.content.decode().count("data-case-no=") == 20


# -- the case page ----------------------------------------------------------------------------------------------


def test_window_officer_sees_accept_but_not_extend_or_decide(client, w):
    case = submit(w, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
    s.case_prereview(case=case, officer=w.officer)
    login(client, w.officer.user)
    response = client.get(reverse("cases:staff_case", args=[case.case_no]))
    assert response.status_code == 200
    assert action_names(response) == ["accept", "request_supplement", "reject"]
    page = response.content.decode()
    assert ">受理</button>" in page
    assert ">延期</button>" not in page and ">作出决定</button>" not in page


def test_actions_follow_the_step_roles(client, w):
    case = submit(w, files=[(w.m1.pk, pdf()), (w.m2.pk, pdf())])
    s.case_accept(case=case, officer=w.officer)  # now at step 2 审核 (chief)
    login(client, w.officer.user)
    assert action_names(client.get(reverse("cases:staff_case", args=[case.case_no]))) == [
        "request_supplement", "suspend"]
    login(client, w.chief.user)
    assert action_names(client.get(reverse("cases:staff_case", args=[case.case_no]))) == [
        "request_supplement", "review", "suspend"]
    login(client, w.head.user)
    assert action_names(client.get(reverse("cases:staff_case", args=[case.case_no]))) == ["suspend", "extend"]
    s.case_review(case=case, officer=w.chief)
    assert action_names(client.get(reverse("cases:staff_case", args=[case.case_no]))) == [
        "suspend", "extend", "decide"]


def test_out_of_scope_officer_gets_403(client, w):
    case = submit(w)
    login(client, w.outsider.user)
    response = client.get(reverse("cases:staff_case", args=[case.case_no]))
    assert response.status_code == 403
    assert "该办件不在您的管辖范围内" in response.content.decode()
    response = client.post(reverse("cases:act", args=[case.case_no, "accept"]))
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_leader_reads_the_case_but_has_no_actions(client, w):
    case = submit(w)
    login(client, w.leader.user)
    response = client.get(reverse("cases:staff_case", args=[case.case_no]))
    assert response.status_code == 200
    assert action_names(response) == []
    assert "查看完整证件号" not in response.content.decode()


def test_reveal_shows_the_full_id_and_writes_an_audit_event(client, w):
    case = submit(w)
    login(client, w.officer.user)
    page = client.get(reverse("cases:staff_case", args=[case.case_no])).content.decode()
    assert MASKED_ID in page and PERSON_ID not in page and "138****5678" in page
    views = AuditEvent.objects.filter(action="view")
    assert not views.exists()
    response = client.post(reverse("cases:reveal", args=[case.case_no]))
    assert response.status_code == 200
    assert PERSON_ID in response.content.decode() and "13812345678" in response.content.decode()
    event = views.get()
    assert (event.actor, event.action, event.object_id) == (w.officer.user, "view", str(case.pk))
    assert event.summary == f"查看办件 {case.case_no} 申请人完整证件号码"


def test_reveal_is_refused_to_a_leader_without_audit(client, w):
    case = submit(w)
    login(client, w.leader.user)
    response = client.post(reverse("cases:reveal", args=[case.case_no]))
    assert response.status_code == 403
    assert "您的岗位无需查看完整证件号码" in response.content.decode()
    assert not AuditEvent.objects.filter(action="view").exists()


def test_request_supplement_is_prefilled_with_missing_required_materials(client, w):
    case = submit(w)
    login(client, w.officer.user)
    page = client.get(reverse("cases:staff_case", args=[case.case_no])).content.decode()
    assert re.search(r'<textarea name="missing"[^>]*>\s*经营场所平面图</textarea>', page)
    assert f'name="paper_materials" value="{w.m2.pk}"' in page


def test_whole_life_through_the_action_forms(client, w):
    case = submit(w)
    url = reverse("cases:staff_case", args=[case.case_no])

    def act(user, action, data=None, refused=False):
        login(client, user)
        response = client.post(reverse("cases:act", args=[case.case_no, action]), data or {}, follow=True)
        if refused:  # the page again, the form as typed, the errors beside the fields and in the summary
            assert response.status_code == 400 and response.redirect_chain == []
            assert 'data-testid="error-summary"' in response.content.decode()
        else:
            assert response.redirect_chain == [(url, 302)]
        return response.content.decode()

    page = act(w.officer.user, "accept", refused=True)
    assert "缺少必要材料：经营场所平面图。请一次性告知申请人补正后再受理" in page
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    page = act(w.officer.user, "accept", {"paper_materials": [w.m2.pk], "note": "纸质平面图已收"})
    case.refresh_from_db()
    assert (case.status, case.current_step, case.accepted_window) == (Status.IN_REVIEW, 2, w.window)
    assert f"已办理：受理。办件状态为“审查中”，办结期限 {case.due_date:%Y年%-m月%-d日}。" in page
    act(w.officer.user, "review", refused=True)  # not the officer's step: refused with the service's message
    assert Case.objects.get(pk=case.pk).current_step == 2
    act(w.chief.user, "review", {"note": "材料齐全"})
    page = act(w.head.user, "extend", {"days": "abc", "reason": "征求意见"}, refused=True)
    assert "“延期”未办理" in page
    assert re.search(r'name="days"[^>]*aria-invalid="true"', page) and "征求意见</textarea>" in page
    act(w.head.user, "decide", {"decision": "approve"})
    act(w.officer.user, "complete")
    act(w.officer.user, "deliver", {"method": "post", "tracking_no": "SF1234567890"})
    case.refresh_from_db()
    assert (case.status, case.decision, case.tracking_no) == (Status.DELIVERED, "approve", "SF1234567890")
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "submit", "accept", "review", "decide", "complete", "deliver"]
    page = client.get(url).content.decode()
    assert f"/cases/{case.case_no}/docs/completion/" in page
    assert f"/cases/{case.case_no}/docs/acceptance/" in page


def test_applicant_is_asked_to_rate_a_finished_case_and_then_sees_the_rating(client, w):
    case = submit(w)
    login(client, w.citizen)
    my_url = reverse("cases:my_case", args=[case.case_no])
    rate_url = reverse("ratings:rate_case", args=[case.case_no])
    assert rate_url not in client.get(my_url).content.decode()  # not finished: nothing to rate yet

    s.case_accept(case=case, officer=w.officer, paper_materials=[w.m2.pk])
    s.case_review(case=case, officer=w.chief)
    s.case_decide(case=case, officer=w.head, decision="approve")
    s.case_complete(case=case, officer=w.officer)
    html = client.get(my_url).content.decode()
    assert "评价本次服务" in html and f'href="{rate_url}"' in html

    from zhengwu.ratings import services as rs

    rs.rating_record(kind="online", channel="web", overall=4, case=case, user=w.citizen)
    html = client.get(my_url).content.decode()
    assert "您已评价：<strong>满意</strong>" in html and rate_url not in html


def test_officer_downloads_materials_in_scope_only(client, w):
    case = submit(w)
    material = case.materials.get()
    login(client, w.officer.user)
    response = client.get(reverse("cases:staff_material", args=[case.case_no, material.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    audit = AuditEvent.objects.get(action="view")
    assert (audit.actor, audit.summary) == (w.officer.user, f"下载办件 {case.case_no} 的申请材料（申请书.pdf）")
    login(client, w.outsider.user)
    assert client.get(reverse("cases:staff_material", args=[case.case_no, material.pk])).status_code == 403


# -- window intake and village agents ---------------------------------------------------------------------------


def test_window_intake_creates_a_pending_case(client, w):
    login(client, w.officer.user)
    response = client.post(reverse("cases:window_apply", args=["SFX-SCJG-001"]),
                           {**apply_data(w), f"file_{w.m1.pk}": pdf(), f"file_{w.m2.pk}": pdf()})
    case = Case.objects.get()
    assert response.url == reverse("cases:staff_case", args=[case.case_no])
    assert (case.channel, case.status, case.first_officer, case.applicant_user) == (
        "window", Status.PENDING, w.officer, None)
    assert CaseEvent.objects.get(case=case).window == w.window


def test_agent_applies_for_a_resident_and_sees_masked_ids(client, w):
    login(client, w.agent.user)
    response = client.post(reverse("cases:agent_apply", args=["SFX-SCJG-001"]),
                           {**apply_data(w), f"file_{w.m1.pk}": pdf()})
    assert response.status_code == 302 and response.url == reverse("cases:agent_cases")
    case = Case.objects.get()
    assert (case.channel, case.agent, case.agent_station, case.status) == ("agent", w.agent, w.station,
                                                                          Status.PENDING)
    page = client.get(reverse("cases:agent_cases")).content.decode()
    assert case.case_no in page and MASKED_ID in page and PERSON_ID not in page and "138****5678" in page
    # another agent's cases are not listed
    submit(w)
    page = client.get(reverse("cases:agent_cases")).content.decode()
    assert page.count("data-testid=\"agent-cases\"") == 1 and page.count('class="no"') == 1


def test_agent_hands_in_the_supplement_and_withdraws_for_the_resident(client, w):
    login(client, w.agent.user)
    client.post(reverse("cases:agent_apply", args=["SFX-SCJG-001"]), {**apply_data(w), f"file_{w.m1.pk}": pdf()})
    case = Case.objects.get()
    assert case.hall == w.town_hall  # taken in at the station, handled at the town centre
    from zhengwu.org.models import Role
    from zhengwu.org.tests import factories as f

    town_officer = f.staff("1010", Role.WINDOW_OFFICER, department=w.dept, hall=w.town_hall, name="镇窗口")
    s.case_request_supplement(case=case, officer=town_officer, missing=["经营场所平面图"])
    url = reverse("cases:staff_case", args=[case.case_no])
    page = client.get(url).content.decode()
    assert 'data-action="supplement"' in page and "代办员代交补正材料" in page
    assert f'name="file_{w.m2.pk}"' in page and 'data-action="withdraw"' in page
    client.post(reverse("cases:act", args=[case.case_no, "supplement"]),
                {"note": "平面图扫描件", f"file_{w.m2.pk}": pdf("平面图.pdf")})
    case.refresh_from_db()
    assert case.status == Status.PENDING
    assert CaseMaterial.objects.filter(case=case, material=w.m2, paper_received=False).exclude(file="").exists()
    response = client.post(reverse("cases:act", args=[case.case_no, "withdraw"]), {"reason": "申请人书面申请撤回"})
    case.refresh_from_db()
    assert response.status_code == 302 and case.status == Status.WITHDRAWN
    assert CaseEvent.objects.filter(case=case, action="withdraw", role="village_agent").exists()
    # an officer of another department sees neither
    other = s.case_submit(item=w.item, applicant=applicant(), channel="window", officer=w.officer)
    login(client, w.outsider.user)
    assert client.post(reverse("cases:act", args=[other.case_no, "withdraw"]),
                       {"reason": "x"}).status_code == 403
    assert Case.objects.get(pk=other.pk).status == Status.PENDING


def test_pick_item_redirects_to_the_form(client, w):
    login(client, w.officer.user)
    response = client.get(reverse("cases:pick_item"), {"impl_code": "SFX-SCJG-001"})
    assert response.url == reverse("cases:window_apply", args=["SFX-SCJG-001"])
    response = client.get(reverse("cases:pick_item"), {"impl_code": "SFX-SCJG-001", "for": "agent"})
    assert response.url == reverse("cases:agent_apply", args=["SFX-SCJG-001"])


def test_workbench_counters_are_the_lists_they_link_to(client, w):
    """The four counters come from one query; each must equal the length of the list its link opens, for
    cases in review (due later, tomorrow, overdue), waiting for 补正, in 特别程序 (stopped: neither due nor
    late) and closed."""
    from zhengwu.core import clock
    from zhengwu.workdays import engine

    today = clock.today()
    docs = [(w.m1.pk, pdf()), (w.m2.pk, pdf())]
    later, tomorrow, late, paused = (s.case_accept(case=submit(w, files=docs), officer=w.officer) for _ in range(4))
    Case.objects.filter(pk=later.pk).update(due_date=engine.add_workdays(today, 5))
    Case.objects.filter(pk=tomorrow.pk).update(due_date=engine.add_workdays(today, 1))
    Case.objects.filter(pk=late.pk).update(due_date=today.replace(year=today.year - 1))
    Case.objects.filter(pk=paused.pk).update(due_date=today.replace(year=today.year - 1))
    s.case_suspend(case=Case.objects.get(pk=paused.pk), officer=w.chief, kind="expert_review", reason="组织专家评审")
    s.case_request_supplement(case=submit(w), officer=w.officer, material_ids=[w.m1.pk])
    s.case_reject(case=submit(w), officer=w.officer, reason="不属于本部门职责")
    submit(w)  # submitted, not yet accepted: open, no due date

    from zhengwu.cases import selectors
    from zhengwu.org.models import Staff

    counts = selectors.case_counts_for_staff(staff=Staff.objects.get(pk=w.officer.pk))
    assert counts == {"open": 6, "supplement": 1, "soon": 1, "overdue": 1}
    login(client, w.officer.user)
    for key, params in (("open", {}), ("supplement", {"status": "supplement"}), ("soon", {"due": "soon"}),
                        ("overdue", {"due": "overdue"})):
        page = client.get(reverse("cases:workbench"), params).content.decode()
        assert len(re.findall(r"<tr[^>]*data-case-no=", page)) == counts[key], key
        assert re.search(rf'<span class="n">{counts[key]}</span><span class="l">', page)
