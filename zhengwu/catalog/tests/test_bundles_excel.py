"""Bundles in the catalog workbook: sheets 联办事项 and 联办成员, round trip, changes, refusals."""

from __future__ import annotations

import io

import openpyxl
import pytest

from zhengwu.catalog.excel import RowError, catalog_export, catalog_import
from zhengwu.catalog.excel_bundles import BUNDLE_FIELDS, BUNDLE_SHEET
from zhengwu.catalog.models import Bundle, BundleMember, BundleVersion
from zhengwu.core.models import AuditEvent

from . import factories as f
from .test_excel import _append, _edit, _sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle():
    return f.bundle(project_stage=1, mode="meeting")


def _state():
    return (list(Bundle.objects.values_list("code", "name", "current_id", "status").order_by("code")),
            list(BundleVersion.objects.values_list("id", "state", "version", "promised_days").order_by("id")),
            list(BundleMember.objects.values_list("version_id", "seq", "item_id", "promised_days").order_by("id")),
            AuditEvent.objects.filter(action="import").count())


def _without(data: bytes, *titles: str) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for title in titles:
        del wb[title]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_every_published_bundle_field_has_a_column():
    assert set(BUNDLE_FIELDS) <= {c.key for c in BUNDLE_SHEET.columns}


def test_export_writes_bundles_and_members_with_chinese_labels(bundle):
    data = catalog_export()
    rows = _sheet_rows(data, "联办事项")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert {k: row[k] for k in ("联办事项编码", "联办事项名称", "牵头部门编码", "牵头部门名称", "联办方式", "承诺时限",
                                "适用超时默认", "工程建设项目审批阶段", "状态", "现行版本")} == {
        "联办事项编码": "BD-FOOD", "联办事项名称": "开办餐饮店", "牵头部门编码": "D-SCJG", "牵头部门名称": "县市场监督管理局",
        "联办方式": "联审制（召开联审会议）", "承诺时限": 10, "适用超时默认": "是", "工程建设项目审批阶段": "立项用地规划许可",
        "状态": "在用", "现行版本": 1}
    assert _sheet_rows(data, "联办成员")[1:] == [
        ("BD-FOOD", 1, "B-FOOD", "食品经营许可", "县市场监督管理局", None),
        ("BD-FOOD", 2, "B-HEALTH", "公共场所卫生许可", "县卫生健康局", None),
        ("BD-FOOD", 3, "B-SIGN", "设置户外招牌审批", "县城市管理局", 3),
    ]
    help_rows = [r[0] for r in _sheet_rows(data, "填写说明")]
    assert any(str(x).startswith("7. 「联办事项」「联办成员」表") for x in help_rows)
    assert ("联办成员", "本部门时限") in [(r[0], r[1]) for r in _sheet_rows(data, "填写说明")]


def test_the_blank_template_has_empty_bundle_sheets(bundle):
    data = catalog_export(items=[])
    assert _sheet_rows(data, "联办事项")[1:] == [] and _sheet_rows(data, "联办成员")[1:] == []


def test_round_trip_changes_nothing(bundle):
    data = catalog_export()
    before = _state()
    report = catalog_import(data=data)
    assert report.ok, report.errors
    assert (report.bundles_created, report.bundles_updated, report.bundles_unchanged) == ([], [], ["BD-FOOD"])
    assert report.summary.endswith("；联办事项新增0项，更新0项，未变1项")
    assert _state()[:3] == before[:3]


def test_a_changed_bundle_gets_a_new_version_and_a_new_one_is_created(bundle):
    data = _edit(catalog_export(), ("联办事项", 2, "承诺时限", 12), ("联办成员", 4, "本部门时限", ""))
    data = _append(data, "联办事项", {"联办事项编码": "BD-NEW", "联办事项名称": "开办小餐饮", "牵头部门编码": "D-SCJG",
                                  "承诺时限": 5})
    data = _append(data, "联办成员", {"联办事项编码": "BD-NEW", "序号": 1, "成员实施编码": "B-FOOD"})
    data = _append(data, "联办成员", {"联办事项编码": "BD-NEW", "序号": 2, "成员实施编码": "B-SIGN", "本部门时限": 2})
    report = catalog_import(data=data)
    assert report.ok, report.errors
    assert (report.bundles_created, report.bundles_updated) == (["BD-NEW"], ["BD-FOOD"])
    food = Bundle.objects.get(code="BD-FOOD")
    assert (food.current.version, food.current.promised_days, food.current.mode) == (2, 12, "meeting")
    assert food.versions.get(version=1).promised_days == 10  # the old version as it was
    assert list(food.current.members.values_list("item__impl_code", "promised_days")) == [
        ("B-FOOD", None), ("B-HEALTH", None), ("B-SIGN", None)]
    new = Bundle.objects.get(code="BD-NEW").current
    assert (new.mode, new.project_stage, new.deemed, new.absent_deemed) == ("notify", 0, False, True)
    assert list(new.members.values_list("item__impl_code", "promised_days")) == [("B-FOOD", None), ("B-SIGN", 2)]


