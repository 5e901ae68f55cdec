"""The demo county's 政务公开: bodies and their staff, publications, requests and a draft report.

``load_demo_disclosure()`` runs after ``zhengwu.demo.build.load_demo()`` and does nothing once any
公开主体 exists. Bodies and their members have no service and are created as the tests' factories
create them; everything else goes through ``zhengwu.disclosure.services`` with the platform clock
moved to the moment it happened, so 索引号, 申请编号, every deadline (the working-day engine,
holidays included) and the event trail are what the platform itself would have written. Dates
count back from today, so the workbench always shows requests new, running, due soon and late.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from zhengwu.core import clock
from zhengwu.core.validators import id_number_check_char, uscc_check_char
from zhengwu.demo.geography import COUNTY
from zhengwu.demo.people import CITIZEN
from zhengwu.org.models import Department, Region, Role, Staff
from zhengwu.workdays import engine

from . import services as s
from .demo_village import build_village_disclosure
from .models import AnnualReport, Body, BodyMember, InfoRequest, Publication, PubStatus

D = BodyMember.Duty
POSTCODE = "072550"
#: a department body is "SFX" + the demo unit's key; (code, name of the demo Department, address, phone)
DEPARTMENTS = [
    ("SFXSCJ", "示范县市场监督管理局", "示范县建设大街56号", "0312-6215101"),
    ("SFXGAJ", "示范县公安局", "示范县育才路18号", "0312-6216110"),
    ("SFXZRGH", "示范县自然资源和规划局", "示范县迎宾路9号", "0312-6213201"),
    ("SFXRSJ", "示范县人力资源和社会保障局", "示范县人民路66号", "0312-6217301"),
]
GOV_NOTES = ("县人民政府办公室是本级政府信息公开工作机构，县政务服务管理办公室承担日常工作。"
             "申请人可在本平台在线提交政府信息公开申请，也可到县政务服务中心一楼政务公开专区当面提交。")


@dataclass(frozen=True)
class Pub:
    """One publication; ``made`` is working days before today, or (month, day) of last year."""

    body: str
    category: str
    title: str
    content: str
    made: int | tuple[int, int]
    doc_kind: str = "general"
    doc_no: str = ""
    topic: str = ""
    stage: str = PubStatus.PUBLISHED


# Titles, 文号 and text are formatted with the year ``y``, month ``m`` and day ``d`` of ``made_on``.
PUBLICATIONS = [
    Pub("SFX", "budget", "示范县{y}年全县和县本级预算", "经县人民代表大会审查批准，现将示范县{y}年全县和县本级"
        "一般公共预算、政府性基金预算、国有资本经营预算和社会保险基金预算公开如下。全县一般公共预算收入安排8.6亿元，"
        "支出安排21.3亿元；“三公”经费预算较上年下降3.2%。", (2, 12), topic="财政"),
    Pub("SFX", "regulation", "示范县城区户外广告设施设置管理办法", "为规范城区户外广告设施设置，提升城市容貌，"
        "根据《城市市容和环境卫生管理条例》等规定，结合本县实际，制定本办法。本办法自公布之日起施行。", (6, 16),
        doc_kind="normative", doc_no="示政规〔{y}〕5号", topic="城乡建设"),
    Pub("SFX", "plan", "示范县{y}年重点民生实事项目计划", "{y}年县政府确定十项重点民生实事：新建改建城乡道路42公里，"
        "改造老旧小区12个，新增公办幼儿园学位600个，建设村级养老服务站20个……各牵头单位每季度报送进展。", 44,
        topic="民生"),
    Pub("SFX", "regulation", "示范县人民政府关于印发《示范县进一步优化营商环境若干措施》的通知",
        "各乡镇人民政府、街道办事处，县政府各部门：\n现将《示范县进一步优化营商环境若干措施》印发给你们，"
        "请结合实际认真贯彻落实。本措施自印发之日起施行，有效期5年。", 38, doc_kind="normative",
        doc_no="示政规〔{y}〕3号", topic="综合政务"),
    Pub("SFX", "regulation", "《示范县进一步优化营商环境若干措施》政策解读", "一、制定背景。二、主要内容：共5个方面"
        "22条措施，包括企业开办一日办结、工程建设项目审批压减至60个工作日以内、涉企收费清单化管理等。"
        "三、适用对象：在本县登记注册的各类市场主体。", 36, topic="政策解读"),
    Pub("SFX", "budget", "示范县{y}年县本级一般公共预算调整方案", "因上级追加转移支付和新增债券资金，"
        "县本级一般公共预算支出调整为18.7亿元，经县人民代表大会常务委员会审查批准，现予公开。", 25, topic="财政"),
    Pub("SFX", "news", "示范县召开政务公开工作推进会", "会议通报了全县政务公开工作进展，"
        "要求各单位对照公开目录逐项梳理，确保信息在形成之日起20个工作日内公开。", 12, topic="政务公开"),
    Pub("SFX", "regulation", "示范县人民政府关于公布县级行政规范性文件清理结果的决定", "经清理，继续有效的县级行政"
        "规范性文件31件，宣布失效4件，废止2件。", 3, topic="综合政务", stage=PubStatus.REVIEWED),
    Pub("SFXSCJ", "budget", "示范县市场监督管理局{y}年部门预算", "本部门{y}年收支总预算2316.5万元，"
        "其中基本支出1689.2万元、项目支出627.3万元；“三公”经费预算12.6万元。", (2, 20), topic="财政"),
    Pub("SFXSCJ", "regulation", "示范县市场监督管理局关于印发《示范县小餐饮登记管理办法》的通知",
        "为规范小餐饮登记管理，保障食品安全，根据《河北省食品小作坊小餐饮小摊点管理条例》，制定本办法。",
        (9, 8), doc_kind="normative", doc_no="示市监规〔{y}〕1号", topic="市场监管"),
    Pub("SFXSCJ", "regulation", "《示范县小餐饮登记管理办法》政策解读", "办法明确小餐饮实行登记管理，"
        "登记证有效期3年；申请人提交材料齐全的，当场登记。", (9, 10), topic="政策解读"),
    Pub("SFXSCJ", "plan", "示范县市场监督管理局{y}年度“双随机、一公开”抽查工作计划", "全年计划开展抽查任务18项，"
        "涉及食品生产经营、特种设备、产品质量等领域，抽查比例不低于5%，抽查结果在20个工作日内公示。", 40,
        topic="市场监管"),
    Pub("SFXSCJ", "notice", "示范县市场监督管理局{y}年{m}月食品安全监督抽检信息公告", "本期共抽检粮食加工品、"
        "食用油、肉制品、蔬菜等12类食品186批次，合格182批次，合格率97.8%。不合格产品已依法核查处置。", 30,
        topic="食品安全"),
    Pub("SFXSCJ", "penalty", "行政处罚决定信息公示（示市监处罚〔{y}〕37号）", "当事人：示范县某生鲜超市。"
        "违法事实：销售超过保质期的食品。处罚依据：《中华人民共和国食品安全法》第一百二十四条。"
        "处罚内容：没收违法所得，并处罚款5万元。", 15, topic="市场监管"),
    Pub("SFXSCJ", "license", "示范县市场监督管理局行政许可结果公示（{y}年{m}月{d}日）", "本期准予食品经营许可9件、"
        "药品零售企业许可2件、特种设备使用登记5件，详见附表。", 10, topic="市场监管"),
    Pub("SFXSCJ", "notice", "示范县市场监督管理局关于开展冬春季食品安全专项整治行动的通告", "即日起至次年3月，"
        "在全县开展冬春季食品安全专项整治，重点检查农村集体聚餐、校园周边和农贸市场。", 2, topic="食品安全",
        stage=PubStatus.SUBMITTED),
    Pub("SFXSCJ", "license", "示范县市场监督管理局行政许可结果公示（{y}年{m}月{d}日）", "本期准予食品经营许可"
        "6件、特种设备使用登记3件。", 0, topic="市场监管", stage=PubStatus.DRAFT),
    Pub("SFXGAJ", "notice", "示范县公安局关于开展冬季道路交通安全综合整治的通告", "整治期间重点查处酒驾醉驾、"
        "超员超载、无牌无证等交通违法行为，请广大驾驶人自觉遵守交通法规。", 8, topic="公共安全"),
    Pub("SFXZRGH", "plan", "示范县国土空间总体规划（2021—2035年）批后公告", "《示范县国土空间总体规划"
        "（2021—2035年）》已经省人民政府批准，现将规划主要内容予以公告，规划文本和图件可在本局查阅。", 33,
        topic="自然资源"),
    Pub("SFXZRGH", "notice", "示范县{y}年度第三批次城镇建设用地征收土地预公告", "拟征收清河镇东街村集体土地"
        "4.82公顷，用于城镇建设。自公告之日起，在拟征收范围内抢栽抢建的，不予补偿。", 18, topic="自然资源"),
    Pub("SFXRSJ", "personnel", "示范县{y}年公开招聘事业单位工作人员拟聘用人员公示", "经笔试、面试、体检和考察，"
        "拟聘用张某某等46人，公示期5个工作日。对公示人员有异议的，可向县人力资源和社会保障局反映。", 22,
        topic="人事"),
    Pub("SFXRSJ", "regulation", "示范县{y}年城乡居民基本养老保险缴费档次和政府补贴标准", "缴费档次设为每年200元"
        "至5000元共14个档次；选择500元及以上档次的，政府补贴提高至每人每年60元。", 27, topic="社会保障"),
]

#: legal applicants: (name, 法人或其他组织类别, first two characters of the USCC, 法定代表人)
LEGAL_APPLICANTS = [
    ("示范县诚信食品贸易有限公司", "commercial", "91", "赵国庆"),
    ("示范市农业科学研究院", "research", "12", "孙立新"),
    ("河北示衡律师事务所", "legal_service", "31", "钱志远"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚建华志红"


@dataclass
class Team:
    body: Body
    officer: Staff  # 经办人
    leader: Staff  # 分管领导, 保密审查人 and 领导小组组长
    head: Staff  # 公开工作机构负责人: approves extensions


class World:
    """The county's teams, the clock helpers and the applicants while the demo is written."""

    def __init__(self, *, seed: int, region: Region):
        self.rng = random.Random(seed)
        self.region = region
        self.now = clock.now()
        self.today = self.ago(0)
        self.last_year = self.today.year - 1
        self.teams: dict[str, Team] = {}
        self.citizen = get_user_model().objects.get(username=CITIZEN.username)

    # -- days ----------------------------------------------------------------------------------------------

    def ago(self, n: int) -> dt.date:
        """The n-th working day before today (0: today, or the last working day before it)."""
        day = clock.today()
        while not engine.is_workday(day, region=self.region):
            day -= dt.timedelta(days=1)
        for _ in range(n):
            day -= dt.timedelta(days=1)
            while not engine.is_workday(day, region=self.region):
                day -= dt.timedelta(days=1)
        return day

    def workday_from(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the first working day after it."""
        while not engine.is_workday(day, region=self.region):
            day += dt.timedelta(days=1)
        return day

    def last_year_day(self, month: int, day: int) -> dt.date:
        return self.workday_from(dt.date(self.last_year, month, day))

    def after(self, day: dt.date, n: int) -> dt.date:
        return min(engine.add_workdays(day, n, region=self.region), self.today)

    def at(self, day: dt.date, hour: int):
        """``clock.frozen`` at ``hour`` o'clock (and a few minutes) of ``day``, never later than now."""
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 50))))
        return clock.frozen(min(moment, self.now))

    # -- applicants ----------------------------------------------------------------------------------------

    def me(self) -> s.Applicant:
        """The demo citizen, as they fill in the form online."""
        first17 = "13062119880612003"
        return s.Applicant(kind="person", name=self.citizen.real_name or "李明",
                           phone=self.citizen.phone or "13803126688", id_number=first17 + id_number_check_char(first17),
                           address="示范县城关街道文化路12号", postcode=POSTCODE)

    def person(self) -> s.Applicant:
        rng = self.rng
        birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 45))
        first17 = f"130621{birth:%Y%m%d}{rng.randint(100, 999)}"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        return s.Applicant(kind="person", name=name, phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                           id_number=first17 + id_number_check_char(first17), address="示范县清河镇东街村")

    def legal(self, i: int) -> s.Applicant:
        name, subkind, category, rep = LEGAL_APPLICANTS[i]
        first17 = f"{category}130621MA{i + 901:07d}"
        return s.Applicant(kind="legal", name=name, phone=f"0312-62{self.rng.randint(10000, 99999)}",
                           uscc=first17 + uscc_check_char(first17), legal_rep=rep, legal_subkind=subkind,
                           contact_name=rep, address="示范县经济开发区创业路8号", postcode=POSTCODE)

    # -- request steps, each at its moment -------------------------------------------------------------------

    def online(self, code: str, description: str, day: dt.date, *, confirm: dt.date | None = None,
               purpose: str = "") -> InfoRequest:
        """The citizen applies online; the officer confirms receipt (收到申请之日) on ``confirm``."""
        with self.at(day, 9):
            req = s.request_file(body=self.teams[code].body, applicant=self.me(), description=description,
                                 channel="online", user=self.citizen, purpose=purpose)
        if confirm is not None:
            with self.at(confirm, 11):
                s.request_confirm_receipt(request=req, officer=self.teams[code].officer)
        return req

    def record(self, code: str, applicant: s.Applicant, description: str, day: dt.date, channel: str, *,
               signed_for_on: dt.date | None = None, received_on: dt.date | None = None, late_note: str = "",
               confirm: bool = False) -> InfoRequest:
        """The officer records on ``day`` a request brought in person, by letter or by fax; one that came
        earlier (``received_on``, ``signed_for_on``) keeps its day, with the reason it is typed in late."""
        team = self.teams[code]
        came = signed_for_on or received_on or day
        if came < day and not late_note:
            late_note = "收发室签收后转交政务公开工作机构，次日登记"
        with self.at(day, 10):
            req = s.request_file(body=team.body, applicant=applicant, description=description, channel=channel,
                                 officer=team.officer, signed_for_on=signed_for_on, received_on=received_on,
                                 late_entry_note=late_note, wanted_form="纸质文本", delivery="邮寄")
            if confirm:
                s.request_confirm_receipt(request=req, officer=team.officer)
        return req

    def reply(self, req: InfoRequest, day: dt.date, result: str, *, text: str = "", reason: str = "",
              pages: int | None = None) -> None:
        with self.at(day, 15):
            s.request_reply(request=req, officer=self.teams[req.body.code].officer, result=result, reply_text=text,
                            reason=reason, pages=pages)


