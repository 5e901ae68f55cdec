"""The contract used by checks outside the suite: the CLI, the API and the admin warning."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().splitlines()


def test_cli_add_and_count():
    assert run("add", "2026-09-28", "20") == ["2026-10-30"]
    assert run("count", "2026-09-28", "2026-10-30") == ["20"]


def test_cli_marks_provisional_on_a_second_line():
    assert run("add", "2026-12-28", "20") == ["2027-01-26", "provisional"]


def test_cli_explain_and_day():
    lines = run("explain", "2026-09-30", "1")
    assert lines[0].startswith("2026-09-30 三 不计 起始日不计入")
    assert lines[-1] == "2026-10-08 四 计入 工作日，第1个工作日"
    assert run("day", "2026-10-10") == ["2026-10-10 工作日 调休上班：国庆节"]


def test_cli_refuses_a_bad_date_in_chinese():
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        run("add", "2026-02-30", "3")


def test_api_add_contract(client):
    resp = client.get("/api/workdays/add", {"start": "2026-09-28", "days": 20})
    assert resp.status_code == 200
    assert resp.json() == {"start": "2026-09-28", "days": 20, "due": "2026-10-30", "provisional": False}


def test_api_add_provisional(client):
    data = client.get("/api/workdays/add", {"start": "2026-12-28", "days": 20}).json()
    assert (data["due"], data["provisional"]) == ("2027-01-26", True)


def test_api_count_explain_day(client):
    assert client.get("/api/workdays/count", {"start": "2026-09-28", "end": "2026-10-30"}).json()["workdays"] == 20
    rows = client.get("/api/workdays/explain", {"start": "2026-09-30", "days": 1}).json()
    assert len(rows) == 9 and rows[-1]["reason"] == "工作日，第1个工作日"
    day = client.get("/api/workdays/day", {"date": "2026-10-01"}).json()
    assert day == {"date": "2026-10-01", "workday": False, "reason": "法定节假日：国庆节", "provisional": False}


def test_api_errors_are_chinese(client):
    resp = client.get("/api/workdays/add", {"start": "2026-09-28", "days": -1})
    assert resp.status_code == 400
    assert resp.json() == {"code": "invalid_days", "message": "工作日天数不能为负数"}
    resp = client.get("/api/workdays/add", {"start": "2026-09-28", "days": 1, "region": "999999999999"})
    assert resp.status_code == 404
    assert resp.json()["message"] == "未找到区划代码 999999999999"


def test_admin_shows_a_standing_warning_for_provisional_years(admin_client, monkeypatch):
    from zhengwu.workdays import engine

    monkeypatch.setattr(engine, "provisional_years", lambda upto=None: [2027])
    resp = admin_client.get("/admin/workdays/dayoverride/")
    assert resp.status_code == 200
    assert "2027年尚未录入国务院办公厅放假通知" in resp.content.decode()


def test_provisional_years_lists_next_year_without_notice(settings):
    from zhengwu.workdays import engine
    from zhengwu.workdays.models import YearNotice

    this_year = dt.date.today().year
    years = engine.provisional_years(upto=2027)
    assert 2027 in years or this_year > 2027
    YearNotice.objects.create(year=2027)
    assert 2027 not in engine.provisional_years(upto=2027)
