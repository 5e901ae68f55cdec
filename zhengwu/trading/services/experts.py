"""The expert pool (评标专家库), the random draw of a round's committee (评标委员会/评审小组), scoring and
the signed report (评标报告).

- Experts only by random draw (招标投标法实施条例第四十六条): ``committee_draw`` draws with
  ``secrets.SystemRandom``; adding an expert by hand is always refused.
- Before the draw, everyone with an interest is excluded (回避): ties to the buyer, the agency and every
  party that obtained the documents (the bidders are secret before the opening, 招标投标法第二十二条, so
  the draw log records such an exclusion only as "与潜在投标人存在利害关系" with the tie's kind; the
  supervisor sees the parties after the opening). An employer or board tie counts for three years after
  it ended (政府采购法实施条例第九条), a relative or other tie always.
- ``draw_log`` tells a supervisor why each expert of the pool was or was not drawn: the pool, every
  exclusion with its reason, the eligible experts, the random picks in order and every replacement.
- Names stay hidden (专家1, 专家2 …) until the award (招标投标法第三十七条), except to the centre and the
  supervisor.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NoReturn

from django.db.models import Q

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.core.services import audit_record
from zhengwu.core.validators import validate_id_number, validate_phone, validate_uscc
from zhengwu.org.models import Role

from ..models import (
    SMALL_PANEL_METHODS,
    Bid,
    BidStatus,
    Candidate,
    Committee,
    CommitteeMember,
    DocumentObtain,
    Expert,
    ExpertTie,
    Method,
    Party,
    Regime,
    RejectReason,
    Score,
    Tender,
    TenderStatus,
    TieKind,
)
from ..transitions import CENTRE, SUPERVISOR
from . import common

# The system's only source of randomness for draws (never a seeded PRNG).
_random = secrets.SystemRandom()

# Articles quoted here only (the shared ones are in common.ARTICLES).
EXPERT_QUALIFICATION = ("招标投标法第三十七条：评标委员会的专家应当从事相关领域工作满八年并具有高级职称或者具有同等专业水平")
ALL_REJECTED = ("招标投标法第四十二条：评标委员会经评审，认为所有投标都不符合招标文件要求的，可以否决所有投标；"
                "依法必须进行招标的项目的所有投标被否决的，招标人应当依照本法重新招标")
TIE_REQUIRED = frozenset({"party_uscc", "party_name", "kind"})
TIE_FIELDS = TIE_REQUIRED | {"ended_on", "note"}
TIE_YEARS = 3  # 政府采购法实施条例第九条: 参加采购活动前3年内 …

# Why an expert was excluded, by the kind of party (the bidders' names never appear in the log).
REASON_BUYER = "与招标人/采购人存在利害关系"
REASON_AGENCY = "与招标代理机构存在利害关系"
REASON_BIDDER = "与潜在投标人存在利害关系"
REASON_SUPERVISOR = "系本项目行政监督部门工作人员"
CURRENT_EMPLOYER = "current_employer"
KIND_LABELS = {CURRENT_EMPLOYER: "现工作单位", "supervisor": "行政监督部门工作人员", **dict(TieKind.choices)}

SCORABLE = (BidStatus.DECRYPTED, BidStatus.VALID)
NAMES_PUBLIC = (TenderStatus.AWARDED, TenderStatus.CONTRACTED, TenderStatus.COMPLETED)


# ---------------------------------------------------------------------------------------------- pool


def _pool_admin_check(user) -> None:
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    if staff is None or not staff.is_active or not staff.roles.filter(code=Role.TRADING_ADMIN).exists():
        raise PermissionDenied("只有交易中心管理员可以管理评标专家库")


def _text(value, label: str, limit: int, *, required: bool = True) -> str:
    v = (value or "").strip() if isinstance(value, str) or value is None else None
    if v is None:
        raise DomainError("trading_expert_invalid", f"{label}应为文字")
    if required and not v:
        raise DomainError("trading_expert_invalid", f"请填写{label}")
    if len(v) > limit:
        raise DomainError("trading_expert_invalid", f"{label}不能超过{limit}个字（现为{len(v)}个字）")
    return v


def _tie_create(*, expert: Expert, party_uscc, party_name, kind, ended_on=None, note="") -> ExpertTie:
    try:
        uscc = validate_uscc(party_uscc)
    except DomainError as e:
        raise DomainError(e.code, f"申报关系单位的{e.message}") from None
    name = _text(party_name, "申报关系单位名称", 100)
    if kind not in TieKind.values:
        raise DomainError("trading_tie_kind", "关系类型应为：" + "、".join(TieKind.labels))
    if ended_on is not None:
        if not isinstance(ended_on, dt.date) or isinstance(ended_on, dt.datetime):
            raise DomainError("trading_tie_ended", "关系终止日期应为日期")
        if ended_on > clock.today():
            raise DomainError("trading_tie_ended", "关系终止日期不能晚于今天；关系尚未终止的请不填终止日期")
        if kind not in (TieKind.EMPLOYER, TieKind.BOARD):
            raise DomainError("trading_tie_ended", "近亲属关系和其他利害关系不设终止日期，一律回避")
    if expert.ties.filter(party_uscc=uscc, kind=kind).exists():
        raise DomainError("trading_tie_duplicate", f"该专家与{name}的“{TieKind(kind).label}”关系已申报")
    return ExpertTie.objects.create(expert=expert, party_uscc=uscc, party_name=name, kind=kind,
                                    ended_on=ended_on, note=_text(note, "说明", 200, required=False))


def expert_add(*, user, name, id_number, employer_name, employer_uscc="", specialties, title="高级工程师",
               years=8, phone="", ties=()) -> Expert:
    """Put an expert in the pool with the ties they declared (each tie a dict of ``expert_tie_add``'s
    arguments). Only the 交易中心管理员."""
    _pool_admin_check(user)
    name = _text(name, "专家姓名", 32)
    id_number = validate_id_number(id_number, today=clock.today())
    employer_name = _text(employer_name, "现工作单位", 100)
    if employer_uscc:
        try:
            employer_uscc = validate_uscc(employer_uscc)
        except DomainError as e:
            raise DomainError(e.code, f"现工作单位的{e.message}") from None
    if isinstance(specialties, str):
        specialties = [specialties]
    clean = []
    for s in specialties or ():
        s = _text(s, "评标专业", 40)
        if s not in clean:
            clean.append(s)
    if not clean:
        raise DomainError("trading_expert_invalid", "请至少填写一个评标专业")
    title = _text(title, "职称", 32)
    if not isinstance(years, int) or isinstance(years, bool) or years < 8 or years > 80:
        raise DomainError("trading_expert_years", f"从业年限{years}年不符合要求（{EXPERT_QUALIFICATION}）")
    phone = validate_phone(phone) if phone else ""
    ties = list(ties)
    with common.atomic():
        if Expert.objects.select_for_update().filter(id_number=id_number).exists():
            raise DomainError("trading_expert_exists", "该身份证号的专家已在专家库中")
        expert = Expert.objects.create(name=name, id_number=id_number, employer_name=employer_name,
                                       employer_uscc=employer_uscc, specialties=clean, title=title, years=years,
                                       phone=phone)
        for tie in ties:
            if not isinstance(tie, dict) or not set(tie) <= TIE_FIELDS or not TIE_REQUIRED <= set(tie):
                raise DomainError("trading_tie_invalid", "申报关系应包括单位统一社会信用代码、单位名称和关系类型")
            _tie_create(expert=expert, **tie)
        audit_record(actor=user, action="create", obj=expert,
                     summary=f"评标专家入库：{name}（{'、'.join(clean)}），申报关系{len(ties)}项")
    return expert


def expert_tie_add(*, user, expert, party_uscc, party_name, kind, ended_on=None, note="") -> ExpertTie:
    """Record a relation the expert declared (or one found later): it excludes them from that party's
    rounds."""
    _pool_admin_check(user)
    with common.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        tie = _tie_create(expert=expert, party_uscc=party_uscc, party_name=party_name, kind=kind,
                          ended_on=ended_on, note=note)
        audit_record(actor=user, action="update", obj=expert,
                     summary=f"专家申报关系：{expert.name}与{tie.party_name}（{tie.get_kind_display()}）")
    return tie


# ------------------------------------------------------------------------------------------ conflicts


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _tie_counts(tie: ExpertTie, today: dt.date) -> bool:
    if tie.kind in (TieKind.EMPLOYER, TieKind.BOARD):
        return tie.ended_on is None or tie.ended_on >= _years_before(today, TIE_YEARS)
    return True


def _opened(tender: Tender) -> bool:
    return tender.opened_at is not None or tender.status not in (TenderStatus.DRAFT, TenderStatus.PREQUAL,
                                                                  TenderStatus.PUBLISHED)


def _round_parties(tender: Tender, *, told: bool = False) -> list[tuple[str, Party]]:
    """(reason, party) for every party of the round an expert must not be tied to: the buyer, the agency,
    and the (potential) bidders: whoever obtained the documents, was invited or bid. ``told``: the
    answer will be shown to someone, so before the opening the potential bidders are left out (who
    obtained the documents is not told, 招标投标法第二十二条); the draw itself uses them all."""
    project = tender.project
    out = [(REASON_BUYER, project.buyer)]
    if project.agency_id:
        out.append((REASON_AGENCY, project.agency))
    if told and not _opened(tender):
        return out
    seen = {p.pk for _, p in out}
    bidder_ids = set(DocumentObtain.objects.filter(tender=tender).values_list("bidder_id", flat=True))
    bidder_ids |= set(Bid.objects.filter(tender=tender).values_list("bidder_id", flat=True))
    bidder_ids |= set(tender.invitees.values_list("pk", flat=True))
    for party in Party.objects.filter(pk__in=bidder_ids - seen).order_by("pk"):
        out.append((REASON_BIDDER, party))
    return out


def _supervisor_user_ids(tender: Tender) -> set[int]:
    from zhengwu.org.models import Staff

    return set(Staff.objects.filter(department_id=tender.project.supervisor_id)
               .values_list("user_id", flat=True))


def _conflicts(expert: Expert, parties, today: dt.date, supervisor_users=frozenset()) -> list[dict]:
    """Every reason ``expert`` may not sit on the round: [{reason, kind, party}] (party kept out of logs)."""
    found = []
    if expert.user_id and expert.user_id in supervisor_users:
        found.append({"reason": REASON_SUPERVISOR, "kind": "supervisor", "party": None})
    ties = list(expert.ties.all())
    for reason, party in parties:
        if expert.employer_uscc and expert.employer_uscc == party.uscc:
            found.append({"reason": reason, "kind": CURRENT_EMPLOYER, "party": party})
        for tie in ties:
            if tie.party_uscc == party.uscc and _tie_counts(tie, today):
                found.append({"reason": reason, "kind": tie.kind, "party": party})
    return found


def _exclusion(expert: Expert, conflict: dict) -> dict:
    """The log entry: the expert, the reason and the kind of tie, never the party of a bidder."""
    return {"expert": expert.pk, "name": expert.name, "reason": conflict["reason"], "kind": conflict["kind"],
            "kind_label": KIND_LABELS[conflict["kind"]]}


def _screen(tender: Tender, specialty: str, skip: set[int]) -> tuple[list[Expert], list[dict], list[Expert]]:
    """(pool, exclusions, eligible) for ``specialty``; experts in ``skip`` are neither eligible nor
    logged again (already drawn or already excluded)."""
    pool = [e for e in Expert.objects.filter(is_active=True).prefetch_related("ties").order_by("pk")
            if specialty in (e.specialties or [])]
    parties = _round_parties(tender)
    supervisor_users = _supervisor_user_ids(tender)
    today = clock.today()
    exclusions, eligible = [], []
    for expert in pool:
        if expert.pk in skip:
            continue
        found = _conflicts(expert, parties, today, supervisor_users)
        if found:
            exclusions.append(_exclusion(expert, found[0]))
        else:
            eligible.append(expert)
    return pool, exclusions, eligible


def _too_few(specialty: str, pool: int, excluded: int, eligible: int, needed: int, skipped: int = 0):
    drawn = f"已抽取或已排除{skipped}名，" if skipped else ""
    return DomainError("trading_too_few_experts",
                       f"“{specialty}”专业在库专家{pool}名，{drawn}本次依法回避排除{excluded}名，可抽取{eligible}名，"
                       f"少于需抽取的{needed}名，不能完成抽取；请补充专家库或调整抽取专业")


# ----------------------------------------------------------------------------------------------- draw


def _composition_check(tender: Tender, size, buyer_reps) -> tuple[int, int, str]:
    small = tender.method in SMALL_PANEL_METHODS
    article, minimum = ("PANEL", 3) if small else ("COMMITTEE", 5)
    body = "评审小组" if small else "评标委员会"
    size = minimum if size is None else size
    buyer_reps = 0 if buyer_reps is None else buyer_reps
    for value, label in ((size, "组成人数"), (buyer_reps, "招标人代表人数")):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 99:
            raise DomainError("trading_committee_size", f"{label}应为0至99的整数")
    if size < minimum:
        raise common.refuse("trading_committee_size", article, f"{body}{size}人，少于{minimum}人")
    if size % 2 == 0:
        raise common.refuse("trading_committee_size", article, f"{body}{size}人，不是单数")
    experts = size - buyer_reps
    if experts * 3 < size * 2:
        raise common.refuse("trading_committee_size", article,
                            f"{body}{size}人中专家{experts}人、招标人代表{buyer_reps}人，专家不足成员总数的三分之二")
    return size, buyer_reps, article


def committee_draw(*, tender, user, specialty, size=None, buyer_reps=None) -> Committee:
    """Draw the round's committee at random from the pool's experts of ``specialty`` who have no tie to
    the round's parties. ``size`` counts everyone (experts + ``buyer_reps``); defaults: 5 (3 for 谈判、询价、
    磋商、单一来源) with no 招标人代表."""
    specialty = _text(specialty, "抽取专业", 40)
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "draw", user)
        if Committee.objects.filter(tender=tender).exists():
            raise common.refuse("trading_committee_exists", "RANDOM", "本轮评标委员会已抽取，不能重新抽取；成员回避请使用替换")
        size, buyer_reps, article = _composition_check(tender, size, buyer_reps)
        needed = size - buyer_reps
        pool, exclusions, eligible = _screen(tender, specialty, skip=set())
        if len(eligible) < needed:
            raise _too_few(specialty, len(pool), len(exclusions), len(eligible), needed)
        picks = _random.sample(eligible, needed)
        now = clock.now()
        log = {
            "specialty": specialty, "at": now.isoformat(), "by": getattr(user, "real_name", "") or user.get_username(),
            "rule": article, "size": size, "buyer_reps": buyer_reps, "experts_needed": needed,
            "method": "secrets.SystemRandom().sample",
            "pool_size": len(pool), "pool": [{"expert": e.pk, "name": e.name} for e in pool],
            "exclusions": exclusions,
            "eligible_count": len(eligible), "eligible": [e.pk for e in eligible],
            "picks": [{"order": i, "expert": e.pk, "name": e.name} for i, e in enumerate(picks, start=1)],
            "replacements": [],
        }
        committee = Committee.objects.create(tender=tender, size=size, buyer_reps=buyer_reps, specialty=specialty,
                                             drawn_at=now, drawn_by=user, draw_log=log)
        CommitteeMember.objects.bulk_create(
            [CommitteeMember(committee=committee, expert=e) for e in picks]
            + [CommitteeMember(committee=committee, rep_name=f"招标人代表{i}") for i in range(1, buyer_reps + 1)])
        common.event_record(tender=tender, action="draw", actor=user, at=now,
                            note=f"随机抽取“{specialty}”专业评标专家{needed}名，招标人代表{buyer_reps}名",
                            data={"size": size, "experts": needed, "buyer_reps": buyer_reps})
    return committee


def committee_member_add(*, tender, user, expert) -> NoReturn:
    """Putting an expert on a committee by hand: never allowed (招标投标法实施条例第四十六条). The refusal
    names the 回避 rule when the expert is tied to the buyer, the agency or (after the opening) a bidder.
    Before the opening a tie to a party that obtained the documents is not told: it would reveal that the
    party obtained them (招标投标法第二十二条)."""
    tender = Tender.objects.select_related("project__buyer", "project__agency").get(pk=tender.pk)
    parties = _round_parties(tender, told=True)
    found = _conflicts(expert, parties, clock.today(), _supervisor_user_ids(tender))
    if found:
        c = found[0]
        who = {REASON_BUYER: "招标人/采购人", REASON_AGENCY: "招标代理机构", REASON_BIDDER: "投标人"}.get(c["reason"])
        lead = (f"专家{expert.name}与本项目{who}存在利害关系（{KIND_LABELS[c['kind']]}）" if who
                else f"专家{expert.name}系本项目行政监督部门工作人员")
        raise common.refuse("trading_expert_conflict", "RECUSAL",
                            f"{lead}，应当回避，不得进入评标委员会；评标专家只能由系统随机抽取，不能手工指定")
    raise common.refuse("trading_expert_manual", "RANDOM", "评标专家只能由系统从专家库随机抽取，不能手工指定")


def committee_replace(*, tender, user, member, reason) -> CommitteeMember:
    """回避 of a drawn expert: the member leaves (their scores are void, 招标投标法实施条例第四十八条) and one
    more expert is drawn by the same rules, never one already drawn or excluded; logged in the draw log."""
    reason = _text(reason, "回避/替换原因", 200)
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "replace_expert", user)
        committee = Committee.objects.select_for_update().filter(tender=tender).first()
        if committee is None:
            raise DomainError("trading_no_committee", "本轮尚未抽取评标委员会")
        member = CommitteeMember.objects.select_for_update().filter(pk=member.pk, committee=committee).first()
        if member is None:
            raise NotFound("未找到该评标委员会成员")
        if member.expert_id is None:
            raise DomainError("trading_replace_rep", "招标人代表由招标人更换，不通过专家抽取替换")
        if not member.active:
            raise DomainError("trading_replace_twice", "该成员已回避，不能重复替换")
        if committee.report_signed_at is not None:
            raise DomainError("trading_report_signed", "评标报告已签署完成，不能再替换评标委员会成员")
        log = committee.draw_log
        skip = set(committee.members.values_list("expert_id", flat=True)) - {None}
        skip |= {x["expert"] for x in log.get("exclusions", [])}
        for r in log.get("replacements", []):
            skip |= {x["expert"] for x in r.get("exclusions", [])}
        pool, exclusions, eligible = _screen(tender, committee.specialty, skip=skip)
        if not eligible:
            raise _too_few(committee.specialty, len(pool), len(exclusions), 0, 1,
                           skipped=len(skip & {e.pk for e in pool}))
        pick = _random.sample(eligible, 1)[0]
        now = clock.now()
        voided, _ = Score.objects.filter(member=member).delete()
        member.active = False
        member.replaced_reason = reason
        member.save(update_fields=["active", "replaced_reason"])
        new = CommitteeMember.objects.create(committee=committee, expert=pick)
        old = member.expert
        log.setdefault("replacements", []).append({
            "at": now.isoformat(), "by": getattr(user, "real_name", "") or user.get_username(),
            "member": member.pk, "new_member": new.pk, "expert": old.pk, "name": old.name, "reason": reason, "voided_scores": voided,
            "exclusions": exclusions, "eligible_count": len(eligible), "eligible": [e.pk for e in eligible],
            "pick": {"expert": pick.pk, "name": pick.name},
        })
        committee.draw_log = log
        committee.save(update_fields=["draw_log"])
        common.event_record(tender=tender, action="replace_expert", actor=user, at=now,
                            note="评标专家回避，按原抽取规则随机补抽1名", data={"member": member.pk, "new_member": new.pk})
    return new


def committee_rep_assign(*, tender, user, member, rep_user) -> CommitteeMember:
    """招标人代表: the 招标人 (or its agency) gives a representative's seat to one of the 招标人's own people,
    who then scores and signs on the expert's page like the drawn experts (招标投标法第三十七条: the committee
    is the 招标人's representatives and the experts; the report is signed by all, 实施条例第五十三条). Not
    someone acting for a bidder or supervising the project (实施条例第四十六条), nor anyone already on the
    committee; before the report is signed."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "assign_rep", user)
        project = tender.project
        committee = Committee.objects.select_for_update().filter(tender=tender).first()
        if committee is None:
            raise DomainError("trading_no_committee", "本轮尚未组建评标委员会")
        member = CommitteeMember.objects.select_for_update().filter(pk=member.pk, committee=committee).first()
        if member is None:
            raise NotFound("未找到该评标委员会成员")
        if member.expert_id is not None or not member.active:
            raise DomainError("trading_rep_seat", "只能为在任的招标人代表席位指定账号")
        if member.user_id is not None:
            raise DomainError("trading_rep_assigned", "该招标人代表席位已指定账号")
        if committee.report_signed_at is not None:
            raise DomainError("trading_report_signed", "评标报告已签署完成，不能再指定招标人代表")
        if not project.buyer.members.filter(pk=rep_user.pk).exists():
            raise DomainError("trading_rep_not_buyer", f"招标人代表须为{project.buyer.name}的经办人账号")
        if rep_user.trading_parties.filter(is_bidder=True).exists() or rep_user.pk in _supervisor_user_ids(tender):
            raise common.refuse("trading_rep_conflict", "RECUSAL", "该账号属于投标人或本项目行政监督部门，不能担任招标人代表")
        if committee.members.filter(common.seat_of(rep_user), active=True).exists():
            raise DomainError("trading_rep_twice", "该账号已是本评标委员会成员")
        member.user = rep_user
        member.save(update_fields=["user"])
        # the seat only: the representative's name stays secret until the result (招标投标法第三十七条)
        common.event_record(tender=tender, action="assign_rep", actor=user, note=f"已为{member.rep_name}指定账号",
                            data={"member": member.pk})
    return member


