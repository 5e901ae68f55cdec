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
