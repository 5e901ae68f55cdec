import pytest

from zhengwu.core.errors import PermissionDenied
from zhengwu.org import scope
from zhengwu.org.models import Hall, Region, Role

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    county = f.county()
    town = f.town(county)
    village = f.village(town)
    center = f.hall(county)
    town_hall = f.hall(town, code="CGZ", kind=Hall.Kind.TOWN_CENTER)
    station = f.hall(village, code="DGC", kind=Hall.Kind.VILLAGE_STATION)
    scjg = f.department(county)
    gaj = f.department(county, code="D002", name="示范县公安局")
    return locals()


def test_roles_are_seeded_by_migration():
    assert list(Role.objects.values_list("code", "name")) == [
        ("window_officer", "窗口人员"), ("chief_rep", "首席代表"), ("dept_head", "部门负责人"),
        ("hall_admin", "中心管理员"), ("supervisor", "效能监察员"), ("village_agent", "代办员"), ("leader", "领导"),
        ("call_taker", "话务员"), ("hotline_admin", "热线管理员"), ("trading_admin", "交易中心管理员"),
        ("trading_supervisor", "交易监督人员"), ("intermediary_admin", "中介超市管理员"),
        ("intermediary_supervisor", "中介服务监管人员"), ("business_env", "优化营商环境办"),
    ]


def test_window_officer_acts_for_own_department_in_own_hall_only(world):
    w = world
    officer = f.staff("1001", Role.WINDOW_OFFICER, department=w["scjg"], hall=w["center"])
    assert scope.staff_can_act_at(officer, department_id=w["scjg"].id, hall=w["center"])
    assert not scope.staff_can_act_at(officer, department_id=w["gaj"].id, hall=w["center"])
    assert not scope.staff_can_act_at(officer, department_id=w["scjg"].id, hall=w["town_hall"])
    with pytest.raises(PermissionDenied) as exc:
        scope.require_act_at(officer, department_id=w["gaj"].id, hall=w["center"])
    assert exc.value.message == "该事项不属于您所在部门或大厅，您无权办理"


def test_comprehensive_window_officer_acts_for_any_department_in_own_hall(world):
    w = world
    officer = f.staff("1002", Role.WINDOW_OFFICER, hall=w["town_hall"], region=w["town"])
    assert scope.staff_can_act_at(officer, department_id=w["gaj"].id, hall=w["town_hall"])
    assert not scope.staff_can_act_at(officer, department_id=w["gaj"].id, hall=w["center"])


def test_department_head_acts_for_department_across_region_halls(world):
    w = world
    head = f.staff("1003", Role.DEPT_HEAD, department=w["scjg"], region=w["county"])
    assert scope.staff_can_act_at(head, department_id=w["scjg"].id, hall=w["town_hall"])
    assert not scope.staff_can_act_at(head, department_id=w["gaj"].id, hall=w["center"])


def test_village_agent_only_submits_at_own_station(world):
    w = world
    agent = f.staff("1004", Role.VILLAGE_AGENT, hall=w["station"], region=w["village"])
    assert scope.agent_can_submit_at(agent, w["station"])
    assert not scope.agent_can_submit_at(agent, w["center"])
    assert not scope.staff_can_act_at(agent, department_id=None, hall=w["station"])


def test_leader_reads_region_and_below(world):
    w = world
    leader = f.staff("1005", Role.LEADER, region=w["county"])
    town_leader = f.staff("1006", Role.LEADER, region=w["town"])
    assert scope.staff_can_read_region(leader, w["village"])
    assert scope.staff_can_read_region(town_leader, w["village"])
    assert not scope.staff_can_read_region(town_leader, w["county"])
    other = Region.objects.create(code="130622000000", name="邻县", level="county")
    assert not scope.staff_can_read_region(leader, other)


def test_inactive_staff_cannot_act(world):
    w = world
    officer = f.staff("1007", Role.WINDOW_OFFICER, department=w["scjg"], hall=w["center"])
    officer.is_active = False
    assert not scope.staff_can_act_at(officer, department_id=w["scjg"].id, hall=w["center"])


def test_region_code_must_be_12_digits():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="13062", name="坏代码", level="county")


def test_org_api_lists_and_staff_requires_login(client, world):
    w = world
    f.window(w["center"], "1", w["scjg"])
    assert [h["code"] for h in client.get("/api/org/halls").json()] == ["SFXZW", "CGZ", "DGC"]
    wins = client.get("/api/org/windows", {"hall": "SFXZW"}).json()
    assert wins == [{"hall_code": "SFXZW", "number": "1", "name": "示范县市场监督管理局", "department_code": "D001",
                     "is_open": True, "floor": ""}]
    assert client.get("/api/org/staff").status_code == 401
    officer = f.staff("1001", Role.WINDOW_OFFICER, department=w["scjg"], hall=w["center"])
    client.force_login(officer.user)
    rows = client.get("/api/org/staff").json()
    assert rows == [{"employee_no": "1001", "name": "工作人员1001", "department": "示范县市场监督管理局",
                     "hall": w["center"].name, "roles": ["window_officer"]}]


def test_api_token_auth(client, world):
    from zhengwu.accounts.models import ApiToken

    officer = f.staff("1001", Role.WINDOW_OFFICER, department=world["scjg"], hall=world["center"])
    _, raw = ApiToken.issue(user=officer.user, name="测试")
    resp = client.get("/api/org/staff", headers={"Authorization": f"Bearer {raw}"})
    assert resp.status_code == 200
    assert client.get("/api/org/staff", headers={"Authorization": "Bearer wrong"}).status_code == 401