# -------------------------------------------------------------------------------------------- scoring


def _my_seat(tender: Tender, user) -> CommitteeMember:
    # ``of=("self",)``: the expert's side of the OR is an outer join, which PostgreSQL will not lock
    member = (CommitteeMember.objects.select_for_update(of=("self",))
              .filter(common.seat_of(user), committee__tender=tender, active=True).first())
    if member is None:
        raise PermissionDenied("您不是本项目评标委员会的在任成员")
    return member


def _score_value(score) -> Decimal:
    try:
        value = Decimal(str(score))
    except (InvalidOperation, ValueError):
        raise DomainError("trading_score", "得分应为0至100之间的数字") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise DomainError("trading_score", "得分应为0至100之间的数字")
    if value != value.quantize(Decimal("0.01")):
        raise DomainError("trading_score", "得分最多保留两位小数")
    return value.quantize(Decimal("0.01"))


def score_submit(*, tender, user, bid, score=None, reject_reason="", comment="") -> Score:
    """An expert member's score (0–100) of one decrypted bid, or a 否决 with a reason from the fixed list
    of 招标投标法实施条例第五十一条. Scoring again before signing replaces the earlier score."""
    comment = _text(comment, "评审意见", 500, required=False)
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "score", user)
        member = _my_seat(tender, user)
        if member.signed_at is not None:
            raise DomainError("trading_signed", "您已签署评标报告，不能再修改评分")
        bid = Bid.objects.filter(pk=bid.pk, tender=tender).first()
        if bid is None:
            raise NotFound("未找到本项目的该投标文件")
        if bid.status not in SCORABLE:
            raise DomainError("trading_bid_not_scorable",
                              f"该投标文件状态为“{bid.get_status_display()}”，不参加评审")
        if reject_reason:
            if reject_reason not in RejectReason.values:
                raise DomainError("trading_reject_reason",
                                  "否决投标的理由须为招标投标法实施条例第五十一条规定的情形之一：" + "；".join(RejectReason.labels))
            if score is not None:
                raise DomainError("trading_score", "否决的投标不评分：请只填写得分或只选择否决理由")
            value = None
        else:
            if score is None:
                raise DomainError("trading_score", "请填写得分，或选择否决投标的理由")
            value = _score_value(score)
        row, _ = Score.objects.update_or_create(
            member=member, bid=bid,
            defaults={"score": value, "reject_reason": reject_reason, "comment": comment, "scored_at": clock.now()})
        common.event_record(tender=tender, action="score", actor=user, data={"member": member.pk, "bid": bid.pk})
    return row


