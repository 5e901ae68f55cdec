"""Bundles (联办事项 / 一件事) in the catalog workbook: sheet 联办事项 (one row per bundle, keyed by its code)
and sheet 联办成员 (one row per member item, pointing back by the bundle's code). Both sheets are optional:
a workbook without them (made before bundles existed) leaves every bundle as it is. Documented for people
in docs/catalog-excel.md.

Import checks every row first, together with the item sheets, and writes nothing when anything is wrong;
a clean file goes through ``bundle_upsert`` after the items (so a bundle may name items the same file
creates), publishing a new version only for bundles whose content changed.
"""

from __future__ import annotations

from zhengwu.core.errors import DomainError
from zhengwu.org.models import Department

from .bundles import BUNDLE_FIELDS, MAX_INSPECTION_ROUNDS, bundle_set_status, bundle_upsert
from .excel import CHOICE, INFO, Column, ImportReport, SheetSpec, _col, _read_sheet
from .models import Bundle, BundleMember, BundleVersion, Item, ItemVersion

BundleV = BundleVersion
BUNDLE_SHEET = SheetSpec("联办事项", (
    _col(Bundle, "code", "联办事项编码", width=20, is_code=True, note="联办事项（一件事）的唯一标识；已存在则更新，不存在则新建"),
    _col(BundleV, "name", width=24),
    _col(Department, "code", "牵头部门编码", key="lead_department", width=20, is_code=True,
         note="牵头部门的单位编码，须已在组织机构中登记，且至少实施一个成员事项"),
    Column("牵头部门名称", "lead_department_name", INFO, width=20, note="导出时填写以便识别，导入时忽略"),
    _col(BundleV, "mode", width=30, aliases=(("抄告制", "notify"), ("联审制", "meeting")), note="可简写为「抄告制」「联审制」。抄告制：牵头部门受理后抄告各部门并联审查；联审制：召开联审会议"),
    _col(BundleV, "promised_days", "承诺时限", note="联办总承诺时限，单位：工作日，自受理之日起计算，须大于0"),
    _col(BundleV, "deemed", note="协办部门超过本部门时限未答复的，视为同意，并发出超时默认通知单"),
    _col(BundleV, "absent_deemed", note="受邀部门无正当理由不参加联合踏勘或联审会议的，视为同意"),
    _col(BundleV, "inspection_stops_clock", note="联合踏勘按特别程序办理、期间不计入办理时限的，填「是」"),
    _col(BundleV, "max_inspection_rounds", max_value=MAX_INSPECTION_ROUNDS, note=f"1至{MAX_INSPECTION_ROUNDS}"),
    _col(BundleV, "project_stage", kind=CHOICE, width=22, note="工程建设项目（国办发〔2019〕11号）的审批阶段；不属于的留空"),
    _col(BundleV, "description", "说明", width=40, note="办事指南中显示的说明"),
    Column("状态", "status", CHOICE, choices=tuple(ItemVersion.Status.choices), default=ItemVersion.Status.ACTIVE,
           optional=True, note="暂停或取消的联办事项不再公开、不再受理申请"),
    Column("现行版本", "version", INFO, width=10, note="导出时填写现行版本号，导入时忽略"),
))
MEMBER_SHEET = SheetSpec("联办成员", (
    _col(Bundle, "code", "联办事项编码", width=20, is_code=True, note="须与「联办事项」表中的某一行对应"),
    _col(BundleMember, "seq", "序号", note="同一联办事项内不得重复"),
    _col(Item, "impl_code", "成员实施编码", key="item", width=26, is_code=True,
         note="成员事项的实施编码：本文件「事项」表中的事项或系统中已有的事项"),
    Column("事项名称", "item_name", INFO, width=30, note="导出时填写以便识别，导入时忽略"),
    Column("实施部门", "item_department", INFO, width=20, note="导出时填写以便识别，导入时忽略"),
    _col(BundleMember, "promised_days", "本部门时限", note="单位：工作日；留空取事项承诺时限与联办承诺时限中较短者；不得超过联办承诺时限"),
))
BUNDLE_SHEETS = (BUNDLE_SHEET, MEMBER_SHEET)
HELP_LINE = ("7. 「联办事项」「联办成员」表维护联办事项（一件事）：每个联办事项一行，成员事项在「联办成员」表中列出，至少2个；"
             "两个表都没有时不改动系统中的联办事项。")


