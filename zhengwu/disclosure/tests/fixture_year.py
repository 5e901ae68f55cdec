"""A year of 政务公开 at 示范县市场监督管理局, made only through the service functions.

2026 at a glance (P 自然人, C 商业企业, R 科研机构, W 社会公益组织, L 法律服务机构, O 其他):
- from 2025: a1 (P, answered 2025-12-18: not in 2026), a2 (P → 予以公开 2026-01-08),
  a3 (C → 部分公开 2026-01-20).
- received and closed in 2026: every result type once, 予以公开 twice (P and L).
- into 2027: c1 (P, received 12-24, answered 2027-01-12), c2 (L, received 12-28, still open);
  d (P, online 12-30, confirmed only 2027-01-04: not received in 2026 at all).
- 复议/诉讼: see ``APPEALS_2026``.
- publications: 行政规范性文件 n1 (2025, in force), n2 (2026), n3 (2024, repealed 2026-09-01),
  n4 (2026, still a draft); 行政处罚 results 2 in 2026 and 1 in 2025; 行政强制 1 in 2026.
"""

from __future__ import annotations

import datetime as dt

from zhengwu.core import clock
from zhengwu.disclosure import services as s

from .factories import legal, person_n

D = dt.date
SUB = {"C": "commercial", "R": "research", "W": "public_welfare", "L": "legal_service", "O": "other"}

#: (result, column, received, closed) of the requests received and closed in 2026
CLOSED_2026 = [
    ("open", "P", D(2026, 3, 2), D(2026, 3, 20)),
    ("open", "L", D(2026, 3, 3), D(2026, 3, 20)),
    ("partial", "P", D(2026, 3, 4), D(2026, 3, 25)),
    ("withhold_secret", "P", D(2026, 3, 5), D(2026, 3, 26)),
    ("withhold_law", "C", D(2026, 3, 6), D(2026, 3, 26)),
    ("withhold_security", "R", D(2026, 3, 9), D(2026, 3, 27)),
    ("withhold_third_party", "C", D(2026, 3, 10), D(2026, 4, 28)),
    ("withhold_internal", "W", D(2026, 3, 11), D(2026, 3, 30)),
    ("withhold_process", "L", D(2026, 3, 12), D(2026, 3, 30)),
    ("withhold_enforcement", "O", D(2026, 3, 13), D(2026, 3, 31)),
    ("withhold_query", "P", D(2026, 3, 16), D(2026, 3, 31)),
    ("none_not_held", "P", D(2026, 3, 17), D(2026, 4, 1)),
    ("none_need_making", "C", D(2026, 3, 18), D(2026, 4, 1)),
    ("none_unclear", "R", D(2026, 3, 19), D(2026, 4, 20)),
    ("refuse_petition", "P", D(2026, 3, 20), D(2026, 4, 2)),
    ("refuse_repeat", "P", D(2026, 3, 23), D(2026, 4, 2)),
    ("refuse_publication", "W", D(2026, 3, 24), D(2026, 4, 3)),
    ("refuse_excessive", "O", D(2026, 3, 25), D(2026, 4, 3)),
    ("refuse_confirm", "L", D(2026, 3, 26), D(2026, 4, 7)),
    ("other_no_supplement", "P", D(2026, 3, 27), None),
    ("other_unpaid", "C", D(2026, 3, 30), None),
    ("other", "O", D(2026, 3, 31), D(2026, 4, 8)),
]

_n = [0]


def applicant(col: str):
    _n[0] += 1
    if col == "P":
        return person_n(_n[0])
    return legal(SUB[col], name=f"申请单位{_n[0]}")


def file(w, col: str, day: dt.date, what: str = "有关政府信息"):
    with clock.frozen(day):
        return s.request_file(body=w.scj, applicant=applicant(col), description=what, channel="in_person",
                              officer=w.officer)


def reply(w, req, day: dt.date, result: str):
    with clock.frozen(day):
        return s.request_reply(request=req, officer=w.officer, result=result, reply_text="提供相关文件一份",
                               reason="" if result == "open" else "依法说明的理由")


