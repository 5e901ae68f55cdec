"""效能告诫 and the accountability rules of essay 4, evaluated as data."""

import datetime as dt

import pytest

from zhengwu.core import clock
from zhengwu.core.errors import DomainError, PermissionDenied
from zhengwu.org.models import Role
from zhengwu.org.tests import factories as f
from zhengwu.supervision.models import AccountabilityFlag, AccountabilityRule, Admonition
from zhengwu.supervision.services import (
    accountability_evaluate,
    admonition_issue,
    admonition_revoke,
    assessment_run,
    flag_resolve,
)

from .conftest import accept_case

pytestmark = pytest.mark.django_db
D = dt.date


def admonish(w, day, staff=None, reason="受理超期且未说明理由"):
    with clock.frozen(day):
        return admonition_issue(supervisor=w.supervisor, staff=staff or w.chief, reason=reason,
                                evidence="办件超期三个工作日，见监察记录")


def test_admonition_needs_a_supervisor_reason_and_evidence(w):
    with pytest.raises(PermissionDenied):
        admonition_issue(supervisor=w.head, staff=w.chief, reason="超期", evidence="见记录")
    with pytest.raises(DomainError) as e:
        admonition_issue(supervisor=w.supervisor, staff=w.chief, reason="超期", evidence=" ")
    assert e.value.code == "evidence_required"
    with pytest.raises(DomainError) as e:
        admonition_issue(supervisor=w.supervisor, staff=w.chief, reason="", evidence="见记录")
    assert e.value.code == "reason_required"
    other_county = f.county("130622000000", "邻县")
    stranger = f.staff("3001", Role.WINDOW_OFFICER, region=other_county, name="外县人员")
    with pytest.raises(PermissionDenied):
        admonition_issue(supervisor=w.supervisor, staff=stranger, reason="超期", evidence="见记录")
    assert Admonition.objects.count() == 0


def test_admonition_numbered_and_window_taken_from_the_officer(w):
    a = admonish(w, D(2026, 3, 2), staff=w.officer)
    b = admonish(w, D(2026, 3, 5))
    assert (a.doc_no, a.window, a.department, a.issued_by) == ("效告〔2026〕1号", w.window, w.dept, w.supervisor)
    assert (b.doc_no, b.window) == ("效告〔2026〕2号", None)


def test_second_admonition_within_twelve_months_flags_for_removal(w):
    first = admonish(w, D(2025, 5, 6))
    assert AccountabilityFlag.objects.count() == 0
    second = admonish(w, D(2026, 5, 6))  # 12 months later to the day: the first is outside the window
    assert AccountabilityFlag.objects.count() == 0
    third = admonish(w, D(2026, 9, 1))
    flag = AccountabilityFlag.objects.get()
    assert (flag.staff, flag.rule.code, flag.raised_on) == (w.chief, "two-admonitions", D(2026, 9, 1))
    assert flag.reason == "12个月内受到2次效能告诫：效告〔2026〕1号（2026年5月6日）、效告〔2026〕2号（2026年9月1日）"
    assert flag.evidence == {"admonitions": [second.pk, third.pk]}
    assert flag.rule.consequence == "免去领导职务（分管副职、科室负责人）"
    assert first.doc_no == "效告〔2025〕1号"
    # Evaluating again (the sweep does, every run) flags nothing new; nor does a fourth while the flag is open.
    assert accountability_evaluate(today=D(2026, 9, 2)) == 0
    admonish(w, D(2026, 9, 3))
    assert AccountabilityFlag.objects.count() == 1


def test_two_admonitions_flag_only_holders_of_a_leading_post(w):
    """“免去领导职务” applies to 分管副职、科室负责人: an ordinary window officer is not flagged."""
    assert AccountabilityRule.objects.get(code="two-admonitions").roles == ["chief_rep", "dept_head", "hall_admin"]
    admonish(w, D(2026, 3, 2), staff=w.officer)
    admonish(w, D(2026, 4, 2), staff=w.officer)
    assert AccountabilityFlag.objects.count() == 0
    AccountabilityRule.objects.filter(code="two-admonitions").update(roles=[])  # the rule as data: everyone
    assert accountability_evaluate(today=D(2026, 4, 3)) == 1
    assert AccountabilityFlag.objects.get().staff == w.officer


def test_revoking_an_admonition_resolves_its_flag(w):
    admonish(w, D(2026, 3, 2))
    second = admonish(w, D(2026, 4, 2))
    with clock.frozen(D(2026, 4, 10)):
        admonition_revoke(supervisor=w.supervisor, admonition=second, reason="复核认定事实不清")
    flag = AccountabilityFlag.objects.get()
    assert (flag.resolved_on, flag.resolution) == (D(2026, 4, 10), "所依据的效告〔2026〕2号已撤销")
    assert accountability_evaluate(today=D(2026, 4, 11)) == 0


def test_rule_thresholds_are_data(w):
    AccountabilityRule.objects.filter(code="two-admonitions").update(count=3)
    admonish(w, D(2026, 3, 2))
    admonish(w, D(2026, 4, 2))
    assert AccountabilityFlag.objects.count() == 0
    admonish(w, D(2026, 5, 2))
    assert AccountabilityFlag.objects.get().reason.startswith("12个月内受到3次效能告诫")


def test_window_ranked_last_twice_in_a_row_flags_its_head(w):
    f.window(w.center, "6", w.other_dept)
    accept_case(w, D(2026, 3, 2))  # due 03-09, never finished: late in March
    accept_case(w, D(2026, 4, 1), name="李四")  # due 04-09: late in April
    assessment_run(month=D(2026, 3, 1), today=D(2026, 5, 4))
    assert accountability_evaluate(today=D(2026, 5, 4)) == 0  # last once
    assessment_run(month=D(2026, 4, 1), today=D(2026, 5, 4))
    assert accountability_evaluate(today=D(2026, 5, 4)) == 1
    flag = AccountabilityFlag.objects.get()
    assert (flag.staff, flag.rule.code) == (w.chief, "window-last-twice")  # the department's 首席代表 in the hall
    assert flag.reason == ("示范县政务服务中心5号窗口（示范县市场监督管理局）2026年3月、2026年4月连续2个月在窗口月考核中"
                           "排名末位，赵首代为窗口负责人")
    assert flag.evidence == {"window": w.window.pk, "months": ["2026-03", "2026-04"]}
    assert accountability_evaluate(today=D(2026, 5, 5)) == 0
    with clock.frozen(D(2026, 5, 6)):
        flag_resolve(supervisor=w.supervisor, flag=flag, resolution="已对首席代表效能告诫一次")
    assert AccountabilityFlag.objects.get().resolved_on == D(2026, 5, 6)


def test_nobody_is_last_when_all_windows_score_the_same(w):
    f.window(w.center, "6", w.other_dept)
    assessment_run(month=D(2026, 3, 1), today=D(2026, 5, 4))
    assessment_run(month=D(2026, 4, 1), today=D(2026, 5, 4))
    assert accountability_evaluate(today=D(2026, 5, 4)) == 0
