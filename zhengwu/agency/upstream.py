"""Reading an Excel export of an upstream approval system (上级审批系统导出) into upstream steps.

The workbook's first sheet, header on row 1, one step per row (empty rows are skipped). Columns, by
header name (order free, extra columns ignored):

| header | required | content |
|---|---|---|
| 事项编码 | yes | the covered item's 实施编码 (as in the county catalog) |
| 上级部门 | yes | the upstream department, e.g. 示范市自然资源和规划局 |
| 环节名称 | yes | e.g. 受理, 技术审查, 审批决定 |
| 报送日期 | yes | date cell or text 2026-03-05 / 2026/3/5 / 2026年3月5日 |
| 办理结果 | no | e.g. 同意, 准予许可, 退回补正 |
| 结果日期 | no | date, not before 报送日期 |
| 文号 | no | e.g. 示环审〔2026〕12号 |

A row whose (事项编码, 环节名称, 报送日期) already exists on the agreement updates that step's result, date
and 文号 (the same export imported again later, with results). Any bad row refuses the whole file,
naming every bad row by its number; nothing is imported then.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from zhengwu.core.errors import DomainError

COLUMNS = [
    ("item_code", "事项编码", True),
    ("department", "上级部门", True),
    ("step_name", "环节名称", True),
    ("filed_on", "报送日期", True),
    ("result", "办理结果", False),
    ("result_on", "结果日期", False),
    ("document_no", "文号", False),
]
HEADERS = [h for _, h, _ in COLUMNS]
MAX_ROWS = 1000
LENGTHS = {"department": 100, "step_name": 100, "result": 200, "document_no": 64, "item_code": 64}

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class Row:
    number: int  # the row's number in the sheet (header is 1)
    item_code: str
    department: str
    step_name: str
    filed_on: dt.date
    result: str
    result_on: dt.date | None
    document_no: str


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise ValueError
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload) -> list[Row]:
    """The rows of the export, validated as text and dates; raises one DomainError listing every bad row."""
    from openpyxl import load_workbook

    upload.seek(0)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any failure to open is the same answer to the user
        raise DomainError("import_file", "无法打开该文件，请上传上级系统导出的 Excel（.xlsx）文件") from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [_text(c) for c in next(it, ())]
        missing = [h for h in HEADERS if h not in header]
        if missing:
            raise DomainError("import_header", f"表头缺少列：{'、'.join(missing)}。第1行应为：{'、'.join(HEADERS)}")
        pos = {key: header.index(h) for key, h, _ in COLUMNS}
        rows: list[Row] = []
        errors: list[dict] = []
        for number, cells in enumerate(it, start=2):
            cells = list(cells)
            values = {key: cells[i] if i < len(cells) else None for key, i in pos.items()}
            if all(v is None or _text(v) == "" for v in values.values()):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise DomainError("import_too_many", f"一次最多导入{MAX_ROWS}行")
            problems = []
            texts = {k: _text(values[k]) for k in ("item_code", "department", "step_name", "result", "document_no")}
            for key, label, required in COLUMNS:
                if required and key in texts and not texts[key]:
                    problems.append(f"{label}不能为空")
                if key in LENGTHS and len(texts.get(key, "")) > LENGTHS[key]:
                    problems.append(f"{label}不能超过{LENGTHS[key]}个字")
            dates = {}
            for key, label in (("filed_on", "报送日期"), ("result_on", "结果日期")):
                try:
                    dates[key] = _date(values[key])
                except ValueError:
                    problems.append(f"{label}“{_text(values[key])}”不是有效日期")
                    dates[key] = None
            if "filed_on" in dates and dates["filed_on"] is None and not any("报送日期" in p for p in problems):
                problems.append("报送日期不能为空")
            if dates.get("filed_on") and dates.get("result_on") and dates["result_on"] < dates["filed_on"]:
                problems.append("结果日期不能早于报送日期")
            if texts["result"] and not dates.get("result_on") and not any("结果日期" in p for p in problems):
                problems.append("填写办理结果时须填写结果日期")
            if problems:
                errors.append({"row": number, "message": "；".join(problems)})
                continue
            rows.append(Row(number=number, filed_on=dates["filed_on"], result_on=dates["result_on"], **texts))
    finally:
        wb.close()
    if errors:
        raise import_error(errors)
    if not rows:
        raise DomainError("import_empty", "文件中没有可导入的数据行")
    return rows


def import_error(errors: list[dict]) -> DomainError:
    shown = "；".join(f"第{e['row']}行：{e['message']}" for e in errors[:20])
    more = f"（另有{len(errors) - 20}行有误）" if len(errors) > 20 else ""
    return DomainError("import_rows", f"导入文件有{len(errors)}行有误，未导入任何数据。{shown}{more}",
                       status=422, details=errors)


def template_workbook() -> bytes:
    """An empty export template with the header row (offered for download on the agreement page)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "上级办理环节"
    ws.append(HEADERS)
    for col, width in zip("ABCDEFG", (28, 24, 14, 12, 16, 12, 22), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
