"""The annual report's tables computed from the data, aggregated, adjusted and cross-checked.

The shape is the JSON contract of ``GET /api/disclosure/reports/{body_code}/{year}``::

    {"table2": {"规章": {"本年制发": 0, "本年废止": 0, "现行有效": 0}, …,
                "行政许可": {"本年处理决定数量": 0}, …, "行政事业性收费": {"本年收费金额": 0.0}},
     "table3": {"本年新收": {"自然人": 0, "商业企业": 0, …, "总计": 0}, "上年结转": {…},
                "予以公开": {…}, "部分公开": {…}, "国家秘密": {…}, …, "总计": {…}, "结转下年度": {…}},
     "table4": {"行政复议": {"维持": 0, "纠正": 0, "其他": 0, "尚未审结": 0, "总计": 0},
                "未经复议直接起诉": {…}, "复议后起诉": {…}}}

How requests are counted for a body and a year Y:
- 本年新收: received (收到申请之日) in Y; 上年结转: received before Y and not closed before Y.
- 办理结果: closed in Y, by result type; 结转下年度: received by the end of Y and still open then.
  So each request received is counted once on each side and 一 + 二 = 三 + 四 holds by construction;
  only hand adjustments can break it, and finalising refuses then, naming the column and cells.
- table 四: every 复议/诉讼 filed by the end of Y and not decided before Y; its outcome when decided
  in Y, else 尚未审结 (so a case pending at the end of one year appears again with its outcome).
- table 二: 规章/行政规范性文件 by 制发 (``made_on``) and 废止 (``repealed_on``) dates of published
  documents; 行政许可 decisions from the cases (办件) of the body's department decided in Y;
  行政处罚/行政强制 from the published decision results of those categories made in Y; 行政事业性
  收费 from the fees paid in Y for the department's cases, in 万元.
A government's report adds up its own data and the reports of the bodies under it (their final
tables once finalised), villages excepted.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from . import reference as ref
from .models import AnnualReport, Appeal, Body, Category, DocKind, InfoRequest, Publication, PubStatus

OUTCOME_COLUMNS = {Appeal.Outcome.MAINTAINED: "维持", Appeal.Outcome.CORRECTED: "纠正",
                   Appeal.Outcome.OTHER: "其他"}


def empty_tables() -> dict:
    t2: dict = {}
    for block in ref.TABLE2_BLOCKS:
        for row in block.rows:
            t2[row] = {ref.TABLE2_KEYS[c]: (0.0 if c == ref.FEE_AMOUNT else 0) for c in block.columns}
    t3 = {r: {c: 0 for c in ref.TABLE3_COLUMNS} for r in ref.TABLE3_ROWS}
    t4 = {g: {c: 0 for c in ref.TABLE4_COLUMNS} for g in ref.TABLE4_GROUPS}
    return {"table2": t2, "table3": t3, "table4": t4, "summary": {"主动公开信息数": 0, "浏览次数": 0, "信息处理费（元）": 0.0}}


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _table3(body: Body, year: int, t3: dict) -> None:
    first, last = _bounds(year)
    rows = (InfoRequest.objects.filter(body=body, received_on__isnull=False, received_on__lte=last)
            .exclude(closed_on__lt=first)
            .values_list("applicant_kind", "legal_subkind", "received_on", "closed_on", "result"))
    for kind, subkind, received_on, closed_on, result in rows:
        col = ref.table3_column(kind, subkind)
        t3[ref.NEW if received_on >= first else ref.CARRIED_IN][col] += 1
        if closed_on is not None and closed_on <= last:
            t3[ref.RESULTS[result].name][col] += 1
        else:
            t3[ref.CARRIED_OUT][col] += 1


def _table4(body: Body, year: int, t4: dict) -> None:
    first, last = _bounds(year)
    rows = Appeal.objects.filter(request__body=body, filed_on__lte=last).exclude(decided_on__lt=first)
    for appeal in rows:
        decided = appeal.decided_on is not None and appeal.decided_on <= last
        t4[appeal.table4_group][OUTCOME_COLUMNS[appeal.outcome] if decided else "尚未审结"] += 1


def _table2(body: Body, year: int, t2: dict, summary: dict) -> None:
    first, last = _bounds(year)
    pubs = Publication.objects.filter(body=body, status=PubStatus.PUBLISHED)
    for kind, row in ((DocKind.RULE, "规章"), (DocKind.NORMATIVE, "行政规范性文件")):
        docs = pubs.filter(doc_kind=kind)
        t2[row]["本年制发"] = docs.filter(made_on__range=(first, last)).count()
        t2[row]["本年废止"] = docs.filter(repealed_on__range=(first, last)).count()
        t2[row]["现行有效"] = docs.filter(made_on__lte=last).exclude(repealed_on__lte=last).count()
    for category, row in ((Category.PENALTY, "行政处罚"), (Category.COERCION, "行政强制")):
        t2[row]["本年处理决定数量"] = pubs.filter(category=category, made_on__range=(first, last)).count()
    if body.department_id:
        from zhengwu.cases.models import Case, FeeLine

        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        t2["行政许可"]["本年处理决定数量"] = (
            Case.objects.filter(department_id=body.department_id, item_version__kind="license",
                                decided_at__gte=start, decided_at__lt=end).exclude(decision="").count())
        paid = (FeeLine.objects.filter(case__department_id=body.department_id, waived=False,
                                       paid_on__range=(first, last)).aggregate(s=Sum("amount"))["s"])
        t2["行政事业性收费"]["本年收费金额"] = round(float((paid or Decimal(0)) / 10000), 4)
    published = pubs.filter(published_on__range=(first, last))
    summary["主动公开信息数"] = published.count()
    summary["浏览次数"] = published.aggregate(s=Sum("view_count"))["s"] or 0
    fees = (InfoRequest.objects.filter(body=body, fee_paid_on__range=(first, last))
            .aggregate(s=Sum(F("fee_amount") - F("fee_waived_amount")))["s"])  # what was paid, after 减免
    summary["信息处理费（元）"] = float(fees or 0)


def own_tables(body: Body, year: int) -> dict:
    """The body's own numbers, from its own rows only."""
    t = empty_tables()
    _table2(body, year, t["table2"], t["summary"])
    _table3(body, year, t["table3"])
    _table4(body, year, t["table4"])
    return finish(t)