def build_year(w) -> dict:
    """Make the year; return the requests by name for the tests."""
    _n[0] = 0
    out: dict = {}
    # -- from 2025
    out["a1"] = a1 = file(w, "P", D(2025, 12, 10))
    reply(w, a1, D(2025, 12, 18), "open")
    out["a2"] = a2 = file(w, "P", D(2025, 12, 22))
    out["a3"] = a3 = file(w, "C", D(2025, 12, 29))
    reply(w, a2, D(2026, 1, 8), "open")
    reply(w, a3, D(2026, 1, 20), "partial")
    # -- received and closed in 2026
    for result, col, received, closed in CLOSED_2026:
        req = out[result if result not in out else f"{result}_{col}"] = file(w, col, received)
        if result == "open" and col == "P":
            with clock.frozen(D(2026, 3, 3)):
                s.request_assess_fee(request=req, officer=w.officer, method="per_page", pages=40)
            with clock.frozen(D(2026, 3, 4)):
                s.request_record_payment(request=req, officer=w.officer)
        if result == "withhold_third_party":
            with clock.frozen(D(2026, 3, 12)):
                s.request_consult(request=req, officer=w.officer, third_party="某某公司")
            with clock.frozen(D(2026, 4, 1)):
                s.request_consultation_reply(request=req, officer=w.officer, opinion="object")
        if result == "none_unclear":
            with clock.frozen(D(2026, 3, 20)):
                s.request_ask_supplement(request=req, officer=w.officer, items="请明确所需信息")
            with clock.frozen(D(2026, 3, 27)):
                s.request_supplement(request=req, officer=w.officer, text="仍然不明确的补正")
        if result == "other_no_supplement":
            with clock.frozen(D(2026, 3, 30)):
                s.request_ask_supplement(request=req, officer=w.officer, items="请明确所需信息", period_days=5)
            with clock.frozen(D(2026, 4, 9)):
                s.request_abandon(request=req, officer=w.officer)
            continue
        if result == "other_unpaid":
            with clock.frozen(D(2026, 3, 31)):
                s.request_assess_fee(request=req, officer=w.officer, method="per_page", pages=60)
            with clock.frozen(D(2026, 5, 6)):
                s.requests_sweep()
            continue
        if result == "other":
            with clock.frozen(closed):
                s.request_withdraw(request=req, officer=w.officer, reason="申请人撤回")
            continue
        reply(w, req, closed, result)
    # -- into 2027
    out["c1"] = c1 = file(w, "P", D(2026, 12, 24))
    out["c2"] = file(w, "L", D(2026, 12, 28))
    with clock.frozen(D(2026, 12, 30)):
        out["d"] = d = s.request_file(body=w.scj, applicant=applicant("P"), description="网上申请", channel="online",
                                      user=w.citizen)
    # -- 复议 and 诉讼
    ap = {}

    def appeal(name, req, kind, filed, *, after=False, outcome=None, decided=None):
        with clock.frozen(filed):
            ap[name] = s.appeal_record(request=req, officer=w.officer, kind=kind, filed_on=filed,
                                       organ="示范县人民政府" if kind == "review" else "示范县人民法院",
                                       case_no=f"{name}号", after_review=after)
        if outcome:
            with clock.frozen(decided):
                s.appeal_decide(appeal=ap[name], officer=w.officer, outcome=outcome, decided_on=decided)

    appeal("ap6", a1, "review", D(2025, 12, 25), outcome="other", decided=D(2026, 2, 2))
    appeal("ap7", a1, "suit", D(2025, 12, 26), outcome="maintained", decided=D(2025, 12, 30))
    appeal("ap1", a3, "review", D(2026, 2, 10), outcome="maintained", decided=D(2026, 4, 1))
    appeal("ap5", a3, "suit", D(2026, 4, 20), after=True)
    appeal("ap2", out["withhold_secret"], "review", D(2026, 5, 6), outcome="corrected", decided=D(2026, 6, 30))
    appeal("ap4", out["refuse_repeat"], "suit", D(2026, 7, 1), outcome="maintained", decided=D(2026, 10, 15))
    appeal("ap3", out["withhold_third_party"], "review", D(2026, 11, 2))
    # -- 2027 goes on
    reply(w, c1, D(2027, 1, 12), "open")
    with clock.frozen(D(2027, 1, 4)):
        s.request_confirm_receipt(request=d, officer=w.officer)
    with clock.frozen(D(2027, 1, 15)):
        s.appeal_decide(appeal=ap["ap3"], officer=w.officer, outcome="other", decided_on=D(2027, 1, 15))
    out["appeals"] = ap
    _publications(w)
    return out


def _publications(w):
    def pub(made_on, *, publish=True, category="regulation", doc_kind="normative", title="规范性文件", repeal=None):
        with clock.frozen(made_on):
            p = s.publication_create(body=w.scj, officer=w.officer, title=title, category=category,
                                     doc_kind=doc_kind, doc_no="示市监规〔x〕1号" if doc_kind != "general" else "",
                                     content="正文", made_on=made_on)
            if publish:
                s.publication_submit(publication=p, officer=w.officer)
                s.publication_review(publication=p, reviewer=w.reviewer, approve=True)
                s.publication_secrecy_review(publication=p, reviewer=w.secrecy, passed=True)
                s.publication_sign(publication=p, signer=w.signer)
                s.publication_publish(publication=p, officer=w.officer)
        if repeal:
            with clock.frozen(repeal):
                s.publication_repeal(publication=p, officer=w.officer, repealed_on=repeal, note="已废止")
        return p

    pub(D(2025, 6, 1), title="n1")
    pub(D(2026, 3, 10), title="n2")
    pub(D(2024, 5, 6), title="n3", repeal=D(2026, 9, 1))
    pub(D(2026, 4, 1), title="n4", publish=False)
    for day in (D(2026, 2, 2), D(2026, 8, 3), D(2025, 11, 3)):
        pub(day, category="penalty", doc_kind="general", title="行政处罚决定")
    pub(D(2026, 5, 6), category="coercion", doc_kind="general", title="行政强制决定")
