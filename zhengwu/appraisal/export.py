"""The supervisor's Excel export of a campaign's results (openpyxl): the ranking with per-question scores
and the rectifications, and the comments per section. No rater appears anywhere in it: the answers carry
none, and the invitation list is not exported."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from . import selectors
from .models import Campaign


def results_xlsx(c: Campaign) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "评议结果"
    questions = list(c.questions.all())
    ws.append([c.title])
    ws.append([f"评议期间 {c.starts_on:%Y-%m-%d} 至 {c.ends_on:%Y-%m-%d}；公布末位 {c.bottom_n} 个；"
               f"少于 {c.min_answers} 份有效评议为样本不足"])
    head = ["名次", "部门", "科室", "职能类型", "有效评议", "不了解", "得分", *[q.text for q in questions], "末位",
            "整改状态", "整改期限"]
    ws.append(head)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in selectors.results(c):
        s = r.section
        rect = getattr(s, "rectification", None)
        ws.append([r.rank or "", s.department.name, s.name, s.get_duty_type_display(), r.answers, r.unknown,
                   float(r.score) if r.score is not None else "样本不足",
                   *[float(r.question_scores[str(q.pk)]) if str(q.pk) in r.question_scores else "" for q in questions],
                   "是" if r.is_bottom else "", rect.get_status_display() if rect else "",
                   rect.due_date.isoformat() if rect else ""])
    ws2 = wb.create_sheet("意见建议")
    ws2.append(["部门", "科室", "意见建议"])
    for r in selectors.results(c):
        for text in selectors.comments(r.section, r):
            ws2.append([r.section.department.name, r.section.name, text])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