def finish(t: dict) -> dict:
    """Recompute the derived cells: table 三's 总计 column and 总计 row, table 四's 总计."""
    t3 = t["table3"]
    for row in t3.values():
        row[ref.TOTAL] = sum(row[c] for c in ref.TABLE3_COLUMNS if c != ref.TOTAL)
    for col in ref.TABLE3_COLUMNS:
        t3[ref.RESULT_TOTAL][col] = sum(t3[r.name][col] for r in ref.RESULT_TYPES)
    for group in t["table4"].values():
        group["总计"] = sum(group[c] for c in ref.TABLE4_COLUMNS if c != "总计")
    fee = t["table2"]["行政事业性收费"]
    fee["本年收费金额"] = round(float(fee["本年收费金额"]), 4)
    return t


def add(into: dict, other: dict) -> dict:
    for table in ("table2", "table3", "table4", "summary"):
        a, b = into[table], other[table]
        for key, value in b.items():
            if isinstance(value, dict):
                for col, n in value.items():
                    a[key][col] += n
            else:
                a[key] += value
    return into


# -- adjustments ---------------------------------------------------------------------------------------------


def adjustable_cells() -> dict[str, tuple[str, str, str]]:
    """Every cell a person may set by hand: key → (table, row, column). Totals are always derived."""
    cells: dict[str, tuple[str, str, str]] = {}
    for block in ref.TABLE2_BLOCKS:
        for row in block.rows:
            for c in block.columns:
                cells[f"二|{row}|{ref.TABLE2_KEYS[c]}"] = ("table2", row, ref.TABLE2_KEYS[c])
    for row in ref.TABLE3_ROWS:
        if row == ref.RESULT_TOTAL:
            continue
        for c in ref.TABLE3_COLUMNS[:-1]:
            cells[f"三|{row}|{c}"] = ("table3", row, c)
    for g in ref.TABLE4_GROUPS:
        for c in ref.TABLE4_COLUMNS[:-1]:
            cells[f"四|{g}|{c}"] = ("table4", g, c)
    return cells


