"""The whole service catalog (事项实施清单) as one Excel workbook, out and back in.

Layout (documented for people in docs/catalog-excel.md): sheet 事项 has one row per item,
keyed by 实施编码; sheets 办理环节, 申请材料 and 收费项目 hold the item's children, one row
each, pointing back by 实施编码; sheet 填写说明 explains the columns. Choices are written and
read as their Chinese labels, booleans as 是/否.

Import checks every row of every sheet before it writes anything. One problem anywhere and
nothing is imported; the report names each bad cell (sheet, Excel row, column, reason). A
clean file is applied in one transaction through ``item_upsert``, which publishes a new
version only for items whose content changed.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.core.services import audit_deferred, audit_record
from zhengwu.org.models import Department, Role, Staff

from .models import (
    MAX_EXTENSION_CAP,
    ONLINE_DEPTH_CHOICES,
    CaseType,
    Fee,
    Item,
    ItemVersion,
    Material,
    ProcessStep,
    SpecialProcedure,
)
from .services import VERSION_FIELDS, item_upsert

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS_PER_SHEET = 50_000
MAX_ERRORS = 2_000
LIST_SEPARATOR = "、"
_SPLIT = re.compile(r"[、,，;；\s]+")
_INT = re.compile(r"^[+-]?\d+$")

# Column kinds.
TEXT, INT, OPT_INT, CHOICE, MULTI, BOOL, DECIMAL, DEPTH, ROLE, INFO = (
    "text", "int", "opt_int", "choice", "multi", "bool", "decimal", "depth", "role", "info",
)
_MAX_INT = {"PositiveSmallIntegerField": 32767, "PositiveIntegerField": 2147483647}

TIER_CHOICES = (("county", "县级"), ("town", "乡镇"), ("village", "村"))
TIER_ALIASES = (("县级政务服务中心", "county"), ("县", "county"), ("乡镇便民服务中心", "town"),
                ("乡级", "town"), ("乡", "town"), ("镇", "town"), ("村便民服务站", "village"), ("村级", "village"))


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str
    required: bool = False
    default: object = None
    max_length: int | None = None
    max_value: int | None = None
    choices: tuple = ()  # (stored value, label written to the sheet)
    aliases: tuple = ()  # (other accepted text, stored value)
    note: str = ""
    width: int = 14
    is_code: bool = False
    optional: bool = False  # a file without this column (made before it existed) leaves the value as it is

    @cached_property
    def lookup(self) -> dict:
        table = {str(label): value for value, label in self.choices}
        table.update({str(value).lower(): value for value, _ in self.choices})
        table.update(dict(self.aliases))
        return table

    def label(self, value) -> str:
        return next((str(lab) for v, lab in self.choices if v == value), str(value))


def _col(model, name: str, header: str | None = None, *, key: str | None = None, kind: str | None = None,
         note: str = "", width: int = 14, choices: tuple | None = None, aliases: tuple = (),
         is_code: bool = False, max_value: int | None = None, optional: bool = False) -> Column:
    """A column derived from a model field: its kind, default, limits and choices."""
    f = model._meta.get_field(name)
    if kind is None:
        if isinstance(f, models.BooleanField):
            kind = BOOL
        elif isinstance(f, models.DecimalField):
            kind = DECIMAL
        elif isinstance(f, models.IntegerField):
            kind = OPT_INT if f.null else INT
        elif f.choices:
            kind = CHOICE
        else:
            kind = TEXT
    if choices is None:
        choices = tuple(f.choices or ())
    has_default = f.has_default()
    if kind == TEXT:
        required = not f.blank and not has_default
        default = "" if f.blank else (f.get_default() if has_default else None)
    else:
        required = kind in (DECIMAL, ROLE) or (kind in (INT, CHOICE, DEPTH) and not has_default)
        default = f.get_default() if has_default else None
    return Column(
        header=header or str(f.verbose_name), key=key or name, kind=kind, required=required, default=default,
        max_length=getattr(f, "max_length", None) if kind == TEXT else None,
        max_value=max_value or _MAX_INT.get(f.get_internal_type()), choices=choices, aliases=aliases, note=note,
        width=width, is_code=is_code, optional=optional,
    )


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header(self, key: str) -> str:
        return self.column(key).header


V = ItemVersion
ITEM_SHEET = SheetSpec("事项", (
    _col(Item, "impl_code", "实施编码", width=26, is_code=True, note="事项的唯一标识；已存在则更新，不存在则新建"),
    _col(Department, "code", "部门编码", key="department", width=20, is_code=True,
         note="实施部门（入驻单位）的单位编码，须已在组织机构中登记"),
    Column("部门名称", "department_name", INFO, width=20, note="导出时填写以便识别，导入时忽略"),
    _col(V, "name", width=30),
    _col(V, "basic_code", width=22, is_code=True),
    _col(V, "business_code", width=24, is_code=True),
    _col(V, "business_kind"),
    _col(V, "kind"),
    _col(V, "status"),
    _col(V, "level"),
    _col(V, "legal_limit", note="留空表示无法定时限"),
    _col(V, "legal_limit_unit"),
    _col(V, "promised_limit", note="0 表示即办，此时办件类型须为即办件；同一单位下不得超过法定办结时限"),
    _col(V, "promised_limit_unit"),
    _col(V, "max_extension_days", "延期上限", max_value=MAX_EXTENSION_CAP, optional=True,
         note="经负责人批准最多可延长的工作日数；留空按行政许可法第四十二条（法定时限45个工作日的事项15，其他10）；"
              "0 表示不得延期；文件中没有这一列时不改动现有设置"),
    _col(V, "case_type"),
    _col(V, "visits"),
    _col(V, "online_depth", kind=DEPTH, width=24,
         note="填写 1 至 7 的数字或完整名称，如「四级：网上受理」"),
    _col(V, "handling_tiers", kind=MULTI, choices=TIER_CHOICES, aliases=TIER_ALIASES,
         note="可在哪些层级受理，多个用顿号分隔，如「县级、乡镇、村」"),
    _col(V, "village_intake", "村站可代办", note="村便民服务站代办员可否代为提交"),
    _col(V, "legal_basis", width=40),
    _col(V, "conditions", width=40),
    _col(V, "special_procedures", "特别程序", kind=MULTI, choices=tuple(SpecialProcedure.choices),
         note="办理中可中止计时的特别程序，多个用顿号分隔，如「听证、专家评审」"),
    _col(V, "theme"),
    _col(V, "keywords", width=30, optional=True,
         note="群众常用的叫法，用顿号分隔，如「营业执照、开公司」；文件中没有这一列时不改动现有设置"),
    _col(V, "service_object"),
    _col(V, "place", width=30),
    _col(V, "hours", width=30),
    _col(V, "consult_channel", width=24),
    _col(V, "complaint_channel", width=24),
    _col(V, "power_source"),
    _col(V, "subject_name", width=20),
    _col(V, "subject_nature"),
    _col(V, "entrusted_department"),
    _col(V, "joint_agencies", width=20),
    _col(V, "legal_limit_note", width=24),
    _col(V, "promised_limit_note", width=24),
    _col(V, "handling_form", width=20),
    _col(V, "onsite_reason", width=24),
    _col(V, "in_hall"),
    _col(V, "appointment"),
    _col(V, "express"),
    _col(V, "online_payment"),
    _col(V, "intermediary"),
    _col(V, "tongban_scope"),
    _col(V, "process_note", width=40),
    _col(V, "result_name", width=20),
    _col(V, "result_type"),
    Column("现行版本", "version", INFO, width=10, note="导出时填写现行版本号，导入时忽略"),
))
_CODE = _col(Item, "impl_code", "实施编码", width=26, is_code=True, note="须与「事项」表中的某一行对应")
STEP_SHEET = SheetSpec("办理环节", (
    _CODE,
    _col(ProcessStep, "seq", "顺序", note="同一事项内不得重复；按顺序排列"),
    _col(ProcessStep, "name", "环节名称", width=20),
    _col(ProcessStep, "role", "办理角色", kind=ROLE, width=16, note="填写角色名称，如「窗口人员」「部门负责人」"),
    _col(ProcessStep, "days", "环节时限", note="单位：工作日"),
))
MATERIAL_SHEET = SheetSpec("申请材料", (
    _CODE,
    _col(Material, "seq", "序号", note="同一事项内不得重复"),
    _col(Material, "name", "材料名称", width=36),
    _col(Material, "necessity", "必要性"),
    _col(Material, "form", "材料形式"),
    _col(Material, "source", "来源渠道"),
    _col(Material, "copies", "份数"),
    _col(Material, "spec", "纸质规格"),
    _col(Material, "notes", "填报须知", width=30),
    _col(Material, "acceptance_standard", "受理标准", width=30),
))
FEE_SHEET = SheetSpec("收费项目", (
    _CODE,
    _col(Fee, "seq", "序号", note="同一事项内不得重复"),
    _col(Fee, "name", "收费项目", width=24),
    _col(Fee, "amount", "金额", note="单位：元，不得为负数，最多两位小数"),
    _col(Fee, "unit", "计费单位", note="留空为「件」"),
    _col(Fee, "standard", "收费标准", width=24),
    _col(Fee, "basis", "收费依据", width=30),
    _col(Fee, "waivable", "允许减免"),
    _col(Fee, "waiver_basis", "减免依据", width=30),
))
CHILD_SHEETS = {"steps": STEP_SHEET, "materials": MATERIAL_SHEET, "fees": FEE_SHEET}
SHEETS = (ITEM_SHEET, STEP_SHEET, MATERIAL_SHEET, FEE_SHEET)
HELP_SHEET_TITLE = "填写说明"
HELP_INTRO = [
    "事项实施清单导入导出模板（综合政务服务平台）",
    "1. 「事项」表每行一个事项，以「实施编码」为准：系统中已有的事项按文件内容更新，没有的新建。文件中没有的事项不会被修改或删除。",
    "2. 「办理环节」「申请材料」「收费项目」表通过「实施编码」对应事项。某事项在这些表中的全部行就是它完整的环节、材料和收费；"
    "删去某一行，导入后新版本中就不再有该项。",
    "3. 导入前校验所有工作表的每一行。只要有一处错误，就不导入任何内容，并列出全部错误（工作表、行号、列、原因）。",
    "4. 内容有变化的事项发布新版本，旧版本保持原样；内容没有变化的事项不产生新版本。",
    "5. 第一行是列名，请勿修改或删除；列的先后顺序可以调整。选择类的列填写中文名称（如 行政许可、工作日、即办件、必要），"
    "是否类的列填写「是」或「否」，多个取值用顿号「、」分隔。",
    "6. 选择类的列留空时取默认值；文字列留空即为空；带「必填」的列不得为空。",
]


# --- report ------------------------------------------------------------------------------


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"「{self.sheet}」" if self.sheet else "文件"
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"「{self.column}」列"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False
    truncated: bool = False  # more than MAX_ERRORS problems; only the first ones are listed
    bundles_created: list[str] = field(default_factory=list)
    bundles_updated: list[str] = field(default_factory=list)
    bundles_unchanged: list[str] = field(default_factory=list)

    @property
    def bundle_summary(self) -> str:
        """The bundles' part of the summary; empty when the file had no bundles."""
        if not (self.bundles_created or self.bundles_updated or self.bundles_unchanged):
            return ""
        return (f"；联办事项新增{len(self.bundles_created)}项，更新{len(self.bundles_updated)}项，"
                f"未变{len(self.bundles_unchanged)}项")

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(sheet, row, column, message))
        else:
            self.truncated = True

    @property
    def summary(self) -> str:
        if not self.ok:
            if self.truncated:
                return f"文件中错误过多（仅列出前{MAX_ERRORS}处），未导入任何内容"
            return f"文件中有{len(self.errors)}处错误，未导入任何内容"
        prefix = "校验通过（仅校验，未写入）：将" if self.dry_run else "导入完成："
        return (f"{prefix}新增{len(self.created)}项，更新{len(self.updated)}项（发布新版本），"
                f"未变{len(self.unchanged)}项{self.bundle_summary}")

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "dry_run": self.dry_run, "summary": self.summary,
            "created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged),
            "created_codes": self.created, "updated_codes": self.updated,
            "bundles_created": self.bundles_created, "bundles_updated": self.bundles_updated,
            "bundles_unchanged": self.bundles_unchanged,
            "errors": [e.as_dict() for e in self.errors],
        }