def _outcome(bids: list[Bid], members: list[CommitteeMember]) -> tuple[list[dict], list[Bid]]:
    """(ranking of the valid bids, the rejected bids), from the members' scores; sets each bid's status."""
    scores = Score.objects.filter(member__in=members, bid__in=bids)
    by_bid: dict[int, list[Score]] = {b.pk: [] for b in bids}
    for s in scores:
        by_bid[s.bid_id].append(s)
    order = {v: i for i, v in enumerate(RejectReason.values)}
    valid, rejected = [], []
    for bid in bids:
        rows = by_bid[bid.pk]
        rejects = [s.reject_reason for s in rows if s.reject_reason]
        if len(rejects) * 2 > len(members):
            counts = Counter(rejects)
            reason = min(counts, key=lambda r: (-counts[r], order[r]))
            bid.status = BidStatus.REJECTED
            bid.reject_reason = reason
            who = "专家成员" if all(m.expert_id for m in members) else "成员"
            bid.reject_note = (f"评标委员会{len(members)}名{who}中{len(rejects)}名认定应予否决："
                               f"{RejectReason(reason).label}")[:500]
            rejected.append(bid)
        else:
            numbers = [s.score for s in rows if s.score is not None]
            mean = (sum(numbers, Decimal(0)) / len(numbers)).quantize(Decimal("0.01"), ROUND_HALF_UP) \
                if numbers else Decimal("0.00")
            bid.status = BidStatus.VALID
            bid.reject_reason = ""
            bid.reject_note = ""
            valid.append((bid, mean))
        bid.save(update_fields=["status", "reject_reason", "reject_note"])
    valid.sort(key=lambda x: (-x[1], x[0].price is None, x[0].price or 0, x[0].pk))
    ranking = [{"rank": i, "bid": b.pk, "bidder": b.bidder.name, "bidder_id": b.bidder_id,
                "price": None if b.price is None else str(b.price), "score": str(s)}
               for i, (b, s) in enumerate(valid, start=1)]
    return ranking, rejected