def export_rows() -> tuple[list[dict], list[dict]]:
    """The published bundles and their members as sheet rows."""
    bundles, members = [], []
    qs = (Bundle.objects.filter(current__isnull=False).select_related("current__lead_department")
          .prefetch_related("current__members__item__department").order_by("code"))
    for bundle in qs:
        v = bundle.current
        bundles.append({**{f: getattr(v, f) for f in BUNDLE_FIELDS}, "code": bundle.code,
                        "lead_department": v.lead_department.code, "lead_department_name": v.lead_department.name,
                        "status": bundle.status, "version": v.version})
        for m in v.members.all():
            members.append({"code": bundle.code, "seq": m.seq, "item": m.item.impl_code, "item_name": m.item.name,
                            "item_department": m.item.department.name, "promised_days": m.promised_days})
    return bundles, members


def validate(wb, report: ImportReport, items: dict) -> dict | None:
    """Read and check both sheets; ``items`` are the 事项 sheet's rows by 实施编码. Returns the bundles by code
    as ``(row, record, members)`` or ``None`` when the workbook has no bundle sheets."""
    present = [spec.title in wb.sheetnames for spec in BUNDLE_SHEETS]
    if not any(present):
        return None
    if not all(present):
        missing = next(spec.title for spec, here in zip(BUNDLE_SHEETS, present, strict=True) if not here)
        report.add(missing, None, "", f"缺少工作表「{missing}」（「联办事项」「联办成员」两个表须同时提供）")
        return None
    roles: dict[str, str] = {}
    departments = {d.code: d for d in Department.objects.all()}
    header = BUNDLE_SHEET.header
    bundles: dict[str, tuple[int, dict, list]] = {}
    for rownum, rec in _read_sheet(wb, BUNDLE_SHEET, roles, report) or []:
        code = rec.get("code")
        if code and code in bundles:
            report.add(BUNDLE_SHEET.title, rownum, header("code"), f"联办事项编码「{code}」与第{bundles[code][0]}行重复")
            continue
        dept_code = rec.get("lead_department")
        if dept_code is not None:
            rec["lead_department"] = departments.get(dept_code)
            if rec["lead_department"] is None:
                report.add(BUNDLE_SHEET.title, rownum, header("lead_department"),
                           f"部门编码「{dept_code}」不存在，请先在组织机构中登记该部门")
        if rec.get("promised_days") == 0:
            report.add(BUNDLE_SHEET.title, rownum, header("promised_days"), "联办事项的承诺时限应大于0个工作日")
        rounds = rec.get("max_inspection_rounds")
        if rounds is not None and rounds < 1:
            report.add(BUNDLE_SHEET.title, rownum, header("max_inspection_rounds"),
                       f"联合踏勘最多轮次应为1至{MAX_INSPECTION_ROUNDS}")
        if code:
            bundles[code] = (rownum, rec, [])
    member_rows = _read_sheet(wb, MEMBER_SHEET, roles, report)
    known = _known_items(items, [rec.get("item") for _, rec in member_rows or []])
    seen: dict[tuple[str, object], int] = {}
    mheader = MEMBER_SHEET.header
    for rownum, rec in member_rows or []:
        code, item_code, seq = rec.get("code"), rec.get("item"), rec.get("seq")
        if code is None:
            continue
        if code not in bundles:
            report.add(MEMBER_SHEET.title, rownum, mheader("code"), f"联办事项编码「{code}」在「联办事项」表中不存在")
            continue
        if item_code is not None and item_code not in known:
            report.add(MEMBER_SHEET.title, rownum, mheader("item"),
                       f"实施编码「{item_code}」在「事项」表和系统中都不存在")
            continue
        for key, label in ((("seq", seq), "序号"), (("item", item_code), "成员实施编码")):
            if key[1] is not None and (code, key) in seen:
                report.add(MEMBER_SHEET.title, rownum, mheader(key[0]),
                           f"同一联办事项的{label}「{key[1]}」与第{seen[(code, key)]}行重复")
                break
        else:
            seen.update({(code, ("seq", seq)): rownum, (code, ("item", item_code)): rownum})
            if item_code is not None:
                bundles[code][2].append((rownum, rec, known[item_code]))
    for rownum, rec, members in bundles.values():
        _check_bundle(rownum, rec, members, report)
    return bundles