# --- access ------------------------------------------------------------------------------


def catalog_admin_check(user) -> None:
    """Only a 中心管理员 (hall_admin) or a superuser moves the whole catalog in or out."""
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_superuser or Staff.objects.filter(user=user, is_active=True,
                                                     roles__code=Role.HALL_ADMIN).exists():
            return
    raise PermissionDenied("仅中心管理员可以导入、导出事项清单", code="catalog_admin_only")


# --- export ------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4E4")


def _role_names() -> dict[str, str]:
    return dict(Role.objects.values_list("code", "name"))


def _render(col: Column, value, role_names: dict[str, str]):
    if col.kind in (CHOICE, DEPTH):
        return col.label(value)
    if col.kind == MULTI:
        return LIST_SEPARATOR.join(col.label(v) for v in value or []) or None
    if col.kind == BOOL:
        return "是" if value else "否"
    if col.kind == ROLE:
        return role_names.get(value, value)
    if col.kind == TEXT:
        return value or None
    return value


def _write_sheet(ws, spec: SheetSpec, rows: list[dict], role_names: dict[str, str]) -> None:
    ws.append([c.header for c in spec.columns])
    for i, col in enumerate(spec.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if col.required else _HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = col.width
    for r, values in enumerate(rows, start=2):
        for i, col in enumerate(spec.columns, start=1):
            cell = ws.cell(row=r, column=i, value=_render(col, values.get(col.key), role_names))
            if cell.data_type == "f":  # text that starts with "=" stays text, never a formula
                cell.data_type = "s"
            if col.is_code:
                cell.number_format = "@"
            elif col.kind == DECIMAL:
                cell.number_format = "0.00"
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{max(len(rows) + 1, 2)}"
    for i, col in enumerate(spec.columns, start=1):
        labels = _allowed_labels(col, role_names)
        formula = '"' + ",".join(labels) + '"'
        if labels and col.kind != MULTI and len(formula) <= 255:
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning",
                                showErrorMessage=True, errorTitle="取值不在列表中", error="请从下拉列表中选择")
            letter = get_column_letter(i)
            dv.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(dv)


