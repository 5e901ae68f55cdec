"""What every trading service shares: the round's lock, the transition and actor checks, the event row,
the law's periods in the right unit, and the refusal that names its article."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, NotFound, PermissionDenied
from zhengwu.org.models import Role
from zhengwu.supervision.clocks import Subject
from zhengwu.workdays.engine import due_date, due_date_calendar_days

from ..models import Party, Project, Tender, TradingEvent
from ..transitions import AGENCY, BIDDER, CENTRE, EXPERT, PAUSABLE, SUPERVISOR, TRANSITIONS

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The articles quoted in refusals (TRADING-INTERMEDIARY.md §2.1), one place so each message is exact.
ARTICLES = {
    "T1": "招标投标法第二十四条：自招标文件开始发出之日起至投标人提交投标文件截止之日止，最短不得少于二十日",
    "T2": "招标投标法实施条例第十六条：资格预审文件或者招标文件的发售期不得少于5日",
    "T3": "招标投标法实施条例第十七条：依法必须进行招标的项目提交资格预审申请文件的时间，自资格预审文件停止发售之日起不得少于5日",
    "T4P": "招标投标法实施条例第二十一条：澄清或者修改的内容可能影响资格预审申请文件编制的，招标人应当在提交资格预审申请文件截止时间"
           "至少3日前，以书面形式通知所有获取资格预审文件的潜在投标人；不足3日的，招标人应当顺延提交资格预审申请文件的截止时间",
    "T5P": "招标投标法实施条例第二十二条：潜在投标人或者其他利害关系人对资格预审文件有异议的，应当在提交资格预审申请文件截止时间2日前提出",
    "PQ15": "招标投标法实施条例第十五条：招标人采用资格预审办法对潜在投标人进行资格审查的，应当发布资格预审公告、编制资格预审文件",
    "PQ19": "招标投标法实施条例第十九条：未通过资格预审的申请人不具有投标资格。通过资格预审的申请人少于3个的，应当重新招标",
    "T4": "招标投标法实施条例第二十一条：澄清或者修改的内容可能影响投标文件编制的，招标人应当在投标截止时间至少15日前书面通知"
          "所有获取招标文件的潜在投标人；不足15日的，招标人应当顺延提交投标文件的截止时间",
    "T5": "招标投标法实施条例第二十二条：招标人应当自收到异议之日起3日内作出答复；作出答复前，应当暂停招标投标活动",
    "T6": "招标投标法实施条例第二十六条：投标保证金不得超过招标项目估算价的2%",
    "T7": "招标投标法实施条例第三十五条：投标人撤回已提交的投标文件，招标人应当自收到投标人书面撤回通知之日起5日内退还投标保证金",
    "T8": "招标投标法第二十九条：投标人在招标文件要求提交投标文件的截止时间前，可以补充、修改或者撤回已提交的投标文件",
    "T9": "招标投标法实施条例第五十四条：招标人应当自收到评标报告之日起3日内公示中标候选人，公示期不得少于3日",
    "T10": "招标投标法实施条例第五十三条：评标委员会推荐的中标候选人应当不超过3个，并标明排序",
    "T11": "招标投标法第四十六条：招标人和中标人应当自中标通知书发出之日起三十日内订立书面合同",
    "T12": "招标投标法实施条例第五十七条：招标人最迟应当在书面合同签订后5日内向中标人和未中标的投标人退还投标保证金及银行同期存款利息",
    "T13": "招标投标法实施条例第五十八条：履约保证金不得超过中标合同金额的10%",
    "T14": "招标投标法第四十七条：招标人应当自确定中标人之日起十五日内，向有关行政监督部门提交招标投标情况的书面报告",
    "LATE": "招标投标法实施条例第三十六条：未通过资格预审的申请人提交的投标文件，以及逾期送达或者不按照招标文件要求密封的投标文件，"
            "招标人应当拒收",
    "OPEN_TIME": "招标投标法第三十四条：开标应当在招标文件确定的提交投标文件截止时间的同一时间公开进行",
    "FEW_BIDS": "招标投标法实施条例第四十四条：投标人少于3个的，不得开标；招标人应当重新招标",
    "HIDE": "招标投标法第二十二条：招标人不得向他人透露已获取招标文件的潜在投标人的名称、数量",
    "COMMITTEE": "招标投标法第三十七条：评标委员会成员人数为五人以上单数，其中技术、经济等方面的专家不得少于成员总数的三分之二",
    "PANEL": "政府采购法第三十八条、第四十条：谈判小组、询价小组由采购人的代表和有关专家共三人以上的单数组成，其中专家的人数不得少于成员总数的三分之二",
    "RANDOM": "招标投标法实施条例第四十六条：评标委员会的专家成员应当从评标专家库内相关专业的专家名单中以随机抽取方式确定，"
              "任何单位和个人不得以明示、暗示等任何方式指定或者变相指定",
    "RECUSAL": "招标投标法实施条例第四十六条：与投标人有利害关系的人不得进入相关项目的评标委员会；政府采购法实施条例第九条",
    "FIRST": "招标投标法实施条例第五十五条：国有资金占控股或者主导地位的依法必须进行招标的项目，招标人应当确定排名第一的中标候选人为中标人",
    "G1": "政府采购法第三十五条：货物和服务项目实行招标方式采购的，自招标文件开始发出之日起至投标人提交投标文件截止之日止，不得少于二十日",
    "G2": "政府采购法实施条例第三十一条：招标文件的提供期限自招标文件开始发出之日起不得少于5个工作日",
    "G3": "政府采购法实施条例第三十一条：澄清或者修改的内容可能影响投标文件编制的，采购人或者采购代理机构应当在投标截止时间至少15日前"
          "书面通知所有获取招标文件的潜在投标人；不足15日的，应当顺延提交投标文件的截止时间",
    "G4": "政府采购法实施条例第三十三条：投标保证金不得超过采购项目预算金额的2%，应当以支票、汇票、本票或者金融机构、担保机构出具的保函等非现金形式提交",
    "G4R": "政府采购法实施条例第三十三条：采购人或者采购代理机构应当自中标通知书发出之日起5个工作日内退还未中标供应商的投标保证金，"
           "自政府采购合同签订之日起5个工作日内退还中标供应商的投标保证金",
    "G5": "政府采购法实施条例第四十三条：采购人应当自收到评审报告之日起5个工作日内，在评审报告推荐的中标或者成交候选人中按顺序确定中标或者成交供应商",
    "G5N": "政府采购法实施条例第四十三条：采购人或者采购代理机构应当自中标、成交供应商确定之日起2个工作日内，发出中标、成交通知书，"
           "并在省级以上人民政府财政部门指定的媒体上公告中标、成交结果",
    "G6P": "政府采购法实施条例第五十条：采购人应当自政府采购合同签订之日起2个工作日内，将政府采购合同在省级以上人民政府财政部门指定的媒体上公告",
    "G6F": "政府采购法第四十七条：政府采购项目的采购合同自签订之日起七个工作日内，采购人应当将合同副本报同级政府采购监督管理部门和有关部门备案",
    "G8": "政府采购法第五十三条：采购人应当在收到供应商的书面质疑后七个工作日内作出答复",
    "G11": "政府采购法实施条例第三十八条：采用单一来源采购方式的，应当将采购项目信息和唯一供应商名称在指定媒体上公示，公示期不得少于5个工作日",
    "G13N": "政府采购非招标采购方式管理办法（财政部令第74号）第二十九条：从谈判文件发出之日起至供应商提交首次响应文件截止之日止不得少于3个工作日",
    "G13I": "政府采购非招标采购方式管理办法（财政部令第74号）第四十五条：从询价通知书发出之日起至供应商提交响应文件截止之日止不得少于3个工作日",
    "G13C": "政府采购竞争性磋商采购方式管理暂行办法（财库〔2014〕214号）第十条：从磋商文件发出之日起至供应商提交首次响应文件截止之日止不得少于10日",
    "FAIL_G": "政府采购法第三十六条：符合专业条件的供应商或者对招标文件作实质响应的供应商不足三家的，应予废标",
    "INVITE": "招标投标法第十七条：招标人采用邀请招标方式的，应当向三个以上具备承担招标项目的能力、资信良好的特定的法人或者其他组织发出投标邀请书",
}


def refuse(code: str, article: str, lead: str = "") -> DomainError:
    """A refusal whose message is ``lead`` followed by the article quoted in full."""
    text = ARTICLES[article]
    return DomainError(code, f"{lead}（{text}）" if lead else text)


def required_text(value: str | None, code: str, message: str) -> str:
    """``value`` stripped; a blank one is refused with ``message``."""
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message)
    return value


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def calendar_due(start: dt.date, days: int, *, region=None) -> dt.date:
    """The last day of a period of ``days`` 日 from ``start`` (民法典第二百零一条: the start day is not
    counted; 第二百零三条: a last day on a holiday moves to the day after the holiday)."""
    return due_date_calendar_days(start, days, region=region).due


def workday_due(start: dt.date, days: int, *, region=None) -> dt.date:
    """The last day of a period of ``days`` 工作日 from ``start`` (the start day not counted)."""
    return due_date(start, days, region=region).due


def period_due(tender: Tender, start: dt.date, days: int, *, workdays: bool) -> dt.date:
    region = tender.project.region
    return workday_due(start, days, region=region) if workdays else calendar_due(start, days, region=region)


def tender_lock(tender_id: int) -> Tender:
    """The round, locked for the rest of the transaction (call inside ``transaction.atomic``)."""
    tender = (Tender.objects.select_for_update(of=("self",)).select_related("project__region", "project__hall",
                                                                             "project__buyer", "project__agency",
                                                                             "project__supervisor")
              .filter(pk=tender_id).first())
    if tender is None:
        raise NotFound("未找到该招标（采购）项目")
    return tender


def _member(user, party: Party | None) -> bool:
    return party is not None and party.members.filter(pk=user.pk).exists()


def _staff_role(user, code: str, project: Project) -> bool:
    staff = getattr(user, "staff", None)
    if staff is None or not staff.is_active or not staff.roles.filter(code=code).exists():
        return False
    if code == Role.TRADING_ADMIN:
        return staff.hall_id == project.hall_id or (staff.hall_id is None and staff.region_id == project.region_id)
    # 行政监督部门: the project's supervising department, or a region-wide supervisor
    return staff.department_id == project.supervisor_id or (staff.department_id is None
                                                            and staff.region_id == project.region_id)


def seat_of(user) -> Q:
    """The committee seats ``user`` holds: as a drawn expert, or as a 招标人代表 given an account (an
    authenticated user only: an anonymous one would match the seats without either)."""
    return Q(expert__user=user) | Q(expert__isnull=True, user=user)


def actor_is(user, actor: str, tender: Tender) -> bool:
    project = tender.project
    if actor == AGENCY:
        return _member(user, project.agency) or (project.agency_id is None and _member(user, project.buyer))
    if actor == BIDDER:
        return user.trading_parties.filter(is_bidder=True).exists()
    if actor == EXPERT:
        if not getattr(user, "is_authenticated", False) or not hasattr(tender, "committee"):
            return False
        return tender.committee.members.filter(seat_of(user), active=True).exists()
    if actor == CENTRE:
        return _staff_role(user, Role.TRADING_ADMIN, project)
    if actor == SUPERVISOR:
        return _staff_role(user, Role.TRADING_SUPERVISOR, project)
    return False


def transition_check(tender: Tender, action: str, user) -> str:
    """Refuse an action that the round's status, its pause or the user does not allow; the target."""
    t = TRANSITIONS[action]
    if not user.is_authenticated or not any(actor_is(user, a, tender) for a in t.actors):
        raise PermissionDenied(f"您无权对该项目进行“{t.label}”操作")
    if tender.status not in t.sources:
        raise DomainError("trading_status", f"项目当前状态为“{tender.get_status_display()}”，不能{t.label}")
    if tender.paused and action in PAUSABLE:
        raise refuse("trading_paused", "T5" if tender.project.regime == "engineering" else "G8",
                     f"项目因异议/质疑暂停，答复前不能{t.label}")
    return t.target