def load_demo_disclosure(*, seed: int = 2026, villages: bool = True) -> dict[str, int]:
    """Write the demo county's 政务公开 once; returns what was made (all zeros when bodies exist).

    With ``villages`` the towns' and villages' 村务公开/党务公开 follow (``demo_village``, itself built once)."""
    made = {"bodies": 0, "members": 0, "duties": 0, "publications": 0, "published": 0, "requests": 0,
            "reports": 0}
    if Body.objects.exists():
        if villages:
            build_village_disclosure()
        return made
    region = Region.objects.filter(code=COUNTY[0]).first()
    if region is None or not Staff.objects.filter(user__username="sxdb").exists():
        raise RuntimeError("请先生成示范县演示数据（zhengwu demo），再生成政务公开演示数据")
    with transaction.atomic():
        w = World(seed=seed, region=region)
        _bodies(w)
        pubs = [_publication(w, p) for p in PUBLICATIONS]
        _repeal(w, pubs)
        _requests(w)
        _reports(w)
    made.update(
        bodies=Body.objects.count(),
        members=BodyMember.objects.values("body", "staff").distinct().count(),
        duties=BodyMember.objects.count(),
        publications=Publication.objects.count(),
        published=Publication.objects.filter(status=PubStatus.PUBLISHED).count(),
        requests=InfoRequest.objects.count(),
        reports=AnnualReport.objects.count(),
    )
    if villages:
        build_village_disclosure()
    return made


