"""The catalog in the Chinese admin: a 中心管理员 adds an item by hand, fills in its draft, publishes."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from zhengwu.catalog.models import Item, ItemVersion
from zhengwu.core.models import AuditEvent
from zhengwu.org.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser(username="root", password="pass-123456"))
    return client


@pytest.mark.parametrize("model", ["item", "itemversion"])
def test_lists_and_add_form_open(admin_client, model):
    assert admin_client.get(f"/admin/catalog/{model}/").status_code == 200


def test_adding_an_item_creates_its_first_draft_and_opens_it(admin_client):
    dept = f.department(f.county())
    html = admin_client.get("/admin/catalog/item/add/").content.decode()
    assert "实施编码" in html and "事项名称" in html
    response = admin_client.post("/admin/catalog/item/add/", {
        "impl_code": "11130621MB0010014M070001011X000", "department": dept.pk, "name": "食品小作坊登记"})
    item = Item.objects.get(impl_code="11130621MB0010014M070001011X000")
    draft = ItemVersion.objects.get(item=item)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_itemversion_change", args=[draft.pk])
    assert (draft.version, draft.state, draft.name, item.current) == (1, ItemVersion.State.DRAFT, "食品小作坊登记", None)
    assert item.name_initials.startswith("spxzf")
    assert AuditEvent.objects.filter(action="create", summary__contains="新建事项").exists()
    assert admin_client.get(response["Location"]).status_code == 200
    # publishing the blank draft is refused with the reason, and changes nothing
    response = admin_client.post("/admin/catalog/itemversion/", {
        "action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert "承诺办结时限为0的事项应为即办件" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == ItemVersion.State.DRAFT


def test_a_duplicate_code_is_refused_on_the_form(admin_client):
    dept = f.department(f.county())
    data = {"impl_code": "X-001", "department": dept.pk, "name": "事项甲"}
    admin_client.post("/admin/catalog/item/add/", data)
    response = admin_client.post("/admin/catalog/item/add/", {**data, "name": "事项乙"})
    assert response.status_code == 200 and "实施编码 X-001 已存在" in response.content.decode()
    assert Item.objects.count() == 1


def test_the_extension_limit_is_edited_on_the_draft(admin_client):
    from zhengwu.catalog.services import item_draft_create

    from . import factories as cf

    item = cf.item(impl_code="B-1")
    draft = item_draft_create(item=item)
    html = admin_client.get(f"/admin/catalog/itemversion/{draft.pk}/change/").content.decode()
    assert 'name="max_extension_days"' in html and "延期上限（工作日）" in html
    assert "留空按行政许可法第四十二条" in html


@pytest.mark.parametrize(("name", "data", "error"), [
    ("申请表.pdf", b"%PDF-1.7\n" + b"MZ\x90\x00" * 64, "文件“申请表.pdf”不是可以打开的PDF 文件（内容已损坏或与扩展名不符），"
                                                        "请上传真实、完整的 PDF 文件"),
    ("申请表.docx", bytes(range(256)) * 4, "文件“申请表.docx”不是可以打开的Word 文档（内容已损坏或与扩展名不符），"
                                           "请上传真实、完整的 DOCX 文件"),
    ("申请表.exe", b"MZ\x90\x00", "文件“申请表.exe”的类型不允许上传，仅支持：pdf、ofd、doc、docx、xls、xlsx、jpg、jpeg、png"),
    ("申请表.docx", None, None),
    ("样表.pdf", None, None),
])
def test_a_materials_blank_form_is_opened_like_every_upload(name, data, error):
    """The 空白表格 and 示例样表 are offered to every applicant: the admin form checks them with a real parser."""
    from django.forms.models import model_to_dict

    from zhengwu.catalog.admin import MaterialAdminForm
    from zhengwu.core.testing import upload

    from . import factories as cf

    material = cf.item(impl_code="B-2").current.materials.first()
    values = {k: v for k, v in model_to_dict(material).items() if k not in ("blank_form", "sample", "id")}
    form = MaterialAdminForm(values, {"blank_form": upload(name, data)}, instance=material)
    if error is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid() and form.errors["blank_form"] == [error]