CELLS = adjustable_cells()


def apply_adjustments(t: dict, adjustments: dict) -> dict:
    for key, adj in (adjustments or {}).items():
        table, row, col = CELLS[key]
        t[table][row][col] = adj["value"]
    return finish(t)


# -- the cross-check ------------------------------------------------------------------------------------------


def cross_check(t: dict, adjustments: dict | None = None) -> list[dict]:
    """一 + 二 = 三 + 四 for each column of table 三; one entry per column that is off."""
    t3 = t["table3"]
    errors = []
    for col in ref.TABLE3_COLUMNS:
        left = t3[ref.NEW][col] + t3[ref.CARRIED_IN][col]
        right = t3[ref.RESULT_TOTAL][col] + t3[ref.CARRIED_OUT][col]
        if left == right:
            continue
        message = (f"表三“{col}”列不平衡：一、本年新收 {t3[ref.NEW][col]} + 二、上年结转 {t3[ref.CARRIED_IN][col]} = "
                   f"{left}，而三、办理结果总计 {t3[ref.RESULT_TOTAL][col]} + 四、结转下年度 {t3[ref.CARRIED_OUT][col]} = "
                   f"{right}，相差 {left - right}")
        touched = [CELLS[k][1] for k in (adjustments or {}) if k.startswith("三|") and CELLS[k][2] == col]
        if touched:
            message += f"；该列人工调整过的单元格：{'、'.join(touched)}"
        errors.append({"column": col, "left": left, "right": right, "adjusted": touched, "message": message})
    return errors


# -- a body's report ---------------------------------------------------------------------------------------------


@dataclass
class ReportData:
    body: Body
    year: int
    tables: dict
    computed: dict  # before this report's own adjustments
    report: AnnualReport | None
    parts: list[tuple[Body, str]] = field(default_factory=list)  # aggregated bodies and their report status
    warnings: list[str] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.report is not None and self.report.status == AnnualReport.Status.FINAL

    @property
    def errors(self) -> list[dict]:
        return cross_check(self.tables, self.report.adjustments if self.report else None)


def aggregated_children(body: Body) -> list[Body]:
    if body.kind != Body.Kind.GOVERNMENT:
        return []
    return list(body.children.filter(is_active=True).exclude(kind=Body.Kind.VILLAGE).order_by("code"))


def report_data(body: Body, year: int) -> ReportData:
    """The tables of ``body``'s report for ``year``: frozen if finalised, else from the data now."""
    report = AnnualReport.objects.filter(body=body, year=year).first()
    if report is not None and report.status == AnnualReport.Status.FINAL:
        return ReportData(body, year, report.tables, report.tables, report,
                          parts=[(b, s) for b, s in _parts(body, year)])
    computed = own_tables(body, year)
    parts = []
    for child in aggregated_children(body):
        child_data = report_data(child, year)
        add(computed, child_data.tables)
        parts.append((child, "已定稿" if child_data.final else "未定稿"))
    finish(computed)
    tables = apply_adjustments(copy.deepcopy(computed), report.adjustments if report else {})
    data = ReportData(body, year, tables, computed, report, parts=parts)
    prev = AnnualReport.objects.filter(body=body, year=year - 1, status=AnnualReport.Status.FINAL).first()
    if prev is not None:
        before = prev.tables["table3"][ref.CARRIED_OUT]
        now = tables["table3"][ref.CARRIED_IN]
        diff = [c for c in ref.TABLE3_COLUMNS if before.get(c) != now.get(c)]
        if diff:
            data.warnings.append(f"本年“上年结转”与{year - 1}年度报告“结转下年度”不一致的列：{'、'.join(diff)}")
    return data


def _parts(body: Body, year: int):
    for child in aggregated_children(body):
        final = AnnualReport.objects.filter(body=child, year=year, status=AnnualReport.Status.FINAL).exists()
        yield child, "已定稿" if final else "未定稿"
