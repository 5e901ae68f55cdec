"""The demo's 联办件: under the demo bundles (``bundles.build_bundles``), one 联办件 in every state —
待受理, 待补正, 并联审查中, 待牵头部门处理 (after a reasoned 不同意), 牵头部门决定中止, 待出具联合审批结果,
已办结 with the combined result, 不予受理, 已撤回 — and one whose silent department was marked 超时默认 by
the real daily sweep (``sweep_run`` on the 2nd working day after its limit).

Everything goes through the joint and case services (the same as the pages), dated with ``clock.frozen``.
Skipped when any 联办件 exists. Call after the demo's staff and bundles: ``build_joint_cases(stdout=...)``.
The citizen account (``CITIZEN``) is the applicant of the online ones, so 我的办件 shows them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from zhengwu.cases import services as cs
from zhengwu.cases.models import Case, Status
from zhengwu.catalog.models import Bundle
from zhengwu.core import clock
from zhengwu.core.testing import pdf_bytes
from zhengwu.core.validators import id_number_check_char
from zhengwu.joint import services as js
from zhengwu.joint.models import JointCase
from zhengwu.org.models import Hall, Role, Staff
from zhengwu.org.scope import staff_can_act_at
from zhengwu.supervision.services import sweep_run
from zhengwu.workdays import engine

from .people import CITIZEN

BUNDLE = "YJS-CYD"  # 开办餐饮店


def _person(n: int) -> cs.Applicant:
    first17 = f"13062119800101{n:03d}"
    return cs.Applicant(kind="person", name=["王小餐", "李大厨", "赵面馆", "钱烧烤", "孙火锅", "周快餐", "吴茶饮",
                                             "郑烘焙", "冯小吃", "陈食堂"][n % 10],
                        phone=f"1390621{n:04d}", id_number=first17 + id_number_check_char(first17),
                        address="示范县城关街道")


def _staff(hall: Hall, department_id: int, role: str) -> Staff | None:
    for s in (Staff.objects.filter(department_id=department_id, roles__code=role, is_active=True)
              .select_related("hall__region", "region").order_by("employee_no")):
        if staff_can_act_at(s, department_id=department_id, hall=hall):
            return s
    return None


def _files(bundle: Bundle, *, skip: int = 0) -> list:
    bp = js.bundle_plan(bundle)
    data = pdf_bytes()
    lines = [n for n, ln in enumerate(bp.lines, start=1) if ln.necessity == "required"]
    return [(n, SimpleUploadedFile(f"材料{n}.pdf", data, content_type="application/pdf"))
            for n in lines[:len(lines) - skip]]


def _workdays_back(today: dt.date, n: int, region) -> dt.date:
    d = today
    while n:
        d -= dt.timedelta(days=1)
        if engine.is_workday(d, region=region):
            n -= 1
    return d


def _at(day: dt.date, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 30)) + dt.timedelta(minutes=minute)


def _decide(case: Case, *, deny: bool = False) -> None:
    """Take a 子件 through its review steps to its decision, each by its step's role in its department."""
    from zhengwu.cases.plan import plan_for

    plan = plan_for(case.item_version_id)
    while case.status == Status.IN_REVIEW:
        step = plan.step(case.current_step)
        who = _staff(case.hall, case.department_id, step.role) or _staff(case.hall, case.department_id,
                                                                         Role.DEPT_HEAD)
        if who is None:
            return
        if case.current_step < plan.last_seq:
            cs.case_review(case=case, officer=who, note="审查通过")
        else:
            cs.case_decide(case=case, officer=who, decision="deny" if deny else "approve",
                           reason="经营场所不符合要求" if deny else "")


class _Ctx:
    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self.version = bundle.current
        self.user = get_user_model().objects.filter(username=CITIZEN.username).first()
        self.n = 0

    def apply(self, day: dt.date, *, online: bool = True, skip: int = 0) -> JointCase:
        self.n += 1
        with clock.frozen(_at(day, self.n)):
            if online and self.user is not None:
                return js.joint_submit(bundle=self.bundle, applicant=_person(self.n), channel="online",
                                       user=self.user, files=_files(self.bundle, skip=skip))
            officer = self.window_officer()
            return js.joint_submit(bundle=self.bundle, applicant=_person(self.n), channel="window", officer=officer,
                                   files=_files(self.bundle, skip=skip))

    def hall(self) -> Hall:
        from zhengwu.cases.services import default_hall

        return default_hall(js.lead_member(js.bundle_plan(self.bundle)).item)

    def window_officer(self) -> Staff:
        s = _staff(self.hall(), self.version.lead_department_id, Role.WINDOW_OFFICER)
        return s or _staff(self.hall(), self.version.lead_department_id, Role.CHIEF_REP)

    def chief(self) -> Staff:
        return (_staff(self.hall(), self.version.lead_department_id, Role.CHIEF_REP)
                or _staff(self.hall(), self.version.lead_department_id, Role.DEPT_HEAD))

    def accept(self, joint: JointCase, day: dt.date) -> JointCase:
        with clock.frozen(_at(day, 60)):
            return js.joint_accept(joint=joint, officer=self.window_officer(), note="材料齐全，一门受理")


