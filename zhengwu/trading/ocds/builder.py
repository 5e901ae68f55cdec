"""The OCDS 1.1 view of a trading project as it stands: one dict with everything a release carries except
its ``id``, ``date`` and ``tag`` (``emit.release_emit`` adds those and stores it).

One project is one contracting process (one ``ocid``). Its rounds (``Tender``) follow one another under
that ocid: the *current* round (the last one) is ``tender`` (``tender.id`` = ``<项目编号>-R<round>``);
every earlier round ended 流标/废标 and is listed in ``relatedProcesses`` (relationship
``unsuccessfulProcess``, no scheme: it is the same ocid, its details are in the releases published while
it ran). Documents, amendments, awards and contracts of every round stay in their arrays (ids carry the
round) and every opened round's bidders stay in ``parties`` as tenderers, so merging the releases
(``packages.compile_releases``, where a new ``tender.id`` replaces the tender) gives what the newest
release says. See docs/ocds.md for every mapping.

Before a round's bid deadline nothing here says who bid or how many: ``Bid`` rows exist only from the
opening on, and even so bids are read only when the round has been opened at or after its deadline.
``DocumentObtain`` (who obtained the documents) is never published.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from zhengwu.core import clock

from ..models import (
    Amendment,
    Award,
    AwardStatus,
    Bid,
    BidStatus,
    Candidate,
    Contract,
    ContractStatus,
    DocumentKind,
    Method,
    Party,
    Payment,
    Project,
    ProjectStatus,
    Regime,
    Tender,
    TenderDocument,
    TenderStatus,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CURRENCY = "CNY"
USCC_SCHEME = "CN-USCC"  # 统一社会信用代码 (GB 32100-2015); see docs/ocds.md
DEPT_SCHEME = "X-ZHENGWU-DEPT"  # a department without an 18-character code: the platform's own code

TENDER_STATUS = {
    TenderStatus.DRAFT: "planned",
    TenderStatus.PREQUAL: "active",  # 资格预审公告 out: the process is under way (OCDS pre-qualification guidance)
    TenderStatus.PUBLISHED: "active",
    TenderStatus.OPENING: "active",
    TenderStatus.EVALUATING: "active",
    TenderStatus.PUBLICITY: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.CONTRACTED: "complete",
    TenderStatus.COMPLETED: "complete",
    TenderStatus.FAILED: "unsuccessful",
    TenderStatus.CANCELLED: "cancelled",
}

CONTRACT_STATUS = {
    ContractStatus.ACTIVE: "active",
    ContractStatus.COMPLETED: "terminated",  # OCDS: "terminated" = no longer in force (here: performed and accepted)
    ContractStatus.TERMINATED: "terminated",
}

DOCUMENT_TYPE = {
    DocumentKind.NOTICE: "tenderNotice",
    DocumentKind.TENDER_DOCS: "biddingDocuments",
    DocumentKind.CLARIFICATION: "clarifications",
    DocumentKind.OPENING_RECORD: "bidders",
    DocumentKind.REPORT: "evaluationReports",
    DocumentKind.CANDIDATES: "shortlistedFirms",
    DocumentKind.AWARD_NOTICE: "awardNotice",
    DocumentKind.RESULT_NOTICE: "awardNotice",
    DocumentKind.CONTRACT: "contractSigned",
    DocumentKind.ACCEPTANCE: "completionCertificate",
    DocumentKind.FAILURE_NOTICE: "cancellationDetails",
}

# Rounds that may have an Award row.
DECIDED = (TenderStatus.AWARDED, TenderStatus.CONTRACTED, TenderStatus.COMPLETED)

# Bids that count as submitted once opened (a bid withdrawn before the deadline never does).
TENDERER_BID_STATUSES = (BidStatus.SEALED, BidStatus.DECRYPTED, BidStatus.REVOKED, BidStatus.VALID, BidStatus.REJECTED)


def ocid_for(project: Project) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{project.pk}"


def money(amount: Decimal | int | float | None) -> dict | None:
    if amount is None:
        return None
    d = Decimal(amount)
    number = int(d) if d == d.to_integral_value() else float(d)
    return {"amount": number, "currency": CURRENCY}


def iso(at: dt.datetime | dt.date | None) -> str | None:
    """RFC 3339 date-time in Beijing time; a legal date (签订日期, 支付日期) is that day at 00:00."""
    if at is None:
        return None
    if not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(0, 0), tzinfo=SHANGHAI)
    return timezone.localtime(at, SHANGHAI).isoformat()


def procurement_method(tender: Tender, regime: str, invited: bool) -> tuple[str, str]:
    """(OCDS ``procurementMethod``, ``procurementMethodDetails``) of a round; the reasons are in docs/ocds.md."""
    label = Method(tender.method).label
    if tender.method == Method.OPEN:
        if tender.prequalification:
            return "selective", f"{label}（资格预审）"
        return "open", label
    if tender.method == Method.INVITED:
        # 政府采购邀请招标: a random draw among suppliers that qualified (政府采购法第三十四条) → selective;
        # engineering: the 招标人 picks the ≥ 3 invitees itself (招标投标法第十七条) → limited.
        return ("selective", label) if regime == Regime.PROCUREMENT else ("limited", label)
    if tender.method == Method.SINGLE:
        return "direct", label
    # 竞争性谈判、询价、竞争性磋商: open to any supplier when announced by a public notice, limited when the
    # suppliers were invited (drawn from the 供应商库 or recommended).
    if invited:
        return "limited", f"{label}（邀请供应商）"
    return "open", f"{label}（公告邀请）"


def award_criteria(text: str) -> str:
    if "最低" in text:
        return "priceOnly"  # 经评审的最低投标价法 / 最低评标价法: the lowest evaluated price wins
    return "ratedCriteria"  # 综合评估法 / 综合评分法


def party_id(party: Party) -> str:
    return f"{USCC_SCHEME}-{party.uscc}"


class _Parties:
    """``parties[]`` in first-seen order, each with its roles in codelist order of appearance."""

    def __init__(self):
        self.rows: dict[str, dict] = {}

    def add(self, pid: str, name: str, role: str, *, scheme: str, ident: str, contact: dict | None = None,
            address: str = "") -> dict:
        row = self.rows.get(pid)
        if row is None:
            row = {"id": pid, "name": name, "identifier": {"scheme": scheme, "id": ident, "legalName": name},
                   "roles": []}
            if address:
                row["address"] = {"streetAddress": address, "countryName": "中国"}
            if contact:
                row["contactPoint"] = contact
            self.rows[pid] = row
        if role not in row["roles"]:
            row["roles"].append(role)
        return {"id": pid, "name": name}

    def party(self, party: Party, role: str) -> dict:
        contact = {k: v for k, v in (("name", party.contact_name), ("telephone", party.contact_phone)) if v}
        return self.add(party_id(party), party.name, role, scheme=USCC_SCHEME, ident=party.uscc,
                        contact=contact or None, address=party.address)

    def department(self, dept, role: str) -> dict:
        if len(dept.code) == 18:
            return self.add(f"{USCC_SCHEME}-{dept.code}", dept.name, role, scheme=USCC_SCHEME, ident=dept.code)
        return self.add(f"{DEPT_SCHEME}-{dept.code}", dept.name, role, scheme=DEPT_SCHEME, ident=dept.code)


def _round_prefix(tender: Tender) -> str:
    return f"R{tender.round}"


def build(project: Project, *, at: dt.datetime | None = None) -> dict:
    """The release body of ``project`` as it stands at ``at`` (default now): no ``id``/``date``/``tag``.

    Queries: the project's relations (one), its rounds, documents, amendments, invitee counts, bids of
    opened rounds, candidates, awards, contracts and payments (one each, whatever the number of rounds)."""
    at = at or clock.now()
    ocid = ocid_for(project)
    project = (Project.objects.select_related("buyer", "agency", "supervisor").get(pk=project.pk)
               if not _relations_cached(project) else project)
    parties = _Parties()
    buyer_ref = parties.party(project.buyer, "buyer")
    procuring = project.agency or project.buyer
    procuring_ref = parties.party(procuring, "procuringEntity")
    parties.department(project.supervisor, "reviewBody")

    release: dict = {
        "ocid": ocid,
        "initiationType": "tender",
        "language": "zh",
        "parties": [],  # filled at the end (every section adds to it)
        "buyer": buyer_ref,
        "planning": {
            "rationale": project.description or project.name,
            "budget": {
                "id": project.code,
                "description": f"{project.funding}（国有资金占比{project.state_fund_percent}%）",
                "amount": money(project.estimate),
                "project": project.name,
                "projectID": project.code,
            },
        },
    }

    tenders = list(Tender.objects.filter(project_id=project.pk).order_by("round"))
    current = tenders[-1] if tenders else None
    by_id = {t.pk: t for t in tenders}
    tender_ids = list(by_id)

    if current is None:
        release["tender"] = {
            "id": f"{project.code}-R0",
            "title": project.name,
            "status": "cancelled" if project.status == ProjectStatus.CANCELLED else "planning",
            "procuringEntity": procuring_ref,
            "value": money(project.estimate),
            "mainProcurementCategory": project.category,
        }
        release["parties"] = list(parties.rows.values())
        return release

    # Bids are read only for rounds opened at or after their deadline, and only once the deadline passed.
    opened = {t.pk for t in tenders if t.opened_at is not None and t.bid_deadline is not None
              and t.opened_at >= t.bid_deadline and at >= t.bid_deadline}
    invited: set[int] = set()
    if current.method in (Method.NEGOTIATION, Method.INQUIRY, Method.CONSULTATION):
        invited = set(Tender.invitees.through.objects.filter(tender_id=current.pk)
                      .values_list("tender_id", flat=True)[:1])

    method, details = procurement_method(current, project.regime, current.pk in invited)
    tender: dict = {
        "id": f"{project.code}-{_round_prefix(current)}",
        "title": current.title,
        "description": f"第{current.round}次{'招标' if project.regime == Regime.ENGINEERING else '采购'}："
                       f"{project.name}",
        "status": TENDER_STATUS[current.status],
        "procuringEntity": procuring_ref,
        "value": money(project.estimate),
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "mainProcurementCategory": project.category,
        "awardCriteria": award_criteria(current.award_criteria),
        "awardCriteriaDetails": current.award_criteria,
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "电子投标文件加密递交，开标时由投标人在线解密",
    }
    if current.method == Method.SINGLE:
        tender["procurementMethodRationale"] = "单一来源采购（政府采购法第三十一条），公示期不少于5个工作日"
    if current.failure_reason and current.status in (TenderStatus.FAILED, TenderStatus.CANCELLED):
        tender["description"] += f"（{current.get_status_display()}：{current.failure_reason}）"
    if current.documents_from and current.bid_deadline:
        tender["tenderPeriod"] = {"startDate": iso(current.documents_from), "endDate": iso(current.bid_deadline)}
    if current.documents_from and current.documents_until:
        tender["enquiryPeriod"] = {"startDate": iso(current.documents_from),
                                   "endDate": iso(current.documents_until)}
    if current.bid_deadline:
        award_period = {"startDate": iso(current.bid_deadline)}
        if current.awarded_at:
            award_period["endDate"] = iso(current.awarded_at)
        tender["awardPeriod"] = award_period

    # Tenderers: only of rounds opened at/after their deadline. Every opened round's bidders are parties
    # with the role tenderer (they took part in this contracting process); ``tender.tenderers`` and
    # ``numberOfTenderers`` are the current round's, present only once it is opened.
    opened_ids = [pk for pk in tender_ids if pk in opened]
    tenderers = []
    if opened_ids:
        for b in (Bid.objects.filter(tender_id__in=opened_ids, status__in=TENDERER_BID_STATUSES)
                  .select_related("bidder").order_by("tender_id", "id")):
            ref = parties.party(b.bidder, "tenderer")
            if b.tender_id == current.pk:
                tenderers.append(ref)
    if current.pk in opened:
        tender["numberOfTenderers"] = len(tenderers)
        tender["tenderers"] = tenderers

    documents = []
    for doc in (TenderDocument.objects.filter(tender_id__in=tender_ids, public=True, published_at__lte=at)
                .order_by("published_at", "id")):
        t = by_id[doc.tender_id]
        row = {"id": f"doc-{doc.pk}", "documentType": DOCUMENT_TYPE.get(doc.kind, "tenderNotice"),
               "title": doc.title, "description": f"第{t.round}次：{doc.get_kind_display()}",
               "datePublished": iso(doc.published_at), "language": "zh"}
        if doc.file:
            row["url"] = _absolute(f"{settings.MEDIA_URL}{doc.file.name}")
        documents.append(row)
    if documents:
        tender["documents"] = documents

    amendments = []
    published_ids = [t.pk for t in tenders if t.documents_from is not None or t.published_at is not None]
    for a in (Amendment.objects.filter(tender_id__in=published_ids).order_by("tender_id", "seq")
              if published_ids else ()):
        t = by_id[a.tender_id]
        description = a.summary
        what = "资格预审申请文件提交截止时间" if a.prequal else "投标截止时间"
        if a.new_deadline != a.old_deadline:
            description += f"（{what}由{_local(a.old_deadline)}顺延至{_local(a.new_deadline)}）"
        doc = "资格预审申请文件" if a.prequal else "投标文件"
        amendments.append({"id": f"{_round_prefix(t)}-{a.seq}", "date": iso(a.created_at),
                           "rationale": f"澄清或修改可能影响{doc}编制" if a.affects_bids
                           else ("资格预审文件的澄清或修改" if a.prequal else "澄清或修改"),
                           "description": description})
    if amendments:
        tender["amendments"] = amendments
    release["tender"] = tender

    # Awards: 中标候选人 as pending awards during the 公示; the decided one active; the others unsuccessful.
    awards: list[dict] = []
    # Candidates only once their 公示 started (Candidate rows exist from the signed report on).
    publicity_ids = [t.pk for t in tenders if t.candidates_published_on is not None]
    decided_ids = [t.pk for t in tenders if t.awarded_at is not None or t.status in DECIDED]
    award_rows = (list(Award.objects.filter(tender_id__in=decided_ids).select_related("supplier").order_by("id"))
                  if decided_ids else [])
    by_bid = {a.bid_id: a for a in award_rows}
    award_ids: dict[int, str] = {}
    for c in (Candidate.objects.filter(tender_id__in=publicity_ids).select_related("bid__bidder")
              .order_by("tender_id", "rank") if publicity_ids else ()):
        t = by_id[c.tender_id]
        aid = f"{_round_prefix(t)}-A{c.rank}"
        decided = by_bid.get(c.bid_id)
        row = {"id": aid, "title": f"第{c.rank}中标候选人", "description": f"综合得分{c.score}",
               "suppliers": [parties.party(c.bid.bidder, "supplier")]}
        if decided is not None:
            award_ids[decided.pk] = aid
            row.update(_award_decided(decided))
        else:
            row["status"] = _candidate_status(t, any(a.tender_id == t.pk and a.status == AwardStatus.ACTIVE
                                                     for a in award_rows))
            if c.bid.price is not None:
                row["value"] = money(c.bid.price)
            if t.candidates_published_on:
                row["date"] = iso(t.candidates_published_on)
        awards.append(row)
    for a in award_rows:
        if a.pk in award_ids:
            continue
        aid = f"{_round_prefix(by_id[a.tender_id])}-award-{a.pk}"
        award_ids[a.pk] = aid
        row = {"id": aid, "title": "定标结果", "suppliers": [parties.party(a.supplier, "supplier")]}
        row.update(_award_decided(a))
        awards.append(row)
    if awards:
        release["awards"] = awards

    contracts = []
    contracted_ids = [t.pk for t in tenders if t.status in (TenderStatus.CONTRACTED, TenderStatus.COMPLETED)]
    contract_rows = (list(Contract.objects.filter(tender_id__in=contracted_ids).select_related("award__supplier")
                          .order_by("id")) if contracted_ids else [])
    payments: dict[int, list[Payment]] = {}
    if contract_rows:
        for p in Payment.objects.filter(contract_id__in=[c.pk for c in contract_rows]).order_by("paid_on", "id"):
            payments.setdefault(p.contract_id, []).append(p)
    for c in contract_rows:
        supplier_ref = parties.party(c.award.supplier, "supplier")
        row = {"id": f"{_round_prefix(by_id[c.tender_id])}-contract-{c.pk}", "awardID": award_ids[c.award_id],
               "title": f"{project.name}合同（{c.contract_no}）", "status": CONTRACT_STATUS[c.status],
               "value": money(c.amount), "dateSigned": iso(c.signed_on),
               "period": {"startDate": iso(c.signed_on)}}
        if c.period_end:
            row["period"]["endDate"] = iso(c.period_end)
        if c.accepted_on:
            row["description"] = f"{c.accepted_on.isoformat()}履约验收：{c.acceptance_note or '合格'}"
        transactions = []
        for p in payments.get(c.pk, []):
            parties.party(project.buyer, "payer")
            parties.party(c.award.supplier, "payee")
            transactions.append({"id": f"payment-{p.pk}", "date": iso(p.paid_on), "value": money(p.amount),
                                 "payer": buyer_ref, "payee": supplier_ref})
        if transactions:
            row["implementation"] = {"transactions": transactions}
        contracts.append(row)
    if contracts:
        release["contracts"] = contracts

    related = []
    for t in tenders[:-1]:
        related.append({"id": f"{project.code}-{_round_prefix(t)}", "relationship": ["unsuccessfulProcess"],
                        "title": f"第{t.round}次{t.get_method_display()}（{t.get_status_display()}"
                                 f"{'：' + t.failure_reason if t.failure_reason else ''}），已由后续轮次替代"})
    if related:
        release["relatedProcesses"] = related

    release["parties"] = list(parties.rows.values())
    return release


def _award_decided(a: Award) -> dict:
    return {"status": "active" if a.status == AwardStatus.ACTIVE else "cancelled", "date": iso(a.decided_at),
            "value": money(a.amount)}


def _candidate_status(t: Tender, decided: bool) -> str:
    if decided:
        return "unsuccessful"  # another candidate was awarded
    if t.status in (TenderStatus.CANCELLED, TenderStatus.FAILED):
        return "cancelled"
    return "pending"


def _relations_cached(project: Project) -> bool:
    cache = project._state.fields_cache
    return all(name in cache for name in ("buyer", "agency", "supervisor"))


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at, SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _absolute(path: str) -> str:
    base = getattr(settings, "OCDS_BASE_URL", settings.ZHENGWU_SITE_URL).rstrip("/")
    return path if path.startswith("http") else f"{base}{path}"
