"""What every intermediary service shares: the policy, the locks, the transition and actor checks, the
event row, working-day dues, the rules quoted in refusals and the clocks' subjects."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.models import Region, Role
from zhengwu.supervision.clocks import Subject
from zhengwu.workdays.engine import due_date

from ..models import DEFAULT_GRADE_BANDS, Agency, Event, Policy, Purchase
from ..transitions import ADMIN, AGENCY, OWNER, SYSTEM, TRANSITIONS

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The rules quoted in refusals (TRADING-INTERMEDIARY.md §3), one place so each message is exact.
RULES = {
    "LIST": "优化营商环境条例第四十三条：作为办理行政审批条件的中介服务事项应当有法律、法规或者国务院决定依据；"
            "没有依据的，不得作为办理行政审批的条件",
    "DESIGNATE": "优化营商环境条例第四十三条：行政机关不得为市场主体指定或者变相指定中介服务机构",
    "SELF_PAY": "优化营商环境条例第四十三条：行政机关在行政审批过程中需要委托中介服务机构开展技术性服务的，应当通过竞争性方式选择"
                "中介服务机构，并自行承担服务费用",
    "FREE_CHOICE": "网上中介服务超市管理办法：项目业主依法自主选择中介服务机构，行政机关不得指定",
    "THRESHOLD": "政府采购法第二条：使用财政性资金采购限额标准以上的服务，应当依法进行政府采购",
    "SPECIAL": "行政许可法第四十五条：行政机关作出行政许可决定，依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，"
               "所需时间不计算在本节规定的期限内",
}


def refuse(code: str, rule: str, lead: str = "") -> DomainError:
    """A refusal whose message is ``lead`` followed by the rule quoted in full."""
    text = RULES[rule]
    return DomainError(code, f"{lead}（{text}）" if lead else text)


def required_text(value: str | None, code: str, message: str) -> str:
    """``value`` stripped; a blank one is refused with ``message``."""
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message)
    return value


def policy_for(region: Region) -> Policy:
    """The region's marketplace settings (the nearest region up the tree that has a row; else defaults,
    created for the region itself)."""
    r = region
    while r is not None:
        row = Policy.objects.filter(region=r).first()
        if row is not None:
            break
        r = r.parent
    else:
        row, _ = Policy.objects.get_or_create(region=region)
    if not row.grade_bands:
        row.grade_bands = dict(DEFAULT_GRADE_BANDS)
    return row


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def workday_due(start: dt.date, days: int, *, region=None) -> dt.date:
    """The last day of a period of ``days`` 工作日 from ``start`` (the start day not counted)."""
    return due_date(start, days, region=region).due


def purchase_lock(purchase_id: int) -> Purchase:
    """The purchase, locked for the rest of the transaction (call inside ``transaction.atomic``)."""
    p = (Purchase.objects.select_for_update(of=("self",))
         .select_related("owner", "service__department", "region", "qualification", "case", "item")
         .filter(pk=purchase_id).first())
    if p is None:
        raise NotFound("未找到该采购公告")
    return p


def agency_lock(agency_id: int) -> Agency:
    a = Agency.objects.select_for_update().select_related("region").filter(pk=agency_id).first()
    if a is None:
        raise NotFound("未找到该中介机构")
    return a


def staff_with_role(user, code: str, region: Region):
    """The user's active staff row if it holds ``code`` for ``region`` (its own region or above), else None."""
    staff = getattr(user, "staff", None) if getattr(user, "is_authenticated", False) else None
    if staff is None or not staff.is_active or not staff.roles.filter(code=code).exists():
        return None
    mine = staff.region.code if staff.region_id else ""
    prefix = mine.rstrip("0") or mine
    return staff if region.code.startswith(prefix) else None


def is_admin(user, region: Region):
    return staff_with_role(user, Role.INTERMEDIARY_ADMIN, region)


def is_supervisor(user, department_id: int | None, region: Region):
    """中介服务监管人员 of the service's 行业主管部门 (or one without a department, for the whole region)."""
    staff = staff_with_role(user, Role.INTERMEDIARY_SUPERVISOR, region)
    if staff is None:
        return None
    return staff if staff.department_id in (None, department_id) else None


def member_of_agency(user, agency: Agency | None) -> bool:
    return agency is not None and getattr(user, "is_authenticated", False) \
        and agency.members.filter(pk=user.pk).exists()


def actor_is(user, actor: str, purchase: Purchase) -> bool:
    if actor == SYSTEM:
        return user is None
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if actor == OWNER:
        return purchase.owner.members.filter(pk=user.pk).exists()
    if actor == AGENCY:
        if purchase.selected_id:
            return member_of_agency(user, purchase.selected.agency)
        return user.intermediary_agencies.exists()
    if actor == ADMIN:
        return is_admin(user, purchase.region) is not None
    return False


def transition_check(purchase: Purchase, action: str, user) -> str:
    """Refuse an action that the purchase's status or the user does not allow; the target status.
    ``user=None`` is the scheduled job."""
    t = TRANSITIONS[action]
    if not any(actor_is(user, a, purchase) for a in t.actors):
        raise PermissionDenied(f"您无权对该采购公告进行“{t.label}”操作")
    if purchase.status not in t.sources:
        raise DomainError("intermediary_status", f"采购公告当前状态为“{purchase.get_status_display()}”，不能{t.label}")
    return t.target


LABELS = {
    "create": "登记采购需求", "agency_register": "填报入驻信息", "agency_submit": "提交入驻申请",
    "agency_approve": "入驻审核通过", "agency_return": "入驻申请退回", "agency_change": "提交信息变更",
    "agency_change_approve": "变更审核通过", "agency_change_reject": "变更审核不通过",
    "agency_suspend": "暂停选取", "agency_restore": "恢复选取", "agency_delist": "清退",
    "offering_suspend": "资质过期，暂停承接", "offering_restore": "资质更新，恢复承接",
    "credit_event": "记录失信行为", "credit_month": "月度信用评价", "appeal_file": "提出信用申诉/修复",
    "appeal_decide": "处理信用申诉/修复",
    "service_upsert": "登记中介服务事项", "service_cancel": "取消中介服务事项", "service_link": "关联审批事项",
    "service_unlink": "取消关联审批事项", "agency_update": "修改入驻信息", "certificate_add": "登记资质证书",
    "practitioner_add": "登记执业人员", "offering_set": "登记服务承接范围", "offering_withdraw": "退出服务承接",
    "department_score": "行业主管部门评价", "market_score": "超市管理机构评价", "owner_register": "登记项目业主",
}


def event_record(*, purchase: Purchase | None = None, agency: Agency | None = None, action: str, actor=None,
                 note: str = "", data: dict | None = None, at: dt.datetime | None = None) -> Event:
    """The immutable step row (inside the step's transaction)."""
    label = TRANSITIONS[action].label if action in TRANSITIONS else LABELS.get(action, action)
    return Event.objects.create(purchase=purchase, agency=agency, action=action, label=label,
                                actor=actor if getattr(actor, "is_authenticated", False) else None,
                                at=at or clock.now(), note=note[:500], data=data or {})


def purchase_subject(purchase: Purchase) -> Subject:
    return Subject(type="intermediary.purchase", id=purchase.pk, no=purchase.code, title=purchase.title[:200],
                   url=f"/intermediary/purchases/{purchase.code}/")


def agency_subject(agency: Agency) -> Subject:
    return Subject(type="intermediary.agency", id=agency.pk, no=agency.uscc, title=agency.name[:200],
                   url=f"/intermediary/agencies/{agency.pk}/")


atomic = transaction.atomic
