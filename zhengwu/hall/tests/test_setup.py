"""Setting a hall up: window groups from its departments; the no-show command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from zhengwu.core import clock
from zhengwu.org.tests import factories as f

from .. import services
from ..models import Appointment, WindowGroup
from . import factories as fx

pytestmark = pytest.mark.django_db


def test_groups_from_departments_comprehensive_first():
    county = f.county()
    hall = f.hall(county)
    market, police = f.department(county), f.department(county, code="D002", name="示范县公安局")
    f.window(hall, "01", market), f.window(hall, "02", police), f.window(hall, "03"), f.window(hall, "04", market)
    out = StringIO()
    call_command("hall_setup_groups", "SFXZW", stdout=out)
    groups = {g.code: (g.name, sorted(w.number for w in g.windows.all())) for g in WindowGroup.objects.all()}
    assert groups == {"A": ("综合受理", ["03"]), "B": ("示范县市场监督管理局", ["01", "04"]),
                      "C": ("示范县公安局", ["02"])}
    assert "A 综合受理、B 示范县市场监督管理局、C 示范县公安局" in out.getvalue()
    call_command("hall_setup_groups", "SFXZW", stdout=StringIO())  # a second run changes nothing
    assert WindowGroup.objects.count() == 3


def test_no_show_command():
    w = fx.build_hall()
    with clock.frozen(fx.at(8)):
        services.appointment_book(hall=w.hall, item=w.licence, day=fx.DAY, start=dt.time(9, 0), name="张三",
                                  phone=fx.PHONE, id_number=fx.ID_NUMBER)
    out = StringIO()
    with clock.frozen(fx.at(9, 31)):
        call_command("hall_no_shows", stdout=out)
    assert "1 个" in out.getvalue()
    assert Appointment.objects.get().status == "no_show"


def test_admin_pages_open_in_chinese(admin_client):
    w = fx.build_hall()
    with clock.frozen(fx.at(9)):
        services.ticket_issue(hall=w.hall, group=w.group_a)
    pages = {
        "/admin/hall/": "服务大厅",
        "/admin/hall/queuepolicy/1/change/": "过号前重呼次数",
        "/admin/hall/windowgroup/add/": "号码前缀",
        "/admin/hall/ticket/": "排队号",
        "/admin/hall/appointment/": "预约",
        "/admin/hall/staffabsence/": "工作人员外出告知",
        "/admin/hall/slotcapacity/add/": "每时段可预约人数",
        "/admin/hall/windowseat/": "窗口坐席",
    }
    for url, label in pages.items():
        r = admin_client.get(url)
        assert r.status_code == 200 and label in r.content.decode(), url
    ticket = admin_client.get("/admin/hall/ticket/").content.decode()
    assert "A001" in ticket