def report_sign(*, tender, user) -> Committee:
    """An expert member signs the report after scoring every bid. The last signature closes it: the bids'
    scores (the members' mean), 否决 by a majority, the ranking and at most 3 candidates
    (招标投标法实施条例第五十三条); then the report goes to the buyer, or the round fails: all bids
    rejected (engineering, 招标投标法第四十二条) or fewer than 3 responsive suppliers (政府采购法第三十六条)."""
    with common.atomic():
        tender = common.tender_lock(tender.pk)
        common.transition_check(tender, "sign_report", user)
        committee = Committee.objects.select_for_update().get(tender=tender)
        member = _my_seat(tender, user)
        if member.signed_at is not None:
            raise DomainError("trading_signed", "您已签署评标报告")
        bids = list(Bid.objects.filter(tender=tender, status__in=SCORABLE).select_related("bidder").order_by("pk"))
        done = set(Score.objects.filter(member=member, bid__in=bids).values_list("bid_id", flat=True))
        missing = [b for b in bids if b.pk not in done]
        if missing:
            raise DomainError("trading_unscored",
                              f"尚有{len(missing)}份投标文件未评分（{'、'.join(b.bidder.name for b in missing)}），"
                              "全部评审后才能签署评标报告")
        now = clock.now()
        member.signed_at = now
        member.save(update_fields=["signed_at"])
        common.event_record(tender=tender, action="sign_report", actor=user, at=now, data={"member": member.pk})
        # everyone who sits and scores signs: the experts and the 招标人代表 given an account
        members = list(committee.members.filter(Q(expert__isnull=False) | Q(user__isnull=False), active=True))
        if any(m.signed_at is None for m in members):
            return committee
        ranking, rejected = _outcome(bids, members)
        valid = len(ranking)
        if tender.project.regime == Regime.ENGINEERING:
            failure = "" if valid else f"所有投标均被评标委员会否决，应当重新招标（{ALL_REJECTED}）"
        else:
            # 单一来源 has one supplier by definition; the other methods need three (政府采购法第三十六条).
            needed = 1 if tender.method == Method.SINGLE else 3
            failure = "" if valid >= needed else \
                f"实质响应的供应商只有{valid}家，予以废标（{common.ARTICLES['FAIL_G']}）"
        candidates = [] if failure else ranking[:3]
        Candidate.objects.filter(tender=tender).delete()
        Candidate.objects.bulk_create([Candidate(tender=tender, bid_id=r["bid"], rank=r["rank"],
                                                 score=Decimal(r["score"])) for r in candidates])
        committee.ranking = ranking
        committee.report_signed_at = now
        committee.save(update_fields=["ranking", "report_signed_at"])
        common.event_record(tender=tender, action="sign_report", actor=user, at=now,
                            note=f"评标报告签署完成：有效投标{valid}份，否决{len(rejected)}份，推荐中标候选人{len(candidates)}名",
                            data={"valid": valid, "rejected": len(rejected), "candidates": len(candidates),
                                  "report": True})
        from . import lifecycle

        if failure:
            lifecycle.round_fail(tender=tender, actor=user, reason=failure)
        else:
            lifecycle.report_received(tender=tender, at=now)
    return committee