# -- bodies and their staff (no service: created as the factories do) -------------------------------------------


def _staff(username: str) -> Staff:
    return Staff.objects.get(user__username=username)


def _bodies(w: World) -> None:
    gov = Body.objects.create(
        code="SFX", name="示范县人民政府", kind=Body.Kind.GOVERNMENT, region=w.region,
        office="示范县人民政府办公室", address="示范县人民路1号", postcode=POSTCODE, phone="0312-6212001",
        fax="0312-6212002", email="zfgk@shifanxian.gov.cn", guide_notes=GOV_NOTES)
    w.teams["SFX"] = Team(gov, officer=_staff("zxgly"), leader=_staff("ld"), head=_staff("zxgly"))
    for code, name, address, phone in DEPARTMENTS:
        dept = Department.objects.get(name=name, region=w.region)
        body = Body.objects.create(code=code, name=name, kind=Body.Kind.DEPARTMENT, region=w.region, department=dept,
                                   parent=gov, office=f"{name}办公室", address=address, postcode=POSTCODE, phone=phone)
        if code == "SFXSCJ":
            officer, leader = _staff("sxdb"), _staff("bmfzr")
        else:
            officer = Staff.objects.get(department=dept, roles__code=Role.CHIEF_REP)
            leader = Staff.objects.get(department=dept, roles__code=Role.DEPT_HEAD)
        w.teams[code] = Team(body, officer=officer, leader=leader, head=leader)
    for team in w.teams.values():
        duties = {(team.officer.pk, D.OFFICER), (team.head.pk, D.HEAD)}
        duties |= {(team.leader.pk, d) for d in (D.REVIEWER, D.SECRECY, D.SIGNER)}
        BodyMember.objects.bulk_create([BodyMember(body=team.body, staff_id=staff_id, duty=duty)
                                        for staff_id, duty in sorted(duties)])


