"""The officer's actions on a request, by name: shared by the workbench forms and the API.

``REQUEST_ACTIONS`` names them all (the API lists them); ``request_action`` maps each to its service.
"""

from __future__ import annotations

import datetime as dt

from zhengwu.core import clock
from zhengwu.core.errors import DomainError

from . import services
from .models import Appeal

REQUEST_ACTIONS = ["confirm", "ask_supplement", "supplement", "consult", "consult_agency", "consult_receipt",
                   "consult_reply", "consult_undeliverable", "extend", "fee", "waive_fee", "paid", "reply", "abandon", "withdraw", "appeal",
                   "appeal_decide"]


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise DomainError("date", f"日期“{value}”格式不正确") from None


def request_action(action: str, req, staff, p, files=()) -> None:
    """One form post (or API call) → one service call; ``p`` is a mapping of strings, ``files`` uploads."""
    s = services
    if action == "confirm":
        return s.request_confirm_receipt(request=req, officer=staff, confirmed_on=parse_date(p.get("confirmed_on", "")),
                                         late_entry_note=p.get("late_entry_note", ""))
    if action == "ask_supplement":
        days = p.get("period_days", "")
        return s.request_ask_supplement(request=req, officer=staff, items=p.get("items", ""),
                                        period_days=int(days) if days.isdigit() else None)
    if action == "supplement":
        return s.request_supplement(request=req, officer=staff, text=p.get("text", ""), files=files,
                                    received_on=parse_date(p.get("received_on", "")),
                                    late_entry_note=p.get("late_entry_note", ""))
    if action == "consult":
        return s.request_consult(request=req, officer=staff, third_party=p.get("third_party", ""),
                                 note=p.get("note", ""))
    if action == "consult_agency":
        return s.request_consult_agency(request=req, officer=staff, agency=p.get("agency", ""), note=p.get("note", ""))
    if action == "consult_receipt":
        return s.request_consultation_receipt(request=req, officer=staff,
                                              received_on=parse_date(p.get("received_on", "")),
                                              delivery=p.get("delivery", ""), note=p.get("note", ""))
    if action == "consult_reply":
        return s.request_consultation_reply(request=req, officer=staff, opinion=p.get("opinion", ""),
                                            note=p.get("note", ""), received_on=parse_date(p.get("received_on", "")),
                                            delivery=p.get("delivery", ""))
    if action == "consult_undeliverable":
        return s.request_consultation_undeliverable(request=req, officer=staff, note=p.get("note", ""),
                                                    returned_on=parse_date(p.get("returned_on", "")), files=files)
    if action == "extend":
        days = p.get("days", "")
        return s.request_extend(request=req, approver=staff, days=int(days) if days.isdigit() else 0,
                                reason=p.get("reason", ""))
    if action == "fee":
        pages = p.get("pages", "")
        return s.request_assess_fee(request=req, officer=staff, method=p.get("method", ""),
                                    pages=int(pages) if pages.isdigit() else None)
    if action == "waive_fee":
        proof = p.getlist("proof") if hasattr(p, "getlist") else p.get("proof", "").split(",")
        return s.request_waive_fee(request=req, approver=staff, reason_code=p.get("waiver_reason", ""),
                                   note=p.get("note", ""), amount=p.get("amount", ""), proof_ids=proof, files=files)
    if action == "paid":
        return s.request_record_payment(request=req, officer=staff)
    if action == "reply":
        pages = p.get("pages", "")
        return s.request_reply(request=req, officer=staff, result=p.get("result", ""),
                               reply_text=p.get("reply_text", ""), reason=p.get("reason", ""),
                               pages=int(pages) if pages.isdigit() else None)
    if action == "abandon":
        return s.request_abandon(request=req, officer=staff)
    if action == "withdraw":
        return s.request_withdraw(request=req, officer=staff, reason=p.get("reason", ""))
    if action == "appeal":
        return s.appeal_record(request=req, officer=staff, kind=p.get("kind", ""),
                               filed_on=parse_date(p.get("filed_on", "")) or clock.today(), organ=p.get("organ", ""),
                               case_no=p.get("case_no", ""), after_review=p.get("after_review") == "1")
    if action == "appeal_decide":
        appeal = Appeal.objects.filter(pk=p.get("appeal", "0") or 0, request=req).first()
        if appeal is None:
            raise DomainError("appeal", "未找到该复议或诉讼记录")
        return s.appeal_decide(appeal=appeal, officer=staff, outcome=p.get("outcome", ""),
                               decided_on=parse_date(p.get("decided_on", "")) or clock.today())
    raise DomainError("unknown_action", f"没有“{action}”这个操作", status=404)