# ----------------------------------------------------------------------------------------------- view


def _seats(members: list[CommitteeMember], log: dict) -> dict[int, str]:
    """专家1, 专家2 … in drawing order; a replacement takes the seat of the member it replaced."""
    took = {r["new_member"]: r["member"] for r in log.get("replacements", []) if "new_member" in r}
    seats: dict[int, str] = {}
    n = 0
    for m in members:
        if not m.expert_id:
            continue
        if m.pk in took and took[m.pk] in seats:
            seats[m.pk] = seats[took[m.pk]]
        else:
            n += 1
            seats[m.pk] = f"专家{n}"
    return seats


def _exclusion_details(tender: Tender, log: dict) -> list[dict]:
    """For the supervisor after the opening: which parties each bidder-tie exclusion was about."""
    ids = {x["expert"] for x in log.get("exclusions", [])}
    for r in log.get("replacements", []):
        ids |= {x["expert"] for x in r.get("exclusions", [])}
    parties = _round_parties(tender)
    bidders = set(Bid.objects.filter(tender=tender).values_list("bidder_id", flat=True))
    today = clock.today()
    out = []
    for expert in Expert.objects.filter(pk__in=ids).prefetch_related("ties").order_by("pk"):
        for c in _conflicts(expert, parties, today):
            party = c["party"]
            out.append({"expert": expert.pk, "name": expert.name, "reason": c["reason"], "kind": c["kind"],
                        "kind_label": KIND_LABELS[c["kind"]], "party": party.name, "party_uscc": party.uscc,
                        "bid": party.pk in bidders})
    return out


