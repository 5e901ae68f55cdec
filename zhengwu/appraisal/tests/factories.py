"""A county for the appraisal tests: a 效能监察员, four departments with a head each (and a window), and
helpers that build a campaign with sections, questions and raters whose tokens the test knows."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from zhengwu.appraisal.models import (
    Campaign,
    CampaignStatus,
    DutyType,
    Invitation,
    Question,
    QuestionKind,
    RaterKind,
    Section,
)
from zhengwu.appraisal.services.common import hash_token
from zhengwu.core import clock
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f

# Monday 2 March 2026, a working day.
DAY = dt.date(2026, 3, 2)
DEPTS = [("D101", "示范县市场监督管理局", "登记注册科"), ("D102", "示范县自然资源局", "不动产登记科"),
         ("D103", "示范县住房和城乡建设局", "建筑市场监管科"), ("D104", "示范县人力资源和社会保障局", "社会保险科"),
         ("D105", "示范县交通运输局", "运输管理科")]


def world() -> SimpleNamespace:
    county = f.county()
    hall = f.hall(county)
    depts, heads, windows = [], [], []
    for i, (code, name, _) in enumerate(DEPTS):
        d = f.department(county, code=code, name=name)
        depts.append(d)
        h = f.staff(f"H{i}", Role.DEPT_HEAD, department=d, name=f"负责人{i}")
        h.phone = f"1390000000{i}"
        h.save(update_fields=["phone"])
        heads.append(h)
        windows.append(f.window(hall, number=str(10 + i), department=d))
    supervisor = f.staff("S1", Role.SUPERVISOR, region=county, name="监察员甲")
    officer = f.staff("W1", Role.WINDOW_OFFICER, department=depts[0], hall=hall, name="窗口人员")
    return SimpleNamespace(county=county, hall=hall, depts=depts, heads=heads, windows=windows,
                           supervisor=supervisor, officer=officer)


def campaign(w, *, raters: int = 8, status: str = CampaignStatus.OPEN, min_answers: int = 2,
             bottom_n: int = 3) -> tuple[Campaign, list[str]]:
    """A campaign over every department's section with two questions (satisfaction ×2 weight, 1–5 score)
    and ``raters`` invitations; when open, each invitation has a known token (returned in order)."""
    c = Campaign.objects.create(title="2026年度县直部门重点科室评议", region=w.county, starts_on=DAY,
                                ends_on=DAY + dt.timedelta(days=30), status=status, bottom_n=bottom_n,
                                min_answers=min_answers, created_by=w.supervisor, created_at=clock.now(),
                                opened_on=DAY if status != CampaignStatus.DRAFT else None)
    for i, (d, (_, _, section)) in enumerate(zip(w.depts, DEPTS, strict=True)):
        Section.objects.create(campaign=c, department=d, name=section, duty_type=DutyType.SERVICE, sort=i + 1)
    Question.objects.create(campaign=c, text="服务态度", kind=QuestionKind.SATISFACTION, weight=2, sort=1)
    Question.objects.create(campaign=c, text="办事效率", kind=QuestionKind.SCORE5, weight=1, sort=2)
    tokens = []
    for i in range(raters):
        raw = f"test-token-{c.pk}-{i:04d}"
        sent = status != CampaignStatus.DRAFT
        Invitation.objects.create(campaign=c, rater_kind=RaterKind.ENTERPRISE, name=f"评议人{i}",
                                  org_name=f"示范企业{i}有限公司", phone=f"1380000{i:04d}", created_on=DAY,
                                  token_hash=hash_token(raw) if sent else None, sent_on=DAY if sent else None)
        tokens.append(raw)
    return c, tokens


def answer(c: Campaign, *, sat: dict[int, int], score5: dict[int, int] | None = None,
           comments: dict[int, str] | None = None, unknown: tuple[int, ...] = ()) -> list[dict]:
    """The ``sections`` payload: by section index, the satisfaction value (3/2/1) and the 1–5 score."""
    sections = list(c.sections.order_by("sort"))
    q_sat, q5 = list(c.questions.order_by("sort"))
    out = []
    for i, s in enumerate(sections):
        if i in unknown:
            out.append({"section_id": s.pk, "unknown": True})
        elif i in sat:
            out.append({"section_id": s.pk, "unknown": False,
                        "scores": {q_sat.pk: sat[i], q5.pk: (score5 or {}).get(i, 5)},
                        "comment": (comments or {}).get(i, "")})
    return out