# -- proactive publication: 提供 → 审核 → 保密审查 → 签发 → 公开 ---------------------------------------------------------


def _publication(w: World, spec: Pub) -> Publication:
    team = w.teams[spec.body]
    made_on = w.last_year_day(*spec.made) if isinstance(spec.made, tuple) else w.ago(spec.made)
    fmt = {"y": made_on.year, "m": made_on.month, "d": made_on.day}
    with w.at(made_on, 9):
        pub = s.publication_create(body=team.body, officer=team.officer, title=spec.title.format(**fmt),
                                   category=spec.category, topic=spec.topic, doc_kind=spec.doc_kind,
                                   doc_no=spec.doc_no.format(**fmt), content=spec.content.format(**fmt),
                                   made_on=made_on)
    if spec.stage == PubStatus.DRAFT:
        return pub
    with w.at(made_on, 16):
        s.publication_submit(publication=pub, officer=team.officer)
    if spec.stage == PubStatus.SUBMITTED:
        return pub
    with w.at(w.after(made_on, 1), 10):
        s.publication_review(publication=pub, reviewer=team.leader, approve=True, note="内容准确完整，同意公开")
        s.publication_secrecy_review(publication=pub, reviewer=team.leader, passed=True, note="不涉及国家秘密")
    if spec.stage == PubStatus.REVIEWED:
        return pub
    day = w.after(made_on, w.rng.randint(2, 4))
    with w.at(day, 9):
        s.publication_sign(publication=pub, signer=team.leader)
    with w.at(day, 14):
        s.publication_publish(publication=pub, officer=team.officer)
    views = w.rng.randint(30, 90) if made_on.year < w.today.year else w.rng.randint(3, 40)
    for _ in range(views):
        s.publication_count_view(publication=pub)
    return pub


