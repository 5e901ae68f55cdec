"""The demo county: its size and shape, its idempotence, and ``zhengwu demo --no-serve``.

The county is built once for the module inside a transaction that is rolled back at the end,
so the other test modules never see it; every test runs in a savepoint on top of it.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from zhengwu.accounts.models import ApiToken, hash_token
from zhengwu.catalog.models import CaseType, Fee, Item, ItemVersion, Material, ProcessStep
from zhengwu.core.validators import validate_uscc
from zhengwu.demo import geography as geo
from zhengwu.demo.build import load_demo
from zhengwu.demo.people import DEMO_ACCOUNTS, DEMO_PASSWORD
from zhengwu.org.models import Department, Hall, Region, Role, Staff, Window

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

COUNTY = geo.COUNTY[0]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Hash with the same fast hasher the autouse fixture gives every test (conftest.py),
    # or check_password in the tests would not know the stored algorithm.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    models = [Region, Hall, Department, Window, Staff, Item, ItemVersion, ProcessStep, Material, Fee, ApiToken,
              get_user_model(), Window.items.through, Staff.roles.through, Staff.windows.through]
    return {m._meta.label: m.objects.count() for m in models}


def test_the_county_has_the_size_of_the_seeds_center(demo):
    assert demo.created is True
    assert 40 <= Department.objects.count() <= 60
    assert 100 <= Window.objects.filter(hall__code=geo.CENTER_CODE).count() <= 120
    assert 280 <= Staff.objects.count() <= 320
    assert 280 <= Item.objects.count() <= 320
    assert Region.objects.filter(level=Region.Level.TOWN).count() >= 3
    assert Region.objects.filter(level=Region.Level.VILLAGE).count() >= 12
    assert demo.counts["departments"] == Department.objects.count()


def test_region_codes_are_12_digits_and_nest_under_their_parents():
    for region in Region.objects.select_related("parent"):
        assert len(region.code) == 12 and region.code.isdigit(), region.code
        if region.parent is not None:
            assert region.code.startswith(region.parent.code_prefix), (region.code, region.parent.code)
    levels = dict(Region.objects.values_list("code", "level"))
    assert levels["130600000000"] == "city" and levels[COUNTY] == "county"


def test_every_town_has_a_center_and_every_village_a_station_with_an_agent():
    for town in Region.objects.filter(level=Region.Level.TOWN):
        assert town.halls.filter(kind=Hall.Kind.TOWN_CENTER).count() == 1
        assert Window.objects.filter(hall__region=town, department__isnull=True).count() >= 3
    for village in Region.objects.filter(level=Region.Level.VILLAGE):
        station = village.halls.get(kind=Hall.Kind.VILLAGE_STATION)
        assert station.windows.count() == 1
        assert station.windows.get().items.filter(current__village_intake=True).exists()
        assert Staff.objects.filter(hall=station, roles__code=Role.VILLAGE_AGENT).count() == 1


def test_every_department_has_a_chief_rep_a_head_windows_and_items():
    for dept in Department.objects.annotate(n_items=Count("items", distinct=True)):
        assert validate_uscc(dept.code) == dept.code
        assert dept.approval_section
        assert dept.staff.filter(roles__code=Role.CHIEF_REP).count() == 1
        assert dept.staff.filter(roles__code=Role.DEPT_HEAD).count() == 1
        assert dept.windows.filter(hall__code=geo.CENTER_CODE).exists()
        assert 2 <= dept.n_items <= 30, (dept.name, dept.n_items)
        window = dept.windows.first()
        assert set(window.items.values_list("id", flat=True)) == set(dept.items.values_list("id", flat=True))
    assert Window.objects.filter(hall__code=geo.CENTER_CODE, department__isnull=True).exists()


def test_items_are_consistent():
    versions = ItemVersion.objects.filter(state=ItemVersion.State.PUBLISHED).prefetch_related(
        "steps", "materials", "fees"
    )
    assert versions.count() == Item.objects.count()
    assert len(set(versions.values_list("name", flat=True))) == versions.count()
    for v in versions:
        assert (v.promised_limit == 0) == (v.case_type == CaseType.IMMEDIATE), v.name
        if v.legal_limit is not None and v.legal_limit_unit == v.promised_limit_unit:
            assert v.promised_limit <= v.legal_limit, v.name
        steps = list(v.steps.all())
        assert sum(s.days for s in steps) <= v.promised_limit, v.name
        if v.promised_limit == 0:
            assert [(s.name, s.role) for s in steps] == [("受理并办结", Role.WINDOW_OFFICER)]
        else:
            assert steps[0].role == Role.WINDOW_OFFICER and steps[-1].role == Role.DEPT_HEAD
        assert 2 <= len(v.materials.all()) <= 6, v.name
        assert 1 <= v.online_depth <= 7 and v.visits in (0, 1, 2)
        assert v.handling_tiers[0] == "county"
        assert v.legal_basis and v.theme and v.place and v.conditions
    assert versions.filter(village_intake=True).count() >= 20
    assert 0 < Fee.objects.values("version").distinct().count() < versions.count() / 4
    assert versions.filter(promised_limit_unit="calendar_day").exists()
    housing = ItemVersion.objects.get(name="国有建设用地使用权及房屋所有权转移登记")
    fee = housing.fees.get(name="不动产登记费（住宅）")
    assert (fee.amount, fee.waivable) == (80, True) and "财税〔2016〕79号" in fee.waiver_basis
    homestead = ItemVersion.objects.get(name="农村宅基地审批")
    assert homestead.village_intake and homestead.special_procedures == ["site_survey"]


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_each_demo_account_logs_in_with_its_role_and_token(account):
    user = get_user_model().objects.get(username=account.username)
    assert user.check_password(DEMO_PASSWORD)
    assert ApiToken.objects.filter(user=user, key_hash=hash_token(account.token), revoked=False).exists()
    if account.role:
        assert user.staff.has_role(account.role)
    else:
        assert not Staff.objects.filter(user=user).exists()
    assert not user.is_superuser  # the 中心管理员 too: a restricted admin (org/admin_access.py)
    assert user.is_staff == (account.username == "zxgly")


def test_the_superuser_is_a_separate_account_and_the_center_admin_is_restricted():
    from zhengwu.demo.people import SUPERUSER

    root = get_user_model().objects.get(username=SUPERUSER)
    assert root.is_superuser and root.check_password(DEMO_PASSWORD) and not Staff.objects.filter(user=root).exists()
    zxgly = get_user_model().objects.get(username="zxgly")
    assert not zxgly.has_perm("cases.view_case") and not zxgly.has_perm("accounts.view_apitoken")
    assert not zxgly.has_perm("org.change_role") and zxgly.has_perm("org.change_window")


def test_demo_accounts_sit_where_their_role_needs_them():
    staff = {s.user.username: s for s in Staff.objects.filter(user__username__in=[a.username for a in DEMO_ACCOUNTS])
             .select_related("user", "department", "hall", "region")}
    scj = staff["sxdb"].department
    assert scj.name == "示范县市场监督管理局" and staff["bmfzr"].department == scj
    officer = staff["ck_officer"]
    assert officer.department == scj and officer.hall.code == geo.CENTER_CODE
    assert officer.windows.get().department == scj
    assert staff["dby"].hall.kind == Hall.Kind.VILLAGE_STATION and staff["dby"].region.level == "village"
    assert staff["ld"].region.code == COUNTY and staff["zxgly"].hall.code == geo.CENTER_CODE
    assert staff["rxgly"].hall.code == staff["hwy"].hall.code == geo.CENTER_CODE
    # every staff login but the demo accounts' (all but the citizen's) is locked
    assert get_user_model().objects.filter(password__startswith="!").count() == Staff.objects.count() - (
        len(DEMO_ACCOUNTS) - 1)


def test_loading_again_changes_nothing(demo):
    before = _counts()

    again = load_demo()
    forced = load_demo(force=True)

    assert (again.created, forced.created) == (False, True)
    assert _counts() == before
    assert not ItemVersion.objects.filter(version__gt=1).exists()


def test_the_command_prints_urls_logins_and_tokens(demo):
    out = io.StringIO()

    call_command("demo", "--no-serve", "--port", "8123", stdout=out)

    text = out.getvalue()
    assert "演示数据已存在" in text
    assert "http://127.0.0.1:8123/" in text and "http://127.0.0.1:8123/admin/" in text
    assert "http://127.0.0.1:8123/api/docs" in text
    for account in DEMO_ACCOUNTS:
        assert account.username in text and account.token in text and account.label in text
    assert DEMO_PASSWORD in text


def test_the_demo_has_two_months_of_cases_made_by_the_services(demo):
    from zhengwu.cases.models import Case, CaseEvent
    from zhengwu.demo.cases import load_demo_cases

    made = load_demo_cases(working_days=10)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert made == Case.objects.count() > 20
    assert {"completed", "in_review"} <= statuses
    accepted = Case.objects.filter(accepted_on__isnull=False)
    assert not accepted.filter(due_date__isnull=True).exists()
    assert CaseEvent.objects.filter(action="accept").count() == accepted.count()
    assert load_demo_cases(working_days=10) == 0


def test_the_demo_audit_trail_is_one_intact_chain():
    from zhengwu.core.services import audit_chain_verify

    assert audit_chain_verify().ok