def _children(joint: JointCase) -> list[Case]:
    return list(Case.objects.select_related("hall__region").filter(joint=joint).order_by("joint_seq"))


def _co(joint: JointCase) -> list[Case]:
    return [c for c in _children(joint) if c.department_id != joint.lead_department_id]


def _opinion(case: Case, kind: str, reason: str = "") -> None:
    who = _staff(case.hall, case.department_id, Role.CHIEF_REP) or _staff(case.hall, case.department_id,
                                                                          Role.DEPT_HEAD)
    js.joint_opinion(case=case, officer=who, kind=kind, reason=reason)


def build_joint_cases(*, stdout=None, today: dt.date | None = None) -> int:
    """Create the demo's 联办件 once; returns how many were made."""
    if JointCase.objects.exists():
        return 0
    bundle = Bundle.objects.select_related("current").filter(code=BUNDLE).first()
    if bundle is None or bundle.current_id is None:
        return 0
    x = _Ctx(bundle)
    today = today or clock.today()
    region = x.hall().region
    back = lambda n: _workdays_back(today, n, region)  # noqa: E731
    made = []

    made.append(x.apply(back(0) if engine.is_workday(today, region=region) else back(1)))  # 待受理
    j = x.apply(back(2), skip=1)  # 待补正: the window tells every department's gaps once
    with clock.frozen(_at(back(2), 90)):
        missing = [n for n, ln in enumerate(js.bundle_plan(bundle).lines, start=1)
                   if any(ln.name in m for _c, m in js.joint_missing(j))]
        js.joint_request_supplement(joint=j, officer=x.window_officer(), lines=missing or [1],
                                    note="请一次性补齐后提交")
    made.append(j)
    j = x.accept(x.apply(back(3), online=False), back(3))  # 并联审查中
    made.append(j)
    j = x.accept(x.apply(back(4)), back(4))  # 待牵头部门处理: a reasoned 不同意
    with clock.frozen(_at(back(3), 30)):
        _opinion(_co(j)[0], "disagree", "经营场所位于居民楼底层，油烟排放口距住宅窗户不足规定距离")
    made.append(j)
    j = x.accept(x.apply(back(5)), back(5))  # 牵头部门决定中止
    with clock.frozen(_at(back(4), 30)):
        _opinion(_co(j)[-1], "disagree", "户外招牌设置位置占用消防登高面")
        js.joint_ruling(joint=j, officer=x.chief(), kind="suspend", reason="待申请人调整招牌设置方案后恢复办理")
    made.append(j)
    j = x.accept(x.apply(back(6)), back(6))  # 待出具联合审批结果
    with clock.frozen(_at(back(5), 30)):
        for c in _co(j):
            _opinion(c, "agree")
        for c in _children(j):
            _decide(c)
    made.append(j)
    j = x.accept(x.apply(back(9)), back(9))  # 已办结，出具联合审批决定书
    with clock.frozen(_at(back(8), 30)):
        for c in _co(j):
            _opinion(c, "agree")
        for c in _children(j):
            _decide(c)
    with clock.frozen(_at(back(7), 30)):
        js.joint_result(joint=j, officer=x.chief(), note="各部门均同意，准予开办")
    made.append(j)
    j = x.apply(back(3), online=False)  # 不予受理
    with clock.frozen(_at(back(3), 120)):
        js.joint_reject(joint=j, officer=x.window_officer(), reason="经营场所位于规划禁止设立餐饮服务场所的区域（示例）")
    made.append(j)
    j = x.apply(back(2))  # 已撤回
    with clock.frozen(_at(back(2), 150)):
        js.joint_withdraw(joint=j, user=x.user, reason="暂不开办")
    made.append(j)

    # 超时默认: accepted long enough ago that the slowest member's limit ran out three working days back;
    # everyone else decided; the real daily sweep, run for the 2nd working day after that limit, marks the
    # silent department (its 超时默认通知单, the 1-working-day reply clock, the notices).
    bp = js.bundle_plan(bundle)
    limit = max(js.member_limit(m, bp.version) for m in bp.members)
    start = back(limit + 3)
    j = x.accept(x.apply(start), start)
    kids = sorted(_children(j), key=lambda c: (c.due_date, c.joint_seq))
    silent = kids[-1]
    with clock.frozen(_at(start, 200)):
        for c in kids[:-1]:
            if c.department_id != j.lead_department_id:
                _opinion(c, "agree")
            _decide(c)
    deem_day = silent.due_date
    for _ in range(2):
        deem_day += dt.timedelta(days=1)
        while not engine.is_workday(deem_day, region=region):
            deem_day += dt.timedelta(days=1)
    if deem_day <= today:
        with clock.frozen(_at(deem_day, -60)):
            sweep_run(today=deem_day, deliver=False)
    made.append(j)
    if stdout is not None:
        deemed = "（含超时默认 1 件）" if js.deemed_case_ids([silent.pk]) else ""
        stdout.write(f"  已生成 {len(made)} 件联办件{deemed}。\n")
    return len(made)