def _repeal(w: World, pubs: list[Publication]) -> None:
    """Last year's 户外广告 rules, repealed six weeks ago by the county's clean-up decision."""
    rules = next(p for p in pubs if p.doc_no.startswith("示政规") and p.made_on.year == w.last_year)
    day = w.ago(30)
    with w.at(day, 11):
        s.publication_repeal(publication=rules, officer=w.teams["SFX"].officer, repealed_on=day,
                             note=f"《示范县人民政府关于废止部分行政规范性文件的决定》（示政发〔{day.year}〕21号）")


# -- 依申请公开 -------------------------------------------------------------------------------------------------------


def _requests(w: World) -> None:
    t, ago, y, ly = w.teams, w.ago, w.today.year, w.last_year

    # Last year: a law firm's letter answered in full; a refusal the applicant took to 行政复议.
    signed = w.last_year_day(11, 10)
    r = w.record("SFX", w.legal(2), f"申请公开示范县人民政府{ly}年度重大行政决策事项目录及相关听证会记录。", signed,
                 "post_signed", signed_for_on=signed)
    w.reply(r, w.last_year_day(11, 28), "open", pages=18,
            text=f"现提供{ly}年度重大行政决策事项目录（共7项）及3次听证会记录，共18页，已邮寄至您的通信地址。")
    r = w.record("SFXSCJ", w.person(), "申请公开贵局对示范县某大药房药品经营质量管理规范（GSP）检查的检查报告全文。",
                 w.last_year_day(11, 17), "in_person")
    w.reply(r, w.last_year_day(12, 5), "withhold_third_party",
            reason="您申请的检查报告包含该企业的经营数据、供货渠道等商业秘密，公开后可能损害第三方合法权益，"
                   "依据《中华人民共和国政府信息公开条例》第十五条的规定，不予公开。检查结论已在本机关网站公示。")
    filed = w.last_year_day(12, 15)
    with w.at(filed, 10):
        appeal = s.appeal_record(request=r, officer=t["SFXSCJ"].officer, kind="review", filed_on=filed,
                                 organ="示范县人民政府", case_no=f"示政复〔{ly}〕14号")
    decided = w.workday_from(dt.date(ly + 1, 2, 12))
    if decided <= ago(1):
        with w.at(decided, 10):
            s.appeal_decide(appeal=appeal, officer=t["SFXSCJ"].head, outcome="maintained", decided_on=decided,
                            note="复议机关决定维持原答复")

    # The last two months, oldest first.
    r = w.online("SFXZRGH", "申请公开1998年示范县城关镇西关村集体土地征收的征地批复及补偿标准文件。", ago(42),
                 confirm=ago(41), purpose="核实本户宅基地补偿情况")
    w.reply(r, ago(33), "none_not_held",
            reason="经检索本机关档案，未找到您申请的1998年西关村集体土地征收相关文件。该项征地工作由原示范县土地管理局"
                   "承办，相关档案已移交示范县档案馆，建议您向示范县档案馆查询。")
    r = w.online("SFXSCJ", f"申请公开示范县市场监督管理局{y}年上半年作出的全部食品类行政处罚决定书。", ago(37),
                 confirm=ago(36))
    with w.at(ago(32), 10):
        s.request_assess_fee(request=r, officer=t["SFXSCJ"].officer, method="per_page", pages=60)
    with w.at(ago(29), 10):
        s.request_record_payment(request=r, officer=t["SFXSCJ"].officer)
    w.reply(r, ago(24), "open", pages=60,
            text=f"本机关{y}年上半年作出食品类行政处罚决定共23件，现以电子文档形式提供决定书（共60页），请登录本平台下载。")
    r = w.online("SFX", f"申请公开示范县{y}年城区老旧小区改造项目的立项批复、资金安排及施工单位中标信息。", ago(32),
                 confirm=ago(31))
    w.reply(r, ago(17), "partial", pages=12, text="现提供立项批复文件和资金安排计划，共12页。",
            reason="施工单位中标信息中的投标报价明细和联系人个人信息涉及商业秘密和个人隐私，依据《中华人民共和国"
                   "政府信息公开条例》第十五条、第三十七条，对该部分内容作区分处理后不予公开。")
    r = w.record("SFXSCJ", w.person(), "申请公开贵局对我举报的某餐饮店案件调查过程中形成的内部讨论记录和案件审核意见。",
                 ago(28), "fax", confirm=True)
    w.reply(r, ago(20), "withhold_process",
            reason="您申请的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、审核意见等过程性信息，依据《中华"
                   "人民共和国政府信息公开条例》第十六条第二款的规定，不予公开。该案行政处罚决定已在本平台公示。")
    r = w.record("SFXSCJ", w.legal(0), f"申请公开贵局{y}年对食品销售行业开展“双随机、一公开”抽查的抽查事项清单、"
                 "抽查结果及检查人员名单。", ago(25), "post_signed", signed_for_on=ago(26))
    with w.at(ago(8), 16):
        s.request_extend(request=r, approver=t["SFXSCJ"].head, days=15,
                         reason="申请内容涉及多个科室、多个批次的检查档案，需要调取汇总的信息量较大，无法在20个工作日内答复。")
    r = w.record("SFX", w.person(), "申请公开示范县人民政府关于清河镇东街村土地征收的批复文件及征地补偿安置方案。",
                 ago(24), "post_plain")
    with w.at(ago(23), 9):
        s.request_confirm_receipt(request=r, officer=t["SFX"].officer)
    w.record("SFXSCJ", w.person(), "申请公开示范县城关街道某小区3号楼电梯最近一次定期检验报告及维保单位信息。",
             ago(17), "in_person")
    r = w.online("SFXSCJ", f"申请公开示范县{y}年网络交易监督检查的结果。", ago(16), confirm=ago(15))
    with w.at(ago(13), 20):
        s.request_withdraw(request=r, user=w.citizen, reason="已在贵局公开页面查询到所需信息，撤回申请。")
    r = w.record("SFXSCJ", w.legal(1), f"申请公开示范县{y}年辖区乳制品生产企业的监督抽检原始检验数据。", ago(11),
                 "in_person")
    # A third-party consultation sent by post: its 15 working days wait for the day the company signs for it.
    with w.at(ago(2), 10):
        s.request_consult(request=r, officer=t["SFXSCJ"].officer, third_party="示范县蒙泉乳业有限公司",
                          note="申请公开的原始检验数据可能涉及该企业商业秘密，书面征求其意见（挂号信寄出）。")
    # Information made jointly with another agency (条例第三十四条): consulted, received through 公文交换.
    r = w.record("SFXZRGH", w.person(), "申请公开示范县自然资源和规划局与示范县住房和城乡建设局联合印发的城关镇老城区"
                 "控制性详细规划调整方案。", ago(12), "in_person")
    with w.at(ago(6), 10):
        s.request_consult_agency(request=r, officer=t["SFXZRGH"].officer, agency="示范县住房和城乡建设局",
                                 note="该方案由本局牵头、与县住建局联合制作，征求其是否同意公开的意见。")
    received = ago(5)
    with w.at(ago(4), 15):
        s.request_consultation_receipt(request=r, officer=t["SFXZRGH"].officer, received_on=received,
                                       delivery="exchange", note="公文交换系统显示县住建局已签收")
    # A walk-in request handed in at the window and typed in two working days later, on its real day.
    w.record("SFX", w.person(), "申请公开示范县人民政府办公室关于城区停车收费标准调整的请示及批复。", ago(2),
             "in_person", received_on=ago(4), late_note="窗口收件当日系统升级停机，纸质申请书留存，恢复后补录")
    r = w.online("SFXSCJ", "请公开我家附近那家饭店的情况。", ago(8), confirm=ago(7))
    with w.at(ago(5), 10):
        s.request_ask_supplement(request=r, officer=t["SFXSCJ"].officer,
                                 items="请写明饭店的名称或地址，以及需要公开的信息类别（如食品经营许可信息、监督检查"
                                       "结果、行政处罚信息等）。")
    w.online("SFXSCJ", f"申请公开示范县{y}年电动自行车产品质量监督抽查结果，包括不合格产品名单。", ago(6),
             confirm=ago(5), purpose="购买电动自行车参考")
    w.online("SFXSCJ", f"申请公开示范县城关街道文化路农贸市场{y}年以来的食品安全监督检查记录及处理结果。", ago(1))


# -- last year's annual reports, as drafts ---------------------------------------------------------------------------


def _reports(w: World) -> None:
    ly = w.last_year
    texts = {
        "SFX": (f"{ly}年，示范县人民政府深入贯彻《中华人民共和国政府信息公开条例》，围绕优化营商环境、重点民生实事和"
                "财政预决算等领域做好主动公开，依法规范办理政府信息公开申请，主动公开、依申请公开和年度报告实现网上"
                "统一办理。",
                "一是部分单位公开信息更新不够及时；二是政策解读形式较为单一。下一步将加强督促检查，推行图解、"
                "问答等多样化解读方式。", "无。"),
        "SFXSCJ": (f"{ly}年，示范县市场监督管理局及时公开行政许可、行政处罚、抽查检查和食品安全抽检信息，"
                   "依法办理政府信息公开申请。",
                   "个别抽检信息公开时间较晚。下一步将抽检结果公开纳入业务流程，在形成之日起20个工作日内公开。", "无。"),
    }
    for code, (overview, problems, other) in texts.items():
        team = w.teams[code]
        report = s.report_get_or_create(body=team.body, year=ly, officer=team.officer)
        s.report_update_text(report=report, officer=team.officer, overview=overview, problems=problems, other=other)