def system_transition_check(tender: Tender, action: str) -> str:
    """``transition_check`` for a step the platform takes by itself at its time (``trading_tick``): the
    round's status and pause are checked, nobody's permission is (there is no one)."""
    t = TRANSITIONS[action]
    if tender.status not in t.sources:
        raise DomainError("trading_status", f"项目当前状态为“{tender.get_status_display()}”，不能{t.label}")
    if tender.paused and action in PAUSABLE:
        raise refuse("trading_paused", "T5" if tender.project.regime == "engineering" else "G8",
                     f"项目因异议/质疑暂停，答复前不能{t.label}")
    return t.target


def event_record(*, tender: Tender | None, project: Project | None = None, action: str, actor=None,
                 note: str = "", data: dict | None = None, at: dt.datetime | None = None) -> TradingEvent:
    """The immutable step row (inside the step's transaction). Never give it who bid before opening."""
    project = project or tender.project
    label = TRANSITIONS[action].label if action in TRANSITIONS else {
        "create": "登记交易项目", "retender": "重新招标", "flag": "串通投标预警", "unseal": "投标截止，启封密封位",
        "report_received": "收到评标报告", "report_file": "提交招标投标情况书面报告",
        "complaint_file": "投诉", "complaint_accept": "受理投诉", "complaint_reject": "不予受理投诉",
        "complaint_decide": "投诉处理决定", "complaint_suspension_end": "暂停采购活动期满",
    }.get(action, action)
    return TradingEvent.objects.create(project=project, tender=tender, action=action, label=label,
                                       actor=actor if getattr(actor, "is_authenticated", False) else None,
                                       at=at or clock.now(), note=note[:500], data=data or {})


def subject(tender: Tender) -> Subject:
    project = tender.project
    return Subject(type="trading.tender", id=tender.pk, no=project.code, title=project.name[:200],
                   url=f"/trading/projects/{project.code}/")


atomic = transaction.atomic