def _allowed_labels(col: Column, role_names: dict[str, str]) -> list[str]:
    if col.kind == BOOL:
        return ["是", "否"]
    if col.kind == ROLE:
        return list(role_names.values())
    return [str(label) for _, label in col.choices]


def _options(labels) -> str:
    """Allowed values quoted one by one: some labels (自然人、法人) contain the list separator."""
    return "".join(f"「{label}」" for label in labels)


def _write_help(ws, role_names: dict[str, str]) -> None:
    from .excel_bundles import HELP_LINE

    for line in (*HELP_INTRO, HELP_LINE):
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["工作表", "列名", "必填", "说明", "可选值"])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    from .excel_bundles import BUNDLE_SHEETS

    for spec in (*SHEETS, *BUNDLE_SHEETS):
        for col in spec.columns:
            labels = _allowed_labels(col, role_names)
            note = col.note
            if not col.required and col.kind in (CHOICE, DEPTH, BOOL, INT) and col.default is not None:
                note = "；".join(x for x in [note, f"留空为「{_render(col, col.default, role_names)}」"] if x)
            if col.max_length and col.kind == TEXT:
                note = "；".join(x for x in [note, f"最多{col.max_length}字"] if x)
            ws.append([spec.title, col.header, "是" if col.required else "", note, _options(labels)])
    for letter, width in zip("ABCDE", (12, 18, 6, 70, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def catalog_export(*, items=None, actor=None) -> bytes:
    """The published catalog (or the given items) as an .xlsx workbook; ``items=[]`` gives a blank template."""
    qs = Item.objects.filter(current__isnull=False)
    if items is not None:
        qs = qs.filter(pk__in=[i.pk for i in items])
    qs = qs.select_related("department", "current").prefetch_related(
        "current__steps", "current__materials", "current__fees"
    ).order_by("impl_code")
    rows: dict[str, list[dict]] = {"items": [], "steps": [], "materials": [], "fees": []}
    for item in qs:
        v = item.current
        rows["items"].append({
            **{f: getattr(v, f) for f in VERSION_FIELDS},
            "impl_code": item.impl_code, "department": item.department.code,
            "department_name": item.department.name, "version": v.version,
        })
        for kind, related in (("steps", v.steps), ("materials", v.materials), ("fees", v.fees)):
            for child in related.all():
                rows[kind].append({"impl_code": item.impl_code,
                                   **{c.key: getattr(child, c.key) for c in CHILD_SHEETS[kind].columns[1:]}})
    role_names = _role_names()
    wb = Workbook()
    _write_sheet(wb.active, ITEM_SHEET, rows["items"], role_names)
    wb.active.title = ITEM_SHEET.title
    for kind, spec in CHILD_SHEETS.items():
        _write_sheet(wb.create_sheet(spec.title), spec, rows[kind], role_names)
    from .excel_bundles import BUNDLE_SHEET, MEMBER_SHEET, export_rows

    bundle_rows, member_rows = export_rows() if items is None else ([], [])
    _write_sheet(wb.create_sheet(BUNDLE_SHEET.title), BUNDLE_SHEET, bundle_rows, role_names)
    _write_sheet(wb.create_sheet(MEMBER_SHEET.title), MEMBER_SHEET, member_rows, role_names)
    _write_help(wb.create_sheet(HELP_SHEET_TITLE), role_names)
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=actor, action="export", object_type="catalog.item",
                 summary=f"导出事项实施清单（Excel），共{len(rows['items'])}个事项")
    return out.getvalue()


# --- import ------------------------------------------------------------------------------


class _Bad(Exception):
    """One cell that cannot be read; the message is shown to the user."""


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _to_int(value) -> int:
    if isinstance(value, bool):
        raise _Bad("应填写整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value.strip()):
        return int(value.strip())
    raise _Bad(f"「{_text(value)}」不是整数")


def _parse(col: Column, raw, roles: dict[str, str]):
    if _blank(raw):
        if col.kind == OPT_INT:
            return None
        if col.kind == MULTI:
            return []
        if col.required:
            raise _Bad("不能为空")
        return col.default
    if col.kind == TEXT:
        value = _text(raw)
        if col.max_length and len(value) > col.max_length:
            raise _Bad(f"不能超过{col.max_length}个字（现为{len(value)}个字）")
        return value
    if col.kind in (INT, OPT_INT):
        number = _to_int(raw)
        if number < 0:
            raise _Bad(f"不能为负数（填写的是{number}）")
        if col.max_value is not None and number > col.max_value:
            raise _Bad(f"不能大于{col.max_value}")
        return number
    if col.kind == BOOL:
        if isinstance(raw, bool):
            return raw
        text = _text(raw)
        if text in ("是", "否"):
            return text == "是"
        raise _Bad(f"「{text}」无效，应填写「是」或「否」")
    if col.kind == DECIMAL:
        return _to_amount(raw)
    if col.kind == DEPTH:
        return _to_depth(raw)
    text = _text(raw)
    if col.kind == ROLE:
        if text in roles:
            return roles[text]
        names = [name for name, code in roles.items() if name != code]
        raise _Bad(f"「{text}」不是已有的角色，可选：{_options(names)}")
    table = col.lookup
    if col.kind == CHOICE:
        if text in table or text.lower() in table:
            return table.get(text, table.get(text.lower()))
        raise _Bad(f"「{text}」不是有效的取值，可选：{_options(lab for _, lab in col.choices)}")
    values = []
    for token in (t for t in _SPLIT.split(text) if t):
        value = table.get(token, table.get(token.lower()))
        if value is None:
            raise _Bad(f"「{token}」不是有效的取值，可选：{_options(lab for _, lab in col.choices)}")
        if value not in values:
            values.append(value)
    return values


def _to_amount(raw) -> Decimal:
    if isinstance(raw, bool):
        raise _Bad("应填写金额（数字）")
    try:
        amount = Decimal(_text(raw).replace(",", "")) if not isinstance(raw, float) else Decimal(repr(raw))
    except InvalidOperation:
        raise _Bad(f"「{_text(raw)}」不是有效的金额") from None
    if not amount.is_finite():
        raise _Bad(f"「{_text(raw)}」不是有效的金额")
    if amount < 0:
        raise _Bad(f"金额不能为负数（填写的是{amount}）")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise _Bad("金额最多保留两位小数")
    if amount >= Decimal("1e10"):
        raise _Bad("金额过大")
    return amount.quantize(Decimal("0.01"))


def _to_depth(raw) -> int:
    text = _text(raw)
    for value, label in ONLINE_DEPTH_CHOICES:
        if text in (label, label.split("：")[0], f"{value}级"):
            return value
    if not isinstance(raw, bool) and (isinstance(raw, int | float) or _INT.match(text)):
        number = int(float(text))
        if 1 <= number <= 7 and float(text) == number:
            return number
    raise _Bad(f"网办深度应为1至7级（填写的是「{text}」）")


def _read_sheet(wb, spec: SheetSpec, roles: dict[str, str], report: ImportReport) -> list | None:
    """The sheet's rows as ``(excel_row, values)``; ``None`` when its header row is unusable."""
    if spec.title not in wb.sheetnames:
        report.add(spec.title, None, "", f"缺少工作表「{spec.title}」")
        return None
    rows = wb[spec.title].iter_rows(values_only=True)
    by_header = {c.header: c for c in spec.columns}
    positions: dict[str, int] = {}
    usable = True
    for idx, value in enumerate(next(rows, ()) or ()):
        name = _text(value)
        if not name:
            continue
        if name not in by_header:
            report.add(spec.title, 1, name, f"无法识别的列「{name}」，请使用导出文件中的列名")
            usable = False
        elif name in positions:
            report.add(spec.title, 1, name, f"列「{name}」重复出现")
            usable = False
        else:
            positions[name] = idx
    for col in spec.columns:
        if col.kind != INFO and not col.optional and col.header not in positions:
            report.add(spec.title, 1, col.header, f"缺少列「{col.header}」")
            usable = False
    if not usable:
        return None
    records = []
    for rownum, values in enumerate(rows, start=2):
        if rownum > MAX_ROWS_PER_SHEET + 1:
            report.add(spec.title, rownum, "", f"行数超过上限（每个工作表最多{MAX_ROWS_PER_SHEET}行）")
            break
        if all(_blank(v) for v in values):
            continue
        record = {}
        for col in spec.columns:
            if col.kind == INFO or col.header not in positions:
                continue
            idx = positions[col.header]
            try:
                record[col.key] = _parse(col, values[idx] if idx < len(values) else None, roles)
            except _Bad as exc:
                report.add(spec.title, rownum, col.header, str(exc))
        records.append((rownum, record))
    return records


def _check_item_row(rownum: int, rec: dict, report: ImportReport) -> None:
    """The rules ``item_upsert`` enforces, checked up front so they are reported with the row."""
    header = ITEM_SHEET.header
    promised, legal, case_type = rec.get("promised_limit"), rec.get("legal_limit"), rec.get("case_type")
    if promised is not None and case_type is not None:
        if promised == 0 and case_type != CaseType.IMMEDIATE:
            report.add(ITEM_SHEET.title, rownum, header("case_type"), "承诺办结时限为0的事项应为即办件")
        elif promised > 0 and case_type == CaseType.IMMEDIATE:
            report.add(ITEM_SHEET.title, rownum, header("case_type"), "即办件的承诺办结时限应为0")
    units = rec.get("legal_limit_unit"), rec.get("promised_limit_unit")
    if promised is not None and legal is not None and None not in units and units[0] == units[1] and promised > legal:
        report.add(ITEM_SHEET.title, rownum, header("promised_limit"),
                   f"承诺办结时限（{promised}）不得超过法定办结时限（{legal}）")


def _validate(wb, report: ImportReport) -> tuple[dict, dict]:
    roles = {}
    for code, name in Role.objects.values_list("code", "name"):
        roles.setdefault(name, code)
        roles[code] = code
    departments = {d.code: d for d in Department.objects.all()}
    item_rows = _read_sheet(wb, ITEM_SHEET, roles, report)
    items: dict[str, tuple[int, dict]] = {}
    code_header = ITEM_SHEET.header("impl_code")
    for rownum, rec in item_rows or []:
        code = rec.get("impl_code")
        if code and code in items:
            report.add(ITEM_SHEET.title, rownum, code_header, f"实施编码「{code}」与第{items[code][0]}行重复")
            continue
        dept_code = rec.get("department")
        if dept_code is not None:
            rec["department"] = departments.get(dept_code)
            if rec["department"] is None:
                report.add(ITEM_SHEET.title, rownum, ITEM_SHEET.header("department"),
                           f"部门编码「{dept_code}」不存在，请先在组织机构中登记该部门")
        _check_item_row(rownum, rec, report)
        if code:
            items[code] = (rownum, rec)
    children: dict[str, dict[str, list]] = {kind: defaultdict(list) for kind in CHILD_SHEETS}
    for kind, spec in CHILD_SHEETS.items():
        seq_header = spec.header("seq")
        seen: dict[tuple[str, int], int] = {}
        for rownum, rec in _read_sheet(wb, spec, roles, report) or []:
            code, seq = rec.pop("impl_code", None), rec.get("seq")
            if code is None:
                continue
            if item_rows is not None and code not in items:
                report.add(spec.title, rownum, code_header, f"实施编码「{code}」在「{ITEM_SHEET.title}」表中不存在")
                continue
            if seq is not None and (code, seq) in seen:
                report.add(spec.title, rownum, seq_header,
                           f"同一事项的{seq_header}「{seq}」与第{seen[(code, seq)]}行重复")
                continue
            if seq is not None:
                seen[(code, seq)] = rownum
            children[kind][code].append(rec)
    return items, children


def _error_order(error: RowError) -> tuple:
    """File problems first, then by sheet as laid out, row, and column."""
    from .excel_bundles import BUNDLE_SHEETS

    specs = (*SHEETS, *BUNDLE_SHEETS)
    titles = [spec.title for spec in specs]
    if error.sheet not in titles:
        return (-1 if error.sheet == "" else len(titles), 0, 0)
    headers = [c.header for c in specs[titles.index(error.sheet)].columns]
    column = headers.index(error.column) if error.column in headers else len(headers)
    return (titles.index(error.sheet), error.row or 0, column)


def upload_limit_text() -> str:
    """The upload limit for people: "20 MB" (or "512 KB" for a small limit)."""
    limit = settings.ZHENGWU_MAX_UPLOAD_BYTES
    return f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{max(1, limit // 1024)} KB"


def _open_workbook(data: bytes, report: ImportReport):
    limit = settings.ZHENGWU_MAX_UPLOAD_BYTES
    if len(data) > limit:
        report.add("", None, "", f"文件大小超过上限（最大{upload_limit_text()}）")
        return None
    if not data.startswith(b"PK\x03\x04"):
        report.add("", None, "", "文件不是 Excel（.xlsx）格式，请使用本系统导出的模板填写后上传")
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any parser failure means the same thing to the user
        report.add("", None, "", "无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式")
        return None


def catalog_import(*, data: bytes, actor=None, dry_run: bool = False) -> ImportReport:
    """Check the whole workbook, then upsert every item in one transaction (or nothing at all)."""
    report = ImportReport(dry_run=dry_run)
    wb = _open_workbook(data, report)
    if wb is None:
        return report
    from . import excel_bundles

    try:
        items, children = _validate(wb, report)
        bundles = excel_bundles.validate(wb, report, items)
    finally:
        wb.close()
    if not report.ok:
        report.errors.sort(key=_error_order)
        return report
    existing = set(Item.objects.filter(impl_code__in=list(items)).values_list("impl_code", flat=True))
    current_row = None
    try:
        with transaction.atomic():
            # The audit rows of every published version are chained together at the end: the chain
            # lock is held for that insert only, not from the first row to the commit.
            with audit_deferred():
                for code, (row, rec) in items.items():
                    current_row = row
                    _, changed = item_upsert(
                        impl_code=code, department=rec["department"],
                        fields={f: rec[f] for f in rec if f not in ("impl_code", "department")},
                        steps=sorted(children["steps"].get(code, []), key=lambda s: s["seq"]),
                        materials=sorted(children["materials"].get(code, []), key=lambda m: m["seq"]),
                        fees=sorted(children["fees"].get(code, []), key=lambda x: x["seq"]),
                        actor=actor, note="Excel 导入",
                    )
                    bucket = (report.unchanged if not changed else report.updated if code in existing
                              else report.created)
                    bucket.append(code)
                if bundles:
                    excel_bundles.apply(bundles, report, actor=actor)
                audit_record(actor=actor, action="import", object_type="catalog.item",
                             summary=f"导入事项实施清单（Excel）：新增{len(report.created)}项，"
                                     f"更新{len(report.updated)}项，未变{len(report.unchanged)}项"
                                     f"{report.bundle_summary}")
            if dry_run:
                transaction.set_rollback(True)
    except DomainError as exc:
        _clear(report)
        report.add(ITEM_SHEET.title, current_row, "", exc.message)
    except excel_bundles.BundleRowError as exc:
        _clear(report)
        report.add(excel_bundles.BUNDLE_SHEET.title, exc.row, "", exc.message)
    return report


def _clear(report: ImportReport) -> None:
    """Nothing was imported: the lists of what changed are emptied."""
    report.created, report.updated, report.unchanged = [], [], []
    report.bundles_created, report.bundles_updated, report.bundles_unchanged = [], [], []