def _known_items(items: dict, codes: list) -> dict[str, tuple[int | None, str]]:
    """Item code → (department id, status) as it will be after the import: the file's row wins."""
    known = {}
    for item in Item.objects.filter(impl_code__in=[c for c in codes if c], current__isnull=False):
        known[item.impl_code] = (item.department_id, item.status)
    for code, (_row, rec) in items.items():
        dept = rec.get("department")
        known[code] = (dept.pk if dept is not None else None, rec.get("status") or ItemVersion.Status.ACTIVE)
    return known


def _check_bundle(rownum: int, rec: dict, members: list, report: ImportReport) -> None:
    """The rules ``bundle_publish`` enforces, reported with the row: 2+ members, limits, items in use, lead."""
    title, header = BUNDLE_SHEET.title, BUNDLE_SHEET.header
    if len(members) < 2:
        report.add(title, rownum, header("code"), f"联办事项至少包含2个成员事项（「联办成员」表中有{len(members)}个）")
    promised = rec.get("promised_days")
    for mrow, mrec, (_dept, status) in members:
        if status != ItemVersion.Status.ACTIVE:
            report.add(MEMBER_SHEET.title, mrow, MEMBER_SHEET.header("item"),
                       f"成员事项「{mrec['item']}」当前不在用（已暂停或取消），不能纳入联办")
        days = mrec.get("promised_days")
        if days is not None and promised and days > promised:
            report.add(MEMBER_SHEET.title, mrow, MEMBER_SHEET.header("promised_days"),
                       f"本部门时限（{days}个工作日）不得超过联办承诺时限（{promised}个工作日）")
        if days == 0:
            report.add(MEMBER_SHEET.title, mrow, MEMBER_SHEET.header("promised_days"), "本部门时限应为正整数，或留空")
    lead = rec.get("lead_department")
    if lead is not None and members and not any(dept == lead.pk for _r, _m, (dept, _s) in members):
        report.add(title, rownum, header("lead_department"), "牵头部门应至少实施一个成员事项")


def apply(bundles: dict, report, *, actor=None) -> None:
    """Upsert every bundle (inside the import's transaction); a refusal raises ``BundleRowError`` naming the row."""
    existing = set(Bundle.objects.filter(code__in=list(bundles)).values_list("code", flat=True))
    for code, (rownum, rec, members) in bundles.items():
        fields = {f: rec[f] for f in BUNDLE_FIELDS if f in rec}
        ordered = sorted(members, key=lambda m: m[1]["seq"])
        try:
            bundle, changed = bundle_upsert(
                code=code, fields=fields, actor=actor, note="Excel 导入",
                members=[{"item": m[1]["item"], "seq": m[1]["seq"], "promised_days": m[1].get("promised_days")}
                         for m in ordered])
            status = rec.get("status")
            if status and status != bundle.status:
                bundle_set_status(bundle=bundle, status=status, actor=actor)
                changed = True
        except DomainError as exc:
            raise BundleRowError(rownum, exc) from exc
        bucket = (report.bundles_unchanged if not changed else report.bundles_updated if code in existing
                  else report.bundles_created)
        bucket.append(code)


class BundleRowError(Exception):
    def __init__(self, row: int, cause: DomainError):
        super().__init__(cause.message)
        self.row, self.message = row, cause.message

