"""Excel import/export of the whole catalog: layout, validation, round trip, pages, API, commands."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from zhengwu.accounts.models import ApiToken
from zhengwu.catalog import excel
from zhengwu.catalog.excel import ITEM_SHEET, RowError, catalog_export, catalog_import
from zhengwu.catalog.models import Fee, Item, ItemKind, ItemVersion, Material, ProcessStep
from zhengwu.catalog.services import VERSION_FIELDS, item_upsert, version_snapshot
from zhengwu.core.errors import DomainError
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role

from . import factories as f

A, B = "11330100MB0001-01", "11330100MB0002-01"


def _two_items():
    """Item A (承诺件, 5 of 20 workdays) and item B (即办件 with a text that looks like a formula)."""
    f.item(impl_code=A)
    f.item(impl_code=B, name="个体工商户名称变更", promised_limit=0, case_type="immediate", legal_limit=None,
           online_depth=7, handling_tiers=["county", "town", "village"], special_procedures=[],
           hours="=SUM(1,2)")


def _catalog_state() -> dict:
    """Everything an import could touch, to prove a refused import touched nothing."""
    items = Item.objects.select_related("current").order_by("impl_code")
    return {
        "items": [(i.impl_code, i.department_id, i.current.version, version_snapshot(i.current)) for i in items],
        "versions": ItemVersion.objects.count(),
        "children": (ProcessStep.objects.count(), Material.objects.count(), Fee.objects.count()),
        "audit_imports": AuditEvent.objects.filter(action="import").count(),
    }


def _edit(data: bytes, *changes) -> bytes:
    """Apply ``(sheet, row, header, value)`` changes (``row=None`` appends a row) and return the new file."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for sheet, row, header, value in changes:
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        if row is None:
            row = ws.max_row + 1
        ws.cell(row=row, column=headers.index(header) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _append(data: bytes, sheet: str, values: dict) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    ws.append([values.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_rows(data: bytes, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


# --- layout --------------------------------------------------------------------------------


def test_item_sheet_has_a_column_for_every_published_field():
    keys = {c.key for c in ITEM_SHEET.columns}

    assert set(VERSION_FIELDS) <= keys


@pytest.mark.django_db
def test_export_writes_chinese_sheets_headers_and_labels():
    # given
    _two_items()

    # when
    data = catalog_export()

    # then
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["事项", "办理环节", "申请材料", "收费项目", "联办事项", "联办成员", "填写说明"]
    items = _sheet_rows(data, "事项")
    row = dict(zip(items[0], items[1], strict=True))
    assert (row["实施编码"], row["部门编码"], row["事项名称"]) == (A, "D-SCJG", "食品经营许可证核发")
    assert (row["事项类型"], row["法定时限单位"], row["办件类型"], row["网办深度"]) == (
        "行政许可", "工作日", "承诺件", "四级：网上受理")
    assert (row["受理层级"], row["村站可代办"], row["特别程序"]) == ("县级、乡镇", "是", "现场踏勘、专家评审")
    assert _sheet_rows(data, "办理环节")[1] == (A, 1, "受理", "窗口人员", 0)
    assert _sheet_rows(data, "申请材料")[0] == ("实施编码", "序号", "材料名称", "必要性", "材料形式", "来源渠道",
                                            "份数", "纸质规格", "填报须知", "受理标准")
    assert _sheet_rows(data, "申请材料")[1][:5] == (A, 1, "食品经营许可申请书", "必要", "纸质、电子")
    assert _sheet_rows(data, "收费项目")[1] == (A, 1, "工本费", 10.5, "件", "每证10.5元", "收费文件", "是",
                                            "小微企业免收")
    # A text starting with "=" is written as text, never as a formula.
    hours_col = items[0].index("办理时间") + 1
    assert wb["事项"].cell(row=3, column=hours_col).data_type == "s"
    assert AuditEvent.objects.filter(action="export").count() == 1


# --- round trip ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_round_trip_changes_nothing():
    # given
    _two_items()
    data = catalog_export()
    before = _catalog_state()

    # when
    report = catalog_import(data=data)

    # then
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == ([], [], [A, B])
    after = _catalog_state()
    assert after["versions"] == before["versions"] == 2
    assert after["items"] == before["items"]
    assert after["children"] == before["children"]
    assert AuditEvent.objects.filter(action="import").get().summary == (
        "导入事项实施清单（Excel）：新增0项，更新0项，未变2项")


# --- refused files -------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_row_changes_nothing_and_names_the_row():
    # given: row 2 carries a valid change, row 3 an unknown department
    _two_items()
    data = _edit(catalog_export(), ("事项", 2, "事项名称", "食品经营许可（新名称）"), ("事项", 3, "部门编码", "NOPE"))
    before = _catalog_state()

    # when
    report = catalog_import(data=data)

    # then
    assert not report.ok
    assert report.errors == [RowError("事项", 3, "部门编码", "部门编码「NOPE」不存在，请先在组织机构中登记该部门")]
    assert report.summary == "文件中有1处错误，未导入任何内容"
    assert (report.created, report.updated, report.unchanged) == ([], [], [])
    assert _catalog_state() == before
    assert Item.objects.get(impl_code=A).name == "食品经营许可证核发"


@pytest.mark.django_db
def test_several_different_bad_rows_are_all_listed():
    # given
    _two_items()
    data = _edit(
        catalog_export(),
        ("事项", 2, "事项类型", "行政许可证"),
        ("事项", 2, "承诺办结时限", 30),
        ("事项", 3, "到办事现场次数", "两次"),
        ("事项", 3, "网办深度", 9),
        ("事项", 4, "实施编码", A),
        ("事项", 4, "部门编码", "D-SCJG"),
        ("事项", 4, "事项类型", "行政确认"),
        ("事项", 4, "承诺办结时限", 0),
        ("事项", 4, "办件类型", "承诺件"),
        ("办理环节", 3, "顺序", 1),
        ("申请材料", None, "实施编码", "GHOST"),
        ("收费项目", 2, "金额", -5),
        ("收费项目", 2, "允许减免", "可以"),
    )
    data = _edit(data, ("申请材料", 6, "序号", 1), ("申请材料", 6, "材料名称", "身份证"))
    before = _catalog_state()

    # when
    report = catalog_import(data=data)

    # then
    kinds = "".join(f"「{label}」" for _, label in ItemKind.choices)
    assert report.errors == [
        RowError("事项", 2, "事项类型", f"「行政许可证」不是有效的取值，可选：{kinds}"),
        RowError("事项", 2, "承诺办结时限", "承诺办结时限（30）不得超过法定办结时限（20）"),
        RowError("事项", 3, "到办事现场次数", "「两次」不是整数"),
        RowError("事项", 3, "网办深度", "网办深度应为1至7级（填写的是「9」）"),
        RowError("事项", 4, "实施编码", f"实施编码「{A}」与第2行重复"),
        RowError("事项", 4, "事项名称", "不能为空"),
        RowError("办理环节", 3, "顺序", "同一事项的顺序「1」与第2行重复"),
        RowError("申请材料", 6, "实施编码", "实施编码「GHOST」在「事项」表中不存在"),
        RowError("收费项目", 2, "金额", "金额不能为负数（填写的是-5）"),
        RowError("收费项目", 2, "允许减免", "「可以」无效，应填写「是」或「否」"),
    ]
    assert _catalog_state() == before


@pytest.mark.django_db
def test_item_rules_are_checked_per_row():
    # given: a 承诺件 promising 0 days, and a 即办件 promising 3
    _two_items()
    data = _edit(catalog_export(), ("事项", 2, "承诺办结时限", 0), ("事项", 3, "承诺办结时限", 3))
    before = _catalog_state()

    # when
    report = catalog_import(data=data)

    # then
    assert report.errors == [
        RowError("事项", 2, "办件类型", "承诺办结时限为0的事项应为即办件"),
        RowError("事项", 3, "办件类型", "即办件的承诺办结时限应为0"),
    ]
    assert _catalog_state() == before


@pytest.mark.django_db
def test_wrong_headers_and_missing_sheet_are_reported():
    # given
    _two_items()
    wb = openpyxl.load_workbook(io.BytesIO(catalog_export()))
    wb["事项"].cell(row=1, column=4, value="名称")
    del wb["收费项目"]
    out = io.BytesIO()
    wb.save(out)
    before = _catalog_state()

    # when
    report = catalog_import(data=out.getvalue())

    # then
    assert report.errors == [
        RowError("事项", 1, "事项名称", "缺少列「事项名称」"),
        RowError("事项", 1, "名称", "无法识别的列「名称」，请使用导出文件中的列名"),
        RowError("收费项目", None, "", "缺少工作表「收费项目」"),
    ]
    assert _catalog_state() == before


@pytest.mark.django_db
def test_a_file_that_is_not_xlsx_is_refused():
    # given
    _two_items()
    before = _catalog_state()

    # when
    report = catalog_import(data="实施编码,事项名称\n".encode())

    # then
    assert report.errors == [RowError("", None, "", "文件不是 Excel（.xlsx）格式，请使用本系统导出的模板填写后上传")]
    assert _catalog_state() == before


@pytest.mark.django_db
def test_a_broken_zip_is_refused():
    report = catalog_import(data=b"PK\x03\x04 not really a zip")

    assert report.errors == [RowError("", None, "", "无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式")]


@pytest.mark.django_db
def test_an_oversize_file_is_refused(settings):
    # given
    _two_items()
    data = catalog_export()
    settings.ZHENGWU_MAX_UPLOAD_BYTES = len(data) - 1
    before = _catalog_state()

    # when
    report = catalog_import(data=data)

    # then
    assert report.errors == [RowError("", None, "", f"文件大小超过上限（最大{(len(data) - 1) // 1024} KB）")]
    assert _catalog_state() == before


@pytest.mark.django_db
def test_a_failure_halfway_leaves_nothing_written(monkeypatch):
    # given: both items change, and publishing the second one fails
    _two_items()
    data = _edit(catalog_export(), ("事项", 2, "承诺办结时限", 3), ("事项", 3, "办理地点", "一楼"))
    before = _catalog_state()
    calls = []

    def flaky_upsert(**kwargs):
        calls.append(kwargs["impl_code"])
        if len(calls) == 2:
            raise DomainError("boom", "发布失败")
        return item_upsert(**kwargs)

    monkeypatch.setattr(excel, "item_upsert", flaky_upsert)

    # when
    report = catalog_import(data=data)

    # then
    assert calls == [A, B]
    assert report.errors == [RowError("事项", 3, "", "发布失败")]
    assert (report.created, report.updated, report.unchanged) == ([], [], [])
    assert _catalog_state() == before


# --- applied files -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_field_publishes_a_new_version_and_the_old_keeps_its_content():
    # given
    _two_items()
    old = Item.objects.get(impl_code=A).current
    data = _edit(catalog_export(), ("事项", 2, "承诺办结时限", 3), ("申请材料", 2, "材料名称", "食品经营许可申请表"))

    # when
    report = catalog_import(data=data)

    # then
    assert (report.created, report.updated, report.unchanged) == ([], [A], [B])
    item = Item.objects.get(impl_code=A)
    assert item.current.version == 2
    assert item.current.promised_limit == 3
    assert [m.name for m in item.current.materials.all()] == ["食品经营许可申请表", "营业执照"]
    assert item.current.change_note == "Excel 导入"
    old.refresh_from_db()
    assert old.state == ItemVersion.State.SUPERSEDED
    assert old.promised_limit == 5
    assert [m.name for m in old.materials.all()] == ["食品经营许可申请书", "营业执照"]
    assert Item.objects.get(impl_code=B).current.version == 1
    assert ItemVersion.objects.count() == 3


@pytest.mark.django_db
def test_a_new_item_in_the_file_is_created_from_the_blank_template():
    # given
    f.department()
    template = catalog_export(items=[])
    assert _sheet_rows(template, "事项")[1:] == []
    code = "11330100MB0003-01"
    data = _append(template, "事项", {
        "实施编码": code, "部门编码": "D-SCJG", "事项名称": "户外广告设施设置审批", "事项类型": "行政许可",
        "法定办结时限": 20, "承诺办结时限": 10, "办件类型": "承诺件", "网办深度": 5,
        "受理层级": "县级、乡镇、村", "村站可代办": "是", "特别程序": "听证、专家评审",
    })
    data = _append(data, "办理环节", {"实施编码": code, "顺序": 2, "环节名称": "审批", "办理角色": "部门负责人",
                                  "环节时限": 8})
    data = _append(data, "办理环节", {"实施编码": code, "顺序": 1, "环节名称": "受理", "办理角色": "窗口人员"})
    data = _append(data, "申请材料", {"实施编码": code, "序号": 1, "材料名称": "设置申请表", "必要性": "必要",
                                  "材料形式": "纸质"})
    data = _append(data, "收费项目", {"实施编码": code, "序号": 1, "收费项目": "审核费", "金额": "25",
                                  "允许减免": "否"})

    # when
    report = catalog_import(data=data)

    # then
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == ([code], [], [])
    v = Item.objects.get(impl_code=code).current
    assert (v.version, v.name, v.kind, v.promised_limit, v.online_depth) == (1, "户外广告设施设置审批", "license", 10, 5)
    assert (v.legal_limit_unit, v.level, v.status, v.visits) == ("workday", "county", "active", 1)
    assert v.handling_tiers == ["county", "town", "village"]
    assert v.special_procedures == ["hearing", "expert_review"]
    assert v.village_intake is True
    assert [(s.seq, s.name, s.role, s.days) for s in v.steps.all()] == [
        (1, "受理", Role.WINDOW_OFFICER, 0), (2, "审批", Role.DEPT_HEAD, 8)]
    assert [(m.name, m.necessity, m.form, m.copies) for m in v.materials.all()] == [
        ("设置申请表", "required", "paper", 1)]
    assert [(x.name, x.amount, x.unit, x.waivable) for x in v.fees.all()] == [
        ("审核费", Decimal("25.00"), "件", False)]


@pytest.mark.django_db
def test_dry_run_reports_what_would_change_and_writes_nothing():
    # given
    _two_items()
    data = _edit(catalog_export(), ("事项", 2, "承诺办结时限", 3))
    before = _catalog_state()

    # when
    report = catalog_import(data=data, dry_run=True)

    # then
    assert (report.created, report.updated, report.unchanged) == ([], [A], [B])
    assert report.summary == "校验通过（仅校验，未写入）：将新增0项，更新1项（发布新版本），未变1项"
    assert _catalog_state() == before


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_need_a_login(client):
    response = client.get(reverse("catalog:import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["catalog:import", "catalog:export", "catalog:template"])
def test_non_admin_gets_403_on_the_pages(client, name):
    # given
    client.force_login(f.user(username="officer1", roles=(Role.WINDOW_OFFICER,)))

    # when
    response = client.get(reverse(name))

    # then
    assert response.status_code == 403
    assert "仅中心管理员可以导入、导出事项清单" in response.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == 0


@pytest.mark.django_db
def test_hall_admin_sees_the_import_form(client):
    client.force_login(f.hall_admin())

    response = client.get(reverse("catalog:import"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("catalog:export")}"' in html
    assert f'href="{reverse("catalog:template")}"' in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.django_db
def test_hall_admin_downloads_the_catalog(client):
    # given
    _two_items()
    admin = f.hall_admin()
    client.force_login(admin)

    # when
    response = client.get(reverse("catalog:export"))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert [r[0] for r in _sheet_rows(data, "事项")[1:]] == [A, B]
    assert AuditEvent.objects.get(action="export").actor == admin


@pytest.mark.django_db
def test_import_page_shows_the_bad_rows_and_changes_nothing(client):
    # given
    _two_items()
    client.force_login(f.hall_admin())
    data = _edit(catalog_export(), ("收费项目", 2, "金额", "十元"))
    before = _catalog_state()

    # when
    response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("清单.xlsx", data)})

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "文件中有1处错误，未导入任何内容" in html
    assert "<td>收费项目</td><td>2</td><td>金额</td><td>「十元」不是有效的金额</td>" in html
    assert _catalog_state() == before


@pytest.mark.django_db
def test_import_page_shows_the_counts(client):
    # given
    _two_items()
    client.force_login(f.user(username="root", superuser=True))
    data = _edit(catalog_export(), ("事项", 3, "办理地点", "一楼"))

    # when
    response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("清单.xlsx", data)})

    # then
    assert response.status_code == 200
    assert "导入完成：新增0项，更新1项（发布新版本），未变1项" in response.content.decode()
    assert Item.objects.get(impl_code=B).current.place == "一楼"


# --- API -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_import_with_a_token(client):
    # given
    _two_items()
    _, raw = ApiToken.issue(user=f.hall_admin(), name="清单同步")
    data = _edit(catalog_export(), ("事项", 2, "承诺办结时限", 4))

    # when
    response = client.post("/api/catalog/import", {"file": SimpleUploadedFile("c.xlsx", data)},
                           headers={"Authorization": f"Bearer {raw}"})

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["created"], body["updated"], body["unchanged"]) == (True, 0, 1, 1)
    assert body["updated_codes"] == [A]
    assert Item.objects.get(impl_code=A).current.promised_limit == 4


@pytest.mark.django_db
def test_api_import_of_a_bad_file_is_400_with_the_report(client):
    # given
    _two_items()
    _, raw = ApiToken.issue(user=f.user(username="root", superuser=True), name="清单同步")
    data = _edit(catalog_export(), ("办理环节", 2, "办理角色", "保安"))
    before = _catalog_state()

    # when
    response = client.post("/api/catalog/import", {"file": SimpleUploadedFile("c.xlsx", data)},
                           headers={"Authorization": f"Bearer {raw}"})

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert [(e["sheet"], e["row"], e["column"]) for e in body["errors"]] == [("办理环节", 2, "办理角色")]
    assert body["errors"][0]["message"].startswith("「保安」不是已有的角色，可选：「窗口人员」「首席代表」")
    assert _catalog_state() == before


@pytest.mark.django_db
def test_api_refuses_a_non_admin_token(client):
    # given
    _two_items()
    _, raw = ApiToken.issue(user=f.user(username="officer1", roles=(Role.WINDOW_OFFICER,)), name="x")
    before = _catalog_state()

    # when
    response = client.post("/api/catalog/import", {"file": SimpleUploadedFile("c.xlsx", catalog_export())},
                           headers={"Authorization": f"Bearer {raw}"})

    # then
    assert response.status_code == 403
    assert response.json() == {"code": "catalog_admin_only", "message": "仅中心管理员可以导入、导出事项清单"}
    assert _catalog_state() == before


@pytest.mark.django_db
def test_api_export_with_a_token(client):
    # given
    _two_items()
    _, raw = ApiToken.issue(user=f.hall_admin(), name="清单同步")

    # when
    response = client.get("/api/catalog/export.xlsx", headers={"Authorization": f"Bearer {raw}"})
    anonymous = client.get("/api/catalog/export.xlsx")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert [r[0] for r in _sheet_rows(response.content, "事项")[1:]] == [A, B]
    assert anonymous.status_code == 401


# --- management commands -------------------------------------------------------------------


@pytest.mark.django_db
def test_commands_export_then_import(tmp_path, capsys):
    # given
    _two_items()
    path = tmp_path / "catalog.xlsx"

    # when
    call_command("catalog_export", str(path))
    call_command("catalog_import", str(path))

    # then
    out = capsys.readouterr().out
    assert f"已导出 2 个事项到 {path}" in out
    assert "导入完成：新增0项，更新0项（发布新版本），未变2项" in out
    assert ItemVersion.objects.count() == 2


@pytest.mark.django_db
def test_import_command_fails_on_a_bad_file(tmp_path, capsys):
    # given
    _two_items()
    path = tmp_path / "catalog.xlsx"
    path.write_bytes(_edit(catalog_export(), ("事项", 2, "部门编码", "NOPE")))
    before = _catalog_state()

    # when
    with pytest.raises(CommandError) as exc:
        call_command("catalog_import", str(path))

    # then
    assert str(exc.value) == "文件中有1处错误，未导入任何内容"
    assert "「事项」第2行「部门编码」列：部门编码「NOPE」不存在" in capsys.readouterr().err
    assert _catalog_state() == before


# --- 延期上限 (max_extension_days) ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_extension_limit_goes_out_and_comes_back():
    _two_items()
    data = _edit(catalog_export(), ("事项", 2, "延期上限", 15))
    report = catalog_import(data=data)
    assert (report.ok, report.updated, report.unchanged) == (True, [A], [B])
    item = Item.objects.get(impl_code=A)
    assert (item.current.max_extension_days, item.current.extension_limit) == (15, 15)
    rows = _sheet_rows(catalog_export(), "事项")
    column = rows[0].index("延期上限")
    assert [r[column] for r in rows[1:]] == [15, None]  # blank: 行政许可法第四十二条
    assert catalog_import(data=catalog_export()).updated == []  # exported again, re-imported: no change
    blank = _edit(catalog_export(), ("事项", 2, "延期上限", ""))
    catalog_import(data=blank)
    assert Item.objects.get(impl_code=A).current.extension_limit == 10


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "message"), [
    (61, "不能大于60"), (-1, "不能为负数（填写的是-1）"), ("十天", "「十天」不是整数"),
])
def test_an_extension_limit_out_of_range_is_refused(value, message):
    _two_items()
    before = _catalog_state()
    report = catalog_import(data=_edit(catalog_export(), ("事项", 2, "延期上限", value)))
    assert [(e.sheet, e.row, e.column, e.message) for e in report.errors] == [("事项", 2, "延期上限", message)]
    assert _catalog_state() == before


@pytest.mark.django_db
def test_a_file_from_before_the_column_keeps_the_limit_set_in_the_admin():
    f.item(impl_code=A, max_extension_days=20)
    wb = openpyxl.load_workbook(io.BytesIO(catalog_export()))
    ws = wb["事项"]
    ws.delete_cols([c.value for c in ws[1]].index("延期上限") + 1)
    out = io.BytesIO()
    wb.save(out)
    report = catalog_import(data=out.getvalue())
    assert (report.ok, report.unchanged) == (True, [A])
    assert Item.objects.get(impl_code=A).current.max_extension_days == 20


@pytest.mark.django_db
def test_the_service_and_the_database_refuse_a_limit_beyond_sixty():
    with pytest.raises(DomainError) as exc:
        f.item(impl_code=A, max_extension_days=61)
    assert exc.value.message == "延期上限应为0至60个工作日（留空按行政许可法第四十二条）"