def draw_log_visible(committee: Committee, tender: Tender | None = None) -> dict:
    """The draw log as the centre and the supervisor see it. Before the opening the exclusions and the
    eligible count are withheld: matched against the experts' declared ties, they would tell which
    parties obtained the documents, or how many (招标投标法第二十二条); the pool size and the picks are shown."""
    tender = tender or committee.tender
    log = committee.draw_log or {}
    if tender.opened_at is not None:
        return {**log, "sealed_until_opening": False}
    kept = {k: v for k, v in log.items() if k not in ("exclusions", "eligible", "eligible_count", "replacements")}
    kept["replacements"] = [{k: v for k, v in r.items() if k not in ("exclusions", "eligible", "eligible_count")}
                            for r in log.get("replacements", [])]
    return {**kept, "sealed_until_opening": True}


def committee_view(*, tender, user) -> dict:
    """The committee as ``user`` may see it: the centre and the supervisor everything (the draw log; the
    supervisor after the opening also the parties behind each exclusion); an expert member their seat and
    the bids to score; anyone else the seats with names hidden until the award."""
    tender = Tender.objects.select_related("project__buyer", "project__agency", "project__hall",
                                           "project__region").get(pk=tender.pk)
    authenticated = getattr(user, "is_authenticated", False)
    if authenticated and common.actor_is(user, SUPERVISOR, tender):
        viewer = "supervisor"
    elif authenticated and common.actor_is(user, CENTRE, tender):
        viewer = "centre"
    else:
        viewer = "public"
    committee = Committee.objects.filter(tender=tender).first()
    if committee is None:
        return {"tender": tender.pk, "viewer": viewer, "drawn": False}
    members = list(committee.members.select_related("expert").order_by("pk"))
    seats = _seats(members, committee.draw_log)
    mine = None
    if viewer == "public" and authenticated:
        mine = next((m for m in members if m.active and ((m.expert and m.expert.user_id == user.pk)
                                                          or (m.expert_id is None and m.user_id == user.pk))), None)
        if mine is not None:
            viewer = "expert"
    full = viewer in ("supervisor", "centre")
    names = full or tender.status in NAMES_PUBLIC
    data = {
        "tender": tender.pk, "viewer": viewer, "drawn": True, "size": committee.size,
        "buyer_reps": committee.buyer_reps, "specialty": committee.specialty,
        "drawn_at": committee.drawn_at.isoformat(), "names_visible": names,
        "report_signed_at": committee.report_signed_at.isoformat() if committee.report_signed_at else None,
    }
    if viewer == "expert":
        scores = {s.bid_id: s for s in Score.objects.filter(member=mine)}
        data["seat"] = {"member": mine.pk, "seat": seats.get(mine.pk, mine.rep_name),
                        "name": mine.expert.name if mine.expert_id else (user.real_name or user.get_username()),
                        "is_chair": mine.is_chair, "signed_at": mine.signed_at.isoformat() if mine.signed_at else None}
        data["bids"] = [
            {"bid": b.pk, "bidder": b.bidder.name, "price": None if b.price is None else str(b.price),
             "duration_days": b.duration_days, "quality": b.quality, "project_manager": b.project_manager,
             "status": b.status,
             "my_score": None if b.pk not in scores or scores[b.pk].score is None else str(scores[b.pk].score),
             "my_reject_reason": scores[b.pk].reject_reason if b.pk in scores else "",
             "scored": b.pk in scores}
            for b in Bid.objects.filter(tender=tender, status__in=(*SCORABLE, BidStatus.REJECTED))
            .select_related("bidder").order_by("pk")]
        return data
    shown = [m for m in members if full or m.active]
    agency = authenticated and any(p is not None and p.members.filter(pk=user.pk).exists()
                                   for p in (tender.project.agency, tender.project.buyer))
    data["members"] = [
        {"member": m.pk if full or (agency and not m.expert_id) else None,
         "rep_assigned": m.user_id is not None if not m.expert_id else None,
         "seat": seats.get(m.pk, m.rep_name),
         "kind": "expert" if m.expert_id else "buyer_rep",
         "name": (m.expert.name if m.expert_id else m.rep_name) if names else None,
         "active": m.active, "replaced_reason": m.replaced_reason if full else "",
         "signed": m.signed_at is not None}
        for m in shown]
    if committee.report_signed_at and (full or agency or tender.status in (TenderStatus.PUBLICITY, *NAMES_PUBLIC)):
        data["ranking"] = committee.ranking
    if full:
        data["draw_log"] = draw_log_visible(committee, tender)
        # Members tied to a party of the round found after the draw (a tie declared later, a party that
        # obtained the documents later; the potential bidders only from the opening on, when replacing
        # becomes possible): the centre replaces them (回避), 实施条例第四十六条.
        parties, today = _round_parties(tender, told=True), clock.today()
        supervisor_users = _supervisor_user_ids(tender)
        data["member_conflicts"] = [
            {"member": m.pk, "seat": seats[m.pk], "name": m.expert.name, "reason": found[0]["reason"],
             "kind_label": KIND_LABELS[found[0]["kind"]]}
            for m in members if m.active and m.expert_id
            for found in [_conflicts(m.expert, parties, today, supervisor_users)] if found]
        if committee.report_signed_at:
            data["scores"] = [
                {"member": s.member_id, "seat": seats.get(s.member_id, ""), "bid": s.bid_id,
                 "score": None if s.score is None else str(s.score), "reject_reason": s.reject_reason,
                 "comment": s.comment}
                for s in Score.objects.filter(member__committee=committee).order_by("member_id", "bid_id")]
    if viewer == "supervisor" and _opened(tender):
        data["exclusion_details"] = _exclusion_details(tender, committee.draw_log)
    return data
