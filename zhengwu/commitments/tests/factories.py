"""A small county for commitments tests: a center, two departments with windows, their heads and chief reps,
a window officer, a supervisor, and one catalog item of the first department."""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.accounts.models import ApiToken
from zhengwu.catalog.tests.factories import item
from zhengwu.org.models import Department, Hall, Role, Staff, Window
from zhengwu.org.tests import factories as org


@dataclass
class World:
    hall: Hall
    dept: Department
    other: Department
    window: Window
    head: Staff
    chief: Staff
    officer: Staff
    other_head: Staff
    supervisor: Staff


def world() -> World:
    county = org.county()
    hall = org.hall(county)
    dept = org.department(county)
    other = org.department(county, code="D002", name="示范县人力资源和社会保障局")
    window = org.window(hall, "5", dept)
    org.window(hall, "6", other)
    head = org.staff("H001", Role.DEPT_HEAD, department=dept, region=county, name="王局长")
    chief = org.staff("C001", Role.CHIEF_REP, department=dept, hall=hall, name="李首席")
    officer = org.staff("W001", Role.WINDOW_OFFICER, department=dept, hall=hall, name="赵窗口")
    other_head = org.staff("H002", Role.DEPT_HEAD, department=other, region=county, name="孙局长")
    supervisor = org.staff("S001", Role.SUPERVISOR, region=county, name="周监察")
    it = item(dept=dept, impl_code="11130621MB0001-01")
    window.items.add(it)
    return World(hall, dept, other, window, head, chief, officer, other_head, supervisor)


def auth(staff: Staff) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user=staff.user, name='测试')[1]}"}