def test_a_bundle_may_name_an_item_the_same_file_creates(bundle):
    data = catalog_export()
    data = _append(data, "事项", {"实施编码": "B-NEWITEM", "部门编码": "D-WJJ", "事项名称": "新事项", "事项类型": "行政许可",
                                "承诺办结时限": 3})
    data = _append(data, "联办成员", {"联办事项编码": "BD-FOOD", "序号": 4, "成员实施编码": "B-NEWITEM"})
    report = catalog_import(data=data)
    assert report.ok, report.errors
    assert report.created == ["B-NEWITEM"] and report.bundles_updated == ["BD-FOOD"]
    assert Bundle.objects.get(code="BD-FOOD").current.members.count() == 4


def test_bad_rows_are_all_listed_and_nothing_changes(bundle):
    data = catalog_export()
    data = _edit(data, ("联办成员", 3, "成员实施编码", "B-FOOD"), ("联办成员", 4, "本部门时限", 30))
    data = _append(data, "联办事项", {"联办事项编码": "BD-X", "联办事项名称": "缺成员", "牵头部门编码": "D-WJJ",
                                  "承诺时限": 0, "工程建设项目审批阶段": "第九阶段"})
    data = _append(data, "联办成员", {"联办事项编码": "BD-X", "序号": 1, "成员实施编码": "GHOST"})
    data = _append(data, "联办成员", {"联办事项编码": "BD-X", "序号": 2, "成员实施编码": "B-SIGN"})
    data = _append(data, "联办成员", {"联办事项编码": "BD-NONE", "序号": 1, "成员实施编码": "B-SIGN"})
    before = _state()
    report = catalog_import(data=data)
    assert not report.ok
    msgs = [(e.sheet, e.row, e.column, e.message) for e in report.errors]
    assert msgs == [
        ("联办事项", 3, "联办事项编码", "联办事项至少包含2个成员事项（「联办成员」表中有1个）"),
        ("联办事项", 3, "牵头部门编码", "牵头部门应至少实施一个成员事项"),
        ("联办事项", 3, "承诺时限", "联办事项的承诺时限应大于0个工作日"),
        ("联办事项", 3, "工程建设项目审批阶段",
         "「第九阶段」不是有效的取值，可选：「不属于工程建设项目阶段」「立项用地规划许可」「工程建设许可」「施工许可」「竣工验收」「并行推进」"),
        ("联办成员", 3, "成员实施编码", "同一联办事项的成员实施编码「B-FOOD」与第2行重复"),
        ("联办成员", 4, "本部门时限", "本部门时限（30个工作日）不得超过联办承诺时限（10个工作日）"),
        ("联办成员", 5, "成员实施编码", "实施编码「GHOST」在「事项」表和系统中都不存在"),
        ("联办成员", 7, "联办事项编码", "联办事项编码「BD-NONE」在「联办事项」表中不存在"),
    ]
    assert _state() == before


def test_a_file_without_bundle_sheets_leaves_bundles_alone(bundle):
    data = _without(catalog_export(), "联办事项", "联办成员")
    before = _state()
    report = catalog_import(data=data)
    assert report.ok and report.bundle_summary == ""
    assert _state()[:3] == before[:3]


def test_one_bundle_sheet_without_the_other_is_refused(bundle):
    report = catalog_import(data=_without(catalog_export(), "联办成员"))
    assert report.errors == [RowError("联办成员", None, "", "缺少工作表「联办成员」（「联办事项」「联办成员」两个表须同时提供）")]


def test_suspending_a_bundle_by_its_status_column(bundle):
    report = catalog_import(data=_edit(catalog_export(), ("联办事项", 2, "状态", "暂停")))
    assert report.ok and report.bundles_updated == ["BD-FOOD"]
    assert Bundle.objects.get(code="BD-FOOD").status == "suspended"
    assert Bundle.objects.get(code="BD-FOOD").versions.count() == 1  # the status is not a new version


def test_a_bundle_refused_while_writing_rolls_back_the_whole_file(bundle, monkeypatch):
    from zhengwu.catalog import excel_bundles
    from zhengwu.core.errors import DomainError

    def refuse(**kwargs):
        raise DomainError("invalid_bundle", "牵头部门应至少实施一个成员事项")

    monkeypatch.setattr(excel_bundles, "bundle_upsert", refuse)
    data = _edit(catalog_export(), ("事项", 2, "事项名称", "食品经营许可（新名称）"))
    before = _state()
    report = catalog_import(data=data)
    assert report.errors == [RowError("联办事项", 2, "", "牵头部门应至少实施一个成员事项")]
    assert (report.updated, report.bundles_unchanged) == ([], [])
    assert _state() == before
    from zhengwu.catalog.models import Item

    assert Item.objects.get(impl_code="B-FOOD").name == "食品经营许可"  # the item's change was undone too
